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


@dataclass(frozen=True)
class TicketMetrics:
    """What the reports need of one ticket's history, kept beside it (storage keeps it up to
    date as history is written, and rebuilds it from the history with this function)."""

    ticket_id: int
    created_at: datetime | None  # the registration row's moment
    first_response_at: datetime | None
    first_response_seconds: float | None
    first_responder_id: int | None
    left_open_at: datetime | None  # when it first reached a closed-state status
    resolution_seconds: float  # open, non-pausing time of the spans already ended
    counting_since: datetime | None  # start of the current span when it counts (§3.5)

    def resolution_time(self, now: datetime) -> timedelta:
        running = now - self.counting_since if self.counting_since else timedelta(0)
        return timedelta(seconds=self.resolution_seconds) + running


def left_open_at(history: Iterable[HistoryEntry], workflow: Workflow) -> datetime | None:
    """When the ticket first left the open states, if it did."""
    for h in sorted(history, key=lambda h: h.at):
        if h.field == "status" and h.old is not None and h.new is not None \
                and h.new in workflow and not workflow.get(h.new).is_open:
            return h.at
    return None


def ticket_metrics(ticket_id: int, history: Sequence[HistoryEntry],
                   comments: Iterable[Comment], workflow: Workflow) -> TicketMetrics:
    created = min((h.at for h in history if h.field == "status" and h.old is None),
                  default=None)
    response = first_response(history, comments)
    spans = status_timeline(history)
    counting = [s for s in spans if s.status in workflow and workflow.get(s.status).counts_for_sla]
    ended = sum((s.end - s.start for s in counting if s.end is not None), timedelta(0))
    running = next((s.start for s in counting if s.end is None), None)
    return TicketMetrics(
        ticket_id, created, created + response.after if response and created else None,
        response.after.total_seconds() if response else None,
        response.by.id if response else None, left_open_at(history, workflow),
        ended.total_seconds(), running)
