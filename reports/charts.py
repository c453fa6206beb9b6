"""SVG charts of the products, drawn in Python: deterministic output, every label escaped.

Each function returns `markupsafe.Markup` holding one `<svg>` element, embedded inline in the templates.
Coordinates are in SVG user units (the templates scale the chart to the text width).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from reports.formatting import MONTHS, integer

FONT = "Liberation Sans, DejaVu Sans, sans-serif"
INK = "#1B2733"
MUTED = "#5B6775"
GRID = "#D5DBE3"
PRIMARY = "#1F4E79"
ACCENT = "#C0504D"


def text(value: object) -> str:
    """Escape for SVG text and attributes (the charts' only way of writing a label)."""
    return escape(str(value), quote=True)


def number(value: float) -> str:
    """Coordinates with one decimal, so the same input always gives the same bytes."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def svg(width: float, height: float, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {number(width)} '
        f'{number(height)}" width="{number(width)}" height="{number(height)}" role="img" '
        f'font-family="{FONT}"><title>{text(title)}</title>{"".join(body)}</svg>'
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    value_format: Callable[[float], str] = integer,
    width: float = 660,
    label_width: float = 210,
    bar_height: float = 15,
    gap: float = 6,
    colour: str = PRIMARY,
) -> Markup:
    """Horizontal bars, one per (label, value), in the given order; the value is written at the bar's end."""
    if not items:
        return svg(width, 30, [f'<text x="0" y="20" font-size="11" fill="{MUTED}">No data</text>'], title)
    largest = max(value for _, value in items) or 1
    value_room = 70
    plot = width - label_width - value_room
    body = []
    for row, (label, value) in enumerate(items):
        y = row * (bar_height + gap)
        length = max(plot * value / largest, 0.5 if value else 0)
        body.append(
            f'<text x="{number(label_width - 8)}" y="{number(y + bar_height * 0.72)}" font-size="10.5" '
            f'text-anchor="end" fill="{INK}">{text(shorten(label, 36))}</text>'
            f'<rect x="{number(label_width)}" y="{number(y)}" width="{number(length)}" '
            f'height="{number(bar_height)}" fill="{colour}"/>'
            f'<text x="{number(label_width + length + 5)}" y="{number(y + bar_height * 0.72)}" '
            f'font-size="10.5" fill="{INK}">{text(value_format(value))}</text>'
        )
    height = len(items) * (bar_height + gap) - gap + 2
    body.append(f'<line x1="{number(label_width)}" y1="0" x2="{number(label_width)}" y2="{number(height)}" '
                f'stroke="{MUTED}" stroke-width="0.8"/>')
    return svg(width, height, body, title)


def nice_step(largest: float, ticks: int = 4) -> float:
    """A whole round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` grid lines."""
    if largest <= 0:
        return 1
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if raw <= step and step == int(step):  # counts are whole: no 2.5 steps
            return max(step, 1)
    return 10 * magnitude


def period_label(period: str, *, daily: bool) -> str:
    """"2017-10-02" -> "2 Oct"; "2017-10" -> "Oct 2017"."""
    parts = period.split("-")
    try:
        month = MONTHS[int(parts[1]) - 1][:3]
    except (IndexError, ValueError):
        return period
    if daily and len(parts) == 3:
        return f"{int(parts[2])} {month}"
    return f"{month} {parts[0]}"


def column_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    width: float = 660,
    height: float = 230,
    colour: str = PRIMARY,
) -> Markup:
    """The timeline: one column per period ("YYYY-MM-DD" days or "YYYY-MM" months), a y axis of round
    steps, and period labels thinned out so they never overlap."""
    if not points:
        return svg(width, 30, [f'<text x="0" y="20" font-size="11" fill="{MUTED}">No data</text>'], title)
    left, right, top, bottom = 44, 8, 10, 34
    plot_width, plot_height = width - left - right, height - top - bottom
    largest = max(value for _, value in points)
    step = nice_step(largest)
    top_value = max(step * math.ceil(largest / step), step)
    body = []
    tick = 0.0
    while tick <= top_value + 1e-9:
        y = top + plot_height - plot_height * tick / top_value
        body.append(
            f'<line x1="{left}" y1="{number(y)}" x2="{number(width - right)}" y2="{number(y)}" '
            f'stroke="{GRID}" stroke-width="0.8"/>'
            f'<text x="{left - 6}" y="{number(y + 3.5)}" font-size="10" text-anchor="end" '
            f'fill="{MUTED}">{text(integer(tick) if step >= 1 else tick)}</text>'
        )
        tick += step
    slot = plot_width / len(points)
    daily = len(points[0][0]) > 7
    label_every = max(1, math.ceil(58 / slot))  # about 58 units per label
    for index, (period, value) in enumerate(points):
        x = left + index * slot
        bar = plot_height * value / top_value
        if value:
            body.append(
                f'<rect x="{number(x + slot * 0.12)}" y="{number(top + plot_height - bar)}" '
                f'width="{number(slot * 0.76)}" height="{number(bar)}" fill="{colour}"/>'
            )
        if index % label_every == 0:
            body.append(
                f'<line x1="{number(x + slot / 2)}" y1="{number(top + plot_height)}" x2="{number(x + slot / 2)}" '
                f'y2="{number(top + plot_height + 4)}" stroke="{MUTED}" stroke-width="0.8"/>'
                f'<text x="{number(x + slot / 2)}" y="{number(top + plot_height + 16)}" font-size="10" '
                f'text-anchor="middle" fill="{MUTED}">{text(period_label(str(period), daily=daily))}</text>'
            )
    body.append(
        f'<line x1="{left}" y1="{number(top + plot_height)}" x2="{number(width - right)}" '
        f'y2="{number(top + plot_height)}" stroke="{MUTED}" stroke-width="1"/>'
    )
    return svg(width, height, body, title)
