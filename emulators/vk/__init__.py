"""VK API protocol emulator: an aiohttp server on 127.0.0.1 that the real vk-api library
talks to in tests (calls checked against the vendored VK schema, messages.send with
random_id deduplication, Bots Long Poll, Callback API delivery, the 20 requests/s limit)
plus a control API to inject what users do and read what they received.

Typical use::

    async with VkEmulator(group_id=42) as vk:
        vk.add_user(501, "Ivan")
        vk.inject_message(501, "Hello")
        ...
        await vk.wait_for_message(501, "ticket #1")
"""

from .callback import CallbackRetry
from .emulator import DEFAULT_TOKEN, VkEmulator, VkLimits
from .errors import VkError
from .state import CallbackAttempt, CallRecord, Event, SentMessage, VkUser

__all__ = [
    "DEFAULT_TOKEN",
    "CallRecord",
    "CallbackAttempt",
    "CallbackRetry",
    "Event",
    "SentMessage",
    "VkEmulator",
    "VkError",
    "VkLimits",
    "VkUser",
]
