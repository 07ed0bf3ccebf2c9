"""Lists and help for agents: /queue (unassigned and overdue tickets) and /mine anywhere
in the agents' chat, /history in a ticket's topic, /help; a ticket command given outside a
ticket's topic is explained rather than ignored."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bots.i18n import Translator
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.agent_commands import TICKET_COMMANDS
from bots.telegram.handlers.common import agent_tr, tell_agents, topic_link
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from core.outbox import InboundRef
from core.people import Employee
from core.ports import Clock
from core.services import Desk
from storage.lists import TicketLine, TicketLists
from wording.terms import display_name


def router() -> Router:
    r = Router(name="agent-lists")
    r.message.register(queue, Command("queue"))
    r.message.register(mine, Command("mine"))
    r.message.register(history, Command("history"), InTicketTopic())
    r.message.register(show_help, Command("help", "start"))
    r.message.register(outside_topic, Command(*TICKET_COMMANDS), InTicketTopic(inside=False))
    return r


def render_lines(tickets: Sequence[TicketLine], tr: Translator) -> list[str]:
    lines = []
    for t in tickets:
        number = f"#{t.number}"
        if t.chat_id is not None and t.thread_id is not None:
            number = f'<a href="{topic_link(t.chat_id, t.thread_id)}">{number}</a>'
        who = escape(t.responsible_name) if t.responsible_name else tr("unassigned")
        status = escape(display_name(t.status_name, t.status_names, tr.language))
        line = f"{number} · {escape(t.subject)} — {status} · {who}"
        lines.append(f"⚠️ {line} · {tr('overdue')}" if t.overdue else line)
    if len(tickets) > 1:  # "3 обращения", "5 обращений": the language's plural form
        lines.append(tr.ngettext("{count} ticket", "{count} tickets", len(tickets)))
    return lines


async def _say(message: Message, text: str, desk: Desk, clock: Clock,
               source: InboundRef) -> None:
    await tell_agents(desk, clock, message.chat.id, thread_of(message), text, source)


async def queue(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                lists: TicketLists, source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    tickets = await lists.queue(clock.now())
    text = "\n".join([tr("Queue — unassigned and overdue tickets:"),
                      *render_lines(tickets, tr)]) if tickets else tr(
        "The queue is empty: every open ticket has someone responsible and none is overdue.")
    await _say(message, text, desk, clock, source)


async def mine(message: Message, employee: Employee, desk: Desk, tg: TelegramConfig,
               clock: Clock, lists: TicketLists, source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    tickets = await lists.employee_tickets(employee.id, clock.now())
    text = "\n".join([tr("Your open tickets:"), *render_lines(tickets, tr)]) if tickets \
        else tr("You have no open tickets.")
    await _say(message, text, desk, clock, source)


async def history(message: Message, ticket_id: int, desk: Desk, tg: TelegramConfig,
                  clock: Clock, lists: TicketLists, source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    tickets = await lists.other_tickets_of_client(ticket_id)
    text = "\n".join([tr("The client's other tickets:"), *render_lines(tickets, tr)]) \
        if tickets else tr("The client has no other tickets.")
    await _say(message, text, desk, clock, source)


async def show_help(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                    source: InboundRef) -> None:
    await _say(message, escape(agent_tr(message.from_user, tg)(HELP)), desk, clock, source)


async def outside_topic(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                        source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    await _say(message, tr("This command works inside a ticket's topic."), desk, clock,
               source)


HELP = """In a ticket's topic, a message or a file is a reply to the client.
/note TEXT — a private note (@login mentions a colleague)
/take — take the ticket
/assign @login — make a colleague responsible
/escalate — to the second line; /deescalate — back to the first
/wait — awaiting the client's reply
/hold 2026-12-01 10:00 or /hold 3d — on hold until then
/resolve [TEXT] — (answer and) resolve
/close, /reopen — close or reopen
/priority NAME, /status NAME — change priority or status
/canned — canned answers
/macro NAME — apply a macro (/macro alone lists them)
/link N — the client of ticket #N is this client too (one person)
/follow, /unfollow — hear of this ticket's news, or stop
/history — the client's other tickets
Anywhere: /queue — unassigned and overdue tickets, /mine — your open tickets."""
