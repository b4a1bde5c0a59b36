"""What a map draws and keys: attribution text, labels placed apart, keys, ward outlines, area classes, sites.

In: GeoDataFrames in EPSG:27700 and the map axes of a page (:func:`~anchor_analysis.figures.maps.page.new_map`).
Out: artists on that axes or page (each with a gid), and the texts of attributions and keys.

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from anchor_analysis.figures.maps.page import new_map
>>> wards = gpd.GeoDataFrame({"ward_name": ["Roundhay", "Adel & Wharfedale"]},
...                          geometry=[box(0, 0, 5000, 5000), box(5000, 0, 10_000, 5000)], crs=27700)
>>> fig, ax = new_map("Leeds: wards", bounds=wards.total_bounds)
>>> add_ward_outlines(ax, wards)
>>> ward_key(wards), [t.get_text() for t in ax.texts if t.get_gid() == "ward-label"]
(['1 Adel & Wharfedale', '2 Roundhay'], ['1', '2'])
>>> plt.close(fig)
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis import public
from anchor_analysis.figures.maps.page import (
    MIN_FONT,
    NO_DATA,
    SITE_STYLE,
    SYNTHETIC_TAG,
    WARD_EDGE,
    WITHHELD,
)

# --- attribution ---------------------------------------------------------------------------------------------


_OS_YEARS = re.compile(r"(Contains OS data © Crown copyright and database right) (\d{4})")


def compact_attribution(keys: Sequence[str]) -> str:
    """Return the attribution statements of public datasets without repeats.

    The statements (:func:`anchor_analysis.public.attribution`) are split into sentences, repeated sentences kept
    once, and the Ordnance Survey copyright statements of several years merged into one naming every year.

    Parameters
    ----------
    keys : sequence of str
        Keys of the public datasets registry; a repeated key counts once.

    Returns
    -------
    str
        The sentences, on one line.

    Examples
    --------
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
    """Return a map's attribution: a source line (tagged when synthetic), then the datasets' attribution statements.

    Parameters
    ----------
    keys : sequence of str
        Keys of the public datasets registry (see :func:`compact_attribution`).
    synthetic : bool, default False
        Tag the source line ``(SYNTHETIC demo data)``; without ``source`` the line reads "Staff and spend: ...".
    source : str, optional
        Where the mapped values come from.

    Returns
    -------
    str
        The source line (if any) and the statements, on two lines.

    Examples
    --------
    >>> print(attribution_text(["boundaries_wards"], synthetic=True, source="Demo network returns"))
    Source: Demo network returns (SYNTHETIC demo data).
    Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data \
© Crown copyright and database right 2022.
    """
    lines = []
    if source:
        tagged = synthetic and "SYNTHETIC" not in source
        lines.append(f"Source: {source}" + (f" {SYNTHETIC_TAG}" if tagged else "") + ".")
    elif synthetic:
        lines.append(f"Staff and spend: {SYNTHETIC_TAG}.")
    lines.append(compact_attribution(keys))
    return "\n".join(lines)


# --- labels and keys -----------------------------------------------------------------------------------------


def _halo(width: float = 2.5) -> list:
    """Path effects giving text a white outline of ``width`` points (readable on any fill)."""
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def place_labels(ax: Axes, xy: np.ndarray, texts: Sequence[str], fontsize: float, radius_pt: float = 12.0,
                 centre: tuple[float, float] | None = None, pad_pt: float = 2.0) -> list[tuple[float, float]]:
    """Find label positions near each point that keep labels apart (deterministic).

    Each label is tried first on the side of its point facing away from ``centre`` (default: the points' mean),
    then at other angles and longer distances, until its box overlaps no label placed before it and no point;
    the last try is used if none is free. Call once the axes limits are final.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes.
    xy : numpy.ndarray
        The points, shape ``(n, 2)``, in data coordinates.
    texts : sequence of str
        One label per point (may span lines).
    fontsize : float
        The labels' font size in points.
    radius_pt : float, default 12.0
        Distance from a point to its label's box, in points (grown 1.8 and 2.8 times when crowded).
    centre : tuple of float, optional
        The point labels face away from; default: the mean of the points.
    pad_pt : float, default 2.0
        Padding around each label's box, in points.

    Returns
    -------
    list of tuple of float
        The centre of each label in data coordinates.

    Examples
    --------
    >>> from anchor_analysis.figures.maps.page import new_map
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 20_000, 20_000))
    >>> points = np.array([[5000, 5000], [5100, 5000], [15000, 15000]])
    >>> positions = place_labels(ax, points, ["1", "2", "3"], fontsize=9)
    >>> len(positions), len(set(positions))
    (3, 3)
    >>> plt.close(fig)
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
    """Write text lines in ``ncols`` columns from ``top`` down, under an optional bold title.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The page.
    lines : sequence of str
        The key's lines, filled column by column.
    top : float
        Where the key starts (figure fraction).
    title : str, optional
        A bold heading above the lines.
    ncols : int, default 3
        Columns.
    x0, width : float, default 0.04 and 0.92
        Left edge and width of the key (figure fractions).
    fontsize : float, default 8.5
        Font size of the lines.
    gid : str, default "key"
        The gid of every text drawn.

    Returns
    -------
    float
        The lowest y used (figure fraction).

    Examples
    --------
    >>> from anchor_analysis.figures.maps.page import new_map
    >>> fig, ax = new_map("Leeds")
    >>> bottom = draw_key(fig, ["1 Adel", "2 Armley", "3 Beeston"], 0.3, title="Wards", ncols=2)
    >>> round(float(bottom), 3), [t.get_text() for t in fig.texts if t.get_gid() == "key"]
    (0.257, ['Wards', '1 Adel', '2 Armley', '3 Beeston'])
    >>> plt.close(fig)
    """
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


# --- wards ---------------------------------------------------------------------------------------------------


def add_ward_outlines(ax: Axes, wards: gpd.GeoDataFrame, labels: bool | str = "numbers", fontsize: float = MIN_FONT,
                      colour: str = WARD_EDGE) -> None:
    """Draw ward boundaries (a dark line on a white halo, visible on any fill), numbered or named.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes.
    wards : geopandas.GeoDataFrame
        Ward polygons with ``ward_name``.
    labels : {"numbers", "names", False}, default "numbers"
        ``"numbers"`` numbers the wards 1..n in name order at a point inside each (:func:`ward_key` lists the
        names), ``"names"`` writes wrapped names (crowded in a city centre), ``False`` none.
    fontsize : float, default 8.0
        Font size of the labels (numbers one point larger).
    colour : str, default WARD_EDGE
        Colour of the boundary line.

    Examples
    --------
    >>> from anchor_analysis.figures.maps.page import new_map
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Roundhay", "Adel & Wharfedale"]},
    ...                          geometry=[box(0, 0, 5000, 5000), box(5000, 0, 10_000, 5000)], crs=27700)
    >>> fig, ax = new_map("Leeds", bounds=wards.total_bounds)
    >>> add_ward_outlines(ax, wards, labels="names")
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "ward-label"]
    ['Adel\\n& Wharfedale', 'Roundhay']
    >>> plt.close(fig)
    """
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
    """List the wards as ``"1 Adel & Wharfedale"``, ..., in the numbering of ``add_ward_outlines(labels="numbers")``.

    Parameters
    ----------
    wards : geopandas.GeoDataFrame
        Ward polygons (or any frame) with ``ward_name``.

    Returns
    -------
    list of str
        One line per ward, in name order.

    Examples
    --------
    >>> import pandas as pd
    >>> ward_key(pd.DataFrame({"ward_name": ["Roundhay", "Adel & Wharfedale"]}))
    ['1 Adel & Wharfedale', '2 Roundhay']
    """
    names = sorted(wards["ward_name"])
    return [f"{i} {name}" for i, name in enumerate(names, start=1)]


# --- area classes --------------------------------------------------------------------------------------------


def _bounds(*layers: gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    """The bounds ``(minx, miny, maxx, maxy)`` of every non-empty layer together."""
    boxes = np.array([layer.total_bounds for layer in layers if layer is not None and len(layer)])
    return boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()


def _colours(cmap: str, n: int) -> list:
    """``n`` colours evenly along ``cmap``, its palest and darkest ends left out."""
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
    """Legend entries for withheld and no-data areas, each with its count (``area``: the singular word, e.g.
    "ward", or "" for a bare count)."""
    what = f"Withheld: under {threshold} staff, or would reveal one" if threshold else "Withheld (disclosure)"

    def count(n: int) -> str:
        return _plural(n, area) if area else str(n)

    return [Patch(label=f"{what} ({count(n_withheld)})", **WITHHELD),
            Patch(label=f"No data ({count(n_missing)})", **NO_DATA)]


def _plural(n: int, word: str) -> str:
    """``"1 ward"``, ``"2 wards"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- sites ---------------------------------------------------------------------------------------------------


def add_sites(ax: Axes, sites: gpd.GeoDataFrame, numbers: Sequence[int] | None = None,
              fontsize: float = MIN_FONT + 0.5) -> None:
    """Draw anchor sites as blue dots, optionally numbered (labels placed clear of each other).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes, its limits final when numbering.
    sites : geopandas.GeoDataFrame
        Site points; missing and empty geometries are left out.
    numbers : sequence of int, optional
        One label per located site (see :func:`~anchor_analysis.figures.maps.layers.place_labels`).
    fontsize : float, default 8.5
        Font size of the numbers.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import Point
    >>> from anchor_analysis.figures.maps.page import new_map
    >>> sites = gpd.GeoDataFrame(geometry=[Point(500, 500), Point(7500, 1500), None], crs=27700)
    >>> fig, ax = new_map("Sites", bounds=(0, 0, 8000, 2000))
    >>> add_sites(ax, sites, numbers=[1, 2])
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "site-label"]
    ['1', '2']
    >>> plt.close(fig)
    """
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
