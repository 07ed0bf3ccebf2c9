"""The §9.4 reports as tables (header, rows), shared by the report page, the downloads and
the API. Durations are given in minutes so a spreadsheet can sum them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from admin_web.exports import Table
from core import reports
from storage import panel_views as views
from storage import report_views

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


def _duration_table(report: reports.DurationReport, name: Callable[[int | None], str],
                    tr: Callable[[str], str]) -> Table:
    rows: list[list[object]] = [[name(r.employee_id) or tr("Nobody"), r.tickets,
                                 minutes(r.average)] for r in report.rows]
    rows.append([tr("All"), report.tickets, minutes(report.average)])
    return [tr("Employee"), tr("Tickets"), tr("Average, minutes")], rows


async def build(kind: str, scope: report_views.ReportScope, now: datetime,
                tr: Callable[[str], str]) -> Table:
    ref = await views.reference()

    def name(employee_id: int | None) -> str:
        return ref.employee_name(employee_id)

    if kind == "load":
        load = reports.agent_load(await report_views.open_tickets(ref), ref.workflow)
        employees = [e for e in ref.employees if e.active and (
            scope.employee_id is None or e.id == scope.employee_id)]
        return [tr("Employee"), tr("Open tickets")], [[e.name, load.get(e.id, 0)]
                                                      for e in employees]
    facts = await report_views.report_facts(scope)
    if kind == "first_response":
        return _duration_table(reports.first_response_report(facts), name, tr)
    if kind == "resolution":
        return _duration_table(reports.resolution_report(facts, ref.workflow, now), name, tr)
    if kind == "sla":
        sla = reports.sla_report(facts, ref.workflow, now)
        return [tr("Target"), tr("Met"), tr("Missed"), tr("Compliance, %")], [
            [tr("Reaction"), sla.reaction_met, sla.reaction_missed, sla.reaction_percent],
            [tr("Resolution"), sla.resolution_met, sla.resolution_missed,
             sla.resolution_percent]]
    if kind == "satisfaction":
        sat = reports.satisfaction_report(f.ticket for f in facts)
        rows: list[list[object]] = [[name(r.employee_id) or tr("Nobody"), r.ratings, r.average]
                                    for r in sat.rows]
        rows.append([tr("All"), sat.ratings, sat.average])
        rows += [[f"{tr('Score')} {s}", n, None] for s, n in sat.distribution.items()]
        return [tr("Employee"), tr("Ratings"), tr("Average score")], rows
    raise KeyError(kind)
