"""The Viber adapter end to end: the real viberbot library against the Viber emulator, our
web server receiving the signed webhook, the desk on a real database, and the outbox relay
with the Viber sender. A client talks to the bot; an agent answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest

from bots.relay import Retry
from bots.viber.config import ViberConfig
from bots.viber.setup import ViberChannel, install_viber
from bots.viber.webhook import PATH
from chatdesk.bootstrap import SystemClock
from chatdesk.runtime import Runtime
from core import commands as c
from core.outbox import Audience, OutboundMessage
from core.services import Desk
from emulators.viber import SentMessage, ViberEmulator, WebhookRetry
from storage import models as m
from storage.messenger_state import MessengerState
from tests.bots.messengers import (
    CommitFailsOnce,
    client_comments,
    desk_with_team,
    eventually,
    free_port,
    outbox_rows,
    serving,
    tickets_of,
)

OLGA, PETR = "olga+viber==", "petr/viber=="
pytestmark = pytest.mark.e2e


@dataclass
class ViberWorld:
    viber: ViberEmulator
    desk: Desk
    anna: int
    channel: ViberChannel
    url: str
    crash: CommitFailsOnce

    async def to_client(self, user_id: str, *parts: str, after: int = 0) -> SentMessage:
        return await self.viber.wait_for_message(user_id, *parts, after=after, timeout=10)

    def last_token(self, user_id: str) -> int:
        return max((msg.token for msg in self.viber.received(user_id)), default=0)

    async def open_ticket(self, user_id: str, text: str) -> int:
        after = self.last_token(user_id)
        self.viber.inject_message(user_id, text)
        opened = await self.to_client(user_id, "#", after=after)
        return int((opened.text or "").split("#")[1].split(".")[0])

    async def press(self, user_id: str, message: SentMessage, label: str,
                    *expect: str) -> SentMessage:
        after = self.last_token(user_id)
        self.viber.press(user_id, next(b for b in message.buttons if label in b["Text"]))
        return await self.to_client(user_id, *expect, after=after)

    async def post(self, body: bytes, signature: str | None) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Viber-Content-Signature"] = signature
        async with aiohttp.ClientSession() as http, http.post(
                self.url + PATH, data=body, headers=headers) as response:
            return response.status, await response.text()


@asynccontextmanager
async def running(viber: ViberEmulator) -> AsyncIterator[ViberWorld]:
    clock = SystemClock()
    desk, anna = await desk_with_team("viber", clock)
    crash = CommitFailsOnce(desk.uow_factory)
    desk.uow_factory = crash
    runtime = Runtime(desk)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = ViberConfig(auth_token=viber.auth_token, api_url=viber.api_url,
                         webhook_url=url + PATH, bot_name="ChatDesk Support",
                         request_timeout=5)
    channel = await install_viber(runtime, None, clock, config=config)
    async with serving(runtime, port):
        await asyncio.wait_for(channel.registered.wait(), 10)
        yield ViberWorld(viber, desk, anna, channel, url, crash)


@pytest.fixture
async def viber() -> AsyncIterator[ViberEmulator]:
    emulator = ViberEmulator(webhook_retry=WebhookRetry(attempts=5, initial=0.05))
    await emulator.start()
    emulator.add_user(OLGA, "Olga Smirnova", language="en")
    emulator.add_user(PETR, "Пётр", language="ru")
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


@pytest.fixture
async def world(database: str, viber: ViberEmulator) -> AsyncIterator[ViberWorld]:
    async with running(viber) as w:
        yield w


def labels(message: SentMessage) -> set[str]:
    return {b["Text"].split(">", 1)[-1].split("<", 1)[0] for b in message.buttons}


async def test_a_whole_conversation_in_viber(world: ViberWorld) -> None:
    viber = world.viber
    assert viber.webhook_url == world.url + PATH
    viber.open_conversation(OLGA)
    welcome = await world.to_client(OLGA, "Hello, Olga Smirnova!")
    assert welcome.welcome and any(b["ActionType"] == "share-phone" for b in welcome.buttons)

    ticket_id = await world.open_ticket(OLGA, "The app crashes on login")
    opened = viber.received(OLGA)[-1]
    assert {"My tickets", "New ticket", "Close ticket"} <= labels(opened)
    await world.desk.handle(c.AddAgentReply(ticket_id, world.anna, "Which version?"))
    answer = await world.to_client(OLGA, "Which version?")
    assert (answer.text or "").startswith(f"💬 Ticket #{ticket_id} · Anna Smirnova")
    await eventually(lambda: outbox_rows(channel="viber", kind="agent_reply", state="sent"))
    viber.report("delivered", answer.token)
    viber.report("seen", answer.token)
    await eventually(lambda: _delivery_is(ticket_id, "seen"))

    viber.inject_message(OLGA, "Version 2.1, screenshot attached", picture=b"\xff\xd8 png")
    viber.inject_message(OLGA, picture=b"\xff\xd8 second")
    comments = await eventually(lambda: _comments(ticket_id, 3))
    assert comments[1].body == "Version 2.1, screenshot attached"
    assert comments[2].attachments[0]["ref"].startswith(viber.base_url + "/files/")

    await world.press(OLGA, opened, "My tickets", f"#{ticket_id} · The app crashes")
    after = world.last_token(OLGA)
    await world.desk.handle(c.AddAgentReply(ticket_id, world.anna, "Fixed in 2.2",
                                            resolve=True))
    question = await world.to_client(OLGA, f"Ticket #{ticket_id} is resolved", after=after)
    assert {"★1", "★5"} <= labels(question)
    offer = await world.press(OLGA, question, "★4", "add a comment")
    row = await m.TicketRow.get(id=ticket_id)
    assert (row.rating, row.status) == (4, "closed")
    await world.press(OLGA, offer, "Add a comment", "in your next message")
    viber.inject_message(OLGA, "Good, but slow")
    await world.to_client(OLGA, "Thank you for your comment!")
    row = await m.TicketRow.get(id=ticket_id)
    assert row.rating_comment == "Good, but slow"


async def _delivery_is(ticket_id: int, state: str) -> bool:
    return await m.CommentRow.filter(ticket_id=ticket_id, author_kind="employee",
                                     delivery=state).exists()


async def _comments(ticket_id: int, count: int) -> list[m.CommentRow] | None:
    comments = await client_comments(ticket_id)
    return comments if len(comments) >= count else None


async def test_forged_requests_change_nothing_and_a_repeated_message_runs_once(
        world: ViberWorld) -> None:
    event = world.viber.state.event("message", sender=world.viber.state.users[OLGA].to_api(),
                                    message={"type": "text", "text": "Once only"})
    body = json.dumps(event).encode()
    assert await world.post(body, None) == (403, "forbidden")
    assert await world.post(body, "0" * 64) == (403, "forbidden")
    assert await world.post(body, world.viber.sign(body + b" ")) == (403, "forbidden")
    assert await m.InboundRow.all().count() == 0 and await m.ContactRow.all().count() == 0

    world.viber.state.users[OLGA].subscribed = True
    assert await world.post(body, world.viber.sign(body)) == (200, "ok")
    assert await world.post(body, world.viber.sign(body)) == (200, "ok")
    [ticket] = await tickets_of("viber", OLGA)
    assert [x.body for x in await client_comments(ticket.id)] == ["Once only"]
    await world.to_client(OLGA, f"#{ticket.id}")

    unknown = json.dumps({"event": "client_status", "timestamp": 1}).encode()
    assert await world.post(unknown, world.viber.sign(unknown)) == (200, "ok")
    garbage = b"{not json"
    assert await world.post(garbage, world.viber.sign(garbage)) == (200, "ok")
    await asyncio.sleep(0.2)
    assert len(world.viber.received(OLGA)) == 1


async def test_a_crash_before_the_commit_is_redelivered_by_viber_and_processed_once(
        world: ViberWorld) -> None:
    world.crash.armed = True
    event = world.viber.inject_message(OLGA, "Lost? Never")
    await world.to_client(OLGA, "#")
    attempts = [a for a in world.viber.state.webhook_attempts
                if a.token == event["message_token"]]
    assert world.crash.fired == 1 and [a.status for a in attempts] == [500, 200]
    [ticket] = await tickets_of("viber", OLGA)
    assert [x.body for x in await client_comments(ticket.id)] == ["Lost? Never"]
    assert await m.InboundRow.filter(state="failed").count() == 0


async def test_an_unsubscribed_client_is_sent_nothing_and_the_ticket_notes_it(
        world: ViberWorld) -> None:
    ticket_id = await world.open_ticket(PETR, "Не работает вход")
    sent_before = len(world.viber.received(PETR))
    world.viber.unsubscribe(PETR)
    await eventually(lambda: MessengerState().unreachable("viber", PETR))
    await world.desk.handle(c.AddAgentReply(ticket_id, world.anna, "Попробуйте снова"))
    [row] = await eventually(lambda: outbox_rows(channel="viber", kind="agent_reply",
                                                  state="failed"))
    assert "unsubscribed" in (row.last_error or "")
    [note] = await eventually(lambda: outbox_rows(channel="telegram", kind="delivery_failed"))
    assert note.ticket_id == ticket_id and note.comment_id == row.comment_id
    comment = await m.CommentRow.get(id=row.comment_id)
    assert comment.delivery == "failed"
    assert len(world.viber.received(PETR)) == sent_before
    assert ("send_message", 6) not in world.viber.state.requests, "not even tried"

    world.viber.inject_message(PETR, "Я вернулся")  # writing again subscribes
    await eventually(lambda: _comments(ticket_id, 2))
    assert await MessengerState().unreachable("viber", PETR) is None


async def test_long_answers_are_split_limits_retried_and_failures_noted(
        world: ViberWorld) -> None:
    ticket_id = await world.open_ticket(OLGA, "Logs")
    after = world.last_token(OLGA)
    long_answer = ("word " * 1500).strip() + "\nThe end."
    await world.desk.handle(c.AddAgentReply(ticket_id, world.anna, long_answer))
    await world.to_client(OLGA, "The end.", after=after)
    pieces = [msg for msg in world.viber.received(OLGA) if msg.token > after]
    assert len(pieces) == 2 and all(len(p.text or "") <= 7000 for p in pieces)
    await eventually(lambda: outbox_rows(channel="viber", kind="agent_reply", state="sent"))

    world.viber.report("failed", pieces[-1].token, desc="the user's device is offline")
    [note] = await eventually(lambda: outbox_rows(channel="telegram", kind="delivery_failed"))
    assert "device is offline" in note.payload["error"] and note.ticket_id == ticket_id

    sender = world.channel.relay.sender
    message = OutboundMessage("viber", Audience.CLIENT, "text", ticket_id, SystemClock().now(),
                              OLGA, id=987654, payload={"text": "Interim", "language": "en"})
    world.viber.inject_status(12)
    [outcome] = await sender.send([message])
    assert isinstance(outcome, Retry) and "status 12" in outcome.error


async def test_sharing_a_phone_in_viber_joins_the_same_person_from_telegram(
        world: ViberWorld) -> None:
    telegram = await world.desk.handle(c.ClientWrites(
        "telegram", "5001", "Olga", "[contact Olga, +79990001122]", phone="+79990001122"))
    world.viber.inject_message(OLGA, "Hi")
    await world.to_client(OLGA, "#")
    viber_contact = await m.IdentityRow.get(channel="viber", external_id=OLGA)
    assert viber_contact.contact_id != telegram.contact_id  # unknown until the phone is shared
    world.viber.share_phone("new+viber==", "+7 999 000-11-22")
    await eventually(lambda: m.IdentityRow.filter(channel="viber",
                                                  external_id="new+viber==").first())
    merged = await m.IdentityRow.get(channel="viber", external_id="new+viber==")
    assert merged.contact_id == telegram.contact_id
    tickets = await m.TicketRow.filter(contact_id=telegram.contact_id).order_by("id")
    assert [t.channel for t in tickets] == ["telegram", "viber"]



async def test_healthz_stays_ok_once_the_viber_webhook_is_registered(world: ViberWorld) -> None:
    await asyncio.sleep(0.05)  # the registering worker has returned
    async with aiohttp.ClientSession() as http, http.get(world.url + "/healthz") as answer:
        health = await answer.json()
    assert (answer.status, health["checks"]["viber-webhook"]) == (200, "ok")
    assert health["checks"]["viber-relay"] == "ok"
