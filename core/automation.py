"""Automation (docs/DOMAIN.md §6.1-6.2, §2.6-2.7): trigger rules that act on a ticket when
something happens to it, and macros an agent applies in one step.

Loops are impossible: every event remembers the chain of rules whose actions caused it; a
rule never fires on an event its own action caused (directly or further down the chain),
and a chain longer than MAX_CHAIN is cut and logged."""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from core import events as ev
from core.actions import Action, SetStatus, apply_action
from core.conditions import Conditions, TicketFacts, in_order
from core.errors import DomainError, NotFound
from core.names import Names
from core.people import Actor
from core.statuses import AWAITING_REPLY, CLOSED, OPEN, RESOLVED
from core.tickets import Ticket
from core.timers import IDLE, Timer

if TYPE_CHECKING:
    from core.context import HandlerContext

log = logging.getLogger(__name__)

MAX_CHAIN = 3


class Trigger(StrEnum):
    CREATED = "created"
    CLIENT_REPLIED = "client_replied"
    AGENT_REPLIED = "agent_replied"
    STATUS_CHANGED = "status_changed"
    FIELD_CHANGED = "field_changed"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    IDLE = "idle"


@dataclass(frozen=True)
class AutomationRule:
    id: int
    name: str
    trigger: Trigger
    actions: tuple[Action, ...]
    when: Conditions = field(default_factory=Conditions)  # on the ticket as it is now
    field: str | None = None  # field_changed: priority, type_code, responsible, line, attr:x
    from_statuses: frozenset[str] = frozenset()  # status_changed: the status it left
    idle_hours: float | None = None  # idle: hours without activity
    enabled: bool = True
    position: int = 0
    names: Names = Names()  # the name in other languages


@dataclass(frozen=True)
class Macro:
    id: int
    name: str
    actions: tuple[Action, ...]
    enabled: bool = True
    position: int = 0


def default_rules() -> list[AutomationRule]:
    """What every desk starts with; both are ordinary rules an administrator may edit or
    disable."""
    return [
        AutomationRule(1, "Client replies to Awaiting reply: back to Open",
                       Trigger.CLIENT_REPLIED, (SetStatus(OPEN),),
                       Conditions(statuses=frozenset({AWAITING_REPLY})), position=0),
        AutomationRule(2, "Resolved with no client answer for 3 days: Closed", Trigger.IDLE,
                       (SetStatus(CLOSED),), Conditions(statuses=frozenset({RESOLVED})),
                       idle_hours=72.0, position=1),
    ]


def _trigger(event: ev.Event) -> tuple[Trigger, str | None] | None:
    if isinstance(event, ev.TicketOpened):
        return Trigger.CREATED, None
    if isinstance(event, ev.CommentAdded):
        if event.actor.is_client:
            return Trigger.CLIENT_REPLIED, None
        if event.actor.is_employee and event.public:
            return Trigger.AGENT_REPLIED, None
        return None
    if isinstance(event, ev.StatusChanged):
        return Trigger.STATUS_CHANGED, event.old
    if isinstance(event, ev.FieldChanged):
        return Trigger.FIELD_CHANGED, event.field_name
    if isinstance(event, ev.ResponsibleChanged):
        return Trigger.FIELD_CHANGED, "responsible"
    if isinstance(event, ev.LineChanged):
        return Trigger.FIELD_CHANGED, "line"
    if isinstance(event, ev.SlaWarning):
        return Trigger.SLA_WARNING, event.target
    if isinstance(event, ev.SlaBreached):
        return Trigger.SLA_BREACHED, event.target
    if isinstance(event, ev.TicketIdle):
        return Trigger.IDLE, str(event.rule_id)
    return None


def listens(rule: AutomationRule, event: ev.Event) -> bool:
    """Does the rule's trigger (with its field / from-status / idle filter) fit the event?"""
    found = _trigger(event)
    if found is None or found[0] is not rule.trigger:
        return False
    detail = found[1]
    if rule.trigger is Trigger.FIELD_CHANGED:
        return rule.field is None or rule.field == detail
    if rule.trigger is Trigger.STATUS_CHANGED:
        return not rule.from_statuses or detail in rule.from_statuses
    if rule.trigger is Trigger.IDLE:
        return str(rule.id) == detail
    return True


Facts = Callable[[Ticket], Awaitable[TicketFacts]]


async def run_rules(
    ticket: Ticket, rules: Sequence[AutomationRule], facts: Facts, ctx: HandlerContext,
    start: int = 0,
) -> int:
    """Fire the rules that listen to the ticket's events from `start` on, including the
    events their own actions add. Returns how many rule firings happened."""
    chains: dict[int, tuple[int, ...]] = {}
    ordered = [r for r in in_order(rules) if r.enabled]
    fired, i = 0, start
    while i < len(ticket.events):
        event, chain = ticket.events[i], chains.get(i, ())
        i += 1
        listening = [r for r in ordered if r.id not in chain and listens(r, event)]
        if not listening:
            continue
        # Every rule is matched against the ticket as the event left it, not as the rules
        # before it in the table changed it: the table order decides what is done first,
        # never whether a rule applies.
        seen = await facts(copy.copy(ticket))
        for rule in listening:
            if not rule.when.matches(seen):
                continue
            if len(chain) >= MAX_CHAIN:
                log.warning("automation chain %s cut before rule %s on ticket %s",
                            chain, rule.id, ticket.id)
                continue
            before = len(ticket.events)
            await _perform(rule, ticket, ctx)
            fired += 1
            chains.update((j, (*chain, rule.id)) for j in range(before, len(ticket.events)))
    return fired


async def _perform(rule: AutomationRule, ticket: Ticket, ctx: HandlerContext) -> None:
    for action in rule.actions:
        try:
            await apply_action(action, ticket, Actor.system(), ctx)
        except DomainError as refused:  # a rule must never make the client's message fail
            log.warning("automation rule %s (%s) on ticket %s: %s", rule.id, rule.name,
                        ticket.id, refused)


async def fire_idle(
    rule_id: int, ticket: Ticket, rules: Sequence[AutomationRule], facts: Facts,
    ctx: HandlerContext,
) -> bool:
    """An idle timer ran out: if its rule still applies, record TicketIdle (the automation
    run that follows performs the rule's actions)."""
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is None or not rule.enabled or rule.trigger is not Trigger.IDLE:
        return False
    if not rule.when.matches(await facts(ticket)):
        return False
    ticket.events.append(ev.TicketIdle(ticket.id, ctx.now, Actor.system(), rule.id,
                                       rule.idle_hours or 0.0))
    return True


_NOT_ACTIVITY = (ev.SlaWarning, ev.SlaBreached, ev.TicketIdle, ev.TeamNotified)


async def arm_idle(
    ticket: Ticket, rules: Sequence[AutomationRule], facts: Facts, ctx: HandlerContext
) -> None:
    """After activity on a ticket, (re)start the clock of each idle rule whose conditions
    hold now, and stop the others. Reminders and SLA alerts are not activity."""
    if all(isinstance(e, _NOT_ACTIVITY) for e in ticket.events):
        return
    current = await facts(ticket)
    for rule in rules:
        if rule.trigger is not Trigger.IDLE:
            continue
        hours = rule.idle_hours or 0.0
        if rule.enabled and hours > 0 and rule.when.matches(current):
            await ctx.uow.timers.schedule(
                Timer(IDLE, ctx.now + timedelta(hours=hours), ticket.id, rule.id))
        else:
            await ctx.uow.timers.cancel(ticket.id, [IDLE], rule.id)


async def apply_macro(
    macros: Sequence[Macro], name: str, ticket: Ticket, employee_id: int, ctx: HandlerContext
) -> Macro:
    """§6.2: all of a macro's actions, as the agent; one refusal refuses the whole macro."""
    wanted = name.strip().casefold()
    usable = [m for m in in_order(macros) if m.enabled]
    macro = next((m for m in usable if m.name.casefold() == wanted), None)
    if macro is None:
        if not usable:
            raise NotFound("macro.none_yet", name=name)
        raise NotFound("macro.not_found", name=name, names=", ".join(m.name for m in usable))
    for action in macro.actions:
        await apply_action(action, ticket, Actor.employee(employee_id), ctx)
    return macro


def is_auto_close(rule: AutomationRule) -> bool:
    """The §2.6 rule, however it was renamed: Resolved and idle, then Closed."""
    return (rule.trigger is Trigger.IDLE and rule.when.statuses == frozenset({RESOLVED})
            and any(isinstance(a, SetStatus) and a.status == CLOSED for a in rule.actions))


async def set_auto_close(seconds: int, ctx: HandlerContext) -> None:
    """The desk setting "auto-close after" is the auto-close rule's idle time; 0 switches
    the rule off."""
    for rule in await ctx.uow.rules.automation.all():
        if is_auto_close(rule):
            hours = seconds / 3600 if seconds > 0 else rule.idle_hours
            await ctx.uow.rules.automation.save(
                dataclasses.replace(rule, idle_hours=hours, enabled=seconds > 0))
