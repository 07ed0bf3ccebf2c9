"""The e-mail part of the settings, as the adapter needs it."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from chatdesk.settings import Settings
from chatdesk.settings_mail import (
    IMAP_SCHEMES,
    SMTP_SCHEMES,
    ServerAddress,
    mailbox_urls,
    server_address,
)


@dataclass(frozen=True)
class MailConfig:
    sender: str  # the From header: "Support <support@example.com>"
    mailboxes: tuple[ServerAddress, ...] = ()
    smtp: ServerAddress | None = None
    idle: bool = True
    poll_seconds: float = 60.0
    per_minute: float = 30.0
    max_file_bytes: int = 10 * 1024 * 1024
    max_message_bytes: int = 25 * 1024 * 1024
    done_folder: str | None = None
    ca_file: str | None = None
    default_language: str = "en"
    timezone: str = "UTC"
    public_url: str | None = None  # where the rating links in a mail point
    secret_key: str = "x" * 32  # signs those links and our Message-IDs
    files_dir: Path = field(default_factory=lambda: Path("./data/mail-files"))
    timeout: float = 30.0

    @property
    def address(self) -> str:
        return parseaddr(self.sender)[1].lower()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "chatdesk.invalid"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig:
        assert settings.mail_from is not None
        return cls(
            sender=settings.mail_from,
            mailboxes=tuple(server_address(u, IMAP_SCHEMES)
                            for u in mailbox_urls(settings.mail_imap)),
            smtp=server_address(settings.mail_smtp, SMTP_SCHEMES) if settings.mail_smtp
            else None,
            idle=settings.mail_idle,
            poll_seconds=settings.mail_poll_seconds,
            per_minute=settings.mail_per_minute,
            max_file_bytes=settings.mail_max_file_bytes,
            max_message_bytes=settings.mail_max_message_bytes,
            done_folder=settings.mail_done_folder,
            ca_file=settings.mail_ca_file,
            default_language=settings.default_language,
            timezone=settings.timezone,
            public_url=settings.public_url,
            secret_key=settings.secret_key,
            files_dir=settings.data_dir / "mail-files",
        )
