"""The client's conversation after a resolution and what agents see of their commands, end
to end through aiogram and the Telegram emulator: a rating comment only after "Add a
comment", resolution buttons that answer politely once the ticket is closed, notices that
say from which status to which, and reactions on the agents' messages in the topic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bots.test_telegram_handlers import (
    ANNA,
    BORIS,
    IVAN,
    OLGA,
    World,
    open_ticket,
    running_desk,
)
from tests.conftest import _open_test_database

pytestmark = pytest.mark.e2e


@pytest.fixture
async def world(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """On SQLite only: what is tested here is the conversation, not the engine."""
    async for _ in _open_test_database("sqlite", tmp_path, request):
        async with running_desk() as w:
            yield w


# --- notices say from which status to which -------------------------------------------------
async def test_status_notices_say_from_which_status_to_which_in_the_readers_language(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    olgas, olga_thread = await open_ticket(world, OLGA, "Не печатает", language_code="ru")
    for topic in (thread, olga_thread):
        world.agent(BORIS, "/follow", topic)
        world.agent(ANNA, "/wait", topic)
    await world.to_client(IVAN, f"We are waiting for your reply on ticket #{ticket_id}.\n"
                          "Status changed from “Open” to “Awaiting reply”.")
    await world.to_client(OLGA, f"#{olgas}", "Статус изменён: было «Открыто», стало "
                          "«Ждём ответа».")
    await world.in_topic(thread, "Boris Ivanov",
                         "status changed from “Open” to “Awaiting reply”")
