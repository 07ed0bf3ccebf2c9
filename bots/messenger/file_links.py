"""Agents' files served from our own web server under signed, expiring links, for platforms
that take media by public URL (Viber). A link names a comment's file and when it expires,
signed with HMAC-SHA256 of the secret key: it cannot be guessed, altered or used after it
expires. The bytes are fetched from where the comment's channel keeps the file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web

from bots.messenger.files import FileSource, FileUnavailable
from core.errors import NotFound
from storage.views import TicketViews

log = logging.getLogger(__name__)

PATH = "/files/{token}"
TTL = timedelta(days=7)  # Viber fetches a file when the message is delivered, maybe later


class FileLinks:
    def __init__(self, base_url: str, secret: str, source: FileSource,
                 views: TicketViews | None = None, ttl: timedelta = TTL) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = hashlib.sha256(b"chatdesk file links\0" + secret.encode()).digest()
        self.source = source
        self.views = views or TicketViews()
        self.ttl = ttl

    def url(self, comment_id: int, index: int, now: datetime) -> str:
        expires = int((now + self.ttl).timestamp())
        body = _b64(json.dumps([comment_id, index, expires], separators=(",", ":")).encode())
        return f"{self.base_url}/files/{body}.{self._sign(body)}"

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())

    def opened(self, token: str, now: datetime) -> tuple[int, int] | None:
        """(comment id, file index) of a valid, unexpired link; None otherwise."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return None
        try:
            comment_id, index, expires = json.loads(base64.urlsafe_b64decode(body + "=="))
        except (ValueError, TypeError):
            return None
        return (int(comment_id), int(index)) if now.timestamp() <= expires else None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.serve)

    async def serve(self, request: web.Request) -> web.Response:
        found = self.opened(request.match_info["token"], datetime.now().astimezone())
        if found is None:
            raise web.HTTPNotFound(text="This link is not valid or has expired.")
        comment_id, index = found
        try:
            comment = await self.views.comment(comment_id)
            attachment = comment.attachments[index]
            file = await self.source.fetch(comment.channel, attachment)
        except (NotFound, IndexError, FileUnavailable) as exc:
            log.info("file link %s/%s: %s", comment_id, index, exc)
            raise web.HTTPNotFound(text="This file is no longer available.") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("file link %s/%s: %s", comment_id, index, exc)
            raise web.HTTPServiceUnavailable(text="Try again later.") from None
        safe = "".join(ch for ch in file.name if ch.isalnum() or ch in "._-") or "file"
        return web.Response(body=file.data, headers={
            "Content-Type": file.mime_type, "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "private, max-age=3600"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
