"""An agent's plain message or file in a ticket's topic is a public reply to the client,
confirmed by a reaction (🕊, then 👍 once the client has it). A command we do not know is
answered with a hint, never forwarded to the client."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import agent_tr, react, tell_agents
from bots.telegram.handlers.content import CONTENT_TYPES, message_content
from bots.telegram.handlers.filters import inline
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from bots.telegram.reactions import SENDING
from core import commands as c
from core.outbox import InboundRef
from core.people import Employee
from core.ports import Clock
from core.services import Desk


def router() -> Router:
    r = Router(name="agent-topic")
    in_topic = InTicketTopic()
    r.message.register(unknown_command, inline(F.func(_is_command)), in_topic)
    r.message.register(reply_to_client, inline(F.content_type.in_(CONTENT_TYPES)), in_topic)
    return r


def _is_command(message: Message) -> bool:
    return (message.text or message.caption or "").startswith("/")


async def reply_to_client(message: Message, ticket_id: int, employee: Employee, desk: Desk,
                          clock: Clock, source: InboundRef) -> None:
    content = message_content(message)
    comment = await desk.handle(c.AddAgentReply(ticket_id, employee.id, content.text,
                                                content.attachments, origin="telegram"),
                                source=source)
    await react(desk, clock, message, SENDING, ticket_id, comment.id)


async def unknown_command(message: Message, ticket_id: int, desk: Desk, tg: TelegramConfig,
                          clock: Clock, source: InboundRef) -> None:
    text = agent_tr(message.from_user, tg)("Unknown command. /help lists the commands.")
    await tell_agents(desk, clock, message.chat.id, thread_of(message), text, source,
                      ticket_id=ticket_id)
