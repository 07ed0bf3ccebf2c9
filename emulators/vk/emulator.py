"""`VkEmulator`: the VK API of one community on 127.0.0.1, for tests and the sandbox.

Point vk-api at `api_url` (it posts to a fixed host, so the adapter redirects it), and the
Callback API at your handler with `set_callback_server`. The control methods inject what
users do (messages with text, photos, documents, button payloads) and read back what the
community sent them; faults are injected with `inject_error` (VK error codes) and
`fail_longpoll` (`failed` 1/2/3)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from emulators.common import ServedEmulator, WindowLimit, WindowLimiter

from .callback import CallbackDeliverer, CallbackRetry
from .schema import VkSchema
from .state import CallbackServer, Event, SentMessage, VkState, VkUser
from .uploads import SavedMedia, VkUploads

T = TypeVar("T")

DEFAULT_TOKEN = "vk1.a.emulator-group-token"
BUTTON_ACTIONS = ["text", "vkpay", "open_app", "location", "open_link", "callback"]


@dataclass(frozen=True)
class VkLimits:
    """VK lets a community token make 20 requests a second (error 6 beyond)."""

    per_second: int = 20
    enabled: bool = True

    @classmethod
    def off(cls) -> VkLimits:
        return cls(enabled=False)

    def window(self) -> WindowLimit:
        return WindowLimit(self.per_second, 1.0, self.enabled)


@dataclass
class StoredFile:
    name: str
    data: bytes
    mime_type: str


class VkEmulator(ServedEmulator):
    def __init__(self, *, group_id: int = 1000001, token: str = DEFAULT_TOKEN,
                 limits: VkLimits | None = None, clock: Callable[[], float] | None = None,
                 callback_retry: CallbackRetry | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.schema = VkSchema.load()
        self.state = VkState(group_id, token)
        self.limiter = WindowLimiter((limits or VkLimits()).window(), clock)
        self.files: dict[str, StoredFile] = {}
        self.uploads = VkUploads(self)
        self._deliverer = CallbackDeliverer(self.state, callback_retry or CallbackRetry())
        self._delivery = self._deliverer
        self._serve_on(host, port)

    # --- lifecycle (ServedEmulator) ---------------------------------------------------------
    def _app(self) -> web.Application:
        from .server import create_app

        return create_app(self)

    @property
    def api_url(self) -> str:
        """What VK_API_URL is set to: `https://api.vk.com/method` in real life."""
        return f"{self.base_url}/method"

    @property
    def group_id(self) -> int:
        return self.state.group_id

    @property
    def token(self) -> str:
        return self.state.token

    # --- setting up -----------------------------------------------------------------------------
    def add_user(self, user_id: int, first_name: str, last_name: str = "", *,
                 lang_id: int = 0, can_write: bool = False) -> VkUser:
        user = self.state.user(user_id, first_name)
        user.last_name, user.lang_id = last_name, lang_id
        user.can_write = user.can_write or can_write
        return user

    def set_limits(self, limits: VkLimits) -> None:
        self.limiter.limit = limits.window()
        self.limiter.reset()

    async def set_callback_server(self, url: str, *, secret: str | None,
                                  confirmation_code: str) -> bool:
        """Add the community's callback server; VK confirms it before sending events."""
        server = CallbackServer(url, secret, confirmation_code)
        self.state.callback = server
        return await self._deliverer.confirm(server)

    # --- what users do -----------------------------------------------------------------------
    def inject_message(self, user_id: int, text: str = "", *, photo: bytes | None = None,
                       doc: bytes | None = None, filename: str = "file.bin",
                       payload: dict[str, Any] | str | None = None,
                       reply_to: int | None = None, first_name: str | None = None,
                       lang_id: int | None = None) -> Event:
        """A user writes to the community (which may then message them): text, a photo or
        a document, a keyboard button's payload, a reply to one of the community's
        messages (its id)."""
        user = self.state.user(user_id, first_name)
        if lang_id is not None:
            user.lang_id = lang_id
        user.can_write, user.blocked = True, False
        message: dict[str, Any] = {
            "date": int(time.time()), "from_id": user_id, "id": self.state.next_incoming_id,
            "out": 0, "peer_id": user_id, "text": text, "attachments": [],
            "conversation_message_id": self.state.next_incoming_id, "fwd_messages": [],
            "important": False, "is_hidden": False, "random_id": 0,
        }
        self.state.next_incoming_id += 1
        if photo is not None:
            message["attachments"].append(self._photo(user_id, photo))
        if doc is not None:
            message["attachments"].append(self._doc(user_id, doc, filename))
        if payload is not None:
            message["payload"] = payload if isinstance(payload, str) else json.dumps(payload)
        if reply_to is not None:
            message["reply_message"] = self._reply_message(user_id, reply_to)
        client_info = {"button_actions": BUTTON_ACTIONS, "keyboard": True,
                       "inline_keyboard": True, "carousel": True, "lang_id": user.lang_id}
        return self.inject_event("message_new", {"message": message,
                                                 "client_info": client_info})

    def press(self, user_id: int, button: dict[str, Any]) -> Event:
        """A user taps a text button of a keyboard they received: VK sends the label as the
        text and the button's payload."""
        return self.inject_message(user_id, str(button.get("label", "")),
                                   payload=button.get("payload"))

    def deny_messages(self, user_id: int) -> Event:
        """The user forbids the community to message them (messages.send: error 901)."""
        self.state.user(user_id).blocked = True
        return self.inject_event("message_deny", {"user_id": user_id})

    def inject_event(self, kind: str, obj: dict[str, Any]) -> Event:
        """Any Callback API / Long Poll event, verbatim."""
        event = self.state.push_event(kind, obj)
        self._deliverer.enqueue(event)
        return event

    def _photo(self, user_id: int, data: bytes) -> dict[str, Any]:
        photo_id = len(self.files) + 1
        url = self._store(f"photo{user_id}_{photo_id}.jpg", data, "image/jpeg")
        return {"type": "photo", "photo": {
            "id": photo_id, "owner_id": user_id, "access_key": secrets.token_hex(8),
            "date": int(time.time()), "text": "",
            "sizes": [{"type": "x", "url": url, "width": 604, "height": 453}]}}

    def _doc(self, user_id: int, data: bytes, filename: str) -> dict[str, Any]:
        doc_id = len(self.files) + 1
        url = self._store(f"doc{user_id}_{doc_id}_{filename}", data,
                          "application/octet-stream")
        ext = filename.rsplit(".", 1)[-1] if "." in filename else ""
        return {"type": "doc", "doc": {
            "id": doc_id, "owner_id": user_id, "title": filename, "size": len(data),
            "ext": ext, "url": url, "date": int(time.time()), "type": 8,
            "access_key": secrets.token_hex(8)}}

    def _store(self, name: str, data: bytes, mime_type: str) -> str:
        self.files[name] = StoredFile(name, data, mime_type)
        return f"{self.base_url}/files/{name}"

    def _reply_message(self, user_id: int, message_id: int) -> dict[str, Any]:
        sent = next((m for m in self.state.sent if m.id == message_id), None)
        if sent is None or sent.peer_id != user_id:
            raise ValueError(f"the community sent no message {message_id} to {user_id}")
        return {"date": sent.date, "from_id": -self.group_id, "id": sent.id,
                "peer_id": user_id, "text": sent.text, "attachments": [],
                "conversation_message_id": sent.id}

    # --- faults -----------------------------------------------------------------------------------
    def inject_error(self, code: int, method: str | None = "messages.send",
                     times: int = 1) -> None:
        """The next `times` calls of `method` (any method: None) answer VK error `code`
        (6 too many requests, 9 flood control, 29 rate limit, ...)."""
        for _ in range(times):
            self.state.injected_errors.append((method, code))

    def fail_uploads(self, times: int = 1) -> None:
        """The next `times` POSTs to an upload URL answer HTTP 500."""
        self.uploads.failures += times

    def fail_longpoll(self, *codes: int) -> None:
        """The next long-poll requests answer `{"failed": code}`, one code each."""
        for code in codes:
            if code not in (1, 2, 3):
                raise ValueError("VK answers failed 1, 2 or 3")
            self.state.longpoll_failures.append(code)
        self.state.changed()

    # --- reading back -----------------------------------------------------------------------------
    def received(self, user_id: int) -> list[SentMessage]:
        """What the community sent to a user, in order."""
        return [m for m in self.state.sent if m.peer_id == user_id]

    def media(self, attachment: str) -> SavedMedia:
        """A photo or document the community attached ("photo-1_2" or "photo-1_2_key")."""
        return self.uploads.saved["_".join(attachment.split("_")[:2])]

    def texts(self, user_id: int) -> list[str]:
        return [m.text for m in self.received(user_id)]

    async def wait_for(self, check: Callable[[], T | None],
                       timeout: float = 10.0) -> T:  # noqa: ASYNC109 - a deadline
        result = await self.state.changes.wait_until(check, timeout)
        if result is None:
            raise TimeoutError("the VK emulator did not reach the expected state in time")
        return result

    async def wait_for_message(self, user_id: int, *parts: str, after: int = 0,
                               timeout: float = 10.0,  # noqa: ASYNC109
                               ) -> SentMessage:
        """The first message to `user_id` with an id above `after` containing every part."""
        def found() -> SentMessage | None:
            return next((m for m in self.received(user_id)
                         if m.id > after and all(p in m.text for p in parts)), None)

        return await self.wait_for(found, timeout)

    @property
    def internal_errors(self) -> list[str]:
        return self.state.internal_errors
