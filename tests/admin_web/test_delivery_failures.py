"""A reply that did not reach the client: the ticket page says why in words a person acts
on and offers Retry, which queues the message again; once the client's chat exists, it is
delivered. The product runs against the sandbox's emulated Telegram, which answers "chat
not found" for a chat it does not know (as Telegram does)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from admin_web.app import create_app
from admin_web.config import PanelConfig
from admin_web.passwords import hash_password
from chatdesk.app import routing_for
from chatdesk.bootstrap import build_desk
from chatdesk.runtime import Runtime
from chatdesk.sandbox import Sandbox
from core import commands as c
from core.outbox import Audience, OutboundMessage
from core.services import Desk as DeskService
from storage import models as m
from storage.delivery import OutboxStore
from storage.delivery_failures import retry_delivery
from tests.admin_web.conftest import PASSWORD, Browser, Panel, post, sign_in
from tests.bots.messengers import eventually
from tests.sandbox.test_sandbox_page import running_sandbox

NORA = 5_550_001
REPLY = "Your parcel left the warehouse today."


@dataclass
class Desk:
    sandbox: Sandbox
    desk: DeskService
    server: TestServer


@asynccontextmanager
async def desk_on_the_sandbox(database: str, tmp_path: Path) -> AsyncIterator[Desk]:
    """The product as `chatdesk run` starts it without a token, with the panel served."""
    await build_desk().handle(c.AddEmployee("Ada Admin", "ada", "admin",
                                            password_hash=hash_password(PASSWORD)))
    async with running_sandbox(database, tmp_path) as sandbox:
        desk = build_desk(routing=routing_for(sandbox.settings))
        server = TestServer(create_app(Runtime(desk), PanelConfig()))
        await server.start_server()
        try:
            yield Desk(sandbox, desk, server)
        finally:
            await server.close()


async def _reply_row(ticket_id: int, state: str) -> m.OutboxRow | None:
    return await m.OutboxRow.filter(ticket_id=ticket_id, audience="client", kind="agent_reply",
                                    state=state).first()


@pytest.mark.e2e
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_a_reply_to_an_unknown_chat_says_why_and_is_delivered_after_retry(
        database: str, tmp_path: Path) -> None:
    async with desk_on_the_sandbox(database, tmp_path) as desk:
        emulator = desk.sandbox.emulator
        assert emulator is not None
        opened = await desk.desk.handle(c.ClientWrites(
            "telegram", str(NORA), "Nora Quinn", "Where is my parcel?", language="en"))
        ticket = opened.ticket_id
        client = Browser(desk.server)
        try:
            csrf = await sign_in(client, "ada")
            await post(client, f"/tickets/{ticket}/reply", csrf, text=REPLY)
            failed = await eventually(lambda: _reply_row(ticket, "failed"))
            assert failed.last_error and "chat not found" in failed.last_error
            page = await (await client.get(f"/tickets/{ticket}")).text()
            block = page[page.index(f'id="delivery-{failed.id}"'):]
            block = block[:block.index("</div>")]
            assert "Not delivered" in block and "has no chat with this client" in block
            assert f"/tickets/{ticket}/deliveries/{failed.id}/retry" in block
            assert "The notice with the ticket number" in page  # the first notice failed too

            emulator.add_user(NORA, "Nora", last_name="Quinn", language_code="en")
            after = await (await post(client, f"/tickets/{ticket}/deliveries/{failed.id}/retry",
                                      csrf)).text()
            assert "The message is queued again." in after
            sent = await emulator.wait_for_bot_message(
                NORA, match=lambda x: REPLY in (x.text or ""), timeout=15)
            assert sent is not None
            assert await eventually(lambda: _reply_row(ticket, "sent"))
            comment = await m.CommentRow.get(id=failed.comment_id)
            assert comment.delivery == "sent"
            page = await (await client.get(f"/tickets/{ticket}")).text()
            assert f'id="delivery-{failed.id}"' not in page
            again = await (await post(client, f"/tickets/{ticket}/deliveries/{failed.id}/retry",
                                      csrf)).text()
            assert "not waiting for a retry any more" in again
        finally:
            await client.close()


async def test_retry_puts_a_failed_reply_back_to_pending_once(database: str) -> None:
    desk = build_desk()
    agent = await desk.handle(c.AddEmployee("Ada Admin", "ada", "admin"))
    opened = await desk.handle(c.ClientWrites("telegram", str(NORA), "Nora Quinn", "Hello"))
    comment = await desk.handle(c.AddAgentReply(opened.ticket_id, agent.id, REPLY))
    store = OutboxStore()
    now = datetime.now(UTC)
    await store.add([OutboundMessage("telegram", Audience.CLIENT, "agent_reply",
                                     opened.ticket_id, now, str(NORA), comment.id)])
    row = await m.OutboxRow.get(comment_id=comment.id)
    await store.mark_failed(row.id, 1, "Bad Request: chat not found")
    await store.set_comment_delivery(comment.id, "failed")

    assert not await retry_delivery(opened.ticket_id + 1, row.id, now)  # another ticket's
    assert await retry_delivery(opened.ticket_id, row.id, now)
    row = await m.OutboxRow.get(id=row.id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, None)
    assert (await m.CommentRow.get(id=comment.id)).delivery == "pending"
    assert [p.message.id for p in await store.pending("telegram")] == [row.id]
    assert not await retry_delivery(opened.ticket_id, row.id, now)  # not failed any more


async def test_a_reply_in_a_channel_the_desk_has_not_on_says_so_in_persian(panel: Panel) -> None:
    opened = await panel.desk.handle(c.ClientWrites("vk", "4242", "Reza Karimi", "سلام"))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/language", csrf, language="fa", next="/")
        page = await (await post(client, f"/tickets/{opened.ticket_id}/reply", csrf,
                                 text=REPLY)).text()
    finally:
        await client.close()
    assert "ارسال نشد: <bdi>VK</bdi> به این سامانه وصل نیست." in page


async def test_a_reply_on_a_ticket_registered_by_hand_claims_no_channel(panel: Panel) -> None:
    client_ticket = await panel.desk.handle(c.ClientWrites("vk", "4242", "Reza Karimi", "سلام"))
    contact = (await m.TicketRow.get(id=client_ticket.ticket_id)).contact_id
    ticket = await panel.desk.handle(c.OpenTicketForClient(
        panel.admin_id, contact, "Phone call: a new address", "Called the hotline."))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await (await post(client, f"/tickets/{ticket.id}/reply", csrf,
                                 text=REPLY)).text()
    finally:
        await client.close()
    assert REPLY in page and "is not connected to this desk" not in page
