"""What the timer worker keeps outside a command: finding due timers and claiming them, and
the overdue tickets list (§4.6). Claims are conditional UPDATEs, so two workers on one
PostgreSQL database never hold the same timer at once; a claim whose worker died expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F, Q

from storage import models as m
from storage import rule_models as rm


@dataclass(frozen=True)
class Claim:
    timer_id: int
    attempts: int  # including this one


def _utc(value: datetime) -> datetime:
    """SQLite compares stored UTC text with the parameter's text: filter in UTC."""
    return value.astimezone(UTC)


def _claimable(now: datetime) -> Q:
    return Q(state="pending") | Q(state="claimed", lease_until__lt=now)


class TimerStore:
    async def claim_due(self, now: datetime, owner: str, lease: timedelta,
                        limit: int = 100) -> list[Claim]:
        now = _utc(now)
        candidates = await rm.DeskTimerRow.filter(
            Q(state="pending", due_at__lte=now) | Q(state="claimed", lease_until__lt=now)
        ).order_by("due_at", "id").limit(limit).values_list("id", flat=True)
        claims = []
        for timer_id in candidates:
            taken = await rm.DeskTimerRow.filter(Q(id=timer_id) & _claimable(now)).update(
                state="claimed", owner=owner, lease_until=now + lease,
                attempts=F("attempts") + 1)
            if taken == 1:
                row = await rm.DeskTimerRow.get(id=timer_id)
                claims.append(Claim(timer_id, row.attempts))
        return claims

    async def give_up(self, timer_id: int, error: str) -> None:
        await rm.DeskTimerRow.filter(id=timer_id, state="claimed").update(
            state="failed", last_error=error[:2000])

    async def purge_done(self, before: datetime) -> int:
        """Forget fired timers that fell due before `before` (what they did stays in the
        tickets' history)."""
        return await rm.DeskTimerRow.filter(state="done", due_at__lt=_utc(before)).delete()

    async def next_due(self) -> datetime | None:
        row = await rm.DeskTimerRow.filter(state="pending").order_by("due_at").first()
        return row.due_at if row else None


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
    now = _utc(now)
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
