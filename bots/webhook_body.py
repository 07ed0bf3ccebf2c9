"""The body of a platform's webhook call, read only up to what a platform ever sends.

The panel's server accepts uploads of up to 20 MB, and so would every webhook route without
this: anyone could make us read and parse megabytes of JSON (VK's secret is inside the body,
so its route parses before it can tell a forged call). Telegram, VK and Viber events are a
few kilobytes; 1 MiB leaves room for the largest and refuses the rest with 413.

Its JSON is read by `webhook_json`: an update nests a dozen levels at most, so one nested
deeper (a thousand levels would crash the parser, or later whatever walks it) is refused,
and lone UTF-16 surrogates (`"\\ud800"`, which no database can store) become U+FFFD before
anything reads the update."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from core.clean import without_surrogates

LIMIT = 1 << 20  # bytes
MAX_DEPTH = 64  # levels of objects and arrays


class MalformedBody(ValueError):
    """The body is no JSON we can read: not JSON, not UTF-8, or nested too deep."""


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


def webhook_json(raw: bytes) -> Any:
    """The body's JSON, with lone surrogates replaced; MalformedBody when it is not JSON or
    nests deeper than MAX_DEPTH."""
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except RecursionError:
        raise MalformedBody("JSON nested too deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBody(f"not JSON: {exc}") from None
    return _tidy(value, 0)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is no JSON value")


def _tidy(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list | dict) and depth >= MAX_DEPTH:
        raise MalformedBody(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, list):
        return [_tidy(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(k): _tidy(v, depth + 1) for k, v in value.items()}
    return value
