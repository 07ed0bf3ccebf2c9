"""Whatever a client sends in the private chat joins, reopens or opens a ticket; a reply to
the prompt the client asked for with "Add a comment" (within its window) is the rating's
comment instead. The prompt forces a reply, so their next message is one: the update itself
says whether it is the comment, with no state to look up for every message."""

from __future__ import annotations

import re
from functools import cache

from aiogram import F, Router
from aiogram.types import Message

from bots.i18n import LANGUAGES, translator
from bots.resolution import COMMENT_PROMPT, COMMENT_WINDOW
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import CHANNEL, answer, client_tr, full_name
from bots.telegram.handlers.content import CONTENT_TYPES, message_content
from bots.telegram.handlers.filters import inline
from core import commands as c
from core.outbox import Audience, InboundRef
from core.ports import Clock
from core.services import Desk
from storage.lists import TicketLists


def router() -> Router:
    r = Router(name="client-messages")
    r.message.register(client_writes, inline(F.content_type.in_(CONTENT_TYPES)))
    return r


async def client_writes(message: Message, desk: Desk, tg: TelegramConfig, clock: Clock,
                        lists: TicketLists, source: InboundRef) -> None:
    user = message.from_user
    if user is None or user.is_bot:
        return
    content = message_content(message)
    comment_for = comment_prompt_number(message)
    if (comment_for is not None and content.text.strip() and not content.attachments
            and await _comment_rating(message, comment_for, content.text, desk, tg, clock,
                                      lists, source)):
        return
    await desk.handle(c.ClientWrites(
        CHANNEL, str(user.id), full_name(user), content.text, content.attachments,
        language=user.language_code, phone=content.phone), source=source)


async def _comment_rating(message: Message, ticket_id: int, text: str, desk: Desk,
                          tg: TelegramConfig, clock: Clock, lists: TicketLists,
                          source: InboundRef) -> bool:
    assert message.from_user is not None
    contact_id = await lists.contact_id(CHANNEL, str(message.from_user.id))
    ticket = await lists.brief(ticket_id)
    if contact_id is None or ticket is None or ticket.contact_id != contact_id or (
            ticket.rating is None):
        return False  # not a rating of theirs after all: an ordinary message
    await desk.handle(c.ClientRatesTicket(contact_id, ticket.id, ticket.rating, text),
                      source=source)
    tr = client_tr(message.from_user, tg)
    await desk.reply([answer(clock, message.chat.id, tr("Thank you for your comment!"),
                             audience=Audience.CLIENT, ticket_id=ticket.id)])
    return True


def comment_prompt_number(message: Message) -> int | None:
    """The ticket of the bot's comment prompt this message replies to, within the window
    from the prompt; None for any other message."""
    prompt = message.reply_to_message
    if prompt is None or prompt.from_user is None or not prompt.from_user.is_bot or (
            message.date - prompt.date > COMMENT_WINDOW):
        return None
    for pattern in _prompt_patterns():
        found = pattern.fullmatch((prompt.text or "").strip())
        if found:
            return int(found.group(1))
    return None


@cache
def _prompt_patterns() -> tuple[re.Pattern[str], ...]:
    wordings = {translator(lang, "client").gettext(COMMENT_PROMPT) for lang in LANGUAGES}
    return tuple(re.compile(re.escape(w.strip()).replace(re.escape("{number}"), r"(\d+)"))
                 for w in wordings)
