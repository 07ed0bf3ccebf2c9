"""Chart axes in round steps and durations as people read them, in each language."""

from __future__ import annotations

import re
from datetime import date

from admin_web.charts import created_vs_resolved, nice_ticks
from admin_web.report_charts import bar_chart
from admin_web.reporting import Series
from core.reports import DayCount
from wording.durations import format_duration


def test_count_axes_step_by_one_two_or_five_in_whole_numbers() -> None:
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(13) == [0, 5, 10, 15]
    assert nice_ticks(99) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0.37, whole=False) == [0, 0.1, 0.2, 0.3, 0.4]


def test_the_dashboard_chart_labels_its_grid_with_those_ticks() -> None:
    days = [DayCount(date(2026, 3, d), d, 0) for d in range(1, 8)]  # up to 7 a day
    svg = created_vs_resolved(days, "Created", "Resolved")
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)[:5]
    assert labels == ["0", "2", "4", "6", "8"]


def test_durations_read_as_days_hours_and_minutes() -> None:
    assert format_duration(147600, "en") == "1 d 17 h"
    assert format_duration(5400, "en") == "1 h 30 min"
    assert format_duration(5400, "ru") == "1 ч 30 мин"
    assert format_duration(5400, "fa") == "۱ ساعت ۳۰ دقیقه"
    assert format_duration(86400 + 60, "en") == "1 d"  # the two largest units
    assert format_duration(20, "ru") == "меньше 1 мин"


def test_a_duration_chart_counts_its_axis_in_whole_hours() -> None:
    svg = bar_chart(Series(["Ann", "Bob"], [5400.0, 30 * 3600.0], "seconds"), "en", False,
                    "Resolution time")
    assert ">1 d 6 h</text>" in svg and ">10 h</text>" in svg and ">20 h</text>" in svg
    assert bar_chart(Series([], [], "count"), "en", False, "Nothing") == ""
    rtl = bar_chart(Series(["Ann"], [3.0], "count"), "fa", True, "Load")
    assert 'direction="rtl"' in rtl
