"""The emulated VK world of one community: its users, what the community sent them, the
event log behind the Bots Long Poll server and the Callback API, and faults to inject."""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from emulators.common import Changes

API_VERSION = "5.199"


@dataclass
class VkUser:
    id: int
    first_name: str
    last_name: str = ""
    lang_id: int = 0  # VK's language ids: 0 ru, 1 uk, 3 en, ...
    can_write: bool = False  # the user allowed the community to message them
    blocked: bool = False  # the user denied messages or blacklisted the community

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "first_name": self.first_name, "last_name": self.last_name,
                "can_access_closed": True, "is_closed": False}


@dataclass
class SentMessage:
    """What the community sent to a user with messages.send."""

    id: int
    peer_id: int
    text: str
    random_id: int
    date: int
    keyboard: dict[str, Any] | None = None
    attachment: str | None = None
    payload: str | None = None
    edits: int = 0  # how many times messages.edit changed it
    update_time: int | None = None  # when it was last edited

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The keyboard's buttons' actions, row after row (label, payload, type)."""
        if not self.keyboard:
            return []
        return [b["action"] for row in self.keyboard.get("buttons", []) for b in row]


@dataclass
class Event:
    """One Callback API / Bots Long Poll event; `seq` is its place in the long-poll log."""

    seq: int
    body: dict[str, Any]

    @property
    def event_id(self) -> str:
        return str(self.body["event_id"])


@dataclass
class CallbackServer:
    url: str
    secret: str | None
    confirmation_code: str
    confirmed: bool = False
    delivered: int = 0


@dataclass
class CallbackAttempt:
    event_id: str
    status: int | None
    body: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body == "ok"


@dataclass
class CallRecord:
    method: str
    params: dict[str, str]
    error_code: int | None


@dataclass
class VkState:
    group_id: int
    token: str
    group_name: str = "ChatDesk test community"
    users: dict[int, VkUser] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    random_ids: dict[tuple[int, int], tuple[int, float]] = field(default_factory=dict)
    events: deque[Event] = field(default_factory=deque)
    next_seq: int = 1
    history_limit: int = 1000  # events kept for long polling; older ts get `failed: 1`
    longpoll_key: str = field(default_factory=lambda: secrets.token_hex(20))
    longpoll_failures: deque[int] = field(default_factory=deque)
    callback: CallbackServer | None = None
    callback_attempts: list[CallbackAttempt] = field(default_factory=list)
    injected_errors: deque[tuple[str | None, int]] = field(default_factory=deque)
    calls: list[CallRecord] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    next_message_id: int = 1
    next_incoming_id: int = 1
    closing: bool = False
    changes: Changes = field(default_factory=Changes)

    def changed(self) -> None:
        self.changes.changed()

    def user(self, user_id: int, first_name: str | None = None) -> VkUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = VkUser(user_id, first_name or f"User{user_id}")
        elif first_name:
            user.first_name = first_name
        return user

    def push_event(self, kind: str, obj: dict[str, Any]) -> Event:
        event = Event(self.next_seq, {
            "group_id": self.group_id, "type": kind, "event_id": secrets.token_hex(20),
            "v": API_VERSION, "object": obj})
        self.next_seq += 1
        self.events.append(event)
        while len(self.events) > self.history_limit:
            self.events.popleft()
        self.changed()
        return event

    def events_from(self, ts: int) -> list[Event]:
        return [e for e in self.events if e.seq >= ts]

    def rotate_key(self) -> None:
        self.longpoll_key = secrets.token_hex(20)

    def take_injected_error(self, method: str) -> int | None:
        for index, (wanted, code) in enumerate(self.injected_errors):
            if wanted is None or wanted == method:
                del self.injected_errors[index]
                return code
        return None
