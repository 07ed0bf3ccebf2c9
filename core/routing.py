"""Routing and assignment (docs/DOMAIN.md §5): the routing rules table names who answers a new
ticket and who follows it; inside a group a member is picked, least loaded or in turn."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.conditions import Conditions, TicketFacts, first_match
from core.errors import NotFound
from core.people import Actor
from core.tickets import Ticket

if TYPE_CHECKING:
    from core.context import HandlerContext

log = logging.getLogger(__name__)

LEAST_LOADED = "least_loaded"
ROUND_ROBIN = "round_robin"


@dataclass(frozen=True)
class RoutingRule:
    id: int
    name: str
    when: Conditions = field(default_factory=Conditions)
    responsible_id: int | None = None
    group_id: int | None = None
    observer_ids: frozenset[int] = frozenset()
    observer_group_ids: frozenset[int] = frozenset()
    enabled: bool = True
    position: int = 0


def least_loaded(members: Sequence[int], loads: Mapping[int, int]) -> int | None:
    """The member with the fewest open tickets; ties go to the lowest id (stable)."""
    return min(members, key=lambda m: (loads.get(m, 0), m), default=None)


def next_in_turn(members: Sequence[int], last: int | None) -> int | None:
    """The member after the one chosen last time, in id order, wrapping around."""
    ordered = sorted(members)
    if not ordered:
        return None
    later = [m for m in ordered if last is not None and m > last]
    return later[0] if later else ordered[0]


async def _active(employee_ids: Sequence[int], ctx: HandlerContext) -> list[int]:
    active = []
    for employee_id in employee_ids:
        try:
            if (await ctx.uow.employees.get(employee_id)).active:
                active.append(employee_id)
        except NotFound:
            continue
    return sorted(active)


async def member_for(group_id: int, ctx: HandlerContext) -> int | None:
    """§5.4: an active member of the group, by the group's assignment mode."""
    group = await ctx.uow.employees.get_group(group_id)
    members = await _active(sorted(group.member_ids), ctx)
    if group.assignment == ROUND_ROBIN:
        chosen = next_in_turn(members, await ctx.uow.rules.last_assignee(group_id))
        if chosen is not None:
            await ctx.uow.rules.note_assignee(group_id, chosen)
        return chosen
    loads = {m: await ctx.uow.employees.open_ticket_count(m) for m in members}
    return least_loaded(members, loads)


async def assign_to(
    ticket: Ticket, employee_id: int | None, group_id: int | None, actor: Actor,
    ctx: HandlerContext,
) -> None:
    """Make an employee and/or a group responsible. A deactivated or unknown employee is
    never chosen: the group then picks a member, or the ticket keeps its responsible."""
    if employee_id is not None and not await _active([employee_id], ctx):
        log.warning("routing skips employee %s: deactivated or unknown", employee_id)
        employee_id = None
    if employee_id is None and group_id is not None:
        employee_id = await member_for(group_id, ctx)
    if employee_id is None and group_id is None:
        return
    ticket.assign(employee_id, actor, ctx.now, group_id)


async def route_new_ticket(
    ticket: Ticket, facts: TicketFacts, rules: Sequence[RoutingRule], ctx: HandlerContext
) -> RoutingRule | None:
    """Apply the first matching routing rule to a ticket just registered. Without one, the
    ticket keeps the default responsible it was opened with (§5.2)."""
    rule = first_match(rules, lambda r: r.when.matches(facts))
    if rule is None:
        return None
    actor = Actor.system()
    if rule.responsible_id is not None or rule.group_id is not None:
        await assign_to(ticket, rule.responsible_id, rule.group_id, actor, ctx)
    for observer_id in await _active(sorted(rule.observer_ids), ctx):
        ticket.add_observer(observer_id, actor, ctx.now)
    for group_id in sorted(rule.observer_group_ids):
        ticket.add_observer_group(group_id, actor, ctx.now)
    return rule
