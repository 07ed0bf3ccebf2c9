"""SLA on live tickets (docs/DOMAIN.md §4): after each command, mark the reaction, place the
deadlines when a ticket is registered and again when something that matters changed
(priority, type, a resume or reopen, §4.5), and keep the warning and breach timers in step.
When a timer fires, report a warning or a breach once per ticket and target."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from core import events as ev
from core import timers as tm
from core.actions import ticket_people
from core.metrics import status_timeline
from core.people import Actor
from core.rulebook import RuleBook, facts_for
from core.sla import Deadline, Target, deadlines, rule_for
from core.statuses import OPEN, Workflow
from core.tickets import HistoryEntry, Ticket

if TYPE_CHECKING:
    from core.context import HandlerContext

log = logging.getLogger(__name__)

_RECOMPUTE_FIELDS = ("priority", "type_code")
WARNING, BREACH = "sla_warning", "sla_breach"  # history fields of the reports


def counting(workflow: Workflow) -> Callable[[str], bool]:
    return lambda code: code in workflow and workflow.get(code).counts_for_sla


def _reacted_at(events: list[ev.Event]) -> datetime | None:
    """§4.1, as metrics.first_response counts it: a public agent comment, or an agent moving
    the ticket away from Open."""
    for event in events:
        by_agent = event.actor.is_employee
        if isinstance(event, ev.CommentAdded) and by_agent and event.public:
            return event.at
        if isinstance(event, ev.StatusChanged) and by_agent and event.old == OPEN:
            return event.at
    return None


async def _history(ticket: Ticket, ctx: HandlerContext) -> list[HistoryEntry]:
    return await ctx.uow.history.for_ticket(ticket.id) + list(ticket.history)


def _reported(history: list[HistoryEntry], field: str, target: Target) -> bool:
    return any(h.field == field and h.new == target.value for h in history)


async def update_sla(ticket: Ticket, book: RuleBook, ctx: HandlerContext) -> None:
    counts = counting(await ctx.workflow())
    opened = recompute = manual = status_moved = False
    for event in ticket.events:
        if isinstance(event, ev.TicketOpened):
            opened = True
        elif isinstance(event, ev.StatusChanged):
            status_moved = True
            recompute |= counts(event.new) and not counts(event.old)  # resumed, reopened
        elif isinstance(event, ev.FieldChanged):
            recompute |= event.field_name in _RECOMPUTE_FIELDS
            manual |= event.field_name == "planned_resolution_at"
    reacted = _reacted_at(ticket.events)
    if ticket.reacted_at is None and reacted is not None:
        ticket.reacted_at = reacted
    if not counts(ticket.status):
        if status_moved:
            await ctx.uow.timers.cancel(ticket.id, tm.SLA_KINDS)
        return
    if opened or recompute:
        await _arm(ticket, await recompute_deadlines(ticket, book, ctx), ctx)
    elif manual or reacted is not None:
        await _arm(ticket, None, ctx)


async def recompute_deadlines(
    ticket: Ticket, book: RuleBook, ctx: HandlerContext
) -> dict[Target, Deadline] | None:
    """Place the matching rule's targets on the ticket's timeline; a deadline set by hand
    is kept. Without a matching rule the ticket has no SLA."""
    rule = rule_for(book.sla, await facts_for(ticket, ctx), book.calendars)
    if rule is None:
        ticket.planned_reaction_at = None
        if not ticket.resolution_set_by_hand:
            ticket.planned_resolution_at = None
        return None
    spans = status_timeline(await _history(ticket, ctx))
    try:
        plan = deadlines(rule, book.calendars[rule.calendar_id].hours, spans,
                         counting(await ctx.workflow()))
    except ValueError as exc:  # a calendar with no working time left: no deadline, no failure
        log.warning("SLA rule %s on ticket %s: %s", rule.id, ticket.id, exc)
        plan = {}
    reaction, resolution = plan.get(Target.REACTION), plan.get(Target.RESOLUTION)
    if ticket.reacted_at is None:
        ticket.planned_reaction_at = reaction.due_at if reaction else None
    if not ticket.resolution_set_by_hand:
        ticket.planned_resolution_at = resolution.due_at if resolution else None
    return plan


async def _arm(ticket: Ticket, plan: dict[Target, Deadline] | None, ctx: HandlerContext) -> None:
    """Warning and breach timers for the targets still running. `plan` is None when nothing
    moved the deadlines: only a reaction just met or a deadline set by hand is handled. A
    report already made is never armed again."""
    history = await _history(ticket, ctx)
    due = {Target.REACTION: ticket.planned_reaction_at,
           Target.RESOLUTION: ticket.planned_resolution_at}
    for target in Target:
        kinds = (tm.sla_warning(target), tm.sla_breach(target))
        if due[target] is None or (target is Target.REACTION and ticket.reacted_at):
            await ctx.uow.timers.cancel(ticket.id, kinds)
            continue
        by_hand = target is Target.RESOLUTION and ticket.resolution_set_by_hand
        if plan is None and not by_hand:
            continue
        # a deadline set by hand has no target to take a share of: no warning
        warn_at = plan[target].warn_at if plan and target in plan and not by_hand else None
        for kind, field, at in ((kinds[0], WARNING, warn_at), (kinds[1], BREACH, due[target])):
            if at is None or _reported(history, field, target):
                await ctx.uow.timers.cancel(ticket.id, [kind])
            else:
                await ctx.uow.timers.schedule(tm.Timer(kind, at, ticket.id))


async def fire_sla_timer(timer: tm.Timer, ticket: Ticket, ctx: HandlerContext) -> bool:
    """Report a warning or a breach if it still holds and was not reported before."""
    kind, _, target_name = timer.kind.partition(":")
    target = Target(target_name)
    due = ticket.planned_reaction_at if target is Target.REACTION else ticket.planned_resolution_at
    if due is None or not counting(await ctx.workflow())(ticket.status):
        return False
    if target is Target.REACTION and ticket.reacted_at is not None:
        return False
    warning = kind == WARNING
    if (warning and due <= ctx.now) or (not warning and due > ctx.now):
        return False  # the breach itself will be reported / the deadline moved on
    if _reported(await _history(ticket, ctx), kind, target):
        return False
    people = tuple(sorted(await ticket_people(ticket, ctx)))
    actor = Actor.system()
    event_type = ev.SlaWarning if warning else ev.SlaBreached
    ticket.events.append(event_type(ticket.id, ctx.now, actor, target.value, due, people))
    ticket.history.append(HistoryEntry(ticket.id, ctx.now, actor, kind, None, target.value))
    return True
