"""A mail from a client as one command for the core: the ticket it answers (our signed
Message-ID in In-Reply-To or References, one of the client's earlier mails, or `[#123]` in
the subject; none of these: a new ticket), what is new in it (the quoted history and the
signature cut), its files kept, and notes on what could not be read. Automatic mails
(auto-replies, bounces, our own mail come back) open nothing and are answered by nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bots.i18n import translator
from bots.mail.files import MailFiles
from bots.mail.parse import IncomingMail
from bots.mail.quotes import fresh_text
from bots.mail.threads import CHANNEL, MessageIds, ThreadStore, clean_subject, subject_ticket
from core import commands as c
from core.client_handlers import MAX_TEXT, ClientWriteResult
from core.outbox import InboundRef
from core.services import Desk

log = logging.getLogger(__name__)

NOTE = "⚠ {note}"


@dataclass
class MailStats:
    taken: int = 0
    automatic: int = 0


class MailConversation:
    def __init__(self, desk: Desk, ids: MessageIds, files: MailFiles,
                 own_address: str, threads: ThreadStore | None = None,
                 default_language: str = "en") -> None:
        self.desk = desk
        self.notes = translator(default_language, "agents")  # the agents read the notes
        self.ids = ids
        self.files = files
        self.own_address = own_address.lower()
        self.threads = threads or ThreadStore()
        self.stats = MailStats()

    async def handle(self, mail: IncomingMail, source: InboundRef) -> ClientWriteResult | None:
        """The command's result; None for an automatic mail (nothing is done)."""
        reason = mail.automatic or ("our own address" if mail.address == self.own_address
                                    else None)
        if reason:
            self.stats.automatic += 1
            log.info("mail %s from %s is automatic (%s); no ticket", mail.message_id,
                     mail.address or "?", reason)
            await self.desk.reply([], source=source)  # recorded: taken once, like any mail
            return None
        ticket_id = await self._thread_of(mail)
        result = await self.desk.handle(c.ClientWrites(
            CHANNEL, mail.address or _nobody(mail), mail.name or mail.address,
            self._text(mail), tuple(self.files.keep(f) for f in mail.files),
            language=mail.language or _language_of(mail.text), email=mail.address or None,
            ticket_id=ticket_id, new_thread=ticket_id is None,
            subject=clean_subject(mail.subject) or None), source=source)
        assert isinstance(result, ClientWriteResult)
        await self.threads.add(result.ticket_id, mail.message_id, clean_subject(mail.subject))
        self.stats.taken += 1
        return result

    async def _thread_of(self, mail: IncomingMail) -> int | None:
        for message_id in mail.thread_ids:
            ticket_id = self.ids.ticket_of(message_id)
            if ticket_id is not None:
                return ticket_id
        return await self.threads.ticket_of(mail.thread_ids) or subject_ticket(mail.subject)

    def _text(self, mail: IncomingMail) -> str:
        text = fresh_text(mail.text) if mail.text.strip() else ""
        if not text and not mail.files:
            text = clean_subject(mail.subject)
        notes = [NOTE.format(note=self.notes(text, **values)) for text, values in mail.notes]
        budget = MAX_TEXT - sum(len(n) + 2 for n in notes) - 2
        if len(text) > budget:
            text = text[:budget].rstrip() + "…"
            notes.append(NOTE.format(note=self.notes(
                "The message was too long and is shortened.")))
        return "\n\n".join(p for p in (text, *notes) if p) or "…"


def _nobody(mail: IncomingMail) -> str:
    """The identity of a mail without a sender address: its own (it cannot be answered)."""
    return f"unknown:{mail.message_id.strip('<>')[:80]}"


def _language_of(text: str) -> str | None:
    letters = [ch for ch in text[:2000] if ch.isalpha()]
    if not letters:
        return None
    if sum(1 for ch in letters if "\u0600" <= ch <= "\u06ff") > len(letters) / 3:
        return "fa"
    if sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") > len(letters) / 3:
        return "ru"
    return None
