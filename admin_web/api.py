"""The JSON API `/api/v1/…` for integrations: token authentication (admin_web/security.py),
the same role checks and ticket visibility as the panel, every change via Desk.handle."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web import reporting
from admin_web import ticket_attributes as attrs
from admin_web.api_json import (
    ApiError,
    callback_json,
    comment_json,
    contact_json,
    employee_json,
    error_response,
    flag_field,
    id_field,
    iso,
    json_body,
    json_errors,
    run_command,
    text_field,
    ticket_json,
)
from admin_web.forms import YEARS, integer, path_id, plausible
from admin_web.keys import CONFIG, DESK, EMPLOYEE
from admin_web.openapi import OPERATIONS, document, operation
from admin_web.security import Access, access, now
from admin_web.ticket_list import attribute_filter, ticket_filter
from core import commands as c
from core.attributes import AttributeKind
from core.attributes import find as find_attribute
from core.attributes import visible as visible_attributes
from core.callbacks import CallbackHeld, CallbackRequest
from core.errors import DomainError
from core.tickets import Ticket
from storage import panel_views as views
from storage.attributes import definitions
from storage.callbacks import queue as callback_queue

routes = web.RouteTableDef()
async def _visible_ticket(request: web.Request) -> Ticket:
    """404 for a ticket that does not exist and for one the caller may not see alike."""
    ticket_id = path_id(request, "ticket_id")
    detail = await views.ticket_detail(ticket_id) \
        if await views.can_see(request[EMPLOYEE], ticket_id) else None
    if detail is None:
        raise ApiError(404, "not_found", f"no ticket #{ticket_id}")
    return detail.ticket


@operation("GET", "/api/v1/openapi.json", "The OpenAPI document of this API", Access.PUBLIC)
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())


@operation("GET", "/api/v1/tickets", "Tickets the caller may see, filtered and paged",
           Access.STAFF)
async def list_tickets(request: web.Request) -> web.Response:
    ref = await views.reference()
    per_page = min(100, integer(request.query.get("per_page")) or 25)
    page = await views.list_tickets(await _ticket_filter(request),
                                    await views.visible_ticket_ids(request[EMPLOYEE]), ref,
                                    now(), integer(request.query.get("page")) or 1, per_page)
    return web.json_response({"total": page.total, "page": page.page, "pages": page.pages,
                              "items": [ticket_json(i.ticket) for i in page.items]})


async def _ticket_filter(request: web.Request) -> views.TicketFilter:
    """The panel's list filters, with its custom attribute filter (`attr`, `attr_value`, §9.5).
    Where the panel drops a filter it cannot apply, the API says why: an attribute the role
    may not see is as unknown as a missing one, and a number or a date must be one."""
    q = request.query
    found = ticket_filter(q)
    code, value = q.get("attr", ""), q.get("attr_value", "")
    if not code and not value:
        return found
    if not code or not value.strip():
        raise ApiError(422, "invalid_input", "filter by an attribute with both attr (its code) "
                                             "and attr_value")
    try:
        chosen = find_attribute(await definitions(), code, request[EMPLOYEE].role)
        if chosen.kind in (AttributeKind.NUMBER, AttributeKind.DATE):
            chosen.parse(value)  # the panel finds nothing for a value that is none; say so
    except DomainError as exc:
        raise ApiError.refused(exc, 422) from exc
    return attribute_filter(found, {"attr": chosen.code, "attr_value": value}, [chosen])


@operation("POST", "/api/v1/tickets", "Register a ticket for a contact", Access.STAFF)
async def create_ticket(request: web.Request) -> web.Response:
    data = await json_body(request)
    ticket = await run_command(request, c.OpenTicketForClient(
        request[EMPLOYEE].id, id_field(data, "contact_id") or 0,
        text_field(data, "subject"), text_field(data, "text"),
        text_field(data, "type") or None, text_field(data, "priority") or None,
        _attribute_values(data.get("attributes"))))
    return web.json_response(await _with_attributes(request, ticket), status=201)


def _attribute_values(given: object) -> tuple[tuple[str, object], ...]:
    """`{"code": value}`; a value is a string, a number or null (to clear it)."""
    if given is None:
        return ()
    if not isinstance(given, dict) or not all(
            isinstance(v, str | int | float | None) and not isinstance(v, bool)
            for v in given.values()):
        raise ApiError(422, "invalid_input", "attributes is an object of code: string, "
                                             "number or null")
    return tuple((str(k), v) for k, v in given.items())


async def _with_attributes(request: web.Request, ticket: Ticket) -> dict[str, Any]:
    """The ticket with the custom attributes the caller's role may see (§9.5)."""
    return {**ticket_json(ticket), "attributes": attrs.values_json(
        ticket, await definitions(), request[EMPLOYEE].role)}


@operation("GET", "/api/v1/tickets/{ticket_id}", "A ticket with its comments", Access.STAFF)
async def get_ticket(request: web.Request) -> web.Response:
    ticket = await _visible_ticket(request)
    detail = await views.ticket_detail(ticket.id)
    assert detail is not None
    return web.json_response({**await _with_attributes(request, ticket),
                              "comments": [comment_json(m) for m in detail.comments]})


@operation("POST", "/api/v1/tickets/{ticket_id}/comments",
           "Add a public reply (optionally resolving) or a private note", Access.STAFF)
async def add_comment(request: web.Request) -> web.Response:
    ticket = await _visible_ticket(request)
    data = await json_body(request)
    me = request[EMPLOYEE].id
    text = text_field(data, "text")
    resolve = flag_field(data, "resolve", False)
    if flag_field(data, "public", True):
        comment = await run_command(request, c.AddAgentReply(ticket.id, me, text, resolve=resolve,
                                                      origin="api"))
    else:
        comment = await run_command(request, c.AddPrivateNote(ticket.id, me, text, origin="api"))
    return web.json_response(comment_json(comment), status=201)


@operation("POST", "/api/v1/tickets/{ticket_id}/status", "Change the status", Access.STAFF)
async def change_status(request: web.Request) -> web.Response:
    ticket = await _visible_ticket(request)
    data = await json_body(request)
    changed = await run_command(request, c.ChangeStatus(ticket.id, request[EMPLOYEE].id,
                                                 text_field(data, "status"), _until(data)))
    return web.json_response(ticket_json(changed))


def _until(data: dict[str, Any]) -> datetime | None:
    """The body's `until`: an ISO 8601 date and time with its offset, or None when not given."""
    if not data.get("until"):
        return None
    try:
        until = datetime.fromisoformat(str(data["until"]))
    except ValueError:
        raise ApiError(422, "invalid_input", "until is an ISO 8601 date and time") from None
    if until.tzinfo is None:
        raise ApiError(422, "invalid_input", "until needs a time zone offset")
    if not plausible(until):
        raise ApiError(422, "invalid_input", "until is a date between the years "
                                             f"{YEARS[0]} and {YEARS[1]}")
    return until


@operation("POST", "/api/v1/tickets/{ticket_id}/responsible",
           "Set the responsible employee and group", Access.STAFF)
async def set_responsible(request: web.Request) -> web.Response:
    ticket = await _visible_ticket(request)
    data = await json_body(request)
    changed = await run_command(request, c.AssignTicket(ticket.id, request[EMPLOYEE].id,
                                                 id_field(data, "responsible_id"),
                                                 id_field(data, "group_id")))
    return web.json_response(ticket_json(changed))


@operation("POST", "/api/v1/tickets/{ticket_id}/attributes",
           "Set custom attributes (all or none); null clears one", Access.STAFF)
async def set_attributes(request: web.Request) -> web.Response:
    ticket = await _visible_ticket(request)
    data = await json_body(request)
    values = _attribute_values(data.get("attributes", {}))
    changed = await run_command(request, c.SetTicketAttributes(ticket.id, request[EMPLOYEE].id,
                                                        values))
    return web.json_response(await _with_attributes(request, changed))


@operation("GET", "/api/v1/contacts", "Contacts the caller may see, by name, phone or e-mail",
           Access.STAFF)
async def list_contacts(request: web.Request) -> web.Response:
    found, total = await views.contacts(request.query.get("q", ""),
                                        integer(request.query.get("page")) or 1,
                                        within=await views.visible_contact_ids(
                                            request[EMPLOYEE]))
    return web.json_response({"total": total, "items": [contact_json(x) for x in found]})


@operation("GET", "/api/v1/contacts/{contact_id}", "One contact", Access.STAFF)
async def get_contact(request: web.Request) -> web.Response:
    """404 for a contact that does not exist and for one the caller may not see alike."""
    contact_id = path_id(request, "contact_id")
    visible = await views.visible_contact_ids(request[EMPLOYEE])
    found = await views.contact(contact_id) if visible is None or contact_id in visible \
        else None
    if found is None:
        return error_response(404, "not_found", "no such contact")
    return web.json_response(contact_json(found))


@operation("GET", "/api/v1/companies", "Companies", Access.STAFF)
async def list_companies(request: web.Request) -> web.Response:
    return web.json_response({"items": [
        {"id": x.id, "name": x.name, "category": x.category, "manager_id": x.manager_id}
        for x in await views.companies()]})


@operation("GET", "/api/v1/employees", "Employees", Access.STAFF)
async def list_employees(request: web.Request) -> web.Response:
    ref = await views.reference()
    return web.json_response({"items": [employee_json(e) for e in ref.employees]})


@operation("GET", "/api/v1/reference", "Statuses, priorities, types and groups", Access.STAFF)
async def reference(request: web.Request) -> web.Response:
    ref = await views.reference()
    return web.json_response({
        "statuses": [{"code": s.code, "name": s.name, "state": s.state.value,
                      "system": s.system, "pauses_sla": s.pauses_sla,
                      "excluded_from_load": s.excluded_from_load, "color": s.color}
                     for s in ref.workflow.statuses],
        "priorities": [{"code": p.code, "name": p.name, "color": p.color}
                       for p in ref.priorities],
        "types": [{"code": t.code, "name": t.name, "internal": t.internal} for t in ref.types],
        "groups": [{"id": g.id, "name": g.name, "member_ids": sorted(g.member_ids)}
                   for g in ref.groups],
        "attributes": [attrs.definition_json(d) for d in visible_attributes(
            await definitions(), request[EMPLOYEE].role)]})


@operation("GET", "/api/v1/reports/{kind}", "A report for a period as a table",
           Access.REPORTS)
async def report(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    if kind not in reporting.KINDS:
        return error_response(404, "not_found", f"reports are {', '.join(reporting.KINDS)}")
    zone = request.app[CONFIG].timezone
    period = reporting.parse_period(request.query, now().astimezone(ZoneInfo(zone)).date())
    q = request.query
    scope = period.scope(zone, integer(q.get("company")), integer(q.get("contact")),
                         integer(q.get("employee")))
    header, rows = await reporting.build(kind, scope, now(), lambda s: s)
    return web.json_response({"report": kind, "from": period.start.isoformat(),
                              "to": period.end.isoformat(), "columns": list(header),
                              "rows": [list(r) for r in rows]})


@operation("GET", "/api/v1/callbacks", "The call-back queue: new, in processing, postponed, "
           "recently processed", Access.STAFF)
async def list_callbacks(request: web.Request) -> web.Response:
    return web.json_response({"items": [callback_json(i.request, i.state)
                                        for i in await callback_queue(now())]})


@operation("POST", "/api/v1/callbacks", "Register a call-back request", Access.STAFF)
async def create_callback(request: web.Request) -> web.Response:
    data = await json_body(request)
    created = await run_command(request, c.RegisterCallback(
        text_field(data, "name"), text_field(data, "phone"), text_field(data, "comment"),
        request[EMPLOYEE].id))
    return web.json_response(callback_json(created, created.state), status=201)


async def _on_callback(request: web.Request, command: c.Command) -> web.Response:
    """The panel's rules: a request another employee holds is a 409 naming them."""
    try:
        changed: CallbackRequest = await request.app[DESK].handle(command)
    except CallbackHeld as held:
        return web.json_response({"error": held.kind, "code": held.code,
                                  "message": held.message,
                                  "holder_id": held.holder_id, "holder_name": held.holder_name,
                                  "since": iso(held.since)}, status=409)
    except DomainError as exc:
        raise ApiError.refused(exc) from exc
    desk_now = request.app[DESK].clock.now()  # the moment the command was judged at
    return web.json_response(callback_json(changed, changed.state_at(desk_now)))


@operation("POST", "/api/v1/callbacks/{request_id}/open",
           "Take a call-back request for processing (a lock)", Access.STAFF)
async def open_callback(request: web.Request) -> web.Response:
    return await _on_callback(request, c.OpenCallback(
        path_id(request, "request_id"), request[EMPLOYEE].id, request.app[CONFIG].callback_lock))


@operation("POST", "/api/v1/callbacks/{request_id}/release",
           "Put a call-back request back in the queue unprocessed", Access.STAFF)
async def release_callback(request: web.Request) -> web.Response:
    return await _on_callback(request, c.ReleaseCallback(path_id(request, "request_id"),
                                                         request[EMPLOYEE].id))


@operation("POST", "/api/v1/callbacks/{request_id}/processed",
           "Mark a call-back request processed", Access.STAFF)
async def mark_callback_processed(request: web.Request) -> web.Response:
    return await _on_callback(request, c.MarkCallbackProcessed(path_id(request, "request_id"),
                                                               request[EMPLOYEE].id))


@operation("POST", "/api/v1/callbacks/{request_id}/postpone",
           "Postpone a call-back request until a time", Access.STAFF)
async def postpone_callback(request: web.Request) -> web.Response:
    until = _until(await json_body(request))
    if until is None:
        raise ApiError(422, "invalid_input", "give until: when to call back")
    return await _on_callback(request, c.PostponeCallback(path_id(request, "request_id"),
                                                          request[EMPLOYEE].id, until))


for op in OPERATIONS:
    handler = json_errors(op.handler)
    access(op.access)(handler)
    routes.route(op.method, op.path.replace("{ticket_id}", "{ticket_id:\\d+}").replace(
        "{contact_id}", "{contact_id:\\d+}").replace("{request_id}", "{request_id:\\d+}")
                 )(handler)
