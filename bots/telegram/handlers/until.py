"""The "until" of `/hold`: a span from now (`3d`, `2h`, `1d 12h`, `45m`, `1w`) or a local
date and time (`2026-12-01 10:00`, `2026-12-01`, `01.12.2026 10:00`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from core.errors import InvalidInput

USAGE = "write when to resume: /hold 2026-12-01 10:00, /hold 3d or /hold 2h"

_UNITS = {"w": timedelta(weeks=1), "н": timedelta(weeks=1),
          "d": timedelta(days=1), "д": timedelta(days=1),
          "h": timedelta(hours=1), "ч": timedelta(hours=1),
          "m": timedelta(minutes=1), "м": timedelta(minutes=1)}
_SPAN = re.compile(r"(\d{1,4})\s*([" + "".join(_UNITS) + r"])", re.IGNORECASE)
_SPANS = re.compile(r"(?:\s*\d{1,4}\s*[" + "".join(_UNITS) + r"])+\s*", re.IGNORECASE)
_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y")


def parse_until(text: str, now: datetime, tz: tzinfo = UTC) -> datetime:
    """The moment to resume, in UTC; a date without a time means the start of that day."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("hold.usage")
    try:  # a moment past year 9999 or before year 1, here or in UTC, is no moment at all
        if _SPANS.fullmatch(text):
            return now + sum((int(n) * _UNITS[unit.lower()] for n, unit in _SPAN.findall(
                text)), timedelta())
        for fmt in _FORMATS:
            try:
                local = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return local.replace(tzinfo=tz).astimezone(UTC)
    except OverflowError:
        pass
    raise InvalidInput("hold.usage")
