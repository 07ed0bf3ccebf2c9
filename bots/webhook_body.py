"""The body of a platform's webhook call, read only up to what a platform ever sends.

The panel's server accepts uploads of up to 20 MB, and so would every webhook route without
this: anyone could make us read and parse megabytes of JSON (VK's secret is inside the body,
so its route parses before it can tell a forged call). Telegram, VK and Viber events are a
few kilobytes; 1 MiB leaves room for the largest and refuses the rest with 413."""

from __future__ import annotations

from aiohttp import web

LIMIT = 1 << 20  # bytes


async def webhook_body(request: web.Request, limit: int = LIMIT) -> bytes:
    """The body; raises 413 when it is larger than `limit`, before reading more of it."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)
