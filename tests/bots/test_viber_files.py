"""An agent's files reach a Viber client as a picture and a file message: the agent posts a
photo and a PDF in the ticket's Telegram topic; Viber is sent our signed, expiring link
(under CHATDESK_PUBLIC_URL), fetches the bytes from it, and gets each file once even when a
send fails and is retried. Without a public URL the client gets the names and a note."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from bots.messenger.compose import Composer
from bots.messenger.file_links import FileLinks
from bots.relay import Sent
from bots.viber.api import ViberClient
from bots.viber.config import ViberConfig
from bots.viber.sender import ViberSender
from bots.viber.setup import install_viber
from bots.viber.webhook import PATH
from chatdesk.bootstrap import SystemClock
from chatdesk.runtime import Runtime
from emulators.viber import SentMessage, ViberEmulator, WebhookRetry
from storage.delivery import OutboxStore
from storage.messenger_state import MessengerState
from tests.bots.agents_in_telegram import PDF, PHOTO, AgentsChat, agents_in_telegram
from tests.bots.messengers import desk_with_team, free_port, serving

OLGA = "olga+viber=="
SECRET = "a-secret-key-of-at-least-thirty-two-characters"
pytestmark = pytest.mark.e2e


@dataclass
class World:
    viber: ViberEmulator
    agents: AgentsChat
    url: str
    runtime: Runtime

    async def open_ticket(self) -> int:
        self.viber.inject_message(OLGA, "The printer shows an error")
        opened = await self.viber.wait_for_message(OLGA, "#")
        return int((opened.text or "").split("#")[1].split(".")[0])

    async def of_type(self, kind: str) -> SentMessage:
        def found() -> SentMessage | None:
            return next((m for m in self.viber.received(OLGA) if m.type == kind), None)

        return await self.viber.wait_for(found, timeout=20)


@asynccontextmanager
async def running(viber: ViberEmulator, public: bool = True) -> AsyncIterator[World]:
    clock = SystemClock()
    desk, _ = await desk_with_team("viber", clock)
    runtime = Runtime(desk)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = ViberConfig(auth_token=viber.auth_token, api_url=viber.api_url,
                         webhook_url=url + PATH, request_timeout=5,
                         public_url=url if public else None, secret_key=SECRET)
    async with agents_in_telegram(runtime, clock) as agents:
        channel = await install_viber(runtime, None, clock, config=config, files=agents.files)
        async with serving(runtime, port):
            await asyncio.wait_for(channel.registered.wait(), 10)
            yield World(viber, agents, url, runtime)


@pytest.fixture
async def viber() -> AsyncIterator[ViberEmulator]:
    emulator = ViberEmulator(webhook_retry=WebhookRetry(attempts=5, initial=0.05))
    await emulator.start()
    emulator.add_user(OLGA, "Olga Smirnova", language="en")
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


async def test_an_agents_photo_and_pdf_reach_the_viber_client_by_signed_links(
        database: str, viber: ViberEmulator) -> None:
    async with running(viber) as world:
        ticket_id = await world.open_ticket()
        await world.agents.send_photo(ticket_id, caption="Here is the jammed tray")
        picture = await world.of_type("picture")
        assert picture.media and picture.media.startswith(world.url + "/files/")
        assert await viber.fetch_media(picture) == (200, PHOTO)
        await world.agents.send_pdf(ticket_id)
        file = await world.of_type("file")
        assert (file.raw["file_name"], file.raw["size"]) == ("invoice.pdf", len(PDF))
        assert await viber.fetch_media(file) == (200, PDF)
        assert any("Here is the jammed tray" in t for t in viber.texts(OLGA))
        forged = replace(file, media=(file.media or "")[:-3] + "abc")
        assert (await viber.fetch_media(forged))[0] == 404


async def test_a_failed_file_send_is_retried_and_delivered_once(
        database: str, viber: ViberEmulator) -> None:
    async with running(viber) as world:
        ticket_id = await world.open_ticket()
        viber.state.injected_statuses.append(12)  # tooManyRequests on the next send
        await world.agents.send_pdf(ticket_id)
        file = await world.of_type("file")
        assert await viber.fetch_media(file) == (200, PDF)
        await asyncio.sleep(1.5)
        assert [m.type for m in viber.received(OLGA)].count("file") == 1


async def test_after_a_restart_a_half_sent_reply_sends_only_what_viber_lacks(
        database: str, viber: ViberEmulator) -> None:
    async with running(viber) as world:
        ticket_id = await world.open_ticket()
        before = len(viber.received(OLGA))
        viber.inject_status(0)  # the reply's text goes through,
        viber.inject_status(12)  # its file is refused: retried in a second
        await world.agents.send_pdf(ticket_id)
        store = OutboxStore()
        for _ in range(100):  # until the relay has tried the row once
            rows = [p for p in await store.pending("viber") if p.attempts]
            if rows:
                break
            await asyncio.sleep(0.01)
        relay = next(w for w in world.runtime.workers if w.name == "viber-relay")
        assert relay.task is not None
        relay.task.cancel()  # the process stops before the retry
        [row] = rows
        assert [m.type for m in viber.received(OLGA)[before:]] == ["text"]

        config = ViberConfig(auth_token=viber.auth_token, api_url=viber.api_url,
                             request_timeout=5, public_url=world.url, secret_key=SECRET)
        restarted = ViberSender(ViberClient(config), Composer("en"), links=FileLinks(
            world.url, SECRET, world.agents.files))  # nothing in memory from the first run
        assert [type(o) for o in await restarted.send([row.message])] == [Sent]
        assert [m.type for m in viber.received(OLGA)[before:]] == ["text", "file"]
        assert await MessengerState().get("viber", f"parts:{row.message.id}") is None


async def test_without_a_public_url_the_client_gets_the_file_names(
        database: str, viber: ViberEmulator) -> None:
    async with running(viber, public=False) as world:
        ticket_id = await world.open_ticket()
        await world.agents.send_pdf(ticket_id)
        named = await viber.wait_for_message(OLGA, "📎 invoice.pdf", timeout=20)
        assert "could not be sent here" in (named.text or "")
        assert not any(m.type in ("file", "picture") for m in viber.received(OLGA))


def test_a_link_expires_and_cannot_be_altered() -> None:
    links = FileLinks("https://desk.example", SECRET, source=None)  # type: ignore[arg-type]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    url = links.url(41, 1, now)
    token = url.rsplit("/", 1)[1]
    assert links.opened(token, now + timedelta(days=6)) == (41, 1)
    assert links.opened(token, now + timedelta(days=8)) is None
    other = links.url(42, 1, now).rsplit("/", 1)[1]
    assert links.opened(other.split(".")[0] + "." + token.split(".")[1], now) is None
    assert FileLinks("https://desk.example", "another-secret-of-thirty-two-chars!!",
                     source=None).opened(token, now) is None  # type: ignore[arg-type]
