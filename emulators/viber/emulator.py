"""`ViberEmulator`: Viber's REST bot API for one bot account on 127.0.0.1, for tests and the
sandbox. Point viberbot at `api_url` (VIBER_API_URL). The control methods inject what users
do (open the chat, subscribe, write, press buttons, share their phone, unsubscribe) and
report deliveries, and read back what the bot sent."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from emulators.common import ServedEmulator, WindowLimit, WindowLimiter

from .state import SentMessage, ViberState, ViberUser
from .webhook import WebhookDeliverer, WebhookRetry, signature

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TOKEN = "4453b6ac12345678-e02c5f12174805f9-9a7b2e5e1b0b7c5f"


@dataclass(frozen=True)
class ViberLimits:
    """Messages the bot may send per second (status 12 tooManyRequests beyond)."""

    per_second: int = 100
    enabled: bool = True

    @classmethod
    def off(cls) -> ViberLimits:
        return cls(enabled=False)

    def window(self) -> WindowLimit:
        return WindowLimit(self.per_second, 1.0, self.enabled)


@dataclass
class StoredFile:
    name: str
    data: bytes
    mime_type: str


class ViberEmulator(ServedEmulator):
    def __init__(self, *, auth_token: str = DEFAULT_TOKEN, limits: ViberLimits | None = None,
                 clock: Callable[[], float] | None = None,
                 webhook_retry: WebhookRetry | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.state = ViberState(auth_token)
        self.limiter = WindowLimiter((limits or ViberLimits()).window(), clock)
        self.deliverer = WebhookDeliverer(self.state, webhook_retry or WebhookRetry(),
                                          self._welcome)
        self.files: dict[str, StoredFile] = {}
        self._delivery = self.deliverer
        self._serve_on(host, port)

    # --- lifecycle (ServedEmulator) ---------------------------------------------------------
    def _app(self) -> web.Application:
        from .server import create_app

        return create_app(self)

    @property
    def api_url(self) -> str:
        """What VIBER_API_URL is set to: `https://chatapi.viber.com/pa` in real life."""
        return f"{self.base_url}/pa"

    @property
    def auth_token(self) -> str:
        return self.state.auth_token

    @property
    def webhook_url(self) -> str | None:
        return self.state.webhook.url if self.state.webhook else None

    # --- setting up -----------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, *, language: str = "en",
                 country: str = "GB", subscribed: bool = False) -> ViberUser:
        user = self.state.user(user_id, name)
        user.language, user.country = language, country
        user.subscribed = user.subscribed or subscribed
        return user

    def set_limits(self, limits: ViberLimits) -> None:
        self.limiter.limit = limits.window()
        self.limiter.reset()

    def inject_status(self, status: int, times: int = 1) -> None:
        """The next `times` send_message calls answer this Viber status (12 = too many
        requests, 11 = no suitable device, ...; 0 = answer as usual, to fail a later call)."""
        self.state.injected_statuses.extend([status] * times)

    # --- what users do -----------------------------------------------------------------------
    def open_conversation(self, user_id: str, *, context: str | None = None) -> dict[str, Any]:
        """The user opens the chat with the bot (not yet subscribed)."""
        user = self.state.user(user_id)
        fields: dict[str, Any] = {"type": "open", "user": user.to_api(),
                                  "subscribed": user.subscribed}
        if context:
            fields["context"] = context
        return self._push(self.state.event("conversation_started", **fields))

    def subscribe(self, user_id: str) -> dict[str, Any]:
        user = self.state.user(user_id)
        user.subscribed = True
        return self._push(self.state.event("subscribed", user=user.to_api()))

    def unsubscribe(self, user_id: str) -> dict[str, Any]:
        user = self.state.user(user_id)
        user.subscribed = False
        return self._push(self.state.event("unsubscribed", user_id=user_id))

    def inject_message(self, user_id: str, text: str | None = None, *,
                       picture: bytes | None = None, file: bytes | None = None,
                       filename: str = "file.bin", contact: dict[str, str] | None = None,
                       sticker_id: int | None = None,
                       tracking_data: str | None = None) -> dict[str, Any]:
        """The user writes to the bot (which subscribes them): text, a picture, a file, a
        contact or a sticker. The tracking data of the bot's last message comes back with
        it, as in Viber."""
        user = self.state.user(user_id)
        user.subscribed = True
        message = self._content(user_id, text, picture, file, filename, contact, sticker_id)
        tracking = tracking_data if tracking_data is not None else user.last_tracking_data
        if tracking:
            message["tracking_data"] = tracking
        return self._push(self.state.event("message", sender=user.to_api(), message=message,
                                           silent=False))

    def press(self, user_id: str, button: dict[str, Any]) -> dict[str, Any]:
        """The user taps a reply button: Viber sends its ActionBody as a text message."""
        if button.get("ActionType", "reply") != "reply":
            raise ValueError("only reply buttons send a message")
        return self.inject_message(user_id, str(button["ActionBody"]))

    def share_phone(self, user_id: str, phone: str) -> dict[str, Any]:
        """The user taps a share-phone button: their own number arrives as a contact."""
        user = self.state.user(user_id)
        return self.inject_message(user_id, contact={"name": user.name, "phone_number": phone})

    def _content(self, user_id: str, text: str | None, picture: bytes | None,
                 file: bytes | None, filename: str, contact: dict[str, str] | None,
                 sticker_id: int | None) -> dict[str, Any]:
        if picture is not None:
            url = self._store(f"{len(self.files) + 1}.jpg", picture, "image/jpeg")
            return {"type": "picture", "text": text or "", "media": url, "thumbnail": url,
                    "file_name": f"{len(self.files)}.jpg", "size": len(picture)}
        if file is not None:
            url = self._store(f"{len(self.files) + 1}_{filename}", file,
                              "application/octet-stream")
            return {"type": "file", "media": url, "file_name": filename, "size": len(file)}
        if contact is not None:
            return {"type": "contact", "contact": dict(contact)}
        if sticker_id is not None:
            return {"type": "sticker", "sticker_id": sticker_id}
        return {"type": "text", "text": text or ""}

    def _store(self, name: str, data: bytes, mime_type: str) -> str:
        self.files[name] = StoredFile(name, data, mime_type)
        return f"{self.base_url}/files/{name}"

    # --- delivery reports ----------------------------------------------------------------------
    def report(self, kind: str, token: int, *, desc: str | None = None) -> dict[str, Any]:
        """`delivered`, `seen` or `failed` for a message the bot sent."""
        if kind not in ("delivered", "seen", "failed"):
            raise ValueError("a report is delivered, seen or failed")
        sent = next((m for m in self.state.sent if m.token == token), None)
        if sent is None:
            raise ValueError(f"the bot sent no message {token}")
        fields: dict[str, Any] = {"user_id": sent.receiver}
        if kind == "failed":
            fields["desc"] = desc or "failed to deliver"
        event = self.state.event(kind, **fields)
        event["message_token"] = token
        return self._push(event)

    def inject_event(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Any callback event, verbatim (`message_token` and `timestamp` added as Viber
        does unless given): for events the other methods would never make."""
        event = self.state.event(kind)
        event.update(fields)
        return self._push(event)

    def _push(self, event: dict[str, Any]) -> dict[str, Any]:
        self.deliverer.enqueue(event)
        self.state.changed()
        return event

    def _welcome(self, event: dict[str, Any], body: bytes) -> None:
        """The bot answered conversation_started with a welcome message."""
        try:
            welcome = json.loads(body)
        except ValueError:
            self.state.internal_errors.append("the welcome message is not JSON")
            return
        if isinstance(welcome, dict) and (welcome.get("type") or welcome.get("keyboard")):
            from .server import record_message

            record_message(self, str(event["user"]["id"]), welcome, welcome=True)

    def sign(self, body: bytes) -> str:
        """The X-Viber-Content-Signature Viber would put on `body`."""
        return signature(body, self.state.auth_token)

    # --- reading back -----------------------------------------------------------------------------
    def received(self, user_id: str) -> list[SentMessage]:
        return [m for m in self.state.sent if m.receiver == user_id]

    async def fetch_media(self, message: SentMessage) -> tuple[int, bytes]:
        """Fetch a picture's or file's `media` URL as Viber's servers do: (status, bytes)."""
        if not message.media:
            raise ValueError("the message has no media")
        async with aiohttp.ClientSession() as http, http.get(message.media) as response:
            return response.status, await response.read()

    def texts(self, user_id: str) -> list[str]:
        return [m.text or "" for m in self.received(user_id)]

    async def wait_for(self, check: Callable[[], T | None],
                       timeout: float = 10.0) -> T:  # noqa: ASYNC109 - a deadline
        result = await self.state.changes.wait_until(check, timeout)
        if result is None:
            raise TimeoutError("the Viber emulator did not reach the expected state in time")
        return result

    async def wait_for_message(self, user_id: str, *parts: str, after: int = 0,
                               timeout: float = 10.0,  # noqa: ASYNC109
                               ) -> SentMessage:
        """The first message to `user_id` with a token above `after` containing every
        part in its text."""
        def found() -> SentMessage | None:
            return next((m for m in self.received(user_id)
                         if m.token > after and all(p in (m.text or "") for p in parts)), None)

        return await self.wait_for(found, timeout)

    @property
    def internal_errors(self) -> list[str]:
        return self.state.internal_errors
