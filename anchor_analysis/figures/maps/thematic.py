"""The maps of the report: deprivation, priority neighbourhoods, staff, spend.

Each function draws one A4 map page (:mod:`anchor_analysis.figures.maps.page`) from GeoDataFrames in EPSG:27700
and returns the figure; choropleths of counts and rates take pooled class breaks
(:func:`~anchor_analysis.figures.maps.breaks.pooled_breaks`), so the maps of different years share one scale.
The maps of anchors (sites, one small map per anchor) are in :mod:`anchor_analysis.figures.maps.anchors`.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis.core.years import fy_label
from anchor_analysis.figures.maps.breaks import ClassBreaks
from anchor_analysis.figures.maps.layers import (
    _bounds,
    _colours,
    _plot_classes,
    _plural,
    _special_handles,
    add_sites,
    add_ward_outlines,
    draw_key,
    place_labels,
    ward_key,
)
from anchor_analysis.figures.maps.page import (
    DECILE_CMAP,
    MIN_FONT,
    NO_DATA,
    PN_EDGE,
    PN_FILL,
    SEQUENTIAL_CMAP,
    SITE_STYLE,
    WARD_EDGE,
    _draws_once,
    _new_map,
    finish_map,
    map_style,
)

# --- the maps ------------------------------------------------------------------------------------------------


def _ward_key_extra(wards: gpd.GeoDataFrame | None, labels: bool | str, after=None):
    """An ``extra`` for :func:`finish_map` drawing the ward key (when wards are numbered), then ``after``."""
    def draw(fig: Figure, top: float, bottom: float) -> float:
        """Draw the ward key from ``top`` down, then ``after``; return the lowest y used."""
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
    """Map LSOAs coloured by national IMD decile (1 = most deprived 10% in England), with ward outlines and names.

    Wards are numbered on the map and named in a key below it (``ward_labels="names"`` writes names on the map).

    Parameters
    ----------
    lsoas : geopandas.GeoDataFrame
        The LSOA layer of the edition with ``imd_decile`` (:func:`anchor_analysis.analysis.geo.lsoa_layer`).
    wards : geopandas.GeoDataFrame
        Ward polygons with ``ward_name``.
    edition : int
        The IMD edition (2019: LSOA 2011 boundaries; 2025: LSOA 2021).
    place_name : str, default "Leeds"
        Named in the title and subtitle.
    attribution : str
        The footer (:func:`~anchor_analysis.figures.maps.layers.attribution_text`).
    ward_labels : {"numbers", "names", False}, default "numbers"
        How wards are labelled (:func:`~anchor_analysis.figures.maps.layers.add_ward_outlines`).
    title, caption : str, optional
        Replace the default title and caption.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Adel", "Beeston", "Chapel", "Dewsbury"],
    ...                           "imd_decile": [1, 2, None, 10]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> fig = imd_decile_map(wards, wards, 2019, attribution="Source: ONS.")
    >>> [t.get_text() for t in fig.legends[0].get_texts()][:3]
    ['1 most deprived (1)', '2 (1)', '3 (0)']
    >>> plt.close(fig)
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
    """Number each neighbourhood by rank in a circle beside it, joined by a leader line (small ones stay visible).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes, its limits final.
    clusters : geopandas.GeoDataFrame
        The neighbourhoods, with ``rank``; nothing is drawn when empty.
    fontsize : float, default 10.0
        Font size of the numbers.
    radius_pt : float, default 16.0
        Distance of a number from its neighbourhood (see :func:`~anchor_analysis.figures.maps.layers.place_labels`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> from anchor_analysis.figures.maps.page import new_map
    >>> clusters = gpd.GeoDataFrame({"rank": [1, 2]}, geometry=[box(0, 0, 1000, 1000), box(5000, 0, 6000, 1000)],
    ...                             crs=27700)
    >>> fig, ax = new_map("Leeds", bounds=clusters.total_bounds)
    >>> label_neighbourhoods(ax, clusters)
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "pn-label"]
    ['1', '2']
    >>> plt.close(fig)
    """
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
    """Map the priority neighbourhoods filled, outlined and numbered by rank over a pale deprivation map, with a table.

    Parameters
    ----------
    clusters : geopandas.GeoDataFrame
        The neighbourhoods: ``rank, name, n_lsoas, population, pop_weighted_score`` (see
        :func:`neighbourhood_table`).
    lsoas : geopandas.GeoDataFrame
        The LSOA layer with ``imd_decile``: deciles 1 to 3 are shaded.
    wards : geopandas.GeoDataFrame
        Ward polygons, outlined.
    edition : int
        The IMD edition.
    rule : str
        How the neighbourhoods were chosen, for the caption.
    attribution : str
        The footer.
    place_name : str, default "Leeds"
        Named in the title.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Adel", "Beeston", "Chapel", "Dewsbury"],
    ...                           "imd_decile": [1, 2, None, 10]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> clusters = wards.iloc[:2].assign(rank=[1, 2], name=["Adel (Adel)", "Beeston (Beeston)"], n_lsoas=[3, 2],
    ...                                  population=[4500, 3100], pop_weighted_score=[52.3, 47.0])
    >>> from anchor_analysis.figures.maps.page import GID_CAPTION
    >>> fig = priority_neighbourhoods_map(clusters, wards, wards, 2019, rule="IMD decile 1", attribution="Source: ONS.")
    >>> [t.get_text() for t in fig.texts if t.get_gid() == GID_CAPTION]
    ['Rule: IMD decile 1']
    >>> plt.close(fig)
    """
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
            """Draw the table of neighbourhoods from ``top`` down."""
            return neighbourhood_table(fig, clusters, top)

        finish_map(fig, ax, handles=handles, legend_title="Legend", attribution=attribution,
                   caption=f"Rule: {rule}", ncol=2, extra=table)
    return fig


def neighbourhood_table(fig: Figure, clusters: gpd.GeoDataFrame, top: float) -> float:
    """Write the neighbourhoods as a table on the page: rank, name, LSOAs, population, IMD score.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The page.
    clusters : geopandas.GeoDataFrame
        ``rank, name, n_lsoas, population, pop_weighted_score`` per neighbourhood, in table order.
    top : float
        Where the table starts (figure fraction).

    Returns
    -------
    float
        The lowest y used (figure fraction).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> clusters = pd.DataFrame({"rank": [1], "name": ["Adel (Adel)"], "n_lsoas": [3], "population": [4500],
    ...                          "pop_weighted_score": [52.3]})
    >>> fig = plt.figure(figsize=(8.27, 11.69))
    >>> bottom = neighbourhood_table(fig, clusters, 0.3)
    >>> [t.get_text() for t in fig.texts][5:10]
    ['1', 'Adel (Adel)', '3', '4,500', '52.3']
    >>> plt.close(fig)
    """
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
    """Map ``column`` as a choropleth on pooled ``breaks``, withheld areas hatched grey, missing dotted white.

    Areas marked ``withheld`` were withheld by disclosure control (their value must be missing); other missing
    values are "no data". The caption starts with the number of each.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        The areas, with ``column``.
    column : str
        The mapped values.
    breaks : ClassBreaks
        The classes, from :func:`~anchor_analysis.figures.maps.breaks.pooled_breaks` over every map compared.
    title, subtitle, legend_title : str
        The title (wrapped), a subtitle (None for none) and the legend's title.
    attribution : str
        The footer.
    caption : str, default ""
        Appended to the counts of withheld and no-data areas.
    wards : geopandas.GeoDataFrame, optional
        Ward outlines drawn over the areas, keyed below the map when numbered.
    withheld : bool array or Series, optional
        One flag per row of ``layer``.
    area_word : str, default "area"
        What an area is called in the caption and legend ("ward", "LSOA").
    threshold : int, optional
        The disclosure threshold, named in the legend.
    fmt : str, default "{:,.0f}"
        Format of the class bounds.
    ward_labels : {"numbers", "names", False}, default "numbers"
        How wards are labelled.
    sites, priority : geopandas.GeoDataFrame, optional
        Anchor sites (dots) and priority neighbourhoods (outlines) drawn on top.
    disclosure : bool, default True
        False for values that are not counts of people (e.g. spend): no withheld legend entry or count.

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
    ...                           "value": [1.0, 2.0, None, 4.0]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> from anchor_analysis.figures.maps.page import GID_CAPTION
    >>> fig = choropleth_map(wards, "value", pooled_breaks(wards["value"], k=2), title="Values", subtitle=None,
    ...                      legend_title="Value", attribution="Source: ONS.", area_word="ward")
    >>> [t.get_text() for t in fig.texts if t.get_gid() == GID_CAPTION]
    ['0 wards withheld by disclosure control; 1 ward with no data.']
    >>> plt.close(fig)
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
        special = _special_handles(area_word, n_hidden, n_missing, threshold)
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
    """Map staff living in each area per 1,000 working-age residents in ``year`` (a published, suppressed table).

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Area polygons with ``rate_per_1000`` and ``suppressed`` (from
        :func:`anchor_analysis.publish.publish_counts`); a non-empty ``suppressed`` marks a withheld area.
    breaks : ClassBreaks
        From :func:`~anchor_analysis.figures.maps.breaks.pooled_breaks` over every year.
    year : int
        The financial year (2023 = 2023/24).
    attribution : str
        The footer.
    threshold : int
        The disclosure threshold, named in the legend.
    wards : geopandas.GeoDataFrame, optional
        Ward outlines.
    place_name : str, default "Leeds"
        Named in the title.
    level : str, default "ward"
        The areas: "ward" or "lsoa".
    synthetic : bool, default False
        Say so in the subtitle.
    priority, sites : geopandas.GeoDataFrame, optional
        Priority neighbourhoods (outlines) and anchor sites (dots) drawn on top.
    anchor_label : str, default "network anchors"
        Whose staff, for the title.
    ward_labels : {"numbers", "names", False}, default "numbers"
        How wards are labelled.
    lsoa_year : int, default 2021
        The LSOA boundaries of an LSOA map (the caption says how residents were apportioned).

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    choropleth_map : Draws it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> from anchor_analysis.figures.maps.breaks import pooled_breaks
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Adel", "Beeston", "Chapel", "Dewsbury"],
    ...                           "rate_per_1000": [12.0, None, 30.0, 41.0], "suppressed": ["", "<10", "", ""]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> from anchor_analysis.figures.maps.page import GID_TITLE
    >>> fig = staff_rate_map(wards, pooled_breaks(wards["rate_per_1000"]), 2023, attribution="Source: ONS.",
    ...                      threshold=10)
    >>> [t.get_text() for t in fig.texts if t.get_gid() == GID_TITLE]
    ['Leeds: where staff of network anchors live, 2023/24']
    >>> plt.close(fig)
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
    """Map ledger spend (``what``) with suppliers located in each ward in ``year`` (GBP million), on pooled breaks.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Ward polygons with ``spend`` (GBP).
    breaks : ClassBreaks
        Pooled over every year's spend in GBP million.
    year : int
        The financial year (2023 = 2023/24).
    attribution : str
        The footer.
    wards : geopandas.GeoDataFrame, optional
        Ward outlines.
    place_name : str, default "Leeds"
        Named in the title.
    synthetic : bool, default False
        Say so in the subtitle.
    priority : geopandas.GeoDataFrame, optional
        Priority neighbourhoods, outlined.
    note : str, default ""
        Appended to the caption.
    ward_labels : {"numbers", "names", False}, default "numbers"
        How wards are labelled.
    what : str, default "influenceable spend"
        What the spend is, for the title and legend.

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    choropleth_map : Draws it (``disclosure=False``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> from anchor_analysis.figures.maps.breaks import pooled_breaks
    >>> wards = gpd.GeoDataFrame({"ward_name": ["Adel", "Beeston", "Chapel", "Dewsbury"],
    ...                           "spend": [1.5e6, 0, None, 2.5e6]},
    ...                          geometry=[box(x, 0, x + 2000, 2000) for x in range(0, 8000, 2000)], crs=27700)
    >>> fig = spend_by_ward_map(wards, pooled_breaks(wards["spend"] / 1e6, k=2), 2023, attribution="Source: ONS.")
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['0.0 to 1.5', 'over 1.5 to 2.5', 'No data (1 ward)']
    >>> plt.close(fig)
    """
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


