"""Settings pages for automation (administrators only, DOMAIN.md §6): trigger rules, macros
and recurring ticket schedules, created and edited here. Saving is SaveRule; order,
switches and deletion use the rule tables' shared routes (admin_web/settings_rules.py)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web import rule_forms
from admin_web.forms import integer, run
from admin_web.keys import CONFIG, DESK, EMPLOYEE, TRANSLATOR
from admin_web.render import redirect, render
from admin_web.security import Access, access
from admin_web.settings_rules import PAGES
from core import commands as c
from core.automation import Trigger
from core.conditions import Conditions
from core.tickets import Channel
from storage import panel_views as views
from storage.attributes import definitions

routes = web.RouteTableDef()


def _editing(request: web.Request, rules: list[Any]) -> Any:
    wanted = integer(request.query.get("edit"))
    return next((r for r in rules if r.id == wanted), None) if wanted else None


async def _page(request: web.Request, kind: str, **extra: Any) -> web.Response:
    rules = (await views.rule_tables())[kind]
    rule = _editing(request, rules)
    acts = {a.kind: a for a in getattr(rule, "actions", ())}
    _, answers = await views.canned()
    return render(request, f"settings/{kind}.html", ref=await views.reference(), rules=rules,
                  rule=rule, acts=acts, when=getattr(rule, "when", None) or Conditions(),
                  answers=answers, channels=list(Channel), **extra)


async def _save(request: web.Request, kind: str, read: Any) -> web.Response:
    """Read the form into a rule (None: a new one), hand it to the desk, back to the page."""
    form = await request.post()
    rule_id = integer(form.get("id")) or 0
    existing = next((r for r in (await views.rule_tables())[kind] if r.id == rule_id), None)
    back = PAGES[kind] + (f"?edit={existing.id}" if existing else "")
    try:
        rule = read(form, existing)
    except rule_forms.FormError as exc:
        tr = request[TRANSLATOR]
        values = {k: tr(str(v)) if k == "what" else v for k, v in exc.values.items()}
        raise redirect(back, tr(exc.message, **values)) from None
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id, rule))
    raise redirect(back if error else PAGES[kind], error or request[TRANSLATOR]("Saved."))


@routes.get("/settings/automation")
@access(Access.ADMIN)
async def automation_page(request: web.Request) -> web.Response:
    return await _page(request, "automation", triggers=list(Trigger),
                       fields=rule_forms.CHANGED_FIELDS, attributes=await definitions(),
                       companies=await views.companies())


@routes.post("/settings/automation")
@access(Access.ADMIN)
async def save_automation_rule(request: web.Request) -> web.Response:
    return await _save(request, "automation", rule_forms.automation_rule)


@routes.get("/settings/macros")
@access(Access.ADMIN)
async def macros_page(request: web.Request) -> web.Response:
    return await _page(request, "macros")


@routes.post("/settings/macros")
@access(Access.ADMIN)
async def save_macro(request: web.Request) -> web.Response:
    return await _save(request, "macros", rule_forms.macro)


@routes.get("/settings/schedules")
@access(Access.ADMIN)
async def schedules_page(request: web.Request) -> web.Response:
    contacts, _ = await views.contacts("", 1, 100)
    names = {ct.id: ct.name for ct in contacts}
    for schedule in (await views.rule_tables())["schedules"]:
        if schedule.contact_id not in names:
            found = await views.contact(schedule.contact_id)
            names[schedule.contact_id] = found.name if found else f"#{schedule.contact_id}"
    return await _page(request, "schedules", contacts=contacts, contact_names=names,
                       armed=await views.armed_schedules(),
                       zone=request.app[CONFIG].timezone)


@routes.post("/settings/schedules")
@access(Access.ADMIN)
async def save_schedule(request: web.Request) -> web.Response:
    zone, now = request.app[CONFIG].timezone, request.app[DESK].clock.now()
    return await _save(request, "schedules",
                       lambda form, existing: rule_forms.schedule(form, existing, zone, now))
