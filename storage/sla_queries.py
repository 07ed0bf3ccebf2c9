"""Read-side SLA lists for /queue, the dashboard and the panel (docs/DOMAIN.md §4.6, §9.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q

from storage import models as m


@dataclass(frozen=True)
class OverdueTicket:
    id: int
    subject: str
    status: str
    responsible_id: int | None
    target: str  # reaction or resolution: the earlier deadline missed
    due_at: datetime


async def overdue_tickets(now: datetime, limit: int = 100) -> list[OverdueTicket]:
    """Tickets past a deadline whose SLA clock is running (an open-state status that does not
    pause it): the reaction not yet met, or the resolution; the longest overdue first."""
    now = now.astimezone(UTC)  # SQLite compares stored UTC text with the parameter's
    running = await m.StatusRow.filter(state="open", pauses_sla=False).values_list(
        "code", flat=True)
    late_reaction = Q(reacted_at__isnull=True, planned_reaction_at__lt=now)
    rows = await m.TicketRow.filter(
        late_reaction | Q(planned_resolution_at__lt=now), status__in=list(running))
    found = []
    for row in rows:
        missed = []
        if row.reacted_at is None and row.planned_reaction_at and row.planned_reaction_at < now:
            missed.append(("reaction", row.planned_reaction_at))
        if row.planned_resolution_at and row.planned_resolution_at < now:
            missed.append(("resolution", row.planned_resolution_at))
        target, due = min(missed, key=lambda x: x[1])
        found.append(OverdueTicket(row.id, row.subject, row.status, row.responsible_id,
                                   target, due))
    return sorted(found, key=lambda t: (t.due_at, t.id))[:limit]
