"""What the dashboard, the reports and /metrics count: open, overdue and unassigned tickets,
tickets created and resolved over time, the facts a report is computed from, and the
totals /metrics exports. Plain dataclasses and core objects leave this module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from tortoise.functions import Count
from tortoise.queryset import QuerySet

from core.reports import TicketFacts
from core.statuses import ON_HOLD
from core.tickets import Comment, HistoryEntry, Ticket
from storage import mapping as mp
from storage import models as m
from storage.panel_views import Reference


@dataclass(frozen=True)
class DashboardCounts:
    open: int
    overdue: int
    on_hold: int
    due_today: int
    unassigned: int


async def dashboard_counts(visible: set[int] | None, ref: Reference, now: datetime,
                           day_end: datetime) -> DashboardCounts:
    base = m.TicketRow.filter(status__in=ref.open_codes)
    if visible is not None:
        base = base.filter(id__in=sorted(visible) or [0])
    return DashboardCounts(
        open=await base.count(),
        overdue=await base.filter(planned_resolution_at__lt=now).count(),
        on_hold=await base.filter(status=ON_HOLD).count(),
        due_today=await base.filter(planned_resolution_at__gte=now,
                                    planned_resolution_at__lt=day_end).count(),
        unassigned=await base.filter(responsible_id=None).count(),
    )


async def created_and_resolved(visible: set[int] | None, ref: Reference,
                               since: datetime) -> tuple[list[datetime], list[datetime]]:
    created = m.TicketRow.filter(created_at__gte=since)
    closed_codes = [s.code for s in ref.workflow.statuses if not s.is_open]
    resolved = m.HistoryRow.filter(field="status", at__gte=since, new__in=closed_codes,
                                   old__in=ref.open_codes)
    if visible is not None:
        created = created.filter(id__in=sorted(visible) or [0])
        resolved = resolved.filter(ticket_id__in=sorted(visible) or [0])
    opened = cast("list[datetime]", await created.values_list("created_at", flat=True))
    closed = cast("list[datetime]", await resolved.values_list("at", flat=True))
    return list(opened), list(closed)


@dataclass(frozen=True)
class ReportScope:
    start: datetime
    end: datetime
    company_id: int | None = None
    contact_id: int | None = None
    employee_id: int | None = None


def _scoped(scope: ReportScope, contacts: list[int] | None) -> QuerySet[m.TicketRow]:
    query = m.TicketRow.filter(created_at__gte=scope.start, created_at__lt=scope.end)
    if scope.contact_id:
        query = query.filter(contact_id=scope.contact_id)
    if contacts is not None:
        query = query.filter(contact_id__in=contacts or [0])
    if scope.employee_id:
        query = query.filter(responsible_id=scope.employee_id)
    return query


async def _company_contacts(scope: ReportScope) -> list[int] | None:
    if not scope.company_id:
        return None
    ids = await m.ContactRow.filter(company_id=scope.company_id).values_list("id", flat=True)
    return list(cast("list[int]", ids))


async def _facts(rows: list[m.TicketRow]) -> list[TicketFacts]:
    ids = [r.id for r in rows] or [0]
    history: dict[int, list[HistoryEntry]] = {}
    for h in await m.HistoryRow.filter(ticket_id__in=ids).order_by("id"):
        history.setdefault(h.ticket_id, []).append(mp.history_from_row(h))
    comments: dict[int, list[Comment]] = {}
    for c in await m.CommentRow.filter(ticket_id__in=ids).order_by("id"):
        comments.setdefault(c.ticket_id, []).append(mp.comment_from_row(c))
    return [TicketFacts(mp.ticket_from_row(r), history.get(r.id, []), comments.get(r.id, []))
            for r in rows]


async def report_facts(scope: ReportScope) -> list[TicketFacts]:
    """Tickets registered in the period (and matching the filters) with their history."""
    rows = await _scoped(scope, await _company_contacts(scope)).order_by("id")
    return await _facts(list(rows))


async def report_fact_batches(scope: ReportScope, size: int = 500
                              ) -> AsyncIterator[list[TicketFacts]]:
    """The same tickets a few hundred at a time, by id, so a year's export is never held
    in memory at once."""
    contacts = await _company_contacts(scope)
    after = 0
    while True:
        rows = list(await _scoped(scope, contacts).filter(id__gt=after).order_by("id")
                    .limit(size))
        if not rows:
            return
        yield await _facts(rows)
        after = rows[-1].id


async def open_ticket_batches(ref: Reference, size: int = 500) -> AsyncIterator[list[Ticket]]:
    after = 0
    while True:
        rows = list(await m.TicketRow.filter(status__in=ref.open_codes, id__gt=after)
                    .order_by("id").limit(size))
        if not rows:
            return
        yield [mp.ticket_from_row(r) for r in rows]
        after = rows[-1].id


async def contact_names(ids: list[int]) -> dict[int, str]:
    return dict(await m.ContactRow.filter(id__in=ids or [0]).values_list("id", "name"))


async def open_tickets(ref: Reference) -> list[Ticket]:
    rows = await m.TicketRow.filter(status__in=ref.open_codes)
    return [mp.ticket_from_row(r) for r in rows]


@dataclass(frozen=True)
class MetricsSnapshot:
    inbound: dict[tuple[str, str], int]  # (channel, state) -> updates
    outbound: dict[tuple[str, str], int]  # (channel, state) -> messages
    tickets_by_status: dict[str, int]


async def metrics_snapshot() -> MetricsSnapshot:
    inbound = await m.InboundRow.all().annotate(n=Count("id")).group_by(
        "channel", "state").values_list("channel", "state", "n")
    outbound = await m.OutboxRow.all().annotate(n=Count("id")).group_by(
        "channel", "state").values_list("channel", "state", "n")
    statuses = await m.TicketRow.all().annotate(n=Count("id")).group_by("status").values_list(
        "status", "n")
    return MetricsSnapshot({(c, s): n for c, s, n in inbound},
                           {(c, s): n for c, s, n in outbound}, dict(statuses))
