"""Feeding Telegram updates to the routers so that nothing is lost: each update runs through
the dispatcher and its command commits together with the update's id; only then does the
caller confirm it to Telegram (next getUpdates offset, or webhook 200). An update whose
handler crashes is parked in the database with the error, visible and retryable."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from core.errors import AlreadyHandled
from core.outbox import InboundRef
from storage.delivery import ParkedUpdates

log = logging.getLogger(__name__)


class UpdateProcessor:
    def __init__(self, dispatcher: Dispatcher, bot: Bot,
                 parked: ParkedUpdates | None = None) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.parked = parked or ParkedUpdates()
        self.processed = 0

    async def process(self, update: Update) -> None:
        source = InboundRef("telegram", str(update.update_id))
        try:
            await self.dispatcher.feed_update(self.bot, update, source=source)
        except AlreadyHandled:
            log.info("telegram update %s was handled before; skipped", update.update_id)
        except Exception as exc:
            log.exception("telegram update %s failed; parked for retry", update.update_id)
            await self.parked.park("telegram", str(update.update_id),
                                   update.model_dump(mode="json", exclude_none=True),
                                   f"{type(exc).__name__}: {exc}")
        self.processed += 1

    async def process_raw(self, payload: Any) -> None:
        """A webhook body: parse it, and park what cannot be parsed instead of failing."""
        try:
            update = Update.model_validate(payload, context={"bot": self.bot})
        except Exception as exc:
            update_id = payload.get("update_id") if isinstance(payload, dict) else None
            log.error("unparseable telegram update %s: %s", update_id, exc)
            await self.parked.park("telegram", f"raw:{update_id}", payload if isinstance(
                payload, dict) else {"raw": str(payload)[:10000]}, f"parse error: {exc}")
            return
        await self.process(update)
