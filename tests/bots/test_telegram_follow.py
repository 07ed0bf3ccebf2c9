"""`/follow` and `/unfollow` in a ticket's topic, end to end through aiogram and the Telegram
emulator: an agent subscribes to a ticket and is named in its topic when the client writes
(docs/DOMAIN.md §5.3, §7.3), until they unfollow."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import models as m
from tests.bots.test_telegram_handlers import BORIS, IVAN, World, open_ticket, running_desk

pytestmark = pytest.mark.e2e


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with running_desk() as w:
        yield w


async def test_an_agent_follows_a_ticket_hears_of_a_client_message_then_unfollows(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    world.agent(BORIS, "/follow", thread)
    await world.in_topic(thread, f"You follow ticket #{ticket_id} now")
    boris = await m.EmployeeRow.get(login="boris")
    assert (await m.TicketRow.get(id=ticket_id)).observer_ids == [boris.id]

    world.client(IVAN, "Any news?")
    told = await world.in_topic(thread, "Boris Ivanov", "new comment")
    world.agent(BORIS, "/unfollow", thread)
    await world.in_topic(thread, f"You no longer follow ticket #{ticket_id}.",
                         after=told.message_id)
    assert (await m.TicketRow.get(id=ticket_id)).observer_ids == []
