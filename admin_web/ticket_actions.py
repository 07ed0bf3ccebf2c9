"""The ticket page's action bar: status, responsible and group, priority, type and the
resolution due, saved by one form. Only what the agent changed becomes a command (so an
untouched field writes no history and meets no refusal); the first refusal stops the rest
and is shown, otherwise "Saved."."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from admin_web.forms import integer, local_datetime, run
from admin_web.keys import EMPLOYEE, TRANSLATOR
from admin_web.render import local_formatter, redirect
from admin_web.security import Access, access
from admin_web.ticket_views import DUE_FORMAT, ONLY_RESPONSIBLE, _ticket_url, _visible_detail
from core import commands as c
from core.commands import Command
from core.people import Employee, Role
from core.statuses import ON_HOLD
from core.tickets import Ticket

routes = web.RouteTableDef()


class Refused(Exception):
    """A field of the form that cannot be read; its message is for the person."""


def _field_commands(request: web.Request, t: Ticket, form: Mapping[str, Any]
                    ) -> list[Command]:
    me: Employee = request[EMPLOYEE]
    commands: list[Command] = []
    priority = str(form.get("priority", ""))
    if priority and priority != t.priority:
        commands.append(c.SetTicketField(t.id, me.id, "priority", priority))
    if "type_code" in form and (str(form["type_code"]) or None) != t.type_code:
        commands.append(c.SetTicketField(t.id, me.id, "type_code",
                                         str(form["type_code"]) or None))
    due = str(form.get("due", "")).strip()
    if due and due != local_formatter(request)(t.planned_resolution_at, DUE_FORMAT):
        moment = local_datetime(request, due)
        if moment is None:
            raise Refused("Give a date and time, as 2025-03-01 09:30.")
        commands.append(c.SetTicketField(t.id, me.id, "planned_resolution_at", moment))
    return commands


def _assignment(me: Employee, t: Ticket, form: Mapping[str, Any]) -> list[Command]:
    if "responsible" not in form:
        return []
    responsible = integer(form.get("responsible"))
    group = integer(form.get("group")) if "group" in form else t.group_id
    if (responsible, group) == (t.responsible_id, t.group_id):
        return []
    if me.role is Role.SPECIALIST and responsible not in (None, me.id) \
            and t.responsible_id != me.id:
        raise Refused(ONLY_RESPONSIBLE)
    return [c.AssignTicket(t.id, me.id, responsible, group)]


def _status(request: web.Request, t: Ticket, form: Mapping[str, Any]) -> list[Command]:
    status, typed = str(form.get("status", "")), str(form.get("until", "")).strip()
    until = local_datetime(request, typed)
    if typed and until is None:
        raise Refused("Give a date and time, as 2025-03-01 09:30.")
    if status == t.status == ON_HOLD:  # the same status: only a new resume time is a change
        shown = local_formatter(request)(t.on_hold_until, DUE_FORMAT)
        return [] if not typed or typed == shown else [
            c.ChangeStatus(t.id, request[EMPLOYEE].id, status, until=until)]
    if not status or status == t.status:
        return []
    return [c.ChangeStatus(t.id, request[EMPLOYEE].id, status, until=until)]


@routes.post("/tickets/{ticket_id:\\d+}/update")
@access(Access.STAFF)
async def update(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    t, form, tr = detail.ticket, await request.post(), request[TRANSLATOR]
    try:  # the status last: closing first could refuse the other changes
        commands = (_field_commands(request, t, form) + _assignment(request[EMPLOYEE], t, form)
                    + _status(request, t, form))
    except Refused as refused:
        raise redirect(_ticket_url(t.id), tr(str(refused))) from None
    for command in commands:
        _, error = await run(request, command)
        if error:
            raise redirect(_ticket_url(t.id), error)
    raise redirect(_ticket_url(t.id), tr("Saved.") if commands else tr("Nothing changed."))
