"""The desk's rule tables as one command sees them: read once per command, cached on its
context, with the client facts rules ask about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.automation import AutomationRule
from core.conditions import TicketFacts
from core.errors import NotFound
from core.routing import RoutingRule
from core.sla import ServiceCalendar, SlaRule
from core.tickets import Ticket

if TYPE_CHECKING:
    from core.context import HandlerContext


@dataclass(frozen=True)
class RuleBook:
    calendars: dict[int, ServiceCalendar]
    sla: list[SlaRule]
    routing: list[RoutingRule]
    automation: list[AutomationRule]


async def rulebook(ctx: HandlerContext) -> RuleBook:
    book = ctx.memo.get("rulebook")
    if isinstance(book, RuleBook):
        return book
    rules = ctx.uow.rules
    book = RuleBook({c.id: c for c in await rules.calendars.all()}, await rules.sla.all(),
                    await rules.routing.all(), await rules.automation.all())
    ctx.memo["rulebook"] = book
    return book


async def facts_for(ticket: Ticket, ctx: HandlerContext) -> TicketFacts:
    """The ticket with its client's company and category (§8.2)."""
    key = f"company_of:{ticket.contact_id}"
    company = ctx.memo.get(key)
    if not isinstance(company, tuple):
        company = (None, None)
        contact = await ctx.uow.contacts.get(ticket.contact_id)
        if contact.company_id is not None:
            try:
                found = await ctx.uow.contacts.get_company(contact.company_id)
                company = (found.id, found.category)
            except NotFound:
                pass
        ctx.memo[key] = company
    return TicketFacts(ticket, company[0], company[1])
