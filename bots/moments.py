"""Moments as people read them: in the desk's time zone (CHATDESK_TIMEZONE), the zone named,
the same zone agents type `/hold` dates in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_time(moment: datetime | None, timezone: str = "UTC") -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or timezone)
