"""The outbox relay: drains each channel's pending messages in order per destination, hands
them to the channel's sender, and records what happened (sent, retry later, failed)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from core.outbox import Audience, OutboundMessage
from core.ports import Clock
from storage.delivery import OutboxStore, Pending
from storage.uow import on_commit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    pass


@dataclass(frozen=True)
class Retry:
    error: str
    after: float | None = None  # seconds the platform asked us to wait (429 retry_after)


@dataclass(frozen=True)
class Failed:
    error: str


Outcome = Sent | Retry | Failed


class ChannelSender(Protocol):
    channel: str

    def destination(self, message: OutboundMessage) -> str:
        """Messages with the same destination are delivered one after another, in order."""

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        """Deliver the leading messages of one destination. Returns one outcome per message
        for a prefix of them (it may coalesce several into one post, all Sent; it stops at
        the first Retry or Failed, leaving the rest for later)."""


@dataclass
class RelayStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class OutboxRelay:
    max_attempts = 8

    def __init__(self, sender: ChannelSender, clock: Clock, store: OutboxStore | None = None,
                 poll_interval: float = 1.0, concurrency: int = 32,
                 agent_channel: str | None = "telegram", min_interval: float = 0.05) -> None:
        self.sender = sender
        self.agent_channel = agent_channel
        self.clock = clock
        self.store = store or OutboxStore()
        self.poll_interval = poll_interval  # a look for rows no commit here told us of
        self.min_interval = min_interval  # wake-ups closer than this are taken together
        self._wake: asyncio.Event | None = None
        self._inflight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self.stats = RelayStats()
        self.alive = False

    async def run(self) -> None:
        """Dispatch whenever a commit in this process may have queued messages or a delivery
        finished, at most every `min_interval`; and every `poll_interval` in any case (rows
        written by another process, retries falling due)."""
        self.alive = True
        wake = self._wake = asyncio.Event()
        stop_listening = on_commit(wake.set)
        try:
            while True:
                wake.clear()
                try:
                    await self.dispatch_once()
                except Exception:  # the database went away for a moment: keep going
                    log.exception("outbox relay for %s failed a round", self.sender.channel)
                    await asyncio.sleep(1)
                await asyncio.sleep(self.min_interval)
                if not wake.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), self.poll_interval)
        finally:
            stop_listening()
            self._wake = None
            self.alive = False
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def dispatch_once(self) -> int:
        """Start delivery for every destination that has due messages and none in flight."""
        now = self.clock.now()
        groups: dict[str, list[Pending]] = {}
        blocked: set[str] = set()
        for row in await self.store.pending(self.sender.channel):
            key = self.sender.destination(row.message)
            if key in self._inflight or key in blocked:
                continue
            if row.next_attempt_at > now:
                blocked.add(key)  # keep order: nothing overtakes a message waiting to retry
                continue
            groups.setdefault(key, []).append(row)
        for key, rows in groups.items():
            self._inflight.add(key)
            task = asyncio.create_task(self._deliver(key, rows))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(groups)

    async def drain(self, seconds: float = 10.0) -> None:
        """Deliver until nothing due is left (for tests and shutdown)."""
        async with asyncio.timeout(seconds):
            while await self.dispatch_once() or self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(self, key: str, rows: list[Pending]) -> None:
        try:
            async with self._slots:
                while rows:
                    outcomes = await self._send(rows)
                    if not await self._record(rows, outcomes):
                        return
                    rows = rows[len(outcomes):]
        except Exception:
            log.exception("delivery to %s crashed; it will be retried", key)
        finally:
            self._inflight.discard(key)
            if self._wake is not None:
                self._wake.set()  # the destination may have more waiting

    async def _send(self, rows: list[Pending]) -> list[Outcome]:
        try:
            outcomes = await self.sender.send([r.message for r in rows])
        except Exception as exc:  # a bug or an unexpected answer: retry with backoff
            log.exception("sender %s raised", self.sender.channel)
            return [Retry(f"{type(exc).__name__}: {exc}")]
        return outcomes[: len(rows)] or [Retry("sender returned nothing")]

    async def _record(self, rows: list[Pending], outcomes: list[Outcome]) -> bool:
        """Store the outcomes; True while the remaining rows may go on."""
        now = self.clock.now()
        sent = [r.message for r, o in zip(rows, outcomes, strict=False) if isinstance(o, Sent)]
        await self.store.mark_sent([x.id for x in sent], now)
        self.stats.sent += len(sent)
        for message in sent:
            if message.audience is Audience.CLIENT and message.comment_id:
                await self.store.set_comment_delivery(message.comment_id, "sent")
        for row, outcome in zip(rows, outcomes, strict=False):
            if isinstance(outcome, Retry):
                await self._retry(row, outcome, now)
                return False
            if isinstance(outcome, Failed):
                await self._fail(row.message, row.attempts + 1, outcome.error)
                return True
        return True

    async def _retry(self, row: Pending, outcome: Retry, now: object) -> None:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            await self._fail(row.message, attempts, outcome.error)
            return
        delay = outcome.after if outcome.after is not None else min(2.0 ** attempts, 300.0)
        self.stats.retried += 1
        log.warning("%s message %d: %s; retry in %.1f s", self.sender.channel,
                    row.message.id, outcome.error, delay)
        await self.store.mark_retry(row.message.id, attempts,
                                    self.clock.now() + timedelta(seconds=delay), outcome.error)

    async def _fail(self, message: OutboundMessage, attempts: int, error: str) -> None:
        self.stats.failed += 1
        log.error("%s message %d failed for good: %s", self.sender.channel, message.id, error)
        await self.store.mark_failed(message.id, attempts, error)
        if message.audience is Audience.CLIENT:
            if message.comment_id:
                await self.store.set_comment_delivery(message.comment_id, "failed")
            if not self.agent_channel:
                return
            await self.store.add([OutboundMessage(
                channel=self.agent_channel, audience=Audience.AGENTS, kind="delivery_failed",
                ticket_id=message.ticket_id,
                created_at=self.clock.now(), comment_id=message.comment_id,
                payload={"error": error[:500], "kind": message.kind})])
