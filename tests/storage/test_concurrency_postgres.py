"""Two agents take one ticket on PostgreSQL with two real connections that both read the
ticket before either writes: the optimistic version check lets exactly one win."""

from __future__ import annotations

import asyncio

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.errors import AlreadyHandled, AlreadyTaken
from core.outbox import InboundRef
from core.tickets import Ticket
from storage import models as m
from storage.repositories import TicketRepository
from storage.uow import TortoiseUnitOfWork
from tests.storage.test_unit_of_work import ROUTING, add_employee, writes


class BarrierTickets(TicketRepository):
    """Holds each reader until both transactions have read the ticket."""

    barrier: asyncio.Barrier
    readers_to_hold = 2  # the two first attempts; the loser's retry reads freely

    async def get(self, ticket_id: int) -> Ticket:
        ticket = await super().get(ticket_id)
        if BarrierTickets.readers_to_hold > 0:
            BarrierTickets.readers_to_hold -= 1
            await asyncio.wait_for(self.barrier.wait(), 5)
        return ticket


@pytest.mark.postgres
async def test_concurrent_take_on_postgres_has_exactly_one_winner(postgres_database: str):
    desk = build_desk(routing=ROUTING)
    opened = await desk.handle(writes("hello"))
    alice, bob = await add_employee("alice"), await add_employee("bob")
    BarrierTickets.barrier = asyncio.Barrier(2)
    BarrierTickets.readers_to_hold = 2

    class RacingUnitOfWork(TortoiseUnitOfWork):
        async def __aenter__(self) -> RacingUnitOfWork:
            await super().__aenter__()
            self.tickets = BarrierTickets(self.tickets.conn)
            return self

    racing = build_desk(uow_factory=RacingUnitOfWork, routing=ROUTING)
    results = await asyncio.gather(
        racing.handle(c.TakeTicket(opened.ticket_id, alice)),
        racing.handle(c.TakeTicket(opened.ticket_id, bob)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], AlreadyTaken), results
    assert "already taken by" in str(errors[0])
    row = await m.TicketRow.get(id=opened.ticket_id)
    assert row.responsible_id in (alice, bob) and row.version == 2


@pytest.mark.postgres
async def test_one_update_delivered_twice_at_once_is_handled_once_on_postgres(
        postgres_database: str):
    """A webhook retried while the first delivery is still running: the second insert of
    the update's record waits for the first transaction, then is refused; one comment."""
    desk = build_desk(routing=ROUTING)
    await desk.handle(writes("hello"))
    source = InboundRef("telegram", "4242")
    results = await asyncio.gather(
        desk.handle(writes("the printer again"), source=source),
        desk.handle(writes("the printer again"), source=source),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], AlreadyHandled), results
    assert await m.CommentRow.filter(body="the printer again").count() == 1
    assert await m.InboundRow.filter(external_id="4242").count() == 1
