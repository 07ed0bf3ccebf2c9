"""The bytes of a file attached to a comment, fetched from where its channel keeps it, so
that an agent's file can be sent on to a VK or Viber client: a Telegram file by its file id
(the Bot API's getFile, then its download URL), a file another channel gave by URL from
that URL. Only files that came by mail are stored on our side (bots/mail/files.py)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import aiohttp

from core.tickets import Attachment

if TYPE_CHECKING:
    from chatdesk.settings import Settings

MAX_BYTES = 50 * 1024 * 1024  # VK takes documents up to 200 MB, Viber files up to 50 MB
MAIL_PREFIX = "mailfile:"  # bots.mail.files: a file that came by mail, kept on our side
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})


class FileUnavailable(Exception):
    """The file cannot be fetched (no source for its channel, gone, too large): the client
    gets its name instead."""


@dataclass(frozen=True)
class FileData:
    name: str
    mime_type: str
    data: bytes


class FileSource(Protocol):
    async def fetch(self, channel: str, attachment: Attachment) -> FileData:
        """The file's bytes; FileUnavailable, or aiohttp / timeout errors (worth a retry)."""


def file_name(attachment: Attachment) -> str:
    if attachment.name:
        return attachment.name
    extension = mimetypes.guess_extension(attachment.mime_type or "") or ""
    return f"{attachment.kind}{'.jpg' if extension == '.jpe' else extension}"


def mime_type(attachment: Attachment) -> str:
    if attachment.mime_type:
        return attachment.mime_type
    if attachment.kind == "photo":
        return "image/jpeg"
    return mimetypes.guess_type(file_name(attachment))[0] or "application/octet-stream"


def is_picture(attachment: Attachment) -> bool:
    return mime_type(attachment) in PICTURE_TYPES


class ChannelFiles:
    """Telegram files through the Bot API at `telegram_api_url` (as aiogram is configured);
    files known by an http(s) URL from that URL."""

    def __init__(self, telegram_api_url: str | None = None, telegram_token: str | None = None,
                 timeout: float = 60.0, mail_files: Path | None = None) -> None:
        self.telegram_api_url = (telegram_api_url or "").rstrip("/")
        self.telegram_token = telegram_token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.mail_files = mail_files  # where files that came by mail are kept

    async def fetch(self, channel: str, attachment: Attachment) -> FileData:
        if attachment.ref.startswith(MAIL_PREFIX):
            return self._mail_file(attachment)
        async with aiohttp.ClientSession(timeout=self.timeout) as http:
            url = await self._url(http, channel, attachment)
            async with http.get(url) as response:
                if response.status == 404:
                    raise FileUnavailable(f"{file_name(attachment)} is gone")
                response.raise_for_status()
                data = await response.content.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise FileUnavailable(f"{file_name(attachment)} is larger than {MAX_BYTES} bytes")
        return FileData(file_name(attachment), mime_type(attachment), data)

    def _mail_file(self, attachment: Attachment) -> FileData:
        from bots.mail.files import MailFiles

        data = MailFiles(self.mail_files).read(attachment.ref) if self.mail_files else None
        if data is None:
            raise FileUnavailable(f"{file_name(attachment)} is not kept here")
        return FileData(file_name(attachment), mime_type(attachment), data)

    async def _url(self, http: aiohttp.ClientSession, channel: str,
                   attachment: Attachment) -> str:
        if attachment.ref.startswith(("http://", "https://")):
            return attachment.ref
        if channel != "telegram" or not self.telegram_token or not self.telegram_api_url:
            raise FileUnavailable(f"no way to fetch a {channel} file")
        bot = f"{self.telegram_api_url}/bot{self.telegram_token}"
        async with http.post(f"{bot}/getFile", data={"file_id": attachment.ref}) as response:
            answer = await response.json(content_type=None)
        if not answer.get("ok") or not answer.get("result", {}).get("file_path"):
            raise FileUnavailable(str(answer.get("description") or "getFile failed"))
        return f"{self.telegram_api_url}/file/bot{self.telegram_token}/" \
               f"{answer['result']['file_path']}"


def channel_files(settings: Settings | None) -> ChannelFiles:
    """Files of the Telegram bot the settings configure (agents send theirs there)."""
    if settings is None:
        return ChannelFiles()
    mail_files = settings.data_dir / "mail-files"
    if not settings.telegram_bot_token:
        return ChannelFiles(mail_files=mail_files)
    return ChannelFiles(settings.telegram_api_url, settings.telegram_bot_token,
                        mail_files=mail_files)
