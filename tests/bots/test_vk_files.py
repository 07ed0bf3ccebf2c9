"""An agent's files reach a VK client as VK photos and documents: the agent posts a photo
and a PDF in the ticket's Telegram topic, the VK sender fetches them from Telegram, uploads
them the VK way (upload server, upload, save) and sends them as messages.send attachments;
a failed upload is retried, and the client never gets the file twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bots.messenger.compose import Composer
from bots.relay import Sent
from bots.vk.api import VkClient
from bots.vk.sender import VkSender
from bots.vk.setup import install_vk
from chatdesk.bootstrap import SystemClock
from chatdesk.runtime import Runtime
from emulators.vk import CallbackRetry, SentMessage, VkEmulator
from storage.delivery import OutboxStore
from storage.messenger_state import MessengerState
from tests.bots.agents_in_telegram import PDF, PHOTO, AgentsChat, agents_in_telegram
from tests.bots.messengers import ANNA_TG, desk_with_team, serving
from tests.bots.test_vk import CODE, GROUP, IVAN, SECRET, config_for

pytestmark = pytest.mark.e2e


@dataclass
class World:
    vk: VkEmulator
    agents: AgentsChat

    async def open_ticket(self) -> int:
        self.vk.inject_message(IVAN, "The printer shows an error")
        opened = await self.vk.wait_for_message(IVAN, "#")
        return int(opened.text.split("#")[1].split(".")[0])

    async def with_attachment(self, kind: str, after: int = 0) -> SentMessage:
        def found() -> SentMessage | None:
            return next((m for m in self.vk.received(IVAN) if m.id > after
                         and (m.attachment or "").startswith(kind)), None)

        return await self.vk.wait_for(found, timeout=20)

    def calls(self, method: str) -> int:
        return sum(1 for c in self.vk.state.calls if c.method == method and not c.error_code)


@asynccontextmanager
async def running(vk: VkEmulator) -> AsyncIterator[World]:
    clock = SystemClock()
    desk, _ = await desk_with_team("vk", clock)
    runtime = Runtime(desk)
    async with agents_in_telegram(runtime, clock) as agents:
        await install_vk(runtime, None, clock, config=config_for(vk, "callback"),
                         files=agents.files)
        async with serving(runtime) as url:
            assert await vk.set_callback_server(f"{url}/vk/callback", secret=SECRET,
                                                confirmation_code=CODE)
            yield World(vk, agents)


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    vk = VkEmulator(group_id=GROUP, callback_retry=CallbackRetry(attempts=5, initial=0.05))
    await vk.start()
    vk.add_user(IVAN, "Ivan", "Petrov", lang_id=3)
    try:
        async with running(vk) as w:
            yield w
    finally:
        await vk.stop()
    assert vk.internal_errors == []


async def test_an_agents_photo_and_pdf_reach_the_vk_client_as_attachments(
        world: World) -> None:
    ticket_id = await world.open_ticket()
    await world.agents.send_photo(ticket_id, caption="Here is the jammed tray")
    photo = await world.with_attachment("photo")
    assert "Here is the jammed tray" in photo.text
    assert world.vk.media(photo.attachment or "").data == PHOTO
    await world.agents.send_pdf(ticket_id)
    doc = await world.with_attachment("doc")
    media = world.vk.media(doc.attachment or "")
    assert (media.data, media.name) == (PDF, "invoice.pdf")
    assert "📎" not in photo.text + doc.text  # sent as files, not as names


async def test_a_failed_upload_is_retried_and_the_photo_arrives_once(world: World) -> None:
    ticket_id = await world.open_ticket()
    world.vk.fail_uploads(1)
    await world.agents.send_photo(ticket_id)
    photo = await world.with_attachment("photo")
    assert world.vk.media(photo.attachment or "").data == PHOTO
    assert sum(1 for m in world.vk.received(IVAN) if m.attachment) == 1
    assert world.calls("photos.getMessagesUploadServer") == 2  # the first upload failed


async def test_a_send_that_fails_after_the_upload_does_not_upload_or_deliver_twice(
        world: World) -> None:
    ticket_id = await world.open_ticket()
    world.vk.inject_error(10, "messages.send")
    await world.agents.send_pdf(ticket_id)
    doc = await world.with_attachment("doc")
    assert world.vk.media(doc.attachment or "").data == PDF
    assert sum(1 for m in world.vk.received(IVAN) if m.attachment) == 1
    assert world.calls("docs.save") == 1


async def test_after_a_restart_a_retried_send_does_not_upload_again(world: World) -> None:
    ticket_id = await world.open_ticket()
    world.vk.inject_error(29, "messages.send")  # VK's rate limit: retried in five minutes
    await world.agents.send_pdf(ticket_id)
    store = OutboxStore()

    for _ in range(400):  # until the relay has tried the row once
        rows = [p for p in await store.pending("vk") if p.attempts]
        if rows:
            break
        await asyncio.sleep(0.05)
    [row] = rows
    assert world.calls("docs.save") == 1 and not world.vk.received(IVAN)[-1].attachment
    restarted = VkSender(VkClient(config_for(world.vk, "callback")), Composer("en"),
                         files=world.agents.files)  # nothing in memory from the first run
    assert [type(o) for o in await restarted.send([row.message])] == [Sent]
    doc = await world.with_attachment("doc")
    assert world.vk.media(doc.attachment or "").data == PDF
    assert world.calls("docs.save") == 1 and world.calls("docs.getMessagesUploadServer") == 1
    assert await MessengerState().upload("vk", row.message.id) is None  # forgotten once sent


async def test_an_agents_reply_to_a_vk_client_is_marked_received_in_the_topic_or_left_unsent(
        world: World) -> None:
    ticket_id = await world.open_ticket()
    thread = await world.agents.topic_of(ticket_id)
    telegram, team = world.agents.telegram, world.agents.team
    delivered = telegram.inject_group_message(team, ANNA_TG, "Please restart it",
                                              message_thread_id=thread).message
    await world.vk.wait_for_message(IVAN, "Please restart it")
    assert delivered is not None
    await telegram.wait_for(lambda e: e.message(team, delivered.message_id).reaction_emojis
                            == ["👍"], 10)  # the client has it

    world.vk.inject_error(901, "messages.send")  # the client no longer lets us write
    lost = telegram.inject_group_message(team, ANNA_TG, "Are you there?",
                                         message_thread_id=thread).message
    assert lost is not None
    await telegram.wait_for_bot_message(
        team, thread_id=thread, match=lambda m: "Could not deliver" in (m.text or ""),
        timeout=10)
    assert telegram.message(team, lost.message_id).reaction_emojis == ["🕊"]  # not received
