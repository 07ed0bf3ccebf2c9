"""The client's conversation after a resolution and what agents see of their commands, end
to end through aiogram and the Telegram emulator: a rating comment only after "Add a
comment", resolution buttons that answer politely once the ticket is closed, notices that
say from which status to which, and reactions on the agents' messages in the topic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core import commands as c
from emulators.telegram import StoredMessage
from storage import models as m
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
    await world.to_client(OLGA, f"#{olgas}", "Статус изменён: было «Открыта», стало "
                          "«Ждёт ответа клиента».")
    await world.in_topic(thread, "Boris Ivanov",
                         "status changed from “Open” to “Awaiting reply”")


# --- after the stars: a comment only by choice ----------------------------------------------
async def resolved_question(w: World, user_id: int = IVAN, text: str = "My printer is broken",
                            **kw: Any) -> tuple[int, int, StoredMessage]:
    """A ticket of the client's resolved by Anna: its id, topic and the question."""
    ticket_id, thread = await open_ticket(w, user_id, text, **kw)
    w.agent(ANNA, "/resolve Replaced the cartridge", thread)
    question = await w.emulator.wait_for_bot_message(
        user_id, match=lambda msg: f"c:rate:{ticket_id}:5" in msg.callback_data, timeout=10)
    return ticket_id, thread, question


async def test_after_the_stars_the_clients_next_question_reopens_the_ticket_not_a_comment(
        world: World) -> None:
    ticket_id, thread, question = await resolved_question(world)
    world.press(IVAN, question.message_id, f"c:rate:{ticket_id}:4")
    rated = await world.edited(IVAN, question.message_id, "Closed — rated 4★")
    assert rated.callback_data == [f"c:comment:{ticket_id}", f"c:skip:{ticket_id}"]
    await world.settled()
    assert not any((msg.reply_markup or {}).get("force_reply")
                   for msg in world.emulator.bot_messages(IVAN))

    world.client(IVAN, "Can I change the delivery address?")
    await world.in_topic(thread, "Can I change the delivery address?")
    await world.settled()
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.status, row.rating, row.rating_comment) == ("open", 4, None)


async def test_add_a_comment_takes_one_message_within_its_window_then_messages_go_on_as_usual(
        world: World) -> None:
    ticket_id, thread, question = await resolved_question(world)
    world.press(IVAN, question.message_id, f"c:rate:{ticket_id}:5")
    await world.edited(IVAN, question.message_id, "Closed — rated 5★")
    world.press(IVAN, question.message_id, f"c:comment:{ticket_id}")
    prompt = await world.to_client(IVAN, f"comment on ticket #{ticket_id} in your next "
                                   "message (within 10 minutes)")
    assert (prompt.reply_markup or {}).get("force_reply")  # asked for: the reply opens
    await world.settled()
    assert world.emulator.message(IVAN, question.message_id).callback_data == []
    world.client(IVAN, "Quick and friendly", reply_to_message_id=prompt.message_id)
    await world.to_client(IVAN, "Thank you for your comment!")
    world.client(IVAN, "And the scanner?")
    await world.in_topic(thread, "And the scanner?")
    await world.settled()
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.status, row.rating, row.rating_comment) == ("open", 5, "Quick and friendly")

    world.agent(ANNA, "/resolve The scanner works too", thread)
    again = await world.emulator.wait_for_bot_message(
        IVAN, after_message_id=question.message_id,
        match=lambda msg: f"c:rate:{ticket_id}:5" in msg.callback_data, timeout=10)
    world.press(IVAN, again.message_id, f"c:rate:{ticket_id}:3")
    await world.edited(IVAN, again.message_id, "Closed — rated 3★")
    world.press(IVAN, again.message_id, f"c:comment:{ticket_id}")
    late = await world.to_client(IVAN, "in your next message", after=again.message_id)
    late.date -= 11 * 60  # as if the client answered eleven minutes later
    world.client(IVAN, "Where is my invoice?", reply_to_message_id=late.message_id)
    await world.in_topic(thread, "Where is my invoice?")
    await world.settled()
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.status, row.rating, row.rating_comment) == ("open", 3, None)  # a new rating


# --- answered questions: stale buttons answer politely and change nothing -------------------
async def test_resolution_buttons_of_a_closed_ticket_answer_politely_and_change_nothing(
        world: World) -> None:
    ticket_id, _, question = await resolved_question(world, OLGA, "Не печатает",
                                                     language_code="ru")
    world.press(OLGA, question.message_id, f"c:rate:{ticket_id}:4")
    await world.edited(OLGA, question.message_id, "Закрыто — оценка 4★")
    assert await world.toast(world.press(OLGA, question.message_id, f"c:skip:{ticket_id}")
                             ) == ("Спасибо!", False)
    await world.settled()
    history = await m.HistoryRow.filter(ticket_id=ticket_id).count()

    for data, toast in (
            (f"c:rate:{ticket_id}:1", f"Вы уже оценили обращение #{ticket_id}. Спасибо!"),
            (f"c:reopen:{ticket_id}", f"Обращение #{ticket_id} уже закрыто. Если нужна "
                                      "помощь, просто напишите нам."),
            (f"c:close:{ticket_id}", f"Обращение #{ticket_id} уже закрыто. Если нужна "
                                     "помощь, просто напишите нам.")):
        stale = world.press(OLGA, question.message_id, data, forge=True)  # an older copy
        assert await world.toast(stale) == (toast, False)
    await world.settled()
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.status, row.rating) == ("closed", 4)
    assert await m.HistoryRow.filter(ticket_id=ticket_id).count() == history
    assert world.emulator.message(OLGA, question.message_id).callback_data == []


async def test_confirming_first_keeps_the_stars_and_the_question_shows_the_outcome(
        world: World) -> None:
    ticket_id, _, question = await resolved_question(world)
    world.press(IVAN, question.message_id, f"c:close:{ticket_id}")
    confirmed = await world.edited(IVAN, question.message_id, "You can still rate our work")
    assert confirmed.callback_data == [f"c:rate:{ticket_id}:{n}" for n in range(1, 6)]
    world.press(IVAN, question.message_id, f"c:rate:{ticket_id}:5")
    await world.edited(IVAN, question.message_id, "Closed — rated 5★")
    await world.settled()
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.status, row.rating) == ("closed", 5)


# --- reactions confirm the agents' commands in the topic ------------------------------------
async def test_each_command_in_the_topic_gets_a_reaction_and_a_reply_shows_when_the_client_has_it(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    seen = max(msg.message_id for msg in world.emulator.messages(world.team))
    world.agent(ANNA, "/note checked the logs, the toner is empty", thread)
    world.agent(ANNA, "Please restart it", thread)
    world.agent(ANNA, "/take", thread)
    await world.to_client(IVAN, "Please restart it")
    await world.settled()
    posts_before = len(world.emulator.bot_messages(world.team, thread_id=thread))

    def reactions() -> dict[str, list[str]] | None:
        mine = [msg for msg in world.emulator.messages(world.team, thread_id=thread,
                                                       from_bot=False)
                if msg.message_id > seen]
        found = {msg.text or "": msg.reaction_emojis for msg in mine}
        return found if all(found.values()) and len(found) == 3 else None

    assert await world.emulator.wait_for(lambda _: reactions(), 10) == {
        "/note checked the logs, the toner is empty": ["✍"],
        "Please restart it": ["👍"],  # the client received it
        "/take": ["👌"]}
    assert len(world.emulator.bot_messages(world.team, thread_id=thread)) == posts_before
    set_ = [c.params["reaction"][0]["emoji"] for c in world.emulator.calls("setMessageReaction")]
    assert sorted(set_) == sorted(["✍", "🕊", "👌", "👍"]) and set_.index("🕊") < set_.index("👍")


async def test_a_reply_written_in_the_panel_gets_its_thumbs_up_on_its_copy_in_the_topic(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    anna = await m.EmployeeRow.get(login="anna")
    await world.desk.handle(c.AddAgentReply(ticket_id, anna.id, "The courier comes at 3"))
    await world.desk.handle(c.AddPrivateNote(ticket_id, anna.id, "Called the courier"))
    await world.to_client(IVAN, "The courier comes at 3")
    copy = await world.in_topic(thread, "The courier comes at 3")
    note = await world.in_topic(thread, "Called the courier")

    def thumbs_up() -> list[str] | None:
        shown = world.emulator.message(world.team, copy.message_id)
        return shown.reaction_emojis if shown and shown.reaction_emojis else None

    assert await world.emulator.wait_for(lambda _: thumbs_up(), 10) == ["👍"]
    await world.settled()
    shown = world.emulator.message(world.team, note.message_id)
    assert shown is not None and shown.reaction_emojis == []  # a note never reaches the client
