"""The Viber REST API emulator, driven by the real viberbot library (pointed at the emulator
the way the Viber adapter points it), and its signed webhook delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from viberbot.api.messages import KeyboardMessage, TextMessage

from bots.viber.api import ViberApiError, ViberClient
from bots.viber.config import ViberConfig
from emulators.viber import ViberEmulator, ViberLimits, WebhookRetry

OLGA = "olga+viber=="


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Hook:
    """A webhook receiver that checks the signature and answers as told."""

    token: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    signatures_ok: list[bool] = field(default_factory=list)
    status: int = 200
    welcome: dict[str, Any] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = hmac.new(self.token.encode(), raw, hashlib.sha256).hexdigest()
        self.signatures_ok.append(request.headers["X-Viber-Content-Signature"] == expected)
        body = json.loads(raw)
        self.bodies.append(body)
        if body["event"] == "conversation_started" and self.welcome:
            return web.json_response(self.welcome)
        return web.Response(status=self.status, text="ok")

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [b for b in self.bodies if b["event"] == kind]


@pytest.fixture
async def viber() -> AsyncIterator[ViberEmulator]:
    emulator = ViberEmulator(limits=ViberLimits.off(),
                             webhook_retry=WebhookRetry(attempts=4, initial=0.02))
    await emulator.start()
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


@pytest.fixture
async def hook(viber: ViberEmulator) -> AsyncIterator[tuple[Hook, str]]:
    receiver = Hook(viber.auth_token)
    app = web.Application()
    app.router.add_post("/viber", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield receiver, f"http://127.0.0.1:{runner.addresses[0][1]}/viber"
    await runner.cleanup()


@pytest.fixture
async def client(viber: ViberEmulator) -> AsyncIterator[ViberClient]:
    api = ViberClient(ViberConfig(auth_token=viber.auth_token, api_url=viber.api_url,
                                  request_timeout=5))
    yield api
    api.close()


async def test_set_webhook_probes_the_url_with_a_signed_request(
        viber: ViberEmulator, hook: tuple[Hook, str], client: ViberClient) -> None:
    receiver, url = hook
    receiver.status = 403
    with pytest.raises(ViberApiError) as refused:
        await client.set_webhook(url)
    assert refused.value.status == 1 and viber.webhook_url is None
    receiver.status = 200
    events = await client.set_webhook(url)
    assert "unsubscribed" in events and viber.webhook_url == url
    assert [b["event"] for b in receiver.bodies] == ["webhook", "webhook"]
    assert all(receiver.signatures_ok)
    info = await client.account_info()
    assert info["webhook"] == url


async def test_send_message_is_checked_like_viber_checks_it(
        viber: ViberEmulator, client: ViberClient) -> None:
    with pytest.raises(ViberApiError) as unknown:
        await client.send("nobody==", TextMessage(text="hi"))
    assert unknown.value.status == 5
    viber.add_user(OLGA, "Olga")
    with pytest.raises(ViberApiError) as not_subscribed:
        await client.send(OLGA, TextMessage(text="hi"))
    assert not_subscribed.value.status == 6
    viber.subscribe(OLGA)
    with pytest.raises(ViberApiError) as too_long:
        await client.send(OLGA, TextMessage(text="x" * 7001))
    assert too_long.value.status == 3
    bad_keyboard = {"Type": "keyboard", "Buttons": [{"Text": "no action body"}]}
    with pytest.raises(ViberApiError) as bad:
        await client.send(OLGA, KeyboardMessage(keyboard=bad_keyboard))
    assert bad.value.status == 4
    token = await client.send(OLGA, TextMessage(text="x" * 7000))
    assert [m.token for m in viber.received(OLGA)] == [int(token)]
    wrong = ViberClient(ViberConfig(auth_token="wrong", api_url=viber.api_url))
    with pytest.raises(ViberApiError) as unauthorised:
        await wrong.send(OLGA, TextMessage(text="hi"))
    wrong.close()
    assert unauthorised.value.status == 2
    details = await client.user_details(OLGA)
    assert details["name"] == "Olga" and details["language"] == "en"


async def test_sending_faster_than_allowed_answers_status_12(client: ViberClient) -> None:
    clock = FakeClock()
    async with ViberEmulator(limits=ViberLimits(per_second=3), clock=clock) as viber:
        viber.add_user(OLGA, "Olga", subscribed=True)
        api = ViberClient(ViberConfig(auth_token=viber.auth_token, api_url=viber.api_url))
        for n in range(3):
            await api.send(OLGA, TextMessage(text=str(n)))
        with pytest.raises(ViberApiError) as limited:
            await api.send(OLGA, TextMessage(text="3"))
        assert limited.value.status == 12
        clock.now += 1.01
        await api.send(OLGA, TextMessage(text="4"))
        viber.inject_status(11)
        with pytest.raises(ViberApiError) as injected:
            await api.send(OLGA, TextMessage(text="5"))
        assert injected.value.status == 11
        api.close()
        assert viber.texts(OLGA) == ["0", "1", "2", "4"]


async def test_events_are_signed_retried_until_200_and_welcome_reaches_the_user(
        viber: ViberEmulator, hook: tuple[Hook, str], client: ViberClient) -> None:
    receiver, url = hook
    await client.set_webhook(url)
    viber.add_user(OLGA, "Olga", language="ru")
    receiver.welcome = {"sender": {"name": "ChatDesk"}, "type": "text", "text": "Welcome!",
                        "tracking_data": "hello"}
    viber.open_conversation(OLGA)
    welcome = await viber.wait_for_message(OLGA, "Welcome!")
    assert welcome.welcome and not viber.state.users[OLGA].subscribed

    receiver.status = 500
    sent = viber.inject_message(OLGA, "Hi there")
    await viber.wait_for(lambda: len(viber.state.webhook_attempts) >= 4)
    receiver.status = 200
    assert [a.status for a in viber.state.webhook_attempts[-3:]] == [500, 500, 500]
    viber.inject_message(OLGA, "again")
    await viber.wait_for(lambda: receiver.events("message")[-1]["message"]["text"] == "again")
    assert all(receiver.signatures_ok)
    first = receiver.events("message")[0]
    assert first["message_token"] == sent["message_token"]
    assert first["sender"]["language"] == "ru" and first["message"]["tracking_data"] == "hello"
    assert viber.state.users[OLGA].subscribed


async def test_users_reply_with_buttons_share_their_phone_and_deliveries_are_reported(
        viber: ViberEmulator, hook: tuple[Hook, str], client: ViberClient) -> None:
    receiver, url = hook
    await client.set_webhook(url)
    viber.add_user(OLGA, "Olga", subscribed=True)
    keyboard = {"Type": "keyboard", "Buttons": [
        {"ActionType": "reply", "ActionBody": "cd:tickets", "Text": "My tickets"},
        {"ActionType": "share-phone", "ActionBody": "share-phone", "Text": "Phone"}]}
    token = int(await client.send(OLGA, TextMessage(text="Menu", keyboard=keyboard)))
    [menu] = viber.received(OLGA)
    viber.press(OLGA, menu.buttons[0])
    viber.share_phone(OLGA, "+79990001122")
    viber.report("delivered", token)
    viber.report("failed", token, desc="no device")
    viber.unsubscribe(OLGA)
    await viber.wait_for(lambda: receiver.events("unsubscribed"))
    texts = [b["message"].get("text") for b in receiver.events("message")]
    assert texts[0] == "cd:tickets"
    assert receiver.events("message")[1]["message"]["contact"] == {
        "name": "Olga", "phone_number": "+79990001122"}
    assert receiver.events("delivered")[0]["message_token"] == token
    assert receiver.events("failed")[0]["desc"] == "no device"
    with pytest.raises(ViberApiError) as gone:
        await client.send(OLGA, TextMessage(text="still there?"))
    assert gone.value.status == 6


async def test_the_control_api_injects_and_reads_back(viber: ViberEmulator,
                                                     client: ViberClient) -> None:
    async with aiohttp.ClientSession(viber.base_url) as http:
        async with http.post("/control/users", json={"user_id": OLGA, "name": "Olga",
                                                     "subscribed": True}) as got:
            assert (await got.json())["result"]["subscribed"] is True
        await client.send(OLGA, TextMessage(text="hello Olga"))
        async with http.get(f"/control/messages/{OLGA}") as got:
            assert [m["text"] for m in (await got.json())["result"]] == ["hello Olga"]
        async with http.post("/control/report", json={"kind": "seen", "token": 1}) as got:
            assert got.status == 400
