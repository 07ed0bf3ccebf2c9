"""Viber REST bot API emulator: an aiohttp server on 127.0.0.1 that the real viberbot
library talks to in tests (set_webhook with its probe, send_message checked the way Viber
checks it, subscriptions, rate limit) and that delivers signed webhook events, plus a
control API to inject what users do and read what they received.

Typical use::

    async with ViberEmulator() as viber:
        api = Api(BotConfiguration(viber.auth_token, "ChatDesk", None))
        ... (VIBER_API_URL = viber.api_url)
        viber.inject_message("user==", "Hello")
"""

from .checks import MAX_TEXT, ViberStatus
from .emulator import DEFAULT_TOKEN, ViberEmulator, ViberLimits
from .state import SentMessage, ViberUser, WebhookAttempt
from .webhook import WebhookRetry, signature

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_TEXT",
    "SentMessage",
    "ViberEmulator",
    "ViberLimits",
    "ViberStatus",
    "ViberUser",
    "WebhookAttempt",
    "WebhookRetry",
    "signature",
]
