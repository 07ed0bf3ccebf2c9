"""Many commands in one transaction (the Telegram poller commits a getUpdates batch at once):
each command is a savepoint that fails alone, nothing is durable before the batch commits,
and configuration read once for the batch is read again after a command changes it."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from tortoise.transactions import in_transaction

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.errors import DomainError, NotAllowed
from core.outbox import InboundRef, Routing
from core.people import Employee, Role
from core.services import Desk
from storage import models as m
from storage.admin import parked_counts
from storage.delivery import ParkedUpdates
from storage.uow import TortoiseUnitOfWork, after_commit, batch, on_commit, step

ROUTING = Routing(client_channels=frozenset({"telegram"}), agent_channel="telegram")


def writes(text: str, user: str) -> c.ClientWrites:
    return c.ClientWrites("telegram", user, f"Client {user}", text, language="en")


@pytest.fixture
def desk(database: str) -> Desk:
    return build_desk(routing=ROUTING)


async def admin() -> int:
    async with TortoiseUnitOfWork() as uow:
        employee = await uow.employees.add(Employee(0, "Ada", "ada", Role.ADMIN))
        await uow.commit()
    return employee.id


async def test_a_refused_command_in_a_batch_leaves_no_trace_and_the_others_commit(desk: Desk):
    async with batch():
        first = await desk.handle(writes("the printer is broken", "1"),
                                  source=InboundRef("telegram", "11"))
        with pytest.raises(DomainError):  # a client cannot close somebody else's ticket
            await desk.handle(c.ClientClosesTicket(first.contact_id + 1000, first.ticket_id),
                              source=InboundRef("telegram", "12"))
        await desk.handle(writes("and the scanner", "2"), source=InboundRef("telegram", "13"))

    assert await m.TicketRow.all().count() == 2
    assert await m.CommentRow.all().count() == 2
    recorded = await m.InboundRow.all().values_list("external_id", flat=True)
    assert sorted(recorded) == ["11", "13"]  # the refused update may be delivered again


async def test_nothing_in_a_batch_is_durable_until_it_commits(desk: Desk):
    with pytest.raises(RuntimeError):
        async with batch():
            await desk.handle(writes("lost with the batch", "1"),
                              source=InboundRef("telegram", "21"))
            raise RuntimeError("the process dies before the commit")

    assert await m.TicketRow.all().count() == 0
    assert await m.InboundRow.all().count() == 0
    result = await desk.handle(writes("lost with the batch", "1"),
                               source=InboundRef("telegram", "21"))  # delivered again
    assert result.ticket_id and await m.TicketRow.all().count() == 1


async def test_a_failing_step_is_rolled_back_alone(desk: Desk):
    async with batch():
        await desk.handle(writes("kept", "1"))
        with pytest.raises(ZeroDivisionError):
            async with step():
                await desk.handle(writes("written, then its update crashed", "2"))
                _ = 1 / 0
        await desk.handle(writes("kept too", "3"))

    bodies = sorted(await m.CommentRow.all().values_list("body", flat=True))
    assert bodies == ["kept", "kept too"]


async def test_a_status_created_in_a_batch_can_be_used_by_the_next_command(desk: Desk):
    ada = await admin()
    opened = await desk.handle(writes("please call me back", "1"))
    async with batch():
        with pytest.raises(DomainError):
            await desk.handle(c.ChangeStatus(opened.ticket_id, ada, "waiting_parts"))
        await desk.handle(c.SaveStatus(ada, "waiting_parts", "Waiting for parts"))
        await desk.handle(c.ChangeStatus(opened.ticket_id, ada, "waiting_parts"))

    ticket = await m.TicketRow.get(id=opened.ticket_id)
    assert ticket.status == "waiting_parts"


async def test_after_commit_actions_wait_for_the_commit_and_are_dropped_on_rollback(
        desk: Desk):
    done: list[str] = []

    async def note(what: str) -> None:
        done.append(what)

    await after_commit(lambda: note("outside a batch: at once"))
    assert done == ["outside a batch: at once"]
    async with batch():
        await desk.handle(writes("hello", "1"))
        await after_commit(lambda: note("acknowledged"))
        assert done == ["outside a batch: at once"]
    assert done[-1] == "acknowledged"

    with pytest.raises(NotAllowed):
        async with batch():
            await after_commit(lambda: note("never"))
            raise NotAllowed("ticket.busy")
    assert "never" not in done


async def test_commit_listeners_hear_of_units_of_work_and_batches_not_of_savepoints(
        desk: Desk):
    heard: list[int] = []
    stop = on_commit(lambda: heard.append(1))
    try:
        await desk.handle(writes("one", "1"))
        assert len(heard) == 1
        async with batch():
            await desk.handle(writes("two", "2"))
            await desk.handle(writes("three", "3"))
            assert len(heard) == 1  # savepoints are not commits
        assert len(heard) == 2
    finally:
        stop()
    await desk.handle(writes("four", "4"))
    assert len(heard) == 2


async def test_a_batch_inside_a_batch_is_the_same_transaction(desk: Desk):
    with pytest.raises(RuntimeError):
        async with batch():
            async with batch():
                await desk.handle(writes("inner", "1"))
            raise RuntimeError("outer fails")
    assert await m.TicketRow.all().count() == 0
    async with in_transaction():  # the connection is usable afterwards
        assert await m.TicketRow.all().count() == 0


async def test_workers_cancelled_at_any_point_of_a_transaction_leave_the_database_usable(
        desk: Desk):
    """Stopping the app cancels its workers wherever they are; on SQLite a cancel while a
    transaction begins used to keep the transaction lock, and every later query hung."""
    async def busy(n: int) -> None:
        while True:
            if n % 2:
                async with batch():
                    await desk.handle(writes(f"message {n}", str(n)))
            else:
                async with TortoiseUnitOfWork() as uow:
                    await uow.tickets.latest_for_contact(1)
                    await uow.commit()

    for n in range(60):
        task = asyncio.create_task(busy(n))
        await asyncio.sleep(0.0005 * (n % 9))
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with asyncio.timeout(5):
            await m.TicketRow.all().count()
    async with asyncio.timeout(5):
        await desk.handle(writes("still working", "999"))


async def test_units_of_work_in_one_step_roll_back_and_commit_alone(desk: Desk):
    """The first unit of work of a step uses the step's savepoint: a refused command rolls
    back to it and the answer written next in the same step stays, as does a command
    committed before a later one in the step is refused."""
    async with batch():
        async with step():  # a refusal, then the polite answer, for one update
            with pytest.raises(DomainError):
                await desk.handle(c.ClientClosesTicket(999, 999),
                                  source=InboundRef("telegram", "31"))
            await desk.handle(writes("answered in the same step", "1"),
                              source=InboundRef("telegram", "31"))
        async with step():  # a command that commits, then one refused
            await desk.handle(writes("committed first", "2"), source=InboundRef("telegram", "32"))
            with pytest.raises(DomainError):
                await desk.handle(c.ClientClosesTicket(999, 999),
                                  source=InboundRef("telegram", "33"))
        async with step():  # a unit of work rolled back by hand, then another one
            async with TortoiseUnitOfWork() as uow:
                await uow.inbound.record(InboundRef("telegram", "34"))
                await uow.rollback()
            async with TortoiseUnitOfWork() as uow:
                await uow.inbound.record(InboundRef("telegram", "35"))
                await uow.commit()

    bodies = await m.CommentRow.all().order_by("id").values_list("body", flat=True)
    assert bodies == ["answered in the same step", "committed first"]
    recorded = await m.InboundRow.all().values_list("external_id", flat=True)
    assert sorted(recorded) == ["31", "32", "35"]


async def test_parked_updates_are_counted_per_channel_for_chatdesk_check(database: str):
    parked = ParkedUpdates()
    assert await parked_counts() == {}
    await parked.park("vk", "e1", {"type": "message_new"}, "RuntimeError: x")
    await parked.park("telegram", "5", {"update_id": 5}, "RuntimeError: y")
    await parked.park("telegram", "6", {"update_id": 6}, "RuntimeError: y")
    await parked.park("telegram", "6", {"update_id": 6}, "RuntimeError: again")  # same one

    assert await parked_counts() == {"telegram": 2, "vk": 1}
