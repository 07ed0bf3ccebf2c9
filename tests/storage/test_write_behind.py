"""A write-behind batch (`storage.uow.batch(write_behind=True)`) keeps the commands' writes in
memory, yet never lets anybody read a stale database: a query from outside the units of work
sees what the batch did, a refused command leaves no trace, and a ticket changed by someone
else during the batch fails the whole batch instead of losing either change."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.errors import DomainError
from core.outbox import InboundRef, Routing
from core.services import Desk
from storage import models as m
from storage.uow import batch

ROUTING = Routing(client_channels=frozenset({"telegram"}), agent_channel="telegram")


def writes(text: str, user: str) -> c.ClientWrites:
    return c.ClientWrites("telegram", user, f"Client {user}", text, language="en")


@pytest.fixture
def desk(database: str) -> Desk:
    return build_desk(routing=ROUTING)


async def test_writes_wait_for_the_end_yet_every_other_query_sees_them(desk: Desk):
    async with batch(write_behind=True) as wb:
        assert wb is not None
        first = await desk.handle(writes("the printer is broken", "1"))
        await desk.handle(writes("and it smokes", "1"))
        flushes = wb.flushes
        assert flushes == 0  # all of it is still in memory
        # a handler's own query (a list of tickets, say) goes past the units of work
        bodies = await m.CommentRow.filter(ticket_id=first.ticket_id).values_list(
            "body", flat=True)
        assert sorted(bodies) == ["and it smokes", "the printer is broken"]
        assert wb.flushes == flushes + 1
        second = await desk.handle(writes("the scanner too", "2"))

    assert first.ticket_id != second.ticket_id
    assert await m.TicketRow.all().count() == 2
    assert await m.CommentRow.all().count() == 3
    contact = await m.ContactRow.get(id=first.contact_id)
    assert contact.current_ticket_id == first.ticket_id


async def test_a_refused_command_leaves_no_trace_and_the_others_commit(desk: Desk):
    async with batch(write_behind=True):
        first = await desk.handle(writes("the printer is broken", "1"),
                                  source=InboundRef("telegram", "11"))
        with pytest.raises(DomainError):  # a client cannot close somebody else's ticket
            await desk.handle(c.ClientClosesTicket(first.contact_id + 1000, first.ticket_id),
                              source=InboundRef("telegram", "12"))
        await desk.handle(writes("and the scanner", "2"), source=InboundRef("telegram", "13"))

    assert await m.TicketRow.all().count() == 2
    recorded = await m.InboundRow.all().values_list("external_id", flat=True)
    assert sorted(recorded) == ["11", "13"]  # the refused update may be delivered again
    ticket = await m.TicketRow.get(id=first.ticket_id)
    assert ticket.status == "open"


async def elsewhere(url: str, sql: str) -> None:
    """A statement from another process: a connection of its own, committed at once."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite://")
        with sqlite3.connect(path, timeout=0.1) as other:
            other.execute(sql)
        return
    other = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await other.execute(sql)
    finally:
        await other.close()


async def test_a_ticket_changed_by_someone_else_fails_the_batch_and_loses_nothing(
        desk: Desk, database: str):
    opened = await desk.handle(writes("the printer is broken", "1"))

    with pytest.raises(Exception):  # noqa: B017, PT011 - the engine's or ours
        async with batch(write_behind=True):
            await desk.handle(writes("any news?", "1"))  # the ticket read, changed in memory
            # meanwhile the panel, in another process, renames the ticket
            await elsewhere(database, "UPDATE tickets SET subject = 'renamed elsewhere', "
                            f"version = version + 1 WHERE id = {opened.ticket_id}")

    after = await m.TicketRow.get(id=opened.ticket_id)
    assert after.subject == "renamed elsewhere"  # the other change survives
    # and the batch left nothing: its caller runs its updates again the careful way
    assert await m.CommentRow.filter(body="any news?").count() == 0
