"""A client's buttons: pick the current ticket (`c:pick:<id>`), and on the resolution
message confirm (`c:close:<id>`), reopen (`c:reopen:<id>`) or rate (`c:rate:<id>:<1-5>`).
The ids come from the client's device, so the core checks the ticket is theirs."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.types import CallbackQuery, ForceReply

from bots.i18n import Translator
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.client_messages import RATING_PROMPT
from bots.telegram.handlers.common import (
    CHANNEL,
    acknowledge,
    answer,
    client_tr,
    parse_button,
)
from bots.telegram.handlers.filters import inline
from core import commands as c
from core.errors import NotAllowed
from core.outbox import Audience, InboundRef
from core.ports import Clock
from core.services import Desk
from core.statuses import CLOSED
from core.tickets import Ticket
from storage.lists import TicketLists

ACTIONS = {"pick": 1, "close": 1, "reopen": 1, "rate": 2}


def router() -> Router:
    r = Router(name="client-buttons")
    r.callback_query.register(on_button, inline(F.data.startswith("c:")))
    return r


async def on_button(callback: CallbackQuery, desk: Desk, tg: TelegramConfig, clock: Clock,
                    lists: TicketLists, source: InboundRef) -> None:
    action, ids = parse_button(callback.data, "c", ACTIONS)
    ticket_id = ids[0]
    contact_id = await lists.contact_id(CHANNEL, str(callback.from_user.id))
    if contact_id is None:
        raise NotAllowed("ticket.not_yours")
    tr = client_tr(callback.from_user, tg)
    chat_id = callback.from_user.id
    if action == "pick":
        ticket = await desk.handle(c.ClientPicksTicket(contact_id, ticket_id), source=source)
        await _tell(desk, clock, chat_id, ticket, tr(
            "Your messages now go to ticket #{number} «{subject}».", number=ticket.number,
            subject=escape(ticket.subject)))
        await acknowledge(callback)
    elif action == "close":
        if not await _closed_already(lists, contact_id, ticket_id):  # e.g. by the rating
            await desk.handle(c.ClientClosesTicket(contact_id, ticket_id), source=source)
        await acknowledge(callback, tr("Ticket #{number} is closed. Thank you!",
                                       number=ticket_id))
    elif action == "reopen":
        ticket = await desk.handle(c.ClientReopensTicket(contact_id, ticket_id),
                                   source=source)
        await _tell(desk, clock, chat_id, ticket, tr(
            "Ticket #{number} is open again. Tell us what is still wrong.",
            number=ticket.number))
        await acknowledge(callback)
    else:
        await _rate(callback, contact_id, ticket_id, ids[1], desk, tr, clock, source)


async def _rate(callback: CallbackQuery, contact_id: int, ticket_id: int, score: int,
                desk: Desk, tr: Translator, clock: Clock, source: InboundRef) -> None:
    ticket = await desk.handle(c.ClientRatesTicket(contact_id, ticket_id, score),
                               source=source)
    prompt = answer(clock, callback.from_user.id, tr(RATING_PROMPT, number=ticket.number),
                    audience=Audience.CLIENT, ticket_id=ticket.id)
    # A reply to the prompt is the comment (client_messages); ForceReply opens the reply
    # field by itself. It travels beside reply_markup, which holds inline keyboards only.
    prompt.payload["force_reply"] = ForceReply(
        force_reply=True, input_field_placeholder=tr("Your comment")[:64]
    ).model_dump(exclude_none=True)
    await desk.reply([prompt])
    await acknowledge(callback, tr("Thank you for your rating!"))


async def _closed_already(lists: TicketLists, contact_id: int, ticket_id: int) -> bool:
    ticket = await lists.brief(ticket_id)
    return ticket is not None and ticket.contact_id == contact_id and ticket.status == CLOSED


async def _tell(desk: Desk, clock: Clock, chat_id: int, ticket: Ticket, text: str) -> None:
    """Acknowledge a committed command (its update is recorded with the command)."""
    await desk.reply([answer(clock, chat_id, text, audience=Audience.CLIENT,
                             ticket_id=ticket.id)])
