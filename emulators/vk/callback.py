"""Callback API delivery the way VK does it: the server is confirmed first (VK posts
`{"type": "confirmation"}` and expects the code back), then every event is POSTed as JSON
with the `secret`; only a 200 answer with the body `ok` counts, anything else is retried
with backoff, a limited number of times."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from .state import CallbackAttempt, CallbackServer, Event, VkState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallbackRetry:
    """VK gives up after a few attempts; tests want short pauses."""

    attempts: int = 5
    initial: float = 0.05
    factor: float = 2.0
    request_timeout: float = 10.0


class CallbackDeliverer:
    def __init__(self, state: VkState, retry: CallbackRetry) -> None:
        self.state = state
        self.retry = retry
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.retry.request_timeout))
        self._task = asyncio.create_task(self._run(), name="vk-emulator-callback")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def enqueue(self, event: Event) -> None:
        if self.state.callback is not None and self.state.callback.confirmed:
            self._queue.put_nowait(event)

    async def confirm(self, server: CallbackServer) -> bool:
        body: dict[str, Any] = {"type": "confirmation", "group_id": self.state.group_id}
        if server.secret:
            body["secret"] = server.secret
        status, text, _ = await self._post(server.url, body)
        server.confirmed = status == 200 and text.strip() == server.confirmation_code
        return server.confirmed

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            await self._deliver(event)

    async def _deliver(self, event: Event) -> None:
        delay = self.retry.initial
        for attempt in range(self.retry.attempts):
            server = self.state.callback
            if server is None:
                return
            body = dict(event.body)
            if server.secret:
                body["secret"] = server.secret
            status, text, error = await self._post(server.url, body)
            record = CallbackAttempt(event.event_id, status, text[:200], error)
            self.state.callback_attempts.append(record)
            self.state.changed()
            if record.ok:
                server.delivered += 1
                return
            if attempt + 1 < self.retry.attempts:
                await asyncio.sleep(delay)
                delay *= self.retry.factor
        log.warning("vk emulator gave up on event %s", event.event_id)

    async def _post(self, url: str, body: dict[str, Any]) -> tuple[int | None, str, str | None]:
        assert self._session is not None
        try:
            async with self._session.post(
                    url, data=json.dumps(body, ensure_ascii=False).encode(),
                    headers={"Content-Type": "application/json"}) as response:
                return response.status, await response.text(), None
        except TimeoutError:
            return None, "", "timeout"
        except aiohttp.ClientError as exc:
            return None, "", f"{type(exc).__name__}: {exc}"
