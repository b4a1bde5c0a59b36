"""The maps of the report: deprivation, priority neighbourhoods, staff, spend, anchor sites.
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
from anchor_analysis.figures.maps.page import (
    _TITLE_Y,
    A4_PORTRAIT,
    DECILE_CMAP,
    GID_ATTRIBUTION,
    GID_CAPTION,
    GID_LEGEND,
    GID_TITLE,
    MIN_FONT,
    NO_DATA,
    PN_EDGE,
    PN_FILL,
    SEQUENTIAL_CMAP,
    SITE_STYLE,
    WARD_EDGE,
    _bounds,
    _colours,
    _draws_once,
    _frame,
    _halo,
    _new_map,
    _plot_classes,
    _plural,
    _quiet_figure,
    _special_handles,
    _text_height,
    _wrap,
    add_north_arrow,
    add_scale_bar,
    add_ward_outlines,
    draw_key,
    finish_map,
    map_style,
    place_labels,
    ward_key,
)

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

    ``lsoas``: the LSOA layer of the edition with ``imd_decile`` (:func:`anchor_analysis.analysis.geo.lsoa_layer`).
    Wards are numbered on the map and named in a key below it (``ward_labels="names"`` writes names on the map).
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
    :func:`anchor_analysis.publish.publish_counts`); ``breaks`` from :func:`pooled_breaks` over every year.
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


_GRID_TOP, _GRID_BOTTOM = 0.90, 0.30
"""Figure fractions between which the small-multiples panels sit (legend, caption and attribution go below)."""


@_draws_once
def anchor_small_multiples_map(layers: dict[str, gpd.GeoDataFrame], column: str, breaks: ClassBreaks, year: int, *,
                               attribution: str, threshold: int, place_name: str = "Leeds", synthetic: bool = False,
                               what: str = "Staff living in each ward", ncols: int = 4) -> Figure:
    """One small map per anchor (``layers``: label -> ward polygons with ``column`` and ``suppressed``), classes
    shared by every panel and year; withheld wards hatched grey, counted per panel and in the caption.

    The panels fill a grid of ``ncols`` columns; below it come the legend, with the scale bar and north arrow (on
    the first panel's scale) to its right, then the caption and the attribution.
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
