"""Handlers for what administrators configure (docs/DOMAIN.md §2.3, §3.6, §8.2, §9): statuses,
priorities, types, canned answers, groups, companies, contacts and desk-wide settings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from core import commands as c
from core.automation import set_auto_close
from core.canned import CannedAnswer, CannedGroup
from core.catalog import Priority, TicketType
from core.clean import ascii_digits
from core.context import HandlerContext
from core.errors import InvalidInput, NotAllowed, NotFound
from core.people import Company, Contact, Employee, Group, Role
from core.statuses import ObjectState, Status

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_DAYS = 3650
RULE_TABLES = ("sla", "routing", "automation", "macros")

T = TypeVar("T")


async def _admin(ctx: HandlerContext, employee_id: int) -> Employee:
    employee = await ctx.active_employee(employee_id)
    if employee.role is not Role.ADMIN:
        raise NotAllowed("settings.admin_only")
    return employee


def _name(value: str, missing: str, limit: int = 100) -> str:
    """The name given, trimmed; `missing` is the refusal code when there is none."""
    name = value.strip()
    if not name:
        raise InvalidInput(missing)
    return name[:limit]


def _code(value: str, name: str, taken: Sequence[str]) -> str:
    """The code given, or one made from the name (`In progress` -> `in_progress`)."""
    code = value.strip().lower()
    if not code:
        code = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40]
        if not code or not code[0].isalpha():
            code = f"custom_{len(taken) + 1}"
        base, n = code, 2
        while code in taken:
            code, n = f"{base[:36]}_{n}", n + 1
    if not _CODE.match(code):
        raise InvalidInput("settings.bad_code")
    return code


def _color(value: str) -> str:
    if not _COLOR.match(value.strip()):
        raise InvalidInput("settings.bad_colour", value=value)
    return value.strip().lower()


# --- statuses -------------------------------------------------------------------------------
async def save_status(cmd: c.SaveStatus, ctx: HandlerContext) -> Status:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "status.name_missing")
    statuses = (await ctx.workflow()).statuses
    existing = next((s for s in statuses if s.code == cmd.code.strip()), None)
    try:
        state = ObjectState(cmd.state)
    except ValueError:
        raise InvalidInput("status.bad_state") from None
    if existing is None:
        code = _code(cmd.code, name, [s.code for s in statuses])
        position = max((s.position for s in statuses), default=-1) + 1
        status = Status(code, name, state, False, position=position)
    else:
        if existing.system and state is not existing.state:
            raise NotAllowed("status.system_state", name=existing.name,
                             state=existing.state.value)
        status = dataclasses.replace(existing, name=name, state=state)
    is_open = state is ObjectState.OPEN
    status = dataclasses.replace(
        status, color=_color(cmd.color), notify_client=cmd.notify_client, names=cmd.names,
        pauses_sla=cmd.pauses_sla and is_open,
        excluded_from_load=cmd.excluded_from_load and is_open)
    await ctx.uow.setup.save_status(status)
    return status


async def delete_status(cmd: c.DeleteStatus, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    status = (await ctx.workflow()).get(cmd.code)
    if status.system:
        raise NotAllowed("status.system", name=status.name)
    used = await ctx.uow.setup.tickets_using("status", status.code)
    if used:
        raise NotAllowed("status.in_use", count=used, name=status.name)
    await ctx.uow.setup.delete_status(status.code)


# --- priorities and types -------------------------------------------------------------------
async def save_priority(cmd: c.SavePriority, ctx: HandlerContext) -> Priority:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "priority.name_missing")
    priorities = await ctx.uow.catalog.priorities()
    existing = next((p for p in priorities if p.code == cmd.code.strip()), None)
    if existing is None:
        code = _code(cmd.code, name, [p.code for p in priorities])
        position = max((p.position for p in priorities), default=-1) + 1
        priority = Priority(code, name, _color(cmd.color), position, cmd.names)
    else:
        priority = dataclasses.replace(existing, name=name, color=_color(cmd.color),
                                       names=cmd.names)
    await ctx.uow.setup.save_priority(priority)
    return priority


async def delete_priority(cmd: c.DeletePriority, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    if cmd.code == (await ctx.settings()).default_priority:
        raise NotAllowed("priority.default")
    if cmd.code not in {p.code for p in await ctx.uow.catalog.priorities()}:
        raise NotFound("priority.not_found", value=cmd.code)
    used = await ctx.uow.setup.tickets_using("priority", cmd.code)
    if used:
        raise NotAllowed("priority.in_use", count=used)
    await ctx.uow.setup.delete_priority(cmd.code)


async def save_ticket_type(cmd: c.SaveTicketType, ctx: HandlerContext) -> TicketType:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "type.name_missing")
    types = await ctx.types()
    existing = types.get(cmd.code.strip())
    if existing is None:
        code = _code(cmd.code, name, list(types))
        position = max((t.position for t in types.values()), default=-1) + 1
        kind = TicketType(code, name, cmd.internal, position, cmd.names)
    else:
        kind = dataclasses.replace(existing, name=name, internal=cmd.internal,
                                   names=cmd.names)
    await ctx.uow.setup.save_ticket_type(kind)
    return kind


async def delete_ticket_type(cmd: c.DeleteTicketType, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    if cmd.code not in await ctx.types():
        raise NotFound("type.not_found", value=cmd.code)
    used = await ctx.uow.setup.tickets_using("type_code", cmd.code)
    if used:
        raise NotAllowed("type.in_use", count=used)
    await ctx.uow.setup.delete_ticket_type(cmd.code)


# --- order ----------------------------------------------------------------------------------
def _swap(items: list[T], key: Any, up: bool, key_of: Any) -> list[T]:
    index = next((i for i, x in enumerate(items) if str(key_of(x)) == str(key)), None)
    if index is None:
        raise NotFound("settings.nothing_to_move", key=key)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return [dataclasses.replace(x, position=i) for i, x in enumerate(items)]  # type: ignore[type-var]


async def move_item(cmd: c.MoveItem, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    setup = ctx.uow.setup
    if cmd.kind == "statuses":
        for status in _swap((await ctx.workflow()).statuses, cmd.key, cmd.up, lambda s: s.code):
            await setup.save_status(status)
    elif cmd.kind == "priorities":
        for p in _swap(await ctx.uow.catalog.priorities(), cmd.key, cmd.up, lambda p: p.code):
            await setup.save_priority(p)
    elif cmd.kind == "types":
        for t in _swap(await ctx.uow.catalog.ticket_types(), cmd.key, cmd.up, lambda t: t.code):
            await setup.save_ticket_type(t)
    elif cmd.kind == "canned_groups":
        for g in _swap(await ctx.uow.catalog.canned_groups(), cmd.key, cmd.up, lambda g: g.id):
            await setup.save_canned_group(g)
    elif cmd.kind == "canned_answers":
        answers = await ctx.uow.catalog.canned_answers()
        moved = next((a for a in answers if str(a.id) == cmd.key), None)
        if moved is None:
            raise NotFound("canned.not_found", id=cmd.key)
        siblings = [a for a in answers if a.group_id == moved.group_id]
        for a in _swap(siblings, cmd.key, cmd.up, lambda a: a.id):
            await setup.save_canned_answer(a)
    elif cmd.kind == "attributes":
        for d in _swap(await ctx.uow.catalog.attributes(), cmd.key, cmd.up, lambda d: d.code):
            await setup.save_attribute(d)
    elif cmd.kind in RULE_TABLES:  # §4.3, §5.1: first enabled matching rule wins
        table = getattr(ctx.uow.rules, cmd.kind)
        for rule in _swap(await table.all(), cmd.key, cmd.up, lambda r: r.id):
            await table.save(rule)
    else:
        raise InvalidInput("settings.cannot_reorder", kind=cmd.kind)


# --- canned answers -------------------------------------------------------------------------
async def save_canned_group(cmd: c.SaveCannedGroup, ctx: HandlerContext) -> CannedGroup:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "canned_group.name_missing")
    groups = await ctx.uow.catalog.canned_groups()
    if cmd.group_id:
        existing = next((g for g in groups if g.id == cmd.group_id), None)
        if existing is None:
            raise NotFound("canned_group.not_found", id=cmd.group_id)
        group = dataclasses.replace(existing, name=name, names=cmd.names)
    else:
        group = CannedGroup(0, name, max((g.position for g in groups), default=-1) + 1,
                            cmd.names)
    return await ctx.uow.setup.save_canned_group(group)


async def delete_canned_group(cmd: c.DeleteCannedGroup, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    await ctx.uow.setup.delete_canned_group(cmd.group_id)


async def save_canned_answer(cmd: c.SaveCannedAnswer, ctx: HandlerContext) -> CannedAnswer:
    await _admin(ctx, cmd.employee_id)
    title = _name(cmd.title, "canned.title_missing")
    body = cmd.body.strip()
    if not body:
        raise InvalidInput("canned.text_missing")
    if cmd.group_id not in {g.id for g in await ctx.uow.catalog.canned_groups()}:
        raise NotFound("canned_group.not_found", id=cmd.group_id)
    answers = await ctx.uow.catalog.canned_answers(cmd.group_id)
    if cmd.answer_id:
        existing = next((a for a in await ctx.uow.catalog.canned_answers()
                         if a.id == cmd.answer_id), None)
        if existing is None:
            raise NotFound("canned.not_found", id=cmd.answer_id)
        position = existing.position if existing.group_id == cmd.group_id else len(answers)
        answer = CannedAnswer(existing.id, cmd.group_id, title, body, position, cmd.names)
    else:
        position = max((a.position for a in answers), default=-1) + 1
        answer = CannedAnswer(0, cmd.group_id, title, body, position, cmd.names)
    return await ctx.uow.setup.save_canned_answer(answer)


async def delete_canned_answer(cmd: c.DeleteCannedAnswer, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    await ctx.uow.setup.delete_canned_answer(cmd.answer_id)


# --- team -----------------------------------------------------------------------------------
async def save_group(cmd: c.SaveGroup, ctx: HandlerContext) -> Group:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "group.name_missing")
    groups = await ctx.uow.setup.groups()
    if any(g.name.casefold() == name.casefold() and g.id != cmd.group_id for g in groups):
        raise InvalidInput("group.name_taken", name=name)
    forum = cmd.telegram_chat_id
    if forum is not None and forum >= 0:
        raise InvalidInput("group.forum_not_a_group", id=forum)
    if forum is not None and any(g.telegram_chat_id == forum and g.id != cmd.group_id
                                 for g in groups):
        raise InvalidInput("group.forum_taken", id=forum)
    known = {e.id for e in await ctx.uow.employees.list()}
    members = set(cmd.member_ids)
    if members - known:
        raise NotFound("employee.not_found", id=min(members - known))
    if cmd.group_id:
        existing = await ctx.uow.employees.get_group(cmd.group_id)
        group = dataclasses.replace(existing, name=name, member_ids=members,
                                    notify_ids=set(cmd.notify_ids) & members, names=cmd.names,
                                    telegram_chat_id=forum)
    else:
        group = Group(0, name, members, set(cmd.notify_ids) & members, names=cmd.names,
                      telegram_chat_id=forum)
    return await ctx.uow.setup.save_group(group)


async def delete_group(cmd: c.DeleteGroup, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    group = await ctx.uow.employees.get_group(cmd.group_id)
    used = await ctx.uow.setup.tickets_using("group_id", group.id)
    if used:
        raise NotAllowed("group.in_use", count=used, name=group.name)
    await ctx.uow.setup.delete_group(group.id)


async def set_employee_role(cmd: c.SetEmployeeRole, ctx: HandlerContext) -> Employee:
    await _admin(ctx, cmd.employee_id)
    try:
        role = Role(cmd.role)
    except ValueError:
        raise InvalidInput("team.bad_role", roles=", ".join(r.value for r in Role)) from None
    target = await ctx.uow.employees.get(cmd.target_id)
    if target.role is Role.ADMIN and role is not Role.ADMIN:
        admins = [e for e in await ctx.uow.employees.list()
                  if e.role is Role.ADMIN and e.active and e.id != target.id]
        if not admins:
            raise NotAllowed("team.last_admin")
    target.role = role
    await ctx.uow.employees.save(target)
    return target


async def set_employee_password(cmd: c.SetEmployeePassword, ctx: HandlerContext) -> Employee:
    if cmd.actor_id is not None and cmd.actor_id != cmd.employee_id:
        await _admin(ctx, cmd.actor_id)
    target = await ctx.uow.employees.get(cmd.employee_id)
    target.password_hash = cmd.password_hash
    await ctx.uow.employees.save(target)
    return target


# --- clients --------------------------------------------------------------------------------
def _optional(value: str | None, limit: int) -> str | None:
    return (value or "").strip()[:limit] or None


async def save_company(cmd: c.SaveCompany, ctx: HandlerContext) -> Company:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "company.name_missing", 200)
    categories = (await ctx.settings()).company_categories
    if cmd.category not in categories:
        raise InvalidInput("company.bad_category", categories=", ".join(categories))
    if cmd.manager_id is not None:
        await ctx.uow.employees.get(cmd.manager_id)
    if cmd.company_id:
        await ctx.uow.contacts.get_company(cmd.company_id)
    company = Company(cmd.company_id, name, cmd.category, cmd.manager_id,
                      _optional(cmd.email_domain, 200))
    return await ctx.uow.setup.save_company(company)


async def save_contact(cmd: c.SaveContact, ctx: HandlerContext) -> Contact:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "contact.name_missing", 200)
    if cmd.company_id is not None:
        await ctx.uow.contacts.get_company(cmd.company_id)
    if cmd.manager_id is not None:
        await ctx.uow.employees.get(cmd.manager_id)
    phone, email = _optional(ascii_digits(cmd.phone or ""), 40), _optional(cmd.email, 200)
    if cmd.contact_id:
        contact = dataclasses.replace(await ctx.uow.contacts.get(cmd.contact_id), name=name,
                                      phone=phone, email=email, company_id=cmd.company_id,
                                      manager_id=cmd.manager_id)
        await ctx.uow.contacts.save(contact)
        return contact
    return await ctx.uow.contacts.add(Contact(0, name, phone, email, cmd.company_id,
                                              cmd.manager_id))


async def set_company_categories(cmd: c.SetCompanyCategories, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    names = list(dict.fromkeys(n.strip()[:100] for n in cmd.names if n.strip()))
    if not names:
        raise InvalidInput("company.no_category")
    await ctx.uow.setup.save_settings({"company_categories": names})


async def set_desk_settings(cmd: c.SetDeskSettings, ctx: HandlerContext) -> None:
    await _admin(ctx, cmd.employee_id)
    for seconds, refusal in ((cmd.reopen_window_seconds, "settings.reopen_window_range"),
                             (cmd.auto_close_seconds, "settings.auto_close_range")):
        if not 0 <= seconds <= MAX_DAYS * 86400:
            raise InvalidInput(refusal, days=MAX_DAYS)
    if cmd.default_priority not in {p.code for p in await ctx.uow.catalog.priorities()}:
        raise InvalidInput("priority.not_found", value=cmd.default_priority)
    await ctx.uow.setup.save_settings({
        "reopen_window_seconds": cmd.reopen_window_seconds,
        "auto_close_seconds": cmd.auto_close_seconds,
        "default_priority": cmd.default_priority,
        "leads_see_reports": cmd.leads_see_reports,
    })
    await set_auto_close(cmd.auto_close_seconds, ctx)  # the rule that does it (§2.6)
