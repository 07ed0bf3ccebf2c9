"""What a client reads from the bot, in their language: the ticket number on opening,
agents' answers, status notices (docs/DOMAIN.md §7.1) and the resolution question with its
confirm / reopen / rating buttons (§2.6, §8.1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.i18n import Translator
from bots.messenger.compose import status_notice as plain_status_notice
from bots.resolution import ADD_COMMENT, Answered
from bots.resolution import SKIP as SKIP_COMMENT
from bots.telegram.render import esc
from storage.views import TicketCard

# Callback data of the resolution question (parsed by the client callback handlers).
CONFIRM = "c:close:{ticket_id}"
REOPEN = "c:reopen:{ticket_id}"
RATE = "c:rate:{ticket_id}:{score}"
COMMENT = "c:comment:{ticket_id}"
SKIP = "c:skip:{ticket_id}"


def ticket_label(_: Translator, number: int) -> str:
    return _("Ticket #{number}", number=number)


def ticket_opened(_: Translator, number: int) -> str:
    return _("Your request is registered as ticket #{number}. We will answer you here.",
             number=number)


def reply_header(_: Translator, number: int, agent: str) -> str:
    """The line above an agent's answer: which ticket, and who answers."""
    return f"💬 <b>{esc(ticket_label(_, number))}</b> · {esc(agent)}"


def status_notice(_: Translator, number: int, status: str, names: Mapping[str, str],
                  until: datetime | None = None, timezone: str = "UTC",
                  old: str | None = None) -> str:
    return esc(plain_status_notice(_, number, status, names, until, timezone, old))


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
        _stars(ticket_id),
    ])
    return text, keyboard


def resolution_answered(_: Translator, ticket_id: int, answered: Answered,
                        offer_comment: bool = False) -> tuple[str, InlineKeyboardMarkup | None]:
    """The resolution question once answered: its outcome ("Closed — rated 4★"), the stars
    while the ticket may still be rated, "Add a comment" / "Skip" right after the stars."""
    text = "\n".join((
        "✅ " + esc(_("Ticket #{number} is resolved.", number=answered.number)),
        "<b>" + esc(answered.outcome(_)) + "</b>",
    ))
    rows = [_stars(ticket_id)] if answered.stars_left else []
    if offer_comment:
        rows.append([
            InlineKeyboardButton(text="✍ " + _(ADD_COMMENT),
                                 callback_data=COMMENT.format(ticket_id=ticket_id)),
            InlineKeyboardButton(text=_(SKIP_COMMENT),
                                 callback_data=SKIP.format(ticket_id=ticket_id))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _stars(ticket_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=f"★{score}",
                                 callback_data=RATE.format(ticket_id=ticket_id, score=score))
            for score in range(1, 6)]
