"""Reading one settings value (blanks, whole numbers, ids, URLs, choices) and the error
that carries its one-line message back to :func:`chatdesk.settings.load_settings`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pydantic_core import PydanticCustomError


def fail(detail: str) -> PydanticCustomError:
    # The detail goes through the context so braces in it are never treated as a template.
    return PydanticCustomError("chatdesk_settings", "{detail}", {"detail": detail})


def stripped(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value).strip()


def stripped_or_empty(value: Any) -> str:
    """:func:`stripped`, with ``None`` read as an empty value rather than ``'None'``."""
    return "" if value is None else stripped(value)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = stripped(value)
    if re.fullmatch(r"[+-]?[0-9]+", digits):
        return int(digits)
    return None


def optional_id(value: Any, *, positive: bool, expected: str) -> int | None:
    """A chat or community id: ``None`` when blank, else a whole number of the given sign."""
    if blank(value):
        return None
    number = whole_number(value)
    if number is None or (number <= 0 if positive else number >= 0):
        raise fail(f"must be {expected}, got {stripped(value)!r}")
    return number


def http_url(value: Any, *, https_only: bool = False) -> str:
    url = stripped(value)
    allowed = ("https",) if https_only else ("http", "https")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in allowed or not parts.hostname:
        what = "an https:// URL" if https_only else "an http:// or https:// URL"
        raise fail(f"must be {what}, got {url!r}")
    return url.rstrip("/")


def choice(value: Any, options: tuple[str, ...]) -> str:
    chosen = stripped_or_empty(value)
    if chosen.lower() not in options:
        raise fail(f"must be {' or '.join(options)}, got {chosen!r}")
    return chosen.lower()


