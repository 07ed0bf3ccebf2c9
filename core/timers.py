"""Timers: what the desk must do at a future moment (resume a ticket on hold, warn before an
SLA breach, run an idle rule or a recurring schedule). They live in the database with the
ticket they belong to, armed and cancelled in the same transaction as the change that
calls for them, and fired by `FireTimer` through `Desk.handle`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.sla import Target

RESUME = "resume"  # On hold until ... has passed (§2.5)
IDLE = "idle"  # an automation rule's "idle for N hours" (ref_id: the rule)
RECURRING = "recurring"  # a recurring schedule's next run (ref_id: the schedule)


def sla_warning(target: Target) -> str:
    return f"sla_warning:{target.value}"


def sla_breach(target: Target) -> str:
    return f"sla_breach:{target.value}"


SLA_KINDS = tuple(kind(t) for t in Target for kind in (sla_warning, sla_breach))


@dataclass(frozen=True)
class Timer:
    kind: str
    due_at: datetime
    ticket_id: int | None = None
    ref_id: int | None = None
    id: int = 0

    @property
    def key(self) -> tuple[int | None, str, int | None]:
        """At most one pending timer per key: arming again replaces it."""
        return (self.ticket_id, self.kind, self.ref_id)
