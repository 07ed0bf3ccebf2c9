"""`/macro` in a ticket's topic (docs/DOMAIN.md §6.2): an agent applies a named set of actions in
one step, or is shown which macros there are. Through the real aiogram stack against the
Telegram emulator, with the fixtures of test_telegram_handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core import commands as c
from core.actions import AddNote, SetPriority, SetStatus
from core.automation import Macro
from storage import models as m
from tests.bots.test_telegram_handlers import ANNA, IVAN, World, open_ticket, running_desk, ticket

pytestmark = pytest.mark.e2e


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with running_desk() as w:
        yield w


async def save_macros(w: World, *macros: Macro) -> None:
    """What an administrator does in the panel."""
    admin = await w.desk.handle(c.AddEmployee("Olga Admin", "olga", "admin"))
    for macro in macros:
        await w.desk.handle(c.SaveRule(admin.id, macro))


async def test_macro_applies_all_its_actions_as_the_agent_in_one_step(world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    await save_macros(world, Macro(0, "Ask for the model", (
        SetPriority("high"), SetStatus("awaiting_reply"),
        AddNote("Asked {{ client_name }} for the printer model"))))

    world.agent(ANNA, "/macro ask FOR the model", thread)
    await world.in_topic(thread, "Macro «Ask for the model» applied.")
    await world.in_topic(thread, "Asked Ivan for the printer model")
    await world.settled()

    after = await ticket(ticket_id)
    assert (after.priority, after.status) == ("high", "awaiting_reply")
    note = await m.CommentRow.filter(ticket_id=ticket_id, public=False).get()
    assert (note.body, note.author_kind) == ("Asked Ivan for the printer model", "employee")
    assert not any("printer model" in text for text in world.said_to(IVAN))


async def test_macro_without_a_name_or_with_an_unknown_one_lists_the_macros(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    world.agent(ANNA, "/macro", thread)
    await world.in_topic(thread, "No macros yet")

    await save_macros(world, Macro(0, "Escalate to hardware", (SetPriority("urgent"),)),
                      Macro(0, "Old way", (SetStatus("closed"),), enabled=False),
                      Macro(0, "Wait for <the> client", (SetStatus("awaiting_reply"),)))
    world.agent(ANNA, "/macro", thread)
    usage = await world.in_topic(thread, "Usage: /macro NAME")
    assert "Macros: Escalate to hardware, Wait for <the> client" in (usage.text or "")
    world.agent(ANNA, "/macro Old way", thread)
    unknown = await world.in_topic(thread, "There is no macro named «Old way».")
    assert "Macros: Escalate to hardware, Wait for <the> client" in (unknown.text or "")
    world.agent(ANNA, "/macro Wait for client")  # in the general topic
    await world.in_topic(None, "inside a ticket's topic")
    await world.settled()

    before = await ticket(ticket_id)
    assert (before.status, before.priority) == ("open", "normal")
    assert await m.CommentRow.filter(ticket_id=ticket_id).count() == 1  # the client's
