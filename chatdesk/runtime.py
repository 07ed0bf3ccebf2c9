"""The running product: the desk, the background workers (relays, pollers, timers) and the
adapters that add routes to the web server. Built by `chatdesk.app.build_runtime`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from chatdesk.channel_status import StatusProbe
from core.services import Desk

log = logging.getLogger(__name__)


class WebAdapter(Protocol):
    def add_routes(self, app: web.Application) -> None: ...


@dataclass
class Worker:
    """A background task of the running product. A `one_shot` worker (registering a
    webhook) has done its job when `run` returns; any other one should run until stopped."""

    name: str
    run: Callable[[], Awaitable[None]]
    task: asyncio.Task[None] | None = None
    one_shot: bool = False

    @property
    def alive(self) -> bool:
        """Running, or a one-shot worker that has finished its job (`/healthz` is ok)."""
        if self.task is None:
            return False
        if not self.task.done():
            return True
        return self.one_shot and not self.task.cancelled() and self.task.exception() is None


@dataclass
class Runtime:
    desk: Desk
    workers: list[Worker] = field(default_factory=list)
    web_adapters: list[WebAdapter] = field(default_factory=list)
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    status_probes: dict[str, StatusProbe] = field(default_factory=dict)  # channel -> probe

    def workers_alive(self) -> dict[str, bool]:
        return {w.name: w.alive for w in self.workers}

    async def start(self) -> None:
        for hook in self.on_start:
            await hook()
        for worker in self.workers:
            worker.task = asyncio.create_task(self._guard(worker), name=worker.name)

    async def _guard(self, worker: Worker) -> None:
        """Restart a worker that crashed, with a pause, instead of letting it die silently."""
        while True:
            try:
                await worker.run()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("worker %s crashed; restarting in 2 s", worker.name)
                await asyncio.sleep(2)

    async def stop(self) -> None:
        for worker in self.workers:
            if worker.task:
                worker.task.cancel()
        await asyncio.gather(*(w.task for w in self.workers if w.task), return_exceptions=True)
        for close in self.on_close:
            await close()
