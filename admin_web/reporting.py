"""The §9.4 reports as tables (header, rows), shared by the report page, the downloads and
the API, each with the series its chart draws. People read durations as "1 d 17 h"; the API
gives minutes so a program can sum them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from admin_web.exports import Table
from admin_web.i18n import Translator
from core import reports
from storage import panel_views as views
from storage import report_sql, report_views
from wording.durations import format_duration

KINDS = ("first_response", "resolution", "sla", "satisfaction", "load")
TITLES = {"first_response": "First response time", "resolution": "Resolution time",
          "sla": "SLA compliance", "satisfaction": "Satisfaction", "load": "Agent load"}


def minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def scope(self, zone: str, company_id: int | None, contact_id: int | None,
              employee_id: int | None) -> report_views.ReportScope:
        tz = ZoneInfo(zone)
        return report_views.ReportScope(
            datetime.combine(self.start, time(0), tz).astimezone(UTC),
            datetime.combine(self.end + timedelta(days=1), time(0), tz).astimezone(UTC),
            company_id, contact_id, employee_id)


def parse_period(query: Mapping[str, str], today: date) -> Period:
    def day(name: str, default: date) -> date:
        try:
            return date.fromisoformat(query.get(name, ""))
        except ValueError:
            return default
    start = day("from", today - timedelta(days=29))
    end = day("to", today)
    return Period(min(start, end), max(start, end))


@dataclass(frozen=True)
class Series:
    """What a report's chart shows: a value per label, in one unit."""

    labels: list[str]
    values: list[float]
    unit: str  # "seconds", "count", "percent" or "score"


@dataclass(frozen=True)
class Report:
    table: Table
    series: Series


Duration = Callable[[timedelta | None], object]


def _duration_table(report: reports.DurationReport, name: Callable[[int | None], str],
                    tr: Callable[[str], str], duration: Duration, header: str) -> Report:
    rows: list[list[object]] = [[name(r.employee_id) or tr("Nobody"), r.tickets,
                                 duration(r.average)] for r in report.rows]
    rows.append([tr("All"), report.tickets, duration(report.average)])
    series = Series([str(r[0]) for r in rows[:-1]],
                    [r.average.total_seconds() for r in report.rows], "seconds")
    return Report(([tr("Employee"), tr("Tickets"), header], rows), series)


async def build(kind: str, scope: report_views.ReportScope, now: datetime,
                tr: Callable[[str], str]) -> Table:
    """The report as the API gives it: durations in minutes, so a program can sum them."""
    return (await compute(kind, scope, now, tr, minutes, tr("Average, minutes"))).table


async def readable(kind: str, scope: report_views.ReportScope, now: datetime,
                   tr: Translator) -> Report:
    """The report as the page and the downloads show it: durations as "1 d 17 h"."""
    def duration(value: timedelta | None) -> str | None:
        return None if value is None else format_duration(value.total_seconds(), tr.language)
    return await compute(kind, scope, now, tr, duration, tr("Average"))


async def compute(kind: str, scope: report_views.ReportScope, now: datetime,
                  tr: Callable[[str], str], duration: Duration, header: str) -> Report:
    ref = await views.reference()

    def name(employee_id: int | None) -> str:
        return ref.employee_name(employee_id)

    if kind == "load":
        load = await report_sql.agent_load(ref)
        employees = [e for e in ref.employees if e.active and (
            scope.employee_id is None or e.id == scope.employee_id)]
        counts = [load.get(e.id, 0) for e in employees]
        return Report(([tr("Employee"), tr("Open tickets")],
                       [[e.name, n] for e, n in zip(employees, counts, strict=True)]),
                      Series([e.name for e in employees], [float(n) for n in counts], "count"))
    if kind == "first_response":
        return _duration_table(await report_sql.first_response_report(scope), name, tr,
                               duration, header)
    if kind == "resolution":
        return _duration_table(await report_sql.resolution_report(scope, ref), name, tr,
                               duration, header)
    if kind == "sla":
        return _sla(await report_sql.sla_report(scope, now), tr)
    if kind == "satisfaction":
        return _satisfaction(await report_sql.satisfaction_report(scope), name, tr)
    raise KeyError(kind)


def _sla(sla: reports.SlaReport, tr: Callable[[str], str]) -> Report:
    rows: list[list[object]] = [
        [tr("Reaction"), sla.reaction_met, sla.reaction_missed, sla.reaction_percent],
        [tr("Resolution"), sla.resolution_met, sla.resolution_missed, sla.resolution_percent]]
    decided = [r for r in rows if r[3] is not None]
    return Report(([tr("Target"), tr("Met"), tr("Missed"), tr("Compliance, %")], rows),
                  Series([str(r[0]) for r in decided], [float(str(r[3])) for r in decided],
                         "percent"))


def _satisfaction(sat: reports.SatisfactionReport, name: Callable[[int | None], str],
                  tr: Callable[[str], str]) -> Report:
    rows: list[list[object]] = [[name(r.employee_id) or tr("Nobody"), r.ratings, r.average]
                                for r in sat.rows]
    rows.append([tr("All"), sat.ratings, sat.average])
    rows += [[f"{tr('Score')} {s}", n, None] for s, n in sat.distribution.items()]
    series = Series([f"{tr('Score')} {s}" for s in sat.distribution],
                    [float(n) for n in sat.distribution.values()], "count")
    return Report(([tr("Employee"), tr("Ratings"), tr("Average score")], rows), series)
