"""Service calendar for SLA deadlines (business hours, holidays, time zones).

A :class:`BusinessCalendar` describes *when the help desk works*:

* working intervals per weekday (``0`` = Monday ... ``6`` = Sunday), several per
  day allowed (split shifts, a lunch break); a weekday that is missing from the
  mapping, or maps to an empty sequence, is a day off;
* an IANA time zone in which those intervals are read as wall-clock times;
* exception days (``date`` -> intervals) that replace the weekday pattern for
  that date -- an empty sequence is a holiday, a shorter list is a shortened day,
  intervals on a Saturday make it a working Saturday.

All intervals are half-open, ``[start, end)``: at 09:00 a 09:00-18:00 desk is
working, at 18:00 it is not.  ``end = time(0, 0)`` means 24:00 (midnight at the
end of the day); ``WorkingInterval(time(0), time(0))`` is the whole day.

Every public method takes and returns timezone-aware datetimes (naive ones are
rejected with ``ValueError``); results are in UTC.  Arithmetic is exact to the
microsecond: internally every instant is an integer number of microseconds since
the Unix epoch.

SLA semantics (what a help desk expects)
----------------------------------------
``add_working_time(start, duration)`` returns the instant at which ``duration``
of working time has elapsed, counting from ``start`` or, when ``start`` is
outside working hours, from the next working moment.  A ticket registered on
Friday 17:55 with a 30-minute reaction target on a 09:00-18:00 Monday-Friday
calendar is due on Monday 09:25.  A deadline that is exactly used up at the end
of an interval is that end (Friday 17:30 + 30 min -> Friday 18:00, not Monday
09:00).  Adding zero returns ``start`` unchanged (the same instant, expressed in
UTC) -- it is *not* snapped to the next working moment.

Time zones and daylight-saving time
-----------------------------------
Intervals are wall-clock times in the calendar's zone, so a 09:00-18:00 day stays
09:00-18:00 local time on both sides of a DST change; a day whose working
interval contains the change holds one hour more or less of real time (a
00:00-24:00 day in Berlin is 23 h long on the last Sunday of March).

Every wall time (interval ends and the local midnights that delimit a day) is
resolved to an instant exactly as ``datetime(..., tzinfo=ZoneInfo(tz))`` with
``fold=0`` does (PEP 495):

* a wall time that does not exist (in a spring-forward gap) is shifted forward
  by the length of the gap: in Europe/Berlin on 2024-03-31 a shift starting at
  02:30 starts at 03:30 CEST; in Australia/Lord_Howe the shift is 30 minutes;
* an ambiguous wall time (repeated in an autumn fall-back) means its *first*
  occurrence: in Europe/Berlin on 2024-10-27 an interval 02:30-05:00 starts at
  02:30 CEST and lasts 3.5 h.

Each local date owns the instants from its midnight to the next midnight (both
resolved as above).  Interval instants are clipped to their day, intervals whose
resolved end is not after their resolved start are empty (e.g. 02:00-02:30 in
Berlin on 2024-03-31: that wall time never happens) and intervals that overlap
after resolution are merged, so no instant is ever counted twice.  ``is_working``
uses these same instants, so all four methods agree with each other exactly.

Performance
-----------
Per-date interval lists are resolved to UTC lazily and kept in a small bounded
cache, and weekly totals are cached too, so long durations skip a week per step
instead of walking minute by minute.  A calendar with no working time at all
(or none after the last exception day) makes ``add_working_time`` and
``next_working_moment`` raise ``ValueError`` instead of looping forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["UTC", "BusinessCalendar", "WorkingInterval"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_MIDNIGHT = time(0, 0)
_WHOLE_DAY = timedelta(days=1)
# A date needs its own midnight and the next one; keep one spare day at each end.
_MIN_ORDINAL = date.min.toordinal() + 1
_MAX_ORDINAL = date.max.toordinal() - 1
_MAX_US = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _US

# One resolved local date: (window start, window end, working total, spans).
# All values are microseconds since the epoch; spans are sorted, disjoint and
# lie inside the window.
_Day = tuple[int, int, int, tuple[tuple[int, int], ...]]
# A validated interval: (start, end, ends at 24:00).
_Spec = tuple[time, time, bool]

@dataclass(frozen=True)
class WorkingInterval:
    """Working hours within one day, wall-clock, half-open ``[start, end)``.

    ``end == time(0, 0)`` means 24:00; otherwise ``start < end`` is required.
    Times must be naive (the zone is the calendar's).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(f"WorkingInterval.{name} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise ValueError(
                    f"WorkingInterval.{name} must be a naive wall-clock time; "
                    "the calendar's time zone applies"
                )
        if not self.ends_at_midnight and not _offset(self.start) < _offset(self.end):
            raise ValueError(
                f"working interval must start before it ends: {self.start}-{self.end}"
            )

    @property
    def ends_at_midnight(self) -> bool:
        """True when ``end`` is 24:00 (given as ``time(0, 0)``)."""
        return _offset(self.end) == timedelta(0)

    @property
    def length(self) -> timedelta:
        """Nominal (wall-clock) length; real time differs on DST-change days."""
        end = _WHOLE_DAY if self.ends_at_midnight else _offset(self.end)
        return end - _offset(self.start)


_NO_EXCEPTIONS: Mapping[date, Sequence[WorkingInterval]] = MappingProxyType({})


def _offset(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _validate_day(where: str, intervals: Sequence[WorkingInterval]) -> tuple[_Spec, ...]:
    if isinstance(intervals, WorkingInterval) or not isinstance(intervals, Iterable):
        raise TypeError(f"{where}: expected a sequence of WorkingInterval, got {intervals!r}")
    items = list(intervals)
    for item in items:
        if not isinstance(item, WorkingInterval):
            raise TypeError(f"{where}: expected WorkingInterval, got {item!r}")
    items.sort(key=lambda iv: _offset(iv.start))
    specs: list[_Spec] = []
    previous_end = timedelta(0)
    for index, iv in enumerate(items):
        if index and _offset(iv.start) < previous_end:
            raise ValueError(f"{where}: overlapping working intervals ({items[index - 1]}, {iv})")
        previous_end = _WHOLE_DAY if iv.ends_at_midnight else _offset(iv.end)
        specs.append((iv.start.replace(fold=0), iv.end.replace(fold=0), iv.ends_at_midnight))
    return tuple(specs)


def _instant(value: datetime, name: str) -> int:
    """Aware datetime -> microseconds since the epoch (exact)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return (value - _EPOCH) // _US


def _from_instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _overlap(spans: tuple[tuple[int, int], ...], lo: int, hi: int) -> int:
    total = 0
    for s, e in spans:
        if e <= lo:
            continue
        if s >= hi:
            break
        total += (e if e < hi else hi) - (s if s > lo else lo)
    return total


class BusinessCalendar:
    """Working hours of a help desk; computes SLA deadlines and elapsed working time.

    Immutable after construction and safe to share between threads (the internal
    caches only ever hold values derived from the immutable definition).
    """

    DAY_CACHE_SIZE = 1024
    WEEK_CACHE_SIZE = 512

    __slots__ = (
        "_days",
        "_exceptions",
        "_key",
        "_last_working_ordinal",
        "_timezone",
        "_week",
        "_weeks",
        "_zone",
    )

    def __init__(
        self,
        timezone: str,
        week: Mapping[int, Sequence[WorkingInterval]],
        exceptions: Mapping[date, Sequence[WorkingInterval]] = _NO_EXCEPTIONS,
    ) -> None:
        if not isinstance(timezone, str):
            raise TypeError(f"timezone must be an IANA zone name, got {timezone!r}")
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone {timezone!r}") from exc
        self._timezone = timezone
        self._zone = zone

        days: list[tuple[_Spec, ...]] = [() for _ in range(7)]
        for weekday, intervals in week.items():
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday!r}")
            days[weekday] = _validate_day(f"weekday {weekday}", intervals)
        self._week: tuple[tuple[_Spec, ...], ...] = tuple(days)

        special: dict[date, tuple[_Spec, ...]] = {}
        for day, intervals in exceptions.items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"exception keys must be dates (not datetimes), got {day!r}")
            special[day] = _validate_day(f"exception {day.isoformat()}", intervals)
        self._exceptions: Mapping[date, tuple[_Spec, ...]] = MappingProxyType(special)

        if any(self._week):
            self._last_working_ordinal: int | None = None
        else:
            # Only exception days can hold working time: it runs out after the last one.
            working = [d.toordinal() for d, specs in special.items() if specs]
            self._last_working_ordinal = max(working, default=0)

        self._key = (
            timezone,
            self._week,
            tuple(sorted(special.items())),
        )
        self._days: dict[int, _Day] = {}
        self._weeks: dict[int, int] = {}

    # ------------------------------------------------------------------ factories

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A 24/7 calendar: working time equals real elapsed time."""
        whole_day = [WorkingInterval(_MIDNIGHT, _MIDNIGHT)]
        return cls(timezone, {weekday: whole_day for weekday in range(7)})

    @classmethod
    def weekdays(
        cls,
        timezone: str,
        start: time,
        end: time,
        days: Iterable[int] = range(5),
    ) -> BusinessCalendar:
        """Same hours on the given weekdays (default Monday-Friday), e.g. 09:00-18:00."""
        interval = [WorkingInterval(start, end)]
        return cls(timezone, {weekday: interval for weekday in days})

    # ------------------------------------------------------------- introspection

    @property
    def timezone(self) -> str:
        return self._timezone

    @property
    def week(self) -> Mapping[int, tuple[WorkingInterval, ...]]:
        return MappingProxyType(
            {wd: tuple(WorkingInterval(s, e) for s, e, _ in specs)
             for wd, specs in enumerate(self._week) if specs}
        )

    @property
    def exceptions(self) -> Mapping[date, tuple[WorkingInterval, ...]]:
        return MappingProxyType(
            {d: tuple(WorkingInterval(s, e) for s, e, _ in specs)
             for d, specs in self._exceptions.items()}
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self._timezone!r}, working weekdays="
            f"{[wd for wd, specs in enumerate(self._week) if specs]}, "
            f"exceptions={len(self._exceptions)})"
        )

    # ---------------------------------------------------------------- public API

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of working time has elapsed since ``start``.

        Counting starts at ``start`` or, outside working hours, at the next working
        moment.  ``duration == 0`` returns ``start`` (in UTC) without snapping.
        Raises ``ValueError`` for a negative duration or when the calendar runs out
        of working time, ``OverflowError`` past ``datetime.max``.
        """
        x = _instant(start, "start")
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, got {duration!r}")
        remaining = duration // _US
        if remaining < 0:
            raise ValueError(f"duration must not be negative, got {duration}")
        if remaining == 0:
            return start.astimezone(UTC)
        if remaining > _MAX_US - x:
            raise OverflowError("deadline would fall after datetime.max")

        ordinal, record = self._locate(x)
        for s, e in record[3]:
            if e <= x:
                continue
            if s < x:
                s = x
            available = e - s
            if remaining <= available:
                return _from_instant(s + remaining)
            remaining -= available

        limit = self._last_working_ordinal
        day = self._day
        week_total = self._week_total
        while True:
            ordinal += 1
            if ordinal % 7 == 1:  # a Monday: skip whole weeks while the deadline is later
                while True:
                    if limit is not None and ordinal > limit:
                        self._raise_no_working_time(start)
                    total = week_total(ordinal)
                    if remaining <= total:
                        break
                    remaining -= total
                    ordinal += 7
            elif limit is not None and ordinal > limit:
                self._raise_no_working_time(start)
            record = day(ordinal)
            total = record[2]
            if remaining > total:
                remaining -= total
                continue
            for s, e in record[3]:
                available = e - s
                if remaining <= available:
                    return _from_instant(s + remaining)
                remaining -= available
            raise AssertionError("unreachable: day total disagrees with its spans")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in ``[start, end)``; ``timedelta(0)`` when ``end <= start``."""
        x = _instant(start, "start")
        y = _instant(end, "end")
        if y <= x:
            return timedelta(0)
        first_ordinal, first = self._locate(x)
        last_ordinal, last = self._locate(y)
        if first_ordinal == last_ordinal:
            return timedelta(microseconds=_overlap(first[3], x, y))
        total = _overlap(first[3], x, first[1])
        ordinal = first_ordinal + 1
        while ordinal < last_ordinal:
            if ordinal % 7 == 1 and ordinal + 7 <= last_ordinal:
                total += self._week_total(ordinal)
                ordinal += 7
            else:
                total += self._day(ordinal)[2]
                ordinal += 1
        total += _overlap(last[3], last[0], y)
        return timedelta(microseconds=total)

    def is_working(self, at: datetime) -> bool:
        """Whether ``at`` falls inside a working interval (half-open)."""
        x = _instant(at, "at")
        for s, e in self._locate(x)[1][3]:
            if s <= x < e:
                return True
            if s > x:
                break
        return False

    def next_working_moment(self, at: datetime) -> datetime:
        """``at`` itself (in UTC) when working, otherwise the start of the next interval."""
        x = _instant(at, "at")
        ordinal, record = self._locate(x)
        for s, e in record[3]:
            if x < e:
                return at.astimezone(UTC) if s <= x else _from_instant(s)
        limit = self._last_working_ordinal
        while True:
            ordinal += 1
            if ordinal % 7 == 1:
                while self._week_total(ordinal) == 0:
                    if limit is not None and ordinal > limit:
                        self._raise_no_working_time(at)
                    ordinal += 7
            if limit is not None and ordinal > limit:
                self._raise_no_working_time(at)
            spans = self._day(ordinal)[3]
            if spans:
                return _from_instant(spans[0][0])

    # ---------------------------------------------------------------- internals

    def _raise_no_working_time(self, start: datetime) -> NoReturn:
        if self._last_working_ordinal:
            last = date.fromordinal(self._last_working_ordinal).isoformat()
            raise ValueError(
                f"calendar {self!r} has no working time after {last} "
                f"(no weekday has working hours), cannot count from {start.isoformat()}"
            )
        raise ValueError(f"calendar {self!r} has no working time at all")

    def _wall(self, day: date, wall: time) -> int:
        # fold=0: gap times shift forward, ambiguous times take the first occurrence.
        return (datetime.combine(day, wall, tzinfo=self._zone) - _EPOCH) // _US

    def _build_day(self, ordinal: int) -> _Day:
        if not _MIN_ORDINAL <= ordinal <= _MAX_ORDINAL:
            raise OverflowError("date outside the range supported by datetime")
        day = date.fromordinal(ordinal)
        window_start = self._wall(day, _MIDNIGHT)
        window_end = self._wall(date.fromordinal(ordinal + 1), _MIDNIGHT)
        specs = self._exceptions.get(day)
        if specs is None:
            specs = self._week[day.weekday()]
        spans: list[tuple[int, int]] = []
        for start, end, to_midnight in specs:
            s = max(self._wall(day, start), window_start)
            e = window_end if to_midnight else min(self._wall(day, end), window_end)
            if e > s:
                spans.append((s, e))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        total = sum(e - s for s, e in merged)
        return (window_start, window_end, total, tuple(merged))

    def _day(self, ordinal: int) -> _Day:
        record = self._days.get(ordinal)
        if record is None:
            record = self._build_day(ordinal)
            if len(self._days) >= self.DAY_CACHE_SIZE:
                self._days.clear()
            self._days[ordinal] = record
        return record

    def _week_total(self, monday: int) -> int:
        total = self._weeks.get(monday)
        if total is None:
            total = 0
            for offset in range(7):
                total += self._day(monday + offset)[2]
            if len(self._weeks) >= self.WEEK_CACHE_SIZE:
                self._weeks.clear()
            self._weeks[monday] = total
        return total

    def _locate(self, x: int) -> tuple[int, _Day]:
        """The local date whose window [midnight, next midnight) holds instant ``x``."""
        ordinal = x // _DAY_US + _EPOCH_ORDINAL  # UTC date: within a day of the local one
        record = self._day(ordinal)
        while x < record[0]:
            ordinal -= 1
            record = self._day(ordinal)
        while x >= record[1]:
            ordinal += 1
            record = self._day(ordinal)
        return ordinal, record
