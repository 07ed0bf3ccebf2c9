"""After a resolution in VK and Viber, end to end through vk-api, viberbot and their emulators:
a rating comment only after "Add a comment" (the next question is an ordinary message), and
resolution buttons of a closed ticket answered politely without changing anything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core import commands as c
from emulators.viber import ViberEmulator
from emulators.vk import VkEmulator
from storage import models as m
from tests.bots import test_viber, test_vk
from tests.bots.messengers import client_comments, eventually
from tests.bots.test_viber import OLGA as VIBER_OLGA
from tests.bots.test_viber import PETR, ViberWorld, labels
from tests.bots.test_viber import running as running_viber
from tests.bots.test_vk import IVAN, VkWorld, _press, button
from tests.bots.test_vk import running as running_vk
from tests.conftest import _open_test_database

pytestmark = pytest.mark.e2e
vk, viber = test_vk.vk, test_viber.viber  # the emulators, as their own tests have them


@pytest.fixture
async def vk_world(tmp_path: Path, request: pytest.FixtureRequest,
                   vk: VkEmulator) -> AsyncIterator[VkWorld]:
    """On SQLite only: what is tested here is the conversation, not the engine."""
    async for _ in _open_test_database("sqlite", tmp_path, request):
        async with running_vk(vk) as w:
            yield w


@pytest.fixture
async def viber_world(tmp_path: Path, request: pytest.FixtureRequest,
                      viber: ViberEmulator) -> AsyncIterator[ViberWorld]:
    async for _ in _open_test_database("sqlite", tmp_path, request):
        async with running_viber(viber) as w:
            yield w


async def _resolved_for_ivan(world: VkWorld) -> tuple[int, Any]:
    """Ivan's new ticket, resolved by Anna, and the question he gets with its buttons."""
    ticket_id = await world.open_ticket(IVAN, "My parcel is late")
    after = world.last_id(IVAN)
    await world.desk.handle(c.AddAgentReply(ticket_id, world.anna, "It is on its way",
                                            resolve=True))
    return ticket_id, await world.to_client(IVAN, f"Ticket #{ticket_id} is resolved",
                                            after=after)


async def test_vk_stars_then_a_question_reopens_and_stale_buttons_change_nothing(
        vk_world: VkWorld) -> None:
    world, vk = vk_world, vk_world.vk
    ticket_id, question = await _resolved_for_ivan(world)
    as_first_shown = replace(question, keyboard=question.keyboard)  # e.g. on another device
    offer = await _press(world, IVAN, question, "★4", "add a comment")
    assert {b["label"] for b in offer.buttons} == {"✍ Add a comment", "Skip"}

    for label, answer in (("★1", f"You have already rated ticket #{ticket_id}. Thank you!"),
                          ("Reopen", f"Ticket #{ticket_id} is already closed."),
                          ("Confirm", f"Ticket #{ticket_id} is already closed.")):
        await _press(world, IVAN, as_first_shown, label, answer)
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.status, row.rating) == ("closed", 4)

    vk.inject_message(IVAN, "Can I change the delivery address?")  # no comment was chosen

    async def reopened() -> bool:
        return (await m.TicketRow.get(id=ticket_id)).status == "open"
    await eventually(reopened)

    row = await m.TicketRow.get(id=ticket_id)
    assert (row.rating, row.rating_comment) == (4, None)
    assert [x.body for x in await client_comments(ticket_id)][-1] == (
        "Can I change the delivery address?")
    offered = replace(offer, keyboard=offer.keyboard)
    await _press(world, IVAN, offer, "Add a comment", "no longer apply")  # open again now
    assert button(offered, "Skip")


async def test_vk_answered_and_stale_resolution_buttons_are_edited_to_show_the_outcome(
        vk_world: VkWorld) -> None:
    world, vk = vk_world, vk_world.vk
    ticket_id, question = await _resolved_for_ivan(world)
    as_sent = replace(question, keyboard=question.keyboard)
    await _press(world, IVAN, as_sent, "Confirm", f"Ticket #{ticket_id} is closed")
    # the question now says so, and only the stars are left under it
    await vk.wait_for(lambda: question.edits == 1 or None, timeout=10)
    assert question.text.endswith("Closed. You can still rate our work:")
    assert [b["label"] for b in question.buttons] == [f"★{n}" for n in range(1, 6)]

    # a stale press (from a copy shown before the edit) changes nothing, nor the question
    await _press(world, IVAN, as_sent, "Reopen", f"Ticket #{ticket_id} is already closed.")
    assert (await m.TicketRow.get(id=ticket_id)).status == "closed" and question.edits == 1

    offer = await _press(world, IVAN, question, "★4", "add a comment")
    await vk.wait_for(lambda: question.edits == 2 or None, timeout=10)
    assert question.text.endswith("Closed — rated 4★") and question.keyboard is None
    assert question.text.startswith(as_sent.text)  # the question's own words are kept
    await _press(world, IVAN, offer, "Skip", "Thank you!")
    await vk.wait_for(lambda: offer.edits == 1 or None, timeout=10)
    assert offer.text.endswith("Closed — rated 4★") and offer.keyboard is None


async def test_viber_a_comment_is_one_message_after_add_a_comment_and_stale_stars_in_russian(
        viber_world: ViberWorld) -> None:
    world, viber = viber_world, viber_world.viber
    ticket_id = await world.open_ticket(VIBER_OLGA, "The app crashes")
    after = world.last_token(VIBER_OLGA)
    await world.desk.handle(c.AddAgentReply(ticket_id, world.anna, "Fixed in 2.2",
                                            resolve=True))
    question = await world.to_client(VIBER_OLGA, f"Ticket #{ticket_id} is resolved",
                                     after=after)
    offer = await world.press(VIBER_OLGA, question, "★5", "add a comment")
    assert {"✍ Add a comment", "Skip"} <= labels(offer)
    await world.press(VIBER_OLGA, offer, "Add a comment", "in your next message")
    viber.inject_message(VIBER_OLGA, "Good, but slow")
    await world.to_client(VIBER_OLGA, "Thank you for your comment!")
    viber.inject_message(VIBER_OLGA, "One more thing: the export")

    async def reopened() -> bool:
        return (await m.TicketRow.get(id=ticket_id)).status == "open"
    await eventually(reopened)

    row = await m.TicketRow.get(id=ticket_id)
    assert (row.rating, row.rating_comment) == (5, "Good, but slow")

    petrs = await world.open_ticket(PETR, "Не работает экспорт")
    after = world.last_token(PETR)
    await world.desk.handle(c.AddAgentReply(petrs, world.anna, "Исправили", resolve=True))
    question = await world.to_client(PETR, f"Обращение #{petrs} решено", after=after)
    skip = await world.press(PETR, question, "★3", "комментарий")
    await world.press(PETR, skip, "Пропустить", "Спасибо!")
    await world.press(PETR, question, "★1", f"Вы уже оценили обращение #{petrs}. Спасибо!")
    row = await m.TicketRow.get(id=petrs)
    assert (row.status, row.rating, row.rating_comment) == ("closed", 3, None)
