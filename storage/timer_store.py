"""What the timer worker keeps outside a command: finding due timers and claiming them.
Claims are conditional UPDATEs, so two workers on one PostgreSQL database never hold the
same timer at once; a claim whose worker died expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise.expressions import F, Q

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
        for timer_id in cast("list[int]", candidates):
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
