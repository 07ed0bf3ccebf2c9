"""Linking two contacts as one person (docs/DOMAIN.md §8.2): an agent says that the client of
another ticket is the client of this one; the older contact stays and takes over the
other's messenger identities, phones, e-mails and tickets."""

from __future__ import annotations

from core import commands as c
from core.context import HandlerContext
from core.errors import InvalidInput, NotFound
from core.people import Actor, Contact


async def link_contacts(cmd: c.LinkContacts, ctx: HandlerContext) -> Contact:
    await ctx.active_employee(cmd.employee_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    if cmd.other_ticket_id == cmd.ticket_id:
        raise InvalidInput("link.same_ticket", number=cmd.ticket_id)
    try:
        other = await ctx.uow.tickets.get(cmd.other_ticket_id)
    except NotFound:
        raise NotFound("ticket.not_found", number=cmd.other_ticket_id) from None
    if ticket.contact_id == other.contact_id:
        raise InvalidInput("link.same_contact", number=ticket.number, other=other.number)
    first = await ctx.uow.contacts.get(ticket.contact_id)
    second = await ctx.uow.contacts.get(other.contact_id)
    keeper, absorbed = sorted((first, second), key=lambda contact: contact.id)
    clash = keeper.clashing_channels(absorbed)
    if clash:
        raise InvalidInput("link.accounts_clash", channel=clash[0])
    actor = Actor.employee(cmd.employee_id)
    moved = [t.id for t in await ctx.uow.tickets.for_contacts([absorbed.id])]
    for ticket_id in sorted({*moved, ticket.id, other.id}):
        linked = await ctx.uow.tickets.get(ticket_id)
        linked.link_contact(absorbed.id, keeper.id, actor, ctx.now)
    keeper.absorb(absorbed)
    await ctx.uow.contacts.merge(keeper, absorbed)
    return keeper
