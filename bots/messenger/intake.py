"""Taking in one platform event so that nothing is lost and nothing doubles: the event's
command commits together with its id (a re-delivery raises AlreadyHandled and is only
acknowledged); an event whose handling crashes is parked in the database with the error,
visible and retryable, and the caller asks the platform to deliver it again. When it comes
again, the parked copy is taken back and the event runs once more. Everything an event
causes (its command, the answers to it, its record, the parked copy) commits together.
An event that cannot be read is parked and acknowledged: sent again it would fail again."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.errors import AlreadyHandled
from core.outbox import InboundRef
from storage.delivery import ParkedUpdates
from storage.uow import batch, step

log = logging.getLogger(__name__)

SECRET_FIELDS = ("secret",)
MAX_ID = 100  # what the database keeps of an event's or a user's id


def usable_id(value: object) -> str | None:
    """A platform's id of a user as we can keep it: a short printable string, else None
    (the event is not one a real user of the platform could have caused)."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text if 0 < len(text) <= MAX_ID and text.isprintable() else None


def stable_id(external_id: str) -> str:
    """The event's id as the database keeps it: an odd one (too long, control characters)
    becomes a digest of it, so a re-delivery is still recognised."""
    if len(external_id) <= MAX_ID and external_id.isprintable():
        return external_id
    return "sha256:" + hashlib.sha256(external_id.encode(errors="replace")).hexdigest()


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
        source = InboundRef(source.channel, stable_id(source.external_id))
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

    async def malformed(self, source: InboundRef, payload: dict[str, Any],
                        error: Exception) -> bool:
        """An event from the platform that we cannot read: parked with the error to be
        seen, and acknowledged (True): sent again, it would fail the same way, and a
        platform that keeps getting errors stops sending (VK) or retries for an hour
        (Viber)."""
        log.warning("%s event %s is malformed (%s: %s); parked, not retried",
                    source.channel, source.external_id, type(error).__name__, error)
        kept = {k: v for k, v in payload.items() if k not in SECRET_FIELDS}
        await self.parked.park(source.channel, stable_id(source.external_id), kept,
                               f"malformed: {type(error).__name__}: {error}")
        self.processed += 1
        return True
