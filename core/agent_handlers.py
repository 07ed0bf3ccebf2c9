"""Handlers for what employees do to tickets (docs/DOMAIN.md §1.3-1.5, §2, §3.1-3.2, §3.7)."""

from __future__ import annotations

import re

from core import commands as c
from core.attribute_handlers import attribute_value, new_ticket_values
from core.client_handlers import MAX_TEXT, open_ticket
from core.context import HandlerContext
from core.errors import InvalidInput, NotFound
from core.names import answers_to
from core.people import Actor
from core.statuses import RESOLVED
from core.tickets import Comment, Ticket

# A login may hold dots and hyphens but does not end with one: "ask @boris." means boris.
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{1,63}[A-Za-z0-9_])")


def _text(text: str, attachments: tuple[object, ...]) -> str:
    text = text.strip()
    if not text and not attachments:
        raise InvalidInput("message.nothing")
    if len(text) > MAX_TEXT:
        raise InvalidInput("message.too_long", limit=MAX_TEXT)
    return text


async def _priority_code(value: object, ctx: HandlerContext) -> str:
    """The code of the priority an agent named by code or name (in any language and case)."""
    priorities = await ctx.uow.catalog.priorities()
    for priority in priorities:
        if answers_to(str(value), priority.code, priority.name, priority.names):
            return priority.code
    raise InvalidInput("priority.choose", value=value,
                       names=", ".join(p.name for p in priorities))


async def open_ticket_for_client(cmd: c.OpenTicketForClient, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    subject = cmd.subject.strip()[:200]
    if not subject:
        raise InvalidInput("ticket.subject_missing")
    if cmd.type_code and cmd.type_code not in await ctx.types():
        raise InvalidInput("type.not_found", value=cmd.type_code)
    priority = None if cmd.priority is None else await _priority_code(cmd.priority, ctx)
    attributes = await new_ticket_values(ctx, cmd.employee_id, cmd.attributes)
    contact = await ctx.uow.contacts.get(cmd.contact_id)
    actor = Actor.employee(cmd.employee_id)
    ticket = await open_ticket(ctx, contact, subject, "agent", actor,
                               type_code=cmd.type_code, priority=priority)
    for code, value in attributes.items():
        ticket.set_field(f"attr:{code}", value, actor, ctx.now)
    if cmd.text.strip():
        await ctx.add_comment(ticket, Comment(ticket.id, actor, cmd.text.strip(), False,
                                              "panel", ctx.now))
    return ticket


async def add_agent_reply(cmd: c.AddAgentReply, ctx: HandlerContext) -> Comment:
    await ctx.active_employee(cmd.employee_id)
    text = _text(cmd.text, cmd.attachments)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    actor = Actor.employee(cmd.employee_id)
    comment = await ctx.add_comment(ticket, Comment(
        ticket.id, actor, text, True, cmd.origin, ctx.now, cmd.attachments))
    if cmd.resolve and ticket.status != RESOLVED:
        ticket.change_status(await ctx.workflow(), RESOLVED, actor, ctx.now)
    return comment


async def add_private_note(cmd: c.AddPrivateNote, ctx: HandlerContext) -> Comment:
    await ctx.active_employee(cmd.employee_id)
    text = _text(cmd.text, cmd.attachments)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    actor = Actor.employee(cmd.employee_id)
    comment = await ctx.add_comment(ticket, Comment(
        ticket.id, actor, text, False, cmd.origin, ctx.now, cmd.attachments))
    logins = sorted(set(_MENTION.findall(text)))
    if logins:
        mentioned = [e for e in await ctx.uow.employees.by_logins(logins)
                     if e.active and e.id != cmd.employee_id]
        if mentioned:
            ticket.mention(comment.id, tuple(e.id for e in mentioned), actor, ctx.now)
    return comment


async def take_ticket(cmd: c.TakeTicket, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    holder = None
    if ticket.responsible_id not in (None, cmd.employee_id):
        try:
            holder = (await ctx.uow.employees.get(ticket.responsible_id or 0)).name
        except NotFound:
            holder = None
    ticket.take(cmd.employee_id, ctx.now, holder)
    return ticket


async def assign_ticket(cmd: c.AssignTicket, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    if cmd.responsible_id is not None:
        target = await ctx.uow.employees.get(cmd.responsible_id)
        if not target.active:
            raise InvalidInput("team.responsible_deactivated", name=target.name)
    if cmd.group_id is not None:
        await ctx.uow.employees.get_group(cmd.group_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    ticket.assign(cmd.responsible_id, Actor.employee(cmd.employee_id), ctx.now, cmd.group_id)
    return ticket


async def escalate(cmd: c.Escalate, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    ticket.escalate(Actor.employee(cmd.employee_id), ctx.now, cmd.group_id)
    return ticket


async def deescalate(cmd: c.Deescalate, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    ticket.deescalate(Actor.employee(cmd.employee_id), ctx.now,
                      await ctx.uow.history.for_ticket(ticket.id))
    return ticket


async def change_status(cmd: c.ChangeStatus, ctx: HandlerContext) -> Ticket:
    actor = Actor.system()
    if cmd.employee_id is not None:
        await ctx.active_employee(cmd.employee_id)
        actor = Actor.employee(cmd.employee_id)
    workflow = await ctx.workflow()
    status = workflow.find(cmd.status)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    ticket.change_status(workflow, status.code, actor, ctx.now, until=cmd.until,
                         reopen_window=(await ctx.settings()).reopen_window)
    return ticket


async def set_ticket_field(cmd: c.SetTicketField, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    value = cmd.value
    if cmd.field == "priority":
        value = await _priority_code(value, ctx)
    elif cmd.field == "type_code" and value is not None and value not in await ctx.types():
        raise InvalidInput("type.not_found", value=value)
    elif cmd.field == "subject":
        value = str(value).strip()[:200]
        if not value:
            raise InvalidInput("ticket.subject_missing")
    elif cmd.field.startswith("attr:"):
        value = await attribute_value(ctx, cmd.employee_id, cmd.field[5:], value)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    actor = Actor.employee(cmd.employee_id)
    if cmd.field == "planned_resolution_at":
        ticket.set_planned_resolution(value, actor, ctx.now)
    else:
        ticket.set_field(cmd.field, value, actor, ctx.now)
    return ticket


async def add_observer(cmd: c.AddObserver, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    await ctx.uow.employees.get(cmd.observer_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    ticket.add_observer(cmd.observer_id, Actor.employee(cmd.employee_id), ctx.now)
    return ticket


async def remove_observer(cmd: c.RemoveObserver, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    ticket.remove_observer(cmd.observer_id, Actor.employee(cmd.employee_id), ctx.now)
    return ticket
