"""Bar charts as SVG, drawn by outillerie itself: no script, no outside resource, no inline style (the site's
Content-Security-Policy forbids them), only presentation attributes. Each chart is an image with a title
and a description; the page puts the same figures in a table right after it, for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 640
ROW = 26
LABEL_WIDTH = 250
VALUE_WIDTH = 90
BAR = "#1f5f8b"  # 7.0:1 on white
HIDDEN = "#6b6b6b"  # 5.3:1 on white
TEXT = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None when the figure is not published) and the text shown beside it."""

    label: str
    value: int | None
    shown: str


def bar_chart(bars: list[Bar], title: str, description: str, ident: str) -> str:
    """A horizontal bar chart; a bar whose figure is hidden is drawn as a dashed outline with its text."""
    height = max(1, len(bars)) * ROW + 10
    largest = max((bar.value or 0 for bar in bars), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{ident}-titre {ident}-desc" '
        f'font-family="Liberation Sans, Arial, sans-serif" font-size="13">',
        f'<title id="{ident}-titre">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for row, bar in enumerate(bars):
        y = row * ROW + 5
        label = bar.label if len(bar.label) <= 38 else bar.label[:37] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}">{escape(label)}</text>')
        if bar.value is not None and bar.value > 0:
            length = max(2, round(bar.value / largest * room))
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 8}" fill="{BAR}"/>')
            end = LABEL_WIDTH + length
        else:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="24" height="{ROW - 8}" fill="none" '
                         f'stroke="{HIDDEN}" stroke-dasharray="3 3"/>')
            end = LABEL_WIDTH + 24
        parts.append(f'<text x="{end + 6}" y="{y + 17}" fill="{TEXT}">{escape(bar.shown)}</text>')
    if not bars:
        parts.append(f'<text x="8" y="20" fill="{TEXT}">Aucune donnée pour l’instant.</text>')
    parts.append("</svg>")
    return "".join(parts)


def shown_number(value: int | str) -> str:
    """A figure as a French reader reads it: 1 234, or the words of a hidden cell."""
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else value
