"""The dashboard's chart reads right in Persian: mirrored (the first day on the right, like
the table under it), nothing drawn past the edges, each day's label under its bars, the
legend from the right with no label over a swatch."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from admin_web.charts import PAD, WIDTH, created_vs_resolved
from core.reports import DayCount

DAYS = [DayCount(date(2026, 3, 1) + timedelta(days=i), i % 5, (i + 2) % 4) for i in range(14)]
_TEXT = re.compile(r'<text x="([\d.]+)" y="[\d.]+" font-size="\d+" fill="[^"]+" '
                   r'text-anchor="(\w+)">([^<]*)</text>')
_SWATCH = re.compile(r'<rect x="([\d.]+)" y="[\d.]+" width="10" height="10"')


@pytest.mark.parametrize("rtl", [False, True])
def test_chart_labels_stay_inside_and_line_up_with_their_bars(rtl: bool) -> None:
    svg = created_vs_resolved(DAYS, "ایجادشده", "حل‌شده", rtl=rtl)
    assert 'direction="ltr"' in svg  # the page's rtl does not move the anchors
    labels = {label: (float(x), anchor) for x, anchor, label in _TEXT.findall(svg)}
    for value in ("0", "4"):  # the axis values stand just before the plot
        x, anchor = labels[value]
        assert (anchor, x) == (("start", WIDTH - PAD + 4) if rtl else ("end", PAD - 4))
    slot = (WIDTH - 2 * PAD) / len(DAYS)
    first = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="[\d.]+" '
                      r'fill="[^"]+"><title>2026-03-01', svg)
    assert first
    bar_x = float(first.group(1))
    x, anchor = labels["03-01"]
    assert anchor == "middle" and abs(x - bar_x) < slot / 2  # under the first day's bars
    if rtl:
        assert WIDTH - PAD - slot < bar_x < WIDTH - PAD  # the first day on the right
    else:
        assert PAD < bar_x < PAD + slot
    swatches = [float(x) for x in _SWATCH.findall(svg)]
    created_x, created_anchor = labels["ایجادشده"]
    resolved_x, _ = labels["حل‌شده"]
    if rtl:  # from the right edge, each label left of its swatch
        assert created_anchor == "end" and swatches[0] == WIDTH - PAD - 10
        assert created_x < swatches[0] and resolved_x < swatches[1] < created_x - 40
    else:
        assert created_anchor == "start" and swatches[0] == PAD
        assert swatches[0] + 10 < created_x < swatches[1]


def test_a_persian_chart_writes_its_values_and_days_in_persian_digits() -> None:
    labels = {label for _, _, label in _TEXT.findall(
        created_vs_resolved(DAYS, "ایجادشده", "حل‌شده", rtl=True, language="fa"))}
    assert {"۰", "۴", "۰۳-۰۱"} <= labels and not {"0", "4", "03-01"} & labels
