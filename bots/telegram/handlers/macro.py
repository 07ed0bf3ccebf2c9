"""Macros in a ticket's topic (docs/DOMAIN.md §6.2): `/macro NAME` applies the named macro's
actions as the agent, in one step; `/macro` alone, or a name no macro has, lists the macros
there are."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import agent_tr, tell_agents
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from core import commands as c
from core.outbox import InboundRef
from core.people import Employee
from core.ports import Clock
from core.services import Desk
from storage.lists import TicketLists


def router() -> Router:
    r = Router(name="agent-macros")
    r.message.register(macro, Command("macro"), InTicketTopic())
    return r


async def macro(message: Message, command: CommandObject, ticket_id: int, employee: Employee,
                desk: Desk, tg: TelegramConfig, clock: Clock, lists: TicketLists,
                source: InboundRef) -> None:
    name = " ".join((command.args or "").split())
    names = await lists.macro_names()
    known = next((n for n in names if n.casefold() == name.casefold()), None) if name else None
    tr = agent_tr(message.from_user, tg)
    thread = thread_of(message)
    if known is not None:
        await desk.handle(c.ApplyMacro(ticket_id, employee.id, known), source=source)
        # the macro's changes show on the card; this says which macro made them
        await tell_agents(desk, clock, message.chat.id, thread,
                          tr("Macro «{name}» applied.", name=escape(known)), None,
                          ticket_id=ticket_id)
        return
    listed = escape(", ".join(names))
    if not names:
        text = tr("No macros yet: an administrator adds them in the settings.")
    elif name:
        text = tr("There is no macro named «{name}». Macros: {names}", name=escape(name),
                  names=listed)
    else:
        text = tr("Usage: /macro NAME. Macros: {names}", names=listed)
    await tell_agents(desk, clock, message.chat.id, thread, text, source, ticket_id=ticket_id)
