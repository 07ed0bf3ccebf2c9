"""The outbox relay: drains each channel's pending messages in order per destination, hands
them to the channel's sender, and records what happened (sent, retry later, failed).

It reads each pending row about once: it holds the rows it has read and, on a wake, reads
only those past the largest id read. The database stays the truth; what is held is a cache
that a full re-read every `poll_interval` corrects and a restart simply reads again.

Before a row is sent it is claimed in the database (`OutboxStore.claim`): two relays on one
outbox by mistake never send a row twice, and with `fence` (the leader's lease, from
chatdesk/leadership.py) a relay whose instance no longer leads claims nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Protocol

from core.outbox import Audience, OutboundMessage
from core.ports import Clock
from storage.delivery import OutboxStore, Pending
from storage.leadership import Fence
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


class SentMarks:
    """Group commit of what deliveries sent: the marks that arrive while one transaction is
    being written go together in the next, so concurrent deliveries cost one commit, not
    one each (on SQLite each commit is a write of the journal). A delivery goes on only
    once its marks are committed, as when it wrote them itself."""

    def __init__(self, store: OutboxStore, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._ids: list[int] = []
        self._comment_ids: list[int] = []
        self._next: asyncio.Future[None] | None = None  # the marks being gathered
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0

    async def record(self, ids: Sequence[int], comment_ids: Sequence[int]) -> None:
        if not ids and not comment_ids:
            return
        self._ids += ids
        self._comment_ids += comment_ids
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        mine = self._next
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(mine)

    async def _write(self) -> None:
        try:
            while self._next is not None:
                done, ids, comment_ids = self._next, self._ids, self._comment_ids
                self._next, self._ids, self._comment_ids = None, [], []
                try:
                    await self.store.record_sent(ids, comment_ids, self.clock.now())
                except asyncio.CancelledError:
                    done.cancel()
                    raise
                except Exception as exc:  # every delivery waiting on it retries
                    done.set_exception(exc)
                    done.exception()  # retrieved: it is the waiters' to raise
                else:
                    self.commits += 1
                    done.set_result(None)
        finally:
            self._writer = None
            if self._next is not None:  # stopped: what was gathered is not written
                self._next.cancel()
                self._next, self._ids, self._comment_ids = None, [], []

    async def close(self) -> None:
        """Let the marks being written land (the deliveries that wait on them are gone)."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


class OutboxRelay:
    max_attempts = 8
    read_limit = 1000  # rows per read, and about the most held at once

    def __init__(self, sender: ChannelSender, clock: Clock, store: OutboxStore | None = None,
                 poll_interval: float = 1.0, concurrency: int = 32,
                 agent_channel: str | None = "telegram", min_interval: float = 0.05,
                 fence: Callable[[], Fence | None] | None = None) -> None:
        self.sender = sender
        self.fence = fence  # the leader's credentials now, None once it no longer leads
        self.claimer = uuid.uuid4().hex[:16]  # this relay, in the rows it claims
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
        self._queues: dict[str, list[Pending]] = {}  # rows read, per destination, in id order
        self._high_water = 0  # the largest id read
        self._full_read_at = -math.inf  # loop time of the last full re-read
        self._recorded: set[int] | None = None  # ids recorded while a full re-read runs
        self._dispatching = asyncio.Lock()
        self._idling = False
        self.marks = SentMarks(self.store, clock)

    async def run(self) -> None:
        """Dispatch whenever a commit in this process may have queued messages or a delivery
        finished, at most every `min_interval`; and every `poll_interval` in any case (rows
        written by another process, retries falling due)."""
        self.alive = True
        self._queues, self._high_water, self._full_read_at = {}, 0, -math.inf  # read afresh
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
            await self.marks.close()

    async def dispatch_once(self) -> int:
        """Start delivery for every destination that has due messages and none in flight."""
        async with self._dispatching:  # a full re-read relies on nothing starting meanwhile
            await self._read()
            groups = await self._claim(self._due(self.clock.now()))
            for key, rows in sorted(groups.items(), key=lambda group: group[1][0].message.id):
                self._inflight.add(key)
                self._start(self._deliver(key, rows))
            if not groups and not self._idling and self._owes():
                self._idling = True
                self._start(self._idle())
            return len(groups)

    def _start(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _owes(self) -> bool:
        owes = getattr(self.sender, "owes", None)
        return bool(owes and owes())

    async def _idle(self) -> None:
        """Nothing is due: the sender may do what it deferred under load (it posts nothing
        of the outbox's, e.g. Telegram's topic title edits)."""
        try:
            await self.sender.idle()  # type: ignore[attr-defined]
        except Exception:
            log.exception("sender %s failed its idle work", self.sender.channel)
        finally:
            self._idling = False

    async def _claim(self, groups: dict[str, list[Pending]]) -> dict[str, list[Pending]]:
        """The leading rows of each group this relay could claim; the others it claimed
        (behind a row another relay holds) it lets go, so that order holds."""
        fence = self.fence() if self.fence is not None else None
        if not groups or (self.fence is not None and fence is None):
            return {}
        ids = [row.message.id for rows in groups.values() for row in rows]
        taken = await self.store.claim(ids, self.claimer, fence)
        claimed: dict[str, list[Pending]] = {}
        for key, rows in groups.items():
            lead = list(takewhile(lambda row: row.message.id in taken, rows))
            if lead:
                claimed[key] = lead
        kept = {row.message.id for rows in claimed.values() for row in rows}
        await self.store.unclaim(sorted(taken - kept), self.claimer)
        return claimed

    def _due(self, now: datetime) -> dict[str, list[Pending]]:
        """The leading due rows of each destination not in flight: nothing overtakes a message
        waiting to retry."""
        groups: dict[str, list[Pending]] = {}
        for key, queue in self._queues.items():
            if key not in self._inflight:
                rows = list(takewhile(lambda row: row.next_attempt_at <= now, queue))
                if rows:
                    groups[key] = rows
        return groups

    async def _read(self) -> None:
        """Read the rows queued since the last read, and every `poll_interval` all of them
        again: that finds rows another process wrote, or that a transaction which took a
        lower id committed after a higher one was read (PostgreSQL)."""
        now = asyncio.get_running_loop().time()
        if now - self._full_read_at >= self.poll_interval:
            await self._read_all(whole=self._full_read_at == -math.inf)
            self._full_read_at = now
        elif sum(map(len, self._queues.values())) < self.read_limit:  # else memory would grow
            for row in await self.store.pending(self.sender.channel, self.read_limit,
                                                after_id=self._high_water):
                self._queues.setdefault(self.sender.destination(row.message), []).append(row)
                self._high_water = row.message.id

    async def _read_all(self, whole: bool = False) -> None:
        """Take the oldest pending rows as the truth for the destinations not in flight; for
        those in flight, only add rows not held, nor recorded while the read ran (it may
        have seen the database before they were marked sent: they would go out twice).

        Unless `whole` (the first read, and `drain`), rows held are not read again: only the
        ids of the pending rows are, and the rows not held. A row another process changed
        while this relay held it is read again on the next `drain` or start."""
        busy = set(self._inflight)
        recorded: set[int] = set()
        self._recorded = recorded
        try:
            rows = (await self.store.pending(self.sender.channel, self.read_limit) if whole
                    else await self._pending_by_ids())
        finally:
            self._recorded = None
        # held rows past the last one read were read before, beyond the read's limit: kept
        top = rows[-1].message.id if len(rows) >= self.read_limit else math.inf
        read: dict[str, list[Pending]] = {}
        for row in rows:
            if row.message.id not in recorded:
                read.setdefault(self.sender.destination(row.message), []).append(row)
        queues: dict[str, list[Pending]] = {}
        for key in self._queues.keys() | read.keys():
            held, fresh = self._queues.get(key, []), read.get(key, [])
            if key in busy:
                ids = {r.message.id for r in held}
                queue = sorted(held + [r for r in fresh if r.message.id not in ids],
                               key=lambda r: r.message.id)
            else:
                queue = fresh + [r for r in held if r.message.id > top]
            if queue:
                queues[key] = queue
        self._queues = queues
        if rows:
            self._high_water = max(self._high_water, rows[-1].message.id)

    async def _pending_by_ids(self) -> list[Pending]:
        ids = await self.store.pending_ids(self.sender.channel, self.read_limit)
        held = {row.message.id: row for queue in self._queues.values() for row in queue}
        fresh = {row.message.id: row for row in await self.store.pending_by_id(
            [i for i in ids if i not in held])}
        return [held[i] if i in held else fresh[i] for i in ids if i in held or i in fresh]

    def _forget(self, key: str, ids: set[int]) -> None:
        """Let go of rows recorded as sent or failed: they must never go out again."""
        if self._recorded is not None:
            self._recorded |= ids
        queue = [r for r in self._queues.get(key, []) if r.message.id not in ids]
        if queue:
            self._queues[key] = queue
        else:
            self._queues.pop(key, None)

    def _postpone(self, key: str, row: Pending) -> None:
        """Hold a retried row with its new attempt time, as the database now has it."""
        if key in self._queues:
            self._queues[key] = [row if r.message.id == row.message.id else r
                                 for r in self._queues[key]]

    async def drain(self, seconds: float = 10.0) -> None:
        """Deliver until nothing due is left (for tests and shutdown), starting from a full
        re-read so that rows changed in the database behind the relay's back count."""
        self._full_read_at = -math.inf
        async with asyncio.timeout(seconds):
            while await self.dispatch_once() or self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(self, key: str, rows: list[Pending]) -> None:
        try:
            async with self._slots:
                while rows:
                    outcomes = await self._send(rows)
                    if not await self._record(key, rows, outcomes):
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

    async def _record(self, key: str, rows: list[Pending], outcomes: list[Outcome]) -> bool:
        """Store the outcomes; True while the remaining rows may go on."""
        now = self.clock.now()
        sent = [r.message for r, o in zip(rows, outcomes, strict=False) if isinstance(o, Sent)]
        await self.marks.record([x.id for x in sent], [
            x.comment_id for x in sent if x.audience is Audience.CLIENT and x.comment_id])
        self._forget(key, {x.id for x in sent})
        self.stats.sent += len(sent)
        await self._tell_received(sent)
        for row, outcome in zip(rows, outcomes, strict=False):
            if isinstance(outcome, Retry):
                await self._retry(key, row, outcome, now)
                return False
            if isinstance(outcome, Failed):
                await self._fail(key, row.message, row.attempts + 1, outcome.error)
                return True
        return True

    async def _tell_received(self, sent: Sequence[OutboundMessage]) -> None:
        """The team sees which replies reached the client (a reaction in Telegram)."""
        received = [OutboundMessage(
            self.agent_channel, Audience.AGENTS, "client_received", x.ticket_id,
            self.clock.now(), comment_id=x.comment_id) for x in sent
            if self.agent_channel and x.audience is Audience.CLIENT and x.kind == "agent_reply"
            and x.comment_id]
        if received:
            await self.store.add(received)

    async def _retry(self, key: str, row: Pending, outcome: Retry, now: object) -> None:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            await self._fail(key, row.message, attempts, outcome.error)
            return
        delay = outcome.after if outcome.after is not None else min(2.0 ** attempts, 300.0)
        self.stats.retried += 1
        log.warning("%s message %d: %s; retry in %.1f s", self.sender.channel,
                    row.message.id, outcome.error, delay)
        next_at = self.clock.now() + timedelta(seconds=delay)
        await self.store.mark_retry(row.message.id, attempts, next_at, outcome.error)
        self._postpone(key, replace(row, attempts=attempts, next_attempt_at=next_at))

    async def _fail(self, key: str, message: OutboundMessage, attempts: int, error: str) -> None:
        self.stats.failed += 1
        log.error("%s message %d failed for good: %s", self.sender.channel, message.id, error)
        await self.store.mark_failed(message.id, attempts, error)
        self._forget(key, {message.id})
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
