"""Delivery of pending updates to the bot's webhook, the way Telegram does it.

Up to the webhook's ``max_connections`` updates at a time, but one chat's updates one after
another (Telegram waits for the answer to a chat's update before it sends that chat's next),
each in ``update_id`` order, POSTed as JSON with the ``X-Telegram-Bot-Api-Secret-Token``
header when a secret was set.  An update counts as
delivered only on a 2xx answer; otherwise it is retried with exponential backoff and the
error shows in getWebhookInfo.  A 2xx answer whose JSON body names a ``method`` is
executed as a Bot API call, like Telegram's "reply to the webhook" feature.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .state import EmulatorState, WebhookConfig
from .updates import PendingUpdate

log = logging.getLogger(__name__)

ReplyHandler = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class WebhookRetry:
    """Backoff between failed deliveries (Telegram's is slower; tests want it fast)."""

    initial: float = 0.05
    factor: float = 2.0
    maximum: float = 2.0
    request_timeout: float = 10.0


class WebhookDeliverer:
    """Background task that pushes pending updates to ``state.webhook``."""

    def __init__(self, state: EmulatorState, retry: WebhookRetry, on_reply: ReplyHandler) -> None:
        self._state = state
        self._retry = retry
        self._on_reply = on_reply
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._inflight: dict[int, object] = {}  # update_id -> its chat
        self._posts: set[asyncio.Task[None]] = set()
        self._delay = retry.initial
        self.routes: dict[str, str] = {}  # public URL prefix -> where it is reached here

    def route(self, public: str, local: str) -> None:
        """POST updates for webhooks under `public` to `local` instead: what a TLS-ending
        proxy in front of the bot does (the bot registers its public https:// address)."""
        self.routes[public] = local

    def _address(self, url: str) -> str:
        for public, local in self.routes.items():
            if url.startswith(public):
                return local + url[len(public):]
        return url

    def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._retry.request_timeout)
        )
        self._task = asyncio.create_task(self._run(), name="telegram-emulator-webhook")

    async def stop(self) -> None:
        for task in [self._task, *self._posts]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task, self._posts = None, set()
        self._inflight.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> tuple[WebhookConfig, PendingUpdate] | None:
        """The first pending update whose chat has none in flight, while a connection is
        free."""
        hook = self._state.webhook
        if hook is None or len(self._inflight) >= hook.max_connections:
            return None
        busy = set(self._inflight.values())
        for update in self._state.updates.peek(len(self._state.updates)):
            chat = _chat_of(update)
            if update.update_id not in self._inflight and chat not in busy:
                return hook, update
            busy.add(chat)  # a chat's later updates wait for its earlier ones
        return None

    async def _run(self) -> None:
        state = self._state
        while not state.closing:
            job = await state.signal.wait_until(self._next, 3600.0, closed=lambda: state.closing)
            if job is None:
                continue
            hook, update = job
            self._inflight[update.update_id] = _chat_of(update)
            task = asyncio.create_task(self._deliver(hook, update))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)

    async def _deliver(self, hook: WebhookConfig, update: PendingUpdate) -> None:
        state = self._state
        try:
            error = await self._post(hook, update)
            hook.attempts += 1
            if error is None:
                state.updates.confirm_one(update.update_id)
                hook.delivered += 1
                self._delay = self._retry.initial
                return
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            state.changed()
            delay = self._delay
            self._delay = min(delay * self._retry.factor, self._retry.maximum)
            await asyncio.sleep(delay)
        finally:
            self._inflight.pop(update.update_id, None)
            state.changed()

    async def _post(self, hook: WebhookConfig, update: PendingUpdate) -> str | None:
        """POST one update; None when delivered, else the error text."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(
                self._address(hook.url), data=json.dumps(update.to_api()), headers=headers
            ) as resp:
                body = await resp.read()
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {type(exc).__name__}"
        await self._maybe_reply(body)
        return None

    async def _maybe_reply(self, body: bytes) -> None:
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if isinstance(payload, dict) and isinstance(payload.get("method"), str):
            try:
                await self._on_reply(payload)
            except Exception:  # a bad reply must never stop delivery
                log.exception("webhook reply failed")


def _chat_of(update: PendingUpdate) -> object:
    """The chat an update belongs to (its sender's, when it names no chat)."""
    payload = update.payload
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
    person = payload.get("from") or payload.get("user")
    if isinstance(chat, dict) and "id" in chat:
        return ("chat", chat["id"])
    if isinstance(person, dict) and "id" in person:
        return ("user", person["id"])
    return ("update", update.update_id)
