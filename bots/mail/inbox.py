"""Reading one mailbox by IMAP (aioimaplib): new mail is waited for with IDLE where the
server has it (else, or when IDLE breaks, the mailbox is polled every `poll_seconds`), each
message is read without marking it (BODY.PEEK), taken through the intake (its command
commits with its Message-ID) and only then acknowledged: flagged `$ChatDesk` and \\Seen, or
moved to the done folder. A crash before the commit leaves the message unflagged, to be
taken at the next start; a crash between the commit and the flag finds the Message-ID
recorded, so the message is flagged and nothing doubles. A message that keeps failing is
parked (visible, retryable) and flagged `$ChatDeskFailed` after a few tries, so it never
holds up the mailbox; a message over the size limit is taken by its headers only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aioimaplib  # type: ignore[import-untyped]

from bots.mail.config import MailConfig
from bots.mail.conversation import MailConversation
from bots.mail.parse import IncomingMail, parse_mail
from bots.messenger.intake import EventIntake
from chatdesk.settings_mail import ServerAddress
from core.outbox import InboundRef

log = logging.getLogger(__name__)

DONE, FAILED = "$ChatDesk", "$ChatDeskFailed"
TRIES_PER_MESSAGE = 3
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapError(Exception):
    pass


@dataclass
class InboxStats:
    fetched: int = 0
    acknowledged: int = 0
    rounds: int = 0
    idle: bool = False  # waiting with IDLE (else polling)


class MailboxReader:
    def __init__(self, mailbox: ServerAddress, config: MailConfig,
                 conversation: MailConversation, intake: EventIntake | None = None) -> None:
        self.mailbox = mailbox
        self.config = config
        self.conversation = conversation
        self.intake = intake or EventIntake()
        self.stats = InboxStats()
        self.ready = asyncio.Event()  # connected and through the first round
        self._failures: dict[str, int] = {}
        self._keywords = True
        # a test's hook between a message's fetch and its commit (a crash there)
        self.before_commit: Callable[[IncomingMail], Awaitable[None]] | None = None

    async def run(self) -> None:
        delay = 1.0
        while True:
            imap: aioimaplib.IMAP4 | None = None
            try:
                imap = await self._connect()
                delay = 1.0
                await self._serve(imap)
            except (aioimaplib.AioImapException, ImapError, OSError, TimeoutError,
                    ssl.SSLError) as exc:
                log.warning("mailbox %s: %s: %s; again in %.0f s", self.mailbox.name,
                            type(exc).__name__, exc, delay)
            except Exception:  # a bug of ours or the library's: logged, then again
                log.exception("mailbox %s failed; again in %.0f s", self.mailbox.name, delay)
            finally:
                if imap is not None:
                    await _close(imap)
            _stop_if_cancelled()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)

    async def _connect(self) -> aioimaplib.IMAP4:
        box, timeout = self.mailbox, self.config.timeout
        if box.security == "tls":
            imap: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
                box.host, box.port, timeout=timeout, ssl_context=self.config.tls_context())
        else:
            imap = aioimaplib.IMAP4(box.host, box.port, timeout=timeout)
        await imap.wait_hello_from_server()
        if box.security == "starttls":
            await _starttls(imap, box.host, self.config.tls_context(), timeout)
        _check(await imap.login(box.user, box.password), "LOGIN")
        selected = await imap.select(box.folder)
        _check(selected, f"SELECT {box.folder}")
        flags = b" ".join(line for line in selected.lines if isinstance(line, bytes)
                          and b"PERMANENTFLAGS" in line)
        self._keywords = b"\\*" in flags or DONE.encode() in flags
        return imap

    async def _serve(self, imap: aioimaplib.IMAP4) -> None:
        idle = self.config.idle and imap.has_capability("IDLE")
        while True:
            _stop_if_cancelled()
            await self.take_new(imap)
            self.stats.rounds += 1
            self.ready.set()
            if idle:
                try:
                    await self._wait_idle(imap)
                    continue
                except aioimaplib.Abort as exc:
                    log.warning("mailbox %s: IDLE refused (%s); polling instead",
                                self.mailbox.name, exc)
                    idle = False
            self.stats.idle = False
            await asyncio.sleep(self.config.poll_seconds)
            _check(await imap.noop(), "NOOP")

    async def _wait_idle(self, imap: aioimaplib.IMAP4) -> None:
        """Until the server says something changed, or `poll_seconds` pass."""
        waiting = await imap.idle_start(timeout=self.config.poll_seconds)
        self.stats.idle = True
        try:
            # not imap.wait_server_push: its asyncio.wait_for may swallow a cancellation
            # that comes as the server speaks (Python 3.11), and the worker would not stop
            async with asyncio.timeout(self.config.poll_seconds + 30):
                await imap.protocol.idle_queue.get()
        finally:  # on cancellation too: end IDLE, without swallowing the cancellation
            imap.idle_done()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(waiting, self.config.timeout)

    async def take_new(self, imap: aioimaplib.IMAP4) -> int:
        """Take every message not yet taken; how many were acknowledged."""
        criteria = ("UNKEYWORD", DONE, "UNKEYWORD", FAILED, "UNDELETED") if self._keywords \
            else ("UNSEEN", "UNDELETED")
        found = await imap.uid_search(*criteria, charset=None)
        _check(found, "SEARCH")
        uids = [int(u) for line in found.lines[:1] if isinstance(line, bytes)
                for u in line.split() if u.isdigit()]
        taken = 0
        for uid in sorted(uids):
            if await self._take(imap, uid):
                taken += 1
        return taken

    async def _take(self, imap: aioimaplib.IMAP4, uid: int) -> bool:
        size_answer = await imap.uid("fetch", str(uid), "(RFC822.SIZE)")
        _check(size_answer, "FETCH")
        size = _size(size_answer.lines)
        limit = self.config.max_message_bytes
        part = "BODY.PEEK[HEADER]" if size is not None and size > limit else "BODY.PEEK[]"
        answer = await imap.uid("fetch", str(uid), f"({part})")
        _check(answer, "FETCH")
        raw = _literal(answer.lines)
        if raw is None:  # gone meanwhile (another client expunged it)
            return False
        self.stats.fetched += 1
        mail = parse_mail(raw, self.config.max_file_bytes)
        if part == "BODY.PEEK[HEADER]" and size is not None:
            mail.note("The message is {size} MB, more than the {limit} MB this desk takes: "
                      "only its headers were read. It stays in the mailbox {folder}.",
                      size=size // (1024 * 1024), limit=limit // (1024 * 1024),
                      folder=self.mailbox.folder)
        source = InboundRef("email", mail.message_id)
        payload = {"mailbox": self.mailbox.name, "uid": uid, "message_id": mail.message_id,
                   "from": mail.address, "subject": mail.subject[:200]}

        async def work(ref: InboundRef) -> None:
            await self.conversation.handle(mail, ref)
            if self.before_commit is not None:
                await self.before_commit(mail)

        if await self.intake.run(source, payload, work):
            self._failures.pop(mail.message_id, None)
            await self._acknowledge(imap, uid, DONE)
            return True
        tries = self._failures[mail.message_id] = self._failures.get(mail.message_id, 0) + 1
        if tries >= TRIES_PER_MESSAGE and self._keywords:
            log.error("mail %s keeps failing; it stays parked and is passed over",
                      mail.message_id)
            await self._acknowledge(imap, uid, FAILED)
        return False

    async def _acknowledge(self, imap: aioimaplib.IMAP4, uid: int, keyword: str) -> None:
        flags = f"(\\Seen {keyword})" if self._keywords else "(\\Seen)"
        _check(await imap.uid("store", str(uid), "+FLAGS.SILENT", flags), "STORE")
        self.stats.acknowledged += 1
        folder = self.config.done_folder
        if folder and keyword == DONE:
            if imap.has_capability("MOVE"):
                _check(await imap.uid("move", str(uid), _quoted(folder)), "MOVE")
            else:
                _check(await imap.uid("copy", str(uid), _quoted(folder)), "COPY")
                _check(await imap.uid("store", str(uid), "+FLAGS.SILENT", "(\\Deleted)"),
                       "STORE")
                await imap.expunge()


def _stop_if_cancelled() -> None:
    """aioimaplib waits with asyncio.wait_for, which on Python 3.11 can swallow the
    cancellation of a worker being stopped: stop at the next turn instead."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _check(response: aioimaplib.Response, what: str) -> None:
    if response.result != "OK":
        text = b" ".join(line for line in response.lines if isinstance(line, bytes))
        raise ImapError(f"{what}: {response.result} {text.decode(errors='replace')[:200]}")


def _size(lines: list[bytes | bytearray]) -> int | None:
    for line in lines:
        found = _SIZE.search(bytes(line))
        if found:
            return int(found[1])
    return None


def _literal(lines: list[bytes | bytearray]) -> bytes | None:
    """The message's bytes in a FETCH answer (the literal aioimaplib hands as a bytearray)."""
    literals = [bytes(line) for line in lines if isinstance(line, bytearray)]
    return max(literals, key=len) if literals else None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _starttls(imap: aioimaplib.IMAP4, host: str, context: ssl.SSLContext,
                    timeout: float) -> None:  # noqa: ASYNC109
    """STARTTLS, which aioimaplib sends but does not follow with the handshake."""
    protocol = imap.protocol
    assert protocol is not None
    command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
    _check(await asyncio.wait_for(protocol.execute(command), timeout), "STARTTLS")
    loop = asyncio.get_running_loop()
    transport = await loop.start_tls(protocol.transport, protocol, context,
                                     server_hostname=host)
    protocol.transport = transport
    await asyncio.wait_for(protocol.capability(), timeout)


async def _close(imap: aioimaplib.IMAP4) -> None:
    try:
        if imap.has_pending_idle():
            imap.idle_done()
        await asyncio.wait_for(imap.logout(), 5)
    except Exception:  # noqa: BLE001 - the connection is going away anyway
        pass
    for task in list(imap.tasks):
        task.cancel()
