"""The emulated Viber world of one bot account: its users and their subscription, what the
bot sent them (by message token), the webhook and the events waiting to be delivered."""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from emulators.common import Changes


@dataclass
class ViberUser:
    id: str
    name: str
    language: str = "en"
    country: str = "GB"
    api_version: int = 10
    avatar: str | None = None
    subscribed: bool = False
    last_tracking_data: str | None = None  # Viber passes it back with the user's reply

    def to_api(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id, "name": self.name, "language": self.language,
                                   "country": self.country, "api_version": self.api_version}
        if self.avatar:
            profile["avatar"] = self.avatar
        return profile


@dataclass
class SentMessage:
    """A message the bot sent (send_message, or the welcome answered to
    conversation_started)."""

    token: int
    receiver: str
    type: str | None
    text: str | None
    keyboard: dict[str, Any] | None
    sender_name: str
    tracking_data: str | None = None
    media: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    welcome: bool = False

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return list((self.keyboard or {}).get("Buttons", []))


@dataclass
class Webhook:
    url: str
    event_types: list[str]


@dataclass
class WebhookAttempt:
    event: str
    token: int | None
    status: int | None
    error: str | None = None


@dataclass
class ViberState:
    auth_token: str
    account_name: str = "ChatDesk"
    users: dict[str, ViberUser] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    webhook: Webhook | None = None
    webhook_attempts: list[WebhookAttempt] = field(default_factory=list)
    injected_statuses: deque[int] = field(default_factory=deque)
    requests: list[tuple[str, int]] = field(default_factory=list)  # endpoint, status
    internal_errors: list[str] = field(default_factory=list)
    closing: bool = False
    changes: Changes = field(default_factory=Changes)
    _tokens: itertools.count[int] = field(
        default_factory=lambda: itertools.count(5_098_034_272_017_990_000))

    def changed(self) -> None:
        self.changes.changed()

    def next_token(self) -> int:
        return next(self._tokens)

    def user(self, user_id: str, name: str | None = None) -> ViberUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = ViberUser(user_id, name or f"Viber user {user_id}")
        elif name:
            user.name = name
        return user

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"event": kind, "timestamp": int(time.time() * 1000),
                "chat_hostname": "SN-CHAT-01_", "message_token": self.next_token(), **fields}
