"""Routing and assignment (docs/DOMAIN.md §5): the first enabled matching rule decides who answers
a new ticket and who follows it; inside a group, the least loaded active member or the next
in turn; deactivated accounts are never chosen."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import commands as c
from core.catalog import DeskSettings
from core.conditions import Conditions, TicketFacts, TimeWindow, first_match
from core.errors import NotAllowed
from core.people import Company, Contact, Employee, Group, Identity
from core.routing import RoutingRule, least_loaded, next_in_turn
from core.services import Desk
from core.tickets import Ticket
from tests.core.steps import client_writes
from tests.fakes import (
    ANNA,
    BORIS,
    LINE1_GROUP,
    LINE2_GROUP,
    OLGA,
    FakeClock,
    InMemoryStore,
    make_desk,
)

CARL = 4
TEAM = 5  # a group of Anna, Boris, Carl and the deactivated Olga


def routed_desk(*rules: RoutingRule, assignment: str = "least_loaded",
                default: int | None = None) -> tuple[Desk, InMemoryStore, FakeClock]:
    """The seeded team plus Carl, a group of everyone, and the given routing rules."""
    desk, store, clock = make_desk(settings=DeskSettings(default_responsible_id=default))
    store.employees[CARL] = Employee(CARL, "Carl Berg", "carl")
    store.groups[TEAM] = Group(TEAM, "Team", {ANNA, BORIS, CARL, OLGA}, {ANNA}, assignment)
    for rule in rules:
        store.rules.routing[rule.id] = rule
    return desk, store, clock


def to_team(**when: object) -> RoutingRule:
    return RoutingRule(1, "To the team", Conditions(**when), group_id=TEAM)  # type: ignore[arg-type]


async def responsible_of_new_ticket(desk: Desk, store: InMemoryStore, client: str,
                                    channel: str = "telegram") -> int | None:
    first = await client_writes(desk, external_id=client, channel=channel)
    return store.ticket(first.ticket_id).responsible_id


def give(store: InMemoryStore, employee_id: int, count: int, status: str = "open") -> None:
    """Tickets the employee already holds."""
    for _ in range(count):
        ticket_id = store.next_id("tickets")
        store.tickets[ticket_id] = Ticket("old", "telegram", 99, datetime(2025, 1, 1, tzinfo=UTC),
                                          status=status, responsible_id=employee_id,
                                          id=ticket_id)


async def test_a_rule_naming_an_employee_makes_them_responsible_with_observers() -> None:
    vk_to_boris = RoutingRule(1, "VK to Boris", Conditions(channels=frozenset({"vk"})),
                              responsible_id=BORIS, observer_ids=frozenset({ANNA}),
                              observer_group_ids=frozenset({LINE2_GROUP}))
    desk, store, _ = routed_desk(vk_to_boris)
    first = await client_writes(desk, channel="vk", external_id="id1")
    ticket = store.ticket(first.ticket_id)
    assert (ticket.responsible_id, ticket.observer_ids, ticket.observer_group_ids) == (
        BORIS, {ANNA}, {LINE2_GROUP})
    assert await responsible_of_new_ticket(desk, store, "7001") is None  # Telegram: no rule


async def test_a_group_gives_the_ticket_to_its_least_loaded_active_member() -> None:
    desk, store, _ = routed_desk(to_team())
    give(store, ANNA, 2)
    give(store, BORIS, 1)
    give(store, BORIS, 3, status="on_hold")  # excluded from load
    give(store, CARL, 1)
    give(store, CARL, 2, status="closed")
    assert await responsible_of_new_ticket(desk, store, "7001") == BORIS  # 1 each, lowest id
    assert await responsible_of_new_ticket(desk, store, "7002") == CARL
    assert await responsible_of_new_ticket(desk, store, "7003") == ANNA
    assert {t.group_id for t in store.tickets.values() if t.contact_id != 99} == {TEAM}


async def test_a_round_robin_group_takes_turns_and_skips_the_deactivated() -> None:
    desk, store, _ = routed_desk(to_team(), assignment="round_robin")
    chosen = [await responsible_of_new_ticket(desk, store, f"70{n}") for n in range(5)]
    assert chosen == [ANNA, BORIS, CARL, ANNA, BORIS]


async def test_a_deactivated_employee_is_never_made_responsible_by_a_rule() -> None:
    desk, store, _ = routed_desk(RoutingRule(1, "To Olga", responsible_id=OLGA), default=ANNA)
    assert await responsible_of_new_ticket(desk, store, "7001") == ANNA


async def test_a_rule_with_only_observers_keeps_the_default_responsible_chain() -> None:
    desk, store, _ = routed_desk(RoutingRule(1, "Watch", observer_ids=frozenset({BORIS, OLGA})))
    store.companies[7] = Company(7, "Acme", "VIP", manager_id=CARL)
    store.contacts[1] = Contact(1, "Ivan", company_id=7, identities=[Identity("telegram", "7001")])
    store.sequences["contacts"] = 1
    first = await client_writes(desk, external_id="7001")
    ticket = store.ticket(first.ticket_id)
    assert (ticket.responsible_id, ticket.observer_ids) == (CARL, {BORIS})


async def test_client_category_and_company_route_vip_clients_to_the_second_line() -> None:
    desk, store, _ = routed_desk(
        RoutingRule(1, "VIP", Conditions(categories=frozenset({"VIP"})), group_id=LINE2_GROUP),
        RoutingRule(2, "Everyone else", group_id=LINE1_GROUP, position=1))
    store.companies[7] = Company(7, "Acme", "VIP")
    store.contacts[1] = Contact(1, "Ivan", company_id=7, identities=[Identity("telegram", "7001")])
    store.sequences["contacts"] = 1
    assert await responsible_of_new_ticket(desk, store, "7001") == BORIS
    assert await responsible_of_new_ticket(desk, store, "7002") == ANNA


async def test_a_disabled_rule_is_skipped_and_the_next_one_applies() -> None:
    desk, store, _ = routed_desk(
        RoutingRule(1, "Off", responsible_id=CARL, enabled=False),
        RoutingRule(2, "On", responsible_id=BORIS, position=1))
    assert await responsible_of_new_ticket(desk, store, "7001") == BORIS


async def test_tickets_registered_at_night_go_to_the_night_shift() -> None:
    night = TimeWindow(start=time(20), end=time(8), timezone="Europe/Berlin")
    desk, store, clock = routed_desk(RoutingRule(1, "Night", Conditions(registered=night),
                                                 responsible_id=CARL))
    assert await responsible_of_new_ticket(desk, store, "7001") is None  # Monday 10:00 CET
    clock.set(datetime(2025, 3, 3, 22, 30, tzinfo=UTC))
    assert await responsible_of_new_ticket(desk, store, "7002") == CARL


async def test_a_ticket_with_no_active_group_member_stays_with_the_group_unassigned() -> None:
    desk, store, _ = routed_desk(to_team())
    for employee_id in (ANNA, BORIS, CARL):
        store.employees[employee_id].active = False
    first = await client_writes(desk, external_id="7001")
    ticket = store.ticket(first.ticket_id)
    assert (ticket.responsible_id, ticket.group_id) == (None, TEAM)


async def test_an_employee_with_open_tickets_cannot_be_deactivated() -> None:
    desk, store, _ = routed_desk(RoutingRule(1, "To Carl", responsible_id=CARL))
    await client_writes(desk, external_id="7001")
    with pytest.raises(NotAllowed, match="open tickets"):
        await desk.handle(c.SetEmployeeActive(CARL, False))
    assert store.employees[CARL].active


# --- properties ------------------------------------------------------------------------------
CHANNELS = ("telegram", "vk", "viber")
rules_st = st.lists(
    st.builds(lambda i, chans, on, pos: RoutingRule(
        i, f"r{i}", Conditions(channels=frozenset(chans)), responsible_id=i, enabled=on,
        position=pos),
        st.integers(1, 40), st.sets(st.sampled_from(CHANNELS), max_size=2), st.booleans(),
        st.integers(0, 4)),
    max_size=8, unique_by=lambda r: r.id)


@given(rules=rules_st, channel=st.sampled_from(CHANNELS))
def test_routing_takes_the_first_enabled_matching_rule_in_table_order(
    rules: list[RoutingRule], channel: str
) -> None:
    facts = TicketFacts(Ticket("s", channel, 1, datetime(2025, 3, 3, tzinfo=UTC)))
    chosen = first_match(rules, lambda r: r.when.matches(facts))
    table = sorted(rules, key=lambda r: (r.position, r.id))
    expected = next((r for r in table if r.enabled
                     and (not r.when.channels or channel in r.when.channels)), None)
    assert chosen == expected
    moved = [r for r in rules if r is not expected]
    if expected is not None:  # disabling the winner hands the ticket to the next match
        off = [*moved, RoutingRule(expected.id, expected.name, expected.when,
                                   enabled=False, position=expected.position)]
        after = first_match(off, lambda r: r.when.matches(facts))
        assert after is None or after.id != expected.id


@given(loads=st.dictionaries(st.integers(1, 20), st.integers(0, 9), min_size=1))
def test_least_loaded_picks_a_member_nobody_has_less_than(loads: dict[int, int]) -> None:
    chosen = least_loaded(sorted(loads), loads)
    assert chosen is not None and loads[chosen] == min(loads.values())
    assert chosen == min(m for m in loads if loads[m] == loads[chosen])


@given(members=st.sets(st.integers(1, 30), min_size=1), rounds=st.integers(1, 40))
def test_round_robin_gives_every_member_a_turn_before_anyone_gets_a_second(
    members: set[int], rounds: int
) -> None:
    last, turns = None, []
    for _ in range(rounds):
        last = next_in_turn(sorted(members), last)
        turns.append(last)
    counts = [turns.count(m) for m in members]
    assert max(counts) - min(counts) <= 1


# --- who hears of a ticket (§5.3, §7.3) ------------------------------------------------------
def heads_ups(store: InMemoryStore, ticket_id: int) -> list[dict[str, object]]:
    return [m.payload for m in store.messages_of(ticket_id) if m.kind == "heads_up"]


async def test_a_ticket_left_with_a_group_tells_the_groups_notification_list() -> None:
    desk, store, _ = routed_desk(to_team())
    store.groups[TEAM].member_ids = {OLGA}  # nobody in it who can take the ticket
    store.groups[TEAM].notify_ids = {BORIS, CARL, OLGA}  # Olga's account is deactivated
    first = await client_writes(desk, external_id="7001")
    assert (store.ticket(first.ticket_id).responsible_id,
            store.ticket(first.ticket_id).group_id) == (None, TEAM)
    assert heads_ups(store, first.ticket_id) == [
        {"employee_ids": [BORIS, CARL],
         "news": ["ticket_opened", "comment", "responsible_changed"]}]


async def test_an_employee_who_follows_a_ticket_hears_of_comments_and_status_changes() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddObserver(first.ticket_id, BORIS, BORIS))
    await client_writes(desk, "Any news?")
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "Awaiting reply"))
    assert heads_ups(store, first.ticket_id) == [
        {"employee_ids": [BORIS], "news": ["comment"]},
        {"employee_ids": [BORIS], "news": ["status_changed"], "old": "open",
         "new": "awaiting_reply"}]


async def test_nobody_hears_of_what_they_did_and_unfollowing_stops_the_news() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddObserver(first.ticket_id, BORIS, BORIS))
    await desk.handle(c.AddAgentReply(first.ticket_id, BORIS, "Looking into it"))
    await desk.handle(c.RemoveObserver(first.ticket_id, BORIS, BORIS))
    await client_writes(desk, "Thanks")
    assert heads_ups(store, first.ticket_id) == []
    assert store.ticket(first.ticket_id).observer_ids == set()
    assert [(h.old, h.new) for h in store.history_of(first.ticket_id, "observer")
            ] == [(None, str(BORIS)), (str(BORIS), None)]
