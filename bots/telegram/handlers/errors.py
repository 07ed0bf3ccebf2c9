"""Refusals in the person's language: a DomainError raised by the core becomes a polite
answer (queued through the outbox) or, for a button press, an alert on the button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Chat, TelegramObject
from aiogram.types import User as TgUser

from bots.i18n import Translator, translator
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import acknowledge, answer
from core.errors import DomainError
from core.outbox import Audience, InboundRef
from core.ports import Clock
from core.services import Desk
from wording.refusals import describe as refusal
from wording.refusals import sentence


def describe(error: DomainError, tr: Translator) -> str:
    """The refusal in the person's language, worded by its code (the bots' catalogs first,
    then the shared words), as a sentence."""
    return sentence(refusal(error, tr.lookup, tr))


class DomainErrorsMiddleware(BaseMiddleware):
    """Inner middleware: wraps every handler of the clients' or the agents' routers."""

    def __init__(self, domain: str, audience: Audience) -> None:
        self.domain = domain
        self.audience = audience

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            await self.refuse(event, data, error)
            return None

    async def refuse(self, event: TelegramObject, data: dict[str, Any],
                     error: DomainError) -> None:
        tg: TelegramConfig = data["tg"]
        user: TgUser | None = data.get("event_from_user")
        tr = translator(user.language_code if user else None, self.domain, tg.default_language)
        text = describe(error, tr)
        if isinstance(event, CallbackQuery):
            await acknowledge(event, text, alert=True)
            return
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            return
        desk: Desk = data["desk"]
        clock: Clock = data["clock"]
        source: InboundRef | None = data.get("source")
        await desk.reply([answer(clock, chat.id, escape(text), audience=self.audience,
                                 thread_id=data.get("event_thread_id"))], source=source)
