"""Disclosure control for anything published: small counts of people are suppressed or rounded.

Staff counts by small area can identify people. Every published table or map of people counts goes through
this module first:

* **primary suppression**: a count ``c`` with ``0 < c < threshold`` is withheld (zeros are shown: an empty area
  reveals nobody; pass ``suppress_zero=True`` to withhold them too);
* **secondary suppression**: where a group's total is published, withholding one cell alone would let a reader
  recover it by subtraction, so further cells (smallest first, ties by position) are withheld until at least two
  cells are withheld *and* the withheld cells add up to at least the threshold;
* or **rounding** to a base (default 5) as an alternative for tables that publish every cell.

>>> import pandas as pd
>>> t = pd.DataFrame({"ward": ["A", "B", "C", "D"], "staff": [3, 40, 12, 25]})
>>> out = suppress_counts(t, "staff", threshold=10)
>>> out["staff"].tolist()
[<NA>, 40, <NA>, 25]
>>> out["suppressed"].tolist()
['primary', '', 'secondary', '']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from anchor_analysis.core.errors import DisclosureError
from anchor_analysis.core.places import Place, load_place

PRIMARY = "primary"
SECONDARY = "secondary"


def secondary_cells(values: np.ndarray, withheld: np.ndarray, threshold: int) -> np.ndarray:
    """Extra cells to withhold within one group so no withheld cell can be recovered from the group total.

    Smallest non-zero cells first (ties by position, zeros last), until at least two cells are withheld and they
    add up to at least ``threshold``, or everything is withheld.
    """
    extra = np.zeros(len(values), dtype=bool)
    if not withheld.any():
        return extra
    while True:
        hidden = withheld | extra
        if (hidden.sum() >= 2 and values[hidden].sum() >= threshold) or hidden.all():
            return extra
        candidates = np.flatnonzero(~hidden)
        # smallest first, keeping zeros last: withholding a zero hides nothing
        order = np.lexsort((candidates, values[candidates], values[candidates] == 0))
        extra[candidates[order[0]]] = True


def suppress_counts(table: pd.DataFrame, value_col: str, threshold: int, group_cols: list[str] | None = None,
                    *, total_published: bool = True, suppress_zero: bool = False) -> pd.DataFrame:
    """Withhold small counts in ``value_col`` (primary) and what would reveal them (secondary).

    ``group_cols`` define the groups whose totals are published (e.g. ``["anchor_id"]`` for per-anchor tables of
    wards); without them the whole table is one group. Returns a copy with ``value_col`` as nullable Int64
    (withheld cells are ``<NA>``) and a ``suppressed`` column: ``"primary"``, ``"secondary"`` or ``""``.
    """
    if threshold < 1:
        raise ValueError("the disclosure threshold must be a positive count")
    values = pd.to_numeric(table[value_col], errors="raise")
    if (values < 0).any() or (values != values.round()).any():
        raise ValueError(f"{value_col} must hold non-negative whole counts to be disclosure-controlled")
    out = table.copy()
    counts = values.fillna(0).to_numpy(dtype=np.int64)
    primary = (counts > 0) & (counts < threshold)
    if suppress_zero:
        primary |= counts == 0
    secondary = np.zeros(len(out), dtype=bool)
    if total_published:
        groups = [np.arange(len(out))] if not group_cols else [
            np.asarray(idx) for idx in out.reset_index(drop=True).groupby(group_cols, sort=True).indices.values()]
        for idx in groups:
            secondary[idx] |= secondary_cells(counts[idx], primary[idx], threshold)
    out[value_col] = pd.array(np.where(primary | secondary, 0, counts), dtype="Int64")
    out.loc[primary | secondary, value_col] = pd.NA
    out["suppressed"] = np.where(primary, PRIMARY, np.where(secondary, SECONDARY, ""))
    return out


def suppress_grid(grid: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two-way table (e.g. wards x anchors) whose row and column totals are both published.

    Applies primary suppression, then secondary suppression along rows and columns in turn until nothing
    changes. Returns ``(published grid with <NA>, flags grid of "primary"/"secondary"/"")``.
    """
    counts = grid.fillna(0).to_numpy(dtype=np.int64)
    primary = (counts > 0) & (counts < threshold)
    hidden = primary.copy()
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = hidden.T if axis == 0 else hidden
            vals = counts.T if axis == 0 else counts
            for i in range(lines.shape[0]):
                extra = secondary_cells(vals[i], lines[i], threshold)
                if extra.any():
                    lines[i] |= extra
                    changed = True
    published = grid.astype("Int64").mask(hidden)
    flags = pd.DataFrame(np.where(primary, PRIMARY, np.where(hidden, SECONDARY, "")), index=grid.index,
                         columns=grid.columns)
    return published, flags


def round_counts(values: pd.Series, base: int = 5) -> pd.Series:
    """Round counts to the nearest ``base`` (halves up), deterministic. ``[1, 2, 3, 7, 12]`` -> ``[0, 0, 5, 5, 10]``."""
    v = pd.to_numeric(values)
    return (np.floor(v / base + 0.5) * base).astype("Int64")


def publishable_total(total: float, threshold: int):
    """A group total as it may be published: withheld (``<NA>``) when it is itself a small count."""
    return pd.NA if 0 < total < threshold else total


def assert_no_small_counts(published: pd.DataFrame, value_col: str, threshold: int,
                           group_cols: list[str] | None = None, group_totals: pd.Series | None = None) -> None:
    """Raise :class:`DisclosureError` if a published table reveals a count in ``1..threshold-1``.

    Checks every published cell and, where ``group_totals`` (indexed like the groups) are published too, that
    each group's withheld remainder is zero or at least the threshold and spread over at least two cells.
    """
    shown = published[value_col].dropna().astype(int)
    small = shown[(shown > 0) & (shown < threshold)]
    if len(small):
        raise DisclosureError(f"{len(small)} published cells of {value_col} are below {threshold}")
    if group_totals is None:
        return
    small_totals = group_totals.dropna()[(group_totals.dropna() > 0) & (group_totals.dropna() < threshold)]
    if len(small_totals):
        raise DisclosureError(f"{len(small_totals)} published totals are below {threshold}: withhold them")
    keys = group_cols or []
    frame = published.assign(_hidden=published[value_col].isna(), _shown=published[value_col].fillna(0))
    grouped = frame.groupby(keys, sort=True) if keys else [((), frame)]
    for key, group in grouped:
        total = group_totals.loc[key] if keys else group_totals.iloc[0]
        if pd.isna(total):
            continue
        remainder = int(total) - int(group["_shown"].sum())
        n_hidden = int(group["_hidden"].sum())
        if remainder and (remainder < threshold or n_hidden < 2):
            raise DisclosureError(f"group {key!r}: the total reveals {remainder} across {n_hidden} withheld cells")


# --- disclosure ---------------------------------------------------------------------------------------------


def publish_counts(table: pd.DataFrame, place: str | Place = "leeds", value_col: str = "count",
                   group_cols: Sequence[str] | None = ("year",), derived: Sequence[str] = ("rate_per_1000",),
                   total_published: bool = True, also_groups: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """A staff-count table as it may be published: small counts withheld with the place's threshold.

    Applies :func:`anchor_analysis.publish.suppress_counts` (primary and secondary suppression within each
    ``group_cols`` group, whose total is taken to be published) and blanks the ``derived`` columns (e.g. rates,
    from which a count could be recovered) wherever the count is withheld. Adds ``suppressed`` ("primary",
    "secondary" or "").

    ``also_groups``: further groupings whose totals are published in *other* tables (e.g. the LSOAs of each ward,
    when ward totals are published too; rows with a missing key belong to no group). Secondary suppression is
    then repeated over every grouping until no group lets a withheld cell be recovered by subtraction: each
    group with a withheld cell withholds at least two whose sum reaches the threshold (the same rule as
    :mod:`anchor_analysis.publish.disclosure`).
    """
    threshold = load_place(place).disclosure_threshold
    groups = [c for c in (group_cols or ()) if c in table.columns] or None
    out = suppress_counts(table.reset_index(drop=True), value_col, threshold, groups,
                          total_published=total_published)
    if also_groups:
        values = pd.to_numeric(table[value_col]).fillna(0).to_numpy(dtype=np.int64)
        hidden = out[value_col].isna().to_numpy().copy()
        groupings = [list(g) for g in also_groups] + ([groups] if groups and total_published else [])
        changed = True
        while changed:
            changed = False
            for keys in groupings:
                for index in out.groupby(keys, sort=True, dropna=True).indices.values():
                    extra = secondary_cells(values[index], hidden[index], threshold)
                    if extra.any():
                        hidden[np.asarray(index)[extra]] = True
                        changed = True
        newly = hidden & out[value_col].notna().to_numpy()
        out.loc[newly, value_col] = pd.NA
        out.loc[newly, "suppressed"] = "secondary"
    hidden_rows = out[value_col].isna()
    for column in derived:
        if column in out.columns:
            out[column] = out[column].astype("Float64").mask(hidden_rows)
    out.attrs["threshold"] = threshold
    return out


def group_totals(table: pd.DataFrame, value_col: str = "count", group_cols: Sequence[str] = ("year",)) -> pd.Series:
    """The true totals of ``value_col`` per group (what a published total reveals), for disclosure checks."""
    return table.groupby(list(group_cols))[value_col].sum()
