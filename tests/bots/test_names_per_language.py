"""A status an administrator named in Russian on the panel reaches a Russian-speaking client
under that name, end to end: the panel's settings form, then aiogram and the Telegram
emulator; an English-speaking client reads the default name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from admin_web.app import create_app
from admin_web.config import PanelConfig
from admin_web.passwords import hash_password
from chatdesk.runtime import Runtime
from core import commands as c
from core.names import Names
from emulators.telegram import StoredMessage
from tests.admin_web.conftest import PASSWORD, Browser, post, sign_in
from tests.bots.test_telegram_handlers import ANNA, IVAN, OLGA, World, open_ticket, running_desk
from tests.conftest import _open_test_database

pytestmark = pytest.mark.e2e


@pytest.fixture
async def world(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """On SQLite only: what is tested here is the wording, not the engine."""
    async for _ in _open_test_database("sqlite", tmp_path, request):
        async with running_desk() as w:
            yield w


@pytest.fixture
async def russian_desk(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """A desk whose team works in Russian (CHATDESK_DEFAULT_LANGUAGE=ru)."""
    async for _ in _open_test_database("sqlite", tmp_path, request):
        async with running_desk(default_language="ru") as w:
            yield w


async def test_the_card_of_a_russian_desk_names_status_and_priority_in_russian(
        russian_desk: World) -> None:
    world = russian_desk
    admin = await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin"))
    await world.desk.handle(c.SavePriority(admin.id, "", "Blocker", "#c62828",
                                           Names({"ru": "Блокирующий"})))
    ticket_id, thread = await open_ticket(world, IVAN, "My printer is broken")
    card = await world.card_message(ticket_id)
    shown = await world.edited(world.team, card, "Статус: Открыта", "Приоритет: Обычный")
    assert "Open" not in (shown.text or "") and "Normal" not in (shown.text or "")
    world.agent(ANNA, "/priority Blocker", thread)  # a name an administrator gave in Russian
    shown = await world.edited(world.team, card, "Блокирующий")
    assert "Blocker" not in (shown.text or "")


async def test_a_russian_team_is_offered_and_may_type_the_russian_names(
        russian_desk: World) -> None:
    world = russian_desk
    await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin"))
    ticket_id, thread = await open_ticket(world, IVAN, "My printer is broken")
    card = await world.card_message(ticket_id)
    world.agent(ANNA, "/priority", thread)
    await world.in_topic(thread, "Низкий, Обычный, Высокий, Срочный")
    world.agent(ANNA, "/status", thread)
    await world.in_topic(thread, "Открыта", "Ждёт ответа клиента")
    world.agent(ANNA, "/priority срочный", thread)  # as offered, in any case
    await world.edited(world.team, card, "Приоритет: Срочный")
    world.agent(ANNA, "/status Ждёт ответа клиента", thread)
    await world.edited(world.team, card, "Статус: Ждёт ответа клиента")


async def _name_status_on_the_panel(world: World) -> None:
    await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin",
                                          password_hash=hash_password(PASSWORD)))
    server = TestServer(create_app(Runtime(world.desk), PanelConfig()))
    await server.start_server()
    client = Browser(server)
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, "/settings/statuses", csrf, name="Parts ordered",
                          name_ru="Ждём запчасти", name_fa="در انتظار قطعه", state="open",
                          color="#607d8b", notify_client="1")
        assert page.status == 200
    finally:
        await client.close()
        await server.close()


async def test_a_status_named_in_russian_reaches_a_russian_client_under_that_name(
        world: World) -> None:
    await _name_status_on_the_panel(world)
    olgas, olga_thread = await open_ticket(world, OLGA, "Не печатает", language_code="ru")
    ivans, ivan_thread = await open_ticket(world, IVAN)
    world.agent(ANNA, "/status Parts ordered", olga_thread)
    world.agent(ANNA, "/status Parts ordered", ivan_thread)
    notice = await world.to_client(OLGA, f"#{olgas}", "Ждём запчасти")
    assert "Parts ordered" not in (notice.text or "")
    world.client(OLGA, "/tickets", language_code="ru")  # her list names it so too
    listed = await world.to_client(OLGA, f"#{olgas}", "Ждём запчасти", after=notice.message_id)
    assert "Parts ordered" not in (listed.text or "")
    await world.to_client(IVAN, f"#{ivans}", "Parts ordered")


async def test_an_agent_writing_in_russian_picks_canned_answers_by_their_russian_names(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    admin = await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin"))
    group = await world.desk.handle(c.SaveCannedGroup(admin.id, 0, "Printers",
                                                      Names({"ru": "Принтеры"})))
    await world.desk.handle(c.SaveCannedAnswer(
        admin.id, 0, group.id, "Ask for the model", "Which printer model is it?",
        Names({"ru": "Спросить модель"})))
    world.emulator.add_user(ANNA, "Anna", language_code="ru")
    world.agent(ANNA, "/canned", thread)
    menu = await _buttons(world, thread, "cn:g:")
    assert _labels(menu) == ["Принтеры"]
    world.press(world.team, menu.message_id, menu.callback_data[0], ANNA)
    answers = await _buttons(world, thread, "cn:a:")
    assert _labels(answers) == ["Спросить модель"]
    assert ticket_id


async def _buttons(world: World, thread: int, prefix: str) -> StoredMessage:
    return await world.emulator.wait_for_bot_message(
        world.team, thread_id=thread, timeout=10,
        match=lambda msg: any(d.startswith(prefix) for d in msg.callback_data))


def _labels(message: StoredMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]
