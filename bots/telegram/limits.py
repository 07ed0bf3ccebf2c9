"""Telegram's flood limits kept on our side: a sender waits for a free slot instead of
provoking 429 answers (about 1 message/s per chat with a small burst, 20 messages/min per
group, 30 messages/s overall).

A group's budget goes first to the most urgent waiter: `priority` 0 (what clients wrote)
before 1 (cards and the team's notices) before 2 (topic titles), so under load what agents
look at is posted first and the rest waits."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class TelegramLimits:
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_per_minute: int = 20
    global_per_second: int = 30
    enabled: bool = True
    # A request still in flight after this long is dated by its start (a caller that
    # used acquire() without release() must not block the chat for ever).
    inflight_timeout: float = 60.0
    margin: float = 0.01  # seconds added to every window against clock rounding

    @classmethod
    def off(cls) -> TelegramLimits:
        return cls(enabled=False)


@dataclass(eq=False)
class Slot:
    """One message counted against the limits. It is dated by the end of its request:
    Telegram counted it somewhere in between, so dating it later never undercounts."""

    chat_id: int
    at: float
    done: bool = False


@dataclass
class _Window:
    """At most `limit` slots within any `span` seconds."""

    limit: int
    span: float
    slots: list[Slot] = field(default_factory=list)

    def wait(self, now: float, inflight_timeout: float) -> tuple[float, bool]:
        """Seconds until one more slot fits, and whether a request in flight holds it."""
        kept: list[Slot] = []
        dated: list[tuple[float, bool]] = []
        for slot in self.slots:
            inflight = not slot.done and now - slot.at < inflight_timeout
            at = now if inflight else slot.at
            if at > now - self.span:
                kept.append(slot)
                dated.append((at, inflight))
        self.slots = kept
        if len(dated) < self.limit:
            return 0.0, False
        dated.sort()
        at, inflight = dated[len(dated) - self.limit]
        return max(at + self.span - now, 0.0), inflight


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """`await acquire(chat_id)` (or `async with slot(chat_id)`) waits until a message to
    that chat keeps every limit. Negative chat ids are groups. `clock` and `sleep` run in
    the same (possibly compressed) seconds; see `compressed()`."""

    def __init__(self, limits: TelegramLimits | None = None, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits or TelegramLimits()
        self._clock = clock
        self._sleep = sleep
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}
        self._global = _Window(self.limits.global_per_second, 1.0 + self.limits.margin)
        self._paused: dict[int, float] = {}
        self._released = asyncio.Event()
        self._waiting: dict[int, Counter[int]] = {}  # group -> waiters by priority
        self._spent_at: float | None = None  # see assume_spent
        self.time_scale = 1.0  # limiter seconds per real second (compressed())
        self.waited = 0.0  # seconds spent waiting, for the benchmark

    @classmethod
    def compressed(cls, limits: TelegramLimits | None = None,
                   time_scale: float = 1.0) -> RateLimiter:
        """Limits in emulated seconds that run `time_scale` times faster than real ones. A
        request's time in flight is not compressed: `inflight_timeout` stays in real time."""
        limits = limits or TelegramLimits()
        limits = replace(limits, inflight_timeout=limits.inflight_timeout * time_scale)

        async def sleep(seconds: float) -> None:
            await asyncio.sleep(seconds / time_scale)

        limiter = cls(limits, clock=lambda: time.monotonic() * time_scale, sleep=sleep)
        limiter.time_scale = time_scale
        return limiter

    def assume_spent(self, seconds_ago: float = 0.0) -> None:
        """Count every window as full up to `seconds_ago` real seconds ago: another sender
        (a leader that died or stopped) may have used the budgets until then, and Telegram
        counts what it sent. A minute later a group's window is free again."""
        self._spent_at = self.now() - seconds_ago * self.time_scale
        for window in [self._global, *self._chats.values(), *self._groups.values()]:
            self._fill(window)

    def _fill(self, window: _Window) -> None:
        if self._spent_at is not None:
            window.slots += [Slot(0, self._spent_at, done=True) for _ in range(window.limit)]

    def now(self) -> float:
        return self._clock()

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 for this chat: send nothing there for `seconds`."""
        until = self.now() + seconds
        self._paused[chat_id] = max(self._paused.get(chat_id, until), until)

    def _windows(self, chat_id: int) -> list[_Window]:
        lim = self.limits
        burst = max(lim.per_chat_burst, 1)
        if chat_id not in self._chats:
            self._fill(chat := _Window(burst, burst / lim.per_chat_per_second + lim.margin))
            self._chats[chat_id] = chat
        windows = [self._chats[chat_id], self._global]
        if chat_id < 0:
            if chat_id not in self._groups:
                self._fill(group := _Window(lim.per_group_per_minute, 60.0 + lim.margin))
                self._groups[chat_id] = group
            windows.append(self._groups[chat_id])
        return windows

    def _wait(self, chat_id: int, now: float) -> tuple[float, bool]:
        wait = max(self._paused.get(chat_id, now) - now, 0.0)
        inflight = False
        for window in self._windows(chat_id):
            seconds, held = window.wait(now, self.limits.inflight_timeout)
            if seconds > wait:
                wait, inflight = seconds, held
        return wait, inflight

    async def acquire(self, chat_id: int, priority: int = 0) -> Slot:
        """Wait for a slot and take it; `release()` it when the request is answered. In a
        group, a waiter lets any more urgent one (lower `priority`) go first."""
        if not self.limits.enabled:
            return Slot(chat_id, self.now(), done=True)
        waiting = self._waiting.setdefault(chat_id, Counter()) if chat_id < 0 else None
        if waiting is not None:
            waiting[priority] += 1
        try:
            while True:
                now = self.now()
                wait, inflight = self._wait(chat_id, now)
                if wait <= 0 and not self._overtaken(waiting, priority):
                    slot = Slot(chat_id, now)
                    for window in self._windows(chat_id):
                        window.slots.append(slot)
                    return slot
                if wait <= 0:  # a more urgent waiter takes this one: look again once it has
                    wait, inflight = 1.0, True
                await self._pause_for(wait, wake_on_release=inflight)
                self.waited += self.now() - now
        finally:
            if waiting is not None:
                waiting[priority] -= 1
                self._wake()

    @staticmethod
    def _overtaken(waiting: Counter[int] | None, priority: int) -> bool:
        return waiting is not None and any(
            n > 0 for level, n in waiting.items() if level < priority)

    def estimate(self, chat_id: int) -> tuple[float, int, int]:
        """Seconds until a message to the chat would fit, how many wait for it now, and
        how many of the group's window it has used (to choose the least busy bot)."""
        if not self.limits.enabled:
            return 0.0, 0, 0
        wait = self._wait(chat_id, self.now())[0]
        group = self._groups.get(chat_id)
        return wait, self.load(chat_id), len(group.slots) if group else 0

    def load(self, chat_id: int) -> int:
        """How many senders wait for the group's budget now."""
        return sum(self._waiting.get(chat_id, Counter()).values())

    def release(self, slot: Slot) -> None:
        if slot.done:
            return
        slot.at, slot.done = self.now(), True
        self._wake()

    def _wake(self) -> None:
        released, self._released = self._released, asyncio.Event()
        released.set()

    @asynccontextmanager
    async def slot(self, chat_id: int, priority: int = 0) -> AsyncIterator[Slot]:
        taken = await self.acquire(chat_id, priority)
        try:
            yield taken
        finally:
            self.release(taken)

    async def _pause_for(self, seconds: float, *, wake_on_release: bool) -> None:
        if not wake_on_release:
            await self._sleep(seconds)
            return
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        released = asyncio.ensure_future(self._released.wait())
        try:
            await asyncio.wait({sleeper, released}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, released):
                task.cancel()
            await asyncio.gather(sleeper, released, return_exceptions=True)
