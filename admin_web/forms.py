"""Small helpers for form handlers: read typed values, run a command, report refusals."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web.keys import CONFIG, DESK, TRANSLATOR
from core.commands import Command
from core.errors import DomainError
from storage.panel_views import ID_LIMIT  # ids and counts are 32-bit columns

YEARS = (1900, 9000)  # dates outside are typing errors, and 9999 overflows in UTC
# decimal digits, any script (int() reads Persian ones); str.isdigit() also takes '²'
_WHOLE = re.compile(r"-?\d{1,11}")


def integer(value: Any) -> int | None:
    """A whole number from a form or query string; anything else, or one too big for a
    database id, is None."""
    text = str(value or "").strip()
    if not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if -ID_LIMIT <= number <= ID_LIMIT else None


def flag(form: Any, name: str) -> bool:
    return str(form.get(name, "")) in ("1", "on", "true", "yes")


def local_datetime(request: web.Request, value: Any) -> datetime | None:
    """A `datetime-local` input read in the desk's time zone."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(request.app[CONFIG].timezone))
    return parsed if plausible(parsed) else None


def plausible(moment: datetime) -> bool:
    """A date the desk can store and compute with: year 9999 in one zone is year 10000 in
    UTC, which no datetime holds (the timer of an on-hold ticket would crash)."""
    return YEARS[0] <= moment.year <= YEARS[1]


async def run(request: web.Request, command: Command) -> tuple[Any, str | None]:
    """Hand the command to the desk; a refusal comes back as a message for the person."""
    try:
        return await request.app[DESK].handle(command), None
    except DomainError as exc:
        return None, request[TRANSLATOR].refusal(exc)


def path_id(request: web.Request, name: str) -> int:
    """A numeric path segment; one too big for an id cannot name anything: 404."""
    value = integer(request.match_info[name])
    if value is None:
        raise web.HTTPNotFound(text="No such page.")
    return value
