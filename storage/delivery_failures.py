"""Messages that did not reach a ticket's client, and putting one back in the outbox queue
when an agent asks to retry it (the relay picks it up on its next read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import models as m
from storage.uow import transaction


@dataclass(frozen=True)
class FailedDelivery:
    id: int
    """The outbox row."""
    channel: str
    kind: str
    comment_id: int | None
    error: str
    created_at: datetime


async def failed_deliveries(ticket_id: int) -> list[FailedDelivery]:
    """The ticket's messages to its client that failed for good, oldest first."""
    rows = await m.OutboxRow.filter(ticket_id=ticket_id, audience="client",
                                    state="failed").order_by("id")
    return [FailedDelivery(r.id, r.channel, r.kind, r.comment_id, r.last_error or "",
                           r.created_at) for r in rows]


async def retry_delivery(ticket_id: int, message_id: int, now: datetime) -> bool:
    """Queue a failed message of this ticket again from scratch, and its comment's delivery
    with it; False when there is no such failed message (retried already, or another
    ticket's)."""
    async with transaction():
        row = await m.OutboxRow.filter(id=message_id, ticket_id=ticket_id, audience="client",
                                       state="failed").select_for_update().first()
        if row is None:
            return False
        await m.OutboxRow.filter(id=row.id).update(state="pending", attempts=0,
                                                   next_attempt_at=now, last_error=None)
        if row.comment_id:
            await m.CommentRow.filter(id=row.comment_id, delivery="failed").update(
                delivery="pending")
    return True
