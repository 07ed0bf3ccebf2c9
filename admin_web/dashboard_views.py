"""The dashboard (§9.3) and the reports (§9.4) with their XLSX and CSV downloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from admin_web import reporting
from admin_web.charts import created_vs_resolved
from admin_web.exports import Sheet, stream_csv, stream_xlsx, summary_sheet
from admin_web.forms import integer
from admin_web.keys import CONFIG, EMPLOYEE, TRANSLATOR
from admin_web.render import render
from admin_web.report_charts import bar_chart
from admin_web.report_tickets import TicketRows, header, ticket_rows, widths
from admin_web.security import Access, access, now
from admin_web.ticket_list import end_of_today
from storage import panel_views as views
from storage import report_sql, report_views
from wording.durations import format_duration

routes = web.RouteTableDef()
CHART_DAYS = 14
QUALITY_DAYS = 7


@dataclass(frozen=True)
class Quality:
    """The dashboard's quality cards over the last days: first response and satisfaction."""

    first_response: str  # an average, as people read it; "—" without any
    responses: int
    satisfaction: float | None
    ratings: int


async def _quality(visible: set[int] | None, zone: ZoneInfo, moment: datetime,
                   language: str) -> Quality:
    today = moment.astimezone(zone).date()
    since = datetime.combine(today - timedelta(days=QUALITY_DAYS - 1), time(0), zone)
    scope = report_views.ReportScope(since, moment)
    response = await report_sql.first_response_report(scope, visible)
    rated = await report_sql.satisfaction_report(scope, visible)
    average = response.average
    return Quality(format_duration(average.total_seconds(), language) if average else "—",
                   response.tickets, rated.average, rated.ratings)


@routes.get("/")
@access(Access.STAFF)
async def dashboard(request: web.Request) -> web.Response:
    zone = ZoneInfo(request.app[CONFIG].timezone)
    moment = now()
    today = moment.astimezone(zone).date()
    day_end = end_of_today(request.app[CONFIG].timezone, moment)
    ref = await views.reference()
    visible = await views.visible_ticket_ids(request[EMPLOYEE])
    counts = await report_views.dashboard_counts(visible, ref, moment, day_end)
    quality = await _quality(visible, zone, moment, request[TRANSLATOR].language)
    first = today - timedelta(days=CHART_DAYS - 1)
    days = await report_sql.per_day(ref, report_views.ReportScope(
        datetime.combine(first, time(0), zone), day_end), first, CHART_DAYS, zone, visible)
    tr = request[TRANSLATOR]
    # The SVG is built from numbers and escaped labels only (admin_web/charts.py).
    chart = Markup(created_vs_resolved(days, tr("Created"), tr("Resolved"),  # noqa: S704
                                       rtl=tr.rtl, language=tr.language))
    return render(request, "dashboard.html", counts=counts, chart=chart, days=days,
                  quality=quality, quality_days=QUALITY_DAYS)


def _scope(request: web.Request) -> tuple[reporting.Period, report_views.ReportScope]:
    zone = request.app[CONFIG].timezone
    period = reporting.parse_period(request.query, now().astimezone(ZoneInfo(zone)).date())
    q = request.query
    return period, period.scope(zone, integer(q.get("company")), integer(q.get("contact")),
                                integer(q.get("employee")))


@routes.get("/reports")
@access(Access.REPORTS)
async def report_page(request: web.Request) -> web.Response:
    period, scope = _scope(request)
    tr = request[TRANSLATOR]
    found = {kind: await reporting.readable(kind, scope, now(), tr) for kind in reporting.KINDS}
    # Each SVG is built from numbers and escaped labels only (admin_web/report_charts.py).
    charts = {kind: Markup(bar_chart(r.series, tr.language, tr.rtl,  # noqa: S704
                                     tr(reporting.TITLES[kind]))) for kind, r in found.items()}
    params = {k: v for k, v in request.query.items() if v}
    params.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return render(request, "reports.html", tables={k: r.table for k, r in found.items()},
                  charts=charts, titles=reporting.TITLES, period=period,
                  query=urlencode(params), ref=await views.reference(),
                  companies=await views.companies(), q=request.query)


@routes.get("/reports/{kind}.{fmt:(xlsx|csv)}")
@access(Access.REPORTS)
async def report_download(request: web.Request) -> web.StreamResponse:
    """The report's table; the XLSX adds a sheet with the tickets behind its figures.
    `all.xlsx` holds every report, each with its tickets."""
    kind, fmt = request.match_info["kind"], request.match_info["fmt"]
    if kind not in reporting.KINDS and (kind, fmt) != ("all", "xlsx"):
        raise web.HTTPNotFound(text="No such report.")
    period, scope = _scope(request)
    tr = request[TRANSLATOR]
    name = f"{kind}_{period.start.isoformat()}_{period.end.isoformat()}"
    if fmt == "csv":
        columns, lines = (await reporting.readable(kind, scope, now(), tr)).table
        return await stream_csv(request, name, columns, lines)
    rows = TicketRows(await views.reference(), request.app[CONFIG].timezone, now(), tr)
    sheets: list[Sheet] = []
    for one in reporting.KINDS if kind == "all" else (kind,):
        title = tr(reporting.TITLES[one])
        table = (await reporting.readable(one, scope, now(), tr)).table
        tickets = f"{title} — {tr('Tickets')}" if kind == "all" else tr("Tickets")
        sheets += [summary_sheet(title, table),
                   Sheet(tickets, header(one, tr), ticket_rows(one, scope, rows), widths(one))]
    return await stream_xlsx(request, name, sheets)
