"""Which of the instances on one database leads: the one holding the lease (storage/
leadership.py) runs the workers that must run once; the others stand by, serving the
panel, the API and the webhooks, and take the lease over within `lease_seconds` when the
leader dies or stops.

The lease is renewed every third of its length. A leader that cannot renew it (the database
is away) stops leading when its lease would run out by its own clock, counted from before
the last renewal was asked for: it never leads a moment after another may have taken over."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage.leadership import Fence, Lease, LeaseStore, Taken

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Takeover:
    """What a new leader knows of the one before: a sender assumes that one spent its
    rate budgets until `spent_seconds_ago` seconds ago (it may have sent until its lease
    ran out)."""

    previous_holder: str
    spent_seconds_ago: float | None  # None: no one led in the last minutes

    @property
    def recent(self) -> bool:
        return self.spent_seconds_ago is not None


QUIET_AFTER = 120.0  # seconds: a lease that ran out longer ago than this left no budget spent


def takeover_from(taken: Taken) -> Takeover:
    previous = taken.previous
    if previous is None or not previous.holder:
        return Takeover("", None)
    ago = max(previous.now - min(previous.expires_at, previous.now), 0.0)
    return Takeover(previous.holder, ago if ago < QUIET_AFTER else None)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


Lead = Callable[[Takeover], Awaitable[None]]
Follow = Callable[[], Awaitable[None]]


class Leadership:
    """`run(lead, follow)` calls `lead` when this instance becomes the leader and `follow`
    when it stops being it; `exclusive` takes the lease at once (SQLite: the database file's
    lock already proves no other instance runs)."""

    def __init__(self, lease_seconds: float = 10.0, *, store: LeaseStore | None = None,
                 holder: str | None = None, exclusive: bool = False) -> None:
        self.lease_seconds = lease_seconds
        self.store = store or LeaseStore()
        self.holder = holder or instance_name()
        self.exclusive = exclusive
        self.token = 0
        self.leading = False
        self.seen: Lease | None = None  # the lease as last read
        self._valid_until = 0.0  # monotonic: when this instance's lease runs out
        self.changes = asyncio.Event()  # set at every change of role (tests wait on it)

    @property
    def role(self) -> str:
        return "leader" if self.leading else "standby"

    def fence(self) -> Fence | None:
        """The credentials an outbox claim checks, while this instance leads."""
        if self.leading and time.monotonic() < self._valid_until:
            return Fence(self.holder, self.token)
        return None

    @property
    def renew_every(self) -> float:
        return self.lease_seconds / 3

    async def run(self, lead: Lead, follow: Follow) -> None:
        try:
            while True:
                await self._look(lead, follow)
                await asyncio.sleep(self._next_look())
        finally:
            if self.leading:
                await self._step_down(follow, release=True)

    def _next_look(self) -> float:
        """A leader renews every third of the lease (sooner if it would run out first); a
        standby looks again then too, or as soon as the leader's lease runs out, so that it
        takes over at most `lease_seconds` after the leader's last renewal."""
        wait = self.renew_every
        if self.leading:
            return min(wait, max(self._valid_until - time.monotonic(), 0.0))
        if self.seen is not None and self.seen.live:
            wait = min(wait, self.seen.expires_at - self.seen.now + 0.05)
        return wait

    async def _look(self, lead: Lead, follow: Follow) -> None:
        asked = time.monotonic()
        try:
            async with asyncio.timeout(self.lease_seconds / 2):
                taken = await self.store.take(self.holder, self.lease_seconds,
                                              force=self.exclusive and not self.leading)
        except Exception as exc:  # the database is away: lead on only while the lease lasts
            log.warning("the leader's lease could not be read (%s: %s)", type(exc).__name__,
                        exc)
            if self.leading and time.monotonic() >= self._valid_until:
                log.error("the lease ran out without a renewal: standing by")
                await self._step_down(follow, release=False)
            return
        self.seen = taken.lease
        if not taken.mine:
            if self.leading:
                log.error("another instance (%s) took the lease: standing by",
                          taken.lease.holder)
                await self._step_down(follow, release=False)
            return
        self._valid_until = asked + self.lease_seconds * 0.9  # a margin for clock drift
        if not self.leading or taken.previous is not None:
            if self.leading:  # lost it and got it back in between: start afresh
                await self._step_down(follow, release=False)
            self.token, self.leading = taken.lease.token, True
            takeover = takeover_from(taken)
            log.info("leading (token %d)%s", self.token,
                     f"; taken over from {takeover.previous_holder}"
                     if takeover.previous_holder else "")
            self._changed()
            await lead(takeover)

    async def _step_down(self, follow: Follow, *, release: bool) -> None:
        fence = Fence(self.holder, self.token)
        self.leading = False
        self._changed()
        try:
            await follow()
        finally:
            if release:
                try:
                    await self.store.release(fence)
                except Exception:  # it runs out by itself then
                    log.warning("the lease could not be given back", exc_info=True)

    def _changed(self) -> None:
        self.changes.set()
        self.changes = asyncio.Event()
