"""`Desk.handle`, the one way in: a command runs in one transaction, a platform update that is
delivered twice runs once, and answers that change no ticket still leave through the outbox."""

from __future__ import annotations

import asyncio

import pytest

from core import commands as c
from core.errors import AlreadyHandled, InvalidInput
from core.outbox import Audience, InboundRef, OutboundMessage
from tests.core.steps import CLIENT, interleave_first_reads
from tests.fakes import make_desk

UPDATE = InboundRef("telegram", "update-100")


def writes(text: str) -> c.ClientWrites:
    return c.ClientWrites("telegram", CLIENT, "Ivan", text)


async def test_a_redelivered_update_is_not_run_twice() -> None:
    desk, store, _ = make_desk()
    await desk.handle(writes("Printer is broken"), source=UPDATE)
    before = store.snapshot()
    with pytest.raises(AlreadyHandled):
        await desk.handle(writes("Printer is broken"), source=UPDATE)
    assert store.snapshot() == before
    assert len(store.comments) == 1


async def test_a_refused_update_is_not_remembered_so_nothing_half_done_stays() -> None:
    desk, store, _ = make_desk()
    with pytest.raises(InvalidInput):
        await desk.handle(writes("  "), source=UPDATE)
    assert store.inbound == set()
    await desk.handle(writes("Now with text"), source=UPDATE)
    assert store.inbound == {UPDATE}


async def test_an_answer_that_changes_no_ticket_is_queued_once() -> None:
    desk, store, clock = make_desk()
    answer = OutboundMessage("telegram", Audience.CLIENT, "ticket_list", 0, clock.now(), CLIENT)
    await desk.reply([answer], source=UPDATE)
    with pytest.raises(AlreadyHandled):
        await desk.reply([answer], source=UPDATE)
    assert [(m.kind, m.recipient) for m in store.outbox] == [("ticket_list", CLIENT)]


async def test_each_command_is_one_commit() -> None:
    desk, store, _ = make_desk()
    await desk.handle(writes("One"))
    await desk.handle(writes("Two"))
    assert store.commits == 2


async def test_the_same_update_delivered_twice_at_once_runs_once() -> None:
    desk, store, _ = make_desk()
    interleave_first_reads(store)
    results = await asyncio.gather(desk.handle(writes("Hello"), source=UPDATE),
                                   desk.handle(writes("Hello"), source=UPDATE),
                                   return_exceptions=True)
    assert sum(isinstance(r, AlreadyHandled) for r in results) == 1
    assert [c.body for c in store.comments.values()] == ["Hello"]
