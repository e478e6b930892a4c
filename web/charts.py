"""Charts as inline SVG markup, drawn on the server from the shapes of workers.chart_layout (no JavaScript).

Every text is escaped here, so a channel or vacancy name cannot inject markup. Colours are presentation
attributes, never ``style``: the Content-Security-Policy allows no inline styles. The figures are
also in the ``<desc>`` and in the tables next to each chart.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from workers.chart_layout import Chart, Line, Rect, Shape, Text

_IDENT = re.compile(r"[a-z][a-z0-9-]{0,40}")


class BadChartIdError(ValueError):
    """A chart id that is not a short lowercase name (it becomes part of element ids)."""


def _n(value: float) -> str:
    """Return a coordinate compactly ("12.5", "3")."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shape(shape: Shape) -> str:
    if isinstance(shape, Rect):
        tooltip = f"<title>{escape(shape.label)}</title>" if shape.label else ""
        return (f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" height="{_n(shape.h)}" '
                f'fill="{escape(shape.fill)}">{tooltip}</rect>')
    if isinstance(shape, Line):
        return (f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}" '
                f'stroke="{escape(shape.stroke)}" stroke-width="1"/>')
    assert isinstance(shape, Text)
    weight = ' font-weight="bold"' if shape.bold else ""
    return (f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" text-anchor="{escape(shape.anchor)}" '
            f'font-size="{_n(shape.size)}" fill="{escape(shape.fill)}"{weight}>{escape(shape.text)}</text>')


def svg(chart: Chart, ident: str) -> Markup:
    """Return ``chart`` as an accessible ``<svg>`` element; ``ident`` (e.g. "trend") prefixes its element ids."""
    if not _IDENT.fullmatch(ident):
        raise BadChartIdError(f"chart id {ident!r} is not a short lowercase name")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-{ident}" '
            f'viewBox="0 0 {_n(chart.width)} {_n(chart.height)}" role="img" aria-label="{escape(chart.title)}" '
            f'aria-describedby="chart-{ident}-desc" font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
            f'<title>{escape(chart.title)}</title><desc id="chart-{ident}-desc">{escape(chart.desc)}</desc>')
    return Markup(head + "".join(_shape(shape) for shape in chart.shapes) + "</svg>")
