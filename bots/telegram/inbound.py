"""Feeding Telegram updates to the routers so that nothing is lost: each update runs through
the dispatcher and its command commits together with the update's id; only then does the
caller confirm it to Telegram (next getUpdates offset, or webhook 200). An update whose
handler crashes is parked in the database with the error, visible and retryable.

Whatever one update causes (its command, the answers to it, its record) commits in one
transaction. A getUpdates batch is committed as one transaction (`process_batch`), each
update in a savepoint of its own: a failing update is rolled back and parked without touching
the others. If the batch cannot be committed at all, its updates are processed again one by
one, each in its own transaction; an update recorded already is recognised and skipped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from core.errors import AlreadyHandled
from core.outbox import InboundRef
from storage.delivery import ParkedUpdates
from storage.uow import batch, step

log = logging.getLogger(__name__)


class UpdateProcessor:
    def __init__(self, dispatcher: Dispatcher, bot: Bot,
                 parked: ParkedUpdates | None = None) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.parked = parked or ParkedUpdates()
        self.processed = 0
        self.batches = 0  # batches of several updates committed in one transaction

    async def process_batch(self, updates: Sequence[Update]) -> None:
        """Process and commit the updates together; when this returns, all are durable."""
        if len(updates) > 1:
            try:
                async with batch():
                    for update in updates:
                        await self._process(update)
                self.processed += len(updates)
                self.batches += 1
                return
            except Exception:
                log.exception("a batch of %d telegram updates could not be committed; "
                              "processing them one by one", len(updates))
        for update in updates:
            await self.process(update)

    async def process(self, update: Update) -> None:
        """One update in one transaction: its command, its answers and its record."""
        async with batch():
            await self._process(update)
        self.processed += 1

    async def _process(self, update: Update) -> None:
        source = InboundRef("telegram", str(update.update_id))
        try:
            async with step():
                await self.dispatcher.feed_update(self.bot, update, source=source)
        except AlreadyHandled:
            log.info("telegram update %s was handled before; skipped", update.update_id)
        except Exception as exc:
            log.exception("telegram update %s failed; parked for retry", update.update_id)
            await self.parked.park("telegram", str(update.update_id),
                                   update.model_dump(mode="json", exclude_none=True),
                                   f"{type(exc).__name__}: {exc}")

    async def retry_parked(self) -> int:
        """Updates an earlier run parked go through once more, at the start of this one: the
        usual cause is a bug fixed since. Each is taken off the parked list in the same
        transaction that handles it, so a crash in between keeps it parked; one that fails
        again is parked again. Returns how many were handled this time."""
        handled = 0
        for external_id, payload in await self.parked.payloads("telegram"):
            try:
                update = Update.model_validate(payload, context={"bot": self.bot})
            except Exception:  # noqa: BLE001 - still unreadable: it stays parked
                continue
            source = InboundRef("telegram", str(update.update_id))
            try:
                async with batch():
                    await self.parked.take("telegram", external_id)
                    async with step():
                        await self.dispatcher.feed_update(self.bot, update, source=source)
                handled += 1
            except Exception as exc:
                log.warning("parked telegram update %s failed again: %s", external_id, exc)
                await self.parked.park("telegram", external_id, payload,
                                       f"{type(exc).__name__}: {exc}")
        if handled:
            log.info("%d parked telegram update(s) handled", handled)
        return handled

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
