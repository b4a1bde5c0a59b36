"""The maps of the network's anchors: their main sites, and one small map per anchor of where its staff live.

In: GeoDataFrames in EPSG:27700 (sites, ward polygons per anchor) and pooled class breaks
(:func:`~anchor_analysis.figures.maps.breaks.pooled_breaks`). Out: one A4 map page per call.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis.core.years import fy_label
from anchor_analysis.figures.maps.breaks import ClassBreaks
from anchor_analysis.figures.maps.layers import (
    _bounds,
    _colours,
    _plot_classes,
    _special_handles,
    add_sites,
    add_ward_outlines,
    draw_key,
)
from anchor_analysis.figures.maps.page import (
    _TITLE_Y,
    A4_PORTRAIT,
    GID_ATTRIBUTION,
    GID_CAPTION,
    GID_LEGEND,
    GID_TITLE,
    MIN_FONT,
    SEQUENTIAL_CMAP,
    SITE_STYLE,
    WARD_EDGE,
    _draws_once,
    _frame,
    _new_map,
    _quiet_figure,
    _text_height,
    _wrap,
    add_north_arrow,
    add_scale_bar,
    finish_map,
    map_style,
)

# --- the maps of anchors -------------------------------------------------------------------------------------


_GRID_TOP, _GRID_BOTTOM = 0.90, 0.30
"""Figure fractions between which the small-multiples panels sit (legend, caption and attribution go below)."""


@_draws_once
def anchor_small_multiples_map(layers: dict[str, gpd.GeoDataFrame], column: str, breaks: ClassBreaks, year: int, *,
                               attribution: str, threshold: int, place_name: str = "Leeds", synthetic: bool = False,
                               what: str = "Staff living in each ward", ncols: int = 4) -> Figure:
    """Draw one small map per anchor, the classes shared by every panel and year.

    Withheld wards are hatched grey and counted per panel and in the caption. The panels fill a grid of ``ncols``
    columns; below it come the legend, with the scale bar and north arrow (on the first panel's scale) to its
    right, then the caption and the attribution.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        Anchor label -> ward polygons with ``column`` and ``suppressed`` (non-empty: withheld).
    column : str
        The mapped counts.
    breaks : ClassBreaks
        Pooled over every anchor and year.
    year : int
        The financial year (2023 = 2023/24).
    attribution : str
        The footer.
    threshold : int
        The disclosure threshold, named in the legend and caption.
    place_name : str, default "Leeds"
        Named in the title.
    synthetic : bool, default False
        Say so in the subtitle.
    what : str, default "Staff living in each ward"
        The legend's title and the subtitle's subject.
    ncols : int, default 4
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> from anchor_analysis.figures.maps.breaks import pooled_breaks
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Adel", "Beeston", "Chapel", "Dewsbury"],
    ...                           "staff": [12, None, 30, 41], "suppressed": ["", "<10", "", ""]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> fig = anchor_small_multiples_map({"NHS Trust A": wards, "University B": wards}, "staff",
    ...                                  pooled_breaks(wards["staff"], k=2), 2023, attribution="Source: ONS.",
    ...                                  threshold=10)
    >>> [ax.get_title(loc="left") for ax in fig.axes][:2]
    ['NHS Trust A\\n1 withheld', 'University B\\n1 withheld']
    >>> plt.close(fig)
    """
    with map_style():
        fig = _quiet_figure(A4_PORTRAIT)
        _small_multiples_heading(fig, place_name, year, what, synthetic)
        cell_w, cell_h = _cell_size(len(layers), ncols)
        colours = _colours(SEQUENTIAL_CMAP, breaks.k)
        panels = []
        for i, (label, layer) in enumerate(layers.items()):
            row, col = divmod(i, ncols)
            rect = (0.04 + col * cell_w, _GRID_TOP - (row + 1) * cell_h + 0.005, cell_w - 0.01, cell_h - 0.025)
            panels.append(_anchor_panel(fig, rect, label, layer, column, breaks, colours))
        n_hidden = sum(hidden for _, hidden, _ in panels)
        n_missing = sum(missing for _, _, missing in panels)
        _small_multiples_legend(fig, colours, breaks, what, n_hidden, n_missing, threshold)
        _small_multiples_footer(fig, attribution, n_hidden, n_missing, threshold)
        if panels:
            rect = (0.04 + (ncols - 1) * cell_w, _GRID_BOTTOM - cell_h * 0.75, cell_w - 0.01, cell_h - 0.025)
            _panel_furniture(fig, panels[0][0], rect)
    return fig


def _small_multiples_heading(fig: Figure, place_name: str, year: int, what: str, synthetic: bool) -> None:
    """The title and subtitle of the small-multiples page."""
    tag = "SYNTHETIC demo data. " if synthetic else ""
    fig.text(0.04, _TITLE_Y, f"{place_name}: where each anchor's staff live, {fy_label(year)}", ha="left",
             va="top", fontsize=14, fontweight="bold", gid=GID_TITLE)
    fig.text(0.04, _TITLE_Y - 0.03, _wrap(f"{tag}{what}, per anchor. The classes are the same for every anchor "
                                          "and year.", A4_PORTRAIT[0] * 0.92, 10),
             ha="left", va="top", fontsize=10, color="#333333", gid="subtitle")


def _cell_size(n_panels: int, ncols: int) -> tuple[float, float]:
    """Width and height (figure fractions) of one cell of the small-multiples grid."""
    nrows = max(1, math.ceil(n_panels / ncols))
    return 0.92 / ncols, (_GRID_TOP - _GRID_BOTTOM) / nrows


def _anchor_panel(fig: Figure, rect: tuple[float, float, float, float], label: str, layer: gpd.GeoDataFrame,
                  column: str, breaks: ClassBreaks, colours: list) -> tuple[Axes, int, int]:
    """One anchor's map in ``rect``; returns its axes and its numbers of withheld and of no-data wards."""
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    _frame(ax, layer.total_bounds)
    hidden = layer["suppressed"].fillna("").astype(str).ne("").to_numpy()
    values = pd.to_numeric(layer[column], errors="coerce").astype("float64")
    classes = breaks.classify(values.where(~hidden))
    _plot_classes(ax, layer, classes, colours, hidden, edge="#525252", linewidth=0.25)
    n_hidden, n_missing = int(hidden.sum()), int(((classes < 0) & ~hidden).sum())
    ax.set_title(f"{textwrap.shorten(label, 26, placeholder='...')}\n{n_hidden} withheld", fontsize=MIN_FONT,
                 loc="left", pad=2)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax, n_hidden, n_missing


def _small_multiples_legend(fig: Figure, colours: list, breaks: ClassBreaks, what: str, n_hidden: int,
                            n_missing: int, threshold: int) -> None:
    """The legend under the grid: the shared classes, then withheld and no-data wards over all panels."""
    handles: list = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=lab)
                     for c, lab in zip(colours, breaks.labels("{:,.0f}"), strict=True)]
    handles += _special_handles("", n_hidden, n_missing, threshold)
    legend = fig.legend(handles=handles, title=what, loc="upper left",
                        bbox_to_anchor=(0.035, _GRID_BOTTOM - 0.01), ncol=2, frameon=False, fontsize=9,
                        title_fontsize=9.5, alignment="left", handlelength=2.2, handleheight=1.4,
                        borderaxespad=0.0)
    legend.set_gid(GID_LEGEND)
    legend.get_title().set_fontweight("bold")


def _small_multiples_footer(fig: Figure, attribution: str, n_hidden: int, n_missing: int, threshold: int) -> None:
    """The attribution at the foot of the page, and above it the caption counting withheld and no-data wards."""
    footer = fig.text(0.04, 0.012, _wrap(attribution, A4_PORTRAIT[0] * 0.92, MIN_FONT), ha="left", va="bottom",
                      fontsize=MIN_FONT, color="#404040", gid=GID_ATTRIBUTION)
    caption = (f"{n_hidden} anchor-ward counts withheld by disclosure control (under {threshold} staff, or "
               "would reveal one from the published ward and anchor totals); "
               f"{n_missing} with no data.")
    fig.text(0.04, 0.012 + _text_height(fig, footer) + 0.008, _wrap(caption, A4_PORTRAIT[0] * 0.92, 9),
             ha="left", va="bottom", fontsize=9, gid=GID_CAPTION)


def _panel_furniture(fig: Figure, panel: Axes, rect: tuple[float, float, float, float]) -> None:
    """Scale bar and north arrow in ``rect``, on an empty axes of the scale of ``panel``."""
    # an axes of its own, of a panel's size and limits: the bar then measures what the panels show
    furniture = fig.add_axes(rect)
    furniture.set_axis_off()
    furniture.set_xlim(panel.get_xlim())
    furniture.set_ylim(panel.get_ylim())
    furniture.set_aspect("equal", adjustable="box")
    add_scale_bar(furniture, length_m=10_000, location=(0.05, 0.55), middle_label=False)
    add_north_arrow(furniture, location=(0.85, 0.45))


def _inset_centre(located: gpd.GeoDataFrame, half: float) -> tuple[float, float, pd.Series]:
    """The inset's centre and the sites in it: the box about the median site, then centred on the sites it holds.

    Centring on the middle of the sites it holds keeps a site off the inset's edge (and its scale bar).
    """
    x, y = located.geometry.x, located.geometry.y
    cx, cy = float(np.median(x)), float(np.median(y))
    inside = ((x - cx).abs() <= half) & ((y - cy).abs() <= half * 0.75)
    if inside.any():
        cx, cy = float((x[inside].min() + x[inside].max()) / 2), float((y[inside].min() + y[inside].max()) / 2)
    return cx, cy, ((x - cx).abs() <= half) & ((y - cy).abs() <= half * 0.75)


@_draws_once
def anchor_sites_map(sites: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, *, attribution: str,
                     labels: Sequence[str] | None = None, place_name: str = "Leeds", synthetic: bool = False,
                     inset_km: float = 5.0) -> Figure:
    """Map anchor main sites as numbered points over the wards, with a city-centre inset and a key.

    Sites inside the inset are numbered in it; the others on the main map. Sites without a location, and sites
    outside the wards (a West Midlands anchor in Coventry on Birmingham's map), are counted in the subtitle, not
    drawn. A key of more than :data:`KEY_BESIDE_INSET` sites goes under the inset, in three columns.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Site points, with ``site_name`` unless ``labels`` is given.
    wards : geopandas.GeoDataFrame
        Ward polygons: the map's extent.
    attribution : str
        The footer.
    labels : sequence of str, optional
        One key entry per site (e.g. anonymised); default: ``site_name``.
    place_name : str, default "Leeds"
        Named in the title.
    synthetic : bool, default False
        Say so in the subtitle.
    inset_km : float, default 5.0
        Width of the city-centre inset, centred on the median site.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> from shapely.geometry import Point
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Adel", "Beeston", "Chapel", "Dewsbury"],
    ...                           "imd_decile": [1, 2, 3, 4]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> sites = gpd.GeoDataFrame({"site_name": ["Site one", "Site two", "Nowhere", "Far away"]},
    ...                          geometry=[Point(500, 500), Point(7500, 1500), None, Point(90_000, 0)], crs=27700)
    >>> fig = anchor_sites_map(sites, wards, attribution="Source: ONS.")
    >>> [t.get_text().replace("\\n", " ") for t in fig.texts if t.get_gid() in ("subtitle", "site-key")]
    ['2 main sites located by postcode (NSPL postcode centroid); 1 not located; 1 outside Leeds, not shown.', \
'Sites', '1  Site one', '2  Site two']
    >>> plt.close(fig)
    """
    with map_style():
        tag = "SYNTHETIC demo data. " if synthetic else ""
        shown, names, note = _sites_shown(sites, wards, labels, place_name)
        fig, ax = _new_map(f"{place_name}: anchor institution sites",
                          f"{tag}{len(shown)} main sites located by postcode (NSPL postcode centroid){note}.",
                          _bounds(wards))
        wards.plot(ax=ax, color="#f7f7f7", edgecolor="none", zorder=1)
        add_ward_outlines(ax, wards, labels=False)
        handles = [Line2D([], [], label="Anchor main site (number: see key)", **SITE_STYLE),
                   Line2D([], [], color=WARD_EDGE, linewidth=0.8, label="Ward boundary")]
        if not len(shown):
            add_sites(ax, shown)
            finish_map(fig, ax, handles=handles, legend_title="Legend", attribution=attribution, ncol=2)
            return fig
        numbers = list(range(1, len(shown) + 1))
        half = inset_km * 500
        cx, cy, in_box = _inset_centre(shown, half)
        add_sites(ax, shown[in_box.to_numpy()])
        add_sites(ax, shown[~in_box.to_numpy()], numbers=[n for n, inside in zip(numbers, in_box, strict=True)
                                                          if not inside])
        ax.add_patch(Rectangle((cx - half, cy - half * 0.75), 2 * half, 1.5 * half, facecolor="none",
                               edgecolor="black", linewidth=1.0, linestyle="--", zorder=19, gid="inset-box"))
        handles.append(Patch(facecolor="none", edgecolor="black", linestyle="--", label="City-centre inset"))
        key = [f"{n}  {textwrap.shorten(name, 28, placeholder='...')}" for n, name in zip(numbers, names, strict=True)]

        def inset_and_key(fig: Figure, top: float, bottom: float) -> float:
            """Draw the city-centre inset and the key of sites between ``top`` and ``bottom``."""
            beside = len(key) <= KEY_BESIDE_INSET
            height = min(top - bottom, 0.30) if beside else 0.20  # a key under the inset takes the room it needs
            inset = fig.add_axes((0.04, top - height, 0.50, height))
            _draw_inset(inset, wards, shown[in_box.to_numpy()], [n for n, i in zip(numbers, in_box, strict=True) if i],
                        (cx, cy), half, inset_km)
            if beside:
                low = draw_key(fig, key, top, title="Sites", ncols=1, x0=0.58, width=0.38, gid="site-key")
                return min(low, top - height)
            return draw_key(fig, key, top - height - 0.025, title="Sites", ncols=3, gid="site-key")

        finish_map(fig, ax, handles=handles, legend_title="Legend", attribution=attribution, ncol=3,
                   extra=inset_and_key)
    return fig


KEY_BESIDE_INSET = 16
"""Sites listed beside the city-centre inset; a longer key goes under it, in three columns."""


def _sites_shown(sites: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, labels: Sequence[str] | None,
                 place_name: str) -> tuple[gpd.GeoDataFrame, list[str], str]:
    """The located sites inside the wards, their key names, and the subtitle's note of those left out."""
    names = list(labels) if labels is not None else [str(v) for v in sites.get("site_name", sites.index)]
    located = ~(sites.geometry.isna() | sites.geometry.is_empty).to_numpy()
    area = wards.geometry.union_all()
    inside = located & np.array([bool(ok) and area.covers(point) for point, ok in zip(sites.geometry, located,
                                                                                        strict=True)])
    note = f"; {int((~located).sum())} not located" if (~located).any() else ""
    note += f"; {int((located & ~inside).sum())} outside {place_name}, not shown" if (located & ~inside).any() else ""
    return (sites[inside].reset_index(drop=True), [n for n, ok in zip(names, inside, strict=True) if ok], note)


def _draw_inset(inset: Axes, wards: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, numbers: list[int],
                centre: tuple[float, float], half: float, inset_km: float) -> None:
    """The city-centre inset: the wards, the numbered sites in it, a scale bar and its title."""
    cx, cy = centre
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
    add_sites(inset, sites, numbers=numbers)
    add_scale_bar(inset, location=_clear_corner(sites, (cx - half, cy - half * 0.75), (2 * half, 1.5 * half)))
    inset.set_title(f"City centre ({inset_km:g} km across)", fontsize=9, loc="left")


def _clear_corner(sites: gpd.GeoDataFrame, origin: tuple[float, float], size: tuple[float, float]
                  ) -> tuple[float, float]:
    """Where the inset's scale bar goes: the first corner (bottom left, bottom right, top left) with no site near it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> sites = gpd.GeoDataFrame(geometry=[Point(100, 100), Point(500, 500)], crs=27700)
    >>> _clear_corner(sites, (0, 0), (1000, 1000))
    (0.68, 0.05)
    """
    fx = (sites.geometry.x.to_numpy() - origin[0]) / size[0]
    fy = (sites.geometry.y.to_numpy() - origin[1]) / size[1]
    for x0, y0 in ((0.05, 0.05), (0.68, 0.05), (0.05, 0.86)):
        near = (fx >= x0 - 0.05) & (fx <= x0 + 0.32) & (fy >= y0 - 0.05) & (fy <= y0 + 0.14)
        if not near.any():
            return x0, y0
    return 0.05, 0.05
