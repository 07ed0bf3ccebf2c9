"""A report's chart: one horizontal bar per row (an employee, a target, a score), with an
axis of round values, drawn as SVG from numbers and escaped labels only. Right-to-left
pages get the mirror image: labels on the right, bars growing to the left."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from admin_web.charts import nice_ticks
from admin_web.reporting import Series
from wording.durations import format_duration
from wording.numbers import digits

WIDTH, LABELS, VALUES, ROW, BAR, TOP, AXIS = 760, 190, 110, 30, 18, 8, 26
COLOR, GRID, MUTED = "#1565c0", "#e4e7ec", "#667085"
# A duration axis counts in minutes, hours or days, whichever keeps the numbers small.
TIME_UNITS = (60, 3600, 86400)


def _ticks(series: Series) -> list[float]:
    highest = max(series.values)
    if series.unit == "percent":
        return nice_ticks(100)
    if series.unit != "seconds":
        return nice_ticks(highest, whole=series.unit == "count")
    unit = next((u for u in reversed(TIME_UNITS) if highest >= 2 * u), 60)
    return [t * unit for t in nice_ticks(highest / unit)]  # whole minutes, hours or days


def value_text(series: Series, language: str) -> Callable[[float], str]:
    if series.unit == "seconds":
        return lambda v: format_duration(v, language) if v else digits(0, language)
    if series.unit == "percent":
        return lambda v: digits(f"{v:g}", language) + ("٪" if language == "fa" else "%")
    return lambda v: digits(f"{v:g}", language)


def bar_chart(series: Series, language: str, rtl: bool, title: str) -> str:
    """The chart, or "" when there is nothing to draw."""
    if not series.values:
        return ""
    ticks, text = _ticks(series), value_text(series, language)
    top = ticks[-1] or 1
    plot = WIDTH - LABELS - VALUES
    height = TOP + ROW * len(series.values) + AXIS

    def x(at: float) -> float:  # from the start edge: the left, or the right when rtl
        return WIDTH - at if rtl else at

    # Text runs in the page's direction, so "end" is the bar side of a label and "start"
    # the far side of a bar's value in both.
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" direction="{"rtl" if rtl else "ltr"}" '
             f'aria-label="{escape(title)}">']
    numbers = "" if series.unit == "seconds" else ' direction="ltr"'  # "20%", not "%20"
    for tick in ticks:
        at = x(LABELS + plot * tick / top)
        parts.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{height - AXIS}" '
                     f'stroke="{GRID}"/><text x="{at:.1f}" y="{height - 8}" font-size="10" '
                     f'fill="{MUTED}" text-anchor="middle"{numbers}>'
                     f'{escape(text(tick))}</text>')
    for i, (label, value) in enumerate(zip(series.labels, series.values, strict=True)):
        y, length = TOP + ROW * i, plot * value / top
        left = min(x(LABELS), x(LABELS + length))
        parts.append(f'<text x="{x(LABELS - 8):.1f}" y="{y + 14}" font-size="12" '
                     f'text-anchor="end">{escape(label[:28])}</text>'
                     f'<rect x="{left:.1f}" y="{y + 2}" width="{length:.1f}" height="{BAR}" '
                     f'fill="{COLOR}"><title>{escape(label)}: {escape(text(value))}</title>'
                     f'</rect><text x="{x(LABELS + length + 6):.1f}" y="{y + 15}" '
                     f'font-size="11" fill="{MUTED}" text-anchor="start">'
                     f'{escape(text(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
