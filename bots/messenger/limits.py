"""A request-rate limit kept on our side (VK: 20 requests/s per community token), so the
sender waits for a free slot instead of provoking the platform's "too many requests"."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class RequestRate:
    def __init__(self, per_second: float, margin: float = 0.01, window: float = 1.0) -> None:
        self.per_second = per_second  # requests per window (a second unless told)
        self.margin = margin
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request fits in the last window, and count it."""
        if self.per_second <= 0:
            return
        limit = max(int(self.per_second), 1)
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                if len(self._sent) < limit:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + self.window + self.margin - now)
