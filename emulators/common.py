"""Small pieces the VK and Viber emulators share: waiting on state changes, a sliding-window
rate limit with an injectable clock, and the control API's JSON answers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aiohttp import web

T = TypeVar("T")


class Changes:
    """Wakes waiters whenever the emulated world changes (a message sent, an event queued)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def changed(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None],
                         timeout: float,  # noqa: ASYNC109 - a deadline, not a cancel scope
                         closed: Callable[[], bool] = lambda: False) -> T | None:
        """The first truthy `check()`, re-checked on every change; None on timeout or when
        `closed()` turns true."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result:
                return result
            left = deadline - loop.time()
            if left <= 0 or closed():
                return None
            waiter = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), min(left, 0.5))


@dataclass(frozen=True)
class WindowLimit:
    """At most `count` calls per `seconds` (a sliding window); `enabled=False` lets all pass."""

    count: int
    seconds: float = 1.0
    enabled: bool = True


class WindowLimiter:
    def __init__(self, limit: WindowLimit, clock: Callable[[], float] | None = None) -> None:
        self.limit = limit
        self.clock = clock or time.monotonic
        self._calls: dict[str, deque[float]] = {}
        self.rejected = 0

    def allow(self, key: str) -> bool:
        """Count one call for `key`; False (and nothing counted) when over the limit."""
        if not self.limit.enabled:
            return True
        now = self.clock()
        window = self._calls.setdefault(key, deque())
        while window and window[0] <= now - self.limit.seconds:
            window.popleft()
        if len(window) >= self.limit.count:
            self.rejected += 1
            return False
        window.append(now)
        return True

    def reset(self) -> None:
        self._calls.clear()


class ControlInputError(ValueError):
    """A control API request with missing or malformed fields."""


def control_route(
    action: Callable[[dict[str, Any], web.Request], Awaitable[Any]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp handler around `action(json_body, request)`: `{"ok": true, "result": ...}`,
    or 400 with `{"ok": false, "error": ...}` for bad input."""

    async def handler(request: web.Request) -> web.Response:
        body: dict[str, Any] = {}
        if request.body_exists:
            try:
                body = await request.json()
            except ValueError:
                return _control_error("request body must be JSON")
            if not isinstance(body, dict):
                return _control_error("request body must be a JSON object")
        try:
            result = await action(body, request)
        except KeyError as exc:
            return _control_error(f"missing field {exc.args[0]!r}")
        except (ControlInputError, TypeError, ValueError) as exc:
            return _control_error(str(exc))
        return web.json_response({"ok": True, "result": result})

    return handler


def _control_error(text: str) -> web.Response:
    return web.json_response({"ok": False, "error": text}, status=400)


class Delivering(Protocol):
    def start(self) -> None: ...
    async def stop(self) -> None: ...


class Closable(Protocol):
    closing: bool

    def changed(self) -> None: ...


class ServedEmulator:
    """The lifecycle the Telegram, VK and Viber emulators share: an aiohttp app on 127.0.0.1 (a free
    port by default), a deliverer of the platform's calls to us started and stopped with
    it, and `base_url` once it runs. Subclasses set `state`, `_delivery` and `_app()`."""

    state: Closable
    _delivery: Delivering

    def _serve_on(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    def _app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> None:
        if self._runner is not None:
            return
        self.state.closing = False
        runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        host, port = runner.addresses[0][:2]
        self._runner, self._base_url = runner, f"http://{host}:{port}"
        self._delivery.start()

    async def stop(self) -> None:
        self.state.closing = True
        self.state.changed()
        await self._delivery.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._base_url = None

    async def __aenter__(self: E) -> E:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the emulator is not running; await start() first")
        return self._base_url


E = TypeVar("E", bound=ServedEmulator)
