"""Server-rendered SVG charts: no script, no CDN. The numbers are all the chart holds, so the
markup is built from numbers and translated labels only, and labels are escaped.

Right to left (Persian): the plot is mirrored (time runs from the right, as the table under
it does; the axis values stand on the right), the legend starts at the right edge with each
label left of its swatch, and the SVG's own text direction is fixed to ltr so that labels
anchor where they are drawn (an inherited rtl pushes them past the edges)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from core.reports import DayCount
from wording.numbers import digits

WIDTH, HEIGHT, PAD = 760, 240, 32
CREATED, RESOLVED = "#1565c0", "#2e7d32"
MUTED = "#667085"
LEGEND_SIZE = 11
CHAR_WIDTH = 0.62 * LEGEND_SIZE  # an estimate of one letter's width, for spacing only


def text(x: float, y: float, label: str, *, anchor: str = "start", size: int = 10,
         fill: str = MUTED) -> str:
    """A label anchored at (x, y) the same way in every language."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(label)}</text>')


def legend(items: Sequence[tuple[str, str]], y: float, rtl: bool) -> list[str]:
    """Swatch-and-label pairs in a row, spaced by their labels' length: from the left,
    or mirrored from the right edge for a right-to-left page."""
    parts, x = [], float(WIDTH - PAD if rtl else PAD)
    for color, label in items:
        width = 14 + len(label) * CHAR_WIDTH
        swatch = x - 10 if rtl else x
        parts.append(f'<rect x="{swatch:.1f}" y="{y - 9:.1f}" width="10" height="10" '
                     f'fill="{color}"/>')
        parts.append(text(x - 14 if rtl else x + 14, y, label, anchor="end" if rtl else "start",
                          size=LEGEND_SIZE, fill="#1d2939"))
        x += -(width + 24) if rtl else width + 24
    return parts


def _across(x: float, width: float, rtl: bool) -> float:
    """The left edge of something `width` wide that starts at `x` from the reading side."""
    return WIDTH - x - width if rtl else x


def nice_ticks(highest: float, most: int = 5, whole: bool = True) -> list[float]:
    """Axis ticks from 0 past `highest` in steps of 1, 2 or 5 times a power of ten, at most
    `most` steps; `whole` keeps counts in whole numbers (no "2.5 tickets")."""
    if highest <= 0:
        return [0, 1] if whole else [0.0, 1.0]
    raw = highest / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    if whole:
        step = max(1, round(step))
    steps = math.ceil(highest / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def created_vs_resolved(days: Sequence[DayCount], created_label: str,
                        resolved_label: str, *, rtl: bool = False, language: str = "en") -> str:
    """The dashboard's chart; its values and days in the language's digits."""
    highest = max([0] + [max(d.created, d.resolved) for d in days])
    ticks = nice_ticks(highest)
    top = ticks[-1]
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - 16
    slot = plot_w / max(1, len(days))
    bar = max(2.0, slot / 2 - 3)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'direction="ltr" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-label="{escape(created_label)} / {escape(resolved_label)}">']
    for tick in ticks:  # grid lines with their values, just before the plot
        y = PAD + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e4e7ec"/>')
        parts.append(text(WIDTH - PAD + 4 if rtl else PAD - 4, y + 4, digits(f"{tick:g}", language),
                          anchor="start" if rtl else "end"))
    for i, d in enumerate(days):
        x = PAD + i * slot + 2
        for offset, value, color in ((0.0, d.created, CREATED), (bar + 1, d.resolved, RESOLVED)):
            h = plot_h * value / top
            parts.append(f'<rect x="{_across(x + offset, bar, rtl):.1f}" '
                         f'y="{PAD + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{color}">'
                         f'<title>{d.day.isoformat()}: {value}</title></rect>')
        if len(days) <= 16 or i % 2 == 0:  # the day, centred under its pair of bars
            parts.append(text(_across(x + bar + 0.5, 0, rtl), PAD + plot_h + 14,
                              digits(d.day.strftime("%m-%d"), language), anchor="middle"))
    parts += legend(((CREATED, created_label), (RESOLVED, resolved_label)), HEIGHT - 8, rtl)
    parts.append("</svg>")
    return "".join(parts)
