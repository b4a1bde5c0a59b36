"""Preparing results for publication: disclosure control, anonymous codes, formatting and the table writer.

In: analysis tables (counts of people, per-anchor rows, floats). Out: tables as they may be published: small counts
withheld (with secondary suppression), anchors named or coded, numbers rounded and formatted, CSVs written
atomically. It sits below ``analysis`` because the functions that count people apply disclosure control themselves,
so no caller can publish an unprotected count by forgetting a step; it needs nothing from the analyses.
"""

from __future__ import annotations

from anchor_analysis.publish.anonymise import (
    ANCHOR_LIST_COLUMNS,
    anchor_labels,
    anonymous_code,
    label_anchors,
    publishable_table,
)
from anchor_analysis.publish.disclosure import (
    PRIMARY,
    SECONDARY,
    assert_no_small_counts,
    group_totals,
    publish_counts,
    publishable_total,
    round_counts,
    secondary_cells,
    suppress_counts,
    suppress_grid,
)
from anchor_analysis.publish.formatting import (
    ROUNDING,
    format_value,
    readable_number,
    round_for_publication,
)
from anchor_analysis.publish.tables import (
    write_tables,
)

__all__ = [
    "PRIMARY",
    "SECONDARY",
    "assert_no_small_counts",
    "group_totals",
    "publish_counts",
    "publishable_total",
    "round_counts",
    "secondary_cells",
    "suppress_counts",
    "suppress_grid",
    "ANCHOR_LIST_COLUMNS",
    "anchor_labels",
    "anonymous_code",
    "label_anchors",
    "publishable_table",
    "ROUNDING",
    "format_value",
    "readable_number",
    "round_for_publication",
    "write_tables",
]
