"""Settings pages for people (administrators only): employees and groups, companies and
their categories, contacts. Every change is a command for Desk.handle."""

from __future__ import annotations

import re

from aiohttp import web

from admin_web.forms import integer, path_id, run
from admin_web.keys import EMPLOYEE, SESSIONS, TRANSLATOR
from admin_web.localize import names_of
from admin_web.passwords import hash_password
from admin_web.render import redirect, render
from admin_web.security import Access, access
from core import commands as c
from core.people import Role
from storage import panel_views as views

routes = web.RouteTableDef()


@routes.get("/settings/employees")
@access(Access.ADMIN)
async def employees(request: web.Request) -> web.Response:
    return render(request, "settings/employees.html", ref=await views.reference(),
                  roles=list(Role), editing_names=True)


def _password(form: object) -> str | None:
    value = str(form.get("password", ""))  # type: ignore[attr-defined]
    return hash_password(value) if value else None


@routes.post("/settings/employees")
@access(Access.ADMIN)
async def add_employee(request: web.Request) -> web.Response:
    form = await request.post()
    password = str(form.get("password", ""))
    if password and len(password) < 10:
        raise redirect("/settings/employees",
                       request[TRANSLATOR]("A password has at least 10 characters."))
    _, error = await run(request, c.AddEmployee(
        str(form.get("name", "")), str(form.get("login", "")), str(form.get("role", "")),
        integer(form.get("telegram_id")), _password(form)))
    raise redirect("/settings/employees", error)


@routes.post("/settings/employees/{employee_id:\\d+}")
@access(Access.ADMIN)
async def update_employee(request: web.Request) -> web.Response:
    form = await request.post()
    me, target = request[EMPLOYEE].id, path_id(request, "employee_id")
    action = str(form.get("action", ""))
    error = None
    if action == "role":
        _, error = await run(request, c.SetEmployeeRole(me, target, str(form.get("role", ""))))
    elif action in ("activate", "deactivate"):
        _, error = await run(request, c.SetEmployeeActive(target, action == "activate"))
        if error is None and action == "deactivate":
            await request.app[SESSIONS].end_all(target)
    elif action == "telegram":
        _, error = await run(request, c.LinkTelegram(target, integer(form.get("telegram_id"))))
    elif action == "password":
        password = str(form.get("password", ""))
        if len(password) < 10:
            error = request[TRANSLATOR]("A password has at least 10 characters.")
        else:
            _, error = await run(request, c.SetEmployeePassword(
                target, hash_password(password), me))
            await request.app[SESSIONS].end_all(target)
    raise redirect("/settings/employees", error)


@routes.post("/settings/groups")
@access(Access.ADMIN)
async def save_group(request: web.Request) -> web.Response:
    form = await request.post()
    members = tuple(n for v in form.getall("members", []) if (n := integer(v)) is not None)
    notify = tuple(n for v in form.getall("notify", []) if (n := integer(v)) is not None)
    _, error = await run(request, c.SaveGroup(request[EMPLOYEE].id,
                                              integer(form.get("id")) or 0,
                                              str(form.get("name", "")), members, notify,
                                              names_of(form),
                                              _chat_id(form.get("telegram_chat_id"))))
    raise redirect("/settings/employees", error)


def _chat_id(value: object) -> int | None:
    """A Telegram chat id (beyond the 32 bits of our ids); empty is None, anything else
    that is no whole number is 0, which the core refuses with its reason."""
    text = str(value or "").strip()
    if not text:
        return None
    return int(text) if re.fullmatch(r"-?[0-9]{1,19}", text) else 0


@routes.post("/settings/groups/{group_id:\\d+}/delete")
@access(Access.ADMIN)
async def delete_group(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeleteGroup(request[EMPLOYEE].id,
                                                path_id(request, "group_id")))
    raise redirect("/settings/employees", error)


@routes.get("/settings/clients")
@access(Access.ADMIN)
async def clients(request: web.Request) -> web.Response:
    text = request.query.get("q", "")
    page = integer(request.query.get("page")) or 1
    contacts, total = await views.contacts(text, page)
    return render(request, "settings/clients.html", ref=await views.reference(),
                  companies=await views.companies(), contacts=contacts, total=total,
                  q=text, page=page)


@routes.post("/settings/companies")
@access(Access.ADMIN)
async def save_company(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SaveCompany(
        request[EMPLOYEE].id, integer(form.get("id")) or 0, str(form.get("name", "")),
        str(form.get("category", "")), integer(form.get("manager_id")),
        str(form.get("email_domain", "")) or None))
    raise redirect("/settings/clients", error)


@routes.post("/settings/contacts")
@access(Access.ADMIN)
async def save_contact(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SaveContact(
        request[EMPLOYEE].id, integer(form.get("id")) or 0, str(form.get("name", "")),
        str(form.get("phone", "")) or None, str(form.get("email", "")) or None,
        integer(form.get("company_id")), integer(form.get("manager_id"))))
    raise redirect("/settings/clients", error)
