"""Telegram's flood limits for bots, with a configurable, injectable clock.

Telegram asks bots to stay under about one message per second in a chat (short bursts
are tolerated), 20 messages per minute in a group and 30 messages per second overall,
and answers ``429 Too Many Requests: retry after N`` beyond that.  :class:`RateLimiter`
enforces the three limits; ``RateLimits.time_scale`` lets tests run emulated time faster
than real time (``time_scale=60`` makes a minute last one real second).  ``retry_after``
is reported in emulated seconds, as Telegram would report it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

_EPSILON = 1e-6  # clock rounding tolerance (emulated seconds)


@dataclass(frozen=True)
class RateLimits:
    """Flood-limit configuration (defaults are Telegram's documented limits)."""

    enabled: bool = True
    per_chat_per_second: float = 1.0
    """Sustained messages per second in one chat."""
    per_chat_burst: int = 3
    """Messages a chat may receive at once before the per-second rate applies."""
    per_group_per_minute: int = 20
    """Messages per minute in one group or supergroup."""
    global_per_second: int = 30
    """Messages per second over all chats."""
    time_scale: float = 1.0
    """Emulated seconds per real second."""

    @classmethod
    def off(cls) -> RateLimits:
        """No flood limits at all."""
        return cls(enabled=False)

    def scaled(self, time_scale: float) -> RateLimits:
        """The same limits with emulated time running ``time_scale`` times faster."""
        return replace(self, time_scale=time_scale)


class RateLimiter:
    """Applies :class:`RateLimits` to message-posting calls.

    ``clock`` returns real seconds (monotonic); it is multiplied by ``time_scale``.
    """

    def __init__(
        self, limits: RateLimits | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self._clock = clock or time.monotonic
        self._limits = limits or RateLimits()
        self._origin_real = self._clock()
        self._origin_emulated = 0.0
        # by (bot, chat): each bot token has its own limits (the Bot FAQ's "your bot")
        self._buckets: dict[tuple[int, int], tuple[float, float]] = {}  # -> (tokens, at)
        self._group_window: dict[tuple[int, int], deque[float]] = {}
        self._global_windows: dict[int, deque[float]] = {}
        self.rejected = 0
        """How many calls were refused with 429."""

    @property
    def limits(self) -> RateLimits:
        return self._limits

    @limits.setter
    def limits(self, limits: RateLimits) -> None:
        self._origin_emulated = self.now()  # keep emulated time continuous
        self._origin_real = self._clock()
        self._limits = limits

    def now(self) -> float:
        """Current emulated time in seconds."""
        elapsed = self._clock() - self._origin_real
        return self._origin_emulated + elapsed * self._limits.time_scale

    def reset(self) -> None:
        """Forget all past traffic (the 429 counter is kept)."""
        self._buckets.clear()
        self._group_window.clear()
        self._global_windows.clear()

    def acquire(self, chat_id: int, *, is_group: bool, bot_id: int = 0) -> int | None:
        """Count one message of bot ``bot_id`` into ``chat_id``.

        Returns None when allowed, otherwise the ``retry_after`` seconds to report
        (and nothing is counted).
        """
        lim = self._limits
        if not lim.enabled:
            return None
        now = self.now()
        waits: list[float] = []

        capacity = float(max(lim.per_chat_burst, 1))
        key = (bot_id, chat_id)
        tokens, at = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - at) * lim.per_chat_per_second)
        if tokens < 1.0 - _EPSILON:
            waits.append((1.0 - tokens) / lim.per_chat_per_second)

        window: deque[float] | None = None
        if is_group:
            window = self._group_window.setdefault(key, deque())
            _expire(window, now - 60.0 + _EPSILON)
            if len(window) >= lim.per_group_per_minute:
                waits.append(window[len(window) - lim.per_group_per_minute] + 60.0 - now)

        overall = self._global_windows.setdefault(bot_id, deque())
        _expire(overall, now - 1.0 + _EPSILON)
        if len(overall) >= lim.global_per_second:
            index = len(overall) - lim.global_per_second
            waits.append(overall[index] + 1.0 - now)

        if waits:
            self.rejected += 1
            return max(1, math.ceil(max(waits) - _EPSILON))
        self._buckets[key] = (max(tokens - 1.0, 0.0), now)
        if window is not None:
            window.append(now)
        overall.append(now)
        return None


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()
