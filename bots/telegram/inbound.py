"""Feeding Telegram updates to the routers so that nothing is lost: each update runs through
the dispatcher and its command commits together with the update's id; only then does the
caller confirm it to Telegram (next getUpdates offset, or webhook 200). An update whose
handler crashes is parked in the database with the error, visible and retryable.

A getUpdates batch is first handled set-based (`process_batch`, `storage.write_behind`): the
same routers and core handlers, but the batch's contacts and tickets are read in a few
queries, every command's writes are kept in memory, and all of it is written and committed
at the end, a statement per table. If anything goes wrong there (a handler's error, a ticket
changed by someone else meanwhile, a write that cannot be undone), nothing of it stays, and
the batch goes the careful way: one transaction, each update in a savepoint of its own, so a
failing update is rolled back and parked without touching the others. If that cannot be
committed either, its updates are processed one by one, each in its own transaction; an
update recorded already is recognised and skipped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update, User

from core.errors import AlreadyHandled
from core.outbox import InboundRef
from core.people import Identity
from storage.delivery import ParkedUpdates
from storage.uow import batch, step

log = logging.getLogger(__name__)


class UpdateProcessor:
    def __init__(self, dispatcher: Dispatcher, bot: Bot,
                 parked: ParkedUpdates | None = None, write_behind: bool = True) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.parked = parked or ParkedUpdates()
        self.processed = 0
        self.batches = 0  # batches of several updates committed in one transaction
        self.write_behind = write_behind
        self.written_behind = 0  # ... of which were handled set-based

    async def _process_write_behind(self, updates: Sequence[Update]) -> None:
        """The whole batch in one go (`storage.write_behind`): its updates recorded, their
        senders and current tickets read, in a few statements; every command's writes kept
        in memory and written at the end, a statement per table. Any failure, a command
        rolling back what reached the database, or a ticket changed meanwhile raises: the
        caller then takes the updates one by one, each in its savepoint, and parks a bad one."""
        async with batch(write_behind=True) as wb:
            assert wb is not None
            wb.block = len(updates)  # PostgreSQL ids reserved at once: about what it needs
            refs = [InboundRef("telegram", str(u.update_id)) for u in updates]
            before = await wb.handled_before(refs)
            await wb.preload([Identity("telegram", str(user.id)) for u in updates
                              if (user := _sender(u)) is not None])
            for update, source in zip(updates, refs, strict=True):
                if source in before:
                    log.info("telegram update %s was handled before; skipped", update.update_id)
                    continue
                await self.dispatcher.feed_update(self.bot, update, source=source)
                if wb.poisoned:
                    raise RuntimeError(f"update {update.update_id} rolled back part of its work")

    async def process_batch(self, updates: Sequence[Update]) -> None:
        """Process and commit the updates together; when this returns, all are durable."""
        if self.write_behind:
            try:
                await self._process_write_behind(updates)
                self.processed += len(updates)
                self.batches += 1
                self.written_behind += 1
                return
            except Exception as exc:  # noqa: BLE001 - the careful way below says what failed
                log.warning("a batch of %d telegram updates goes again update by update (%s: %s)",
                         len(updates), type(exc).__name__, exc)
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

    async def parse_raw(self, payload: Any) -> Update | None:
        """A webhook body as an update; what cannot be parsed is parked (None), not lost."""
        try:
            return Update.model_validate(payload, context={"bot": self.bot})
        except Exception as exc:
            update_id = payload.get("update_id") if isinstance(payload, dict) else None
            log.error("unparseable telegram update %s: %s", update_id, exc)
            await self.parked.park("telegram", f"raw:{update_id}", payload if isinstance(
                payload, dict) else {"raw": str(payload)[:10000]}, f"parse error: {exc}")
            return None


def _sender(update: Update) -> User | None:
    event = update.message or update.edited_message or update.callback_query
    return event.from_user if event is not None else None
