"""The ageing buckets as an inline SVG bar chart, drawn on the server (no script, no external file).

The chart is markup (escaped by the template engine when it is built from values), so it prints,
reads offline and needs no JavaScript; each bar has a ``<title>`` that screen readers and tooltips show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from creditbox.domain.money import format_euro

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 640, 26, 10, 120, 130


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal
    count: int
    x: int
    y: int
    width: int
    text_y: int

    @property
    def title(self) -> str:
        return f"{self.label}: {format_euro(self.amount)} ({self.count} partite)"

    @property
    def value(self) -> str:
        return format_euro(self.amount)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def bar_chart(rows: list[tuple[str, Decimal, int]]) -> BarChart:
    """Horizontal bars, one per (label, amount, count), scaled to the largest amount."""
    largest = max((amount for _, amount, _ in rows), default=Decimal(0))
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, (label, amount, count) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        width = int(room * amount / largest) if largest > 0 else 0
        bars.append(Bar(label, amount, count, LABEL_WIDTH, y, max(width, 1 if amount > 0 else 0), y + BAR_HEIGHT - 8))
    return BarChart(WIDTH, GAP + len(rows) * (BAR_HEIGHT + GAP), LABEL_WIDTH, bars)
