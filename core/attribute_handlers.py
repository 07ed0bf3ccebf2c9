"""Handlers for custom ticket attributes (docs/DOMAIN.md §9.5): administrators define them, agents
fill them in on tickets they can see, every value checked against its definition."""

from __future__ import annotations

import dataclasses

from core import attributes as a
from core import commands as c
from core.context import HandlerContext
from core.errors import InvalidInput, NotFound
from core.people import Actor, Role
from core.setup_handlers import _admin, _code, _name
from core.tickets import Ticket


async def save_attribute(cmd: c.SaveAttribute, ctx: HandlerContext) -> a.AttributeDefinition:
    await _admin(ctx, cmd.employee_id)
    name = _name(cmd.name, "attribute.name_missing")
    try:
        kind = a.AttributeKind(cmd.kind)
        roles = frozenset(Role(r) for r in cmd.visible_to) | {Role.ADMIN}
    except ValueError:
        raise InvalidInput("attribute.bad_kind") from None
    options = a.clean_options(cmd.options) if kind is a.AttributeKind.LIST else ()
    if kind is a.AttributeKind.LIST and not options:
        raise InvalidInput("attribute.no_options")
    defined = await ctx.uow.catalog.attributes()
    existing = next((d for d in defined if d.code == cmd.code.strip()), None)
    if existing is None:
        code = _code(cmd.code, name, [d.code for d in defined])
        position = max((d.position for d in defined), default=-1) + 1
        existing = a.AttributeDefinition(code, name, position=position)
    definition = dataclasses.replace(existing, name=name, kind=kind, options=options,
                                     visible_to=roles, required=cmd.required,
                                     enabled=cmd.enabled)
    await ctx.uow.setup.save_attribute(definition)
    return definition


async def delete_attribute(cmd: c.DeleteAttribute, ctx: HandlerContext) -> None:
    """The definition goes; values already on tickets stay in their history."""
    await _admin(ctx, cmd.employee_id)
    if cmd.code not in {d.code for d in await ctx.uow.catalog.attributes()}:
        raise NotFound("attribute.not_found", code=cmd.code)
    await ctx.uow.setup.delete_attribute(cmd.code)


async def attribute_value(ctx: HandlerContext, employee_id: int, code: str,
                          raw: object) -> a.Value | None:
    """The checked value an employee gives a custom attribute they may see."""
    employee = await ctx.active_employee(employee_id)
    definition = a.find(await ctx.uow.catalog.attributes(), code, employee.role)
    return definition.parse(raw)


async def set_ticket_attributes(cmd: c.SetTicketAttributes, ctx: HandlerContext) -> Ticket:
    values = {code: await attribute_value(ctx, cmd.employee_id, code, raw)
              for code, raw in cmd.values}
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    for code, value in values.items():
        ticket.set_field(f"attr:{code}", value, Actor.employee(cmd.employee_id), ctx.now)
    return ticket


async def new_ticket_values(ctx: HandlerContext, employee_id: int,
                            given: tuple[tuple[str, object], ...]) -> dict[str, a.Value]:
    """What a hand-made ticket starts with; refused when a required attribute is empty."""
    employee = await ctx.active_employee(employee_id)
    return a.values_for_new_ticket(await ctx.uow.catalog.attributes(), employee.role,
                                   dict(given))
