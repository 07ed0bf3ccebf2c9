"""How full each agents' forum is. A supergroup numbers its messages one after another, so
the newest message id the bot sees there is the forum's message count; Telegram stops
finding the old topics of a forum past about a million messages (tdlib/telegram-bot-api
#596, #693). The count is kept in the database every `step` messages; at `warn_share` of
the capacity the administrators are told once, in the forum's general topic (through the
outbox) and on the panel's channels page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from core.outbox import Audience, OutboundMessage
from core.ports import Clock
from storage.delivery import OutboxStore
from storage.forum_views import CAPACITY, PREFIX
from storage.messenger_state import MessengerState

log = logging.getLogger(__name__)

WARN_SHARE = 0.8


@dataclass
class Forum:
    chat_id: int
    count: int = 0
    saved: int = 0
    warned: bool = False


class ForumGauge:
    def __init__(self, capacity: int = CAPACITY, step: int = 1000,
                 state: MessengerState | None = None, outbox: OutboxStore | None = None,
                 clock: Clock | None = None) -> None:
        self.capacity, self.step, self.clock = capacity, step, clock
        self.state = state or MessengerState()
        self.outbox = outbox or OutboxStore()
        self._forums: dict[int, Forum] = {}

    @property
    def threshold(self) -> int:
        return int(self.capacity * WARN_SHARE)

    def count(self, chat_id: int) -> int:
        forum = self._forums.get(chat_id)
        return forum.count if forum else 0

    async def saw(self, chat_id: int, message_id: int) -> None:
        """The bot posted (or read) message `message_id` in the group `chat_id`."""
        forum = self._forums.get(chat_id)
        if forum is None:
            forum = self._forums[chat_id] = await self._load(chat_id)
        if message_id <= forum.count:
            return
        forum.count = message_id
        warn = not forum.warned and message_id >= self.threshold
        if warn or not forum.saved or message_id // self.step > forum.saved // self.step:
            if warn:
                forum.warned = True
                await self.outbox.add([OutboundMessage(
                    "telegram", Audience.AGENTS, "forum_filling", 0,
                    self.clock.now() if self.clock else datetime.now(UTC),
                    payload={"chat_id": chat_id, "count": message_id,
                             "capacity": self.capacity})])
                log.warning("the forum %d has %d messages of %d", chat_id, message_id,
                            self.capacity)
            forum.saved = message_id
            await self.state.put("telegram", f"{PREFIX}{chat_id}", {
                "count": message_id, "warned": forum.warned, "capacity": self.capacity})

    async def _load(self, chat_id: int) -> Forum:
        value = await self.state.get("telegram", f"{PREFIX}{chat_id}") or {}
        count = int(value.get("count") or 0)
        return Forum(chat_id, count, count, bool(value.get("warned")))
