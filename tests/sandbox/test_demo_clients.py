"""The demo's Telegram clients are sandbox clients: the emulated Telegram knows them from the
start, the page lists them, and an agent's reply to one reaches their chat on the page
instead of failing with "chat not found"."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatdesk.app import routing_for
from chatdesk.bootstrap import build_desk
from chatdesk.demo import load_demo
from core import commands as c
from storage import models as m
from tests.bots.messengers import eventually
from tests.sandbox.test_sandbox_page import _get, running_sandbox

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # loading costs seconds
async def test_a_reply_to_a_demo_client_reaches_their_chat_on_the_sandbox_page(
        database: str, tmp_path: Path) -> None:
    await load_demo(15, 1, end=datetime.now(UTC).replace(second=0, microsecond=0))
    identities = await m.IdentityRow.filter(channel="telegram").order_by("id")
    assert identities, "the demo has Telegram clients"
    contact = await m.ContactRow.get(id=identities[0].contact_id)
    ticket = await m.TicketRow.filter(contact_id=contact.id).order_by("-id").first()
    assert ticket is not None
    chat_id = int(identities[0].external_id)

    async with running_sandbox(database, tmp_path) as sandbox:
        assert sandbox.emulator is not None and sandbox.agent is not None
        _, _, body = await asyncio.to_thread(_get, sandbox.url + "sandbox/clients")
        listed = {x["id"]: x for x in json.loads(body)["result"]}
        assert len(listed) == len(await m.IdentityRow.filter(channel="telegram"))
        assert f"{listed[chat_id]['first_name']} {listed[chat_id]['last_name']}" == contact.name
        assert listed[chat_id]["language_code"] == contact.language

        desk = build_desk(routing=routing_for(sandbox.settings))
        reply = await desk.handle(c.AddAgentReply(
            ticket.id, sandbox.agent.employee_id, "Your parcel is at the pick-up point."))
        seen = await sandbox.emulator.wait_for_bot_message(
            chat_id, match=lambda x: "pick-up point" in (x.text or ""), timeout=15)
        assert seen is not None
        assert await eventually(lambda: _delivered(reply.id))


async def _delivered(comment_id: int) -> bool:
    return (await m.CommentRow.get(id=comment_id)).delivery == "sent"
