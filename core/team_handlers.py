"""Handlers for managing the team (docs/DOMAIN.md §9.1)."""

from __future__ import annotations

import re

from core import commands as c
from core.context import HandlerContext
from core.errors import InvalidInput, NotAllowed
from core.people import Employee, Role

_LOGIN = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")


async def add_employee(cmd: c.AddEmployee, ctx: HandlerContext) -> Employee:
    name, login = cmd.name.strip(), cmd.login.strip()
    if not name:
        raise InvalidInput("team.name_missing")
    if not _LOGIN.match(login):
        raise InvalidInput("team.bad_login")
    try:
        role = Role(cmd.role)
    except ValueError:
        raise InvalidInput("team.bad_role", roles=", ".join(r.value for r in Role)) from None
    if await ctx.uow.employees.by_login(login):
        raise InvalidInput("team.login_taken", login=login)
    if cmd.telegram_id is not None and await ctx.uow.employees.by_telegram_id(cmd.telegram_id):
        raise InvalidInput("team.telegram_taken", telegram_id=cmd.telegram_id)
    return await ctx.uow.employees.add(Employee(0, name[:200], login, role, True,
                                                cmd.telegram_id, cmd.password_hash))


async def set_employee_active(cmd: c.SetEmployeeActive, ctx: HandlerContext) -> Employee:
    employee = await ctx.uow.employees.get(cmd.employee_id)
    if not cmd.active and await ctx.uow.employees.open_ticket_count(employee.id,
                                                                       for_load=False):
        raise NotAllowed("team.has_open_tickets", name=employee.name)
    employee.active = cmd.active
    await ctx.uow.employees.save(employee)
    return employee


async def link_telegram(cmd: c.LinkTelegram, ctx: HandlerContext) -> Employee:
    employee = await ctx.uow.employees.get(cmd.employee_id)
    if cmd.telegram_id is not None:
        other = await ctx.uow.employees.by_telegram_id(cmd.telegram_id)
        if other and other.id != employee.id:
            raise InvalidInput("team.telegram_linked", telegram_id=cmd.telegram_id, name=other.name)
    employee.telegram_id = cmd.telegram_id
    await ctx.uow.employees.save(employee)
    return employee
