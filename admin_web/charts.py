"""Server-rendered SVG charts: no script, no CDN. The numbers are all the chart holds, so the
markup is built from numbers and translated labels only, and labels are escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from core.reports import DayCount

WIDTH, HEIGHT, PAD = 760, 240, 32
CREATED, RESOLVED = "#1565c0", "#2e7d32"


def created_vs_resolved(days: Sequence[DayCount], created_label: str,
                        resolved_label: str) -> str:
    highest = max([0] + [max(d.created, d.resolved) for d in days])
    top = max(4, -(-highest // 4) * 4)  # four grid steps of whole tickets
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - 16
    slot = plot_w / max(1, len(days))
    bar = max(2.0, slot / 2 - 3)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="{escape(created_label)} / '
             f'{escape(resolved_label)}">']
    for i in range(5):  # grid lines with their values
        y = PAD + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e4e7ec"/><text x="4" y="{y + 4:.1f}" font-size="10" '
                     f'fill="#667085">{top * i // 4}</text>')
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
