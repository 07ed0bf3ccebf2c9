"""Settings pages for automation (administrators only, docs/DOMAIN.md §6): trigger rules, macros
and recurring ticket schedules, created and edited here. Saving is SaveRule; order,
switches and deletion use the rule tables' shared routes (admin_web/settings_rules.py). A
rule or macro form that is refused comes back filled in with what was typed, and the
reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from admin_web import rule_forms, schedule_form
from admin_web.forms import integer, run
from admin_web.i18n import Translator
from admin_web.keys import CONFIG, DESK, EMPLOYEE, TRANSLATOR
from admin_web.render import redirect, render
from admin_web.security import Access, access
from admin_web.settings_rules import PAGES
from admin_web.ticket_list import CHANNEL_NAMES
from core import commands as c
from core.automation import AutomationRule, Trigger
from core.tickets import Channel
from storage import panel_views as views
from storage.attributes import definitions

routes = web.RouteTableDef()


def _editing(request: web.Request, rules: list[Any]) -> Any:
    wanted = integer(request.query.get("edit"))
    return next((r for r in rules if r.id == wanted), None) if wanted else None


async def _page(request: web.Request, kind: str, rule: Any = None, status: int = 200,
                **extra: Any) -> web.Response:
    rules = (await views.rule_tables())[kind]
    _, answers = await views.canned()
    return render(
        request, f"settings/{kind}.html", status, ref=await views.reference(), rules=rules,
        rule=rule or _editing(request, rules), answers=answers, channels=list(Channel),
        channel_names=CHANNEL_NAMES, **extra)


async def _rule_page(request: web.Request, kind: str, rule: Any = None, form: Any = None,
                     error: str | None = None, status: int = 200,
                     more: bool = False) -> web.Response:
    """The page of trigger rules or macros, its form filled in from `form` (what was typed)
    or else from the rule being edited."""
    if form is None and rule is None:
        rule = _editing(request, (await views.rule_tables())[kind])
    if form is None and rule is not None:
        form = (rule_forms.rule_form(rule) if isinstance(rule, AutomationRule)
                else rule_forms.macro_form(rule))
    typed = rule_forms.Typed(form, more)
    extra: dict[str, Any] = {}
    if kind == "automation":
        extra = {"triggers": list(Trigger), "fields": rule_forms.CHANGED_FIELDS,
                 "attributes": await definitions(), "companies": await views.companies()}
    return await _page(request, kind, rule, status, v=typed, when=typed.choices(),
                       error=error, field_kinds=rule_forms.FIELD_KINDS, **extra)


def _message(tr: Translator, exc: rule_forms.FormError) -> str:
    values = {k: tr(str(v)) if k == "what" else v for k, v in exc.values.items()}
    text = tr(exc.message, **values)
    if exc.action is None:
        return text
    return tr("Action {number}: {error}", number=exc.action, error=text)


async def _existing(kind: str, form: Any) -> Any:
    rule_id = integer(form.get("id")) or 0
    return next((r for r in (await views.rule_tables())[kind] if r.id == rule_id), None)


async def _save_rule(request: web.Request, kind: str,
                     read: Callable[[Any, Any], Any]) -> web.Response:
    """Read the form into a rule or macro (None: a new one) and hand it to the desk. "More
    action rows" only shows the form again, with what was typed."""
    form = await request.post()
    existing = await _existing(kind, form)
    if "more" in form:
        return await _rule_page(request, kind, existing, form, more=True)
    try:
        rule = read(form, existing)
    except rule_forms.FormError as exc:
        return await _rule_page(request, kind, existing, form,
                                _message(request[TRANSLATOR], exc), 400)
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id, rule))
    if error:
        return await _rule_page(request, kind, existing, form, error, 400)
    raise redirect(PAGES[kind], request[TRANSLATOR]("Saved."))


@routes.get("/settings/automation")
@access(Access.ADMIN)
async def automation_page(request: web.Request) -> web.Response:
    return await _rule_page(request, "automation")


@routes.post("/settings/automation")
@access(Access.ADMIN)
async def save_automation_rule(request: web.Request) -> web.Response:
    return await _save_rule(request, "automation", rule_forms.automation_rule)


@routes.get("/settings/macros")
@access(Access.ADMIN)
async def macros_page(request: web.Request) -> web.Response:
    return await _rule_page(request, "macros")


@routes.post("/settings/macros")
@access(Access.ADMIN)
async def save_macro(request: web.Request) -> web.Response:
    return await _save_rule(request, "macros", rule_forms.macro)


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
    """A refused schedule goes back to the page with the reason (what was typed is lost)."""
    form = await request.post()
    existing = await _existing("schedules", form)
    back = PAGES["schedules"] + (f"?edit={existing.id}" if existing else "")
    zone, now = request.app[CONFIG].timezone, request.app[DESK].clock.now()
    try:
        schedule = schedule_form.schedule(form, existing, zone, now)
    except rule_forms.FormError as exc:
        raise redirect(back, _message(request[TRANSLATOR], exc)) from None
    _, error = await run(request, c.SaveRule(request[EMPLOYEE].id, schedule))
    raise redirect(back if error else PAGES["schedules"], error or request[TRANSLATOR]("Saved."))
