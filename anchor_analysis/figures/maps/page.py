"""The map page: A4 style, frame, scale bar, north arrow, legend, caption, attribution and ward key.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Patch, Rectangle

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis import public
from anchor_analysis.figures.style import save_figure, show_figure

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
