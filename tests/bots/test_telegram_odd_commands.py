"""Agents' commands with arguments nobody should type (a NUL, a digit that is no number, a
number too big to be a ticket, dates that do not exist, 4,000 characters) are answered with
the usage or a refusal in the topic, on both engines: none is parked, none crashes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import models as m
from tests.bots.test_telegram_handlers import ANNA, IVAN, World, open_ticket, running_desk

pytestmark = pytest.mark.e2e

ODD = ["/hold ²", "/hold 9999-12-31 23:59", "/hold 0000-00-00", "/hold -5d", "/hold 99999999d",
       "/hold 2026-02-30 10:00", "/hold 9999w", "/assign @", "/assign @nobody\x00",
       "/priority \x00", "/priority " + "x" * 4000, "/status ²", "/macro " + "é" * 300, "/link ²",
       "/link 99999999999", "/link -1", "/note \x00", "/history ²", "/take 5"]


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with running_desk() as w:
        yield w


async def test_odd_arguments_get_an_answer_in_the_topic_and_nothing_is_parked(
        world: World) -> None:
    _, thread = await open_ticket(world)
    for text in ODD:
        world.agent(ANNA, text, thread)
    world.client(IVAN, "Still there?")
    await world.settled()

    assert await m.InboundRow.filter(state="failed").count() == 0
    said = world.said_to(world.team, thread)
    assert said.count("Usage: /link N, where N is the number of another ticket of the same "
                      "person.") == 3
    assert "There is no colleague with the login @nobody." in said
    assert "The on-hold date must be within a year." in said  # /hold 9999w
    assert any("Still there?" in text for text in said)  # and the desk goes on
