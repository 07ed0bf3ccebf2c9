"""Settings pages for the rule tables (administrators only): service calendars with holidays,
SLA rules and routing rules (ordered: the first enabled match wins, §4.3, §5.1), and the
automation rules' order and switches. Changes are SaveRule, DeleteRule and MoveItem."""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from admin_web.forms import integer, path_id, run
from admin_web.keys import EMPLOYEE, TRANSLATOR
from admin_web.render import redirect, render
from admin_web.security import Access, access
from admin_web.ticket_list import CHANNEL_NAMES
from bots.templates import NoticeRenderer
from core import commands as c
from core.calendar import BusinessCalendar, WorkingInterval
from core.conditions import Conditions
from core.errors import DomainError
from core.routing import RoutingRule
from core.rule_admin import WRAPPER_KEY
from core.sla import ServiceCalendar, SlaRule
from core.tickets import Channel
from storage import panel_views as views

routes = web.RouteTableDef()
PAGES = {"sla": "/settings/sla", "calendars": "/settings/sla", "routing": "/settings/routing",
         "automation": "/settings/automation", "macros": "/settings/macros",
         "schedules": "/settings/schedules"}
KINDS = "{kind:(sla|routing|automation|calendars|macros|schedules)}"


def _conditions(form: Any) -> Conditions:
    return Conditions(
        types=frozenset(str(v) for v in form.getall("types", [])),
        priorities=frozenset(str(v) for v in form.getall("priorities", [])),
        channels=frozenset(str(v) for v in form.getall("channels", [])),
        categories=frozenset(str(v) for v in form.getall("categories", [])))


def _minutes(value: Any) -> timedelta | None:
    number = integer(value)
    return timedelta(minutes=number) if number and number > 0 else None


@routes.get("/settings/sla")
@access(Access.ADMIN)
async def sla_page(request: web.Request) -> web.Response:
    rules = await views.rule_tables()
    return render(request, "settings/sla.html", ref=await views.reference(), rules=rules,
                  channels=list(Channel), channel_names=CHANNEL_NAMES)


@routes.post("/settings/sla")
@access(Access.ADMIN)
async def save_sla(request: web.Request) -> web.Response:
    form = await request.post()
    rule_id = integer(form.get("id")) or 0
    existing = next((r for r in (await views.rule_tables())["sla"] if r.id == rule_id), None)
    rule = SlaRule(rule_id, str(form.get("name", ""))[:100], integer(form.get("calendar")) or 0,
                   _minutes(form.get("reaction")), _minutes(form.get("resolution")),
                   _conditions(form), enabled=bool(form.get("enabled")),
                   position=existing.position if existing else 10**6)
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id, rule))
    raise redirect("/settings/sla", error)


@routes.post("/settings/calendars")
@access(Access.ADMIN)
async def save_calendar(request: web.Request) -> web.Response:
    form = await request.post()
    tr = request[TRANSLATOR]
    try:
        start = time.fromisoformat(str(form.get("start", "09:00")))
        end = time.fromisoformat(str(form.get("end", "18:00")))
        hours = [WorkingInterval(start, end)]
        days = {int(d) for d in form.getall("weekdays", []) if str(d) in "0123456"}
        holidays = {date.fromisoformat(line.strip()): () for line in str(
            form.get("holidays", "")).splitlines() if line.strip()}
        calendar = BusinessCalendar(str(form.get("timezone", "UTC")).strip(),
                                    {d: hours for d in days}, holidays)
    except (ValueError, TypeError) as exc:
        raise redirect("/settings/sla", tr("The calendar is not valid: {error}",
                                           error=str(exc))) from None
    rule = ServiceCalendar(integer(form.get("id")) or 0, str(form.get("name", ""))[:100],
                           calendar)
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id, rule))
    raise redirect("/settings/sla", error)


@routes.get("/settings/routing")
@access(Access.ADMIN)
async def routing_page(request: web.Request) -> web.Response:
    return render(request, "settings/routing.html", ref=await views.reference(),
                  rules=await views.rule_tables(), channels=list(Channel),
                  channel_names=CHANNEL_NAMES)


@routes.post("/settings/routing")
@access(Access.ADMIN)
async def save_routing(request: web.Request) -> web.Response:
    form = await request.post()
    rule_id = integer(form.get("id")) or 0
    existing = next((r for r in (await views.rule_tables())["routing"] if r.id == rule_id),
                    None)
    rule = RoutingRule(rule_id, str(form.get("name", ""))[:100], _conditions(form),
                       integer(form.get("responsible")), integer(form.get("group")),
                       enabled=bool(form.get("enabled")),
                       position=existing.position if existing else 10**6)
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id, rule))
    raise redirect("/settings/routing", error)


@routes.post(f"/settings/rules/{KINDS}/{{rule_id:\\d+}}/toggle")
@access(Access.ADMIN)
async def toggle_rule(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    rule_id = path_id(request, "rule_id")
    rule = next((r for r in (await views.rule_tables()).get(kind, []) if r.id == rule_id), None)
    if rule is None or not hasattr(rule, "enabled"):
        raise web.HTTPNotFound(text="No such rule.")
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id,
                                             dataclasses.replace(rule, enabled=not rule.enabled)))
    raise redirect(PAGES[kind], error)


@routes.post(f"/settings/rules/{KINDS}/{{rule_id:\\d+}}/delete")
@access(Access.ADMIN)
async def delete_rule(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    _, error = await run(request, c.DeleteRule(request[EMPLOYEE].id, kind,
                                               path_id(request, "rule_id")))
    raise redirect(PAGES[kind], error)


# --- notice templates (§7.1-7.2) ------------------------------------------------------------
SAMPLE = {
    "ticket": {"number": 123, "subject": "The printer does not print", "status": "resolved",
               "status_name": "Resolved", "priority": "high", "type": "incident",
               "channel": "telegram", "line": 1, "planned_reaction_at": None,
               "planned_resolution_at": "2026-03-02T17:00:00+00:00", "on_hold_until": None},
    "client": {"name": "Ivan Petrov", "company": "Acme"},
    "responsible": {"name": "Anna Smirnova"},
    "old": "open", "new": "resolved", "text": "A note from an automation rule",
}
SAMPLE_CONTENT = "Ticket #123 is resolved. Is everything in order?"
NOTICE_KEYS = (WRAPPER_KEY, "client.ticket_opened", "client.status.resolved",
               "client.status.on_hold", "client.status.awaiting_reply", "client.status.closed",
               "agents.ticket_opened",
               "agents.client_comment", "agents.mention", "agents.sla_warning",
               "agents.sla_breached", "agents.notify")


async def _notices_page(request: web.Request, key: str = "", body: str = "",
                        preview: str | None = None) -> web.Response:
    return render(request, "settings/notices.html", templates=await views.notice_templates(),
                  keys=NOTICE_KEYS, key=key, body=body, preview=preview, sample=SAMPLE)


async def _preview(renderer: NoticeRenderer, key: str, body: str) -> str:
    """The sample notice; a client's inside the saved design wrapper, as they would read it."""
    if key == WRAPPER_KEY:
        return renderer.wrap(body, SAMPLE_CONTENT, SAMPLE)
    text = renderer.render(body, SAMPLE) or ""
    wrapper = (await views.notice_templates()).get(WRAPPER_KEY)
    if text and wrapper and key.startswith("client."):
        return renderer.wrap(wrapper, text, SAMPLE)
    return text


@routes.get("/settings/notices")
@access(Access.ADMIN)
async def notices(request: web.Request) -> web.Response:
    key = request.query.get("key", "")[:100]
    body = (await views.notice_templates()).get(key, "")
    return await _notices_page(request, key, body)


@routes.post("/settings/notices")
@access(Access.ADMIN)
async def save_notice(request: web.Request) -> web.Response:
    form = await request.post()
    key, body = str(form.get("key", ""))[:100], str(form.get("body", ""))[:8000]
    renderer = NoticeRenderer(html=False)
    if form.get("preview"):
        try:
            renderer.check(body, key)
            text = await _preview(renderer, key, body)
        except DomainError as exc:
            text = request[TRANSLATOR].refusal(exc)
        return await _notices_page(request, key, body, text)
    try:
        renderer.check(body, key)
    except DomainError as exc:
        raise redirect(f"/settings/notices?{urlencode({'key': key})}",
                       request[TRANSLATOR].refusal(exc)) from None
    _, error = await run(request, c.SaveNoticeTemplate(request[EMPLOYEE].id, key, body))
    raise redirect(f"/settings/notices?{urlencode({'key': key})}",
                   error or request[TRANSLATOR]("Saved."))
