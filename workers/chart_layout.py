"""Chart geometry without a drawing library: bars and labels as plain shapes, drawn as SVG (web) or PDF (reports).

Coordinates are SVG's: origin top left, y grows downwards, text ``y`` is the baseline. Every label is
plain text; whoever draws the shapes escapes it. Values of None ("unknown") get no bar, only a label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies, dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
INK = "#1f2933"
GRID = "#c8ced6"
FONT = 12.0
CHAR_W = 0.58  # average glyph width of a sans-serif font, in font sizes (for fitting labels)


@dataclass(frozen=True, slots=True)
class Rect:
    """A filled bar; ``label`` is its tooltip (the value in words)."""

    x: float
    y: float
    w: float
    h: float
    fill: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """An axis or grid line."""

    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID


@dataclass(frozen=True, slots=True)
class Text:
    """A label; ``anchor`` is start, middle or end."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    size: float = FONT
    bold: bool = False
    fill: str = INK


Shape = Rect | Line | Text


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawing: its size, a title and a description for screen readers, and the shapes."""

    width: float
    height: float
    title: str
    desc: str
    shapes: tuple[Shape, ...]


@dataclass(frozen=True, slots=True)
class Series:
    """One measure over the categories; None marks a value nobody knows."""

    name: str
    values: tuple[int | None, ...]
    colour: str = PALETTE[0]
    shown: tuple[str, ...] = ()  # the values as the reader's language writes them (defaults to str())

    def label(self, index: int, unknown: str) -> str:
        """Return how value ``index`` is written."""
        if self.values[index] is None:
            return unknown
        return self.shown[index] if self.shown else str(self.values[index])


def fit(text: str, width: float, size: float = FONT) -> str:
    """Return ``text`` cut with an ellipsis so that it fits ``width`` (estimated)."""
    room = max(1, int(width / (size * CHAR_W)))
    return text if len(text) <= room else text[: max(0, room - 1)].rstrip() + "…"


def nice_max(value: float) -> float:
    """Return a round number ≥ ``value`` for the end of a scale (1, 2, 2.5, 5 × 10ⁿ); 1 for nothing."""
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent  # pragma: no cover - the loop always returns


def column_panels(buckets: Sequence[str], series: Sequence[Series], *, title: str, desc: str, unknown: str,
                  width: float = 720.0, panel_h: float = 100.0,
                  number: Callable[[float], str] | None = None) -> Chart:
    """Return one column chart per series, stacked, each on its own scale (trend per week)."""
    left, right = 44.0, 8.0
    count = max(1, len(buckets))
    slot = (width - left - right) / count
    every = max(1, math.ceil(count * 5.5 * FONT * CHAR_W / (width - left - right)))  # thin out crowded labels
    shapes: list[Shape] = []
    top, base = 16.0, 0.0  # top: the baseline of a panel's name; room for value labels lies below it
    for item in series:
        known = [v for v in item.values if v is not None]
        scale = nice_max(max(known, default=0))
        plot_top = top + 18
        base = plot_top + panel_h
        shapes.append(Text(left, top, item.name, bold=True))
        shapes += [Line(left, base, width - right, base, INK), Line(left, plot_top, width - right, plot_top),
                   Text(left - 4, plot_top + 4, (number or _short)(scale), "end", FONT - 2),
                   Text(left - 4, base, "0", "end", FONT - 2)]
        for i, value in enumerate(item.values):
            x = left + i * slot + slot * 0.15
            if value is None:
                shapes.append(Text(x + slot * 0.35, base - 4, "?", "middle", FONT - 2))
                continue
            h = panel_h * value / scale
            shapes.append(Rect(x, base - h, slot * 0.7, h, item.colour, f"{buckets[i]}: {item.label(i, unknown)}"))
            if slot >= FONT * CHAR_W * (len(item.label(i, unknown)) + 1):
                shapes.append(Text(x + slot * 0.35, base - h - 3, item.label(i, unknown), "middle", FONT - 2))
        top = base + 34
    axis = base + 16
    for i, bucket in enumerate(buckets):
        if i % every == 0:
            shapes.append(Text(left + (i + 0.5) * slot, axis, bucket, "middle", FONT - 2))
    return Chart(width, axis + 6, title, desc, tuple(shapes))


def bar_panels(categories: Sequence[str], series: Sequence[Series], *, title: str, desc: str, unknown: str,
               width: float = 720.0, log: bool = False) -> Chart:
    """Return horizontal bars per category, one panel per series side by side, each on its own scale.

    ``log`` draws bar lengths on a logarithmic scale (a funnel spans several orders of magnitude);
    the caller says so in the description.
    """
    label_w = min(230.0, max(60.0, FONT * CHAR_W * max((len(c) for c in categories), default=4) + 18))
    panels = max(1, len(series))
    panel_w = (width - label_w) / panels
    row_h, top = 24.0, 26.0
    shapes: list[Shape] = []
    for row, category in enumerate(categories):
        shapes.append(Text(label_w - 8, top + row * row_h + 16, fit(category, label_w - 8), "end"))
    for p, item in enumerate(series):
        x0 = label_w + p * panel_w + 4
        room = panel_w - 16 - FONT * CHAR_W * max((len(item.label(i, unknown)) for i in range(len(categories))),
                                                  default=1)
        known = [v for v in item.values if v is not None]
        scale = math.log10(max(known, default=1) + 1) if log else nice_max(max(known, default=0))
        shapes += [Text(x0, top - 8, fit(item.name, panel_w - 8), bold=True),
                   Line(x0, top, x0, top + row_h * len(categories), INK)]
        for row, value in enumerate(item.values):
            y = top + row * row_h
            length = 0.0
            if value is not None and value > 0:
                length = max(1.5, room * (math.log10(value + 1) if log else value) / (scale or 1))
                shapes.append(Rect(x0, y + 4, length, row_h - 8, item.colour,
                                   f"{categories[row]}: {item.label(row, unknown)}"))
            shapes.append(Text(x0 + length + 4, y + 16, item.label(row, unknown), size=FONT - 1))
    return Chart(width, top + row_h * len(categories) + 6, title, desc, tuple(shapes))


def _short(value: float) -> str:
    """Return a scale end compactly ("2.5k", "10k"), language-neutral."""
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"
