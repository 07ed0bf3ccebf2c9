"""Previews of the pictures clients and agents attach, on the ticket page. The bytes are
fetched from where the comment's channel keeps them (nothing is stored on our side) and
served only when they really are a PNG, JPEG, GIF or WebP picture, by their first bytes
rather than by the type the sender claimed, with nosniff and a policy that runs nothing:
an HTML or SVG file labelled as a picture is never served from the panel's origin."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Iterable
from typing import Any, Protocol

from aiohttp import web

from admin_web.forms import path_id
from admin_web.keys import EMPLOYEE
from admin_web.security import Access, access
from core.tickets import Attachment, Comment
from storage import panel_views as views

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_PREVIEW = 10 * 1024 * 1024
TIMEOUT = 15.0


class FetchedFile(Protocol):
    data: bytes


class FileSource(Protocol):
    """Where a channel's files are fetched from (bots.messenger.files.ChannelFiles)."""

    async def fetch(self, channel: str, attachment: Attachment) -> Any: ...


FILES = web.AppKey("ticket_files", FileSource)


def looks_like_picture(attachment: Attachment) -> bool:
    """Worth a preview by what the sender said; the bytes decide when it is served."""
    claimed = attachment.mime_type or mimetypes.guess_type(attachment.name or "")[0]
    return attachment.kind == "photo" or claimed in PREVIEW_TYPES


def previewable(comments: Iterable[Comment]) -> set[tuple[int, int]]:
    """(comment id, index) of the attachments the ticket page shows as pictures."""
    return {(m.id, i) for m in comments for i, a in enumerate(m.attachments)
            if looks_like_picture(a)}


def picture_type(data: bytes) -> str | None:
    """The picture type the bytes are, by their signature; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def _picture(request: web.Request) -> tuple[bytes, str]:
    ticket_id = path_id(request, "ticket_id")
    source = request.app.get(FILES)
    if source is None or not await views.can_see(request[EMPLOYEE], ticket_id):
        raise web.HTTPNotFound(text="No such file.")
    detail = await views.ticket_detail(ticket_id)
    comment_id, index = path_id(request, "comment_id"), path_id(request, "index")
    comment = next((m for m in (detail.comments if detail else []) if m.id == comment_id), None)
    if comment is None or index >= len(comment.attachments) \
            or not looks_like_picture(comment.attachments[index]):
        raise web.HTTPNotFound(text="No such file.")
    try:
        fetched = await asyncio.wait_for(
            source.fetch(comment.channel, comment.attachments[index]), TIMEOUT)
        data = bytes(fetched.data)
    except Exception as exc:  # gone, unreachable, no source for the channel: no picture
        log.info("preview of %s/%s: %s", comment_id, index, exc)
        raise web.HTTPNotFound(text="This file is not available.") from None
    kind = picture_type(data)
    if kind is None or len(data) > MAX_PREVIEW:
        raise web.HTTPNotFound(text="No preview for this file.")
    return data, kind


@routes.get("/tickets/{ticket_id:\\d+}/files/{comment_id:\\d+}/{index:\\d+}/preview")
@access(Access.STAFF)
async def preview(request: web.Request) -> web.Response:
    data, kind = await _picture(request)
    return web.Response(body=data, headers={
        "Content-Type": kind, "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline", "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; sandbox"})
