"""Bots Long Poll mode (VK_MODE=longpoll): vk-api's long-poll client asks VK for events
(renewing the key on `failed` 2, key and ts on 3, taking the new ts on 1); each event is
committed before the position (`ts`) is stored in the database, so a restart resumes where
it stopped and a re-fetched event is recognised by its event_id. An event that keeps
crashing is parked after a few tries and the poller moves on."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import requests
from vk_api.bot_longpoll import VkBotLongPoll
from vk_api.exceptions import ApiError

from bots.vk.api import VkClient
from bots.vk.events import CHANNEL, VkEvents
from storage.messenger_state import MessengerState

log = logging.getLogger(__name__)

TRIES_PER_EVENT = 3


class VkLongPoller:
    def __init__(self, client: VkClient, events: VkEvents, state: MessengerState | None = None,
                 wait: int = 25, retry_pause: float = 1.0) -> None:
        self.client = client
        self.events = events
        self.state = state or MessengerState()
        self.wait = wait
        self.retry_pause = retry_pause
        self.key = f"longpoll_ts:{client.config.group_id}"
        self.polls = 0
        self.connected = asyncio.Event()  # VK sends what happens from then on

    async def run(self) -> None:
        poll = await self._connect()
        self.connected.set()
        delay = 1.0
        while True:
            try:
                async with asyncio.timeout(self.wait + 20):
                    events = await asyncio.to_thread(poll.check)
            except (requests.RequestException, ApiError, TimeoutError, ValueError) as exc:
                log.warning("vk long poll failed (%s: %s); retry in %.0f s",
                            type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
                continue
            delay = 1.0
            self.polls += 1
            for event in events:
                await self._handle(event.raw)
            await self.state.put(CHANNEL, self.key, {"ts": str(poll.ts)})

    async def _connect(self) -> VkBotLongPoll:
        delay = 1.0
        while True:
            try:
                poll = await asyncio.to_thread(
                    VkBotLongPoll, self.client.vk, self.client.config.group_id, self.wait)
                break
            except (requests.RequestException, ApiError, TimeoutError) as exc:
                log.warning("vk getLongPollServer failed (%s); retry in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
        stored = await self.state.get(CHANNEL, self.key)
        if stored and stored.get("ts"):
            poll.ts = stored["ts"]  # resume where the last run stopped
        return poll

    async def _handle(self, event: dict[str, Any]) -> None:
        for attempt in range(1, TRIES_PER_EVENT + 1):
            if await self.events.process(event):
                return
            if attempt < TRIES_PER_EVENT:
                await asyncio.sleep(self.retry_pause * attempt)
        log.error("vk event %s keeps failing; it stays parked", event.get("event_id"))
