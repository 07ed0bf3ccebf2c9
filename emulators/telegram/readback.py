"""Reading back what the bot did, and waiting for it: the inspection half of the
control API, mixed into :class:`~.emulator.TelegramEmulator`.

Messages (with edits history and the deleted flag), topics, callback answers, the call
log, the 429 counter, pending updates, files; ``wait_for`` re-checks a predicate on every
state change instead of sleeping in a loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar

from .errors import ControlError
from .limits import RateLimiter
from .methods_updates import webhook_info
from .models import CallbackAnswer, CallRecord, Chat, ForumTopic, StoredMessage
from .state import EmulatorState

T = TypeVar("T")


class EmulatorReadback:
    """Read-only views of the emulator state (needs ``state`` and ``limiter``)."""

    state: EmulatorState
    limiter: RateLimiter

    def chat(self, chat_id: int) -> Chat | None:
        return self.state.chats.get(chat_id)

    def messages(
        self,
        chat_id: int,
        *,
        thread_id: int | None = None,
        from_bot: bool | None = None,
        include_deleted: bool = True,
    ) -> list[StoredMessage]:
        """Messages of a chat in order, optionally of one topic / one side only."""
        return [
            m
            for m in self.state.chat_messages(chat_id)
            if (thread_id is None or m.message_thread_id == thread_id)
            and (from_bot is None or m.from_bot == from_bot)
            and (include_deleted or not m.deleted)
        ]

    def bot_messages(
        self, chat_id: int, *, thread_id: int | None = None, include_service: bool = False
    ) -> list[StoredMessage]:
        """What the bot sent into a chat (or topic), deleted ones included."""
        return [
            m
            for m in self.messages(chat_id, thread_id=thread_id, from_bot=True)
            if include_service or not m.service
        ]

    def last_bot_message(
        self, chat_id: int, *, thread_id: int | None = None
    ) -> StoredMessage | None:
        """The newest non-deleted, non-service message the bot sent there."""
        sent = [m for m in self.bot_messages(chat_id, thread_id=thread_id) if not m.deleted]
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message by id, deleted or not."""
        return self.state.messages.get(chat_id, {}).get(message_id)

    def topics(self, chat_id: int, *, include_deleted: bool = False) -> list[ForumTopic]:
        return [
            t
            for t in self.state.topics.get(chat_id, {}).values()
            if include_deleted or not t.deleted
        ]

    def topic(self, chat_id: int, message_thread_id: int) -> ForumTopic | None:
        return self.state.topics.get(chat_id, {}).get(message_thread_id)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self.state.callback_answers)

    def calls(self, method: str | None = None) -> list[CallRecord]:
        """The call log, optionally of one method (case-insensitive)."""
        if method is None:
            return list(self.state.calls)
        return [c for c in self.state.calls if c.method.lower() == method.lower()]

    @property
    def rate_limited_count(self) -> int:
        """How many calls were answered 429."""
        return self.limiter.rejected

    def pending_updates(self) -> list[dict[str, Any]]:
        return [u.to_api() for u in self.state.updates.peek(100_000)]

    def webhook_info(self) -> dict[str, Any]:
        return webhook_info(self.state)

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set with setMyCommands for a scope (default scope by default)."""
        key = json.dumps(dict(scope or {"type": "default"}), sort_keys=True)
        return list(self.state.commands.get(f"{key}|{language_code}", []))

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.state.files.get(file_id)
        if stored is None:
            raise ControlError(f"file {file_id} not found")
        return stored.data

    @property
    def internal_errors(self) -> list[str]:
        """Emulator bugs hit so far (each answered 500); tests should keep this empty."""
        return list(self.state.internal_errors)

    # -- waiting ---------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[Self], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented API of this helper
    ) -> T:
        """Wait until ``predicate(self)`` is truthy (re-checked on every state change)
        and return its value; ``TimeoutError`` after ``timeout`` seconds."""
        result = await self.state.signal.wait_until(
            lambda: predicate(self), timeout, closed=lambda: False
        )
        if not result:
            raise TimeoutError(f"condition not met within {timeout} s")
        return result

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        thread_id: int | None = None,
        after_message_id: int = 0,
        match: Callable[[StoredMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> StoredMessage:
        """Wait for a (non-service) message from the bot newer than ``after_message_id``."""

        def found(_: Self) -> StoredMessage | None:
            for msg in self.bot_messages(chat_id, thread_id=thread_id):
                if msg.message_id > after_message_id and (match is None or match(msg)):
                    return msg
            return None

        return await self.wait_for(found, timeout)
