"""The call-back queue on SQLite and PostgreSQL (docs/DOMAIN.md §10): a request and its history are
stored, the lock holds across transactions, and the queue lists what is due as New first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.callbacks import CallbackHeld, CallbackState
from core.services import Desk
from storage import callbacks as cb
from storage.uow import TortoiseUnitOfWork
from tests.storage.test_unit_of_work import StepClock, add_employee


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def desk(database: str, clock: StepClock) -> Desk:
    return build_desk(clock=clock)


async def test_a_request_is_stored_with_its_history_and_lock(desk: Desk, clock: StepClock):
    alice, bob = await add_employee("alice"), await add_employee("bob")
    first = await desk.handle(c.RegisterCallback("Ivan", "+7 900 123-45-67", "после шести"))
    await desk.handle(c.OpenCallback(first.id, alice))
    clock.at += timedelta(minutes=3)
    with pytest.raises(CallbackHeld, match="Alice"):
        await desk.handle(c.OpenCallback(first.id, bob))
    clock.at += timedelta(minutes=4)
    await desk.handle(c.MarkCallbackProcessed(first.id, alice))
    async with TortoiseUnitOfWork() as uow:
        saved = await uow.callbacks.get(first.id)
        history = await uow.callbacks.history(first.id)
    assert saved.comment == "после шести" and saved.state is CallbackState.PROCESSED
    assert saved.processed_by == alice and saved.processing_time == timedelta(minutes=7)
    assert saved.processed_at == clock.at and saved.version == 2
    assert [(h.action, h.employee_id) for h in history] == [
        ("registered", None), ("opened", alice), ("processed", alice)]


async def test_the_queue_shows_new_first_and_a_due_postponed_request_as_new(
        desk: Desk, clock: StepClock):
    alice = await add_employee("alice")
    done, later, held, fresh = [
        (await desk.handle(c.RegisterCallback(name, "+7 900 000 00 0" + str(n)))).id
        for n, name in enumerate(["Done", "Later", "Held", "Fresh"])]
    for rid in (done, later, held):
        await desk.handle(c.OpenCallback(rid, alice))
    await desk.handle(c.MarkCallbackProcessed(done, alice))
    await desk.handle(c.PostponeCallback(later, alice, clock.at + timedelta(hours=1)))
    items = await cb.queue(clock.now())
    assert [(i.request.name, i.state) for i in items] == [
        ("Fresh", CallbackState.NEW), ("Held", CallbackState.PROCESSING),
        ("Later", CallbackState.POSTPONED), ("Done", CallbackState.PROCESSED)]
    assert items[1].holder == "Alice" and items[3].processed_by == "Alice"
    assert [h.action for h, _ in items[3].history] == ["registered", "opened", "processed"]
    items = await cb.queue(clock.now() + timedelta(hours=1))
    assert [(i.request.name, i.state) for i in items][:2] == [
        ("Fresh", CallbackState.NEW), ("Later", CallbackState.NEW)]
