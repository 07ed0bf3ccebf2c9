"""Webhook delivery the way Viber does it: each event is POSTed as JSON, signed with
`X-Viber-Content-Signature` (hex HMAC-SHA256 of the raw body with the auth token); a
non-200 answer is retried with backoff, a limited number of times. The answer to
`conversation_started` may carry a welcome message, which reaches the user."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .state import ViberState, WebhookAttempt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookRetry:
    attempts: int = 5
    initial: float = 0.05
    factor: float = 2.0
    request_timeout: float = 10.0


def signature(body: bytes, auth_token: str) -> str:
    return hmac.new(auth_token.encode(), body, hashlib.sha256).hexdigest()


WelcomeHandler = Callable[[dict[str, Any], bytes], None]


class WebhookDeliverer:
    def __init__(self, state: ViberState, retry: WebhookRetry,
                 on_welcome: WelcomeHandler) -> None:
        self.state = state
        self.retry = retry
        self.on_welcome = on_welcome
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.retry.request_timeout))
        self._task = asyncio.create_task(self._run(), name="viber-emulator-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def enqueue(self, event: dict[str, Any]) -> None:
        hook = self.state.webhook
        if hook is not None and (event["event"] in hook.event_types
                                 or event["event"] in ("message", "webhook")):
            self._queue.put_nowait(event)

    async def probe(self, url: str) -> bool:
        """set_webhook: Viber calls the URL with a `webhook` event and wants a 200."""
        status, _, _ = await self.post(url, self.state.event("webhook"))
        return status == 200

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            await self._deliver(event)

    async def _deliver(self, event: dict[str, Any]) -> None:
        delay = self.retry.initial
        for attempt in range(self.retry.attempts):
            hook = self.state.webhook
            if hook is None:
                return
            status, body, error = await self.post(hook.url, event)
            self.state.webhook_attempts.append(
                WebhookAttempt(event["event"], event.get("message_token"), status, error))
            self.state.changed()
            if status == 200:
                if event["event"] == "conversation_started" and body.strip():
                    self.on_welcome(event, body)
                return
            if attempt + 1 < self.retry.attempts:
                await asyncio.sleep(delay)
                delay *= self.retry.factor
        log.warning("viber emulator gave up on a %s event", event["event"])

    async def post(self, url: str, event: dict[str, Any]) -> tuple[int | None, bytes, str | None]:
        assert self._session is not None
        raw = json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json",
                   "X-Viber-Content-Signature": signature(raw, self.state.auth_token)}
        try:
            async with self._session.post(url, data=raw, headers=headers) as response:
                return response.status, await response.read(), None
        except TimeoutError:
            return None, b"", "timeout"
        except aiohttp.ClientError as exc:
            return None, b"", f"{type(exc).__name__}: {exc}"
