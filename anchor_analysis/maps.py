"""Maps of the place in one house style: deprivation, priority neighbourhoods, staff rates, spend, anchor sites.

Every map is drawn in British National Grid (EPSG:27700, metres) on an A4 portrait page and has a title, a
legend with a title, a scale bar, a north arrow, a caption and the attribution statements of the public data it
uses (Open Government Licence). Choropleths of counts or rates take their class breaks from
:func:`pooled_breaks`, computed once from every year's values, so the maps of different years share one scale.
Areas withheld by disclosure control are drawn hatched grey and areas without data white with dots, each with
its own legend entry, and the caption counts them.

Output is deterministic: :func:`save_map` writes PNG and SVG with a fixed SVG hash salt and no dates.

>>> breaks = pooled_breaks([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=3)  # two years' values, one set of classes
>>> breaks.bins
(2.7, 4.3, 6.0)
>>> breaks.labels("{:.1f}")
['1.0 to 2.7', 'over 2.7 to 4.3', 'over 4.3 to 6.0']
>>> breaks.classify([1.0, 3.0, float("nan"), 6.0]).tolist()
[0, 1, -1, 2]
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

from . import public
from .config import fy_label
from .plots import save_figure, show_figure

if TYPE_CHECKING:
    import geopandas as gpd


A4_PORTRAIT = (8.27, 11.69)
"""Figure size of every map (inches): A4 portrait."""
MIN_FONT = 8.0
SVG_HASHSALT = "anchor-analysis"
DPI = 150

DECILE_CMAP = "viridis"
"""IMD deciles: dark purple = most deprived (decile 1) to yellow = least; perceptually uniform, colour-blind safe
and monotone in lightness (readable in greyscale)."""
SEQUENTIAL_CMAP = "YlGnBu"
"""Counts, rates, spend: pale = low, dark blue = high; monotone in lightness and unlike the grey of withheld."""
WITHHELD = {"facecolor": "#bdbdbd", "edgecolor": "#525252", "hatch": "////", "linewidth": 0.3}
NO_DATA = {"facecolor": "white", "edgecolor": "#737373", "hatch": "...", "linewidth": 0.3}
WARD_EDGE = "#252525"
PN_FILL = "#D55E00"
"""Priority neighbourhoods: Okabe-Ito vermillion, unmistakable on the grey background."""
PN_EDGE = "#000000"
SITE_STYLE = {"marker": "o", "markersize": 6.5, "markerfacecolor": "#0072B2", "markeredgecolor": "white",
              "markeredgewidth": 1.0, "linestyle": "none"}
SYNTHETIC_TAG = "(SYNTHETIC demo data)"

GID_TITLE, GID_LEGEND, GID_SCALE, GID_NORTH, GID_ATTRIBUTION, GID_CAPTION = (
    "map-title", "map-legend", "scale-bar", "north-arrow", "attribution", "caption")

# page layout (figure fractions): title band, map box, below-map band, footer
_MAP_BOX = (0.04, 0.42, 0.92, 0.485)
_TITLE_Y = 0.975


# --- style -------------------------------------------------------------------------------------------------


def map_rc() -> dict:
    """rc parameters of the maps: DejaVu Sans (bundled with matplotlib), no font below 8 pt, fixed SVG salt."""
    return {
        "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "font.size": 9.0,
        "axes.titlesize": 11.0, "legend.fontsize": 9.0, "legend.title_fontsize": 9.5,
        "xtick.labelsize": 8.0, "ytick.labelsize": 8.0, "text.color": "#1a1a1a",
        "hatch.linewidth": 0.6, "hatch.color": "edge",
        "figure.facecolor": "white", "savefig.facecolor": "white", "figure.dpi": 100, "savefig.dpi": DPI,
        "svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "pdf.fonttype": 42,
        "path.simplify": True,
    }


@contextlib.contextmanager
def map_style() -> Iterator[None]:
    """Context manager: draw in the map style without changing the session defaults."""
    with mpl.rc_context(map_rc()):
        yield


def save_map(fig: Figure, output_dir: str | Path, name: str) -> list[Path]:
    """Write ``<output_dir>/<name>.png`` and ``.svg`` deterministically (byte-identical on re-runs)."""
    return save_figure(fig, output_dir, name)


def show_map(fig: Figure, output_dir: str | Path, name: str, width: int = 700) -> list[Path]:
    """Save ``fig`` with :func:`save_map`, close it and display the saved PNG in a notebook (so the exported
    report embeds exactly the published image and renders offline). Returns the written paths."""
    return show_figure(fig, output_dir, name, width=width)


# --- class breaks --------------------------------------------------------------------------------------------


def _nice(value: float, digits: int = 2, how: str = "round") -> float:
    """``value`` to ``digits`` significant figures (``how``: round, ceil or floor)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    scale = 10 ** (math.floor(math.log10(abs(value))) - digits + 1)
    op = {"round": round, "ceil": math.ceil, "floor": math.floor}[how]
    return float(op(value / scale) * scale)


@dataclass(frozen=True)
class ClassBreaks:
    """Class breaks shared by several maps: class ``i`` holds values in ``(bins[i-1], bins[i]]``.

    ``lower`` is the smallest pooled value (the first class starts there); values outside ``[lower, bins[-1]]``
    are an error, because breaks are meant to be computed from every map's values.
    """

    bins: tuple[float, ...]
    lower: float
    scheme: str
    n_values: int

    @property
    def k(self) -> int:
        return len(self.bins)

    def classify(self, values: Iterable[float]) -> np.ndarray:
        """Class index per value (0 = lowest class); -1 for missing values."""
        import mapclassify

        y = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce"), dtype=float)
        out = np.full(len(y), -1, dtype=np.int64)
        ok = ~np.isnan(y)
        if ok.any():
            above = y[ok] > self.bins[-1] + 1e-9 * max(1.0, abs(self.bins[-1]))
            below = y[ok] < self.lower - 1e-9 * max(1.0, abs(self.lower))
            if above.any() or below.any():
                raise ValueError(f"values outside the pooled class range {self.lower:g}..{self.bins[-1]:g}: compute "
                                 "the breaks from every map's values with pooled_breaks")
            out[ok] = mapclassify.UserDefined(y[ok], bins=list(self.bins), lowest=self.lower).yb
        return out

    def labels(self, fmt: str = "{:,.0f}") -> list[str]:
        """Legend labels, e.g. ``["0 to 20", "over 20 to 50", ...]``."""
        labels = []
        for i, upper in enumerate(self.bins):
            if i == 0:
                labels.append(f"{fmt.format(self.lower)} to {fmt.format(upper)}")
            else:
                labels.append(f"over {fmt.format(self.bins[i - 1])} to {fmt.format(upper)}")
        return labels


def pooled_breaks(values: Iterable, k: int = 5, scheme: str = "quantiles", digits: int = 2) -> ClassBreaks:
    """Class breaks computed once from the values of every year (or any set of maps) to be compared.

    ``values``: a Series or array, or an iterable of them (one per year); missing values are ignored.
    ``scheme``: a deterministic mapclassify scheme: ``quantiles``, ``fisher_jenks`` or ``equal_interval``. Inner
    breaks are rounded to ``digits`` significant figures for readable legends; the top break is the pooled maximum
    rounded up, so every pooled value falls in a class. Pass the result to each map.
    """
    import mapclassify

    if scheme not in ("quantiles", "fisher_jenks", "equal_interval"):
        raise ValueError(f"scheme must be quantiles, fisher_jenks or equal_interval, not {scheme!r}")
    parts = [values] if isinstance(values, (pd.Series, np.ndarray)) else list(values)
    if parts and np.isscalar(parts[0]):
        parts = [np.asarray(parts, dtype=float)]
    flat = np.concatenate([np.asarray(pd.to_numeric(pd.Series(np.asarray(p, dtype=object).ravel()),
                                                    errors="coerce"), dtype=float) for p in parts]) if parts else []
    y = np.asarray(flat, dtype=float)
    y = y[~np.isnan(y)]
    if len(y) == 0:
        raise ValueError("no values to compute class breaks from")
    lower, upper = float(y.min()), float(y.max())
    if lower == upper:
        return ClassBreaks((upper,), lower, scheme, len(y))
    k = max(1, min(k, len(np.unique(y))))
    raw = mapclassify.classify(y, scheme, k=k).bins
    inner = sorted({_nice(float(b), digits) for b in raw[:-1] if lower <= _nice(float(b), digits) < upper})
    top = max(_nice(upper, digits, "ceil"), upper)
    bins = tuple(b for b in inner if b < top) + (top,)
    return ClassBreaks(bins, lower, scheme, len(y))


# --- page furniture ------------------------------------------------------------------------------------------


def _wrap(text: str, width_in: float, fontsize: float) -> str:
    chars = max(30, int(width_in * 72 / (fontsize * 0.55)))
    return "\n".join(textwrap.fill(line, chars) if line else "" for line in text.split("\n"))


def _no_redraw(*args, **kwargs) -> None:
    return None


def _quiet_figure(figsize: tuple[float, float]) -> Figure:
    """A figure that does not redraw itself while layers are added.

    geopandas' ``plot()`` asks the canvas to redraw (``draw_idle``) after every layer; on the non-interactive
    canvases of notebooks, Papermill and scripts that renders the whole figure each time, so a 14-panel map was
    rendered about a hundred times before it was saved. Saving or displaying a figure always renders it in
    full, so nothing is lost; :func:`_draws_once` gives the canvas its redraw back before the figure is returned.
    """
    fig = plt.figure(figsize=figsize)
    fig.canvas.draw_idle = _no_redraw
    return fig


def _draws_once(make_map):
    """Decorator for the map functions: build on a :func:`_quiet_figure`, hand back an ordinary figure."""

    @functools.wraps(make_map)
    def wrapper(*args, **kwargs):
        result = make_map(*args, **kwargs)
        fig = result[0] if isinstance(result, tuple) else result
        fig.canvas.__dict__.pop("draw_idle", None)
        return result

    return wrapper


def new_map(title: str, subtitle: str | None = None, bounds: Sequence[float] | None = None,
            figsize: tuple[float, float] = A4_PORTRAIT) -> tuple[Figure, Axes]:
    """An A4 page with a title, an optional subtitle and an equal-aspect map axes (no ticks) over ``bounds``."""
    fig, ax = _new_map(title, subtitle, bounds, figsize)
    fig.canvas.__dict__.pop("draw_idle", None)
    return fig, ax


def _new_map(title: str, subtitle: str | None = None, bounds: Sequence[float] | None = None,
             figsize: tuple[float, float] = A4_PORTRAIT) -> tuple[Figure, Axes]:
    fig = _quiet_figure(figsize)
    width = figsize[0] * 0.92
    title_text = _wrap(title, width, 14 * 1.12)
    fig.text(0.04, _TITLE_Y, title_text, ha="left", va="top", fontsize=14, fontweight="bold", gid=GID_TITLE)
    y = _TITLE_Y - (title_text.count("\n") + 1) * 14 * 1.25 / 72 / figsize[1] - 0.006
    if subtitle:
        fig.text(0.04, y, _wrap(subtitle, width, 10), ha="left", va="top", fontsize=10, color="#333333",
                 gid="subtitle")
    ax = fig.add_axes(_MAP_BOX)
    ax.set_axis_off()
    if bounds is not None:
        _frame(ax, bounds)
    return fig, ax


def _frame(ax: Axes, bounds: Sequence[float], pad: float = 0.02) -> None:
    """Limits showing ``bounds`` (plus room below for the scale bar) at 1:1 in the axes' box."""
    minx, miny, maxx, maxy = bounds
    dx, dy = maxx - minx, maxy - miny
    minx, maxx = minx - dx * pad, maxx + dx * pad
    miny, maxy = miny - dy * 0.10, maxy + dy * pad
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    box_aspect = (box.height * fig_h) / (box.width * fig_w)
    dx, dy = maxx - minx, maxy - miny
    if dy / dx < box_aspect:  # too wide: grow the height about the centre
        grow = dx * box_aspect - dy
        miny, maxy = miny - grow / 2, maxy + grow / 2
    else:
        grow = dy / box_aspect - dx
        minx, maxx = minx - grow / 2, maxx + grow / 2
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")


def add_scale_bar(ax: Axes, length_m: float | None = None, location: tuple[float, float] = (0.04, 0.04),
                  middle_label: bool = True) -> None:
    """A black-and-white scale bar in kilometres at ``location`` (axes fraction) of a map in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    if length_m is None:
        target = width / 5
        length_m = max(s for s in (500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000) if s <= max(target, 500))
    x = x0 + location[0] * width
    y = y0 + location[1] * (y1 - y0)
    height = (y1 - y0) * 0.008
    half = length_m / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x + i * half, y), half, height, facecolor=colour, edgecolor="black", linewidth=0.8,
                               zorder=20, gid=GID_SCALE))
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for value in (0, half, length_m) if middle_label else (0, length_m):
        label = f"{value / 1000:g}" + (" km" if value == length_m else "")
        ax.text(x + value, y + height * 1.8, label, ha="center", va="bottom", fontsize=MIN_FONT + 0.5, zorder=20,
                gid=GID_SCALE, path_effects=halo)


def add_north_arrow(ax: Axes, location: tuple[float, float] = (0.04, 0.88)) -> None:
    """A north arrow (grid north of British National Grid, within 1° of true north here) with an "N"."""
    x, y = location
    ax.add_patch(FancyArrow(x, y, 0, 0.07, width=0.010, head_width=0.03, head_length=0.03,
                            length_includes_head=True, transform=ax.transAxes, facecolor="black",
                            edgecolor="black", zorder=20, gid=GID_NORTH))
    ax.text(x, y - 0.008, "N", transform=ax.transAxes, ha="center", va="top", fontsize=12, fontweight="bold",
            zorder=20, gid=GID_NORTH)


_OS_YEARS = re.compile(r"(Contains OS data © Crown copyright and database right) (\d{4})")


def compact_attribution(keys: Sequence[str]) -> str:
    """The attribution statements of ``keys`` (:func:`anchor_analysis.public.attribution`) without repeats.

    Statements are split into sentences, repeated sentences kept once, and the Ordnance Survey copyright
    statements of several years merged into one naming every year.

    >>> print(compact_attribution(["boundaries_lsoa21", "boundaries_wards"]))
    Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data \
© Crown copyright and database right 2021, 2022.
    """
    text = public.attribution(list(dict.fromkeys(keys)))
    sentences: list[str] = []
    os_years: list[str] = []
    os_at: int | None = None
    for line in text.split("\n"):
        for part in re.split(r"(?<=\.)\s+(?=[A-Z])|;\s+", line):
            part = part.strip().rstrip(".")
            if not part:
                continue
            part = part[0].upper() + part[1:]
            found = _OS_YEARS.fullmatch(part)
            if found:
                os_years.append(found.group(2))
                if os_at is None:
                    os_at = len(sentences)
                    sentences.append(found.group(1))
                continue
            if part not in sentences:
                sentences.append(part)
    if os_at is not None:
        sentences[os_at] = f"{sentences[os_at]} {', '.join(sorted(set(os_years)))}"
    return " ".join(f"{s}." for s in sentences)


def attribution_text(keys: Sequence[str], synthetic: bool = False, source: str | None = None) -> str:
    """Source line (tagged when synthetic) plus the compacted attribution statements of the datasets ``keys``."""
    lines = []
    if source:
        tagged = synthetic and "SYNTHETIC" not in source
        lines.append(f"Source: {source}" + (f" {SYNTHETIC_TAG}" if tagged else "") + ".")
    elif synthetic:
        lines.append(f"Staff and spend: {SYNTHETIC_TAG}.")
    lines.append(compact_attribution(keys))
    return "\n".join(lines)


def _text_height(fig: Figure, artist) -> float:
    """Height of a text or legend artist in figure fraction (drawn with the figure's renderer)."""
    renderer = fig.canvas.get_renderer()
    box = artist.get_window_extent(renderer)
    return box.height / (fig.get_figheight() * fig.dpi)


def finish_map(fig: Figure, ax: Axes, *, handles: Sequence, legend_title: str, attribution: str,
               caption: str | None = None, ncol: int = 2, extra=None) -> Figure:
    """Legend below the map, scale bar, north arrow, caption and attribution footer.

    ``extra(fig, top, bottom)`` draws a table or key in the band between the legend and the caption (figure
    fractions) and returns the lowest y it used.
    """
    width = fig.get_figwidth() * 0.92
    top = _MAP_BOX[1] - 0.008
    legend = fig.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(0.035, top),
                        ncol=ncol, frameon=False, fontsize=9, title_fontsize=9.5, alignment="left",
                        handlelength=2.2, handleheight=1.4, columnspacing=1.6, borderaxespad=0.0)
    legend.set_gid(GID_LEGEND)
    legend.get_title().set_fontweight("bold")
    legend_bottom = top - _text_height(fig, legend)
    footer = fig.text(0.04, 0.012, _wrap(attribution, width, MIN_FONT), ha="left", va="bottom", fontsize=MIN_FONT,
                      color="#404040", gid=GID_ATTRIBUTION)
    footer_top = 0.012 + _text_height(fig, footer)
    if caption:
        note = fig.text(0.04, footer_top + 0.008, _wrap(caption, width, 9), ha="left", va="bottom", fontsize=9,
                        color="#1a1a1a", gid=GID_CAPTION)
        footer_top += 0.008 + _text_height(fig, note)
    if extra is not None:
        used = extra(fig, legend_bottom - 0.015, footer_top + 0.012)
        if used < footer_top:
            raise ValueError("the map's table or key does not fit above its caption: shorten it")
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.set_xlabel("")  # geopandas labels the axes "Easting [metre]" etc.; the map has no axes to label
    ax.set_ylabel("")
    return fig


def _halo(width: float = 2.5) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def place_labels(ax: Axes, xy: np.ndarray, texts: Sequence[str], fontsize: float, radius_pt: float = 12.0,
                 centre: tuple[float, float] | None = None, pad_pt: float = 2.0) -> list[tuple[float, float]]:
    """Label positions (data coordinates) near each point of ``xy`` that keep labels apart (deterministic).

    Each label is tried first on the side of its point facing away from ``centre`` (default: the points' mean),
    then at other angles and longer distances, until its box overlaps no label placed before it and no point;
    the last try is used if none is free. Call once the axes limits are final.
    """
    fig = ax.figure
    ax.apply_aspect()
    to_px = ax.transData
    points = to_px.transform(np.asarray(xy, dtype=float).reshape(-1, 2))
    scale = fig.dpi / 72
    cx, cy = points.mean(axis=0) if centre is None else to_px.transform([centre])[0]
    frame = ax.get_window_extent()
    placed: list[tuple[float, float, float, float]] = []
    out = []
    steps = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6]
    for (px, py), text in zip(points, texts, strict=True):
        lines = str(text).split("\n")
        w = (max(len(line) for line in lines) * 0.62 + 1.0) * fontsize * scale + 2 * pad_pt * scale
        h = (len(lines) * 1.2 + 0.3) * fontsize * scale + 2 * pad_pt * scale
        base = math.atan2(py - cy, px - cx) if math.hypot(px - cx, py - cy) > 1 else math.pi / 2
        choice = None
        for factor in (1.0, 1.8, 2.8):
            for k in steps:
                angle = base + k * math.pi / 6
                r = radius_pt * scale * factor
                lx = px + math.cos(angle) * (r + w / 2)
                ly = py + math.sin(angle) * (r + h / 2)
                box = (lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2)
                choice = (lx, ly, box)
                inside = frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1] and box[3] <= frame.y1
                clear = not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed)
                free = not any(box[0] - 2 < qx < box[2] + 2 and box[1] - 2 < qy < box[3] + 2 for qx, qy in points)
                if inside and clear and free:
                    break
            else:
                continue
            break
        assert choice is not None
        lx, ly, box = choice
        placed.append(box)
        out.append(tuple(to_px.inverted().transform((lx, ly))))
    return out


def draw_key(fig: Figure, lines: Sequence[str], top: float, *, title: str | None = None, ncols: int = 3,
             x0: float = 0.04, width: float = 0.92, fontsize: float = MIN_FONT + 0.5, gid: str = "key") -> float:
    """Text lines in ``ncols`` columns from ``top`` down (figure fractions); returns the lowest y used."""
    line_h = fontsize * 1.3 / 72 / fig.get_figheight()
    y = top
    if title:
        fig.text(x0, y, title, ha="left", va="top", fontsize=9.5, fontweight="bold", gid=gid)
        y -= 9.5 * 1.5 / 72 / fig.get_figheight()
    per_col = math.ceil(len(lines) / ncols) if lines else 0
    for i, line in enumerate(lines):
        column, row = divmod(i, per_col)
        fig.text(x0 + column * width / ncols, y - row * line_h, line, ha="left", va="top", fontsize=fontsize,
                 gid=gid)
    return y - per_col * line_h


def add_ward_outlines(ax: Axes, wards: gpd.GeoDataFrame, labels: bool | str = "numbers", fontsize: float = MIN_FONT,
                      colour: str = WARD_EDGE) -> None:
    """Ward boundaries (a dark line on a white halo, visible on any fill). ``labels="numbers"`` numbers the wards
    1..n in name order at a point inside each (:func:`ward_key` lists the names), ``"names"`` writes wrapped
    names (crowded in a city centre), ``False`` none."""
    wards.boundary.plot(ax=ax, color="white", linewidth=1.8, zorder=4)
    wards.boundary.plot(ax=ax, color=colour, linewidth=0.8, zorder=5)
    if not labels:
        return
    ordered = wards.sort_values("ward_name", ignore_index=True)
    for i, row in ordered.iterrows():
        point = row.geometry.representative_point()
        text = str(i + 1) if labels == "numbers" else _ward_label(row["ward_name"])
        ax.text(point.x, point.y, text, ha="center", va="center", fontsize=fontsize + (1 if labels == "numbers"
                                                                                        else 0),
                fontweight="bold" if labels == "numbers" else "normal", color="#1a1a1a", zorder=15,
                linespacing=0.95, path_effects=_halo(2.8), gid="ward-label")


def _ward_label(name: str) -> str:
    """Ward names broken over lines at "&" and "and" so they fit inside the ward."""
    parts = re.split(r"\s+(?=&|and\b)", name)
    lines = []
    for part in parts:
        lines.extend(textwrap.wrap(part, 14) or [part])
    return "\n".join(lines)


def ward_key(wards: gpd.GeoDataFrame) -> list[str]:
    """``"1 Adel & Wharfedale"``... in the numbering of ``add_ward_outlines(labels="numbers")``."""
    names = sorted(wards["ward_name"])
    return [f"{i} {name}" for i, name in enumerate(names, start=1)]


def _bounds(*layers: gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    boxes = np.array([layer.total_bounds for layer in layers if layer is not None and len(layer)])
    return boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()


def _colours(cmap: str, n: int) -> list:
    colormap = plt.get_cmap(cmap)
    if n == 1:
        return [colormap(0.6)]
    return [colormap(0.08 + 0.84 * i / (n - 1)) for i in range(n)]


def _plot_classes(ax: Axes, layer: gpd.GeoDataFrame, classes: np.ndarray, colours: Sequence, withheld: np.ndarray,
                  edge: str = "white", linewidth: float = 0.2) -> None:
    """Fill ``layer`` by class index (-1 = no data), withheld areas hatched grey."""
    no_data = (classes < 0) & ~withheld
    for index, colour in enumerate(colours):
        part = layer[(classes == index) & ~withheld]
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor=edge, linewidth=linewidth, zorder=2)
    if withheld.any():
        layer[withheld].plot(ax=ax, zorder=2, **WITHHELD)
    if no_data.any():
        layer[no_data].plot(ax=ax, zorder=2, **NO_DATA)


def _special_handles(area: str, n_withheld: int, n_missing: int, threshold: int | None) -> list[Patch]:
    what = f"Withheld: under {threshold} staff, or would reveal one" if threshold else "Withheld (disclosure)"
    unit = f" {area}" if area else ""
    return [Patch(label=f"{what} ({n_withheld}{unit})", **WITHHELD),
            Patch(label=f"No data ({n_missing}{unit})", **NO_DATA)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- the maps ----------------------------------------------------------------------------------------------


def _ward_key_extra(wards: gpd.GeoDataFrame | None, labels: bool | str, after=None):
    """An ``extra`` for :func:`finish_map` drawing the ward key (when wards are numbered), then ``after``."""
    def draw(fig: Figure, top: float, bottom: float) -> float:
        y = top
        if wards is not None and labels == "numbers":
            y = draw_key(fig, ward_key(wards), top, title="Wards", ncols=4 if len(wards) > 24 else 3,
                         fontsize=MIN_FONT, gid="ward-key") - 0.012
        return after(fig, y, bottom) if after is not None else y
    return draw


@_draws_once
def imd_decile_map(lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, edition: int, *, place_name: str = "Leeds",
                   attribution: str, ward_labels: bool | str = "numbers", title: str | None = None,
                   caption: str | None = None) -> Figure:
    """LSOAs coloured by national IMD decile (1 = most deprived 10% in England) with ward outlines and names.

    ``lsoas``: the LSOA layer of the edition with ``imd_decile`` (:func:`anchor_analysis.geo.lsoa_layer`). Wards
    are numbered on the map and named in a key below it (``ward_labels="names"`` writes names on the map).
    """
    with map_style():
        title = title or f"{place_name}: neighbourhoods by national deprivation decile, IMD {edition}"
        n1 = int((lsoas["imd_decile"] == 1).sum())
        subtitle = (f"{n1} of the {len(lsoas)} LSOAs in {place_name} are in the most deprived 10% of England "
                    f"(decile 1). LSOA {2011 if edition == 2019 else 2021} boundaries, with ward outlines.")
        fig, ax = _new_map(title, subtitle, _bounds(lsoas, wards))
        colours = _colours(DECILE_CMAP, 10)
        decile = pd.to_numeric(lsoas["imd_decile"], errors="coerce")
        classes = np.where(decile.notna(), decile.fillna(0).astype(int) - 1, -1)
        _plot_classes(ax, lsoas, classes, colours, np.zeros(len(lsoas), dtype=bool), linewidth=0.15)
        add_ward_outlines(ax, wards, ward_labels)
        counts = decile.value_counts()
        handles: list = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.3,
                               label=f"{d}{' most deprived' if d == 1 else ' least deprived' if d == 10 else ''}"
                                     f" ({int(counts.get(d, 0))})")
                         for d, c in zip(range(1, 11), colours, strict=True)]
        n_missing = int((classes < 0).sum())
        handles.append(Patch(label=f"No data ({n_missing} LSOAs)", **NO_DATA))
        handles.append(Line2D([], [], color=WARD_EDGE, linewidth=0.8, label="Ward boundary (number: see key)"))
        caption = caption or (f"Deciles rank every LSOA in England (IMD {edition}); decile 1 is the most deprived "
                              "10%. Deciles of different IMD editions are not comparable.")
        finish_map(fig, ax, handles=handles, legend_title=f"National IMD {edition} decile (number of LSOAs)",
                   attribution=attribution, caption=caption, ncol=3, extra=_ward_key_extra(wards, ward_labels))
    return fig


def label_neighbourhoods(ax: Axes, clusters: gpd.GeoDataFrame, fontsize: float = 10.0,
                         radius_pt: float = 16.0) -> None:
    """Rank numbers in circles beside each neighbourhood, joined to it by a leader line (small ones stay
    visible)."""
    if not len(clusters):
        return
    points = [g.representative_point() for g in clusters.geometry]
    xy = np.array([(p.x, p.y) for p in points])
    texts = [str(r) for r in clusters["rank"]]
    for (x, y), (lx, ly), text in zip(xy, place_labels(ax, xy, texts, fontsize, radius_pt), texts, strict=True):
        ax.annotate(text, (x, y), xytext=(lx, ly), textcoords="data", ha="center", va="center", fontsize=fontsize,
                    fontweight="bold", zorder=17, gid="pn-label",
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "black",
                          "linewidth": 1.0},
                    arrowprops={"arrowstyle": "-", "color": "black", "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0})


def _outline(ax: Axes, shapes: gpd.GeoDataFrame, width: float = 1.6) -> None:
    """A black outline on a white halo (visible on dark and light fills)."""
    shapes.boundary.plot(ax=ax, color="white", linewidth=width + 1.6, zorder=6)
    shapes.boundary.plot(ax=ax, color=PN_EDGE, linewidth=width, zorder=7)


@_draws_once
def priority_neighbourhoods_map(clusters: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame,
                                edition: int, *, rule: str, attribution: str, place_name: str = "Leeds",
                                title: str | None = None) -> Figure:
    """Priority neighbourhoods filled, outlined and numbered by rank over a pale deprivation map, with a table."""
    with map_style():
        title = title or f"{place_name}: priority neighbourhoods, IMD {edition}"
        subtitle = (f"The {len(clusters)} priority neighbourhoods, numbered by rank (1 = most deprived), over the "
                    f"LSOAs in national IMD {edition} deciles 1 to 3.")
        fig, ax = _new_map(title, subtitle, _bounds(lsoas, wards))
        decile = pd.to_numeric(lsoas["imd_decile"], errors="coerce").fillna(10)
        pale = {1: "#bdbdbd", 2: "#e0e0e0", 3: "#e0e0e0"}
        lsoas.plot(ax=ax, color=[pale.get(int(d), "white") for d in decile], edgecolor="#d0d0d0", linewidth=0.15,
                   zorder=1)
        add_ward_outlines(ax, wards, labels=False, colour="#8c8c8c")
        fill = PN_FILL
        clusters.plot(ax=ax, facecolor=fill, edgecolor="none", zorder=5)
        _outline(ax, clusters)
        label_neighbourhoods(ax, clusters)
        handles = [Patch(facecolor=fill, edgecolor=PN_EDGE, linewidth=1.6, label="Priority neighbourhood (rank)"),
                   Patch(facecolor="#bdbdbd", edgecolor="#d0d0d0", label=f"Other LSOAs in IMD {edition} decile 1"),
                   Patch(facecolor="#e0e0e0", edgecolor="#d0d0d0", label="LSOAs in deciles 2 and 3"),
                   Patch(facecolor="white", edgecolor="#d0d0d0", label="LSOAs in deciles 4 to 10"),
                   Line2D([], [], color="#8c8c8c", linewidth=0.8, label="Ward boundary")]

        def table(fig: Figure, top: float, bottom: float) -> float:
            return neighbourhood_table(fig, clusters, top)

        finish_map(fig, ax, handles=handles, legend_title="Legend", attribution=attribution,
                   caption=f"Rule: {rule}", ncol=2, extra=table)
    return fig


def neighbourhood_table(fig: Figure, clusters: gpd.GeoDataFrame, top: float) -> float:
    """The neighbourhoods as a table: rank, name, LSOAs, population, score; returns the lowest y used."""
    columns = (("Rank", 0.04, "left"), ("Neighbourhood (ward)", 0.10, "left"), ("LSOAs", 0.72, "right"),
               ("Population", 0.85, "right"), ("IMD score*", 0.96, "right"))
    rows = [[str(r.rank), textwrap.shorten(str(r.name), 62, placeholder="..."), f"{r.n_lsoas}",
             f"{r.population:,}", f"{r.pop_weighted_score:.1f}"] for r in clusters.itertuples()]
    line = 9 * 1.45 / 72 / fig.get_figheight()
    for i, row in enumerate([[c[0] for c in columns], *rows]):
        for (_, x, ha), value in zip(columns, row, strict=True):
            fig.text(x, top - i * line, value, ha=ha, va="top", fontsize=9, fontweight="bold" if i == 0 else "normal",
                     gid="pn-table")
    y = top - (len(rows) + 1) * line
    fig.text(0.04, y, "* population-weighted IMD score of the neighbourhood's LSOAs (higher = more deprived)",
             ha="left", va="top", fontsize=MIN_FONT, color="#404040", gid="pn-table")
    return y - line


@_draws_once
def choropleth_map(layer: gpd.GeoDataFrame, column: str, breaks: ClassBreaks, *, title: str, subtitle: str | None,
                   legend_title: str, attribution: str, caption: str = "", wards: gpd.GeoDataFrame | None = None,
                   withheld: pd.Series | np.ndarray | None = None, area_word: str = "area",
                   threshold: int | None = None, fmt: str = "{:,.0f}", ward_labels: bool | str = "numbers",
                   sites: gpd.GeoDataFrame | None = None, priority: gpd.GeoDataFrame | None = None,
                   disclosure: bool = True) -> Figure:
    """A choropleth of ``column`` on pooled ``breaks``, withheld areas hatched grey, missing dotted white.

    ``withheld`` (bool per row) marks areas withheld by disclosure control (their value must be missing); other
    missing values are "no data". The caption gets the number of each appended. ``disclosure=False`` (maps of
    values that are not counts of people, e.g. spend) drops the withheld legend entry.
    """
    with map_style():
        fig, ax = _new_map(title, subtitle, _bounds(layer, wards))
        values = pd.to_numeric(layer[column], errors="coerce").astype("float64")
        hidden = np.zeros(len(layer), dtype=bool) if withheld is None else np.asarray(withheld, dtype=bool)
        classes = breaks.classify(values.where(~hidden))
        colours = _colours(SEQUENTIAL_CMAP, breaks.k)
        _plot_classes(ax, layer, classes, colours, hidden, linewidth=0.15)
        if wards is not None:
            add_ward_outlines(ax, wards, ward_labels)
        handles: list = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=label)
                         for c, label in zip(colours, breaks.labels(fmt), strict=True)]
        n_hidden, n_missing = int(hidden.sum()), int(((classes < 0) & ~hidden).sum())
        special = _special_handles(_plural(2, area_word).split(" ", 1)[1], n_hidden, n_missing, threshold)
        handles += special if disclosure else special[1:]
        if wards is not None:
            handles.append(Line2D([], [], color=WARD_EDGE, linewidth=0.8,
                                  label="Ward boundary" + (" (number: see key)" if ward_labels == "numbers" else "")))
        if priority is not None and len(priority):
            _outline(ax, priority, 1.4)  # outlined only: the priority neighbourhood map numbers and names them
            handles.append(Patch(facecolor="none", edgecolor=PN_EDGE, linewidth=1.4,
                                 label="Priority neighbourhood"))
        if sites is not None and len(sites):
            add_sites(ax, sites)
            handles.append(Line2D([], [], label="Anchor main site", **SITE_STYLE))
        counted = ((f"{_plural(n_hidden, area_word)} withheld by disclosure control; " if disclosure else "")
                   + f"{_plural(n_missing, area_word)} with no data. ")
        finish_map(fig, ax, handles=handles, legend_title=legend_title, attribution=attribution,
                   caption=(counted + caption).strip(), ncol=2, extra=_ward_key_extra(wards, ward_labels))
    return fig


def staff_rate_map(layer: gpd.GeoDataFrame, breaks: ClassBreaks, year: int, *, attribution: str, threshold: int,
                   wards: gpd.GeoDataFrame | None = None, place_name: str = "Leeds", level: str = "ward",
                   synthetic: bool = False, priority: gpd.GeoDataFrame | None = None,
                   sites: gpd.GeoDataFrame | None = None, anchor_label: str = "network anchors",
                   ward_labels: bool | str = "numbers", lsoa_year: int = 2021) -> Figure:
    """Staff living in each area per 1,000 working-age residents in ``year`` (a published, suppressed table).

    ``layer``: area polygons with ``rate_per_1000`` and ``suppressed`` (from
    :func:`anchor_analysis.geo.publish_counts`); ``breaks`` from :func:`pooled_breaks` over every year.
    """
    tag = "SYNTHETIC demo data. " if synthetic else ""
    area = "LSOA" if level == "lsoa" else level
    withheld = layer["suppressed"].fillna("").astype(str).ne("").to_numpy()
    return choropleth_map(
        layer, "rate_per_1000", breaks,
        title=f"{place_name}: where staff of {anchor_label} live, {fy_label(year)}",
        subtitle=f"{tag}Staff per 1,000 working-age residents, by {area}. The classes are the same for every year "
                 f"({breaks.scheme.replace('_', ' ')} of all years' values), so maps of different years compare.",
        legend_title="Staff per 1,000 working-age residents", attribution=attribution, wards=wards,
        withheld=withheld, area_word=area, threshold=threshold, fmt="{:,.0f}", ward_labels=ward_labels,
        priority=priority, sites=sites,
        caption=("Working-age residents (18-59/64): IoD2019 mid-2015 estimates"
                 + (" apportioned to 2021 LSOAs." if level != "lsoa" or lsoa_year == 2021 else ".")))


def spend_by_ward_map(layer: gpd.GeoDataFrame, breaks: ClassBreaks, year: int, *, attribution: str,
                      wards: gpd.GeoDataFrame | None = None, place_name: str = "Leeds", synthetic: bool = False,
                      priority: gpd.GeoDataFrame | None = None, note: str = "",
                      ward_labels: bool | str = "numbers", what: str = "influenceable spend") -> Figure:
    """Ledger spend (``what``) with suppliers located in each ward in ``year`` (GBP million), pooled breaks."""
    tag = "SYNTHETIC demo data. " if synthetic else ""
    what_cap = what[0].upper() + what[1:]
    layer = layer.assign(spend_m=pd.to_numeric(layer["spend"], errors="coerce") / 1e6)
    return choropleth_map(
        layer, "spend_m", breaks,
        title=f"{place_name}: where anchors' {what} lands, {fy_label(year)}",
        subtitle=f"{tag}{what_cap} with suppliers whose postcode is in each ward (GBP million). "
                 "The classes are the same for every year, so maps of different years compare.",
        legend_title=f"{what_cap} with suppliers in the ward (GBP million)", attribution=attribution, wards=wards,
        area_word="ward", threshold=None, fmt="{:,.1f}", ward_labels=ward_labels, priority=priority,
        disclosure=False, caption=("Suppliers located by their postcode's ward (NSPL). " + note).strip())


@_draws_once
def anchor_small_multiples_map(layers: dict[str, gpd.GeoDataFrame], column: str, breaks: ClassBreaks, year: int, *,
                               attribution: str, threshold: int, place_name: str = "Leeds", synthetic: bool = False,
                               what: str = "Staff living in each ward", ncols: int = 4) -> Figure:
    """One small map per anchor (``layers``: label -> ward polygons with ``column`` and ``suppressed``), classes
    shared by every panel and year; withheld wards hatched grey, counted per panel and in the caption."""
    with map_style():
        tag = "SYNTHETIC demo data. " if synthetic else ""
        fig = _quiet_figure(A4_PORTRAIT)
        fig.text(0.04, _TITLE_Y, f"{place_name}: where each anchor's staff live, {fy_label(year)}", ha="left",
                 va="top", fontsize=14, fontweight="bold", gid=GID_TITLE)
        fig.text(0.04, _TITLE_Y - 0.03, _wrap(f"{tag}{what}, per anchor. The classes are the same for every anchor "
                                              "and year.", A4_PORTRAIT[0] * 0.92, 10),
                 ha="left", va="top", fontsize=10, color="#333333", gid="subtitle")
        labels = list(layers)
        nrows = max(1, math.ceil(len(labels) / ncols))
        top, bottom_of_grid = 0.90, 0.30
        cell_h = (top - bottom_of_grid) / nrows
        cell_w = 0.92 / ncols
        colours = _colours(SEQUENTIAL_CMAP, breaks.k)
        n_hidden_total = n_missing_total = 0
        first_ax = None
        for i, label in enumerate(labels):
            layer = layers[label]
            row, col = divmod(i, ncols)
            ax = fig.add_axes((0.04 + col * cell_w, top - (row + 1) * cell_h + 0.005, cell_w - 0.01,
                               cell_h - 0.025))
            ax.set_axis_off()
            _frame(ax, layer.total_bounds)
            hidden = layer["suppressed"].fillna("").astype(str).ne("").to_numpy()
            values = pd.to_numeric(layer[column], errors="coerce").astype("float64")
            classes = breaks.classify(values.where(~hidden))
            _plot_classes(ax, layer, classes, colours, hidden, edge="#525252", linewidth=0.25)
            n_hidden, n_missing = int(hidden.sum()), int(((classes < 0) & ~hidden).sum())
            n_hidden_total += n_hidden
            n_missing_total += n_missing
            ax.set_title(f"{textwrap.shorten(label, 26, placeholder='...')}\n{n_hidden} withheld", fontsize=MIN_FONT,
                         loc="left", pad=2)
            ax.set_xlabel("")
            ax.set_ylabel("")
            first_ax = first_ax or ax
        handles: list = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=lab)
                         for c, lab in zip(colours, breaks.labels("{:,.0f}"), strict=True)]
        handles += _special_handles("", n_hidden_total, n_missing_total, threshold)
        legend = fig.legend(handles=handles, title=what, loc="upper left",
                            bbox_to_anchor=(0.035, bottom_of_grid - 0.01), ncol=2, frameon=False, fontsize=9,
                            title_fontsize=9.5, alignment="left", handlelength=2.2, handleheight=1.4,
                            borderaxespad=0.0)
        legend.set_gid(GID_LEGEND)
        legend.get_title().set_fontweight("bold")
        footer = fig.text(0.04, 0.012, _wrap(attribution, A4_PORTRAIT[0] * 0.92, MIN_FONT), ha="left", va="bottom",
                          fontsize=MIN_FONT, color="#404040", gid=GID_ATTRIBUTION)
        caption = (f"{n_hidden_total} anchor-ward counts withheld by disclosure control (under {threshold} staff, or "
                   "would reveal one from the published ward and anchor totals); "
                   f"{n_missing_total} with no data.")
        fig.text(0.04, 0.012 + _text_height(fig, footer) + 0.008, _wrap(caption, A4_PORTRAIT[0] * 0.92, 9),
                 ha="left", va="bottom", fontsize=9, gid=GID_CAPTION)
        if first_ax is not None:
            # scale bar and north arrow on an empty axes of a panel's size and scale, right of the legend
            furniture = fig.add_axes((0.04 + (ncols - 1) * cell_w, bottom_of_grid - cell_h * 0.75, cell_w - 0.01,
                                      cell_h - 0.025))
            furniture.set_axis_off()
            furniture.set_xlim(first_ax.get_xlim())
            furniture.set_ylim(first_ax.get_ylim())
            furniture.set_aspect("equal", adjustable="box")
            add_scale_bar(furniture, length_m=10_000, location=(0.05, 0.55), middle_label=False)
            add_north_arrow(furniture, location=(0.85, 0.45))
    return fig


def add_sites(ax: Axes, sites: gpd.GeoDataFrame, numbers: Sequence[int] | None = None,
              fontsize: float = MIN_FONT + 0.5) -> None:
    """Anchor sites as blue dots; ``numbers`` labels each (placed clear of each other, see :func:`place_labels`)."""
    located = sites[sites.geometry.notna() & ~sites.geometry.is_empty]
    ax.plot(located.geometry.x, located.geometry.y, zorder=18, gid="sites", **SITE_STYLE)
    if numbers is None or not len(located):
        return
    xy = np.column_stack([located.geometry.x, located.geometry.y])
    texts = [str(n) for n in numbers]
    for (x, y), (lx, ly), text in zip(xy, place_labels(ax, xy, texts, fontsize, radius_pt=5), texts, strict=True):
        ax.annotate(text, (x, y), xytext=(lx, ly), textcoords="data", ha="center", va="center", fontsize=fontsize,
                    fontweight="bold", zorder=19, path_effects=_halo(2.5), gid="site-label",
                    arrowprops={"arrowstyle": "-", "color": "#404040", "linewidth": 0.6, "shrinkA": 1,
                                "shrinkB": 3})


@_draws_once
def anchor_sites_map(sites: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, *, attribution: str,
                     labels: Sequence[str] | None = None, place_name: str = "Leeds", synthetic: bool = False,
                     inset_km: float = 5.0) -> Figure:
    """Anchor main sites as numbered points over the wards, with a city-centre inset and a key."""
    with map_style():
        tag = "SYNTHETIC demo data. " if synthetic else ""
        located = sites[sites.geometry.notna() & ~sites.geometry.is_empty].reset_index(drop=True)
        names = list(labels) if labels is not None else [str(v) for v in sites.get("site_name", sites.index)]
        names = [n for n, ok in zip(names, ~(sites.geometry.isna() | sites.geometry.is_empty), strict=True) if ok]
        numbers = list(range(1, len(located) + 1))
        n_missing = len(sites) - len(located)
        fig, ax = _new_map(f"{place_name}: anchor institution sites",
                          f"{tag}{len(located)} main sites located by postcode (NSPL postcode centroid)"
                          + (f"; {n_missing} not located." if n_missing else "."), _bounds(wards))
        wards.plot(ax=ax, color="#f7f7f7", edgecolor="none", zorder=1)
        add_ward_outlines(ax, wards, labels=False)
        handles = [Line2D([], [], label="Anchor main site (number: see key)", **SITE_STYLE),
                   Line2D([], [], color=WARD_EDGE, linewidth=0.8, label="Ward boundary")]
        if not len(located):
            add_sites(ax, located)
            finish_map(fig, ax, handles=handles, legend_title="Legend", attribution=attribution, ncol=2)
            return fig
        cx, cy = float(np.median(located.geometry.x)), float(np.median(located.geometry.y))
        half = inset_km * 500
        in_box = ((located.geometry.x - cx).abs() <= half) & ((located.geometry.y - cy).abs() <= half * 0.75)
        outside = located[~in_box.to_numpy()]
        add_sites(ax, located[in_box.to_numpy()])
        add_sites(ax, outside, numbers=[n for n, inside in zip(numbers, in_box, strict=True) if not inside])
        ax.add_patch(Rectangle((cx - half, cy - half * 0.75), 2 * half, 1.5 * half, facecolor="none",
                               edgecolor="black", linewidth=1.0, linestyle="--", zorder=19, gid="inset-box"))
        handles.append(Patch(facecolor="none", edgecolor="black", linestyle="--", label="City-centre inset"))

        def inset_and_key(fig: Figure, top: float, bottom: float) -> float:
            height = min(top - bottom, 0.30)
            box = (0.04, top - height, 0.50, height)
            inset = fig.add_axes(box)
            inset.set_xlim(cx - half, cx + half)
            inset.set_ylim(cy - half * 0.75, cy + half * 0.75)
            inset.set_aspect("equal", adjustable="box")
            wards.plot(ax=inset, color="#f7f7f7", edgecolor="none", zorder=1)
            add_ward_outlines(inset, wards, labels=False)
            inset.set_xlim(cx - half, cx + half)
            inset.set_ylim(cy - half * 0.75, cy + half * 0.75)
            inset.set_xticks([])
            inset.set_yticks([])
            inset.set_xlabel("")
            inset.set_ylabel("")
            add_sites(inset, located[in_box.to_numpy()],
                      numbers=[n for n, inside in zip(numbers, in_box, strict=True) if inside])
            add_scale_bar(inset, location=(0.05, 0.05))
            inset.set_title(f"City centre ({inset_km:g} km across)", fontsize=9, loc="left")
            key = [f"{n}  {textwrap.shorten(name, 28, placeholder='...')}" for n, name in zip(numbers, names,
                                                                                               strict=True)]
            low = draw_key(fig, key, top, title="Sites", ncols=1, x0=0.58, width=0.38, gid="site-key")
            return min(low, top - height)

        finish_map(fig, ax, handles=handles, legend_title="Legend", attribution=attribution, ncol=3,
                   extra=inset_and_key)
    return fig


# --- inspection (for tests and checks) -------------------------------------------------------------------------


def map_elements(fig: Figure) -> dict[str, list]:
    """The artists of each piece of map furniture by gid: title, legend, scale bar, north arrow, attribution."""
    found: dict[str, list] = {GID_TITLE: [], GID_LEGEND: [], GID_SCALE: [], GID_NORTH: [], GID_ATTRIBUTION: [],
                              GID_CAPTION: []}
    for artist in fig.findobj():
        gid = artist.get_gid()
        if gid in found:
            found[gid].append(artist)
    return found


def font_sizes(fig: Figure) -> list[float]:
    """Font sizes of every visible text on the figure (to check legibility)."""
    return [t.get_fontsize() for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()]
