"""The desk's rules applied to what a command did, before it commits: routing for new
tickets, automation, SLA deadlines and the timers each ticket needs (§2.5, §4-§6)."""

from __future__ import annotations

from core import events as ev
from core.automation import arm_idle, run_rules
from core.conditions import TicketFacts
from core.context import HandlerContext
from core.routing import route_new_ticket
from core.rulebook import facts_for, rulebook
from core.sla_policy import update_sla
from core.tickets import Ticket
from core.timer_handlers import arm_resume


async def apply_policies(ctx: HandlerContext) -> None:
    changed = [t for t in ctx.uow.tickets.seen if t.events]
    if not changed:
        return
    book = await rulebook(ctx)

    async def facts(ticket: Ticket) -> TicketFacts:
        return await facts_for(ticket, ctx)

    for ticket in changed:
        if any(isinstance(e, ev.TicketOpened) for e in ticket.events):
            await route_new_ticket(ticket, await facts(ticket), book.routing, ctx)
        await run_rules(ticket, book.automation, facts, ctx)
        await update_sla(ticket, book, ctx)
        if any(_moves_resume(e) for e in ticket.events):
            await arm_resume(ticket, ctx)
        await arm_idle(ticket, book.automation, facts, ctx)


def _moves_resume(event: ev.Event) -> bool:
    """A status change, or a new resume time for a ticket that stays on hold."""
    return isinstance(event, ev.StatusChanged) or (
        isinstance(event, ev.FieldChanged) and event.field_name == "on_hold_until")
