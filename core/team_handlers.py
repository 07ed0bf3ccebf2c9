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
        raise InvalidInput("an employee needs a name")
    if not _LOGIN.match(login):
        raise InvalidInput("a login is 2-64 letters, digits, dots, dashes or underscores")
    try:
        role = Role(cmd.role)
    except ValueError:
        raise InvalidInput(f"role must be one of {', '.join(r.value for r in Role)}") from None
    if await ctx.uow.employees.by_login(login):
        raise InvalidInput(f"the login {login!r} is taken")
    if cmd.telegram_id is not None and await ctx.uow.employees.by_telegram_id(cmd.telegram_id):
        raise InvalidInput(f"Telegram id {cmd.telegram_id} is linked to another employee")
    return await ctx.uow.employees.add(Employee(0, name[:200], login, role, True,
                                                cmd.telegram_id, cmd.password_hash))


async def set_employee_active(cmd: c.SetEmployeeActive, ctx: HandlerContext) -> Employee:
    employee = await ctx.uow.employees.get(cmd.employee_id)
    if not cmd.active and await ctx.uow.employees.open_ticket_count(employee.id,
                                                                       for_load=False):
        raise NotAllowed(f"{employee.name} is responsible for open tickets; reassign them "
                         "before deactivating the account")
    employee.active = cmd.active
    await ctx.uow.employees.save(employee)
    return employee


async def link_telegram(cmd: c.LinkTelegram, ctx: HandlerContext) -> Employee:
    employee = await ctx.uow.employees.get(cmd.employee_id)
    if cmd.telegram_id is not None:
        other = await ctx.uow.employees.by_telegram_id(cmd.telegram_id)
        if other and other.id != employee.id:
            raise InvalidInput(f"Telegram id {cmd.telegram_id} is linked to {other.name}")
    employee.telegram_id = cmd.telegram_id
    await ctx.uow.employees.save(employee)
    return employee
