"""The channels page's table of the agents' Telegram forums: how full each one is (Telegram
loses the old topics of a forum past about a million messages), the posts waiting for it,
and how long the last of them will wait at its budget of 20 posts a minute."""

from __future__ import annotations

import math
from dataclasses import dataclass

from admin_web.config import ChannelInfo
from storage.forum_views import forum_backlog, forum_counts

WARN_SHARE = 0.8
POSTS_PER_MINUTE = 20  # Telegram's limit for a bot in one group


@dataclass(frozen=True)
class ForumRow:
    chat_id: int
    messages: int
    capacity: int
    backlog: int

    @property
    def share(self) -> int:
        return math.floor(100 * self.messages / self.capacity) if self.capacity else 0

    @property
    def filling(self) -> bool:
        return self.messages >= WARN_SHARE * self.capacity

    @property
    def delay_seconds(self) -> int:
        """At most this long until the last waiting post is visible (merging client
        messages makes it shorter)."""
        return math.ceil(self.backlog * 60 / POSTS_PER_MINUTE)


def _configured(channels: tuple[ChannelInfo, ...]) -> list[int]:
    telegram = next((c for c in channels if c.name == "telegram" and c.enabled), None)
    if telegram is None:
        return []
    found = []
    for key in ("agent_chat_id", "line2_chat_id"):
        value = telegram.details.get(key, "")
        if value.lstrip("-").isdigit():
            found.append(int(value))
    return found


async def forums(channels: tuple[ChannelInfo, ...]) -> list[ForumRow]:
    counts, backlog = await forum_counts(), await forum_backlog()
    configured = _configured(channels)
    chats = list(dict.fromkeys([*configured, *sorted(counts)]))
    unplaced = backlog.get(None, 0)  # new tickets' first posts go to the agents' forum
    rows = []
    for index, chat in enumerate(chats):
        count = counts.get(chat, {})
        waiting = backlog.get(chat, 0) + (unplaced if index == 0 and configured else 0)
        rows.append(ForumRow(chat, int(count.get("count", 0)),
                             int(count.get("capacity", 1_000_000)), waiting))
    return rows
