"""What the handler modules share: answers queued through the outbox, translators for the
person acting, defensive parsing of callback data, and acknowledging a button press."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.types import User as TgUser

from bots.i18n import Translator, translator
from bots.telegram.config import TelegramConfig
from bots.telegram.reactions import reaction
from core.clean import as_id
from core.errors import InvalidInput
from core.outbox import Audience, InboundRef, OutboundMessage
from core.ports import Clock
from core.services import Desk
from storage.uow import after_commit

log = logging.getLogger(__name__)

CHANNEL = "telegram"


def client_tr(user: TgUser | None, tg: TelegramConfig) -> Translator:
    return translator(user.language_code if user else None, "client", tg.default_language)


def agent_tr(user: TgUser | None, tg: TelegramConfig) -> Translator:
    return translator(user.language_code if user else None, "agents", tg.default_language)


def answer(
    clock: Clock, chat_id: int, text: str, *, audience: Audience,
    thread_id: int | None = None, markup: InlineKeyboardMarkup | None = None,
    reply_markup: dict[str, Any] | None = None, ticket_id: int = 0,
    edit: int | None = None,
) -> OutboundMessage:
    """A ready text (HTML) for one chat or topic: it leaves through the outbox like every
    other message, so the sender keeps Telegram's limits for it too. `edit`: the id of a
    message of the bot's that this text replaces (with its buttons)."""
    if markup is not None:
        reply_markup = markup.model_dump(exclude_none=True)
    payload = {"text": text, "reply_markup": reply_markup, "chat_id": chat_id,
               "thread_id": thread_id, "parse_mode": "HTML"}
    if edit is not None:
        payload["message_id"] = edit
    return OutboundMessage(CHANNEL, audience, "text", ticket_id, clock.now(), str(chat_id),
                           payload=payload)


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline buttons from rows of (label, callback_data); None when there are none."""
    buttons = [[InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
               for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None


def parse_button(data: str | None, prefix: str,
                 actions: Mapping[str, int]) -> tuple[str, list[int]]:
    """`prefix:action:1:2` -> ("action", [1, 2]) when the action is known and has its number
    of ids; anything else is a stale or forged button, refused in words a person reads."""
    parts = (data or "").split(":")
    if (len(parts) < 2 or parts[0] != prefix or actions.get(parts[1]) != len(parts) - 2
            or any(as_id(p) is None or p != p.strip() for p in parts[2:])):
        raise InvalidInput("button.outdated")
    return parts[1], [int(p) for p in parts[2:]]


async def acknowledge(callback: CallbackQuery, text: str | None = None,
                      alert: bool = False) -> None:
    """Stop the button's spinner (a toast, not a message) once the command is committed
    (at the end of the update's batch); a failure is only logged: the update must not look
    unhandled."""
    async def answer() -> None:
        try:
            await callback.answer(text[:200] if text else None, show_alert=alert)
        except Exception as exc:  # an expired query or a network error
            log.warning("could not answer callback %s: %s", callback.id, exc)
    await after_commit(answer)


def full_name(user: TgUser) -> str:
    return " ".join(p for p in (user.first_name, user.last_name) if p) or (
        f"@{user.username}" if user.username else str(user.id))


def topic_link(chat_id: int, thread_id: int) -> str:
    """A t.me link that opens a forum topic of a supergroup for its members."""
    internal = str(chat_id).removeprefix("-100").lstrip("-")
    return f"https://t.me/c/{internal}/{thread_id}"


async def tell_agents(desk: Desk, clock: Clock, chat_id: int, thread_id: int | None,
                      text: str, source: InboundRef | None,
                      markup: InlineKeyboardMarkup | None = None, ticket_id: int = 0) -> None:
    """Answer in the agents' chat, in the topic the question came from. Without `source`
    it acknowledges a command committed just before (the update is recorded with it)."""
    await desk.reply([answer(clock, chat_id, text, audience=Audience.AGENTS,
                             thread_id=thread_id, markup=markup, ticket_id=ticket_id)],
                     source=source)


async def react(desk: Desk, clock: Clock, message: Message, emoji: str, ticket_id: int,
                comment_id: int | None = None) -> None:
    """Confirm an agent's command, committed just before, with a reaction on their message
    (`bots.telegram.reactions`): no extra post in the topic."""
    await desk.reply([reaction(message.chat.id, message.message_id, emoji, ticket_id,
                               clock.now(), comment_id)])
