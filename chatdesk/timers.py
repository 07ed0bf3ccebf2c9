"""The timer worker: resumes tickets on hold, auto-closes, reports SLA warnings and breaches,
runs idle rules and recurring schedules when they fall due.

Due times live in the database (storage `desk_timers`), written in the same transaction as
the change that calls for them. An APScheduler interval job scans for due rows every few
seconds; one job per due time would have to be rebuilt from the database on every start
and on every change made by another instance, while a scan sees all of them at no cost.
A worker claims a due timer with a conditional UPDATE (a lease), then fires it with
`Desk.handle(FireTimer)`, whose transaction marks it done: a timer is never fired twice,
even by two instances, and one whose worker died mid-way is taken over when its lease ends.
Runs missed while the app was down are simply due at start and fire then."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core import commands as c
from core.errors import AlreadyHandled, DomainError
from core.ports import Clock
from core.services import Desk
from storage.timer_store import TimerStore

log = logging.getLogger(__name__)


class TimerWorker:
    def __init__(
        self, desk: Desk, clock: Clock, *, store: TimerStore | None = None,
        owner: str | None = None, interval: float = 5.0, lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 5, batch: int = 100, arm_every: float = 60.0,
        keep_done: timedelta = timedelta(days=30),
    ) -> None:
        self.desk, self.clock = desk, clock
        self.store = store or TimerStore()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.interval, self.lease, self.max_attempts = interval, lease, max_attempts
        self.batch, self.arm_every, self.keep_done = batch, arm_every, keep_done

    async def run_once(self) -> int:
        """Claim and fire what is due now; returns how many timers fired."""
        fired = 0
        claims = await self.store.claim_due(self.clock.now(), self.owner, self.lease,
                                            self.batch)
        for claim in claims:
            try:
                await self.desk.handle(c.FireTimer(claim.timer_id))
                fired += 1
            except AlreadyHandled:
                continue  # another worker fired it, or the change it served was undone
            except DomainError as refused:  # the rules refuse it: trying again won't help
                log.warning("timer %s refused: %s", claim.timer_id, refused)
                await self.store.give_up(claim.timer_id, str(refused))
            except Exception as exc:  # the database, most likely: retried when the lease ends
                log.exception("timer %s failed (attempt %d)", claim.timer_id, claim.attempts)
                if claim.attempts >= self.max_attempts:
                    await self.store.give_up(claim.timer_id, repr(exc))
        return fired

    async def arm_schedules(self) -> None:
        """Recurring schedules edited or added since the last look get their next run."""
        await self.desk.handle(c.ArmRecurringSchedules())

    async def purge(self) -> None:
        await self.store.purge_done(self.clock.now() - self.keep_done)

    async def _tick(self) -> None:
        try:
            while await self.run_once() >= self.batch:
                pass  # a backlog (after downtime): keep going until it is drained
        except Exception:
            log.exception("timer scan failed; next scan in %.0f s", self.interval)

    async def run(self) -> None:
        """Catch up with whatever fell due while the app was down, then scan periodically."""
        await self.arm_schedules()
        await self._tick()
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(self._tick, IntervalTrigger(seconds=self.interval),
                          id="timers", max_instances=1, coalesce=True)
        scheduler.add_job(self.arm_schedules, IntervalTrigger(seconds=self.arm_every),
                          id="recurring", max_instances=1, coalesce=True)
        scheduler.add_job(self.purge, IntervalTrigger(hours=6), id="purge",
                          max_instances=1, coalesce=True)
        scheduler.start()
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
