"""Server-rendered SVG charts: no script, no CDN. The numbers are all the chart holds, so the
markup is built from numbers and translated labels only, and labels are escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from core.reports import DayCount

WIDTH, HEIGHT, PAD = 760, 240, 32
CREATED, RESOLVED = "#1565c0", "#2e7d32"


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
                        resolved_label: str) -> str:
    highest = max([0] + [max(d.created, d.resolved) for d in days])
    ticks = nice_ticks(highest)
    top = ticks[-1]
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - 16
    slot = plot_w / max(1, len(days))
    bar = max(2.0, slot / 2 - 3)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="{escape(created_label)} / '
             f'{escape(resolved_label)}">']
    for tick in ticks:  # grid lines with their values
        y = PAD + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e4e7ec"/><text x="4" y="{y + 4:.1f}" font-size="10" '
                     f'fill="#667085">{tick:g}</text>')
    for i, d in enumerate(days):
        x = PAD + i * slot + 2
        for offset, value, color in ((0.0, d.created, CREATED), (bar + 1, d.resolved, RESOLVED)):
            h = plot_h * value / top
            parts.append(f'<rect x="{x + offset:.1f}" y="{PAD + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{color}">'
                         f'<title>{d.day.isoformat()}: {value}</title></rect>')
        if len(days) <= 16 or i % 2 == 0:
            parts.append(f'<text x="{x:.1f}" y="{PAD + plot_h + 14:.1f}" font-size="10" '
                         f'fill="#667085">{d.day.strftime("%m-%d")}</text>')
    legend_y = HEIGHT - 8
    parts.append(f'<rect x="{PAD}" y="{legend_y - 9}" width="10" height="10" '
                 f'fill="{CREATED}"/><text x="{PAD + 14}" y="{legend_y}" font-size="11">'
                 f'{escape(created_label)}</text>')
    parts.append(f'<rect x="{PAD + 140}" y="{legend_y - 9}" width="10" height="10" '
                 f'fill="{RESOLVED}"/><text x="{PAD + 154}" y="{legend_y}" font-size="11">'
                 f'{escape(resolved_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
