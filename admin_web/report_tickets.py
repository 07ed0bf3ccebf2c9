"""The tickets behind a report's figures, one row each, for the XLSX export: read a few
hundred at a time and handed on row by row, so a long period never sits in memory whole.
Durations stay `timedelta` (the sheet shows them as hours and minutes and can sum them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core import reports
from storage import report_sql, report_views
from storage.panel_views import Reference
from storage.report_sql import ReportTicket

Row = list[object]
COMMON = ("#", "Subject", "Client", "Responsible", "Status", "Created")
EXTRA = {"first_response": ("First response",), "resolution": ("Resolution time",),
         "sla": ("Reaction due", "Reaction", "Resolution due", "Resolution"),
         "satisfaction": ("Score", "Comment"), "load": ()}
OUTCOMES = {reports.MET: "Met", reports.MISSED: "Missed", reports.PENDING: "Pending"}


def header(kind: str, tr: Callable[[str], str]) -> list[str]:
    return [tr(h) for h in COMMON + EXTRA[kind]]


class TicketRows:
    """Rows of one report's tickets, in the desk's time zone (a sheet has none)."""

    def __init__(self, ref: Reference, zone: str, now: datetime,
                 tr: Callable[[str], str]) -> None:
        self.ref, self.zone, self.now, self.tr = ref, ZoneInfo(zone), now, tr

    def local(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(self.zone).replace(tzinfo=None) if moment else None

    def common(self, t: ReportTicket) -> Row:
        status = self.ref.workflow.get(t.status).name if t.status in self.ref.workflow \
            else t.status
        return [t.id, t.subject, t.client,
                self.ref.employee_name(t.responsible_id) or self.tr("Nobody"), status,
                self.local(t.created_at)]

    def extra(self, kind: str, t: ReportTicket) -> Row:
        """The report's own columns (core.reports.sla_outcomes' rules for the SLA)."""
        if kind == "first_response":
            return [timedelta(seconds=t.first_response_seconds or 0)]
        if kind == "resolution":
            return [timedelta(seconds=t.resolution_seconds)]
        if kind == "sla":
            reacted = t.first_response_at if t.first_response_seconds is not None else None
            return [self.local(t.planned_reaction_at),
                    self._outcome(reacted, t.planned_reaction_at),
                    self.local(t.planned_resolution_at),
                    self._outcome(t.left_open_at, t.planned_resolution_at)]
        if kind == "satisfaction":
            return [t.rating, t.rating_comment or ""]
        return []

    def _outcome(self, done: datetime | None, due: datetime | None) -> str:
        if due is None:
            return "—"
        return self.tr(OUTCOMES[reports.outcome(done, due, self.now)])


async def ticket_rows(kind: str, scope: report_views.ReportScope, rows: TicketRows
                      ) -> AsyncIterator[Row]:
    async for batch in report_sql.report_ticket_batches(kind, scope, rows.ref):
        for t in batch:
            yield rows.common(t) + rows.extra(kind, t)


def widths(kind: str) -> Sequence[int]:
    """Column widths in characters: the subject and comment wide, numbers narrow."""
    common = [8, 40, 24, 22, 16, 17]
    extra = {"first_response": [16], "resolution": [16], "sla": [17, 12, 17, 12],
             "satisfaction": [8, 40], "load": []}
    return common + extra[kind]
