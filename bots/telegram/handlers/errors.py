"""Refusals in the person's language: a DomainError raised by the core becomes a polite
answer (queued through the outbox) or, for a button press, an alert on the button."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Chat, TelegramObject
from aiogram.types import User as TgUser

from bots.i18n import Translator, translator
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import acknowledge, answer
from bots.telegram.handlers.until import USAGE
from core.errors import DomainError
from core.outbox import Audience, InboundRef
from core.ports import Clock
from core.services import Desk

# The core's refusals as templates: a message matching one is worded by the catalogs
# (msgid = template), its values kept. Keep in step with the messages in core/.
CORE_MESSAGES = (
    "an empty message cannot be added to a ticket",
    "write some text or attach a file",
    "a message is limited to {limit} characters",
    "this ticket is not one of yours",
    "ticket #{number} is already closed",
    "ticket #{number} is still open",
    "ticket #{number} was closed too long ago to reopen; just write to us and a new ticket "
    "will be opened",
    "a rating is a whole number from 1 to 5",
    "ticket #{number} can be rated once it is resolved",
    "ticket #{number} is closed for good",
    "ticket #{number} is already yours",
    "ticket #{number} is already taken by {who}",
    "ticket #{number} is already on the second line",
    "ticket #{number} is already on the first line",
    "a ticket cannot go from {old} to {new}",
    "On hold needs a date and time to resume at",
    "the on-hold date must be in the future",
    "the on-hold date must be within a year",
    "you are not a member of the support team",
    "the account of {name} is deactivated",
    "{name} is deactivated and cannot be responsible",
    "no status named {name}",
    "no priority {value}; choose from {names}",
    "no ticket #{number}",
    "the ticket is being changed by someone else right now; try again",
    "ticket #{number} is this ticket; give another one",
    "tickets #{number} and #{other} already belong to one contact",
    "the two contacts write from different accounts in {channel}; they cannot be linked",
    # refusals of the handlers themselves
    "this button is out of date",
    "this canned answer no longer exists",
    "write whom to assign: /assign @login",
    "there is no colleague with the login @{login}",
    USAGE,
)
_TRANSLATED_VALUES = ("old", "new")  # status names

# When no template fits, a client still gets a sentence in their language; an agent gets
# the core's (English) words.
GENERIC = {
    "not_allowed": "Sorry, this is not available to you.",
    "transition_refused": "Sorry, this ticket cannot be changed that way now.",
    "already_taken": "Sorry, someone has already taken this ticket.",
    "invalid_input": "Sorry, I could not understand that.",
    "not_found": "Sorry, I could not find that.",
}
FALLBACK = "Sorry, that did not work. Please try again."


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                    for i, p in enumerate(parts))
    return re.compile(regex, re.DOTALL)


_PATTERNS = tuple((t, _pattern(t)) for t in CORE_MESSAGES)


def describe(error: DomainError, tr: Translator) -> str:
    """The refusal in the person's language: a known template in the catalog's words."""
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(error.message)
        if found:
            values = {k: tr(v) if k in _TRANSLATED_VALUES else v
                      for k, v in found.groupdict().items()}
            return _sentence(tr(template, **values) if values else tr(template))
    if tr.language == "en":
        return _sentence(error.message)
    if tr.domain == "agents":
        return tr("Not done: {reason}", reason=_sentence(error.message))
    return tr(GENERIC.get(error.code, FALLBACK))


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


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
