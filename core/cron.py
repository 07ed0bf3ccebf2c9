"""Cron-like schedules for recurring tickets (docs/DOMAIN.md §6.3), read in a time zone.

Five fields: minute, hour, day of month, month, day of week, as in crontab(5): `*`, lists,
ranges and steps (`1-5`, `*/15`, `mon-fri`), month and weekday names, 0 or 7 for Sunday.
As in cron, when both day fields are restricted either may match. A weekday may carry
`#n` for "the n-th one of the month": `0 9 * * mon#1` is 09:00 on every first Monday.

Wall times are resolved like the service calendar does (fold=0): a time in a spring-forward
gap runs as many minutes later as the gap is long; a repeated time runs once, the first time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import InvalidInput

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
SEARCH_YEARS = 8  # "30 2 * *" never happens; give up rather than loop


def _digits(text: str) -> bool:
    """A few decimal digits: str.isdigit() also takes '²', which int() cannot read, and
    int() refuses more than 4,300 digits."""
    return text.isdecimal() and len(text) <= 9


def _number(token: str, names: tuple[str, ...], low: int) -> int:
    lowered = token.lower()
    if lowered in names:
        return names.index(lowered) + low
    if not _digits(token):
        raise InvalidInput("schedule.unreadable", token=token[:20])
    return int(token)


def _field(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if _digits(step_text) else 1
        if step_text and (not _digits(step_text) or step < 1):
            raise InvalidInput("schedule.bad_step", part=part)
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            first, last = _number(a, names, low), _number(b, names, low)
        else:
            first = _number(body, names, low)
            last = high if step_text else first
        if not (low <= first <= high and low <= last <= high) or first > last:
            raise InvalidInput("schedule.out_of_range", part=part, low=low, high=high)
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _weekday_field(text: str) -> tuple[frozenset[int], frozenset[tuple[int, int]]]:
    """Plain weekdays (Monday = 0) and (weekday, n) pairs for `#n`."""
    plain: set[int] = set()
    nth: set[tuple[int, int]] = set()
    for part in text.split(","):
        day, hash_, n = part.partition("#")
        cron_days = _field(day, 0, 7, _DAYS)
        ours = {(d - 1) % 7 for d in cron_days}  # cron: 0/7 Sunday, 1 Monday
        if not hash_:
            plain |= ours
        elif _digits(n) and 1 <= int(n) <= 5 and len(ours) == 1:
            nth.add((ours.pop(), int(n)))
        else:
            raise InvalidInput("schedule.nth_weekday", part=part)
    return frozenset(plain), frozenset(nth)


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    nth_weekdays: frozenset[tuple[int, int]]
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, text: str) -> CronSchedule:
        parts = text.split()
        if len(parts) != 5:
            raise InvalidInput("schedule.five_fields")
        minute, hour, day, month, weekday = parts
        plain, nth = _weekday_field(weekday)
        return cls(_field(minute, 0, 59), _field(hour, 0, 23), _field(day, 1, 31),
                   _field(month, 1, 12, _MONTHS), plain, nth, day != "*", weekday != "*")

    def runs_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = (day.weekday() in self.weekdays
                      or (day.weekday(), (day.day - 1) // 7 + 1) in self.nth_weekdays)
        if self.days_restricted and self.weekdays_restricted:
            return by_day or by_weekday
        return by_day and by_weekday

    def next_after(self, after: datetime, timezone: str) -> datetime | None:
        """The first run strictly after `after` (aware), in UTC; None if it never runs."""
        zone = ZoneInfo(timezone)
        day = after.astimezone(zone).date() - timedelta(days=1)  # a gap may pull a run back
        times = sorted(time(h, m) for h in self.hours for m in self.minutes)
        for _ in range(366 * SEARCH_YEARS):
            if self.runs_on(day):
                later = [at for wall in times
                         if (at := datetime.combine(day, wall, zone).astimezone(UTC)) > after]
                if later:
                    return min(later)  # a time shifted out of a DST gap may not be last
            day += timedelta(days=1)
        return None
