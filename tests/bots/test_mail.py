"""The e-mail channel end to end against real servers on 127.0.0.1: Dovecot holds the desk's
mailbox and the clients' (read by aioimaplib with IDLE), an aiosmtpd SMTP server delivers
into them (mail leaves by aiosmtplib), the agents work in the Telegram emulator's forum and
the desk runs on a real database. A client writes, an agent answers in the topic, the
client's reply with quoted history joins the ticket, and the client rates by a link."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiohttp
import aiosmtplib
import pytest

from bots.mail.config import MailConfig
from bots.mail.inbox import DONE
from bots.mail.setup import MailChannel, install_mail
from bots.messenger.files import ChannelFiles
from chatdesk.bootstrap import SystemClock
from chatdesk.runtime import Runtime
from chatdesk.settings_mail import IMAP_SCHEMES, SMTP_SCHEMES, server_address
from core import commands as c
from core.services import Desk
from storage import models as m
from tests.bots.agents_in_telegram import TOKEN, AgentsChat, agents_in_telegram
from tests.bots.mail_servers import Delivery, Dovecot, SmtpServer
from tests.bots.messengers import (
    ANNA_TG,
    client_comments,
    desk_with_team,
    eventually,
    free_port,
    serving,
    tickets_of,
)

pytestmark = pytest.mark.e2e
SUPPORT, IVAN, OLGA = "support@desk.test", "ivan@client.test", "olga@client.test"
SECRET = "mail-test-secret-key-0123456789abcdef"


@dataclass
class MailWorld:
    dovecot: Dovecot
    smtp: SmtpServer
    desk: Desk
    anna: int
    channel: MailChannel
    agents: AgentsChat
    url: str

    async def write(self, sender: str, subject: str, body: str, *, name: str = "",
                    in_reply_to: str | None = None, **headers: str) -> str:
        """Send a mail to the desk through the SMTP server, as the client's program does."""
        mail = EmailMessage()
        mail["From"] = f"{name} <{sender}>" if name else sender
        mail["To"] = SUPPORT
        mail["Subject"] = subject
        mail["Message-ID"] = make_msgid(domain="client.test")
        if in_reply_to:
            mail["In-Reply-To"] = in_reply_to
            mail["References"] = in_reply_to
        for key, value in headers.items():
            mail[key.replace("_", "-")] = value
        mail.set_content(body)
        await aiosmtplib.send(mail, hostname="127.0.0.1", port=self.smtp.port)
        return str(mail["Message-ID"])

    async def inbox_of(self, user: str, count: int) -> list[EmailMessage]:
        """The client's mails once there are `count` of them."""
        async def arrived() -> list[EmailMessage] | None:
            found = await asyncio.to_thread(self.dovecot.messages, user)
            return [_parsed(raw) for _, raw in found] if len(found) >= count else None

        return await eventually(arrived)

    async def desk_flags(self) -> list[set[str]]:
        return [flags for flags, _ in await asyncio.to_thread(self.dovecot.messages, SUPPORT)]


def _parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def config_for(dovecot: Dovecot, smtp: SmtpServer, url: str, files: Path) -> MailConfig:
    return MailConfig(
        sender=f"Support <{SUPPORT}>",
        mailboxes=(server_address(dovecot.url(SUPPORT), IMAP_SCHEMES),),
        smtp=server_address(smtp.url, SMTP_SCHEMES), poll_seconds=5, per_minute=0,
        public_url=url, secret_key=SECRET, files_dir=files, timeout=10)


@asynccontextmanager
async def running(tmp_path: Path) -> AsyncIterator[MailWorld]:
    dovecot = Dovecot([SUPPORT, IVAN, OLGA])
    dovecot.start()
    smtp = SmtpServer(Delivery(dovecot))
    smtp.start()
    try:
        clock = SystemClock()
        desk, anna = await desk_with_team("email", clock)
        runtime = Runtime(desk)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        async with agents_in_telegram(runtime, clock) as agents:
            files = ChannelFiles(agents.telegram.base_url, TOKEN,
                                 mail_files=tmp_path / "mail-files")
            channel = await install_mail(runtime, None, clock, files=files, config=config_for(
                dovecot, smtp, url, tmp_path / "mail-files"))
            async with serving(runtime, port):
                await asyncio.wait_for(channel.readers[0].ready.wait(), 10)
                yield MailWorld(dovecot, smtp, desk, anna, channel, agents, url)
    finally:
        smtp.stop()
        dovecot.stop()


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[MailWorld]:
    async with running(tmp_path) as w:
        yield w


async def test_a_whole_conversation_by_mail_with_the_agent_in_telegram(
        world: MailWorld) -> None:
    first = await world.write(IVAN, "Printer is broken", "The printer on floor 2 jams.",
                              name="Ivan Petrov")
    [ticket] = await eventually(lambda: tickets_of("email", IVAN))
    assert ticket.subject == "Printer is broken" and ticket.channel == "email"
    [opened] = await world.inbox_of(IVAN, 1)
    assert f"[#{ticket.id}]" in str(opened["Subject"])
    assert opened["In-Reply-To"] == first and opened["Auto-Submitted"] == "auto-generated"
    assert f"#{ticket.id}" in plain(opened)

    # the agent answers in the ticket's topic; the answer goes out by mail, in the thread
    topic = await world.agents.topic_of(ticket.id)
    card = world.agents.telegram.bot_messages(world.agents.team, thread_id=topic)[0]
    assert "e-mail" in card.text and "Ivan Petrov" in card.text
    world.agents.telegram.inject_group_message(world.agents.team, ANNA_TG,
                                               "Please open tray 2 and pull the sheet.",
                                               message_thread_id=topic)
    answer = (await world.inbox_of(IVAN, 2))[1]
    assert "Please open tray 2 and pull the sheet." in plain(answer)
    assert answer["In-Reply-To"] == opened["Message-ID"] and answer["Auto-Submitted"] is None
    assert str(answer["References"]).split() == [first, opened["Message-ID"]]
    assert answer.get_body(("html",)) is not None

    # the client's reply, with the history quoted under it, joins the same ticket
    await world.write(IVAN, f"Re: {answer['Subject']}",
                      "It works now, thank you!\n\nOn Tue, Dec 8, 2026 at 10:00 AM Support "
                      f"<{SUPPORT}> wrote:\n> Please open tray 2 and pull the sheet.\n",
                      in_reply_to=str(answer["Message-ID"]))

    async def two_comments() -> list[m.CommentRow] | None:
        comments = await client_comments(ticket.id)
        return comments if len(comments) == 2 else None

    comments = await eventually(two_comments)
    assert comments[1].body == "It works now, thank you!"
    assert len(await tickets_of("email", IVAN)) == 1

    # resolved: the mail asks to rate, one click on the stars rates the ticket
    await world.desk.handle(c.ChangeStatus(ticket.id, world.anna, "resolved"))
    resolution = (await world.inbox_of(IVAN, 3))[-1]
    links = dict(re.findall(r"^(.+?): (http://\S+)", plain(resolution), re.M))
    five = links["★5"]
    assert five.startswith(world.url + "/mail/act/")
    async with aiohttp.ClientSession() as http:
        async with http.get(five) as page:
            assert page.status == 200 and "Thank you for your rating" in await page.text()
        async with http.get(five) as again:  # a second click (or a mail scanner) changes nothing
            assert again.status == 200
    rated = await m.TicketRow.get(id=ticket.id)
    assert rated.rating == 5
    assert all(DONE in flags for flags in await world.desk_flags())
