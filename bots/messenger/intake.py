"""Taking in one platform event so that nothing is lost and nothing doubles: the event's
command commits together with its id (a re-delivery raises AlreadyHandled and is only
acknowledged); an event whose handling crashes is parked in the database with the error,
visible and retryable, and the caller asks the platform to deliver it again. When it comes
again, the parked copy is taken back and the event runs once more. Everything an event
causes (its command, the answers to it, its record, the parked copy) commits together."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.errors import AlreadyHandled
from core.outbox import InboundRef
from storage.delivery import ParkedUpdates
from storage.uow import batch, step

log = logging.getLogger(__name__)

SECRET_FIELDS = ("secret",)


class EventIntake:
    def __init__(self, parked: ParkedUpdates | None = None) -> None:
        self.parked = parked or ParkedUpdates()
        self.processed = 0
        self.failed = 0

    async def run(self, source: InboundRef, payload: dict[str, Any],
                  work: Callable[[InboundRef], Awaitable[None]]) -> bool:
        """True when the event is handled (now or before); False when it crashed and was
        parked: the platform should deliver it again."""
        handled = True
        async with batch():  # the event's command, its answers and its record: one commit
            await self.parked.take(source.channel, source.external_id)
            try:
                async with step():
                    await work(source)
            except AlreadyHandled:
                log.info("%s event %s was handled before; skipped", source.channel,
                         source.external_id)
            except Exception as exc:
                self.failed += 1
                log.exception("%s event %s failed; parked for retry", source.channel,
                              source.external_id)
                kept = {k: v for k, v in payload.items() if k not in SECRET_FIELDS}
                await self.parked.park(source.channel, source.external_id, kept,
                                       f"{type(exc).__name__}: {exc}")
                handled = False
        self.processed += 1
        return handled
