"""Handlers for administrators editing the desk's rules (calendars, SLA, routing, automation,
macros, recurring schedules, notice templates): checked here, so the panel and the API
change rules only through `Desk.handle`."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import commands as c
from core.actions import (
    Action,
    AddNote,
    Notify,
    SendCanned,
    SetLine,
    SetPriority,
    SetResponsible,
    SetStatus,
    SetType,
)
from core.automation import AutomationRule, Macro, Trigger
from core.context import HandlerContext
from core.cron import CronSchedule
from core.errors import InvalidInput, NotAllowed, NotFound
from core.recurring import RecurringSchedule
from core.routing import RoutingRule
from core.rule_ports import RuleTable
from core.sla import ServiceCalendar, SlaRule
from core.timer_handlers import arm_schedules

Rule = ServiceCalendar | SlaRule | RoutingRule | AutomationRule | Macro | RecurringSchedule
WRAPPER_KEY = "client.wrapper"  # §7.2: the design around every client notice
_PLACEHOLDER = re.compile(r"\{\{-?\s*content\s*-?\}\}")
KINDS = ("calendars", "sla", "routing", "automation", "macros", "schedules")


async def _admin(ctx: HandlerContext, employee_id: int) -> None:
    employee = await ctx.active_employee(employee_id)
    if employee.role.value != "admin":
        raise NotAllowed("rules.admin_only")


def _table(ctx: HandlerContext, kind: str) -> RuleTable[Rule]:
    if kind not in KINDS:
        raise InvalidInput("rules.no_table", kind=kind)
    table: RuleTable[Rule] = getattr(ctx.uow.rules, kind)
    return table


def _kind(rule: Rule) -> str:
    kinds: dict[type[Rule], str] = {
        ServiceCalendar: "calendars", SlaRule: "sla", RoutingRule: "routing",
        AutomationRule: "automation", Macro: "macros", RecurringSchedule: "schedules"}
    return kinds[type(rule)]


def _zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput("rules.bad_zone", name=name) from exc


async def _check(rule: Rule, ctx: HandlerContext) -> None:
    if not rule.name.strip():
        raise InvalidInput("rules.name_missing")
    window = getattr(getattr(rule, "when", None), "registered", None)
    if window is not None and window.timezone is not None:
        _zone(window.timezone)
    if isinstance(rule, SlaRule):
        await ctx.uow.rules.calendars.get(rule.calendar_id)
        if not 0 < rule.warning_share <= 1:
            raise InvalidInput("rules.warning_share")
        if rule.reaction is None and rule.resolution is None:
            raise InvalidInput("rules.sla_target")
    elif isinstance(rule, RoutingRule):
        if rule.responsible_id is not None:
            await ctx.active_employee(rule.responsible_id)
        if rule.group_id is not None:
            await ctx.uow.employees.get_group(rule.group_id)
    elif isinstance(rule, AutomationRule):
        if rule.trigger is Trigger.IDLE and not (rule.idle_hours or 0) > 0:
            raise InvalidInput("rules.idle_hours")
        await _check_actions(rule.actions, ctx)
    elif isinstance(rule, Macro):
        await _check_actions(rule.actions, ctx)
    elif isinstance(rule, RecurringSchedule):
        CronSchedule.parse(rule.cron)
        _zone(rule.timezone)
        await ctx.uow.contacts.get(rule.contact_id)
        template = rule.template
        if not template.subject.strip():
            raise InvalidInput("rules.recurring_subject")
        await _check_codes(template.priority, template.type_code, ctx)


async def _check_codes(priority: str | None, type_code: str | None,
                       ctx: HandlerContext) -> None:
    if priority is not None and priority not in {
            p.code for p in await ctx.uow.catalog.priorities()}:
        raise InvalidInput("priority.not_found", value=priority)
    if type_code is not None and type_code not in await ctx.types():
        raise InvalidInput("type.not_found", value=type_code)


async def _check_actions(actions: tuple[Action, ...], ctx: HandlerContext) -> None:
    """What a rule or macro would do must be possible when it fires: a refusal then is only
    logged, so a wrong code is refused now, while someone is there to read the error."""
    if not actions:
        raise InvalidInput("rules.no_actions")
    for action in actions:
        match action:
            case SetStatus(status=status, hold_hours=hours):
                (await ctx.workflow()).find(status)
                if not hours > 0:
                    raise InvalidInput("rules.hold_hours")
            case SetPriority(priority=priority):
                await _check_codes(priority, None, ctx)
            case SetType(type_code=type_code):
                await _check_codes(None, type_code, ctx)
            case SetResponsible(employee_id=employee_id, group_id=group_id):
                if employee_id is None and group_id is None:
                    raise InvalidInput("rules.responsible_missing")
                if employee_id is not None:
                    await ctx.active_employee(employee_id)
                if group_id is not None:
                    await ctx.uow.employees.get_group(group_id)
            case SetLine(line=line) if line not in (1, 2):
                raise InvalidInput("rules.bad_line")
            case AddNote(text=text) | Notify(text=text) if not text.strip():
                raise InvalidInput("rules.text_missing")
            case Notify(employee_ids=ids):
                for employee_id in ids:
                    await ctx.uow.employees.get(employee_id)
            case SendCanned(answer_id=answer_id) if answer_id not in {
                    a.id for a in await ctx.uow.catalog.canned_answers()}:
                raise NotFound("canned.not_found", id=answer_id)


async def save_rule(cmd: c.SaveRule, ctx: HandlerContext) -> Rule:
    await _admin(ctx, cmd.employee_id)
    rule: Rule = cmd.rule
    await _check(rule, ctx)
    saved = await _table(ctx, _kind(rule)).save(rule)
    if isinstance(saved, RecurringSchedule):
        await arm_schedules(ctx)
    return saved


async def delete_rule(cmd: c.DeleteRule, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    table = _table(ctx, cmd.kind)
    await table.get(cmd.rule_id)  # NotFound for a wrong id
    if cmd.kind == "calendars" and any(
            r.calendar_id == cmd.rule_id for r in await ctx.uow.rules.sla.all()):
        raise InvalidInput("rules.calendar_in_use")
    await table.delete(cmd.rule_id)
    if cmd.kind == "schedules":
        await arm_schedules(ctx)


async def save_notice_template(cmd: c.SaveNoticeTemplate, ctx: HandlerContext) -> None:
    """An empty text removes the template: the channel's own wording is used again."""
    await _admin(ctx, cmd.employee_id)
    key = cmd.key.strip()
    if not key.startswith(("client.", "agents.")):
        raise InvalidInput("notice.bad_key")
    if key == WRAPPER_KEY and cmd.body.strip() and not _PLACEHOLDER.search(cmd.body):
        raise InvalidInput("notice.no_placeholder", placeholder="{{ content }}")
    if cmd.body.strip():
        await ctx.uow.rules.notices.save(key, cmd.body)
    elif await ctx.uow.rules.notices.get(key) is not None:
        await ctx.uow.rules.notices.delete(key)
    else:
        raise NotFound("notice.not_found", key=key)
