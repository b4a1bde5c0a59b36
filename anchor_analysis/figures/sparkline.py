"""A small trend chart for a table row: a commitment's values, its straight-line path and its projection.

In: the years and values, the baseline and target points, the projection and its interval. Out: an inline SVG
(about 36 mm by 11 mm in print) in the house palette (Okabe-Ito: the values blue, the projection orange, the
path grey and dashed, so no line depends on colour alone), with ``role="img"`` and its alt text as ``<title>``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from anchor_analysis.figures.style import CONNECTOR_COLOUR, OKABE_ITO

WIDTH, HEIGHT, PAD = 136.0, 40.0, 4.0
"""The chart's size and inner margin, in CSS pixels."""
VALUES_COLOUR = OKABE_ITO["blue"]
PROJECTION_COLOUR = OKABE_ITO["orange"]
PATH_COLOUR = CONNECTOR_COLOUR


def trend_sparkline(years: Sequence[int], values: Sequence[float], *, baseline: tuple[int, float],
                    target: tuple[int, float], projection: tuple[float, float, float] | None = None,
                    alt: str) -> str:
    """An inline SVG trend chart of one commitment.

    Parameters
    ----------
    years, values : sequence
        The yearly values (the baseline year's included).
    baseline, target : tuple of (int, float)
        The year and value the path starts from, and where it ends.
    projection : tuple of float, optional
        ``(projected, low, high)`` at the target year; NaN bounds draw no band.
    alt : str
        The chart's text alternative (its ``<title>`` and ``aria-label``).

    Returns
    -------
    str
        ``<svg ...>...</svg>``.

    Examples
    --------
    >>> svg = trend_sparkline([2019, 2020, 2021], [1.7, 2.0, 2.3], baseline=(2019, 1.7), target=(2030, 2.7),
    ...                       projection=(3.0, 2.5, 3.5), alt="Procurement: 1.70 to 2.30")
    >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Procurement: 1.70 to 2.30"')
    True
    >>> svg.count("<polyline"), "<title>Procurement: 1.70 to 2.30</title>" in svg
    (1, True)
    """
    points = [(y, v) for y, v in zip(years, values, strict=True) if not _missing(v)]
    xs = [baseline[0], target[0], *(y for y, _ in points)]
    ys = [baseline[1], target[1], *(v for _, v in points)]
    band = projection if projection and not any(_missing(p) for p in projection) else None
    if projection and not _missing(projection[0]):
        ys.append(projection[0])
    if band:
        ys += [band[1], band[2]]
    scale = _Scale(min(xs), max(xs), min(ys), max(ys))
    parts = [f'<line x1="{scale.x(baseline[0]):.1f}" y1="{scale.y(baseline[1]):.1f}" x2="{scale.x(target[0]):.1f}" '
             f'y2="{scale.y(target[1]):.1f}" stroke="{PATH_COLOUR}" stroke-width="1.2" stroke-dasharray="3 2"/>',
             f'<circle cx="{scale.x(target[0]):.1f}" cy="{scale.y(target[1]):.1f}" r="2.6" fill="white" '
             f'stroke="{PATH_COLOUR}" stroke-width="1.2"/>']
    if band and points:
        last = points[-1]
        corners = [(last[0], last[1]), (target[0], band[2]), (target[0], band[1])]
        parts.append(f'<polygon points="{_coords(scale, corners)}" fill="{PROJECTION_COLOUR}" fill-opacity="0.18"/>')
    if projection and not _missing(projection[0]) and points:
        last = points[-1]
        parts.append(f'<line x1="{scale.x(last[0]):.1f}" y1="{scale.y(last[1]):.1f}" x2="{scale.x(target[0]):.1f}" '
                     f'y2="{scale.y(projection[0]):.1f}" stroke="{PROJECTION_COLOUR}" stroke-width="1.4" '
                     'stroke-dasharray="1 1.6"/>')
    if points:
        parts.append(f'<polyline points="{_coords(scale, points)}" fill="none" stroke="{VALUES_COLOUR}" '
                     'stroke-width="1.6"/>')
        parts += [f'<circle cx="{scale.x(y):.1f}" cy="{scale.y(v):.1f}" r="1.6" fill="{VALUES_COLOUR}"/>'
                  for y, v in points]
    label = html.escape(alt, quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" width="{WIDTH:.0f}" '
            f'height="{HEIGHT:.0f}" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" class="sparkline"><title>{label}</title>'
            + "".join(parts) + "</svg>")


def _missing(value: float | None) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _coords(scale: _Scale, points: Sequence[tuple[float, float]]) -> str:
    """SVG ``points`` of (year, value) pairs."""
    return " ".join(f"{scale.x(x):.1f},{scale.y(y):.1f}" for x, y in points)


class _Scale:
    """Years and values to the chart's pixels (a flat range is drawn mid-height)."""

    def __init__(self, x0: float, x1: float, y0: float, y1: float):
        """The data ranges to map onto the chart's inner box."""
        self.x0, self.x1, self.y0, self.y1 = x0, x1 if x1 > x0 else x0 + 1, y0, y1

    def x(self, year: float) -> float:
        """A year's horizontal position."""
        return PAD + (WIDTH - 2 * PAD) * (year - self.x0) / (self.x1 - self.x0)

    def y(self, value: float) -> float:
        """A value's vertical position (larger values higher)."""
        if self.y1 == self.y0:
            return HEIGHT / 2
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - self.y0) / (self.y1 - self.y0)
