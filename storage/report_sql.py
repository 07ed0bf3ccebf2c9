"""The §9.3 dashboard and §9.4 reports counted by the database (docs/DOMAIN.md): first
response, resolution time, SLA compliance and the tickets behind them read the per-ticket
metrics row (storage/ticket_metrics.py) beside the ticket; satisfaction, agent load and
created/resolved per day read the tickets and the status history. Each answers with the
core.reports objects the Python functions give, so the panel and the tests compare them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from tortoise import connections

from core import reports
from storage import models as m
from storage.panel_views import Reference
from storage.plain_sql import db_value, select
from storage.report_views import ReportScope


def _at(value: datetime) -> Any:
    return db_value(m.TicketRow, "created_at", value)


def _pg() -> bool:
    return bool(connections.get("default").capabilities.dialect == "postgres")


@dataclass
class Where:
    """A WHERE clause over `tickets t`, with a `{}` for each value."""

    parts: list[str] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)

    def add(self, sql: str, *values: Any) -> Where:
        self.parts.append(sql)
        self.values.extend(values)
        return self

    def ids(self, column: str, ids: Sequence[int]) -> Where:
        """`column` among the ids, as one value however many (a JSON array on SQLite)."""
        if _pg():
            return self.add(f"{column} = ANY({{}}::int[])", list(ids))
        return self.add(f"{column} IN (SELECT value FROM json_each({{}}))", json.dumps(list(ids)))

    def codes(self, column: str, codes: Sequence[str]) -> Where:
        if not codes:
            return self.add("1 = 0")
        return self.add(f"{column} IN ({', '.join('{}' for _ in codes)})", *codes)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) or "1 = 1"


def scoped(scope: ReportScope, visible: set[int] | None = None, *,
           period: bool = True, metrics: bool = False) -> Where:
    """Tickets registered in the period (§9.4) of the company, contact and employee chosen,
    among those the reader may see: over `tickets t`, or with `metrics` over the copies of
    those columns in `ticket_metrics k`."""
    t, created, ticket_id = ("k", "registered_at", "ticket_id") if metrics else \
        ("t", "created_at", "id")
    where = Where()
    if period:
        where.add(f"{t}.{created} >= {{}}", _at(scope.start)).add(f"{t}.{created} < {{}}",
                                                                 _at(scope.end))
    if scope.contact_id:
        where.add(f"{t}.contact_id = {{}}", scope.contact_id)
    if scope.company_id:
        where.add(f"{t}.contact_id IN (SELECT c.id FROM contacts c WHERE c.company_id = {{}})",
                  scope.company_id)
    if scope.employee_id:
        where.add(f"{t}.responsible_id = {{}}", scope.employee_id)
    if visible is not None:
        where.ids(f"{t}.{ticket_id}", sorted(visible))
    return where


def _duration_report(rows: list[dict[str, Any]]) -> reports.DurationReport:
    found = [reports.DurationRow(r["who"], int(r["n"]), timedelta(
        seconds=float(r["total"]) / int(r["n"]))) for r in rows if r["n"]]
    found.sort(key=lambda r: (r.employee_id is None, r.employee_id or 0))
    count = sum(int(r["n"]) for r in rows)
    total = sum(float(r["total"] or 0) for r in rows)
    return reports.DurationReport(found, count,
                                  timedelta(seconds=total / count) if count else None)


async def first_response_report(scope: ReportScope, visible: set[int] | None = None
                                ) -> reports.DurationReport:
    """Per employee who reacted first (§4.1), and the average over every ticket that had a
    reaction."""
    where = scoped(scope, visible, metrics=True).add("k.first_response_seconds IS NOT NULL")
    return _duration_report(await select(
        "SELECT k.first_responder_id AS who, COUNT(*) AS n,"
        " SUM(k.first_response_seconds) AS total FROM ticket_metrics k"
        f" WHERE {where.sql} GROUP BY k.first_responder_id", where.values))


def _closed(ref: Reference) -> list[str]:
    return [s.code for s in ref.workflow.statuses if not s.is_open]


async def resolution_report(scope: ReportScope, ref: Reference,
                            visible: set[int] | None = None) -> reports.DurationReport:
    """Resolved or closed tickets per responsible: their open, non-pausing time (§3.5)."""
    where = scoped(scope, visible, metrics=True).codes("k.status", _closed(ref))
    return _duration_report(await select(
        "SELECT k.responsible_id AS who, COUNT(*) AS n, SUM(k.resolution_seconds) AS total"
        f" FROM ticket_metrics k WHERE {where.sql} GROUP BY k.responsible_id", where.values))


def _outcomes(done: str, due: str) -> tuple[str, str]:
    """SQL conditions for a target met, and missed (late, or not done and already due)."""
    met = f"{due} IS NOT NULL AND {done} IS NOT NULL AND {done} <= {due}"
    missed = (f"{due} IS NOT NULL AND (({done} IS NOT NULL AND {done} > {due})"
              f" OR ({done} IS NULL AND {due} < {{}}))")
    return met, missed


async def sla_report(scope: ReportScope, now: datetime, visible: set[int] | None = None
                     ) -> reports.SlaReport:
    """A target counts once it is decided: met or missed, or still pending and already
    late (core.reports.sla_report)."""
    reacted = "CASE WHEN k.first_response_seconds IS NULL THEN NULL ELSE k.first_response_at END"
    reaction_met, reaction_missed = _outcomes(reacted, "k.planned_reaction_at")
    resolution_met, resolution_missed = _outcomes("k.left_open_at", "k.planned_resolution_at")
    where = scoped(scope, visible, metrics=True)
    columns = [f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}" for name, cond in (
        ("reaction_met", reaction_met), ("reaction_missed", reaction_missed),
        ("resolution_met", resolution_met), ("resolution_missed", resolution_missed))]
    row = (await select(
        f"SELECT {', '.join(columns)} FROM ticket_metrics k WHERE {where.sql}",
        [_at(now), _at(now), *where.values]))[0]
    return reports.SlaReport(*(int(row[k] or 0) for k in (
        "reaction_met", "reaction_missed", "resolution_met", "resolution_missed")))


async def satisfaction_report(scope: ReportScope, visible: set[int] | None = None
                              ) -> reports.SatisfactionReport:
    where = scoped(scope, visible, metrics=True).add("k.rating IS NOT NULL")
    rows = await select(
        "SELECT k.responsible_id AS who, k.rating AS score, COUNT(*) AS n FROM ticket_metrics k"
        f" WHERE {where.sql} GROUP BY k.responsible_id, k.rating", where.values)
    per: dict[int | None, tuple[int, int]] = {}
    distribution = dict.fromkeys(range(1, 6), 0)
    for r in rows:
        n, score = int(r["n"]), int(r["score"])
        count, total = per.get(r["who"], (0, 0))
        per[r["who"]] = (count + n, total + n * score)
        distribution[score] = distribution.get(score, 0) + n
    found = [reports.SatisfactionRow(who, n, round(total / n, 2))
             for who, (n, total) in per.items()]
    found.sort(key=lambda r: (r.employee_id is None, r.employee_id or 0))
    ratings = sum(n for n, _ in per.values())
    scores = sum(total for _, total in per.values())
    return reports.SatisfactionReport(found, ratings,
                                      round(scores / ratings, 2) if ratings else None,
                                      {s: distribution[s] for s in range(1, 6)})


async def agent_load(ref: Reference) -> dict[int, int]:
    """§5.4: open tickets per responsible, in statuses not excluded from load."""
    where = Where().codes("t.status", [s.code for s in ref.workflow.statuses
                                       if s.counts_for_load]).add(
        "+t.responsible_id IS NOT NULL")  # "+": by the status index (few open tickets),
    # not by the responsible one SQLite would pick, which reads every assigned ticket
    rows = await select("SELECT +t.responsible_id AS who, COUNT(*) AS n FROM tickets t"
                        f" WHERE {where.sql} GROUP BY 1", where.values)
    return {int(r["who"]): int(r["n"]) for r in rows}


# --- created and resolved per day -----------------------------------------------------------
def _offsets(start: datetime, end: datetime, zone: tzinfo) -> list[tuple[datetime, int]]:
    """The zone's UTC offset in seconds from each moment on, between start and end: the
    first from start, then one per change (daylight saving), found to the second."""
    def offset(at: datetime) -> int:
        value = at.astimezone(zone).utcoffset()
        return int(value.total_seconds()) if value else 0
    found = [(start, offset(start))]
    at = start
    while at < end:
        step = min(end, at + timedelta(hours=6))
        if offset(step) != found[-1][1]:
            low, high = at, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == found[-1][1] else (low, middle)
            found.append((high, offset(high)))
        at = step
    return found


def _day_index(column: str, first: date, offsets: list[tuple[datetime, int]],
               where: Where) -> str:
    """The local day of `column`, as a number of days after `first` (values added to
    `where`'s front: they come first in the statement)."""
    epoch = f"EXTRACT(EPOCH FROM {column})" if _pg() else \
        f"CAST(strftime('%s', {column}) AS INTEGER)"
    shift = "CASE " + " ".join("WHEN {} <= " + column + f" THEN {seconds}"
                               for _, seconds in reversed(offsets)) + " ELSE 0 END"
    base = (first - date(1970, 1, 1)).days * 86400  # the first local midnight
    where.values[:0] = [_at(at) for at, _ in reversed(offsets)]
    return f"FLOOR(({epoch} + {shift} - {base}) / 86400)" if _pg() else \
        f"(({epoch} + {shift} - {base}) / 86400)"


async def per_day(ref: Reference, scope: ReportScope, first: date, days: int, zone: tzinfo,
                  visible: set[int] | None = None) -> list[reports.DayCount]:
    """Tickets created and resolved (moved from an open to a closed-state status) per local
    day, for `days` days from `first`; scope.start and scope.end bound the moments."""
    offsets = _offsets(scope.start, scope.end, zone)
    made = scoped(scope, visible, metrics=True)
    made_day = _day_index("k.registered_at", first, offsets, made)
    created = await select(f"SELECT {made_day} AS d, COUNT(*) AS n FROM ticket_metrics k"
                           f" WHERE {made.sql} GROUP BY 1", made.values)
    done = scoped(scope, visible, period=False)
    join = " JOIN tickets t ON t.id = h.ticket_id" if done.parts else ""
    done.add("h.field = 'status'").add("h.at >= {}", _at(scope.start)).add(
        "h.at < {}", _at(scope.end)).codes("h.new", _closed(ref)).codes(
        "h.old", list(ref.open_codes))
    done_day = _day_index("h.at", first, offsets, done)
    resolved = await select(f"SELECT {done_day} AS d, COUNT(*) AS n FROM ticket_history h"
                            f"{join} WHERE {done.sql} GROUP BY 1", done.values)
    made_n = {int(r["d"]): int(r["n"]) for r in created}
    done_n = {int(r["d"]): int(r["n"]) for r in resolved}
    return [reports.DayCount(first + timedelta(days=i), made_n.get(i, 0), done_n.get(i, 0))
            for i in range(days)]


# --- the tickets behind a report, for its XLSX sheet ----------------------------------------
@dataclass(frozen=True)
class ReportTicket:
    """One ticket behind a report's figures, with its metrics."""

    id: int
    subject: str
    client: str
    responsible_id: int | None
    status: str
    created_at: datetime
    planned_reaction_at: datetime | None
    planned_resolution_at: datetime | None
    rating: int | None
    rating_comment: str | None
    first_response_seconds: float | None
    first_response_at: datetime | None
    left_open_at: datetime | None
    resolution_seconds: float


_MOMENTS = ("created_at", "planned_reaction_at", "planned_resolution_at", "first_response_at",
            "left_open_at")


def _moment(value: Any) -> datetime | None:
    """SQLite gives datetimes as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _behind(kind: str, ref: Reference, where: Where) -> Where:
    if kind == "first_response":
        return where.add("k.first_response_seconds IS NOT NULL")
    if kind == "resolution":
        return where.codes("t.status", _closed(ref))
    if kind == "sla":
        return where.add("(t.planned_reaction_at IS NOT NULL"
                         " OR t.planned_resolution_at IS NOT NULL)")
    if kind == "satisfaction":
        return where.add("t.rating IS NOT NULL")
    return where.codes("t.status", [s.code for s in ref.workflow.statuses
                                    if s.counts_for_load]).add("t.responsible_id IS NOT NULL")


async def report_ticket_batches(kind: str, scope: ReportScope, ref: Reference,
                                size: int = 5000) -> Any:
    """The tickets behind a report, `size` at a time in id order (keyset: each batch starts
    after the last id), so a year's export is never held in memory or in one query. The load
    report's tickets are the open ones counted for load, whatever their period."""
    # start at the first such ticket, not at the desk's first: read in id order from 0, the
    # period's (or the open) tickets come after most of the desk
    first = _behind(kind, ref, scoped(scope, period=kind != "load"))
    after = int((await select(
        "SELECT MIN(t.id) AS low FROM tickets t LEFT JOIN ticket_metrics k"
        f" ON k.ticket_id = t.id WHERE {first.sql}", first.values))[0]["low"] or 1) - 1
    while True:
        where = _behind(kind, ref, scoped(scope, period=kind != "load")).add("t.id > {}", after)
        rows = await select(
            "SELECT t.id, t.subject, COALESCE(c.name, '') AS client, t.responsible_id,"
            " t.status, t.created_at, t.planned_reaction_at, t.planned_resolution_at,"
            " t.rating, t.rating_comment, k.first_response_seconds, k.first_response_at,"
            " k.left_open_at, COALESCE(k.resolution_seconds, 0) AS resolution_seconds"
            " FROM tickets t LEFT JOIN ticket_metrics k ON k.ticket_id = t.id"
            f" LEFT JOIN contacts c ON c.id = t.contact_id WHERE {where.sql}"
            f" ORDER BY t.id LIMIT {int(size)}", where.values)
        if not rows:
            return
        for r in rows:
            for name in _MOMENTS:
                r[name] = _moment(r[name])
        yield [ReportTicket(**r) for r in rows]
        after = rows[-1]["id"]
