"""Updates a help desk does not expect, all in one getUpdates batch, through the real aiogram
stack: a NUL character (which PostgreSQL cannot store), right-to-left names, text at
Telegram's length limit full of markup, a sticker, a location, a dice, the client blocking
the bot, buttons with garbage or no data, an edit, a stranger in the agents' group and a
command in somebody else's group. None of them stops the bot: nothing is parked, and the
client's next message is handled as usual."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from emulators.telegram.emulator import TelegramEmulator
from storage import models as m
from tests.e2e.harness import AGENT_CHAT, running_stack, started_emulator

CLIENT = 7001
STRANGER = 8888
MARKUP = ("<b>&amp;</i>" * 342)[:4096]  # Telegram's longest message, all markup


@pytest.fixture
async def emulator(database: str) -> AsyncIterator[TelegramEmulator]:
    async with started_emulator(CLIENT) as emulator:
        yield emulator


def _private(message_id: int, **content: Any) -> dict[str, Any]:
    return {"message_id": message_id, "date": 1_700_000_000,
            "chat": {"id": CLIENT, "type": "private", "first_name": "Anna"},
            "from": {"id": CLIENT, "is_bot": False, "first_name": "Anna"}, **content}


def _odd_updates(emulator: TelegramEmulator) -> None:
    e = emulator
    e.inject_private_message(CLIENT, "The printer\x00 prints \x00nothing", first_name="مریم",
                             language_code="fa")
    e.inject_private_message(CLIENT, MARKUP)
    e.inject_private_message(CLIENT, sticker=b"STK")
    e.inject_update("message", _private(9001, location={"latitude": 1.5, "longitude": 2.5}))
    e.inject_update("message", _private(9002, dice={"emoji": "🎲", "value": 3}))
    bot = {"id": 1, "is_bot": True, "first_name": "Desk"}
    e.inject_update("my_chat_member", {
        "chat": {"id": CLIENT, "type": "private", "first_name": "Anna"},
        "from": {"id": CLIENT, "is_bot": False, "first_name": "Anna"}, "date": 1,
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": "kicked", "until_date": 0, "user": bot}})
    user = {"id": CLIENT, "is_bot": False, "first_name": "Anna"}
    e.inject_update("callback_query", {"id": "q1", "chat_instance": "c", "from": user,
                                       "data": "\x00\xff" * 10})
    e.inject_update("callback_query", {"id": "q2", "chat_instance": "c", "from": user})
    e.inject_update("edited_message", {**_private(1, text="edited"), "edit_date": 2})
    e.inject_update("message", {"message_id": 9003, "date": 1,
                                "chat": {"id": -100555, "type": "supergroup", "title": "Other"},
                                "from": {"id": STRANGER, "is_bot": False, "first_name": "S"},
                                "text": "/queue"})
    e.inject_group_message(AGENT_CHAT, STRANGER, "/queue", first_name="Stranger")


async def test_odd_updates_in_one_batch_are_handled_and_the_next_message_too(
        emulator: TelegramEmulator) -> None:
    _odd_updates(emulator)
    emulator.inject_private_message(CLIENT, "Is anybody there?")
    async with running_stack(emulator):
        async def answered(body: str) -> bool:
            return await m.CommentRow.filter(body=body).exists()

        await emulator.wait_for(lambda e: any("#1" in (x.text or "")
                                              for x in e.bot_messages(CLIENT)), timeout=20)
        for _ in range(200):
            if await answered("Is anybody there?"):
                break
            await asyncio.sleep(0.05)
        assert await answered("Is anybody there?")

    assert await m.InboundRow.filter(state="failed").count() == 0
    bodies = await m.CommentRow.all().values_list("body", flat=True)
    assert "The printer prints nothing" in bodies  # kept without the NUL characters
    assert MARKUP in bodies
    assert await m.ContactRow.filter(language="fa").count() == 1
