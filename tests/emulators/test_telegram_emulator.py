"""The Telegram protocol emulator, driven by the real aiogram client."""

from __future__ import annotations

import asyncio
import base64
import random
import struct
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from aiohttp import web

from emulators.telegram import RateLimits, TelegramEmulator, WebhookRetry

TOKEN = "123456:TEST-emulator-token"
CLIENT = 1001
AGENT = 2001


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d) for d in datas]]
    )


def png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", width, height) + b"rest"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(
        rate_limits=RateLimits.off(), webhook_retry=WebhookRetry(initial=0.02, maximum=0.1)
    )
    await emulator.start()
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


@pytest.fixture
async def bot(tg: TelegramEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    client = Bot(TOKEN, session=session)
    yield client
    await client.session.close()


@pytest.fixture
def group(tg: TelegramEmulator) -> int:
    chat = tg.create_supergroup(
        "Agents",
        members=[
            {"user_id": AGENT, "first_name": "Alice", "admin": True},
            {"user_id": 2002, "first_name": "Bob"},
        ],
    )
    return chat.id


async def test_send_message_roundtrip(tg: TelegramEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and tg.token == TOKEN
    tg.add_user(CLIENT, "Carol", language_code="de")

    sent = await bot.send_message(
        CLIENT,
        "<b>Hello</b>, see https://example.com",
        parse_mode="HTML",
        reply_markup=keyboard("yes", "no"),
    )

    assert sent.text == "Hello, see https://example.com"
    assert sent.chat.id == CLIENT and sent.from_user and sent.from_user.id == me.id
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 5),
        ("url", 11, 19),
    ]
    stored = tg.last_bot_message(CLIENT)
    assert stored is not None and stored.message_id == sent.message_id
    assert stored.parse_mode == "HTML" and stored.callback_data == ["yes", "no"]
    assert [c.method for c in tg.calls()] == ["getMe", "sendMessage"]
    assert tg.calls("sendmessage")[0].params["chat_id"] == CLIENT

    chat = await bot.get_chat(CLIENT)
    assert chat.first_name == "Carol" and chat.type == "private"
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert tg.commands() == [{"command": "start", "description": "Start"}]
    assert await bot.set_chat_menu_button() is True
    assert await bot.send_chat_action(CLIENT, "typing") is True

    tg.add_member(tg.create_supergroup("G").id, AGENT, "Alice")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(AGENT, "hello stranger")
    tg.set_blocked(CLIENT)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(CLIENT, "still there?")


async def test_an_archived_topic_or_one_past_the_forums_ceiling_is_not_found(
    tg: TelegramEmulator, bot: Bot, group: int
) -> None:
    old = await bot.create_forum_topic(group, "Old ticket")
    kept = await bot.create_forum_topic(group, "Newer ticket")
    tg.archive_topic(group, kept.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(group, "lost", message_thread_id=kept.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.edit_forum_topic(group, kept.message_thread_id, name="renamed")

    # the forum passes its ceiling: its oldest topic can no longer be reached, a new one can
    await bot.send_message(group, "still fine", message_thread_id=old.message_thread_id)
    tg.reserve_message_ids(group, old.message_thread_id + 1_000_000)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(group, "too old", message_thread_id=old.message_thread_id)
    fresh = await bot.create_forum_topic(group, "Fresh ticket")
    sent = await bot.send_message(group, "here", message_thread_id=fresh.message_thread_id)
    assert sent.message_id == tg.state.message_count(group) > 1_000_000
    assert [t.name for t in tg.topics(group) if not t.archived] == ["Fresh ticket"]


async def test_forum_topic_roundtrip(tg: TelegramEmulator, bot: Bot, group: int) -> None:
    topic = await bot.create_forum_topic(group, "Ticket #1", icon_color=0xFFD67E)
    sent = await bot.send_message(group, "New ticket", message_thread_id=topic.message_thread_id)

    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.forum_topic_created is not None
    assert sent.reply_to_message.forum_topic_created.name == "Ticket #1"
    [stored_topic] = tg.topics(group)
    assert (stored_topic.name, stored_topic.icon_color, stored_topic.closed) == (
        "Ticket #1",
        0xFFD67E,
        False,
    )
    assert [m.text for m in tg.bot_messages(group, thread_id=topic.message_thread_id)] == [
        "New ticket"
    ]

    await bot.edit_forum_topic(group, topic.message_thread_id, name="Ticket #1 [done]")
    await bot.close_forum_topic(group, topic.message_thread_id)
    assert stored_topic.closed and stored_topic.name == "Ticket #1 [done]"
    # bots are admins: posting into a closed topic works
    await bot.send_message(group, "closing note", message_thread_id=topic.message_thread_id)
    await bot.reopen_forum_topic(group, topic.message_thread_id)
    assert not stored_topic.closed

    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(group, "lost", message_thread_id=999_999)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.reopen_forum_topic(group, topic.message_thread_id)

    admins = await bot.get_chat_administrators(group)
    assert {a.user.id for a in admins} == {123456, AGENT}
    member = await bot.get_chat_member(group, 2002)
    assert member.status == "member"
    assert (await bot.get_chat(group)).is_forum

    await bot.delete_forum_topic(group, topic.message_thread_id)
    assert tg.topics(group) == []
    assert all(m.deleted for m in tg.messages(group, thread_id=topic.message_thread_id))


async def test_dispatcher_polling_receives_messages_and_callbacks(
    tg: TelegramEmulator, bot: Bot, group: int
) -> None:
    router = Router()
    seen_edits: list[str] = []

    @router.message(F.chat.type == "private", F.text)
    async def on_private(message: Message) -> None:
        user = message.from_user
        assert user is not None and user.language_code == "pt-br"
        await message.answer(f"echo: {message.text}", reply_markup=keyboard("ack"))

    @router.message(F.chat.type == "supergroup", F.text)
    async def on_group(message: Message) -> None:
        await message.answer(f"agent said: {message.text}")

    @router.edited_message()
    async def on_edit(message: Message) -> None:
        seen_edits.append(message.text or "")

    @router.callback_query(F.data == "ack")
    async def on_ack(callback: CallbackQuery) -> None:
        await callback.answer("Thanks!")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("acknowledged")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        injected = tg.inject_private_message(CLIENT, "hi there", language_code="pt-br")
        assert injected.update_id == 1
        reply = await tg.wait_for_bot_message(CLIENT, match=lambda m: m.text == "echo: hi there")

        press = tg.inject_callback_query(CLIENT, reply.message_id, "ack")
        await tg.wait_for(lambda e: e.callback_answers)
        [answer] = tg.callback_answers
        assert (answer.callback_query_id, answer.text) == (press.callback_query_id, "Thanks!")
        await tg.wait_for(lambda e: reply.text == "acknowledged")
        assert reply.edited and reply.history[0]["text"] == "echo: hi there"
        assert reply.reply_markup is None  # edit_text without markup drops the keyboard

        assert injected.message is not None
        tg.inject_edited_message(CLIENT, injected.message.message_id, text="hi again")
        await tg.wait_for(lambda e: seen_edits == ["hi again"])

        topic = await bot.create_forum_topic(group, "Ticket #7")
        thread = topic.message_thread_id
        tg.inject_group_message(group, AGENT, "on it", message_thread_id=thread)
        answer_in_topic = await tg.wait_for_bot_message(group, thread_id=thread)
        assert answer_in_topic.text == "agent said: on it"
        agent_msg = tg.messages(group, thread_id=thread, from_bot=False)[0]
        assert agent_msg.reply_to is not None and agent_msg.reply_to.message_id == thread
        assert agent_msg.to_api()["is_topic_message"] is True
    finally:
        await dp.stop_polling()
        await polling
    assert tg.pending_updates() == []


async def test_get_updates_offset_semantics(tg: TelegramEmulator, bot: Bot) -> None:
    first = tg.inject_private_message(CLIENT, "one").update_id
    second = tg.inject_private_message(CLIENT, "two").update_id
    assert first is not None and second == first + 1

    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates()] == [first, second]  # re-delivered
    assert [u.update_id for u in await bot.get_updates(offset=second, limit=1)] == [second]
    assert await bot.get_updates(offset=second + 1) == []
    assert await bot.get_updates() == []  # forgotten for good

    # long polling returns as soon as an update arrives
    poll = asyncio.create_task(bot.get_updates(offset=second + 1, timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    third = tg.inject_private_message(CLIENT, "three").update_id
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [third]
    assert updates[0].message and updates[0].message.text == "three"

    # a second poller ends the first one with 409 like Telegram
    assert third is not None
    polls = tg.state.poll_generation
    older = asyncio.create_task(bot.get_updates(offset=third + 1, timeout=5))
    await tg.wait_for(lambda e: e.state.poll_generation > polls)  # it is waiting now
    newer = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await older
    assert await newer == []

    # negative offset keeps only the last updates; allowed_updates filters new ones
    for text in ("a", "b", "c"):
        tg.inject_private_message(CLIENT, text)
    [last] = await bot.get_updates(offset=-1)
    assert last.message and last.message.text == "c"
    await bot.get_updates(offset=last.update_id + 1, allowed_updates=["callback_query"])
    assert tg.inject_private_message(CLIENT, "filtered").update_id is None
    assert tg.pending_updates() == []


async def test_webhook_delivers_chats_at_once_and_one_chats_updates_in_turn(
        tg: TelegramEmulator, bot: Bot) -> None:
    """As Telegram does: up to `max_connections` requests at once, but a chat's next update
    only once its previous one was answered."""
    in_flight: list[int] = []  # the chats of the requests being answered
    most, overlaps, seen = 0, 0, []

    async def hook(request: web.Request) -> web.Response:
        nonlocal most, overlaps
        chat = (await request.json())["message"]["chat"]["id"]
        overlaps += chat in in_flight
        in_flight.append(chat)
        most = max(most, len(in_flight))
        await asyncio.sleep(0.05)
        seen.append((chat, (await request.json())["message"]["text"]))
        in_flight.remove(chat)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        clients = [CLIENT + n for n in range(6)]
        for user in clients[1:]:
            tg.add_user(user, f"Client {user}")
        for round_ in range(3):
            for user in clients:
                tg.inject_private_message(user, f"{round_}")
        assert await bot.set_webhook(f"http://{host}:{port}/hook", max_connections=4)
        await tg.wait_for(lambda e: len(seen) == 18 and not e.pending_updates())
    finally:
        await runner.cleanup()
    assert most == 4  # several chats at once, never more than max_connections
    assert overlaps == 0  # never two of one chat
    for user in clients:
        assert [text for chat, text in seen if chat == user] == ["0", "1", "2"]


async def test_webhook_delivery_with_secret_and_redelivery(tg: TelegramEmulator, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        update_id = tg.inject_private_message(CLIENT, "queued before webhook").update_id
        assert await bot.set_webhook(f"http://{host}:{port}/hook", secret_token="s3cr3t_-1")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()

        await tg.wait_for(lambda e: len(received) >= 2 and not e.pending_updates())
        assert [(secret, body["update_id"]) for secret, body in received] == [
            ("s3cr3t_-1", update_id),
            ("s3cr3t_-1", update_id),
        ]
        assert received[1][1]["message"]["text"] == "queued before webhook"
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message and "500" in info.last_error_message

        second = tg.inject_private_message(CLIENT, "live").update_id
        await tg.wait_for(lambda e: len(received) == 3)
        assert received[2][1]["update_id"] == second

        assert await bot.delete_webhook(drop_pending_updates=True)
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_validation_errors_surface_as_bad_request(tg: TelegramEmulator, bot: Bot) -> None:
    tg.add_user(CLIENT, "Carol")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CLIENT, "x" * 4097)
    assert (await bot.send_message(CLIENT, "x" * 4096)).text == "x" * 4096
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CLIENT, "pick", reply_markup=keyboard("d" * 65))
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "anyone?")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CLIENT, "   ")
    with pytest.raises(TelegramBadRequest, match="must be escaped"):
        await bot.send_message(CLIENT, "Done.", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
        await bot.send_message(CLIENT, "<blink>hi</blink>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(CLIENT, BufferedInputFile(png(4, 4), "p.png"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("new", chat_id=CLIENT, message_id=9999)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("no-such-query")

    sent = await bot.send_message(CLIENT, "same", reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "same", chat_id=CLIENT, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    await bot.edit_message_reply_markup(chat_id=CLIENT, message_id=sent.message_id)
    stored = tg.message(CLIENT, sent.message_id)
    assert stored is not None and stored.reply_markup is None and len(stored.history) == 1
    assert await bot.delete_message(CLIENT, sent.message_id)
    assert stored.deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CLIENT, sent.message_id)
    assert all(c.status == 400 for c in tg.calls() if not c.ok)


async def test_raw_http_protocol_errors(tg: TelegramEmulator) -> None:
    tg.add_user(CLIENT, "Carol")
    base = f"{tg.base_url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:

        async def post(method: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
            async with http.post(f"{base}/{method}", **kwargs) as resp:
                return resp.status, await resp.json()

        assert await post("noSuchMethod", data={"a": "1"}) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found"},
        )
        status, body = await post("SENDMESSAGE", json={"chat_id": CLIENT, "text": "json"})
        assert status == 200 and body["result"]["text"] == "json"
        async with http.get(f"{base}/sendMessage", params={"chat_id": CLIENT, "text": "q"}) as r:
            assert r.status == 200
        status, body = await post("sendMessage", data={"chat_id": CLIENT, "text": "x", "foo": "1"})
        assert status == 400 and body["description"].startswith("Bad Request: unknown parameter")
        status, body = await post("deleteMessage", data={"chat_id": CLIENT, "message_id": "abc"})
        assert status == 400 and "message_id" in body["description"]
        status, body = await post("sendMessage", data={"text": "x"})
        assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
        bad_json = {"data": b"{nope", "headers": {"Content-Type": "application/json"}}
        status, body = await post("sendMessage", **bad_json)
        assert status == 400 and body["ok"] is False
        broken = {
            "data": b"--xx\r\nContent-Disposition: form-data\r\n\r\ntrunc",
            "headers": {"Content-Type": "multipart/form-data; boundary=xx"},
        }
        status, body = await post("sendMessage", **broken)
        assert status == 400
        status, body = await post(
            "sendMessage", data={"chat_id": CLIENT, "text": "x", "reply_markup": "{bad"}
        )
        assert status == 400 and "reply_markup" in body["description"]
        async with http.post(f"{tg.base_url}/bot999:other/getMe") as resp:
            assert resp.status == 401


async def test_control_http_api(tg: TelegramEmulator, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=tg.base_url) as http:

        async def call(verb: str, path: str, body: Any = None) -> tuple[int, Any]:
            async with http.request(verb, path, json=body) as resp:
                return resp.status, await resp.json()

        status, chat = await call(
            "POST",
            "/control/supergroups",
            {"title": "Desk", "members": [{"user_id": AGENT, "first_name": "Al", "admin": True}]},
        )
        assert status == 200 and chat["result"]["is_forum"] is True
        group = chat["result"]["id"]
        photo = base64.b64encode(png(10, 20)).decode()
        status, injected = await call(
            "POST",
            "/control/updates/private-message",
            {
                "user_id": CLIENT,
                "caption": "my screen",
                "first_name": "Carol",
                "attachment": {"kind": "photo", "base64": photo, "filename": "s.png"},
            },
        )
        assert status == 200 and injected["result"]["update_id"] == 1
        [update] = await bot.get_updates()
        assert update.message and update.message.photo and update.message.caption == "my screen"
        assert update.message.photo[-1].width == 10

        topic = await bot.create_forum_topic(group, "T")
        status, _ = await call(
            "POST",
            "/control/updates/group-message",
            {"chat_id": group, "user_id": AGENT, "text": "hey", "message_thread_id": 777},
        )
        assert status == 404
        await bot.send_message(group, "in topic", message_thread_id=topic.message_thread_id)
        status, msgs = await call(
            "GET", f"/control/chats/{group}/messages?thread_id={topic.message_thread_id}"
        )
        assert [m["text"] for m in msgs["result"]] == [None, "in topic"]
        status, topics = await call("GET", f"/control/chats/{group}/topics")
        assert topics["result"][0]["name"] == "T"
        status, calls = await call("GET", "/control/calls?method=createForumTopic")
        assert calls["result"][0]["status"] == 200
        status, limits = await call("PUT", "/control/rate-limits", {"per_chat_burst": 5})
        assert limits["result"]["per_chat_burst"] == 5 and tg.limiter.limits.per_chat_burst == 5
        assert (await call("POST", "/control/updates/callback-query", {"chat_id": 1}))[0] == 400
        async with http.post("/control/users", data=b"not json") as resp:
            assert resp.status == 400
        status, state = await call("GET", "/control/state")
        assert status == 200 and state["result"]["pending_updates"] == 1  # never confirmed

        status, created = await call(
            "POST", f"/control/chats/{group}/topics", {"name": "By agent", "user_id": AGENT}
        )
        assert status == 200
        updates = await bot.get_updates(offset=update.update_id + 1)
        service = updates[0].message
        assert service and service.forum_topic_created
        assert service.forum_topic_created.name == "By agent"
        assert service.message_thread_id == created["result"]["message_thread_id"]


@pytest.fixture
async def clocked() -> AsyncIterator[tuple[TelegramEmulator, Bot, FakeClock]]:
    clock = FakeClock()  # real seconds; time_scale=60 makes a minute last one of them
    tg = TelegramEmulator(rate_limits=RateLimits(time_scale=60), clock=clock)
    await tg.start()
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    yield tg, bot, clock
    await bot.session.close()
    await tg.stop()


async def test_rate_limits_surface_as_retry_after(
    clocked: tuple[TelegramEmulator, Bot, FakeClock],
) -> None:
    tg, bot, clock = clocked
    group = tg.create_supergroup("Agents").id
    tg.add_user(CLIENT, "Carol")

    for i in range(3):  # the burst
        await bot.send_message(CLIENT, f"burst {i}")
    with pytest.raises(TelegramRetryAfter) as exc:
        await bot.send_message(CLIENT, "too fast")
    assert exc.value.retry_after == 1
    clock.now += exc.value.retry_after / 60
    await bot.send_message(CLIENT, "after waiting")
    await bot.edit_message_text("edits are free", chat_id=CLIENT, message_id=1)

    # 20 messages per minute in a group; createForumTopic counts as a message
    topic = await bot.create_forum_topic(group, "Busy")
    for i in range(19):
        clock.now += 1.5 / 60
        await bot.send_message(group, f"m{i}", message_thread_id=topic.message_thread_id)
    clock.now += 1.5 / 60
    with pytest.raises(TelegramRetryAfter) as exc:
        await bot.send_message(group, "one too many")
    assert 25 <= exc.value.retry_after <= 31
    clock.now += exc.value.retry_after / 60
    await bot.send_message(group, "fine again")

    # 30 messages per second overall
    clock.now += 2 / 60
    for user_id in range(5000, 5031):
        tg.add_user(user_id)
    for user_id in range(5000, 5030):
        await bot.send_message(user_id, "broadcast")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(5030, "broadcast")
    assert tg.rate_limited_count == 3
    assert [c.method for c in tg.calls() if c.status == 429] == ["sendMessage"] * 3


async def test_rate_limit_with_real_compressed_clock(tg: TelegramEmulator, bot: Bot) -> None:
    tg.set_rate_limits(RateLimits(time_scale=5))
    tg.add_user(CLIENT, "Carol")
    with pytest.raises(TelegramRetryAfter) as exc:
        for _ in range(50):  # far faster than 5 emulated messages per real second
            await bot.send_message(CLIENT, "spam")
    await asyncio.sleep(exc.value.retry_after / 5 + 0.02)
    await bot.send_message(CLIENT, "polite")
    assert tg.rate_limited_count == 1


async def test_file_upload_and_download(tg: TelegramEmulator, bot: Bot) -> None:
    tg.add_user(CLIENT, "Carol")
    sent = await bot.send_photo(
        CLIENT,
        BufferedInputFile(png(640, 480), "shot.png"),
        caption="<i>screen</i>",
        parse_mode="HTML",
    )
    assert sent.photo and (sent.photo[-1].width, sent.photo[-1].height) == (640, 480)
    assert sent.caption == "screen" and sent.caption_entities
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path and file.file_path.endswith(".png")
    data = await bot.download(sent.photo[-1].file_id)
    assert data is not None and data.read() == png(640, 480)

    doc = await bot.send_document(CLIENT, BufferedInputFile(b"%PDF-1.4 body", "report.pdf"))
    assert doc.document and doc.document.file_name == "report.pdf"
    assert doc.document.mime_type == "application/pdf"
    voice = await bot.send_voice(CLIENT, BufferedInputFile(b"OggS....", "v.ogg"), duration=3)
    assert voice.voice and voice.voice.duration == 3
    again = await bot.send_document(CLIENT, doc.document.file_id)  # resend by file_id
    assert again.document and again.document.file_id == doc.document.file_id
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(CLIENT, doc.document.file_id)
    album = await bot.send_media_group(
        CLIENT,
        [
            InputMediaPhoto(media=BufferedInputFile(png(1, 1), "a.png")),
            InputMediaPhoto(media=sent.photo[-1].file_id, caption="second"),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id

    # what a client sends is downloadable by the bot too
    injected = tg.inject_private_message(CLIENT, document=b"client log", filename="log.txt")
    [update] = await bot.get_updates(offset=injected.update_id)
    assert update.message and update.message.document
    downloaded = await bot.download(update.message.document.file_id)
    assert downloaded is not None and downloaded.read() == b"client log"
    assert tg.file_bytes(update.message.document.file_id) == b"client log"

    copied = await bot.copy_message(CLIENT, CLIENT, injected.message.message_id)  # type: ignore[union-attr]
    copy = tg.message(CLIENT, copied.message_id)
    assert copy is not None and copy.file_ids == [update.message.document.file_id]


async def test_random_garbage_never_breaks_the_server(tg: TelegramEmulator) -> None:
    rnd = random.Random(7)
    tg.add_user(CLIENT, "Carol")
    values = ["", "0", "-5", "abc", "true", "{}", "[[{}]]", "[1,", "attach://x", "1001", "<b>"]
    methods = [*rnd.sample(sorted(tg.spec.methods), 40), "sendMessage", "sendPhoto"]
    async with aiohttp.ClientSession() as http:
        for _ in range(150):
            method = rnd.choice(methods)
            names = [f.name for f in tg.spec.methods[method].fields.values()] + ["bogus"]
            params = {n: rnd.choice(values) for n in rnd.sample(names, min(3, len(names)))}
            if method == "getUpdates":
                params["timeout"] = "0"
            async with http.post(f"{tg.base_url}/bot{TOKEN}/{method}", data=params) as resp:
                body = await resp.json()
                assert resp.status in (200, 400, 403, 409) and "ok" in body
    assert tg.internal_errors == []


async def test_contact_share_and_wait_for_timeout(tg: TelegramEmulator, bot: Bot) -> None:
    injected = tg.inject_private_message(
        CLIENT, contact={"phone_number": "+15550001"}, first_name="Dan", username="dan"
    )
    [update] = await bot.get_updates()
    assert update.update_id == injected.update_id and update.message
    contact = update.message.contact
    assert contact and (contact.phone_number, contact.user_id) == ("+15550001", CLIENT)
    assert update.message.from_user and update.message.from_user.username == "dan"
    with pytest.raises(TimeoutError):
        await tg.wait_for(lambda e: e.callback_answers, timeout=0.05)


async def test_helper_bots_post_in_one_group_with_limits_of_their_own(
    tg: TelegramEmulator, bot: Bot, group: int
) -> None:
    tg.set_rate_limits(RateLimits(per_chat_burst=100, per_chat_per_second=100))
    helper_token = "777001:helper-token"
    helper_user = tg.add_helper_bot(helper_token, "chatdesk_helper_bot", [group])
    helper = Bot(helper_token, session=AiohttpSession(
        api=TelegramAPIServer.from_base(tg.base_url)))
    try:
        for n in range(20):
            await bot.send_message(group, f"main {n}")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(group, "main 20")
        for n in range(20):  # the helper's own 20 a minute in the same group
            posted = await helper.send_message(
                group, f"helper {n}", reply_markup=keyboard(f"h:{n}") if n == 0 else None)
        assert posted.from_user is not None and posted.from_user.id == helper_user.id
        with pytest.raises(TelegramRetryAfter):
            await helper.send_message(group, "helper 20")
        assert len(tg.bot_posts(helper_user.id, group)) == 20
        assert {c.bot_id for c in tg.calls("sendMessage")} == {123456, helper_user.id}

        # a press on the helper's button goes to the helper, not to the main bot
        [first] = [m for m in tg.bot_posts(helper_user.id, group) if m.text == "helper 0"]
        tg.inject_callback_query(group, first.message_id, "h:0", user_id=AGENT)
        assert await bot.get_updates(timeout=0) == []
        assert tg.state.helper_updates[helper_user.id][0]["callback_query"]["data"] == "h:0"
        # and the main bot cannot edit the helper's message
        with pytest.raises(TelegramBadRequest, match="message can't be edited"):
            await bot.edit_message_text("changed", chat_id=group, message_id=first.message_id)
    finally:
        await helper.session.close()
