"""Custom ticket attributes (docs/DOMAIN.md §9.5): administrators define text, number, date and
list attributes with per-role visibility and "required on creation"; agents fill them in,
every value checked, every change in the ticket's history."""

from __future__ import annotations

import pytest

from core import commands as c
from core.attributes import (
    TEXT_LIMIT,
    AttributeDefinition,
    AttributeKind,
    missing_required,
    visible,
)
from core.conditions import Conditions
from core.errors import InvalidInput, NotAllowed, NotFound
from core.people import Role
from core.routing import RoutingRule
from core.services import Desk
from tests.core.steps import client_writes
from tests.fakes import ANNA, BORIS, LINE2_GROUP, InMemoryStore, make_desk

PRODUCT = AttributeDefinition("product", "Product", AttributeKind.LIST,
                              options=("Printer", "Scanner"), position=0)
BUDGET = AttributeDefinition("budget", "Budget", AttributeKind.NUMBER, position=1)
DUE = AttributeDefinition("due", "Due date", AttributeKind.DATE, position=2)
NOTE = AttributeDefinition("note", "Note", position=3)
CONTRACT = AttributeDefinition("contract", "Contract", required=True, position=4)
SALARY = AttributeDefinition("salary", "Salary", AttributeKind.NUMBER,
                             visible_to=frozenset({Role.ADMIN}), position=5)


def desk_with(*definitions: AttributeDefinition) -> tuple[Desk, InMemoryStore]:
    desk, store, _ = make_desk()
    store.attributes.extend(definitions)
    return desk, store


async def a_ticket(desk: Desk) -> int:
    return (await client_writes(desk)).ticket_id


# --- values -------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "stored"), [("42", 42), (" 1 500 ", 1500), ("2,5", 2.5),
                                             ("-0.25", -0.25), (7, 7)])
def test_a_number_attribute_takes_numbers_as_people_type_them(raw: object, stored: float
                                                               ) -> None:
    assert BUDGET.parse(raw) == stored


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "nan", "inf", "1e400", True])
def test_a_number_attribute_refuses_what_is_not_a_number(raw: object) -> None:
    with pytest.raises(InvalidInput, match="Budget is a number"):
        BUDGET.parse(raw)


def test_a_date_attribute_takes_an_iso_date_and_refuses_anything_else() -> None:
    assert DUE.parse("2025-03-31") == "2025-03-31"
    for wrong in ("31.03.2025", "2025-02-30", "tomorrow"):
        with pytest.raises(InvalidInput, match="Due date is a date written as YYYY-MM-DD"):
            DUE.parse(wrong)


def test_a_list_attribute_takes_only_its_options() -> None:
    assert PRODUCT.parse("Scanner") == "Scanner"
    with pytest.raises(InvalidInput, match="Product is one of Printer, Scanner; not 'Fax'"):
        PRODUCT.parse("Fax")


def test_a_text_attribute_is_trimmed_and_capped() -> None:
    assert NOTE.parse("  call after 5 ") == "call after 5"
    with pytest.raises(InvalidInput, match=f"limited to {TEXT_LIMIT}"):
        NOTE.parse("x" * (TEXT_LIMIT + 1))


def test_an_empty_value_clears_any_kind() -> None:
    assert [d.parse(" ") for d in (PRODUCT, BUDGET, DUE, NOTE)] == [None] * 4


def test_administrators_see_every_attribute_others_only_those_shown_to_their_role() -> None:
    hidden = AttributeDefinition("x", "X", enabled=False)
    defs = [SALARY, NOTE, hidden]
    assert [d.code for d in visible(defs, Role.ADMIN)] == ["note", "salary"]
    assert [d.code for d in visible(defs, Role.SPECIALIST)] == ["note"]


def test_missing_required_lists_required_enabled_attributes_without_a_value() -> None:
    off = AttributeDefinition("off", "Off", required=True, enabled=False)
    assert missing_required([CONTRACT, NOTE, off], {}) == [CONTRACT]
    assert missing_required([CONTRACT], {"contract": "C-1"}) == []


# --- defining -----------------------------------------------------------------------------
async def test_an_administrator_defines_a_list_attribute_with_its_options() -> None:
    desk, store = desk_with()
    saved = await desk.handle(c.SaveAttribute(
        ANNA, "", "Product line", "list", ("Printer", " Scanner ", "", "Printer"),
        visible_to=("lead",), required=True))
    assert saved.code == "product_line"
    assert store.attributes == [saved]
    assert saved.options == ("Printer", "Scanner")
    assert saved.visible_to == {Role.ADMIN, Role.LEAD} and saved.required


async def test_only_an_administrator_defines_attributes() -> None:
    desk, store = desk_with()
    with pytest.raises(NotAllowed, match="only an administrator"):
        await desk.handle(c.SaveAttribute(BORIS, "", "Product"))
    assert store.attributes == []


async def test_a_list_attribute_without_options_is_refused() -> None:
    desk, _ = desk_with()
    with pytest.raises(InvalidInput, match="at least one option"):
        await desk.handle(c.SaveAttribute(ANNA, "", "Product", "list", (" ",)))


async def test_attributes_are_edited_reordered_disabled_and_deleted() -> None:
    desk, store = desk_with(PRODUCT, BUDGET)
    await desk.handle(c.SaveAttribute(ANNA, "budget", "Budget, EUR", "number",
                                      enabled=False))
    await desk.handle(c.MoveItem(ANNA, "attributes", "budget", up=True))
    assert [(d.code, d.name, d.enabled) for d in sorted(store.attributes,
                                                        key=lambda d: d.position)] == [
        ("budget", "Budget, EUR", False), ("product", "Product", True)]
    await desk.handle(c.DeleteAttribute(ANNA, "product"))
    assert [d.code for d in store.attributes] == ["budget"]
    with pytest.raises(NotFound):
        await desk.handle(c.DeleteAttribute(ANNA, "product"))


# --- on tickets ---------------------------------------------------------------------------
async def test_setting_an_attribute_goes_into_the_history() -> None:
    desk, store = desk_with(BUDGET)
    ticket_id = await a_ticket(desk)
    await desk.handle(c.SetTicketField(ticket_id, ANNA, "attr:budget", "1 200"))
    assert store.ticket(ticket_id).attributes == {"budget": 1200}
    [entry] = store.history_of(ticket_id, "attr:budget")
    assert (entry.old, entry.new, entry.actor.id) == (None, "1200", ANNA)


async def test_a_wrong_value_is_refused_and_nothing_changes() -> None:
    desk, store = desk_with(BUDGET, PRODUCT)
    ticket_id = await a_ticket(desk)
    before = store.snapshot()
    with pytest.raises(InvalidInput, match="Budget is a number, not 'lots'"):
        await desk.handle(c.SetTicketField(ticket_id, ANNA, "attr:budget", "lots"))
    with pytest.raises(InvalidInput, match="Product is one of"):
        await desk.handle(c.SetTicketAttributes(ticket_id, ANNA, (
            ("budget", "5"), ("product", "Fax"))))
    assert store.snapshot() == before


async def test_an_attribute_hidden_from_a_role_cannot_be_set_by_it() -> None:
    desk, store = desk_with(SALARY)
    ticket_id = await a_ticket(desk)
    with pytest.raises(InvalidInput, match="no custom attribute 'salary'"):
        await desk.handle(c.SetTicketField(ticket_id, BORIS, "attr:salary", "10"))
    await desk.handle(c.SetTicketField(ticket_id, ANNA, "attr:salary", "10"))
    assert store.ticket(ticket_id).attributes == {"salary": 10}


async def test_a_disabled_or_unknown_attribute_cannot_be_set() -> None:
    desk, _ = desk_with(AttributeDefinition("old", "Old", enabled=False))
    ticket_id = await a_ticket(desk)
    for code in ("old", "nope"):
        with pytest.raises(InvalidInput, match="no custom attribute"):
            await desk.handle(c.SetTicketField(ticket_id, ANNA, f"attr:{code}", "x"))


async def test_a_hand_made_ticket_without_a_required_attribute_is_refused() -> None:
    desk, store = desk_with(CONTRACT, NOTE)
    contact_id = store.ticket(await a_ticket(desk)).contact_id
    tickets_before = len(store.tickets)
    with pytest.raises(InvalidInput, match="fill in the required fields: Contract"):
        await desk.handle(c.OpenTicketForClient(ANNA, contact_id, "Call", attributes=(
            ("note", "by phone"),)))
    assert len(store.tickets) == tickets_before
    ticket = await desk.handle(c.OpenTicketForClient(ANNA, contact_id, "Call", attributes=(
        ("contract", "C-17"), ("note", "by phone"))))
    assert store.ticket(ticket.id).attributes == {"contract": "C-17", "note": "by phone"}
    assert [h.field for h in store.history_of(ticket.id) if h.field.startswith("attr:")] == [
        "attr:contract", "attr:note"]


async def test_a_required_attribute_hidden_from_the_agent_does_not_block_them() -> None:
    secret = AttributeDefinition("secret", "Secret", required=True,
                                 visible_to=frozenset({Role.ADMIN}))
    desk, store = desk_with(secret)
    contact_id = store.ticket(await a_ticket(desk)).contact_id
    ticket = await desk.handle(c.OpenTicketForClient(BORIS, contact_id, "Call"))
    assert store.ticket(ticket.id).attributes == {}


async def test_a_clients_messenger_ticket_is_never_refused_for_a_required_attribute() -> None:
    desk, store = desk_with(CONTRACT)
    ticket = store.ticket(await a_ticket(desk))
    assert missing_required(store.attributes, ticket.attributes) == [CONTRACT]


async def test_routing_matches_a_list_attribute_given_when_the_ticket_is_registered() -> None:
    desk, store = desk_with(PRODUCT)
    store.rules.routing[1] = RoutingRule(1, "Scanners", Conditions(
        attributes={"product": frozenset({"Scanner"})}), group_id=LINE2_GROUP)
    contact_id = store.ticket(await a_ticket(desk)).contact_id
    scanner = await desk.handle(c.OpenTicketForClient(ANNA, contact_id, "Jam", attributes=(
        ("product", "Scanner"),)))
    printer = await desk.handle(c.OpenTicketForClient(ANNA, contact_id, "Jam", attributes=(
        ("product", "Printer"),)))
    assert store.ticket(scanner.id).group_id == LINE2_GROUP
    assert store.ticket(printer.id).group_id != LINE2_GROUP
