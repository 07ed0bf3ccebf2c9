"""Cron-like schedules of recurring tickets (docs/DOMAIN.md §6.3), checked against APScheduler's
CronTrigger where the two agree on meaning (one of the two day fields is `*`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cron import CronSchedule
from core.errors import InvalidInput

BERLIN = "Europe/Berlin"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def at(text: str, zone: str = BERLIN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def runs(spec: str, after: datetime, count: int, zone: str = BERLIN) -> list[datetime]:
    schedule, found = CronSchedule.parse(spec), []
    for _ in range(count):
        following = schedule.next_after(after, zone)
        assert following is not None
        found.append(following.astimezone(ZoneInfo(zone)))
        after = following
    return found


def test_first_monday_of_every_month_at_nine() -> None:
    assert runs("0 9 * * mon#1", at("2025-03-01 00:00"), 4) == [
        at("2025-03-03 09:00"), at("2025-04-07 09:00"), at("2025-05-05 09:00"),
        at("2025-06-02 09:00")]


def test_weekdays_at_half_past_eight_and_five() -> None:
    assert runs("30 8,17 * * mon-fri", at("2025-03-07 12:00"), 3) == [
        at("2025-03-07 17:30"), at("2025-03-10 08:30"), at("2025-03-10 17:30")]


def test_both_day_fields_restricted_means_either_as_in_cron() -> None:
    assert runs("0 9 13 * fri", at("2025-06-01 00:00"), 3) == [
        at("2025-06-06 09:00"), at("2025-06-13 09:00"), at("2025-06-20 09:00")]


def test_a_run_in_the_spring_forward_gap_happens_an_hour_later_and_once_in_autumn() -> None:
    assert runs("30 2 * * *", at("2025-03-29 12:00"), 2) == [
        at("2025-03-30 03:30"), at("2025-03-31 02:30")]
    autumn = runs("30 2 * * *", at("2025-10-25 12:00"), 2)
    assert [a.astimezone(UTC).hour for a in autumn] == [0, 1]  # 02:30 CEST, then next day CET


def test_a_date_that_never_comes_gives_no_run() -> None:
    assert CronSchedule.parse("0 9 30 2 *").next_after(at("2025-01-01 00:00"), BERLIN) is None


@pytest.mark.parametrize("spec", ["* * *", "61 * * * *", "0 9 * * mon#6", "0 9 * * mon-fri#1",
                                  "0 9 * * funday", "*/0 * * * *", "0 9 31-1 * *"])
def test_a_schedule_that_cannot_be_read_is_refused(spec: str) -> None:
    with pytest.raises(InvalidInput):
        CronSchedule.parse(spec)


def _field(draw: st.DrawFn, low: int, high: int) -> str:
    kind = draw(st.sampled_from(["*", "n", "list", "range", "step"]))
    if kind == "*":
        return "*"
    a = draw(st.integers(low, high))
    if kind == "n":
        return str(a)
    if kind == "list":
        return ",".join(str(v) for v in sorted(draw(st.sets(st.integers(low, high),
                                                              min_size=1, max_size=3))))
    b = draw(st.integers(a, high))
    step = draw(st.integers(1, min(12, high - low)))  # APScheduler: no step past the range
    return f"{a}-{b}" if kind == "range" else f"*/{step}"


@st.composite
def schedules(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    minute, hour = _field(draw, 0, 59), _field(draw, 0, 23)
    month = _field(draw, 1, 12)
    if draw(st.booleans()):
        day, weekday, aps_day, aps_weekday = _field(draw, 1, 28), "*", None, "*"
        aps_day = day
    else:
        days = sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=3)))
        day, aps_day = "*", "*"
        if draw(st.booleans()) and len(days) == 1:
            n = draw(st.integers(1, 4))
            ordinal = ("1st", "2nd", "3rd", "4th")[n - 1]
            name = DAYS[days[0]]
            weekday, aps_day, aps_weekday = f"{name}#{n}", f"{ordinal} {name}", "*"
        else:
            weekday = aps_weekday = ",".join(DAYS[d] for d in days)
    spec = f"{minute} {hour} {day} {month} {weekday}"
    return spec, {"minute": minute, "hour": hour, "day": aps_day or "*", "month": month,
                  "day_of_week": aps_weekday}


@settings(max_examples=300, deadline=None)
@given(schedule=schedules(), start=st.datetimes(datetime(2024, 1, 1), datetime(2027, 1, 1)))
def test_next_run_agrees_with_apscheduler(schedule: tuple[str, dict[str, str]],
                                         start: datetime) -> None:
    spec, fields = schedule
    after = start.replace(second=0, microsecond=0, tzinfo=UTC)
    trigger = CronTrigger(timezone=UTC, **fields)
    expected = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    assert CronSchedule.parse(spec).next_after(after, "UTC") == expected
