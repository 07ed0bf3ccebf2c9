"""The in-memory fakes behave like the database where the core relies on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.errors import ConcurrentUpdate, NotFound
from core.people import Actor, Contact
from core.statuses import ON_HOLD, RESOLVED, ObjectState, Status
from core.tickets import Ticket
from tests.fakes import ANNA, START, InMemoryStore, InMemoryUnitOfWork, make_desk


def a_ticket(**fields: Any) -> Ticket:
    return Ticket("Printer", "telegram", 1, START, **fields)


async def committed_ticket(store: InMemoryStore, **fields: Any) -> int:
    async with InMemoryUnitOfWork(store) as uow:
        ticket = await uow.tickets.add(a_ticket(**fields))
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket.id


async def test_an_uncommitted_change_is_lost_like_in_a_database() -> None:
    store = InMemoryStore()
    ticket_id = await committed_ticket(store)
    async with InMemoryUnitOfWork(store) as uow:
        ticket = await uow.tickets.get(ticket_id)
        ticket.subject = "Changed"
        await uow.tickets.save(ticket)
    assert store.ticket(ticket_id).subject == "Printer"
    assert store.ticket(ticket_id).version == 1


async def test_a_read_is_a_copy_and_the_same_copy_within_one_unit_of_work() -> None:
    store = InMemoryStore()
    ticket_id = await committed_ticket(store)
    async with InMemoryUnitOfWork(store) as uow:
        first = await uow.tickets.get(ticket_id)
        assert first is await uow.tickets.get(ticket_id)
        assert first is not store.ticket(ticket_id)
        assert uow.tickets.seen == [first]


async def test_saving_over_a_newer_version_is_a_concurrent_update() -> None:
    store = InMemoryStore()
    ticket_id = await committed_ticket(store)
    slow, fast = InMemoryUnitOfWork(store), InMemoryUnitOfWork(store)
    stale = await slow.tickets.get(ticket_id)
    fresh = await fast.tickets.get(ticket_id)
    await fast.tickets.save(fresh)
    await fast.commit()
    with pytest.raises(ConcurrentUpdate):
        await slow.tickets.save(stale)


async def test_two_saves_of_one_version_conflict_at_the_second_commit() -> None:
    store = InMemoryStore()
    ticket_id = await committed_ticket(store)
    one, two = InMemoryUnitOfWork(store), InMemoryUnitOfWork(store)
    a, b = await one.tickets.get(ticket_id), await two.tickets.get(ticket_id)
    a.subject, b.subject = "A", "B"
    await one.tickets.save(a)
    await two.tickets.save(b)
    await one.commit()
    with pytest.raises(ConcurrentUpdate):
        await two.commit()
    assert store.ticket(ticket_id).subject == "A"


async def test_history_and_events_are_not_stored_in_the_ticket_row() -> None:
    store = InMemoryStore()
    async with InMemoryUnitOfWork(store) as uow:
        ticket = await uow.tickets.add(a_ticket())
        ticket.opened(Actor.system(), START)
        await uow.tickets.save(ticket)
        await uow.commit()
    assert store.ticket(ticket.id).history == [] and store.ticket(ticket.id).events == []


async def test_missing_rows_are_not_found() -> None:
    async with InMemoryUnitOfWork(InMemoryStore()) as uow:
        with pytest.raises(NotFound):
            await uow.tickets.get(1)
        with pytest.raises(NotFound):
            await uow.contacts.save(Contact(5, "Nobody"))


async def test_load_counts_open_tickets_except_those_excluded_from_load() -> None:
    _, store, _ = make_desk()
    for status in ("open", ON_HOLD, RESOLVED):
        await committed_ticket(store, responsible_id=ANNA, status=status)
    async with InMemoryUnitOfWork(store) as uow:
        assert await uow.employees.open_ticket_count(ANNA) == 1
        assert await uow.employees.open_ticket_count(ANNA, for_load=False) == 2


async def test_settings_edits_reach_the_store_only_on_commit() -> None:
    store = InMemoryStore()
    rejected = Status("rejected", "Rejected", ObjectState.CLOSED)
    async with InMemoryUnitOfWork(store) as uow:
        await uow.setup.save_status(rejected)
        await uow.setup.save_settings({"reopen_window_seconds": 0})
    assert rejected not in store.statuses
    async with InMemoryUnitOfWork(store) as uow:
        await uow.setup.save_status(rejected)
        await uow.setup.save_settings({"reopen_window_seconds": 0})
        await uow.commit()
    assert rejected in store.statuses
    assert store.settings.reopen_window == timedelta(0)
