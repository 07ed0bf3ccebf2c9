"""The e-mail channel's settings: the mailboxes read by IMAP (one or more URLs), the SMTP
server replies leave by, the desk's From address, and the limits (sending rate, file and
message sizes). A mailbox or server is one URL, its password percent-encoded:
`imaps://support%40example.com:secret@imap.example.com/INBOX` (TLS),
`imap+starttls://...:143/INBOX`, `imap://...` (plain, for a server on the same host);
`smtps://...:465`, `smtp+starttls://...:587`, `smtp://...:25`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from chatdesk.settings_values import blank, fail, stripped

IMAP_SCHEMES = {"imap": ("plain", 143), "imap+starttls": ("starttls", 143),
                "imaps": ("tls", 993)}
SMTP_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587),
                "smtps": ("tls", 465)}


@dataclass(frozen=True)
class ServerAddress:
    """One IMAP mailbox or SMTP server, read from its URL."""

    host: str
    port: int
    security: str  # tls, starttls or plain
    user: str = ""
    password: str = ""
    folder: str = "INBOX"

    @property
    def name(self) -> str:
        """How logs and the panel name it (never with the password)."""
        return f"{self.user + '@' if self.user else ''}{self.host}:{self.port}/{self.folder}"


def server_address(url: str, schemes: dict[str, tuple[str, int]]) -> ServerAddress:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{url.split('@')[-1]!r} is not a URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in schemes or not parts.hostname:
        raise ValueError(f"must start with {', '.join(s + '://' for s in schemes)} and name "
                         f"a host, got {url.split('@')[-1]!r}")
    security, default_port = schemes[scheme]
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ServerAddress(parts.hostname, port or default_port, security,
                         unquote(parts.username or ""), unquote(parts.password or ""), folder)


def mailbox_urls(value: str | None) -> list[str]:
    return [u for u in re.split(r"[\s,]+", value or "") if u]


class MailSettings(BaseModel):
    """Part of :class:`chatdesk.settings.Settings`; aliases are the environment variables."""

    mail_imap: str | None = Field(None, validation_alias="CHATDESK_MAIL_IMAP", repr=False)
    mail_smtp: str | None = Field(None, validation_alias="CHATDESK_MAIL_SMTP", repr=False)
    mail_from: str | None = Field(None, validation_alias="CHATDESK_MAIL_FROM")
    mail_idle: bool = Field(True, validation_alias="CHATDESK_MAIL_IDLE")
    mail_poll_seconds: float = Field(60.0, ge=1, le=3600,
                                     validation_alias="CHATDESK_MAIL_POLL_SECONDS")
    mail_per_minute: float = Field(30.0, ge=0, le=6000,
                                   validation_alias="CHATDESK_MAIL_PER_MINUTE")
    mail_max_file_bytes: int = Field(10 * 1024 * 1024, ge=1024,
                                     validation_alias="CHATDESK_MAIL_MAX_FILE_BYTES")
    mail_max_message_bytes: int = Field(25 * 1024 * 1024, ge=4096,
                                        validation_alias="CHATDESK_MAIL_MAX_MESSAGE_BYTES")
    mail_done_folder: str | None = Field(None, validation_alias="CHATDESK_MAIL_DONE_FOLDER")
    mail_ca_file: str | None = Field(None, validation_alias="CHATDESK_MAIL_CA_FILE")

    @field_validator("mail_imap", "mail_smtp", "mail_from", "mail_done_folder", "mail_ca_file",
                     mode="before")
    @classmethod
    def _mail_empty_is_unset(cls, value: Any) -> Any:
        return None if blank(value) else stripped(value)

    @field_validator("mail_imap", "mail_smtp", mode="after")
    @classmethod
    def _check_servers(cls, value: str | None, info: ValidationInfo) -> str | None:
        imap = info.field_name == "mail_imap"
        for url in mailbox_urls(value) if imap else [value] if value else []:
            try:
                server_address(url, IMAP_SCHEMES if imap else SMTP_SCHEMES)
            except ValueError as exc:
                raise fail(str(exc)) from None
        return value

    @field_validator("mail_from", mode="after")
    @classmethod
    def _check_from(cls, value: str | None) -> str | None:
        if value is not None and "@" not in parseaddr(value)[1]:
            raise fail(f"must be an address such as 'Support <support@example.com>', "
                       f"got {value!r}")
        return value

    @property
    def mail_enabled(self) -> bool:
        return self.mail_imap is not None or self.mail_smtp is not None

    @property
    def mail_sends(self) -> bool:
        return self.mail_smtp is not None
