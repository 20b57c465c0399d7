"""Small server-side SVG charts: geometry computed here, drawn by templates.

Bar sizes are SVG attributes (allowed by the Content Security Policy, unlike style
attributes); each chart also has a data table as its text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    link: str | None = None


def columns(
    points: Sequence[tuple[Any, int]], *, width: int = 640, height: int = 160, gap: int = 2, widest: int = 40
) -> dict:
    """Vertical bars, one per (label, value), scaled to the highest value (at most ``widest`` px each)."""
    points = list(points)
    highest = max((v for _, v in points), default=0) or 1
    step = min(width / max(len(points), 1), widest)
    bars = [
        Bar(
            label=label,
            value=value,
            x=round(i * step + gap / 2, 2),
            y=round(height - height * value / highest, 2),
            width=round(max(step - gap, 1), 2),
            height=round(height * value / highest, 2),
        )
        for i, (label, value) in enumerate(points)
    ]
    return {"bars": bars, "width": width, "height": height, "highest": highest, "ticks": _ticks(bars, width)}


@dataclass
class Tick:
    label: Any
    x: float
    anchor: str  # SVG text-anchor


def _ticks(bars: list[Bar], width: int, room: float = 110) -> list[Tick]:
    """Axis labels under the bars: the first bar, each January (a new year) and the last bar, each
    ``room`` px wide (drawn leftwards near the right edge), kept only where it overlaps no other."""
    last = len(bars) - 1
    wanted = [0, *(i for i, bar in enumerate(bars) if 0 < i < last and getattr(bar.label, "month", None) == 1)]
    if last > 0:
        wanted.append(last)
    ticks: list[Tick] = []
    free_from = 0.0  # where the previous label ends
    for i in wanted:
        bar = bars[i]
        if bar.x + room <= width:
            tick, starts, ends = Tick(bar.label, bar.x, "start"), bar.x, bar.x + room
        else:
            right = round(bar.x + bar.width, 2)
            tick, starts, ends = Tick(bar.label, right, "end"), right - room, right
        if starts >= free_from or not ticks:
            ticks.append(tick)
            free_from = ends
    return ticks


def rows(
    points: Sequence[tuple[str, int]], *, width: int = 640, bar_height: int = 22, gap: int = 6, label_width: int = 220
) -> dict:
    """Horizontal bars after a label column, one per (label, value)."""
    points = list(points)
    highest = max((v for _, v in points), default=0) or 1
    room = width - label_width - 48
    bars = [
        Bar(
            label=label,
            value=value,
            x=label_width,
            y=i * (bar_height + gap),
            width=round(max(room * value / highest, 1), 2),
            height=bar_height,
        )
        for i, (label, value) in enumerate(points)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "label_width": label_width,
        "text_offset": bar_height * 0.7,
    }
