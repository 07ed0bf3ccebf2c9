"""What a client reads from the bot, in their language: the ticket number on opening,
agents' answers, status notices (DOMAIN.md §7.1) and the resolution question with its
confirm / reopen / rating buttons (§2.6, §8.1)."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.i18n import Translator
from bots.telegram.render import esc, when
from core.statuses import AWAITING_REPLY, CLOSED, ON_HOLD, OPEN
from storage.views import TicketCard

# Callback data of the resolution question (parsed by the client callback handlers).
CONFIRM = "c:close:{ticket_id}"
REOPEN = "c:reopen:{ticket_id}"
RATE = "c:rate:{ticket_id}:{score}"


def ticket_label(_: Translator, number: int) -> str:
    return _("Ticket #{number}", number=number)


def ticket_opened(_: Translator, number: int) -> str:
    return _("Your request is registered as ticket #{number}. We will answer you here.",
             number=number)


def reply_header(_: Translator, number: int, agent: str) -> str:
    """The line above an agent's answer: which ticket, and who answers."""
    return f"💬 <b>{esc(ticket_label(_, number))}</b> · {esc(agent)}"


def status_notice(_: Translator, number: int, status: str, status_name: str,
                  until: datetime | None = None, timezone: str = "UTC") -> str:
    if status == OPEN:
        text = _("Ticket #{number} is open again: we are working on it.", number=number)
    elif status == ON_HOLD and until:
        text = _("Ticket #{number} is on hold until {until}. We will get back to you.",
                 number=number, until=when(until, timezone))
    elif status == ON_HOLD:
        text = _("Ticket #{number} is on hold. We will get back to you.", number=number)
    elif status == AWAITING_REPLY:
        text = _("We are waiting for your reply on ticket #{number}.", number=number)
    elif status == CLOSED:
        text = _("Ticket #{number} is closed. Thank you for contacting us!", number=number)
    else:
        text = _("Ticket #{number} now has the status “{status}”.", number=number,
                 status=status_name)
    return esc(text)


def resolution_request(_: Translator, card: TicketCard) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join((
        "✅ " + esc(_("Ticket #{number} is resolved.", number=card.number)),
        esc(_("Is your question solved? Confirm to close the ticket, or reopen it.")),
        esc(_("Please rate our work from 1 to 5.")),
    ))
    ticket_id = card.id
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="✅ " + _("Confirm and close"),
                              callback_data=CONFIRM.format(ticket_id=ticket_id)),
         InlineKeyboardButton(text="↩️ " + _("Reopen"),
                              callback_data=REOPEN.format(ticket_id=ticket_id))],
        [InlineKeyboardButton(text=f"★{score}",
                              callback_data=RATE.format(ticket_id=ticket_id, score=score))
         for score in range(1, 6)],
    ])
    return text, keyboard
