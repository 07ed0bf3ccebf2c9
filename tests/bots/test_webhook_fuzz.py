"""Fuzzing the three webhook routes of the real web app: 2,000 mutated updates per channel
(fields dropped, retyped, duplicated or wrapped; huge strings, lone surrogates, NaN, huge
numbers, JSON nested a thousand levels deep, bodies cut short), each correctly authenticated
(Telegram's secret header, VK's secret and community in the body, Viber's signature of the
exact bytes). None may answer 5xx, which the platform would send again and again; each is
handled, acknowledged and parked, or refused with a 4xx. Afterwards each channel still
handles a valid update, through the whole bot.

Posted in-process through aiohttp's test client, on SQLite. A 5xx can only come from the
route, the adapter's reading of the update, the intake that records or parks it, or a
conversation handed something it cannot take; so during the fuzz the conversation (VK,
Viber), the batch of updates aiogram's routers handle (Telegram), the parked list and what
the messengers keep of their users are stand-ins that check that what the adapter hands
them is well-formed and storable, which keeps the run to seconds; the valid update at the
end goes through the real ones. The platform APIs point at a closed port (nothing is sent:
the relays do not run); VK's name look-up is a fake that answers odd names too."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update
from aiohttp.test_utils import TestClient, TestServer
from tortoise import connections

from admin_web.app import create_app
from admin_web.config import PanelConfig
from bots.messenger.incoming import ClientMessage
from bots.telegram.config import TelegramConfig
from bots.telegram.setup import install_telegram
from bots.viber.config import ViberConfig
from bots.viber.setup import install_viber
from bots.vk.config import VkConfig
from bots.vk.setup import install_vk
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.runtime import Runtime
from core import commands as c
from core.clean import without_nul
from core.outbox import InboundRef, Routing
from core.tickets import Attachment
from storage import models as m
from tests.bots.webhook_mutations import mutate
from tests.conftest import _open_test_database

MUTATIONS = 2000
CLOSED = "http://127.0.0.1:9"  # nothing listens: a call to a platform fails at once
TG_SECRET, VK_SECRET, VIBER_TOKEN = "tg-secret", "vk-secret", "viber-token"
GROUP, AGENT_CHAT, AGENT_TG = 777001, -1001000000001, 701
NAMES = ["Ivan Petrov", "\ud800Ivan\udfff", "\x00", "مریم", "x" * 5000]


@dataclass
class Hooks:
    http: TestClient
    telegram_stands: list[Stand]
    vk_stands: list[Stand]
    viber_stands: list[Stand]

    async def telegram(self, body: bytes) -> int:
        response = await self.http.post("/telegram/webhook", data=io.BytesIO(body), headers={
            "X-Telegram-Bot-Api-Secret-Token": TG_SECRET,
            "Content-Type": "application/json"})
        return response.status

    async def vk(self, body: bytes) -> int:
        response = await self.http.post("/vk/callback", data=io.BytesIO(body),
                                        headers={"Content-Type": "application/json"})
        return response.status

    async def viber(self, body: bytes) -> int:
        signature = hmac.new(VIBER_TOKEN.encode(), body, hashlib.sha256).hexdigest()
        response = await self.http.post("/viber/webhook", data=io.BytesIO(body), headers={
            "X-Viber-Content-Signature": signature, "Content-Type": "application/json"})
        return response.status


class Stand:
    """Puts a stand-in for `owner.name` while the fuzz runs, and the real one back."""

    def __init__(self, owner: object, name: str, check: Callable[..., Any]) -> None:
        self.owner, self.name, self.check = owner, name, check
        self.real = getattr(owner, name)

    def __enter__(self) -> None:
        setattr(self.owner, self.name, self.check)

    def __exit__(self, *_: object) -> None:
        setattr(self.owner, self.name, self.real)


async def well_formed_message(incoming: ClientMessage, ref: InboundRef) -> None:
    """What the conversation takes: the right types, and text a database can store once
    the desk has cleaned it."""
    assert isinstance(incoming.user_id, str) and incoming.user_id.isprintable()
    assert all(isinstance(x, str) for x in (incoming.name, incoming.text))
    assert all(x is None or isinstance(x, str)
               for x in (incoming.language, incoming.phone, incoming.action))
    assert all(isinstance(a, Attachment) and isinstance(a.ref, str)
               for a in incoming.attachments)
    repr(without_nul(incoming)).encode()


class ParkingCheck:
    """Stands in for storage.delivery.ParkedUpdates: keeps what is parked in memory, once
    it is checked to be what the database takes (cleaned as `park` cleans it)."""

    def __init__(self) -> None:
        self.parked: dict[tuple[str, str], dict[str, Any]] = {}

    async def park(self, channel: str, external_id: str, payload: dict[str, Any],
                   error: str) -> None:
        external_id, payload, error = without_nul((external_id[:100], payload, error))
        (json.dumps(payload) + error + external_id).encode()
        self.parked[channel, external_id] = payload

    async def take(self, channel: str, external_id: str) -> dict[str, Any] | None:
        return self.parked.pop((channel, external_id), None)


class UserStateCheck:
    """Stands in for storage.messenger_state.MessengerState: ids are short printable text."""

    async def mark_reachable(self, channel: str, user_id: str) -> None:
        assert isinstance(user_id, str) and user_id.isprintable() and len(user_id) <= 100

    async def mark_unreachable(self, channel: str, user_id: str, reason: str) -> None:
        await self.mark_reachable(channel, user_id)

    async def sent_comment(self, channel: str, token: str) -> tuple[int, int] | None:
        assert isinstance(token, str) and token.isprintable() and len(token) <= 100
        return None


async def well_formed_updates(updates: Sequence[Update]) -> None:
    """What the routers take: updates with an id the database keeps, each of which can be
    parked as it is if it fails."""
    for update in updates:
        assert len(str(update.update_id)) <= 100
        update.model_dump_json(exclude_none=True).encode()


@pytest.fixture
async def sqlite_database(tmp_path: Path, request: pytest.FixtureRequest
                          ) -> AsyncIterator[str]:
    async for url in _open_test_database("sqlite", tmp_path, request):
        await connections.get("default").execute_script(
            "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY")
        yield url


@pytest.fixture
async def hooks(sqlite_database: str) -> AsyncIterator[Hooks]:
    clock = SystemClock()
    desk = build_desk(clock=clock, routing=Routing(frozenset({"telegram", "vk", "viber"}),
                                                   "telegram"))
    await desk.handle(c.AddEmployee("Anna Smirnova", "anna", "specialist", AGENT_TG))
    runtime = Runtime(desk)
    processor = await install_telegram(runtime, None, clock, config=TelegramConfig(
        "123456:TEST-token", CLOSED, AGENT_CHAT, mode="webhook",
        webhook_url="https://desk.example/telegram/webhook", webhook_secret=TG_SECRET))
    vk = await install_vk(runtime, None, clock, config=VkConfig(
        "vk-token", GROUP, CLOSED, secret=VK_SECRET, confirmation_code="c0de",
        request_timeout=1))

    async def name(user_id: int) -> str:
        return NAMES[user_id % len(NAMES)]

    vk.client.user_name = name  # type: ignore[method-assign]
    viber = await install_viber(runtime, None, clock, config=ViberConfig(
        VIBER_TOKEN, CLOSED, request_timeout=1))
    http = TestClient(TestServer(create_app(runtime, PanelConfig())))
    await http.start_server()
    try:
        parking, users = ParkingCheck(), UserStateCheck()
        yield Hooks(http, [Stand(processor, "process_batch", well_formed_updates),
                           Stand(processor, "parked", parking)],
                    [Stand(vk.events.conversation, "handle", well_formed_message),
                     Stand(vk.events.intake, "parked", parking),
                     Stand(vk.events, "state", users)],
                    [Stand(viber.events.conversation, "handle", well_formed_message),
                     Stand(viber.events.intake, "parked", parking),
                     Stand(viber.events, "state", users)])
    finally:
        await http.close()
        for close in runtime.on_close:
            await close()


def _tg_user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "en"}


def telegram_updates(n: int) -> list[dict[str, Any]]:
    private = {"id": 7001, "type": "private", "first_name": "Anna"}
    message = {"message_id": n, "date": 1_700_000_000, "chat": private,
               "from": _tg_user(7001), "text": "The printer prints nothing"}
    group = {"id": AGENT_CHAT, "type": "supergroup", "title": "Agents", "is_forum": True}
    return [
        {"update_id": n, "message": message},
        {"update_id": n, "message": {**message, "text": None, "caption": "Look",
                                     "photo": [{"file_id": "f", "file_unique_id": "u",
                                                "width": 90, "height": 90}]}},
        {"update_id": n, "callback_query": {"id": f"q{n}", "chat_instance": "c",
                                            "from": _tg_user(7001), "data": "rate:1:5",
                                            "message": message}},
        {"update_id": n, "message": {"message_id": n, "date": 1_700_000_000, "chat": group,
                                     "from": _tg_user(AGENT_TG), "message_thread_id": 5,
                                     "is_topic_message": True, "text": "/note checked"}},
        {"update_id": n, "edited_message": {**message, "edit_date": 1_700_000_100}},
    ]


def vk_updates(n: int) -> list[dict[str, Any]]:
    message = {"date": 1_700_000_000, "from_id": 501 + n % 3, "peer_id": 501 + n % 3,
               "id": n, "out": 0, "text": "The printer prints nothing",
               "attachments": [{"type": "photo", "photo": {"id": 1, "owner_id": 501, "sizes": [
                   {"url": "https://vk.example/p.jpg", "width": 9, "height": 9}]}}],
               "payload": '{"a": "menu"}', "reply_message": {"from_id": -GROUP, "text": "#1"},
               "conversation_message_id": n, "fwd_messages": []}
    common = {"group_id": GROUP, "secret": VK_SECRET, "event_id": f"e{n}", "v": "5.199"}
    return [
        {"type": "message_new", "object": {"message": message, "client_info": {
            "lang_id": 3, "keyboard": True, "button_actions": ["text"]}}, **common},
        {"type": "message_allow", "object": {"user_id": 501, "key": "k"}, **common},
        {"type": "message_deny", "object": {"user_id": 502}, **common},
        {"type": "message_event", "object": {"user_id": 501, "peer_id": 501,
                                             "payload": {"a": "rate"}}, **common},
    ]


def vk_keep(body: dict[str, Any]) -> None:
    body["group_id"], body["secret"] = GROUP, VK_SECRET


def viber_updates(n: int) -> list[dict[str, Any]]:
    sender = {"id": f"olga{n % 3}==", "name": "Olga", "language": "en", "country": "RU",
              "api_version": 10}
    common = {"timestamp": 1_700_000_000_000, "message_token": 5_000_000 + n}
    return [
        {"event": "message", "sender": sender, "message": {
            "type": "text", "text": "The printer prints nothing", "tracking_data": "rate:1"},
         **common},
        {"event": "message", "sender": sender, "message": {
            "type": "picture", "media": "https://viber.example/p.jpg", "text": "Look",
            "file_name": "p.jpg", "size": 10}, **common},
        {"event": "message", "sender": sender, "message": {
            "type": "contact", "contact": {"name": "Olga", "phone_number": "+79990001122"}},
         **common},
        {"event": "message", "sender": sender, "message": {
            "type": "location", "location": {"lat": 55.7, "lon": 37.6}}, **common},
        {"event": "conversation_started", "type": "open", "user": sender,
         "subscribed": False, **common},
        {"event": "subscribed", "user": sender, **common},
        {"event": "unsubscribed", "user_id": sender["id"], **common},
        {"event": "delivered", "user_id": sender["id"], **common},
        {"event": "failed", "user_id": sender["id"], "desc": "gone", **common},
    ]


async def _fuzz(post: Callable[[bytes], Any], updates: Callable[[int], list[dict[str, Any]]],
                stands: list[Stand], seed: int,
                keep: Callable[[dict[str, Any]], None] = lambda _: None) -> Counter[int]:
    with ExitStack() as standing:
        for stand in stands:
            standing.enter_context(stand)
        return await _post_mutations(post, updates, seed, keep)


async def _post_mutations(post: Callable[[bytes], Any],
                          updates: Callable[[int], list[dict[str, Any]]], seed: int,
                          keep: Callable[[dict[str, Any]], None]) -> Counter[int]:
    rng = random.Random(seed)
    answers: Counter[int] = Counter()
    failures: list[tuple[int, bytes]] = []
    for n in range(1, MUTATIONS + 1):
        body = mutate(rng, rng.choice(updates(n)), keep)
        status = await post(body)
        answers[status] += 1
        if status >= 500:
            failures.append((n, body[:300]))
    assert failures == [], f"{len(failures)} answered 5xx, the first: {failures[:3]}"
    return answers


async def test_mutated_telegram_updates_never_answer_5xx_and_a_valid_one_follows(
        hooks: Hooks) -> None:
    answers = await _fuzz(hooks.telegram, telegram_updates, hooks.telegram_stands, seed=1)
    assert answers[200] > MUTATIONS / 2  # most reach the bot, not just the JSON parser
    valid = telegram_updates(10**6)[0]
    valid["message"].update(text="Still there?", chat={**valid["message"]["chat"], "id": 9001},
                            **{"from": _tg_user(9001)})
    assert await hooks.telegram(json.dumps(valid).encode()) == 200
    assert await m.CommentRow.filter(body="Still there?").exists()


async def test_mutated_vk_events_never_answer_5xx_and_a_valid_one_follows(
        hooks: Hooks) -> None:
    answers = await _fuzz(hooks.vk, vk_updates, hooks.vk_stands, seed=2,
                          keep=vk_keep)
    assert answers[200] > MUTATIONS / 2
    valid = vk_updates(10**6)[0]
    valid["object"]["message"].update(text="Still there?", from_id=9001, peer_id=9001,
                                      attachments=[], reply_message=None, payload=None)
    assert await hooks.vk(json.dumps(valid).encode()) == 200
    assert await m.CommentRow.filter(body="Still there?").exists()


async def test_mutated_viber_events_never_answer_5xx_and_a_valid_one_follows(
        hooks: Hooks) -> None:
    answers = await _fuzz(hooks.viber, viber_updates, hooks.viber_stands, seed=3)
    assert answers[200] > MUTATIONS / 2
    valid = viber_updates(10**6)[0]
    valid["sender"]["id"] = "still-there=="
    valid["message"].update(text="Still there?", tracking_data="")
    assert await hooks.viber(json.dumps(valid).encode()) == 200
    assert await m.CommentRow.filter(body="Still there?").exists()
