"""Tickets in the panel: the filtered list, the ticket page with its thread and history, and
the agent's actions on it (reply, note, status, take, assign, escalate, follow, link the
client to another ticket's) via Desk.handle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from urllib.parse import urlencode

from aiohttp import web

from admin_web import ticket_attributes as attrs
from admin_web.delivery_views import deliveries
from admin_web.forms import flag, integer, local_datetime, path_id, run
from admin_web.keys import EMPLOYEE, TRANSLATOR
from admin_web.render import redirect, render
from admin_web.security import Access, access, now
from core import commands as c
from core.attributes import AttributeDefinition, AttributeKind
from core.attributes import visible as visible_attributes
from core.canned import render as fill_canned
from core.errors import DomainError
from core.people import Employee, Role
from core.tickets import Channel
from storage import panel_views as views
from storage.attributes import definitions

routes = web.RouteTableDef()
PER_PAGE = 25
# What a served attachment may be labelled as; anything else is a plain download.
SAFE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
                        "text/plain", "audio/ogg", "audio/mpeg", "video/mp4"})


def ticket_filter(q: Mapping[str, str]) -> views.TicketFilter:
    """Filters from a query string, cut to the lengths the columns hold."""
    return views.TicketFilter(
        status=q.get("status", "")[:40], line=integer(q.get("line")),
        responsible=q.get("responsible", "")[:12], group_id=integer(q.get("group")),
        channel=q.get("channel", "")[:20], priority=q.get("priority", "")[:40],
        overdue=q.get("overdue", "") == "1", text=q.get("q", "")[:200],
        contact_id=integer(q.get("contact")))


def attribute_filter(f: views.TicketFilter, q: Mapping[str, str],
                     shown: Sequence[AttributeDefinition]) -> views.TicketFilter:
    """The custom attribute filter (§9.5), for an attribute the viewer may see. Any other
    code is dropped, so the list cannot be used to probe a hidden attribute's values."""
    chosen = next((d for d in shown if d.code == q.get("attr", "")), None)
    if chosen is None:
        return f
    value = q.get("attr_value", "")[:200]
    if chosen.kind in (AttributeKind.NUMBER, AttributeKind.DATE) and value.strip():
        with suppress(DomainError):  # a value that is none finds nothing
            value = str(chosen.parse(value))  # as the ticket stores it: 1500, 2025-03-01
    return replace(f, attribute=chosen.code, attribute_value=value,
                   attribute_contains=chosen.kind is AttributeKind.TEXT)


@routes.get("/tickets")
@access(Access.STAFF)
async def ticket_list(request: web.Request) -> web.Response:
    return await _list_page(request)


async def _list_page(request: web.Request, typed: Mapping[str, str] | None = None,
                     error: str | None = None, status: int = 200) -> web.Response:
    """The list with its filters and the new-ticket form; a refused form comes back filled
    in with what was typed, and the reason."""
    ref = await views.reference()
    shown = visible_attributes(await definitions(), request[EMPLOYEE].role)
    f = attribute_filter(ticket_filter(request.query), request.query, shown)
    page_no = integer(request.query.get("page")) or 1
    visible = await views.visible_ticket_ids(request[EMPLOYEE])
    page = await views.list_tickets(f, visible, ref, now(), page_no, PER_PAGE)
    params = {k: v for k, v in request.query.items() if k != "page" and v}
    return render(request, "tickets.html", status, page=page, f=f, ref=ref,
                  channels=list(Channel), query=urlencode(params), now=now(),
                  attributes=shown, typed=typed or {}, error=error)


async def _visible_detail(request: web.Request) -> views.TicketDetail:
    """The ticket, if this employee may see it: 404 otherwise (not even that it exists)."""
    ticket_id = path_id(request, "ticket_id")
    if not await views.can_see(request[EMPLOYEE], ticket_id):
        raise web.HTTPNotFound(text="No such ticket.")
    detail = await views.ticket_detail(ticket_id)
    if detail is None:
        raise web.HTTPNotFound(text="No such ticket.")
    return detail


@routes.get("/tickets/{ticket_id:\\d+}")
@access(Access.STAFF)
async def ticket_page(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    ref = await views.reference()
    groups, answers = await views.canned()
    me: Employee = request[EMPLOYEE]
    visible = await views.visible_ticket_ids(me)
    if visible is not None:
        detail.other_tickets = [t for t in detail.other_tickets if t.id in visible]
    draft = ""
    chosen = integer(request.query.get("canned"))
    answer = next((a for a in answers if a.id == chosen), None)
    if answer:
        draft = fill_canned(answer.body, {
            "client_name": detail.contact.name, "ticket_number": detail.ticket.number,
            "agent_name": me.name, "ticket_subject": detail.ticket.subject})
    workflow = ref.workflow
    targets = [s for s in workflow.statuses if workflow.allows(detail.ticket.status, s.code)]
    names = {e.id: e.name for e in ref.employees}
    defined = await definitions()
    detail.history = attrs.visible_history(detail.history, defined, me.role)
    return render(request, "ticket.html", d=detail, t=detail.ticket, ref=ref, names=names,
                  targets=targets, canned_groups=groups, canned_answers=answers, draft=draft,
                  current=workflow.get(detail.ticket.status) if detail.ticket.status in workflow
                  else None, now=now(), attributes=attrs.rows(detail.ticket, defined, me.role),
                  labels=attrs.history_labels(defined),
                  **await deliveries(request, detail.ticket.id, detail.ticket.channel))


def _ticket_url(ticket_id: int) -> str:
    return f"/tickets/{ticket_id}"


@routes.post("/tickets/{ticket_id:\\d+}/reply")
@access(Access.STAFF)
async def reply(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    form = await request.post()
    me = request[EMPLOYEE]
    text = str(form.get("text", ""))
    if form.get("private"):
        _, error = await run(request, c.AddPrivateNote(detail.ticket.id, me.id, text))
    else:
        _, error = await run(request, c.AddAgentReply(detail.ticket.id, me.id, text,
                                                      resolve=flag(form, "resolve")))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.post("/tickets/{ticket_id:\\d+}/status")
@access(Access.STAFF)
async def change_status(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    form = await request.post()
    _, error = await run(request, c.ChangeStatus(
        detail.ticket.id, request[EMPLOYEE].id, str(form.get("status", "")),
        until=local_datetime(request, form.get("until"))))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.post("/tickets/{ticket_id:\\d+}/take")
@access(Access.STAFF)
async def take(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    _, error = await run(request, c.TakeTicket(detail.ticket.id, request[EMPLOYEE].id))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.post("/tickets/{ticket_id:\\d+}/assign")
@access(Access.STAFF)
async def assign(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    form = await request.post()
    me: Employee = request[EMPLOYEE]
    responsible = integer(form.get("responsible"))
    if me.role is Role.SPECIALIST and responsible not in (None, me.id) \
            and detail.ticket.responsible_id != me.id:
        raise redirect(_ticket_url(detail.ticket.id),
                       request[TRANSLATOR]("Only the responsible agent or a lead can "
                                             "hand this ticket over."))
    _, error = await run(request, c.AssignTicket(detail.ticket.id, me.id, responsible,
                                                 integer(form.get("group"))))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.post("/tickets/{ticket_id:\\d+}/escalate")
@access(Access.STAFF)
async def escalate(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    form = await request.post()
    me = request[EMPLOYEE]
    if detail.ticket.line == 2:
        _, error = await run(request, c.Deescalate(detail.ticket.id, me.id))
    else:
        _, error = await run(request, c.Escalate(detail.ticket.id, me.id,
                                                 integer(form.get("group"))))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.post("/tickets/{ticket_id:\\d+}/field")
@access(Access.STAFF)
async def set_field(request: web.Request) -> web.Response:
    detail = await _visible_detail(request)
    form = await request.post()
    name = str(form.get("field", ""))
    value: object = str(form.get("value", "")) or None
    if name == "planned_resolution_at":
        value = local_datetime(request, form.get("value"))
        if value is None and str(form.get("value", "")).strip():  # unreadable: keep the old
            raise redirect(_ticket_url(detail.ticket.id),
                           request[TRANSLATOR]("Give a date and time, as 2025-03-01 09:30."))
    if name not in ("priority", "type_code", "subject", "planned_resolution_at") \
            and not name.startswith(attrs.PREFIX):
        raise web.HTTPBadRequest(text="unknown field")
    _, error = await run(request, c.SetTicketField(detail.ticket.id, request[EMPLOYEE].id,
                                                   name, value))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.get("/tickets/{ticket_id:\\d+}/files/{comment_id:\\d+}/{index:\\d+}")
@access(Access.STAFF)
async def attachment(request: web.Request) -> web.StreamResponse:
    """A file's metadata and reference. Served as a download with a safe type, never inline,
    so an uploaded HTML or SVG cannot run in the panel's origin."""
    detail = await _visible_detail(request)
    found = await views.attachment(detail.ticket.id, path_id(request, "comment_id"),
                                   path_id(request, "index"))
    if found is None:
        raise web.HTTPNotFound(text="No such file.")
    mime = str(found.get("mime_type") or "")
    name = "".join(ch for ch in str(found.get("name") or "file") if ch.isalnum() or ch in "._-")
    body = f"{found.get('kind')} {found.get('ref')}\n".encode()
    return web.Response(body=body, headers={
        "Content-Type": mime if mime in SAFE_TYPES else "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{name or "file"}.ref.txt"',
        "X-Content-Type-Options": "nosniff"})


@routes.post("/tickets/new")
@access(Access.STAFF)
async def new_ticket(request: web.Request) -> web.Response:
    form = await request.post()
    typed = {str(k): str(v) for k, v in form.items() if k != "csrf_token"}
    contact_id = integer(form.get("contact"))
    if contact_id is None:
        return await _list_page(request, typed, request[TRANSLATOR]("Choose a contact."), 400)
    ticket, error = await run(request, c.OpenTicketForClient(
        request[EMPLOYEE].id, contact_id, typed.get("subject", ""), typed.get("text", ""),
        typed.get("type") or None, typed.get("priority") or None, attrs.from_form(form)))
    if ticket is None:
        return await _list_page(request, typed, error, 400)
    raise redirect(_ticket_url(ticket.id))


@routes.post("/tickets/{ticket_id:\\d+}/{action:follow|unfollow}")
@access(Access.STAFF)
async def follow(request: web.Request) -> web.Response:
    """§5.3: the signed-in employee starts or stops observing the ticket."""
    detail = await _visible_detail(request)
    me = request[EMPLOYEE]
    command = c.AddObserver if request.match_info["action"] == "follow" else c.RemoveObserver
    _, error = await run(request, command(detail.ticket.id, me.id, me.id))
    raise redirect(_ticket_url(detail.ticket.id), error)


@routes.post("/tickets/{ticket_id:\\d+}/link")
@access(Access.STAFF)
async def link_contacts(request: web.Request) -> web.Response:
    """§8.2 from the panel: the client of ticket N is this ticket's client. A ticket the
    employee may not see is refused as if it did not exist."""
    detail = await _visible_detail(request)
    form = await request.post()
    me: Employee = request[EMPLOYEE]
    other = integer(str(form.get("other", "")).strip().lstrip("#"))
    tr = request[TRANSLATOR]
    if other is None:
        raise redirect(_ticket_url(detail.ticket.id), tr("Give the number of another ticket."))
    if not await views.can_see(me, other):
        raise redirect(_ticket_url(detail.ticket.id), tr("No such ticket."))
    _, error = await run(request, c.LinkContacts(detail.ticket.id, me.id, other))
    raise redirect(_ticket_url(detail.ticket.id), error)
