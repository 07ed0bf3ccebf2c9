"""`/link N` in a ticket's topic: the client of ticket N is the client of this ticket, one
person across channels (docs/DOMAIN.md §8.2). The core keeps the older contact; the agent is told
which contact the tickets now share."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.agent_lists import outside_topic
from bots.telegram.handlers.common import agent_tr, tell_agents
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from core import commands as c
from core.clean import as_id
from core.outbox import InboundRef
from core.people import Contact, Employee
from core.ports import Clock
from core.services import Desk

USAGE = "Usage: /link N, where N is the number of another ticket of the same person."
LINKED = "Tickets #{number} and #{other} now belong to one contact, {name}; /history shows " \
         "the tickets of both."


def router() -> Router:
    r = Router(name="agent-link")
    r.message.register(link, Command("link"), InTicketTopic())
    r.message.register(outside_topic, Command("link"), InTicketTopic(inside=False))
    return r


async def link(message: Message, command: CommandObject, ticket_id: int, employee: Employee,
               desk: Desk, tg: TelegramConfig, clock: Clock, source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    number = (command.args or "").strip().removeprefix("#")
    where = (message.chat.id, thread_of(message))
    other = as_id(number)
    if other is None:
        await tell_agents(desk, clock, *where, tr(USAGE), source, ticket_id=ticket_id)
        return
    contact = await desk.handle(c.LinkContacts(ticket_id, employee.id, other),
                                source=source)
    assert isinstance(contact, Contact)
    text = tr(LINKED, number=ticket_id, other=int(number), name=escape(contact.name))
    await tell_agents(desk, clock, *where, text, None, ticket_id=ticket_id)
