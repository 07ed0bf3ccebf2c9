"""What automation rules and macros do to a ticket (docs/DOMAIN.md §6.1-6.2): one small dataclass
per action, and `apply_action` performing it through the ticket's own methods."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from core import events as ev
from core.canned import render
from core.errors import InvalidInput, NotFound
from core.people import Actor
from core.routing import assign_to
from core.statuses import ON_HOLD
from core.tickets import Comment, Ticket

if TYPE_CHECKING:
    from core.context import HandlerContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SetStatus:
    status: str
    hold_hours: float = 24.0  # On hold needs an "until": this many hours from now

    kind = "set_status"


@dataclass(frozen=True)
class SetPriority:
    priority: str

    kind = "set_priority"


@dataclass(frozen=True)
class SetType:
    type_code: str | None

    kind = "set_type"


@dataclass(frozen=True)
class SetResponsible:
    """An employee, or a group (a member is picked as routing does, §5.4), or both."""

    employee_id: int | None = None
    group_id: int | None = None

    kind = "set_responsible"


@dataclass(frozen=True)
class SetLine:
    line: int

    kind = "set_line"


@dataclass(frozen=True)
class AddNote:
    text: str

    kind = "add_note"


@dataclass(frozen=True)
class Notify:
    """Tell the ticket's people (responsible, observers, the group's list) and/or the named
    employees; the team chat renders it."""

    text: str
    employee_ids: tuple[int, ...] = ()
    ticket_people: bool = True

    kind = "notify"


@dataclass(frozen=True)
class SendCanned:
    answer_id: int

    kind = "send_canned"


Action = (SetStatus | SetPriority | SetType | SetResponsible | SetLine | AddNote | Notify
          | SendCanned)
ACTION_TYPES: tuple[type[Action], ...] = (
    SetStatus, SetPriority, SetType, SetResponsible, SetLine, AddNote, Notify, SendCanned)


async def variables(ticket: Ticket, actor: Actor, ctx: HandlerContext) -> dict[str, object]:
    """The values canned answers and notes may use (§3.6)."""
    contact = await ctx.uow.contacts.get(ticket.contact_id)
    agent = ""
    if actor.is_employee and actor.id is not None:
        agent = (await ctx.uow.employees.get(actor.id)).name
    return {"client_name": contact.name, "ticket_number": ticket.number,
            "agent_name": agent, "ticket_subject": ticket.subject}


async def ticket_people(ticket: Ticket, ctx: HandlerContext) -> set[int]:
    """Who hears of a ticket (§7.3): responsible, observers, observer groups' and the
    responsible group's notification lists; deactivated accounts are left out."""
    people = set(ticket.observer_ids)
    if ticket.responsible_id is not None:
        people.add(ticket.responsible_id)
    for group_id in {ticket.group_id, *ticket.observer_group_ids} - {None}:
        try:
            people |= (await ctx.uow.employees.get_group(group_id or 0)).notify_ids
        except NotFound:
            continue
    active = set()
    for employee_id in people:
        try:
            if (await ctx.uow.employees.get(employee_id)).active:
                active.add(employee_id)
        except NotFound:
            continue
    return active


async def apply_action(action: Action, ticket: Ticket, actor: Actor, ctx: HandlerContext) -> None:
    """Perform one action; refusals (a transition the workflow forbids, an unknown code)
    raise DomainError for the caller to report or log."""
    now = ctx.now
    match action:
        case SetStatus(status=status, hold_hours=hours):
            workflow = await ctx.workflow()
            code = workflow.find(status).code
            if code != ticket.status:
                until = now + timedelta(hours=hours) if code == ON_HOLD else None
                ticket.change_status(workflow, code, actor, now, until=until,
                                     reopen_window=(await ctx.settings()).reopen_window)
        case SetPriority(priority=priority):
            if priority not in {p.code for p in await ctx.uow.catalog.priorities()}:
                raise InvalidInput("priority.not_found", value=priority)
            ticket.set_field("priority", priority, actor, now)
        case SetType(type_code=type_code):
            if type_code is not None and type_code not in await ctx.types():
                raise InvalidInput("type.not_found", value=type_code)
            ticket.set_field("type_code", type_code, actor, now)
        case SetResponsible(employee_id=employee_id, group_id=group_id):
            await assign_to(ticket, employee_id, group_id, actor, ctx)
        case SetLine(line=line):
            if line == 2 and ticket.line == 1:
                ticket.escalate(actor, now)
            elif line == 1 and ticket.line == 2:
                ticket.deescalate(actor, now, await ctx.uow.history.for_ticket(ticket.id))
        case AddNote(text=text):
            body = render(text, await variables(ticket, actor, ctx))
            await ctx.add_comment(ticket, Comment(ticket.id, actor, body, False, "system", now))
        case Notify(text=text, employee_ids=ids, ticket_people=to_people):
            people = set(ids) | (await ticket_people(ticket, ctx) if to_people else set())
            body = render(text, await variables(ticket, actor, ctx))
            ticket.events.append(ev.TeamNotified(ticket.id, now, actor, body,
                                                 tuple(sorted(people))))
        case SendCanned(answer_id=answer_id):
            answers = {a.id: a for a in await ctx.uow.catalog.canned_answers()}
            if answer_id not in answers:
                raise InvalidInput("canned.not_found", id=answer_id)
            body = render(answers[answer_id].body, await variables(ticket, actor, ctx))
            await ctx.add_comment(ticket, Comment(ticket.id, actor, body, True, "system", now))
