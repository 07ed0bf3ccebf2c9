"""Ticket metrics computed from the audit history, never from counters (docs/DOMAIN.md §3.5,
§4.1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.people import Actor
from core.statuses import OPEN, Workflow
from core.tickets import Comment, HistoryEntry


@dataclass(frozen=True)
class StatusSpan:
    status: str
    start: datetime
    end: datetime | None  # None: still in it


def status_timeline(history: Iterable[HistoryEntry]) -> list[StatusSpan]:
    """The statuses a ticket went through, in order, from its `status` history rows."""
    changes = sorted((h for h in history if h.field == "status" and h.new), key=lambda h: h.at)
    spans: list[StatusSpan] = []
    for i, change in enumerate(changes):
        end = changes[i + 1].at if i + 1 < len(changes) else None
        assert change.new is not None
        spans.append(StatusSpan(change.new, change.at, end))
    return spans


@dataclass(frozen=True)
class FirstResponse:
    after: timedelta
    by: Actor


def first_response(
    history: Sequence[HistoryEntry], comments: Iterable[Comment]
) -> FirstResponse | None:
    """§4.1: the first public agent comment or the first status change away from Open by an
    agent, whichever came first; None while the ticket waits for its first reaction."""
    created = min((h.at for h in history if h.field == "status" and h.old is None), default=None)
    if created is None:
        return None
    candidates = [
        (c.created_at, c.author) for c in comments if c.public and c.author.is_employee
    ]
    candidates += [
        (h.at, h.actor) for h in history
        if h.field == "status" and h.old == OPEN and h.actor.is_employee
    ]
    if not candidates:
        return None
    at, actor = min(candidates, key=lambda c: c[0])
    return FirstResponse(at - created, actor)


def resolution_time(
    history: Sequence[HistoryEntry], workflow: Workflow, now: datetime
) -> timedelta:
    """Time spent in open-state statuses that do not pause SLA; closed and on-hold time is
    left out (§3.5). A ticket still open counts up to `now`."""
    total = timedelta(0)
    for span in status_timeline(history):
        status = workflow.get(span.status) if span.status in workflow else None
        if status is not None and status.counts_for_sla:
            total += (span.end or now) - span.start
    return total
