"""The VK API emulator, driven by the real vk-api library (its requests redirected to the
emulator the way the VK adapter redirects them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import vk_api
from aiohttp import web
from vk_api.bot_longpoll import VkBotLongPoll
from vk_api.exceptions import ApiError

from bots.vk.api import RedirectingSession
from emulators.vk import CallbackRetry, VkEmulator, VkLimits
from emulators.vk.errors import MESSAGES

GROUP = 4242
IVAN = 501


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def vk() -> AsyncIterator[VkEmulator]:
    emulator = VkEmulator(group_id=GROUP, limits=VkLimits.off(),
                          callback_retry=CallbackRetry(attempts=4, initial=0.02))
    await emulator.start()
    emulator.add_user(IVAN, "Ivan", "Petrov")
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


def library(vk: VkEmulator, token: str | None = None) -> vk_api.VkApi:
    session = RedirectingSession(vk.api_url, timeout=10)
    api = vk_api.VkApiGroup(token=token or vk.token, api_version="5.199", session=session)
    api.error_handlers.clear()  # see VK's answers as they are
    return api


async def call(api: vk_api.VkApi, method: str, **values: Any) -> Any:
    return await asyncio.to_thread(api.method, method, values)


async def refused(api: vk_api.VkApi, method: str, **values: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call(api, method, **values)
    return caught.value


async def test_every_call_is_checked_like_vk_checks_it(vk: VkEmulator) -> None:
    api = library(vk)
    vk.inject_message(IVAN, "Hi")
    assert (await refused(api, "wall.postAnything", message="x")).code == 3
    assert (await refused(library(vk, "vk1.wrong"), "users.get", user_ids="1")).code == 5
    missing = await refused(api, "messages.send", peer_id=IVAN, message="no random id")
    assert missing.code == 100 and "random_id" in missing.error["error_msg"]
    too_long = await refused(api, "messages.send", peer_id=IVAN, message="x" * 9001,
                             random_id=1)
    assert too_long.code == 100
    assert (await refused(api, "messages.send", peer_id="ivan", message="x",
                          random_id=2)).code == 100
    assert await call(api, "messages.send", peer_id=IVAN, message="y" * 9000, random_id=3)
    assert [len(t) for t in vk.texts(IVAN)] == [9000]
    assert [c.error_code for c in vk.state.calls] == [3, 5, 100, 100, 100, None]


def test_the_error_codes_used_are_vks_own() -> None:
    from emulators.vk.schema import VkSchema

    assert set(MESSAGES) <= set(VkSchema.load().errors)


async def test_a_repeated_random_id_delivers_once_and_answers_the_same_message(
        vk: VkEmulator) -> None:
    api = library(vk)
    vk.inject_message(IVAN, "Hi")
    first = await call(api, "messages.send", peer_id=IVAN, message="Answer", random_id=77)
    again = await call(api, "messages.send", peer_id=IVAN, message="Answer", random_id=77)
    other = await call(api, "messages.send", peer_id=IVAN, message="Answer", random_id=78)
    assert first == again != other
    assert vk.texts(IVAN) == ["Answer", "Answer"]


async def test_a_community_writes_only_to_users_who_allow_it(vk: VkEmulator) -> None:
    api = library(vk)
    assert (await refused(api, "messages.send", peer_id=IVAN, message="x",
                          random_id=1)).code == 901
    vk.inject_message(IVAN, "Hello")
    await call(api, "messages.send", peer_id=IVAN, message="x", random_id=2)
    deny = vk.deny_messages(IVAN)
    assert deny.body["type"] == "message_deny"
    assert (await refused(api, "messages.send", peer_id=IVAN, message="x",
                          random_id=3)).code == 901


async def test_keyboards_are_checked(vk: VkEmulator) -> None:
    api = library(vk)
    vk.inject_message(IVAN, "Hi")
    good = {"inline": True, "buttons": [[{"action": {
        "type": "text", "label": "★5", "payload": json.dumps({"a": "rate:1:5"})}}]]}
    await call(api, "messages.send", peer_id=IVAN, message="Rate", random_id=1,
               keyboard=json.dumps(good))
    assert vk.received(IVAN)[0].buttons[0]["label"] == "★5"
    seven_rows = {"inline": True, "buttons": [[{"action": {"type": "text", "label": "x"}}]] * 7}
    no_label = {"buttons": [[{"action": {"type": "text"}}]]}
    for bad in (seven_rows, no_label, "not json"):
        raw = bad if isinstance(bad, str) else json.dumps(bad)
        assert (await refused(api, "messages.send", peer_id=IVAN, message="x", random_id=2,
                              keyboard=raw)).code == 911


async def test_messages_edit_changes_the_communitys_own_message_within_a_day(
        vk: VkEmulator) -> None:
    api = library(vk)
    vk.inject_message(IVAN, "Hi")
    vk.add_user(IVAN + 1, "Olga")
    vk.inject_message(IVAN + 1, "Hi")
    stars = {"inline": True, "buttons": [[{"action": {
        "type": "text", "label": "★5", "payload": json.dumps({"a": "rate:1:5"})}}]]}
    sent = await call(api, "messages.send", peer_id=IVAN, message="Rate us", random_id=1,
                      keyboard=json.dumps(stars))
    assert await call(api, "messages.edit", peer_id=IVAN, message_id=sent,
                      message="Rate us\nRated 5★") == 1
    [shown] = vk.received(IVAN)
    assert (shown.text, shown.edits, shown.buttons[0]["label"]) == ("Rate us\nRated 5★", 1,
                                                                    "★5")
    await call(api, "messages.edit", peer_id=IVAN, message_id=sent, message="Done",
               keyboard=json.dumps({"inline": True, "buttons": []}))
    assert (shown.text, shown.keyboard) == ("Done", None)
    assert (await refused(api, "messages.edit", peer_id=IVAN + 1, message_id=sent,
                          message="not hers")).code == 15
    assert (await refused(api, "messages.edit", peer_id=IVAN, message_id=sent,
                          message="x" * 9001)).code in (100, 914)
    assert (await refused(api, "messages.edit", peer_id=IVAN, message_id=sent,
                          message="")).code == 100
    assert (await refused(api, "messages.edit", peer_id=IVAN, message_id=sent, message="x",
                          keyboard="not json")).code == 911
    shown.date -= 24 * 3600 + 1
    assert (await refused(api, "messages.edit", peer_id=IVAN, message_id=sent,
                          message="too late")).code == 909
    assert shown.text == "Done"


async def test_more_than_20_requests_a_second_answer_error_6() -> None:
    clock = FakeClock()
    async with VkEmulator(group_id=GROUP, clock=clock) as vk:
        vk.add_user(IVAN, "Ivan")
        api = library(vk)
        for _ in range(20):
            await call(api, "users.get", user_ids=str(IVAN))
        assert (await refused(api, "users.get", user_ids=str(IVAN))).code == 6
        clock.now += 1.01
        assert await call(api, "users.get", user_ids=str(IVAN))


@pytest.mark.parametrize("code", [6, 9, 29])
async def test_errors_are_injected_on_demand(vk: VkEmulator, code: int) -> None:
    api = library(vk)
    vk.inject_message(IVAN, "Hi")
    vk.inject_error(code, "messages.send")
    assert (await refused(api, "messages.send", peer_id=IVAN, message="x",
                          random_id=1)).code == code
    await call(api, "messages.send", peer_id=IVAN, message="x", random_id=1)
    assert vk.texts(IVAN) == ["x"]


async def test_bots_long_poll_serves_events_and_renews_key_and_ts(vk: VkEmulator) -> None:
    api = library(vk)
    poll = await asyncio.to_thread(VkBotLongPoll, api, GROUP, 1)
    vk.inject_message(IVAN, "first", photo=b"\xff\xd8 jpeg")
    [event] = await asyncio.to_thread(poll.check)
    message = event.raw["object"]["message"]
    assert (event.raw["type"], message["text"], message["from_id"]) == (
        "message_new", "first", IVAN)
    photo = message["attachments"][0]["photo"]["sizes"][0]["url"]
    async with aiohttp.ClientSession() as http, http.get(photo) as got:
        assert await got.read() == b"\xff\xd8 jpeg"
    assert await asyncio.to_thread(poll.check) == []  # nothing new within `wait`

    old_key = poll.key
    vk.fail_longpoll(2)
    assert await asyncio.to_thread(poll.check) == []
    assert poll.key != old_key  # the library asked for a new key, kept its ts
    vk.inject_message(IVAN, "second")
    assert [e.raw["object"]["message"]["text"] for e in
            await asyncio.to_thread(poll.check)] == ["second"]

    vk.fail_longpoll(1)
    vk.inject_message(IVAN, "lost with the history")
    assert await asyncio.to_thread(poll.check) == []
    vk.fail_longpoll(3)
    assert await asyncio.to_thread(poll.check) == []
    vk.inject_message(IVAN, "third")
    assert [e.raw["object"]["message"]["text"] for e in
            await asyncio.to_thread(poll.check)] == ["third"]


async def test_an_old_ts_is_answered_failed_1_with_the_current_one(vk: VkEmulator) -> None:
    vk.state.history_limit = 2
    for text in ("a", "b", "c"):
        vk.inject_message(IVAN, text)
    async with aiohttp.ClientSession() as http, http.get(
            f"{vk.base_url}/longpoll/{GROUP}",
            params={"act": "a_check", "key": vk.state.longpoll_key, "ts": "1",
                    "wait": "1"}) as got:
        assert await got.json() == {"failed": 1, "ts": "4"}


async def test_callback_api_confirms_sends_the_secret_and_retries_until_ok(
        vk: VkEmulator) -> None:
    received: list[dict[str, Any]] = []

    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        if body["type"] == "confirmation":
            return web.Response(text="c0de")
        deliveries = sum(1 for b in received if b["type"] == "message_new")
        return web.Response(text="ok" if deliveries >= 2 else "not yet")

    app = web.Application()
    app.router.add_post("/vk", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert not await vk.set_callback_server(f"http://127.0.0.1:{port}/vk",
                                                secret="s3cret", confirmation_code="other")
        assert await vk.set_callback_server(f"http://127.0.0.1:{port}/vk", secret="s3cret",
                                            confirmation_code="c0de")
        event = vk.inject_message(IVAN, "Hello", payload={"a": "tickets"})
        await vk.wait_for(lambda: any(a.ok for a in vk.state.callback_attempts))
    finally:
        await runner.cleanup()
    deliveries = [b for b in received if b["type"] == "message_new"]
    assert len(deliveries) == 2 and all(b["secret"] == "s3cret" for b in received)
    assert {b["event_id"] for b in deliveries} == {event.event_id}
    assert json.loads(deliveries[0]["object"]["message"]["payload"]) == {"a": "tickets"}
    assert [a.ok for a in vk.state.callback_attempts] == [False, True]


async def test_the_control_api_injects_and_reads_back(vk: VkEmulator) -> None:
    api = library(vk)
    async with aiohttp.ClientSession(vk.base_url) as http:
        async with http.post("/control/users", json={"user_id": 9, "first_name": "Olga",
                                                     "lang_id": 3}) as got:
            assert (await got.json())["result"]["lang_id"] == 3
        async with http.post("/control/messages", json={"user_id": 9, "text": "hi"}) as got:
            body = await got.json()
            assert body["result"]["object"]["client_info"]["lang_id"] == 3
        await call(api, "messages.send", peer_id=9, message="hello Olga", random_id=5)
        async with http.get("/control/messages/9") as got:
            assert [m["text"] for m in (await got.json())["result"]] == ["hello Olga"]
        async with http.post("/control/messages", json={"text": "no user"}) as got:
            assert got.status == 400 and "user_id" in (await got.json())["error"]
