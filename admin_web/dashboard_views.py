"""The dashboard (§9.3) and the reports (§9.4) with their XLSX and CSV downloads."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from admin_web import reporting
from admin_web.charts import created_vs_resolved
from admin_web.exports import download
from admin_web.forms import integer
from admin_web.keys import CONFIG, EMPLOYEE, TRANSLATOR
from admin_web.render import render
from admin_web.security import Access, access, now
from core.reports import per_day
from storage import panel_views as views
from storage import report_views

routes = web.RouteTableDef()
CHART_DAYS = 14


@routes.get("/")
@access(Access.STAFF)
async def dashboard(request: web.Request) -> web.Response:
    zone = ZoneInfo(request.app[CONFIG].timezone)
    moment = now()
    today = moment.astimezone(zone).date()
    day_end = datetime.combine(today + timedelta(days=1), time(0), zone)
    ref = await views.reference()
    visible = await views.visible_ticket_ids(request[EMPLOYEE])
    counts = await report_views.dashboard_counts(visible, ref, moment, day_end)
    since = datetime.combine(today - timedelta(days=CHART_DAYS - 1), time(0), zone)
    created, resolved = await report_views.created_and_resolved(visible, ref, since)
    days = per_day(created, resolved, today, CHART_DAYS, zone)
    tr = request[TRANSLATOR]
    # The SVG is built from numbers and escaped labels only (admin_web/charts.py).
    chart = Markup(created_vs_resolved(days, tr("Created"), tr("Resolved"),  # noqa: S704
                                       rtl=tr.rtl))
    return render(request, "dashboard.html", counts=counts, chart=chart, days=days)


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
    tables = {kind: await reporting.build(kind, scope, now(), tr) for kind in reporting.KINDS}
    params = {k: v for k, v in request.query.items() if v}
    params.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return render(request, "reports.html", tables=tables, titles=reporting.TITLES,
                  period=period, query=urlencode(params), ref=await views.reference(),
                  companies=await views.companies(), q=request.query)


@routes.get("/reports/{kind}.{fmt:(xlsx|csv)}")
@access(Access.REPORTS)
async def report_download(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    if kind not in reporting.KINDS:
        raise web.HTTPNotFound(text="No such report.")
    period, scope = _scope(request)
    tr = request[TRANSLATOR]
    table = await reporting.build(kind, scope, now(), tr)
    name = f"{kind}_{period.start.isoformat()}_{period.end.isoformat()}"
    return download(name, request.match_info["fmt"], tr(reporting.TITLES[kind]), table)
