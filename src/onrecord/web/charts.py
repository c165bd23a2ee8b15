"""Geometry for the server-rendered SVG charts: numbers in, rectangles out.

The templates draw these with autoescaped labels; no chart library, no script, no CDN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 180
PLOT_WIDTH = 420
LABEL_PX = 62  # room one YYYY-MM axis label needs at the chart's font size


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    href: str | None = None


def horizontal_bars(items: list[tuple[str, float, str | None]], plot_width: float = PLOT_WIDTH) -> dict[str, Any]:
    """One bar per (label, value, link), scaled to the largest value."""
    top = max((v for _, v, _ in items), default=0) or 1
    bars = [
        Bar(label, value, LABEL_WIDTH, i * (BAR_HEIGHT + BAR_GAP), value / top * plot_width, BAR_HEIGHT, href)
        for i, (label, value, href) in enumerate(items)
    ]
    height = len(items) * (BAR_HEIGHT + BAR_GAP)
    return {"bars": bars, "width": LABEL_WIDTH + plot_width + 60, "height": max(height, BAR_HEIGHT)}


def columns(
    items: list[tuple[str, float]],
    width: float = 640,
    height: float = 180,
    link: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """A column chart (articles per month): bars left to right, labels thinned to stay legible."""
    top = max((v for _, v in items), default=0) or 1
    n = max(len(items), 1)
    slot = (width - 40) / n
    bar_w = max(slot * 0.8, 1)
    every = max(1, math.ceil(LABEL_PX / slot))  # skip labels rather than let them overlap
    cols = []
    for i, (label, value) in enumerate(items):
        h = value / top * (height - 40)
        cols.append(
            {
                "label": label,
                "value": value,
                "x": 30 + i * slot + (slot - bar_w) / 2,
                "y": height - 24 - h,
                "width": bar_w,
                "height": h,
                "show_label": i % every == 0,
                "label_x": 30 + i * slot + slot / 2,
                "href": link(label) if link else None,
            }
        )
    return {"columns": cols, "width": width, "height": height, "top": top, "baseline": height - 24}


SHARE_PARTS = ("on_record", "anonymous", "other")
SHARE_NOTE_WIDTH = 150  # right of the bars: the on-record percentage and the count left out of the bar


def share_bars(rows: list[dict[str, Any]], plot_width: float = PLOT_WIDTH) -> dict[str, Any]:
    """Stacked 100% bars of the statements *with a source*, one per row (rows need a 'label').

    The bar has the denominator of the on-record share printed beside it (onrecord.figures: shares
    are of statements with a source), so the blue part's length is that percentage. Parts: on
    record, anonymous, and a source of any other kind. Statements without a source are not in the
    bar; each bar carries their count (``without_source``) to show beside it.
    """
    bars = []
    for i, row in enumerate(rows):
        with_source = row.get("statements_with_source") or 0
        on_record = row.get("on_record") or 0
        anonymous = row.get("anonymous") or 0
        counts = {"on_record": on_record, "anonymous": anonymous, "other": with_source - on_record - anonymous}
        y = i * (BAR_HEIGHT + BAR_GAP)
        parts = []
        x = float(LABEL_WIDTH)
        for part in SHARE_PARTS:
            w = counts[part] / with_source * plot_width if with_source else 0
            parts.append({"part": part, "x": x, "width": w, "value": counts[part]})
            x += w
        bars.append(
            {
                "label": row["label"],
                "y": y,
                "parts": parts,
                "row": row,
                "href": row.get("href"),
                "with_source": with_source,
                "without_source": (row.get("statements") or 0) - with_source,
            }
        )
    height = len(rows) * (BAR_HEIGHT + BAR_GAP)
    return {
        "bars": bars,
        "width": LABEL_WIDTH + plot_width + SHARE_NOTE_WIDTH,
        "note_x": LABEL_WIDTH + plot_width + 8,
        "height": max(height, BAR_HEIGHT),
        "bar_height": BAR_HEIGHT,
        "has_other": any(b["parts"][2]["value"] for b in bars),
        "has_without_source": any(b["without_source"] for b in bars),
    }
