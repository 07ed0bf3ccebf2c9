"""A getUpdates batch is committed as one transaction, through the real aiogram stack and
the emulator: an update whose handler crashes is parked alone, a batch that cannot commit
is processed again update by update with nothing doubled, and button toasts are answered
only once their change is durable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bots.telegram import inbound
from core import commands as c
from core.services import HANDLERS
from storage import models as m
from storage import uow as storage_uow
from tests.bots.test_telegram_handlers import (
    IVAN,
    OLGA,
    World,
    eventually,
    open_ticket,
    running_desk,
)

pytestmark = pytest.mark.e2e

PETR = 5003


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with running_desk() as w:
        yield w


async def test_an_update_that_crashes_is_parked_and_the_rest_of_its_batch_commits(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    real = HANDLERS[c.ClientWrites]

    async def fragile(cmd: c.ClientWrites, ctx: Any) -> Any:
        result = await real(cmd, ctx)  # its writes happen, then it crashes
        if cmd.text == "boom":
            raise RuntimeError("a bug in a handler")
        return result

    monkeypatch.setitem(HANDLERS, c.ClientWrites, fragile)
    batches_before = world.processor.batches
    world.client(IVAN, "my printer is broken", first_name="Ivan")
    world.client(OLGA, "boom", first_name="Olga")
    world.client(PETR, "my scanner is broken", first_name="Petr")
    await world.settled()

    assert world.processor.batches > batches_before  # they came, and committed, together
    bodies = sorted(await m.CommentRow.all().values_list("body", flat=True))
    assert bodies == ["my printer is broken", "my scanner is broken"]
    parked = await m.InboundRow.filter(state="failed").values_list("last_error", flat=True)
    assert parked == ["RuntimeError: a bug in a handler"]
    await world.to_client(IVAN, "#")
    await world.to_client(PETR, "#")
    assert world.said_to(OLGA) == []  # nothing of the crashed update's reached anybody


async def test_parked_updates_go_through_again_at_the_next_start(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug parked two clients' messages; the fixed release starts and handles them, and
    one that still fails stays parked, its attempts counted."""
    real = HANDLERS[c.ClientWrites]
    still_broken = {"boom", "still boom"}

    async def fragile(cmd: c.ClientWrites, ctx: Any) -> Any:
        if cmd.text in still_broken:
            raise RuntimeError("a bug in a handler")
        return await real(cmd, ctx)

    monkeypatch.setitem(HANDLERS, c.ClientWrites, fragile)
    world.client(OLGA, "boom", first_name="Olga")
    world.client(PETR, "still boom", first_name="Petr")
    await world.settled()
    assert await m.InboundRow.filter(state="failed").count() == 2

    still_broken.discard("boom")  # the fix for Olga's message is released
    assert await world.processor.retry_parked() == 1

    assert await m.CommentRow.all().values_list("body", flat=True) == ["boom"]
    await world.to_client(OLGA, "#")
    parked = await m.InboundRow.filter(state="failed").values("attempts", "last_error")
    assert parked == [{"attempts": 2, "last_error": "RuntimeError: a bug in a handler"}]
    assert await world.processor.retry_parked() == 0  # nothing doubled on a second start
    assert await m.CommentRow.all().count() == 1


async def test_a_batch_that_cannot_commit_is_processed_again_one_update_at_a_time(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    failed_batches: list[int] = []

    sizes: list[int] = []

    @asynccontextmanager
    async def doomed(write_behind: bool = False) -> AsyncIterator[Any]:
        async with storage_uow.batch(write_behind) as state:  # the first of several fails
            yield state
            if not failed_batches and sizes and sizes[-1] > 1:
                failed_batches.append(sizes[-1])
                raise ConnectionError("the database went away at the commit")

    monkeypatch.setattr(inbound, "batch", doomed)
    real_batch = world.processor.process_batch

    async def watched(updates: Any) -> None:
        sizes.append(len(updates))
        await real_batch(updates)

    monkeypatch.setattr(world.processor, "process_batch", watched)
    world.client(IVAN, "first", first_name="Ivan")
    world.client(IVAN, "second")
    world.client(OLGA, "third", first_name="Olga")
    await world.settled()

    assert failed_batches  # a batch of several updates failed to commit
    bodies = await m.CommentRow.all().order_by("id").values_list("body", flat=True)
    assert bodies == ["first", "second", "third"]
    assert await m.TicketRow.all().count() == 2
    assert await m.InboundRow.filter(state="failed").count() == 0
    numbered = [t for t in world.said_to(IVAN) if "#" in t]
    assert len(numbered) == 1  # one "your ticket number" answer, not one per attempt


async def test_a_button_is_answered_after_its_batch_commits_and_only_once(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_id, _ = await open_ticket(world)
    card = await world.card_message(ticket_id)
    rolled_back: list[int] = []

    @asynccontextmanager
    async def fails_once(write_behind: bool = False) -> AsyncIterator[Any]:
        async with storage_uow.batch(write_behind) as state:
            yield state
            if not rolled_back:
                rolled_back.append(1)
                raise ConnectionError("the database went away at the commit")

    monkeypatch.setattr(inbound, "batch", fails_once)
    query = world.press(world.team, card, f"t:take:{ticket_id}", user_id=701)
    world.client(OLGA, "hello there", first_name="Olga")  # so that the two form a batch
    text, _ = await world.toast(query)
    await world.settled()

    assert rolled_back
    answers = [a for a in world.emulator.callback_answers if a.callback_query_id == query]
    assert len(answers) == 1, text
    row = await eventually(lambda: m.TicketRow.filter(id=ticket_id).first())
    assert row.responsible_id is not None
