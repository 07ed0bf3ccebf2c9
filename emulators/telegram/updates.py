"""The bot's queue of pending updates, with Telegram's ``offset`` and ``allowed_updates`` rules.

An update stays pending until it is confirmed: by ``getUpdates`` with an offset higher
than its ``update_id`` (a negative offset keeps only the last ``-offset`` updates), by a
2xx webhook answer, or by ``drop_pending_updates``.  Update types the bot did not ask for
(``allowed_updates``) are not queued at all; the choice applies to updates created after
it, as on Telegram.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
"""Update types Telegram only sends when explicitly listed in ``allowed_updates``."""


@dataclass(frozen=True)
class PendingUpdate:
    """One queued update."""

    update_id: int
    kind: str
    payload: dict[str, Any]

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: copy.deepcopy(self.payload)}


class UpdateQueue:
    """Pending updates in ``update_id`` order."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._next_id = first_update_id
        self._pending: list[PendingUpdate] = []
        self.allowed: frozenset[str] | None = None
        """Update types the bot asked for; None means Telegram's default set."""
        self.dropped_by_filter = 0

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def next_update_id(self) -> int:
        return self._next_id

    def accepts(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def set_allowed(self, kinds: list[str] | None) -> None:
        """Remember ``allowed_updates``; an empty list means the default set."""
        self.allowed = frozenset(kinds) if kinds else None

    def push(self, kind: str, payload: dict[str, Any]) -> PendingUpdate | None:
        """Queue an update; returns it, or None when the bot does not receive this kind."""
        update_id = self._next_id
        self._next_id += 1
        if not self.accepts(kind):
            self.dropped_by_filter += 1
            return None
        update = PendingUpdate(update_id, kind, copy.deepcopy(payload))
        self._pending.append(update)
        return update

    def confirm(self, offset: int) -> None:
        """Apply a getUpdates ``offset``: forget what the bot has confirmed."""
        if offset > 0:
            self._pending = [u for u in self._pending if u.update_id >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def confirm_one(self, update_id: int) -> None:
        """Forget one update (delivered by webhook)."""
        self._pending = [u for u in self._pending if u.update_id != update_id]

    def peek(self, limit: int = 100) -> list[PendingUpdate]:
        return self._pending[:limit]

    def clear(self) -> None:
        self._pending.clear()
