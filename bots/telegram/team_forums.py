"""Team forums: an employee group may have its own agents' supergroup (set on the panel's
employees page, kept in the database), where its tickets' topics live, with its own budget
of 20 posts a minute. The map is read again every few seconds, so a change in the panel
reaches the sender and the agents' handlers without a restart."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from storage.forum_views import group_forums

Read = Callable[[], Awaitable[dict[int, int]]]


class TeamForums:
    ttl = 5.0  # seconds a read of the map is used

    def __init__(self, read: Read = group_forums,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read, self._clock = read, clock
        self._map: dict[int, int] = {}
        self._chats: frozenset[int] = frozenset()
        self._read_at = -float("inf")

    async def by_group(self) -> dict[int, int]:
        """Group id -> its forum's chat id."""
        if self._clock() - self._read_at >= self.ttl:
            self._map = await self._read()
            self._chats = frozenset(self._map.values())
            self._read_at = self._clock()
        return self._map

    async def is_forum(self, chat_id: int) -> bool:
        await self.by_group()
        return chat_id in self._chats

    def forget(self) -> None:
        """Read the map again at the next use (after a change made in this process)."""
        self._read_at = -float("inf")
