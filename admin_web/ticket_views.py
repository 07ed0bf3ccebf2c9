"""Tickets in the panel: the ticket page with its thread and history, and
the agent's actions on it (reply, note, status, take, assign, escalate, follow, link the
client to another ticket's) via Desk.handle."""

from __future__ import annotations

from aiohttp import web

from admin_web import ticket_attributes as attrs
from admin_web.delivery_views import deliveries
from admin_web.forms import flag, integer, local_datetime, path_id, run
from admin_web.keys import EMPLOYEE, TRANSLATOR
from admin_web.render import local_formatter, redirect, render
from admin_web.security import Access, access, now
from admin_web.ticket_files import FILES, previewable
from admin_web.ticket_history import history_lines
from admin_web.ticket_list import CHANNEL_NAMES
from core import commands as c
from core.canned import render as fill_canned
from core.people import Employee, Role
from storage import panel_views as views
from storage.attributes import definitions

routes = web.RouteTableDef()
MAX_DRAFT = 20_000
DUE_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input shows and sends
ONLY_RESPONSIBLE = "Only the responsible agent or a lead can hand this ticket over."
# What a served attachment may be labelled as; anything else is a plain download.
SAFE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
                        "text/plain", "audio/ogg", "audio/mpeg", "video/mp4"})


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
    return await _ticket_response(request, await _visible_detail(request))


@routes.post("/tickets/{ticket_id:\\d+}/canned")
@access(Access.STAFF)
async def insert_canned(request: web.Request) -> web.Response:
    """Insert without a script: the page again, with the canned answer after the draft the
    agent had typed (the page's script does this in place, without a round trip)."""
    detail = await _visible_detail(request)
    form = await request.post()
    draft = str(form.get("text", ""))[:MAX_DRAFT]
    filled = await _filled_canned(request[EMPLOYEE], detail)
    answer = filled.get(integer(form.get("canned")) or 0, "")
    if draft.strip() and answer:
        draft = draft.rstrip() + "\n"
    return await _ticket_response(request, detail, draft + answer)


async def _filled_canned(me: Employee, detail: views.TicketDetail) -> dict[int, str]:
    """Every canned answer's text with this ticket's variables filled in."""
    _, answers = await views.canned()
    values = {"client_name": detail.contact.name, "ticket_number": detail.ticket.number,
              "agent_name": me.name, "ticket_subject": detail.ticket.subject}
    return {a.id: fill_canned(a.body, values) for a in answers}


async def _ticket_response(request: web.Request, detail: views.TicketDetail,
                           draft: str = "") -> web.Response:
    ref = await views.reference()
    groups, answers = await views.canned()
    me: Employee = request[EMPLOYEE]
    visible = await views.visible_ticket_ids(me)
    if visible is not None:
        detail.other_tickets = [t for t in detail.other_tickets if t.id in visible]
    workflow = ref.workflow
    targets = [s for s in workflow.statuses if s.code == detail.ticket.status
               or workflow.allows(detail.ticket.status, s.code)]
    defined = await definitions()
    history = await history_lines(
        attrs.visible_history(detail.history, defined, me.role), ref, request[TRANSLATOR],
        local_formatter(request), attrs.history_labels(defined))
    response = render(
        request, "ticket.html", d=detail, t=detail.ticket, ref=ref,
        names={e.id: e.name for e in ref.employees}, targets=targets, canned_groups=groups,
        canned_answers=answers, filled=await _filled_canned(me, detail), draft=draft,
        current=workflow.get(detail.ticket.status) if detail.ticket.status in workflow
        else None, now=now(), attributes=attrs.rows(detail.ticket, defined, me.role),
        history=history, due=local_formatter(request)(detail.ticket.planned_resolution_at,
                                                      DUE_FORMAT)
        if detail.ticket.planned_resolution_at else "",
        previews=previewable(detail.comments) if FILES in request.app else set(),
        channel_names=CHANNEL_NAMES,
        **await deliveries(request, detail.ticket.id, detail.ticket.channel))
    return response


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
        raise redirect(_ticket_url(detail.ticket.id), request[TRANSLATOR](ONLY_RESPONSIBLE))
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
