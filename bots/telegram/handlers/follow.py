"""`/follow` and `/unfollow` in a ticket's topic: any agent subscribes themselves to a ticket
as an observer, and is then named in the topic when it changes (docs/DOMAIN.md §5.3, §7.3)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.agent_lists import outside_topic
from bots.telegram.handlers.common import agent_tr, tell_agents
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from core import commands as c
from core.outbox import InboundRef
from core.people import Employee
from core.ports import Clock
from core.services import Desk

FOLLOWING = "You follow ticket #{number} now: you will be named here when it changes."
UNFOLLOWED = "You no longer follow ticket #{number}."


def router() -> Router:
    r = Router(name="agent-follow")
    r.message.register(follow, Command("follow", "unfollow"), InTicketTopic())
    r.message.register(outside_topic, Command("follow", "unfollow"), InTicketTopic(inside=False))
    return r


async def follow(message: Message, command: CommandObject, ticket_id: int, employee: Employee,
                 desk: Desk, tg: TelegramConfig, clock: Clock, source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    if command.command.lower() == "unfollow":
        await desk.handle(c.RemoveObserver(ticket_id, employee.id, employee.id), source=source)
        text = tr(UNFOLLOWED, number=ticket_id)
    else:
        await desk.handle(c.AddObserver(ticket_id, employee.id, employee.id), source=source)
        text = tr(FOLLOWING, number=ticket_id)
    await tell_agents(desk, clock, message.chat.id, thread_of(message), text, None,
                      ticket_id=ticket_id)
