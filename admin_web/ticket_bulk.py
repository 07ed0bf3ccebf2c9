"""Bulk actions on the ticket list: assign, set a status or close the chosen tickets, each
through the core's own command, then one message saying which changed and which were
refused and why (grouped by reason, in the viewer's language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from multidict import MultiDictProxy

from admin_web.forms import integer, run
from admin_web.keys import EMPLOYEE, TRANSLATOR
from admin_web.render import redirect
from admin_web.security import Access, access
from core import commands as c
from core.people import Employee, Role
from core.statuses import CLOSED
from core.tickets import Ticket
from storage import panel_views as views

routes = web.RouteTableDef()
MAX_TICKETS = 100  # a page holds at most this many
ACTIONS = ("assign", "status", "close")
SHOWN = 15  # numbers named in the summary per line, so it fits the message


def may_hand_over(me: Employee, ticket: Ticket, responsible: int | None) -> bool:
    """A specialist gives a ticket to someone else only if it is theirs (as on its page)."""
    return me.role is not Role.SPECIALIST or responsible in (None, me.id) \
        or ticket.responsible_id == me.id


def _command(action: str, me: Employee, ticket: Ticket, form: MultiDictProxy[Any]
             ) -> c.Command:
    if action == "assign":
        return c.AssignTicket(ticket.id, me.id, integer(form.get("responsible")))
    status = CLOSED if action == "close" else str(form.get("status", ""))[:40]
    return c.ChangeStatus(ticket.id, me.id, status)


def summary(done: list[int], refused: dict[str, list[int]], tr: Callable[..., str]) -> str:
    def numbers(ids: list[int]) -> str:
        shown = ", ".join(f"#{i}" for i in ids[:SHOWN])
        return shown + (f" (+{len(ids) - SHOWN})" if len(ids) > SHOWN else "")

    parts = [tr("Changed: {tickets}.", tickets=numbers(done))] if done else []
    parts += [tr("Refused: {tickets} — {reason}", tickets=numbers(ids), reason=reason)
              for reason, ids in refused.items()]
    return " ".join(parts)


def _back(form: MultiDictProxy[Any]) -> str:
    """The list the form was sent from, with its filters and sort (a query string only)."""
    params = parse_qsl(str(form.get("back", ""))[:2000])
    return "/tickets" + ("?" + urlencode(params) if params else "")


@routes.post("/tickets/bulk")
@access(Access.STAFF)
async def bulk(request: web.Request) -> web.Response:
    form = await request.post()
    tr = request[TRANSLATOR]
    action = str(form.get("action", ""))
    if action not in ACTIONS:
        raise web.HTTPBadRequest(text="unknown action")
    chosen = list(dict.fromkeys(i for v in form.getall("ticket", [])
                                if (i := integer(v)) is not None and i > 0))[:MAX_TICKETS]
    if not chosen:
        raise redirect(_back(form), tr("Choose tickets first."))
    me: Employee = request[EMPLOYEE]
    visible = await views.visible_ticket_ids(me)
    found = await views.tickets_by_id(chosen)
    done: list[int] = []
    refused: dict[str, list[int]] = {}
    for ticket_id in chosen:
        ticket = found.get(ticket_id) if visible is None or ticket_id in visible else None
        error = tr("No such ticket.") if ticket is None else None
        if ticket is not None and action == "assign" \
                and not may_hand_over(me, ticket, integer(form.get("responsible"))):
            error = tr("Only the responsible agent or a lead can hand this ticket over.")
        if ticket is not None and error is None:
            _, error = await run(request, _command(action, me, ticket, form))
        if error is None:
            done.append(ticket_id)
        else:
            refused.setdefault(error, []).append(ticket_id)
    raise redirect(_back(form), summary(done, refused, tr))
