"""Charts drawn on the server as SVG: horizontal bars, one per cell of a report's table, with its number beside it.

No script and no inline style (the Content-Security-Policy allows neither): colours come from classes in
console.css. A suppressed cell ("<5" or "hidden") is drawn as an empty, dashed bar with its words, never at its true
length. Each chart is decorative beside its table (``aria-hidden``): screen readers read the table.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from alongside.console.service_reports import Table

LABEL_WIDTH = 160
BAR_WIDTH = 190
VALUE_WIDTH = 50
"""About 400 units wide: drawn at a phone's width, the words stay near their set size."""
ROW = 26
BAR = 18


def _label(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(table: Table) -> SafeString:
    """The table as horizontal bars, longest value the full width."""
    cells = table.cells
    top = max([c.value for c in cells if not c.suppressed] + [1])
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW * len(cells) + 4
    rows = []
    for i, cell in enumerate(cells):
        y = i * ROW + 2
        text_y = y + BAR - 4
        if cell.suppressed:
            bar = format_html(
                '<rect class="bar-hidden" x="{}" y="{}" width="{}" height="{}" rx="2"></rect>',
                LABEL_WIDTH,
                y,
                BAR_WIDTH // 12,
                BAR,
            )
        else:
            length = max(1, round(BAR_WIDTH * cell.value / top)) if cell.value else 0
            bar = format_html(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" rx="2"></rect>', LABEL_WIDTH, y, length, BAR
            )
        rows.append(
            format_html(
                '<text class="bar-label" x="{}" y="{}" text-anchor="end">{}</text>{}'
                '<text class="bar-value" x="{}" y="{}">{}</text>',
                LABEL_WIDTH - 8,
                text_y,
                _label(cell.label),
                bar,
                LABEL_WIDTH + BAR_WIDTH + 8,
                text_y,
                cell.shown,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="presentation" aria-hidden="true" '
        'focusable="false" preserveAspectRatio="xMinYMin meet">{}</svg>',
        width,
        height,
        mark_safe("".join(rows)),  # noqa: S308 - every row was built with format_html
    )
