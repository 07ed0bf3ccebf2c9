"""Custom attribute definitions (§9.5) through the real unit of work, on SQLite and
PostgreSQL: what an administrator defines is stored in order, and values agents give land on
the ticket and in its history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.attributes import AttributeKind
from core.client_handlers import ClientWriteResult
from core.errors import InvalidInput
from core.people import Role
from storage.uow import TortoiseUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


async def test_definitions_are_stored_in_order_with_roles_and_options(database: str) -> None:
    desk = build_desk(clock=Clock())
    admin = (await desk.handle(c.AddEmployee("Ada", "ada", "admin"))).id
    await desk.handle(c.SaveAttribute(admin, "", "Product", "list", ("Printer", "Scanner"),
                                      visible_to=("lead",), required=True))
    await desk.handle(c.SaveAttribute(admin, "budget", "Budget", "number"))
    await desk.handle(c.MoveItem(admin, "attributes", "budget", up=True))
    await desk.handle(c.SaveAttribute(admin, "product", "Product", "list", ("Fax",),
                                      visible_to=("lead",), required=True, enabled=False))
    async with TortoiseUnitOfWork() as uow:
        budget, product = await uow.catalog.attributes()
    assert (budget.code, budget.kind, budget.position) == ("budget", AttributeKind.NUMBER, 0)
    assert budget.visible_to == frozenset(Role)
    assert (product.options, product.visible_to, product.required, product.enabled) == (
        ("Fax",), frozenset({Role.ADMIN, Role.LEAD}), True, False)
    await desk.handle(c.DeleteAttribute(admin, "product"))
    async with TortoiseUnitOfWork() as uow:
        assert [d.code for d in await uow.catalog.attributes()] == ["budget"]


async def test_values_are_stored_on_the_ticket_with_history(database: str) -> None:
    desk = build_desk(clock=Clock())
    admin = (await desk.handle(c.AddEmployee("Ada", "ada", "admin"))).id
    await desk.handle(c.SaveAttribute(admin, "due", "Due date", "date", required=True))
    await desk.handle(c.SaveAttribute(admin, "budget", "Budget", "number"))
    opened = await desk.handle(c.ClientWrites("telegram", "1001", "Anna", "Hello"))
    assert isinstance(opened, ClientWriteResult)  # a messenger ticket needs nothing
    with pytest.raises(InvalidInput, match="required fields: Due date"):
        await desk.handle(c.OpenTicketForClient(admin, opened.contact_id, "Call"))
    ticket = await desk.handle(c.OpenTicketForClient(
        admin, opened.contact_id, "Call", attributes=(("due", "2026-04-01"),)))
    await desk.handle(c.SetTicketAttributes(ticket.id, admin, (("budget", "12,5"),)))
    with pytest.raises(InvalidInput, match="Budget is a number"):
        await desk.handle(c.SetTicketField(ticket.id, admin, "attr:budget", "many"))
    async with TortoiseUnitOfWork() as uow:
        stored = await uow.tickets.get(ticket.id)
        history = await uow.history.for_ticket(ticket.id)
    assert stored.attributes == {"due": "2026-04-01", "budget": 12.5}
    assert [(h.field, h.new) for h in history if h.field.startswith("attr:")] == [
        ("attr:due", "2026-04-01"), ("attr:budget", "12.5")]
