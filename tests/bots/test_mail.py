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
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiohttp
import aiosmtplib
import pytest

from bots.mail.config import MailConfig
from bots.mail.inbox import DONE, MailboxReader
from bots.mail.setup import MailChannel, install_mail
from bots.messenger.files import ChannelFiles
from chatdesk.bootstrap import SystemClock
from chatdesk.runtime import Runtime
from chatdesk.settings_mail import IMAP_SCHEMES, SMTP_SCHEMES, server_address
from core import commands as c
from core.services import Desk
from storage import models as m
from tests.bots.agents_in_telegram import PDF, TOKEN, AgentsChat, agents_in_telegram
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


class Crash(BaseException):
    """The process dies here (not an error the intake could park)."""


async def _flags_of_the_desk_mail(world: MailWorld) -> set[str]:
    [flags] = await world.desk_flags()
    return flags


async def test_a_crash_between_fetch_and_commit_loses_nothing_and_one_after_doubles_nothing(
        world: MailWorld) -> None:
    first = world.channel.readers[0]

    async def die(_: object) -> None:
        raise Crash

    first.before_commit = die
    await world.write(OLGA, "Invoice", "Where is my invoice?", name="Olga")
    await eventually(lambda: asyncio.sleep(0, first.stats.fetched or None))
    await asyncio.sleep(0.2)  # the crashed worker committed nothing
    assert await tickets_of("email", OLGA) == []
    assert DONE not in await _flags_of_the_desk_mail(world)

    # the next start takes the mail; it dies after the commit, before the flag
    second = MailboxReader(first.mailbox, first.config, world.channel.conversation)
    acknowledge = second._acknowledge

    async def die_before_flag(*args: object) -> None:
        raise Crash

    second._acknowledge = die_before_flag  # type: ignore[method-assign]
    task = asyncio.create_task(second.run())
    with pytest.raises(Crash):
        await asyncio.wait_for(task, 10)
    [ticket] = await tickets_of("email", OLGA)
    assert DONE not in await _flags_of_the_desk_mail(world)

    # the one after recognises the Message-ID: the mail is flagged, nothing doubles
    second._acknowledge = acknowledge  # type: ignore[method-assign]
    third = MailboxReader(first.mailbox, first.config, world.channel.conversation)
    task = asyncio.create_task(third.run())
    try:
        await asyncio.wait_for(third.ready.wait(), 10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert DONE in await _flags_of_the_desk_mail(world)
    assert [t.id for t in await tickets_of("email", OLGA)] == [ticket.id]
    assert len(await client_comments(ticket.id)) == 1


async def test_auto_replies_and_bounces_open_no_ticket_and_get_no_answer(
        world: MailWorld) -> None:
    await world.write(OLGA, "Out of office", "I am away until Monday.",
                      Auto_Submitted="auto-replied")
    await world.write(OLGA, "Weekly digest", "News", Precedence="bulk")
    await world.write(IVAN, "Help", "The screen is black.", name="Ivan")
    await eventually(lambda: tickets_of("email", IVAN))
    await eventually(lambda: asyncio.sleep(0, world.channel.conversation.stats.automatic == 2
                                            or None))
    assert await tickets_of("email", OLGA) == []
    assert await asyncio.to_thread(world.dovecot.messages, OLGA) == []
    assert all(DONE in flags for flags in await world.desk_flags())


async def test_odd_mails_become_tickets_with_what_could_be_read_and_a_note(
        world: MailWorld) -> None:
    subject = Header("Принтер", "koi8-r").encode()
    cp1251 = ("From: olga@client.test\r\nTo: support@desk.test\r\nSubject: "
              f"{subject}\r\nMessage-ID: <odd-1@client.test>\r\nContent-Type: text/plain"
              "\r\n\r\n").encode() + "Принтер не печатает".encode("cp1251") + b"\r\n"
    encrypted = (b"From: olga@client.test\r\nTo: support@desk.test\r\nSubject: Secret\r\n"
                 b"Message-ID: <odd-2@client.test>\r\nContent-Type: multipart/encrypted; "
                 b"protocol=\"application/pgp-encrypted\"; boundary=XX\r\n\r\n--XX\r\n"
                 b"Content-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--XX--\r\n")
    for raw in (cp1251, encrypted):
        await asyncio.to_thread(world.dovecot.append, SUPPORT, raw)

    async def two() -> list[m.TicketRow] | None:
        tickets = await tickets_of("email", OLGA)
        return tickets if len(tickets) == 2 else None

    first, second = await eventually(two)
    [text] = [c.body for c in await client_comments(first.id)]
    assert first.subject == "Принтер" and text.startswith("Принтер не печатает")
    assert "character set" in text
    [note] = [c.body for c in await client_comments(second.id)]
    assert "encrypted" in note


async def test_on_the_database_a_mail_finds_the_telegram_client_and_the_domains_company(
        database: str) -> None:
    desk, _ = await desk_with_team("email", SystemClock())
    company = await m.CompanyRow.create(name="Client Ltd", category="Client",
                                        email_domain="Client.test")
    await desk.handle(c.ClientWrites("telegram", "5001", "Ivan", "Hi from Telegram"))
    [telegram] = await tickets_of("telegram", "5001")
    row = await m.ContactRow.get(id=telegram.contact_id)
    row.email = "Ivan@client.test"
    await row.save()
    await desk.handle(c.ClientWrites("email", IVAN, "Ivan P", "Hi by mail", email=IVAN,
                                     new_thread=True))
    await desk.handle(c.ClientWrites("email", OLGA, "Olga", "Hello", email=OLGA,
                                     new_thread=True))
    by_telegram, by_mail = await tickets_of("email", IVAN)  # one person, one contact
    assert by_telegram.id == telegram.id and by_mail.channel == "email"
    assert by_mail.contact_id == row.id
    olga = await m.ContactRow.get(id=(await tickets_of("email", OLGA))[0].contact_id)
    assert olga.company_id == company.id and olga.email == OLGA


async def test_files_go_both_ways_within_the_size_limit(world: MailWorld) -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = f"Ivan <{IVAN}>", SUPPORT, "Scan"
    mail.set_content("The scan of the error is attached.")
    mail.add_attachment(b"%PDF-1.4 the error page", maintype="application", subtype="pdf",
                        filename="error.pdf")
    await aiosmtplib.send(mail, hostname="127.0.0.1", port=world.smtp.port)
    [ticket] = await eventually(lambda: tickets_of("email", IVAN))
    [comment] = await client_comments(ticket.id)
    [kept] = comment.attachments
    assert kept["name"] == "error.pdf" and kept["ref"].startswith("mailfile:")
    files = world.channel.readers[0].conversation.files
    assert files.read(kept["ref"]) == b"%PDF-1.4 the error page"

    # the agent's PDF from the topic reaches the client as an attachment of the mail
    await world.inbox_of(IVAN, 1)
    await world.agents.send_pdf(ticket.id, "invoice.pdf")
    answer = (await world.inbox_of(IVAN, 2))[1]
    [attached] = list(answer.iter_attachments())
    assert attached.get_filename() == "invoice.pdf"
    assert attached.get_content() == PDF  # type: ignore[attr-defined]


async def test_a_refused_recipient_is_reported_in_the_topic_not_retried(
        world: MailWorld) -> None:
    world.smtp.delivery.refuse.add(OLGA)
    await world.write(OLGA, "Question", "Hello?")
    [ticket] = await eventually(lambda: tickets_of("email", OLGA))

    async def failed() -> list[m.OutboxRow] | None:
        rows = await m.OutboxRow.filter(channel="email", ticket_id=ticket.id,
                                        state="failed")
        return list(rows) or None

    [row] = await eventually(failed)
    assert "550" in (row.last_error or "")
    assert await eventually(lambda: m.OutboxRow.filter(
        ticket_id=ticket.id, kind="delivery_failed", audience="agents").exists())


async def test_without_idle_the_mailbox_is_polled(world: MailWorld, tmp_path: Path) -> None:
    first = world.channel.readers[0]
    polling = MailboxReader(first.mailbox, replace(first.config, idle=False, poll_seconds=1),
                            world.channel.conversation)
    task = asyncio.create_task(polling.run())
    try:
        await asyncio.wait_for(polling.ready.wait(), 10)
        rounds = polling.stats.rounds
        await eventually(lambda: asyncio.sleep(0, polling.stats.rounds > rounds or None))
        assert not polling.stats.idle
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
async def test_a_mailbox_is_read_over_tls_trusting_the_servers_own_ca(
        database: str, tmp_path: Path, scheme: str) -> None:
    dovecot = Dovecot([SUPPORT], tls=True)
    dovecot.start()
    reader_task = None
    try:
        desk, _ = await desk_with_team("email", SystemClock())
        config = MailConfig(sender=SUPPORT, ca_file=str(dovecot.certificate),
                            files_dir=tmp_path, secret_key=SECRET, timeout=10)
        mailbox = server_address(dovecot.url(SUPPORT, scheme=scheme), IMAP_SCHEMES)
        runtime = Runtime(desk)
        channel = await install_mail(runtime, None, SystemClock(), config=replace(
            config, mailboxes=(mailbox,)))
        mail = EmailMessage()
        mail["From"], mail["Subject"] = IVAN, "Over TLS"
        mail.set_content("Secure hello")
        await asyncio.to_thread(dovecot.append, SUPPORT, mail.as_bytes())
        reader_task = asyncio.create_task(channel.readers[0].run())
        [ticket] = await eventually(lambda: tickets_of("email", IVAN))
        assert ticket.subject == "Over TLS"
    finally:
        if reader_task is not None:
            reader_task.cancel()
            await asyncio.gather(reader_task, return_exceptions=True)
        dovecot.stop()


async def test_a_mail_over_the_size_limit_is_taken_by_its_headers_with_a_note(
        database: str, tmp_path: Path) -> None:
    dovecot = Dovecot([SUPPORT])
    dovecot.start()
    reader_task = None
    try:
        desk, _ = await desk_with_team("email", SystemClock())
        config = MailConfig(sender=SUPPORT, files_dir=tmp_path, secret_key=SECRET, timeout=10,
                            max_message_bytes=4096, mailboxes=(server_address(
                                dovecot.url(SUPPORT), IMAP_SCHEMES),))
        channel = await install_mail(Runtime(desk), None, SystemClock(), config=config)
        mail = EmailMessage()
        mail["From"], mail["Subject"] = IVAN, "A huge scan"
        mail.set_content("See the scan")
        mail.add_attachment(b"\x89PNG" + b"x" * 20_000, maintype="image", subtype="png",
                            filename="scan.png")
        await asyncio.to_thread(dovecot.append, SUPPORT, mail.as_bytes())
        reader_task = asyncio.create_task(channel.readers[0].run())
        [ticket] = await eventually(lambda: tickets_of("email", IVAN))
        [comment] = await client_comments(ticket.id)
        assert ticket.subject == "A huge scan" and "only its headers were read" in comment.body
        await asyncio.wait_for(channel.readers[0].ready.wait(), 10)
        [(flags, _)] = await asyncio.to_thread(dovecot.messages, SUPPORT)
        assert DONE in flags  # taken: the mailbox is not stuck on it
    finally:
        if reader_task is not None:
            reader_task.cancel()
            await asyncio.gather(reader_task, return_exceptions=True)
        dovecot.stop()
