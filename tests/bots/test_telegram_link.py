"""`/link N` in a ticket's topic, end to end through aiogram and the Telegram emulator: an
agent makes the client of another channel's ticket the same person (docs/DOMAIN.md §8.2), /history
then shows the tickets of both, and the refusals are worded for the agent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core import commands as c
from core.client_handlers import ClientWriteResult
from storage import models as m
from tests.bots.test_telegram_handlers import ANNA, STRANGER, World, open_ticket, running_desk

pytestmark = pytest.mark.e2e


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with running_desk() as w:
        yield w


async def _vk_ticket(world: World) -> ClientWriteResult:
    """The same person wrote to the VK community too (its own contact so far)."""
    result = await world.desk.handle(c.ClientWrites("vk", "901", "Ivan K.", "Printer again"))
    assert isinstance(result, ClientWriteResult)
    return result


async def test_an_agent_links_a_vk_ticket_to_the_telegram_client(world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    vk = await _vk_ticket(world)
    world.agent(ANNA, "/history", thread)
    await world.in_topic(thread, "no other tickets")

    world.agent(ANNA, f"/link {vk.ticket_id}", thread)
    done = await world.in_topic(thread, "now belong to one contact")
    assert f"#{ticket_id}" in (done.text or "") and f"#{vk.ticket_id}" in (done.text or "")
    row = await m.TicketRow.get(id=vk.ticket_id)
    telegram = await m.TicketRow.get(id=ticket_id)
    assert row.contact_id == telegram.contact_id
    world.agent(ANNA, "/history", thread)
    history = await world.in_topic(thread, "other tickets:")
    assert f"#{vk.ticket_id}" in (history.text or "")


async def test_linking_refusals_are_explained_to_the_agent(world: World) -> None:
    _, thread = await open_ticket(world)
    vk = await _vk_ticket(world)
    world.agent(ANNA, "/link", thread)
    await world.in_topic(thread, "Usage: /link N")
    world.agent(ANNA, "/link 99999", thread)
    await world.in_topic(thread, "No ticket #99999.")
    world.agent(ANNA, f"/link #{vk.ticket_id}", thread)
    await world.in_topic(thread, "now belong to one contact")
    world.agent(ANNA, f"/link {vk.ticket_id}", thread)
    await world.in_topic(thread, "already belong to one contact")
    world.agent(STRANGER, f"/link {vk.ticket_id}", thread)
    await world.in_topic(thread, "Only members of the support team")
    world.agent(ANNA, f"/link {vk.ticket_id}")
    await world.in_topic(None, "inside a ticket's topic")
