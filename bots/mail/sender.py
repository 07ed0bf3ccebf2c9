"""The e-mail sender of the outbox relay: each row becomes one mail (bots/mail/compose.py)
handed to the SMTP server with aiosmtplib, within `per_minute` mails a minute. A mail sent
becomes part of its ticket's thread (the client's answer to it joins the ticket).

Outcomes: the server's 4xx answers, timeouts and network errors -> Retry with backoff; a
refused recipient or another 5xx answer -> Failed with the server's words (the ticket's
topic gets a note); a client without an address -> Failed."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiosmtplib

from bots.mail.compose import MailComposer
from bots.mail.config import MailConfig
from bots.mail.threads import ThreadStore
from bots.messenger.limits import RequestRate
from bots.relay import Failed, Outcome, Retry, Sent
from core.errors import NotFound
from core.outbox import OutboundMessage
from core.ports import Clock

log = logging.getLogger(__name__)


def mail_rate(per_minute: float) -> RequestRate:
    """At most `per_minute` mails in any minute (0: no limit)."""
    return RequestRate(per_minute, window=60.0)


class MailSender:
    channel = "email"

    def __init__(self, config: MailConfig, composer: MailComposer, clock: Clock,
                 threads: ThreadStore | None = None, rate: RequestRate | None = None) -> None:
        assert config.smtp is not None
        self.config = config
        self.smtp = config.smtp
        self.composer = composer
        self.clock = clock
        self.threads = threads or ThreadStore()
        self.rate = rate or mail_rate(config.per_minute)
        self.sent = 0

    def destination(self, message: OutboundMessage) -> str:
        return f"email:{message.recipient}"

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for message in messages:
            outcome = await self._one(message)
            outcomes.append(outcome)
            if not isinstance(outcome, Sent):
                break
        return outcomes

    async def _one(self, message: OutboundMessage) -> Outcome:
        if not message.recipient or "@" not in message.recipient:
            return Failed("the client has no e-mail address")
        try:
            mail = await self.composer.compose(message, self.clock.now())
        except NotFound as exc:
            return Failed(str(exc))
        await self.rate.acquire()
        smtp = self.smtp
        try:
            await aiosmtplib.send(
                mail, hostname=smtp.host, port=smtp.port, username=smtp.user or None,
                password=smtp.password or None, use_tls=smtp.security == "tls",
                start_tls=smtp.security == "starttls",
                tls_context=self.config.tls_context() if smtp.security != "plain" else None,
                timeout=self.config.timeout, sender=self.config.address,
                recipients=[message.recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Failed("; ".join(f"{r.code} {r.message}" for r in exc.recipients))
        except aiosmtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.code}: {exc.message}"
            return Retry(text) if 400 <= exc.code < 500 else Failed(text)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Retry(f"{type(exc).__name__}: {exc}")
        self.sent += 1
        if message.ticket_id:
            await self.threads.add(message.ticket_id, str(mail["Message-ID"]))
        return Sent()
