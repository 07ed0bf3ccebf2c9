"""Commands an agent gives inside a ticket's topic: /note, /take, /assign, /escalate,
/deescalate, /wait, /hold, /resolve, /close, /reopen, /priority, /status. Each one done is
confirmed by a reaction on the agent's message: ✍ for a note, 🕊 (then 👍) for an answer
to the client, 👌 for the rest."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import agent_tr, react, tell_agents
from bots.telegram.handlers.content import message_content
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from bots.telegram.handlers.until import parse_until
from bots.telegram.reactions import DONE, NOTE, SENDING
from core import commands as c
from core.errors import InvalidInput
from core.outbox import InboundRef
from core.people import Employee
from core.ports import Clock
from core.services import Desk
from core.statuses import AWAITING_REPLY, CLOSED, ON_HOLD, OPEN, RESOLVED
from storage.lists import TicketLists

# Commands that need nothing but the ticket and who acts; the card buttons use them too.
SIMPLE: dict[str, Callable[[int, int], c.Command]] = {
    "take": lambda t, e: c.TakeTicket(t, e),
    "escalate": lambda t, e: c.Escalate(t, e),
    "deescalate": lambda t, e: c.Deescalate(t, e),
    "wait": lambda t, e: c.ChangeStatus(t, e, AWAITING_REPLY),
    "close": lambda t, e: c.ChangeStatus(t, e, CLOSED),
    "reopen": lambda t, e: c.ChangeStatus(t, e, OPEN),
    "resolve": lambda t, e: c.ChangeStatus(t, e, RESOLVED),
}
TICKET_COMMANDS = (*SIMPLE, "note", "assign", "hold", "priority", "status", "history",
                   "canned", "macro")


def router() -> Router:
    r = Router(name="agent-ticket-commands")
    in_topic = InTicketTopic()
    r.message.register(note, Command("note"), in_topic)
    r.message.register(resolve_with_answer, Command("resolve", magic=F.args), in_topic)
    r.message.register(simple, Command(*SIMPLE), in_topic)
    r.message.register(assign, Command("assign"), in_topic)
    r.message.register(hold, Command("hold"), in_topic)
    r.message.register(priority, Command("priority"), in_topic)
    r.message.register(status, Command("status"), in_topic)
    return r


async def simple(message: Message, command: CommandObject, ticket_id: int,
                 employee: Employee, desk: Desk, clock: Clock, source: InboundRef) -> None:
    await desk.handle(SIMPLE[command.command.lower()](ticket_id, employee.id), source=source)
    await react(desk, clock, message, DONE, ticket_id)


async def note(message: Message, command: CommandObject, ticket_id: int, employee: Employee,
               desk: Desk, clock: Clock, source: InboundRef) -> None:
    await desk.handle(c.AddPrivateNote(
        ticket_id, employee.id, command.args or "", message_content(message).attachments,
        origin="telegram"), source=source)
    await react(desk, clock, message, NOTE, ticket_id)


async def resolve_with_answer(message: Message, command: CommandObject, ticket_id: int,
                              employee: Employee, desk: Desk, clock: Clock,
                              source: InboundRef) -> None:
    comment = await desk.handle(c.AddAgentReply(
        ticket_id, employee.id, command.args or "", message_content(message).attachments,
        resolve=True, origin="telegram"), source=source)
    await react(desk, clock, message, SENDING, ticket_id, comment.id)


async def assign(message: Message, command: CommandObject, ticket_id: int,
                 employee: Employee, desk: Desk, clock: Clock, lists: TicketLists,
                 source: InboundRef) -> None:
    login = (command.args or "").strip().removeprefix("@")
    if not login:
        raise InvalidInput("assign.usage")
    target = employee if login.casefold() == "me" else await lists.employee_by_login(login)
    if target is None:
        raise InvalidInput("assign.no_colleague", login=login)
    await desk.handle(c.AssignTicket(ticket_id, employee.id, target.id), source=source)
    await react(desk, clock, message, DONE, ticket_id)


async def hold(message: Message, command: CommandObject, ticket_id: int, employee: Employee,
               desk: Desk, tg: TelegramConfig, clock: Clock, source: InboundRef) -> None:
    until = parse_until(command.args or "", clock.now(), ZoneInfo(tg.timezone))
    await desk.handle(c.ChangeStatus(ticket_id, employee.id, ON_HOLD, until), source=source)
    await react(desk, clock, message, DONE, ticket_id)


async def priority(message: Message, command: CommandObject, ticket_id: int,
                   employee: Employee, desk: Desk, tg: TelegramConfig, clock: Clock,
                   lists: TicketLists, source: InboundRef) -> None:
    name = (command.args or "").strip()
    if not name:
        tr = agent_tr(message.from_user, tg)
        text = tr("Usage: /priority NAME. Priorities: {names}",
                  names=escape(", ".join(await lists.priority_names(tr.language))))
        await tell_agents(desk, clock, message.chat.id, thread_of(message), text, source,
                          ticket_id=ticket_id)
        return
    await desk.handle(c.SetTicketField(ticket_id, employee.id, "priority", name),
                      source=source)
    await react(desk, clock, message, DONE, ticket_id)


async def status(message: Message, command: CommandObject, ticket_id: int,
                 employee: Employee, desk: Desk, tg: TelegramConfig, clock: Clock,
                 lists: TicketLists, source: InboundRef) -> None:
    name = (command.args or "").strip()
    if not name:
        tr = agent_tr(message.from_user, tg)
        text = tr("Usage: /status NAME. Statuses: {names}",
                  names=escape(", ".join(await lists.status_names(tr.language))))
        await tell_agents(desk, clock, message.chat.id, thread_of(message), text, source,
                          ticket_id=ticket_id)
        return
    await desk.handle(c.ChangeStatus(ticket_id, employee.id, name), source=source)
    await react(desk, clock, message, DONE, ticket_id)
