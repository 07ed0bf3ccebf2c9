"""Service calendar: SLA deadlines over business hours, holidays and DST."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import BusinessCalendar, WorkingInterval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TEHRAN = ZoneInfo("Asia/Tehran")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
APIA = ZoneInfo("Pacific/Apia")

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)


def iv(start: str, end: str) -> WorkingInterval:
    """``iv("09:00", "18:00")``; "24:00" is midnight at the end of the day."""
    return WorkingInterval(_t(start), _t(end))


def _t(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(0, 0) if hours == 24 else time(hours, minutes)


def nine_to_six(tz: str = "Europe/Berlin") -> BusinessCalendar:
    return BusinessCalendar.weekdays(tz, time(9), time(18))


def nine_to_six_with(exceptions: Mapping[date, Sequence[WorkingInterval]]) -> BusinessCalendar:
    return BusinessCalendar("Europe/Berlin", {wd: [iv("09:00", "18:00")] for wd in range(5)},
                            exceptions)


def with_lunch(
    tz: str = "Europe/Berlin",
    exceptions: Mapping[date, Sequence[WorkingInterval]] | None = None,
) -> BusinessCalendar:
    day = [iv("09:00", "13:00"), iv("14:00", "18:00")]
    return BusinessCalendar(tz, {wd: day for wd in range(5)}, exceptions or {})


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    """A wall-clock instant in ``zone`` (fold=1 picks the second of a repeated hour)."""
    return datetime(*args).replace(tzinfo=zone, fold=fold)


# --------------------------------------------------------------- everyday SLA cases


def test_ticket_registered_friday_evening_is_due_monday_morning() -> None:
    registered = local(BERLIN, 2024, 11, 29, 17, 55)  # Friday
    due = nine_to_six().add_working_time(registered, timedelta(minutes=30))
    assert due == local(BERLIN, 2024, 12, 2, 9, 25)  # Monday
    assert due.tzinfo is UTC
    assert nine_to_six().working_time_between(registered, due) == timedelta(minutes=30)


def test_deadline_used_up_at_closing_time_is_closing_time_not_next_morning() -> None:
    due = nine_to_six().add_working_time(local(BERLIN, 2024, 11, 29, 17, 30), 30 * MIN)
    assert due == local(BERLIN, 2024, 11, 29, 18, 0)


def test_adding_zero_returns_the_registration_instant_even_on_a_weekend() -> None:
    saturday = local(BERLIN, 2024, 11, 30, 11, 0)
    result = nine_to_six().add_working_time(saturday, timedelta(0))
    assert result == saturday
    assert result.tzinfo is UTC
    utc_instant = datetime(2024, 11, 30, 10, tzinfo=UTC)
    assert nine_to_six().add_working_time(utc_instant, timedelta(0)) is utc_instant


def test_ticket_registered_at_night_starts_counting_at_opening_time() -> None:
    due = nine_to_six().add_working_time(local(BERLIN, 2024, 11, 26, 3, 0), 2 * H)
    assert due == local(BERLIN, 2024, 11, 26, 11, 0)


def test_lunch_break_is_not_counted() -> None:
    calendar = with_lunch()
    assert calendar.add_working_time(local(BERLIN, 2024, 11, 26, 12, 30), H) == local(
        BERLIN, 2024, 11, 26, 14, 30
    )
    assert calendar.working_time_between(
        local(BERLIN, 2024, 11, 26, 12, 0), local(BERLIN, 2024, 11, 26, 15, 0)
    ) == 2 * H
    assert not calendar.is_working(local(BERLIN, 2024, 11, 26, 13, 30))
    assert calendar.next_working_moment(local(BERLIN, 2024, 11, 26, 13, 30)) == local(
        BERLIN, 2024, 11, 26, 14, 0
    )


def test_opening_time_is_working_and_closing_time_is_not() -> None:
    calendar = nine_to_six()
    assert calendar.is_working(local(BERLIN, 2024, 11, 26, 9, 0))
    assert not calendar.is_working(local(BERLIN, 2024, 11, 26, 8, 59, 59))
    assert calendar.is_working(local(BERLIN, 2024, 11, 26, 17, 59, 59))
    assert not calendar.is_working(local(BERLIN, 2024, 11, 26, 18, 0))
    assert not calendar.is_working(local(BERLIN, 2024, 11, 30, 12, 0))  # Saturday


def test_next_working_moment_of_a_working_instant_is_that_instant() -> None:
    at = local(BERLIN, 2024, 11, 26, 10, 17, 3, 5)
    assert nine_to_six().next_working_moment(at) == at
    assert nine_to_six().next_working_moment(local(BERLIN, 2024, 11, 29, 18, 0)) == local(
        BERLIN, 2024, 12, 2, 9, 0
    )


def test_no_working_time_between_reversed_or_equal_instants() -> None:
    a = local(BERLIN, 2024, 11, 26, 10)
    assert nine_to_six().working_time_between(a, a) == timedelta(0)
    assert nine_to_six().working_time_between(a + H, a) == timedelta(0)


def test_evening_shift_until_midnight_continues_into_night_shift() -> None:
    calendar = BusinessCalendar(
        "UTC", {0: [iv("08:00", "12:00"), iv("20:00", "24:00")], 1: [iv("00:00", "02:00")]}
    )
    monday = datetime(2024, 11, 25, tzinfo=UTC)
    assert calendar.add_working_time(monday + 23 * H, 2 * H) == monday + 25 * H
    assert calendar.is_working(monday + 24 * H)
    assert calendar.working_time_between(monday, monday + 7 * 24 * H) == 10 * H
    # Tuesday 02:00 + 1 h: nothing until next Monday 08:00.
    assert calendar.add_working_time(monday + 26 * H, H) == monday + 7 * 24 * H + 9 * H


def test_long_target_skips_whole_weeks_exactly() -> None:
    calendar = nine_to_six("UTC")
    monday = datetime(2024, 1, 1, 9, tzinfo=UTC)
    due = calendar.add_working_time(monday, 450 * H)  # ten 45-hour weeks
    assert due == datetime(2024, 3, 8, 18, tzinfo=UTC)  # Friday closing time, week 10
    assert calendar.working_time_between(monday, due) == 450 * H
    assert calendar.add_working_time(monday, 450 * H + US) == datetime(
        2024, 3, 11, 9, 0, 0, 1, tzinfo=UTC
    )


# ------------------------------------------------------------------ exception days


def test_public_holiday_is_skipped() -> None:
    calendar = nine_to_six_with({date(2024, 12, 2): []})  # Monday off
    due = calendar.add_working_time(local(BERLIN, 2024, 11, 29, 17, 0), 2 * H)
    assert due == local(BERLIN, 2024, 12, 3, 10, 0)
    assert not calendar.is_working(local(BERLIN, 2024, 12, 2, 12, 0))
    assert calendar.next_working_moment(local(BERLIN, 2024, 12, 2, 12, 0)) == local(
        BERLIN, 2024, 12, 3, 9, 0
    )


def test_shortened_day_closes_early() -> None:
    calendar = nine_to_six_with({date(2024, 12, 24): [iv("09:00", "13:00")]})
    due = calendar.add_working_time(local(BERLIN, 2024, 12, 24, 12, 0), 2 * H)
    assert due == local(BERLIN, 2024, 12, 25, 10, 0)
    assert calendar.working_time_between(
        local(BERLIN, 2024, 12, 24), local(BERLIN, 2024, 12, 25)
    ) == 4 * H


def test_working_saturday_counts() -> None:
    calendar = nine_to_six_with({date(2024, 11, 30): [iv("10:00", "14:00")]})
    due = calendar.add_working_time(local(BERLIN, 2024, 11, 29, 17, 0), 2 * H)
    assert due == local(BERLIN, 2024, 11, 30, 11, 0)


def test_deadline_crosses_year_end_and_new_year_holiday() -> None:
    calendar = BusinessCalendar(
        "Europe/Berlin",
        {wd: [iv("09:00", "13:00"), iv("14:00", "18:00")] for wd in range(5)},
        {date(2024, 12, 31): [iv("09:00", "14:00")], date(2025, 1, 1): []},
    )
    registered = local(BERLIN, 2024, 12, 31, 12, 30)
    due = calendar.add_working_time(registered, 2 * H)
    assert due == local(BERLIN, 2025, 1, 2, 9, 30)
    assert calendar.working_time_between(registered, due) == 2 * H
    plain = nine_to_six("UTC")
    assert plain.add_working_time(datetime(2024, 12, 31, 17, tzinfo=UTC), 2 * H) == datetime(
        2025, 1, 1, 10, tzinfo=UTC
    )


# ------------------------------------------------------------------------------ DST


def test_berlin_spring_forward_keeps_local_office_hours() -> None:
    # Clocks go 02:00 -> 03:00 on Sunday 2024-03-31.
    calendar = nine_to_six()
    due = calendar.add_working_time(local(BERLIN, 2024, 3, 29, 17, 0), 2 * H)
    assert due == local(BERLIN, 2024, 4, 1, 10, 0)
    assert due == datetime(2024, 4, 1, 8, 0, tzinfo=UTC)
    assert calendar.working_time_between(
        local(BERLIN, 2024, 3, 29, 9), local(BERLIN, 2024, 4, 1, 18)
    ) == 18 * H


def test_berlin_autumn_fall_back_keeps_local_office_hours() -> None:
    # Clocks go 03:00 -> 02:00 on Sunday 2024-10-27.
    calendar = nine_to_six()
    due = calendar.add_working_time(local(BERLIN, 2024, 10, 25, 17, 0), 2 * H)
    assert due == datetime(2024, 10, 28, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert calendar.working_time_between(
        local(BERLIN, 2024, 10, 25, 9), local(BERLIN, 2024, 10, 28, 18)
    ) == 18 * H


def test_new_york_spring_forward_keeps_local_office_hours() -> None:
    # Clocks go 02:00 -> 03:00 on Sunday 2024-03-10.
    calendar = nine_to_six("America/New_York")
    due = calendar.add_working_time(local(NEW_YORK, 2024, 3, 8, 17, 0), 2 * H)
    assert due == datetime(2024, 3, 11, 14, 0, tzinfo=UTC)  # 10:00 EDT
    assert due == local(NEW_YORK, 2024, 3, 11, 10, 0)


def test_new_york_autumn_fall_back_keeps_local_office_hours() -> None:
    # Clocks go 02:00 -> 01:00 on Sunday 2024-11-03.
    calendar = nine_to_six("America/New_York")
    due = calendar.add_working_time(local(NEW_YORK, 2024, 11, 1, 17, 0), 2 * H)
    assert due == datetime(2024, 11, 4, 15, 0, tzinfo=UTC)  # 10:00 EST


def test_round_the_clock_desk_has_23_and_25_hour_days_on_dst_sundays() -> None:
    calendar = BusinessCalendar.always("Europe/Berlin")
    spring = calendar.working_time_between(local(BERLIN, 2024, 3, 31), local(BERLIN, 2024, 4, 1))
    autumn = calendar.working_time_between(local(BERLIN, 2024, 10, 27), local(BERLIN, 2024, 10, 28))
    assert (spring, autumn) == (23 * H, 25 * H)
    ny = BusinessCalendar.always("America/New_York")
    assert ny.working_time_between(local(NEW_YORK, 2024, 11, 3), local(NEW_YORK, 2024, 11, 4)) == (
        25 * H
    )


def test_night_shift_on_a_dst_sunday_is_an_hour_shorter_or_longer() -> None:
    calendar = BusinessCalendar("Europe/Berlin", {6: [iv("00:00", "06:00")]})
    assert calendar.working_time_between(
        local(BERLIN, 2024, 3, 31), local(BERLIN, 2024, 4, 1)
    ) == 5 * H
    assert calendar.working_time_between(
        local(BERLIN, 2024, 10, 27), local(BERLIN, 2024, 10, 28)
    ) == 7 * H


def test_shift_starting_inside_the_spring_gap_starts_later_by_the_gap() -> None:
    # 02:30 does not exist on 2024-03-31 in Berlin; fold=0 maps it to 03:30 CEST.
    calendar = BusinessCalendar("Europe/Berlin", {6: [iv("02:30", "05:00")]})
    sunday = local(BERLIN, 2024, 3, 31, 1, 0)
    assert calendar.next_working_moment(sunday) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert calendar.working_time_between(sunday, local(BERLIN, 2024, 4, 1)) == 90 * MIN
    # An ordinary Sunday is 2.5 h.
    assert calendar.working_time_between(
        local(BERLIN, 2024, 4, 7), local(BERLIN, 2024, 4, 8)
    ) == 150 * MIN


def test_shift_inside_the_spring_gap_disappears_that_day() -> None:
    calendar = BusinessCalendar("Europe/Berlin", {6: [iv("02:00", "02:30"), iv("03:00", "04:00")]})
    assert calendar.working_time_between(
        local(BERLIN, 2024, 3, 31), local(BERLIN, 2024, 4, 1)
    ) == H  # 02:00-02:30 would be 03:00-03:30, already counted by 03:00-04:00
    assert calendar.working_time_between(
        local(BERLIN, 2024, 4, 7), local(BERLIN, 2024, 4, 8)
    ) == 90 * MIN


def test_shift_starting_in_the_repeated_autumn_hour_starts_at_its_first_occurrence() -> None:
    calendar = BusinessCalendar("Europe/Berlin", {6: [iv("02:30", "05:00")]})
    sunday = local(BERLIN, 2024, 10, 27, 0, 0)
    assert calendar.next_working_moment(sunday) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert calendar.working_time_between(sunday, local(BERLIN, 2024, 10, 28)) == 210 * MIN
    second_0245 = local(BERLIN, 2024, 10, 27, 2, 45, fold=1)
    assert calendar.is_working(second_0245)


def test_lord_howe_half_hour_dst_shift() -> None:
    calendar = BusinessCalendar.always("Australia/Lord_Howe")
    # 2024-10-06 02:00 -> 02:30; 2024-04-07 02:00 -> 01:30.
    assert calendar.working_time_between(
        local(LORD_HOWE, 2024, 10, 6), local(LORD_HOWE, 2024, 10, 7)
    ) == 23 * H + 30 * MIN
    assert calendar.working_time_between(
        local(LORD_HOWE, 2024, 4, 7), local(LORD_HOWE, 2024, 4, 8)
    ) == 24 * H + 30 * MIN
    office = nine_to_six("Australia/Lord_Howe")
    due = office.add_working_time(local(LORD_HOWE, 2024, 10, 4, 17, 0), 2 * H)
    assert due == local(LORD_HOWE, 2024, 10, 7, 10, 0)


def test_tehran_2022_dst_changes_at_midnight() -> None:
    # 2022-03-22 00:00 -> 01:00 and 2022-09-22 00:00 -> 2022-09-21 23:00.
    always = BusinessCalendar.always("Asia/Tehran")
    assert always.working_time_between(
        local(TEHRAN, 2022, 3, 22), local(TEHRAN, 2022, 3, 23)
    ) == 23 * H
    assert always.working_time_between(
        local(TEHRAN, 2022, 9, 21), local(TEHRAN, 2022, 9, 22)
    ) == 25 * H
    mornings = BusinessCalendar("Asia/Tehran", {wd: [iv("00:00", "08:00")] for wd in range(7)})
    start = local(TEHRAN, 2022, 3, 21, 12, 0)
    assert mornings.next_working_moment(start) == local(TEHRAN, 2022, 3, 22, 1, 0)
    assert mornings.add_working_time(start, 7 * H) == local(TEHRAN, 2022, 3, 22, 8, 0)


def test_samoa_skipped_day_is_handled() -> None:
    # Pacific/Apia skipped 2011-12-30 entirely.
    calendar = BusinessCalendar.always("Pacific/Apia")
    start = local(APIA, 2011, 12, 29, 12, 0)
    assert calendar.working_time_between(start, local(APIA, 2011, 12, 31, 12, 0)) == 24 * H
    assert calendar.add_working_time(start, 24 * H) == local(APIA, 2011, 12, 31, 12, 0)


# -------------------------------------------------------------------- validation


def test_overlapping_intervals_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        BusinessCalendar("UTC", {0: [iv("09:00", "13:00"), iv("12:00", "18:00")]})
    with pytest.raises(ValueError, match="overlapping"):
        BusinessCalendar(
            "UTC", {}, {date(2024, 1, 1): [iv("20:00", "24:00"), iv("23:00", "24:00")]}
        )
    BusinessCalendar("UTC", {0: [iv("09:00", "13:00"), iv("13:00", "18:00")]})  # touching is fine


def test_backwards_or_empty_interval_is_rejected() -> None:
    with pytest.raises(ValueError):
        iv("18:00", "09:00")
    with pytest.raises(ValueError):
        iv("09:00", "09:00")
    assert iv("00:00", "24:00").length == 24 * H
    assert iv("22:00", "24:00").ends_at_midnight


def test_unknown_time_zone_is_rejected() -> None:
    for name in ("Mars/Olympus_Mons", "", "../etc/passwd", "Europe"):
        with pytest.raises(ValueError, match="time zone"):
            BusinessCalendar.weekdays(name, time(9), time(18))


def test_naive_datetimes_are_rejected() -> None:
    calendar = nine_to_six()
    naive = datetime(2024, 11, 26, 10)
    aware = naive.replace(tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_time(naive, H)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_time_between(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_working(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.next_working_moment(naive)


def test_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        nine_to_six().add_working_time(datetime(2024, 1, 1, tzinfo=UTC), -MIN)


def test_bad_weekday_and_datetime_exception_key_are_rejected() -> None:
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar("UTC", {7: [iv("09:00", "18:00")]})
    with pytest.raises(TypeError, match="dates"):
        BusinessCalendar("UTC", {}, {datetime(2024, 1, 1): []})


def test_calendar_without_working_time_fails_clearly_instead_of_hanging() -> None:
    closed = BusinessCalendar("UTC", {})
    at = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="no working time"):
        closed.add_working_time(at, MIN)
    with pytest.raises(ValueError, match="no working time"):
        closed.next_working_moment(at)
    assert closed.working_time_between(at, at + 1000 * 24 * H) == timedelta(0)
    assert not closed.is_working(at)


def test_calendar_with_only_exception_days_runs_out_after_the_last_one() -> None:
    one_day = BusinessCalendar("UTC", {}, {date(2024, 1, 10): [iv("09:00", "10:00")]})
    at = datetime(2024, 1, 1, tzinfo=UTC)
    assert one_day.add_working_time(at, 30 * MIN) == datetime(2024, 1, 10, 9, 30, tzinfo=UTC)
    assert one_day.add_working_time(at, H) == datetime(2024, 1, 10, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="no working time after 2024-01-10"):
        one_day.add_working_time(at, H + US)
    with pytest.raises(ValueError, match="no working time"):
        one_day.next_working_moment(datetime(2024, 1, 10, 10, tzinfo=UTC))


def test_calendars_with_the_same_definition_are_equal() -> None:
    assert nine_to_six() == BusinessCalendar("Europe/Berlin", {wd: [iv("09:00", "18:00")]
                                                                for wd in range(5)})
    assert nine_to_six() != nine_to_six("UTC")
    assert nine_to_six().week[0] == (iv("09:00", "18:00"),)
    assert with_lunch("UTC", {date(2024, 1, 1): []}).exceptions == {date(2024, 1, 1): ()}


# -------------------------------------------------------------------- properties
#
# Random calendars: up to a dozen intervals a week on a 5-minute grid (so they hit
# DST changes, midnights and half-hour zones), up to six random exception days
# (holidays, shortened days, working weekends) in 2021-2025, in zones with unusual
# DST rules.  Flat integer lists keep generation cheap so the file stays fast.

ZONE_NAMES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tehran", "Australia/Lord_Howe",
              "America/Santiago", "Asia/Kathmandu"]
INPUT_ZONES = [UTC, timezone(timedelta(hours=5, minutes=45)), BERLIN, NEW_YORK, LORD_HOWE]
BASE = datetime(2021, 1, 1, tzinfo=UTC)
WINDOW_DAYS = 5 * 365
SLOTS = 24 * 12 + 1  # 00:00, 00:05, ..., 24:00


def slot_time(slot: int) -> time:
    return time(0, 0) if slot == SLOTS - 1 else time(slot // 12, slot % 12 * 5)


def to_intervals(slots: list[int]) -> list[WorkingInterval]:
    points = sorted(set(slots))
    if len(points) % 2:
        points.pop()
    pairs = zip(points[::2], points[1::2], strict=True)
    return [WorkingInterval(slot_time(a), slot_time(b)) for a, b in pairs]


@st.composite
def calendars(draw: st.DrawFn, zones: Sequence[str] = ZONE_NAMES) -> BusinessCalendar:
    by_day: dict[int, list[int]] = {}
    for point in draw(st.lists(st.integers(0, 7 * SLOTS - 1), min_size=2, max_size=24)):
        by_day.setdefault(point // SLOTS, []).append(point % SLOTS)
    week = {weekday: to_intervals(slots) for weekday, slots in by_day.items()}
    if not any(week.values()):
        week[draw(st.integers(0, 6))] = [WorkingInterval(time(9), time(18))]
    special = draw(st.lists(st.tuples(st.integers(0, WINDOW_DAYS),
                                      st.lists(st.integers(0, SLOTS - 1), max_size=6)),
                            max_size=6))
    exceptions = {BASE.date() + timedelta(days=day): to_intervals(slots) for day, slots in special}
    return BusinessCalendar(draw(st.sampled_from(zones)), week, exceptions)


# UTC instants (so ``+``/``-`` in the properties is absolute time; Python adds
# wall-clock time within one zone), often on a whole minute to hit boundaries.
instants = st.builds(
    lambda minute, micro: BASE + timedelta(minutes=minute, microseconds=micro),
    st.integers(0, WINDOW_DAYS * 24 * 60),
    st.just(0) | st.integers(0, 59_999_999),
)
input_zones = st.sampled_from(INPUT_ZONES)
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def weeks_of_work(calendar: BusinessCalendar, fraction: float) -> timedelta:
    """Up to ~3 weeks of this calendar's working time (keeps sparse calendars fast)."""
    weekly = sum((i.length for day in calendar.week.values() for i in day), timedelta(0))
    return (weekly * 3 * fraction) // US * US


@PROPS
@given(calendars(), instants, st.floats(0, 1), input_zones)
def test_deadline_is_exactly_the_target_working_time_away(
    calendar: BusinessCalendar, start: datetime, fraction: float, zone: ZoneInfo
) -> None:
    target = weeks_of_work(calendar, fraction)
    due = calendar.add_working_time(start.astimezone(zone), target)
    assert due >= start
    assert calendar.working_time_between(start.astimezone(zone), due) == target
    if target:
        assert calendar.working_time_between(start, due - US) < target


@PROPS
@given(calendars(), instants, st.lists(st.timedeltas(timedelta(0), timedelta(days=60)),
                                       min_size=2, max_size=2))
def test_working_time_is_additive(
    calendar: BusinessCalendar, a: datetime, gaps: list[timedelta]
) -> None:
    b = a + gaps[0]
    c = b + gaps[1]
    assert calendar.working_time_between(a, b) + calendar.working_time_between(
        b, c
    ) == calendar.working_time_between(a, c)
    assert timedelta(0) <= calendar.working_time_between(a, c) <= c - a


@PROPS
@given(calendars(), instants, st.integers(0, 10**13), st.floats(0, 1), st.floats(0, 1))
def test_later_start_or_longer_target_never_gives_an_earlier_deadline(
    calendar: BusinessCalendar, t1: datetime, later_us: int, f1: float, f2: float
) -> None:
    t2 = t1 + timedelta(microseconds=later_us)
    d1, d2 = sorted((weeks_of_work(calendar, f1), weeks_of_work(calendar, f2)))
    assert calendar.add_working_time(t1, d1) <= calendar.add_working_time(t1, d2)
    assert calendar.add_working_time(t1, d1) <= calendar.add_working_time(t2, d1)


@PROPS
@given(calendars(), instants, input_zones)
def test_is_working_and_next_working_moment_agree_with_counted_time(
    calendar: BusinessCalendar, at: datetime, zone: ZoneInfo
) -> None:
    working = calendar.is_working(at)
    assert working == calendar.is_working(at.astimezone(zone))
    assert working == (calendar.working_time_between(at, at + US) == US)
    nxt = calendar.next_working_moment(at.astimezone(zone))
    assert nxt >= at
    assert calendar.is_working(nxt)
    assert calendar.working_time_between(at, nxt) == timedelta(0)
    assert (nxt == at) == working
    assert calendar.add_working_time(at, US) == nxt + US


@PROPS
@given(st.sampled_from([*ZONE_NAMES, "Pacific/Apia"]), st.integers(-12 * 365, 9 * 365),
       instants, st.timedeltas(timedelta(0), timedelta(days=20)), input_zones)
def test_round_the_clock_calendar_is_plain_time_arithmetic(
    name: str, shift_days: int, start: datetime, duration: timedelta, zone: ZoneInfo
) -> None:
    calendar = BusinessCalendar.always(name)
    start += timedelta(days=shift_days)  # 2009-2034: includes Apia's skipped day
    end = start + duration
    assert calendar.add_working_time(start.astimezone(zone), duration) == end
    assert calendar.working_time_between(start, end.astimezone(zone)) == duration
    assert calendar.is_working(start)


@PROPS
@given(calendars(zones=["UTC"]), st.integers(0, WINDOW_DAYS * 288), st.integers(0, 14 * 288))
def test_counted_time_matches_a_five_minute_walk_of_the_wall_clock(
    calendar: BusinessCalendar, offset: int, length: int
) -> None:
    step = 5 * MIN
    start = BASE + offset * step
    week, exceptions = calendar.week, calendar.exceptions
    slots = 0
    for i in range(length):
        moment = start + i * step
        day = exceptions.get(moment.date(), week.get(moment.weekday(), ()))
        wall = moment.time()
        slots += any(
            span.start <= wall and (span.ends_at_midnight or wall < span.end) for span in day
        )
    assert calendar.working_time_between(start, start + length * step) == slots * step
