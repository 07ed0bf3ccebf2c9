"""The running product: the desk, the background workers (relays, pollers, timers) and the
adapters that add routes to the web server. Built by `chatdesk.app.build_runtime`.

A worker marked `single` runs on one instance at a time: with `leadership` set, only while
this instance leads (chatdesk/leadership.py), with the `on_lead` hooks run first; without
it (one process, tests), always."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from chatdesk.channel_status import StatusProbe
from chatdesk.leadership import Leadership, Takeover
from core.services import Desk
from storage.leadership import Fence

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
    single: bool = False  # runs on the leader only

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
    leadership: Leadership | None = None
    on_lead: list[Callable[[Takeover], Awaitable[None]]] = field(default_factory=list)
    _elector: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self.leadership is None or self.leadership.leading

    @property
    def role(self) -> str:
        return "leader" if self.leading else "standby"

    def fence(self) -> Fence | None:
        """The leader's credentials for outbox claims; None on a standby (and alone)."""
        return self.leadership.fence() if self.leadership is not None else None

    def workers_alive(self) -> dict[str, bool]:
        """The workers this instance runs in its role (a standby runs no single ones)."""
        return {w.name: w.alive for w in self.workers if self.leading or not w.single}

    async def start(self) -> None:
        for hook in self.on_start:
            await hook()
        for worker in self.workers:
            if not worker.single:
                self._launch(worker)
        if self.leadership is None:
            await self._lead(Takeover("", None))
        else:
            self._elector = asyncio.create_task(
                self.leadership.run(self._lead, self._follow), name="leadership")

    def _launch(self, worker: Worker) -> None:
        worker.task = asyncio.create_task(self._guard(worker), name=worker.name)

    async def _lead(self, takeover: Takeover) -> None:
        for hook in self.on_lead:
            try:
                await hook(takeover)
            except Exception:  # a courtesy (parked updates): the workers start regardless
                log.exception("a hook on taking the lead failed")
        for worker in self.workers:
            if worker.single:
                self._launch(worker)

    async def _follow(self) -> None:
        await self._cancel([w for w in self.workers if w.single])

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

    @staticmethod
    async def _cancel(workers: list[Worker]) -> None:
        for worker in workers:
            if worker.task:
                worker.task.cancel()
        await asyncio.gather(*(w.task for w in workers if w.task), return_exceptions=True)

    async def stop(self) -> None:
        if self._elector is not None:  # stops the single workers, then gives the lease back
            self._elector.cancel()
            await asyncio.gather(self._elector, return_exceptions=True)
        await self._cancel(self.workers)
        for close in self.on_close:
            await close()
