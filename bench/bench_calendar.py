"""Benchmark of the SLA service calendar (core/calendar.py).

Run by hand from the repository root:

    .venv/bin/python bench/bench_calendar.py

Calendar: Europe/Berlin, Monday-Friday 09:00-13:00 and 14:00-18:00 (lunch break),
15 public holidays in 2025-2026.  Inputs: 10,000 random (start, duration) pairs,
start uniform over 2025 (any time of day, any weekday, random input zone),
duration uniform 15 min .. 40 working hours (a typical reaction/resolution target),
plus a run with long targets (200 .. 2,000 working hours) that exercises week
skipping.  "cold" = first pass on a fresh calendar (per-day UTC intervals are
computed and cached as they are met); "warm" = best of five further passes.
"""

from __future__ import annotations

import random
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.calendar import BusinessCalendar, WorkingInterval  # noqa: E402

N = 10_000
SEED = 20241129
HOLIDAYS = [
    date(2025, 1, 1), date(2025, 3, 8), date(2025, 4, 18), date(2025, 4, 21),
    date(2025, 5, 1), date(2025, 5, 29), date(2025, 6, 9), date(2025, 10, 3),
    date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3),
    date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14),
]
INPUT_ZONES = [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]


def make_calendar() -> BusinessCalendar:
    day = [WorkingInterval(time(9), time(13)), WorkingInterval(time(14), time(18))]
    return BusinessCalendar(
        "Europe/Berlin",
        {weekday: day for weekday in range(5)},
        {holiday: [] for holiday in HOLIDAYS},
    )


def random_instants(rng: random.Random, n: int) -> list[datetime]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    year_us = 365 * 86_400_000_000
    return [
        (start + timedelta(microseconds=rng.randrange(year_us))).astimezone(rng.choice(INPUT_ZONES))
        for _ in range(n)
    ]


def rate(work: Callable[[BusinessCalendar], None], calendar: BusinessCalendar) -> float:
    began = clock.perf_counter()
    work(calendar)
    return N / (clock.perf_counter() - began)


def measure(label: str, work: Callable[[BusinessCalendar], None]) -> str:
    calendar = make_calendar()
    cold = rate(work, calendar)
    warm = max(rate(work, calendar) for _ in range(5))
    return f"{label:<52} cold {cold:>11,.0f}/s   warm {warm:>11,.0f}/s"


def main() -> None:
    rng = random.Random(SEED)
    starts = random_instants(rng, N)
    targets = [timedelta(minutes=rng.randint(15, 40 * 60)) for _ in range(N)]
    long_targets = [timedelta(hours=rng.randint(200, 2000)) for _ in range(N)]
    ends = [s + timedelta(seconds=rng.randint(0, 30 * 86_400)) for s in starts]
    far_ends = [s + timedelta(days=rng.randint(180, 730)) for s in starts]

    def deadlines(calendar: BusinessCalendar) -> None:
        add = calendar.add_working_time
        for start, target in zip(starts, targets, strict=True):
            add(start, target)

    def long_deadlines(calendar: BusinessCalendar) -> None:
        add = calendar.add_working_time
        for start, target in zip(starts, long_targets, strict=True):
            add(start, target)

    def elapsed(calendar: BusinessCalendar) -> None:
        between = calendar.working_time_between
        for start, end in zip(starts, ends, strict=True):
            between(start, end)

    def far_elapsed(calendar: BusinessCalendar) -> None:
        between = calendar.working_time_between
        for start, end in zip(starts, far_ends, strict=True):
            between(start, end)

    # Sanity: every deadline is exactly its target away.
    check = make_calendar()
    for start, target in zip(starts[:500], targets[:500], strict=True):
        assert check.working_time_between(start, check.add_working_time(start, target)) == target

    print(f"Python {sys.version.split()[0]}, {N:,} random pairs, seed {SEED}")
    print(measure("add_working_time, 15 min .. 40 working h", deadlines))
    print(measure("add_working_time, 200 .. 2,000 working h", long_deadlines))
    print(measure("working_time_between, spans 0 .. 30 days", elapsed))
    print(measure("working_time_between, spans 180 .. 730 days", far_elapsed))


if __name__ == "__main__":
    main()
