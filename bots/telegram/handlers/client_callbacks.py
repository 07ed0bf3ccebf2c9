"""A client's buttons: pick the current ticket (`c:pick:<id>`), and on the resolution
message confirm (`c:close:<id>`), reopen (`c:reopen:<id>`) or rate (`c:rate:<id>:<1-5>`),
then add a comment to the rating or skip it (`c:comment:<id>`, `c:skip:<id>`): only
after "Add a comment" is a message (the reply to its prompt) the comment. The ids come
from the client's device, so the core checks the ticket is theirs. A resolution button that
no longer applies (the ticket is closed, or open again) is answered politely and changes
nothing; the question then shows its outcome ("Closed — rated 4★") without stale buttons."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.types import CallbackQuery, ForceReply, InaccessibleMessage

from bots.i18n import Translator
from bots.resolution import COMMENT_PROMPT, Answered
from bots.telegram import render_client as rc
from bots.telegram.config import TelegramConfig
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
from core.outbox import Audience, InboundRef, OutboundMessage
from core.ports import Clock
from core.services import Desk
from core.statuses import RESOLVED
from core.tickets import Ticket
from storage.lists import TicketLists

ACTIONS = {"pick": 1, "close": 1, "reopen": 1, "rate": 2, "comment": 1, "skip": 1}


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
    if action == "pick":
        ticket = await desk.handle(c.ClientPicksTicket(contact_id, ticket_id), source=source)
        await _tell(desk, clock, callback.from_user.id, ticket, tr(
            "Your messages now go to ticket #{number} «{subject}».", number=ticket.number,
            subject=escape(ticket.subject)))
        await acknowledge(callback)
        return
    brief = await lists.brief(ticket_id)
    if brief is None or brief.contact_id != contact_id:
        raise NotAllowed("ticket.not_yours")
    before = Answered(brief.number, brief.status, brief.rating)
    if before.stale(action):
        shown = [_shown(callback, clock, tr, ticket_id, before)] if (
            before.status != RESOLVED and _asks_about(callback, ticket_id)) else []
        await desk.reply(shown, source=source)
        await acknowledge(callback, before.refusal(tr, action))
        return
    resolution = Resolution(callback, desk, clock, tr, before, ticket_id, contact_id, source)
    await getattr(resolution, action)(*ids[1:])


class Resolution:
    """The presses on one resolution question that still apply; `before`: where the ticket
    stood when pressed."""

    def __init__(self, callback: CallbackQuery, desk: Desk, clock: Clock, tr: Translator,
                 before: Answered, ticket_id: int, contact_id: int,
                 source: InboundRef) -> None:
        self.callback, self.desk, self.clock, self.tr = callback, desk, clock, tr
        self.before, self.ticket_id, self.contact_id = before, ticket_id, contact_id
        self.source = source
        self.user_id = callback.from_user.id

    async def close(self) -> None:
        ticket = await self.desk.handle(c.ClientClosesTicket(self.contact_id, self.ticket_id),
                                        source=self.source)
        await self._show(ticket)
        await acknowledge(self.callback, self.tr("Ticket #{number} is closed. Thank you!",
                                                 number=ticket.number))

    async def reopen(self) -> None:
        ticket = await self.desk.handle(c.ClientReopensTicket(self.contact_id, self.ticket_id),
                                        source=self.source)
        await self._show(ticket, self._text(self.tr(
            "Ticket #{number} is open again. Tell us what is still wrong.",
            number=ticket.number)))
        await acknowledge(self.callback)

    async def rate(self, score: int) -> None:
        ticket = await self.desk.handle(
            c.ClientRatesTicket(self.contact_id, self.ticket_id, score), source=self.source)
        await self._show(ticket, offer_comment=True)
        await acknowledge(self.callback, self.tr("Thank you for your rating!"))

    async def comment(self) -> None:
        """The client asked to comment: a prompt their next message replies to (Telegram
        opens the reply by itself); that reply, within the window, is the comment."""
        prompt = self._text(self.tr(COMMENT_PROMPT, number=self.before.number))
        prompt.payload["force_reply"] = ForceReply(
            force_reply=True, input_field_placeholder=self.tr("Your comment")[:64]
        ).model_dump(exclude_none=True)
        await self.desk.reply([
            _shown(self.callback, self.clock, self.tr, self.ticket_id, self.before), prompt],
            source=self.source)
        await acknowledge(self.callback)

    async def skip(self) -> None:
        await self.desk.reply([_shown(self.callback, self.clock, self.tr, self.ticket_id,
                                      self.before)], source=self.source)
        await acknowledge(self.callback, self.tr("Thank you!"))

    async def _show(self, ticket: Ticket, *more: OutboundMessage,
                    offer_comment: bool = False) -> None:
        """Acknowledge the committed command: the question shows its outcome."""
        answered = Answered(ticket.number, ticket.status, ticket.rating)
        await self.desk.reply([_shown(self.callback, self.clock, self.tr, ticket.id, answered,
                                      offer_comment), *more])

    def _text(self, text: str) -> OutboundMessage:
        return answer(self.clock, self.user_id, text, audience=Audience.CLIENT,
                      ticket_id=self.ticket_id)


def _asks_about(callback: CallbackQuery, ticket_id: int) -> bool:
    """The pressed message is a resolution question about this ticket (not, say, a forged
    press on the greeting)."""
    question = callback.message
    if question is None or isinstance(question, InaccessibleMessage):
        return False
    markup = question.reply_markup
    return markup is not None and any(
        (button.callback_data or "").startswith("c:") and (button.callback_data or "").split(
            ":")[2:3] == [str(ticket_id)] for row in markup.inline_keyboard for button in row)


def _shown(callback: CallbackQuery, clock: Clock, tr: Translator, ticket_id: int,
           answered: Answered, offer_comment: bool = False) -> OutboundMessage:
    """The pressed question edited to show where the ticket stands (a new message when the
    press came from some other message)."""
    text, markup = rc.resolution_answered(tr, ticket_id, answered, offer_comment)
    edit = callback.message.message_id if (
        callback.message is not None and _asks_about(callback, ticket_id)) else None
    return answer(clock, callback.from_user.id, text, audience=Audience.CLIENT,
                  ticket_id=ticket_id, markup=markup, edit=edit)


async def _tell(desk: Desk, clock: Clock, chat_id: int, ticket: Ticket, text: str) -> None:
    """Acknowledge a committed command (its update is recorded with the command)."""
    await desk.reply([answer(clock, chat_id, text, audience=Audience.CLIENT,
                             ticket_id=ticket.id)])
