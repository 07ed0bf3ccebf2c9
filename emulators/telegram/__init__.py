"""Telegram Bot API protocol emulator: an aiohttp server on 127.0.0.1 that the real
aiogram client talks to in tests (validation against the vendored spec, long polling,
webhooks, forum topics, files, flood limits) plus a control API to drive and inspect it.

Typical use::

    async with TelegramEmulator(rate_limits=RateLimits.off()) as tg:
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
        bot = Bot("123:ABC", session=session)
        ...
"""

from .emulator import TelegramEmulator
from .errors import ApiError, ControlError
from .inject import Attachment, InjectedUpdate
from .limits import RateLimiter, RateLimits
from .models import (
    CallbackAnswer,
    CallRecord,
    Chat,
    ForumTopic,
    Member,
    StoredMessage,
    User,
)
from .webhook import WebhookRetry

__all__ = [
    "ApiError",
    "Attachment",
    "CallRecord",
    "CallbackAnswer",
    "Chat",
    "ControlError",
    "ForumTopic",
    "InjectedUpdate",
    "Member",
    "RateLimiter",
    "RateLimits",
    "StoredMessage",
    "TelegramEmulator",
    "User",
    "WebhookRetry",
]
