"""The tickets behind a report's figures, one row each, for the XLSX export: read a few
hundred at a time and handed on row by row, so a long period never sits in memory whole.
Durations stay `timedelta` (the sheet shows them as hours and minutes and can sum them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from core import reports
from core.metrics import first_response, resolution_time
from core.tickets import Ticket
from storage import report_views
from storage.panel_views import Reference

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

    def common(self, t: Ticket, names: dict[int, str]) -> Row:
        status = self.ref.workflow.get(t.status).name if t.status in self.ref.workflow \
            else t.status
        return [t.id, t.subject, names.get(t.contact_id, ""),
                self.ref.employee_name(t.responsible_id) or self.tr("Nobody"), status,
                self.local(t.created_at)]

    def extra(self, kind: str, f: reports.TicketFacts) -> Row | None:
        """The report's own columns, or None when the ticket is not behind its figures."""
        t, workflow = f.ticket, self.ref.workflow
        if kind == "first_response":
            response = first_response(f.history, f.comments)
            return [response.after] if response else None
        if kind == "resolution":
            if t.status not in workflow or workflow.get(t.status).is_open:
                return None
            return [resolution_time(f.history, workflow, self.now)]
        if kind == "sla":
            reaction, resolution = reports.sla_outcomes(f, workflow, self.now)
            if reaction is None and resolution is None:
                return None
            return [self.local(t.planned_reaction_at), self._outcome(reaction),
                    self.local(t.planned_resolution_at), self._outcome(resolution)]
        if t.rating is None:
            return None
        return [t.rating, t.rating_comment or ""]

    def _outcome(self, outcome: str | None) -> str:
        return self.tr(OUTCOMES[outcome]) if outcome else "—"


async def ticket_rows(kind: str, scope: report_views.ReportScope, rows: TicketRows
                      ) -> AsyncIterator[Row]:
    if kind == "load":
        async for tickets in report_views.open_ticket_batches(rows.ref):
            counted = [t for t in tickets if _in_load(t, rows.ref, scope)]
            names = await report_views.contact_names([t.contact_id for t in counted])
            for t in counted:
                yield rows.common(t, names)
        return
    async for facts in report_views.report_fact_batches(scope):
        names = await report_views.contact_names([f.ticket.contact_id for f in facts])
        for f in facts:
            extra = rows.extra(kind, f)
            if extra is not None:
                yield rows.common(f.ticket, names) + extra


def _in_load(t: Ticket, ref: Reference, scope: report_views.ReportScope) -> bool:
    workflow = ref.workflow
    return t.responsible_id is not None and t.status in workflow \
        and workflow.get(t.status).counts_for_load \
        and scope.employee_id in (None, t.responsible_id)


def widths(kind: str) -> Sequence[int]:
    """Column widths in characters: the subject and comment wide, numbers narrow."""
    common = [8, 40, 24, 22, 16, 17]
    extra = {"first_response": [16], "resolution": [16], "sla": [17, 12, 17, 12],
             "satisfaction": [8, 40], "load": []}
    return common + extra[kind]
