"""What a client reads by mail: the messenger wording of each outbox row (agents' answers,
the ticket's number on opening, status notices, the resolution question; an
administrator's template where there is one) as a multipart mail, plain text and HTML (a
jinja2 template with autoescape), in the ticket's thread: `[#N]` and the ticket's subject,
In-Reply-To and References, our signed Message-ID. The resolution question's buttons become
one-click links; an agent's files are attached up to the size limit, the others named.
Automatic notices say so (Auto-Submitted), and every mail carries our loop header."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bots.i18n import translator
from bots.mail.config import MailConfig
from bots.mail.links import ActionLinks
from bots.mail.parse import LOOP_HEADER
from bots.mail.threads import MessageIds, ThreadStore
from bots.messenger.compose import Composer, Outgoing, file_lines
from bots.messenger.files import FileSource, FileUnavailable, file_name, mime_type
from core.outbox import OutboundMessage
from core.tickets import Attachment
from storage.views import TicketViews

log = logging.getLogger(__name__)

AUTOMATIC = frozenset({"ticket_opened", "status_changed", "resolution_request"})
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(default=True))


@dataclass(frozen=True)
class Link:
    label: str
    url: str


class MailComposer:
    def __init__(self, config: MailConfig, ids: MessageIds, composer: Composer | None = None,
                 views: TicketViews | None = None, links: ActionLinks | None = None,
                 files: FileSource | None = None, threads: ThreadStore | None = None) -> None:
        self.config = config
        self.ids = ids
        self.views = views or TicketViews()
        self.composer = composer or Composer(config.default_language, self.views,
                                             timezone=config.timezone)
        self.links = links
        self.files = files
        self.threads = threads or ThreadStore()

    async def compose(self, message: OutboundMessage, now: datetime) -> EmailMessage:
        outgoing = await self.composer.compose(message)
        card = await self.views.ticket_card(message.ticket_id, similar=False) \
            if message.ticket_id else None
        _ = translator(outgoing.language, "notices", self.config.default_language)
        links = self._links(outgoing, now)
        attached, unsent = await self._files(outgoing)
        text = outgoing.text
        if unsent:
            text = "\n".join([text, *file_lines(unsent, _(
                "(The file could not be sent here; ask us and we will send it another way.)"))])
        mail = EmailMessage()
        mail["From"] = self.config.sender
        mail["To"] = formataddr((card.contact_name if card else "", message.recipient or ""))
        mail["Reply-To"] = self.config.sender
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = self.ids.ours(message.ticket_id, message.id)
        mail["Content-Language"] = outgoing.language
        mail[LOOP_HEADER] = self.config.domain
        if message.kind in AUTOMATIC:
            mail["Auto-Submitted"] = "auto-generated"
        thread = await self.threads.thread(message.ticket_id) if message.ticket_id else None
        subject = (thread.subject if thread and thread.subject else None) or (
            card.subject if card else "")
        mail["Subject"] = (f"Re: [#{card.number}] {subject}" if card
                           else subject or self.config.sender)
        if thread and thread.ids:
            mail["In-Reply-To"] = thread.ids[-1]
            mail["References"] = " ".join(thread.ids)
        plain = "\n".join([text, "", *(f"{link.label}: {link.url}" for link in links)]).strip()
        mail.set_content(plain + "\n")
        mail.add_alternative(_TEMPLATES.get_template("mail.html").render(
            paragraphs=[p for p in text.split("\n\n") if p.strip()], links=links,
            language=outgoing.language, rtl=_.rtl, subject=str(mail["Subject"])),
            subtype="html")
        for name, kind, data in attached:
            main, _slash, sub = kind.partition("/")
            mail.add_attachment(data, maintype=main or "application",
                                subtype=sub or "octet-stream", filename=name)
        return mail

    def _links(self, outgoing: Outgoing, now: datetime) -> list[Link]:
        if self.links is None:
            return []
        return [Link(button.label, self.links.url(button.action, now))
                for row in outgoing.buttons for button in row
                if button.action.split(":")[0] in ("confirm", "reopen", "rate")]

    async def _files(self, outgoing: Outgoing
                     ) -> tuple[list[tuple[str, str, bytes]], tuple[Attachment, ...]]:
        """The files attached (name, type, bytes) and those only named: over the size
        limit, or not to be had."""
        attached: list[tuple[str, str, bytes]] = []
        unsent: list[Attachment] = []
        for attachment in outgoing.files:
            if attachment.size and attachment.size > self.config.max_file_bytes:
                unsent.append(attachment)
                continue
            try:
                if self.files is None:
                    raise FileUnavailable("no file source")
                file = await self.files.fetch(outgoing.files_from, attachment)
            except FileUnavailable as exc:
                log.warning("mail: %s is sent by name: %s", file_name(attachment), exc)
                unsent.append(attachment)
                continue
            if len(file.data) > self.config.max_file_bytes:
                unsent.append(attachment)
                continue
            attached.append((file.name, file.mime_type or mime_type(attachment), file.data))
        return attached, tuple(unsent)
