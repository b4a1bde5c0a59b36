"""Maps of the place in one house style: deprivation, priority neighbourhoods, staff rates, spend, anchor sites.

Every map is drawn in British National Grid (EPSG:27700, metres) on an A4 portrait page and has a title, a
legend with a title, a scale bar, a north arrow, a caption and the attribution statements of the public data it
uses (Open Government Licence). Choropleths of counts or rates take their class breaks from
:func:`pooled_breaks`, computed once from every year's values, so the maps of different years share one scale.
Areas withheld by disclosure control are drawn hatched grey and areas without data white with dots, each with
its own legend entry, and the caption counts them.

Output is deterministic: :func:`save_map` writes PNG and SVG with a fixed SVG hash salt and no dates.

In: GeoDataFrames in EPSG:27700 (from :mod:`anchor_analysis.analysis.geo`) and attribution statements
(:func:`attribution_text`). Out: matplotlib figures, one A4 page each.

- :mod:`~anchor_analysis.figures.maps.breaks`: class breaks pooled over years;
- :mod:`~anchor_analysis.figures.maps.page`: the A4 page, its furniture (frame, scale bar, north arrow, legend,
  caption and attribution footer), saving and inspection;
- :mod:`~anchor_analysis.figures.maps.layers`: what a map draws and keys (area classes, ward outlines and key,
  anchor sites, labels placed apart, attribution text);
- :mod:`~anchor_analysis.figures.maps.thematic`: the report's maps of the place (deprivation, priority
  neighbourhoods, staff rates, spend);
- :mod:`~anchor_analysis.figures.maps.anchors`: the maps of anchors (sites, one small map per anchor).

>>> breaks = pooled_breaks([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=3)  # two years' values, one set of classes
>>> breaks.bins
(2.7, 4.3, 6.0)
>>> breaks.labels("{:.1f}")
['1.0 to 2.7', 'over 2.7 to 4.3', 'over 4.3 to 6.0']
>>> breaks.classify([1.0, 3.0, float("nan"), 6.0]).tolist()
[0, 1, -1, 2]
"""

from __future__ import annotations

from anchor_analysis.figures.maps.anchors import (
    anchor_sites_map,
    anchor_small_multiples_map,
)
from anchor_analysis.figures.maps.breaks import (
    ClassBreaks,
    pooled_breaks,
)
from anchor_analysis.figures.maps.layers import (
    add_sites,
    add_ward_outlines,
    attribution_text,
    compact_attribution,
    draw_key,
    place_labels,
    ward_key,
)
from anchor_analysis.figures.maps.page import (
    A4_PORTRAIT,
    DECILE_CMAP,
    DPI,
    GID_ATTRIBUTION,
    GID_CAPTION,
    GID_LEGEND,
    GID_NORTH,
    GID_SCALE,
    GID_TITLE,
    MIN_FONT,
    NO_DATA,
    PN_EDGE,
    PN_FILL,
    SEQUENTIAL_CMAP,
    SITE_STYLE,
    SVG_HASHSALT,
    SYNTHETIC_TAG,
    WARD_EDGE,
    WITHHELD,
    add_north_arrow,
    add_scale_bar,
    finish_map,
    font_sizes,
    map_elements,
    map_rc,
    map_style,
    new_map,
    save_map,
    show_map,
)
from anchor_analysis.figures.maps.thematic import (
    choropleth_map,
    imd_decile_map,
    label_neighbourhoods,
    neighbourhood_table,
    priority_neighbourhoods_map,
    spend_by_ward_map,
    staff_rate_map,
)

__all__ = [
    "A4_PORTRAIT",
    "DECILE_CMAP",
    "DPI",
    "GID_ATTRIBUTION",
    "GID_CAPTION",
    "GID_LEGEND",
    "GID_NORTH",
    "GID_SCALE",
    "GID_TITLE",
    "MIN_FONT",
    "NO_DATA",
    "PN_EDGE",
    "PN_FILL",
    "SEQUENTIAL_CMAP",
    "SITE_STYLE",
    "SVG_HASHSALT",
    "SYNTHETIC_TAG",
    "WARD_EDGE",
    "WITHHELD",
    "add_north_arrow",
    "add_scale_bar",
    "add_ward_outlines",
    "attribution_text",
    "compact_attribution",
    "draw_key",
    "finish_map",
    "font_sizes",
    "map_elements",
    "map_rc",
    "map_style",
    "new_map",
    "place_labels",
    "save_map",
    "show_map",
    "ward_key",
    "ClassBreaks",
    "pooled_breaks",
    "add_sites",
    "anchor_sites_map",
    "anchor_small_multiples_map",
    "choropleth_map",
    "imd_decile_map",
    "label_neighbourhoods",
    "neighbourhood_table",
    "priority_neighbourhoods_map",
    "spend_by_ward_map",
    "staff_rate_map",
]
