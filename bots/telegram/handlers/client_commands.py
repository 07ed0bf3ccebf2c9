"""A client's commands in the private chat: /start, /help, /new, /tickets, /close."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import InlineKeyboardMarkup, Message

from bots.i18n import Translator
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import CHANNEL, answer, client_tr, full_name, keyboard
from core import commands as c
from core.clean import as_id
from core.outbox import Audience, InboundRef
from core.ports import Clock
from core.services import Desk
from storage.lists import TicketLine, TicketLists
from wording.terms import display_name


def router() -> Router:
    r = Router(name="client-commands")
    r.message.filter(may_be_command)
    r.message.register(start, CommandStart())
    r.message.register(show_help, Command("help"))
    r.message.register(new_ticket, Command("new"))
    r.message.register(list_tickets, Command("tickets"))
    r.message.register(close_current, Command("close"))
    return r


async def may_be_command(message: Message) -> bool:
    """What aiogram's Command filter looks at starts with "/": a plain message (most of what
    clients send) skips the command filters at once instead of being parsed by each."""
    return (message.text or message.caption or "").lstrip().startswith("/")


def help_text(tr: Translator) -> str:
    return tr("Commands:\n/new — start a new ticket\n/tickets — your tickets\n"
              "/close — close the current ticket\n/help — this help")


def status_name(line: TicketLine, tr: Translator) -> str:
    """The status's name in the client's language where one was given; else a system status
    name is translated and a name an administrator gave stays as written."""
    return display_name(line.status_name, line.status_names, tr.language)


async def _say(message: Message, text: str, desk: Desk, clock: Clock,
               source: InboundRef | None, markup: InlineKeyboardMarkup | None = None,
               ticket_id: int = 0) -> None:
    """Answer in the private chat. Without `source` it acknowledges a command that was
    committed just before (the update is recorded with the command)."""
    await desk.reply([answer(clock, message.chat.id, text, audience=Audience.CLIENT,
                             markup=markup, ticket_id=ticket_id)], source=source)


async def start(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                source: InboundRef) -> None:
    tr = client_tr(message.from_user, tg)
    name = escape(full_name(message.from_user)) if message.from_user else ""
    greeting = tr("Hello, {name}! This is the support chat. Write your question here — "
                  "text, photos, files or voice messages — and our team will answer right "
                  "in this chat.", name=name)
    await _say(message, f"{greeting}\n\n{help_text(tr)}", desk, clock, source)


async def show_help(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                    source: InboundRef) -> None:
    await _say(message, help_text(client_tr(message.from_user, tg)), desk, clock, source)


async def new_ticket(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                     lists: TicketLists, source: InboundRef) -> None:
    tr = client_tr(message.from_user, tg)
    contact_id = await lists.contact_id(CHANNEL, str(message.chat.id))
    text = tr("Your next message will open a new ticket.")
    if contact_id is None:  # no tickets yet: the next message opens one anyway
        await _say(message, text, desk, clock, source)
        return
    await desk.handle(c.ClientStartsNewTicket(contact_id), source=source)
    await _say(message, text, desk, clock, None)


async def list_tickets(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                       lists: TicketLists, source: InboundRef) -> None:
    tr = client_tr(message.from_user, tg)
    contact_id = await lists.contact_id(CHANNEL, str(message.chat.id))
    tickets = await lists.client_tickets(contact_id) if contact_id is not None else []
    if not tickets:
        await _say(message, tr("You have no tickets yet. Just write your question and we "
                               "will open one."), desk, clock, source)
        return
    current = await lists.current_ticket(contact_id) if contact_id is not None else None
    lines = [tr("Your tickets:")]
    for t in tickets:
        mark = "▶ " if current and current.id == t.id else ""
        lines.append(f"{mark}<b>#{t.number}</b> · {escape(t.subject)} — "
                     f"{escape(status_name(t, tr))}")
    lines.append("")
    lines.append(tr("Tap a ticket to make it the current one: your messages go there."))
    buttons = keyboard([[(f"#{t.number} · {t.subject}"[:60], f"c:pick:{t.id}")]
                        for t in tickets])
    await _say(message, "\n".join(lines), desk, clock, source, markup=buttons)


async def close_current(message: Message, command: CommandObject, desk: Desk,
                        tg: TelegramConfig, clock: Clock, lists: TicketLists,
                        source: InboundRef) -> None:
    """`/close` closes the current ticket, `/close N` (or `/close #N`) the client's ticket N;
    a number that is not one of theirs is refused and nothing is closed."""
    tr = client_tr(message.from_user, tg)
    contact_id = await lists.contact_id(CHANNEL, str(message.chat.id))
    asked = (command.args or "").strip().removeprefix("#")
    if asked:
        mine = ({t.number: t for t in await lists.client_tickets(contact_id, limit=1000)}
                if contact_id is not None else {})
        current = mine.get(as_id(asked) or 0)
        if current is None:
            await _say(message, tr("You have no ticket #{number}. /tickets lists yours.",
                                   number=asked[:20]), desk, clock, source)
            return
        if current.status == "closed":
            await _say(message, tr("Ticket #{number} is already closed.",
                                   number=current.number), desk, clock, source)
            return
    else:
        current = await lists.current_ticket(contact_id) if contact_id is not None else None
    if contact_id is None or current is None or current.status == "closed":
        await _say(message, tr("You have no open ticket to close."), desk, clock, source)
        return
    await desk.handle(c.ClientClosesTicket(contact_id, current.id), source=source)
    await _say(message, tr("Ticket #{number} is closed. Thank you! Write any time if you "
                           "need more help.", number=current.number),
               desk, clock, None, ticket_id=current.id)
