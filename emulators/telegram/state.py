"""Everything the emulated Telegram server knows, plus a signal that fires on each change.

:class:`EmulatorState` owns users, chats, messages, forum topics, callback queries and
answers, files, the update queue, the webhook setting, bot commands and the call log.
Bot API handlers and control methods mutate it synchronously and call :meth:`changed`;
waiters (long polls, webhook delivery, ``wait_for``) sleep on :class:`ChangeSignal`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import CHAT_NOT_FOUND, ApiError, ControlError, bad_request, forbidden
from .files import FileStore
from .models import (
    CallbackAnswer,
    CallbackQuery,
    CallRecord,
    Chat,
    ForumTopic,
    Member,
    MemberStatus,
    StoredMessage,
    User,
)
from .updates import PendingUpdate, UpdateQueue

T = TypeVar("T")

DEFAULT_BOT_ID = 7000000001
FIRST_SUPERGROUP_ID = -1001000000000


class ChangeSignal:
    """An event that fires on every state change (no polling needed to wait for one)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.version = 0

    def fire(self) -> None:
        self.version += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    def current(self) -> asyncio.Event:
        """The event the next change will set; take it *before* checking a condition."""
        return self._event

    async def wait_until(
        self,
        predicate: Callable[[], T],
        timeout: float,  # noqa: ASYNC109 - a deadline, not a cancellation scope
        *,
        closed: Callable[[], bool],
    ) -> T | None:
        """Wait until ``predicate()`` is truthy and return it; None on timeout or close."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            result = predicate()
            if result or closed():
                return result or None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


@dataclass
class WebhookConfig:
    """The webhook the bot registered with setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    allowed_updates: list[str] | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0
    attempts: int = 0


@dataclass
class EmulatorState:
    """The emulated world of one bot."""

    bot: User = field(
        default_factory=lambda: User(
            DEFAULT_BOT_ID, "ChatDesk Test Bot", is_bot=True, username="chatdesk_test_bot"
        )
    )
    token: str | None = None
    users: dict[int, User] = field(default_factory=dict)
    blocked_by: set[int] = field(default_factory=set)
    chats: dict[int, Chat] = field(default_factory=dict)
    messages: dict[int, dict[int, StoredMessage]] = field(default_factory=dict)
    topics: dict[int, dict[int, ForumTopic]] = field(default_factory=dict)
    callback_queries: dict[str, CallbackQuery] = field(default_factory=dict)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    files: FileStore = field(default_factory=FileStore)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    webhook: WebhookConfig | None = None
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)
    signal: ChangeSignal = field(default_factory=ChangeSignal)
    closing: bool = False
    poll_generation: int = 0
    _next_message_id: dict[int, int] = field(default_factory=dict)
    forum_capacity: int = 1_000_000
    helpers: dict[str, User] = field(default_factory=dict)
    """Other bots (by token) that may post into the same groups; see `as_bot`."""
    helper_updates: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Updates meant for a helper bot (a press on a button of a message it posted)."""
    _next_group: int = 0
    _next_callback: int = 0

    def changed(self) -> None:
        """Wake everyone waiting for a change."""
        self.signal.fire()

    # -- users and chats ---------------------------------------------------------

    def bind_token(self, token: str) -> None:
        """Remember the bot token; a numeric prefix becomes the bot's user id."""
        self.token = token
        prefix = token.split(":", 1)[0]
        if prefix.isdigit() and int(prefix) != self.bot.id:
            old_id, self.bot.id = self.bot.id, int(prefix)
            for chat in self.chats.values():  # groups created before the first call
                if old_id in chat.members:
                    chat.members[self.bot.id] = chat.members.pop(old_id)

    @contextmanager
    def as_bot(self, token: str | None) -> Iterator[None]:
        """Run one call as the bot of `token`: a helper bot's messages are its own (its
        sender), as are its limits. Only synchronous handlers run inside, so no other
        call sees the swap."""
        helper = self.helpers.get(token or "")
        if helper is None:
            yield
            return
        main, self.bot = self.bot, helper
        try:
            yield
        finally:
            self.bot = main

    def ensure_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_bot: bool = False,
    ) -> User:
        """Get or create a user; given attributes overwrite stored ones."""
        if user_id <= 0:
            raise ControlError(f"user id must be positive, got {user_id}")
        user = self.users.get(user_id)
        if user is None:
            user = User(user_id, first_name or f"User{user_id}", is_bot=is_bot)
            self.users[user_id] = user
        if first_name:
            user.first_name = first_name
        if last_name is not None:
            user.last_name = last_name
        if username is not None:
            user.username = username
        if language_code is not None:
            user.language_code = language_code
        return user

    def private_chat(self, user: User) -> Chat:
        """The private chat between the bot and ``user`` (created on first use)."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, "private")
            self.chats[user.id] = chat
        chat.first_name, chat.last_name, chat.username = (
            user.first_name,
            user.last_name,
            user.username,
        )
        return chat

    def create_supergroup(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        username: str | None = None,
        forum: bool = True,
    ) -> Chat:
        """A supergroup with the bot as administrator."""
        if chat_id is None:
            self._next_group += 1
            chat_id = FIRST_SUPERGROUP_ID - self._next_group
            while chat_id in self.chats:
                self._next_group += 1
                chat_id = FIRST_SUPERGROUP_ID - self._next_group
        elif chat_id >= 0 or chat_id in self.chats:
            raise ControlError(f"bad or taken supergroup id {chat_id}")
        chat = Chat(chat_id, "supergroup", title=title, username=username, is_forum=forum)
        chat.members[self.bot.id] = Member(self.bot, "administrator")
        self.chats[chat_id] = chat
        self.changed()
        return chat

    def add_member(self, chat: Chat, user: User, status: MemberStatus = "member") -> Member:
        member = Member(user, status)
        chat.members[user.id] = member
        self.changed()
        return member

    def chat_or_control_error(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ControlError(f"chat {chat_id} not found")
        return chat

    def resolve_chat(self, value: int | str) -> Chat:
        """The chat a Bot API ``chat_id`` names, or ``400 chat not found``."""
        chat: Chat | None = None
        if isinstance(value, int):
            chat = self.chats.get(value)
        elif value.startswith("@"):
            name = value[1:].lower()
            chat = next(
                (
                    c
                    for c in self.chats.values()
                    if c.is_group and c.username and c.username.lower() == name
                ),
                None,
            )
        if chat is None:
            if isinstance(value, int) and value in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request(CHAT_NOT_FOUND)
        if chat.type == "private" and chat.id in self.blocked_by:
            raise forbidden("bot was blocked by the user")
        if chat.is_group:
            member = chat.members.get(self.bot.id)
            if member is None or member.status in ("left", "kicked"):
                raise forbidden("bot is not a member of the supergroup chat")
        return chat

    # -- messages -----------------------------------------------------------------

    def new_message(
        self, chat: Chat, sender: User, *, from_bot: bool, **fields: Any
    ) -> StoredMessage:
        """Store a new message with the chat's next message id."""
        message_id = self._next_message_id.get(chat.id, 0) + 1
        self._next_message_id[chat.id] = message_id
        msg = StoredMessage(
            chat=chat,
            message_id=message_id,
            date=int(time.time()),
            sender=sender,
            from_bot=from_bot,
            **fields,
        )
        self.messages.setdefault(chat.id, {})[message_id] = msg
        self.changed()
        return msg

    def get_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message that exists and is not deleted."""
        msg = self.messages.get(chat_id, {}).get(message_id)
        return None if msg is None or msg.deleted else msg

    def chat_messages(self, chat_id: int) -> list[StoredMessage]:
        return list(self.messages.get(chat_id, {}).values())

    # -- topics -----------------------------------------------------------------------

    def topic(self, chat_id: int, thread_id: int) -> ForumTopic | None:
        """A topic the bot can still reach: not deleted, not archived, and not further behind
        the forum's newest message than `forum_capacity` messages (a forum past about a
        million messages answers "message thread not found" for its old topics)."""
        topic = self.topics.get(chat_id, {}).get(thread_id)
        if topic is None or topic.deleted:
            return None
        if self._next_message_id.get(chat_id, 0) - thread_id >= self.forum_capacity:
            topic.archived = True
        return None if topic.archived else topic

    def message_count(self, chat_id: int) -> int:
        """Messages the chat has had (its newest message id)."""
        return self._next_message_id.get(chat_id, 0)

    def add_topic(self, topic: ForumTopic) -> None:
        self.topics.setdefault(topic.chat_id, {})[topic.message_thread_id] = topic
        self.changed()

    def thread_for_send(self, chat: Chat, thread_id: int | None) -> ForumTopic | None:
        """Check a ``message_thread_id`` a message is sent to (bots may post in closed
        topics, being admins)."""
        if thread_id is None:
            return None
        topic = self.topic(chat.id, thread_id) if chat.is_forum else None
        if topic is None:
            raise bad_request("message thread not found")
        return topic

    # -- updates, callbacks and the call log ----------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> PendingUpdate | None:
        update = self.updates.push(kind, payload)
        self.changed()
        return update

    def new_callback_query(self, user: User, message: StoredMessage, data: str) -> CallbackQuery:
        self._next_callback += 1
        query = CallbackQuery(f"{4_000_000_000_000 + self._next_callback}", user, message, data)
        self.callback_queries[query.id] = query
        return query

    def record_call(
        self, method: str, params: dict[str, Any], status: int, error: ApiError | None
    ) -> CallRecord:
        record = CallRecord(
            seq=len(self.calls) + 1,
            method=method,
            params=params,
            status=status,
            ok=error is None,
            description=error.description if error else None,
            at=time.time(),
            bot_id=self.bot.id,
        )
        self.calls.append(record)
        self.changed()
        return record
