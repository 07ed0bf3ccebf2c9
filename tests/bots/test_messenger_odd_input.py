"""Input a VK community or a Viber bot does not expect, through the real adapters and the
platform emulators, on SQLite and PostgreSQL: NUL and other control characters in texts,
names and payloads, right-to-left and emoji-only names, messages at and over the limits,
attachments and events we do not handle, duplicates, and requests of the wrong shape with a
correct secret or signature. Nothing crashes and nothing already accepted is lost: an event
is handled, or acknowledged and ignored (a malformed one is parked, to be seen), and the
platform is never asked to send again an event that would only fail again (VK stops
sending to a server that keeps answering errors; Viber retries for an hour). Afterwards the
next client's message is handled as usual."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bots.messenger.conversation import _numbers
from bots.viber.webhook import PATH as VIBER_PATH
from core.errors import InvalidInput
from emulators.viber import ViberEmulator, WebhookRetry
from emulators.vk import CallbackRetry, VkEmulator
from storage import models as m
from tests.bots import test_viber, test_vk
from tests.bots.messengers import client_comments, tickets_of

pytestmark = pytest.mark.e2e

GROUP, SECRET = test_vk.GROUP, test_vk.SECRET
CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\n\t")  # NUL and the rest
VK_LIMIT, VIBER_LIMIT = 4096, 7000  # the longest message a client can send


# --- VK ---------------------------------------------------------------------------------------
@pytest.fixture
async def vk() -> AsyncIterator[VkEmulator]:
    emulator = VkEmulator(group_id=GROUP, callback_retry=CallbackRetry(attempts=3,
                                                                        initial=0.05))
    await emulator.start()
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


@pytest.fixture
async def vk_world(database: str, vk: VkEmulator) -> AsyncIterator[test_vk.VkWorld]:
    async with test_vk.running(vk) as world:
        yield world


def _vk_message(user_id: int, message_id: int, **fields: Any) -> dict[str, Any]:
    message = {"date": 1_700_000_000, "from_id": user_id, "peer_id": user_id,
               "id": message_id, "out": 0, "text": "", "attachments": [],
               "conversation_message_id": message_id, "fwd_messages": []}
    return {"message": {**message, **fields}, "client_info": {"lang_id": 3}}


async def _vk_answered(world: test_vk.VkWorld, user_id: int, text: str) -> None:
    """The client's message reached a ticket and the client was told its number."""
    after = world.last_id(user_id)
    world.vk.inject_message(user_id, text)
    await world.to_client(user_id, "#", after=after)
    [ticket] = await tickets_of("vk", str(user_id))
    assert text in [c.body for c in await client_comments(ticket.id)]


def _vk_refused(vk: VkEmulator) -> list[str]:
    """Events VK was asked to send again (any answer but 200 "ok")."""
    return [a.event_id for a in vk.state.callback_attempts if not a.ok]


async def test_odd_vk_events_are_handled_or_ignored_and_the_next_message_too(
        vk_world: test_vk.VkWorld) -> None:
    vk = vk_world.vk
    vk.add_user(601, "مریم", "رضایی", lang_id=3)
    vk.add_user(602, "🦊🦊", "", lang_id=3)
    vk.add_user(603, "Iv\x00an", "\x07\x1b", lang_id=3)
    vk.inject_message(601, f"The printer{CONTROL} prints nothing")
    vk.inject_message(602, "Start", payload={"command": "start\x00"})
    vk.inject_message(603, "/start")  # the greeting names a person with a NUL in their name
    vk.inject_message(602, "x" * VK_LIMIT)
    vk.inject_message(602, "y" * 70_000)  # more than the desk keeps: a polite refusal
    vk.inject_event("message_new", _vk_message(601, 9001, text="", attachments=[
        {"type": "poll", "poll": {"id": 1, "question": "Why?"}},
        {"type": "wall", "wall": {"id": 2, "owner_id": -1, "text": "a post"}},
        {"type": "graffiti"}, "junk", {"type": 5}, None]))
    vk.inject_event("message_new", _vk_message(601, 9002, text="With a gift", attachments=[
        {"type": "gift", "gift": {"id": 3}}, {"type": "link", "link": {"url": "x"}}]))
    for kind, obj in [
            ("message_edit", {"id": 1, "from_id": 601, "peer_id": 601, "text": "edited"}),
            ("message_typing_state", {"state": "typing", "from_id": 601, "to_id": -GROUP}),
            ("group_leave", {"user_id": 601, "self": 1}),
            ("group_join", {"user_id": 999, "join_type": "join"}),
            ("message_deny", {"user_id": 424242}),  # a user we never heard of
            ("message_allow", {"user_id": 424243, "key": "\x00"}),
            ("message_reply", {"id": 77, "from_id": -GROUP, "peer_id": 601, "text": "ours"}),
            ("message_event", {"user_id": 601, "payload": {"a": "\x00"}})]:
        vk.inject_event(kind, obj)
    twice = vk.inject_message(601, "Said twice")
    vk._deliverer.enqueue(twice)  # VK delivers an event again (its answer was lost)

    await _vk_answered(vk_world, 604, "Is anybody there?")
    await vk.wait_for_message(602, "limited to", timeout=10)
    await vk.wait_for_message(603, "Hello, Ivan", timeout=10)
    await vk.wait_for_message(601, "#", timeout=10)
    assert _vk_refused(vk) == []
    assert await m.InboundRow.filter(state="failed").count() == 0
    bodies = await m.CommentRow.all().values_list("body", flat=True)
    assert any(b.startswith("The printer") and "\x00" not in b for b in bodies)
    assert "x" * VK_LIMIT in bodies and bodies.count("Said twice") == 1
    assert "[poll] [wall] [graffiti]" in bodies  # kept, not refused as an empty message
    assert "An empty message cannot be added to a ticket." not in vk.texts(601)
    names = set(await m.ContactRow.all().values_list("name", flat=True))
    assert {"مریم رضایی", "🦊🦊"} <= names


async def _post_vk(world: test_vk.VkWorld, raw: bytes | io.BytesIO) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.post(
            f"{world.url}/vk/callback", data=raw,
            headers={"Content-Type": "application/json"}) as response:
        return response.status, await response.text()


async def test_a_vk_request_of_the_wrong_shape_is_refused_or_acknowledged_not_retried(
        vk_world: test_vk.VkWorld) -> None:
    world = vk_world
    ids = itertools.count()

    def event(obj: Any, kind: str = "message_new", **extra: Any) -> bytes:
        return json.dumps({"type": kind, "group_id": GROUP, "secret": SECRET,
                           "event_id": extra.pop("event_id", f"e{next(ids)}"), "v": "5.199",
                           "object": obj, **extra}).encode()

    # Not VK's (VK always sends a JSON object): refused, with a reason.
    assert await _post_vk(world, b"{not json") == (400, "body is not JSON")
    assert await _post_vk(world, b"\xff\xfe") == (400, "body is not JSON")
    assert await _post_vk(world, b"[1, 2]") == (400, "body is not a JSON object")
    assert await _post_vk(world, b'"ok"') == (400, "body is not a JSON object")
    huge = io.BytesIO(b'{"a": "' + b"x" * 3_000_000 + b'"}')  # larger than any event
    assert (await _post_vk(world, huge))[0] == 413

    # From VK (the secret is right) but not what we expect: "ok", so VK does not send it
    # again and again and stop sending everything else.
    odd = [
        event(None), event([1, 2]), event("text"), event({}), event({"message": "hi"}),
        event({"message": {"text": "no sender"}}),
        event({"message": {"from_id": "abc", "peer_id": 1, "id": 1, "text": "bad id"}}),
        event({"message": {"from_id": 601, "text": "bad lang"}, "client_info": {
            "lang_id": "x"}}),
        event({"message": {"from_id": 601, "text": "bad files", "attachments": 5}}),
        event({"message": {"from_id": 601, "text": ["a", "list"], "payload": [1]}}),
        event({"message": {"from_id": 601, "peer_id": 601, "id": 1, "text": "Long id"}},
              event_id="z" * 500),
        event({"message": {"from_id": 601, "peer_id": 601, "id": 2, "text": "NUL id"}},
              event_id="a\x00b"),
        event({"user_id": None}, kind="message_deny"),
        event({"user_id": "x" * 500}, kind="message_deny"),
        event({}, kind=None), event({}, kind=["message_new"]),
    ]
    for raw in odd:
        assert await _post_vk(world, raw) == (200, "ok"), raw[:200]
        assert await _post_vk(world, raw) == (200, "ok"), raw[:200]  # and sent again
    await _vk_answered(world, 605, "Still working?")
    assert await m.IdentityRow.filter(channel="vk").count() == 2  # 605, and 601 ("Long id")
    parked = await m.InboundRow.filter(state="failed").values_list("last_error", flat=True)
    assert len(parked) == 5 and all(e.startswith("malformed:") for e in parked)
    assert set(await client_comments(1)) and [c.body for c in await client_comments(1)] == [
        "Long id", "NUL id"]


async def test_lone_surrogates_in_a_vk_text_open_a_ticket_with_replacement_marks(
        vk_world: test_vk.VkWorld) -> None:
    vk_world.vk.add_user(606, "Ivan", "Petrov", lang_id=3)
    event = {"type": "message_new", "group_id": GROUP, "secret": SECRET,
             "event_id": "half-an-emoji", "object": _vk_message(606, 9100, text=(
                 "Half an emoji \ud83d here"))}
    assert await vk_world.post(event) == (200, "ok")  # JSON's "\ud83d": no pair, no emoji
    [ticket] = await tickets_of("vk", "606")
    assert [c.body for c in await client_comments(ticket.id)] == ["Half an emoji \ufffd here"]
    assert await m.InboundRow.filter(state="failed").count() == 0


# --- Viber ------------------------------------------------------------------------------------
OLGA = "olga+viber=="


@pytest.fixture
async def viber() -> AsyncIterator[ViberEmulator]:
    emulator = ViberEmulator(webhook_retry=WebhookRetry(attempts=3, initial=0.05))
    await emulator.start()
    emulator.add_user(OLGA, "Olga", language="en")
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


@pytest.fixture
async def viber_world(database: str,
                      viber: ViberEmulator) -> AsyncIterator[test_viber.ViberWorld]:
    async with test_viber.running(viber) as world:
        yield world


def _viber_refused(viber: ViberEmulator) -> list[tuple[str, int | None]]:
    """Events Viber was asked to send again (any answer but 200)."""
    return [(a.event, a.status) for a in viber.state.webhook_attempts if a.status != 200]


async def _viber_answered(world: test_viber.ViberWorld, user_id: str, text: str) -> None:
    after = world.last_token(user_id)
    world.viber.inject_message(user_id, text)
    await world.to_client(user_id, "#", after=after)
    [ticket] = await tickets_of("viber", user_id)
    assert text in [c.body for c in await client_comments(ticket.id)]


async def test_odd_viber_events_are_handled_or_ignored_and_the_next_message_too(
        viber_world: test_viber.ViberWorld) -> None:
    viber = viber_world.viber
    rtl = viber.add_user("rtl==", "مریم", language="fa")
    emoji = viber.add_user("emoji==", "🦊🦊", language="en")
    nul = viber.add_user("nul==", "Ol\x00ga\x1b", language="en-GB-oxendict-with-a-long-tag")
    viber.inject_message("rtl==", f"The printer{CONTROL} prints nothing")
    viber.inject_message("emoji==", "z" * VIBER_LIMIT)
    viber.inject_message("nul==", "cd:start")  # greets a name with a NUL in it
    viber.inject_message("emoji==", "cd:pick:\x00")
    viber.inject_message("emoji==", "q" * 70_000)
    viber.inject_message("rtl==", "with odd tracking", tracking_data="rating:\x00" + "9" * 50)
    for message in [{"type": "poll", "question": "?"}, {"type": "rich_media"},
                    {"type": "keyboard"}, {"type": "location", "location": {"lat": "x"}},
                    {"type": "location"}, {"type": "contact", "contact": {}},
                    {"type": "url", "media": None}, {"type": "sticker", "sticker_id": "x"},
                    {"type": "file", "media": "http://x", "file_name": None, "size": "big"},
                    {"type": "text", "text": None}, {"type": "text", "text": ["a"]}]:
        viber.inject_event("message", sender=emoji.to_api(), message=message)
    viber.inject_event("conversation_started", type="open", user=rtl.to_api(),
                       subscribed=False, context="\x00" + "c" * 5000)
    viber.inject_event("conversation_started", type="open", user=nul.to_api(),
                       subscribed=False, context={"a": 1})
    for kind in ("delivered", "seen"):
        viber.inject_event(kind, user_id="unknown==", message_token=123)
        viber.inject_event(kind, user_id=None, message_token="not a token\x00")
    viber.inject_event("failed", user_id="unknown==", message_token=456, desc="\x00")
    viber.inject_event("unsubscribed", user_id="never-seen==")
    viber.inject_event("unsubscribed", user_id="x\x00" * 100)
    viber.inject_event("subscribed", user={"id": "y\x00" * 100, "name": "\x00"})
    twice = viber.inject_message("rtl==", "Said twice")
    viber.deliverer.enqueue(twice)

    await _viber_answered(viber_world, OLGA, "Is anybody there?")
    await viber.wait_for_message("nul==", "Hello, Olga", timeout=10)
    await viber.wait_for_message("emoji==", "limited to", timeout=10)
    assert _viber_refused(viber) == []
    parked = await m.InboundRow.filter(state="failed").values_list("last_error", flat=True)
    assert len(parked) == 2 and all(e.startswith("malformed:") for e in parked)  # locations
    bodies = await m.CommentRow.all().values_list("body", flat=True)
    assert "z" * VIBER_LIMIT in bodies and bodies.count("Said twice") == 1
    assert any(b.startswith("The printer") and "\x00" not in b for b in bodies)
    names = set(await m.ContactRow.all().values_list("name", flat=True))
    assert {"مریم", "🦊🦊"} <= names


async def test_lone_surrogates_in_a_viber_text_and_name_open_a_ticket_with_replacement_marks(
        viber_world: test_viber.ViberWorld) -> None:
    viber_world.viber.add_user("half==", "Olga", language="en")
    sender = {"id": "half==", "name": "Ol\udfffga", "language": "en", "api_version": 10}
    raw = json.dumps({"event": "message", "timestamp": 1, "message_token": 99001,
                      "sender": sender, "message": {"type": "text",
                                                    "text": "Half an emoji \ud83d here"}})
    body = raw.encode()  # JSON's "\ud83d" and "\udfff": halves of pairs, alone
    assert await viber_world.post(body, viber_world.viber.sign(body)) == (200, "ok")
    [ticket] = await tickets_of("viber", "half==")
    assert [c.body for c in await client_comments(ticket.id)] == ["Half an emoji \ufffd here"]
    assert await m.ContactRow.filter(name="Ol\ufffdga").exists()
    assert await m.InboundRow.filter(state="failed").count() == 0


async def test_a_signed_viber_request_of_the_wrong_shape_is_acknowledged_not_retried(
        viber_world: test_viber.ViberWorld) -> None:
    world = viber_world
    sign = world.viber.sign
    sender = world.viber.state.users[OLGA].to_api()

    tokens = itertools.count(42)

    def event(**fields: Any) -> bytes:
        return json.dumps({"timestamp": 1, "message_token": next(tokens), **fields}).encode()

    odd = [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"null", b"{}",
           event(event="client_status", status="online"), event(event=None),
           event(event=["message"]), event(event="message"),
           event(event="message", sender=sender),
           event(event="message", message={"type": "text", "text": "no sender"}),
           event(event="message", sender={}, message={"type": "text", "text": "no id"}),
           event(event="message", sender="olga", message={"type": "text", "text": "str"}),
           event(event="message", sender=sender, message="text"),
           event(event="message", sender=sender, message={"type": "text", "text": "x"},
                 message_token="t" * 500),
           event(event="message", sender={**sender, "id": "i" * 500},
                 message={"type": "text", "text": "long id"}),
           event(event="message", sender={**sender, "name": "n" * 500, "language": "l" * 50},
                 message={"type": "text", "text": "long name"}),
           event(event="conversation_started", user={}),
           event(event="failed", message_token=None, user_id=None, desc=None),
           event(event="seen", message_token={"a": 1})]
    for raw in odd:
        assert await world.post(raw, sign(raw)) == (200, "ok"), raw[:200]
        assert await world.post(raw, sign(raw)) == (200, "ok"), raw[:200]  # and again
    assert await world.post(b"{not json", None) == (403, "forbidden")
    huge = b'{"event": "message", "x": "' + b"x" * 3_000_000 + b'"}'
    async with aiohttp.ClientSession() as http, http.post(
            world.url + VIBER_PATH, data=io.BytesIO(huge),
            headers={"X-Viber-Content-Signature": sign(huge[1:])}) as response:
        assert response.status == 413  # larger than any event: not even read to the end
    world.viber.add_user("petr==", "Petr")
    await _viber_answered(world, "petr==", "Still working?")
    parked = await m.InboundRow.filter(state="failed").values_list("last_error", flat=True)
    # the five bodies that are no JSON object, and seven events of the wrong shape
    assert len(parked) == 12 and all(e.startswith("malformed:") for e in parked)
    ids = set(await m.IdentityRow.filter(channel="viber").values_list("external_id",
                                                                       flat=True))
    assert ids == {OLGA, "petr=="}
    bodies = await m.CommentRow.all().values_list("body", flat=True)
    assert {"x", "long name"} <= set(bodies)
    assert await m.ContactRow.filter(language="l" * 16).count() == 1  # kept as it fits


@pytest.mark.parametrize("payload", ["²:1", "1:²", "1", "1:2:3", "-1:2", "1:" + "9" * 13])
def test_a_button_payload_that_is_not_two_numbers_is_out_of_date(payload: str) -> None:
    with pytest.raises(InvalidInput, match="out of date"):
        _numbers(payload, 2)
