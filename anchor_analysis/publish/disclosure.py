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

    Parameters
    ----------
    values : ndarray of int
        The group's counts.
    withheld : ndarray of bool
        The cells withheld already (same length).
    threshold : int
        The disclosure threshold.

    Returns
    -------
    ndarray of bool
        The cells to withhold as well (none when nothing is withheld yet).

    Examples
    --------
    >>> import numpy as np
    >>> secondary_cells(np.array([3, 40, 12, 25]), np.array([True, False, False, False]), 10).tolist()
    [False, False, True, False]
    >>> secondary_cells(np.array([3, 0, 4, 25]), np.array([True, False, False, False]), 10).tolist()
    [False, False, True, True]
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

    Parameters
    ----------
    table : DataFrame
        The table of counts.
    value_col : str
        The column of counts (non-negative whole numbers; blanks count as 0).
    threshold : int
        Counts from 1 to ``threshold - 1`` are withheld.
    group_cols : list of str, optional
        The groups whose totals are published (e.g. ``["anchor_id"]`` for per-anchor tables of wards); without
        them the whole table is one group.
    total_published : bool, default True
        Whether group totals are published; without them no secondary suppression is needed.
    suppress_zero : bool, default False
        Withhold zeros too (by default they are shown: an empty area reveals nobody).

    Returns
    -------
    DataFrame
        A copy with ``value_col`` as nullable Int64 (withheld cells are ``<NA>``) and a ``suppressed`` column:
        ``"primary"``, ``"secondary"`` or ``""``.

    Raises
    ------
    ValueError
        ``threshold`` is below 1, or ``value_col`` holds negative or fractional values.

    See Also
    --------
    publish_counts : The same with the place's threshold, for staff-count tables.
    suppress_grid : Two-way tables whose row and column totals are both published.

    Examples
    --------
    >>> t = pd.DataFrame({"anchor_id": ["a", "a", "a", "b", "b"], "ward": ["W1", "W2", "W3", "W1", "W2"],
    ...                   "staff": [4, 30, 15, 0, 22]})
    >>> suppress_counts(t, "staff", 10, ["anchor_id"]).values.tolist()
    [['a', 'W1', <NA>, 'primary'], ['a', 'W2', 30, ''], ['a', 'W3', <NA>, 'secondary'], ['b', 'W1', 0, ''],
     ['b', 'W2', 22, '']]
    >>> suppress_counts(t, "staff", 10, total_published=False)["suppressed"].tolist()
    ['primary', '', '', '', '']
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
    """Suppress small counts in a two-way table (e.g. wards x anchors) whose row and column totals are published.

    Applies primary suppression, then secondary suppression (:func:`secondary_cells`) along columns and rows in
    turn until nothing changes.

    Parameters
    ----------
    grid : DataFrame
        Counts (whole numbers; blanks count as 0), rows and columns labelled.
    threshold : int
        Counts from 1 to ``threshold - 1`` are withheld.

    Returns
    -------
    published : DataFrame
        The grid as nullable Int64, withheld cells ``<NA>``.
    flags : DataFrame
        The same shape: ``"primary"``, ``"secondary"`` or ``""`` per cell.

    Examples
    --------
    >>> grid = pd.DataFrame({"a": [12, 3, 20], "b": [40, 50, 35], "c": [25, 30, 60]}, index=["W1", "W2", "W3"])
    >>> published, flags = suppress_grid(grid, 10)
    >>> print(published)
           a   b     c
    W1  <NA>  40  <NA>
    W2  <NA>  50  <NA>
    W3    20  35    60
    >>> flags["a"].tolist()
    ['secondary', 'primary', '']
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
    """Round counts to the nearest ``base`` (halves up), deterministically.

    An alternative to suppression for tables that publish every cell.

    Parameters
    ----------
    values : Series
        The counts.
    base : int, default 5
        Round to multiples of this.

    Returns
    -------
    Series
        Nullable Int64 on the same index.

    Examples
    --------
    >>> round_counts(pd.Series([1, 2, 3, 7, 12])).tolist()
    [0, 0, 5, 5, 10]
    >>> round_counts(pd.Series([14, 15, 16]), base=10).tolist()
    [10, 20, 20]
    """
    v = pd.to_numeric(values)
    return (np.floor(v / base + 0.5) * base).astype("Int64")


def publishable_total(total: float, threshold: int):
    """A group total as it may be published: withheld (``<NA>``) when it is itself a small count.

    Parameters
    ----------
    total : float
        The group's true total.
    threshold : int
        The disclosure threshold.

    Returns
    -------
    float or NA
        ``total``, or ``pd.NA`` when ``0 < total < threshold``.

    Examples
    --------
    >>> publishable_total(7, 10), publishable_total(0, 10), publishable_total(25, 10)
    (<NA>, 0, 25)
    """
    return pd.NA if 0 < total < threshold else total


def assert_no_small_counts(published: pd.DataFrame, value_col: str, threshold: int,
                           group_cols: list[str] | None = None, group_totals: pd.Series | None = None) -> None:
    """Raise :class:`DisclosureError` if a published table reveals a count in ``1..threshold-1``.

    Checks every published cell and, where ``group_totals`` (indexed like the groups) are published too, that
    no total is itself a small count and that each group's withheld remainder is zero or at least the threshold
    and spread over at least two cells.

    Parameters
    ----------
    published : DataFrame
        The table as it is to be published (withheld cells blank).
    value_col : str
        The column of counts.
    threshold : int
        The disclosure threshold.
    group_cols : list of str, optional
        The columns of the groups whose totals are published; without them the table is one group.
    group_totals : Series, optional
        The true group totals (:func:`group_totals`), indexed like the groups; None when no totals are
        published.

    Raises
    ------
    DisclosureError
        A cell or total reveals a small count, or a total lets a withheld count be recovered by subtraction.

    Examples
    --------
    >>> t = pd.DataFrame({"ward": ["A", "B", "C", "D"], "staff": [3, 40, 12, 25]})
    >>> assert_no_small_counts(suppress_counts(t, "staff", 10), "staff", 10, group_totals=pd.Series([80]))
    >>> assert_no_small_counts(t, "staff", 10)
    Traceback (most recent call last):
    anchor_analysis.core.errors.DisclosureError: 1 published cells of staff are below 10
    >>> one_withheld = pd.DataFrame({"staff": pd.array([None, 40, 25], dtype="Int64")})
    >>> assert_no_small_counts(one_withheld, "staff", 10, group_totals=pd.Series([68]))
    Traceback (most recent call last):
    anchor_analysis.core.errors.DisclosureError: group (): the total reveals 3 across 1 withheld cells
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
    :func:`secondary_cells`).

    Parameters
    ----------
    table : DataFrame
        The staff counts.
    place : str or Place, default "leeds"
        The place whose ``disclosure_threshold`` applies.
    value_col : str, default "count"
        The column of counts.
    group_cols : sequence of str, optional
        The groups whose totals are published (default ``("year",)``; columns absent from ``table`` are
        ignored).
    derived : sequence of str, optional
        Columns computed from the count (default ``("rate_per_1000",)``), blanked where the count is withheld.
    total_published : bool, default True
        Whether the ``group_cols`` totals are published.
    also_groups : sequence of sequence of str, optional
        Further groupings whose totals are published in other tables.

    Returns
    -------
    DataFrame
        A copy (index reset) with the withheld counts ``<NA>``, the derived columns blanked with them, and a
        ``suppressed`` column; ``attrs["threshold"]`` is the threshold used.

    Examples
    --------
    >>> staff = pd.DataFrame({"year": 2023, "lsoa_code": ["L1", "L2", "L3", "L4", "L5", "L6"],
    ...                       "ward": ["W1", "W1", "W1", "W2", "W2", "W2"], "count": [4, 30, 45, 40, 12, 35],
    ...                       "rate_per_1000": [0.5, 3.1, 4.2, 3.9, 1.4, 3.3]})
    >>> published = publish_counts(staff)
    >>> published[["count", "rate_per_1000"]].values.tolist()
    [[<NA>, <NA>], [30, 3.1], [45, 4.2], [40, 3.9], [<NA>, <NA>], [35, 3.3]]
    >>> published.attrs["threshold"]
    10

    With ward totals published too, each ward withholds a second cell:

    >>> publish_counts(staff, also_groups=[["ward"]])["suppressed"].tolist()
    ['primary', 'secondary', '', '', 'secondary', 'secondary']
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
    """The true totals of ``value_col`` per group (what a published total reveals), for disclosure checks.

    Parameters
    ----------
    table : DataFrame
        The table of counts, before suppression.
    value_col : str, default "count"
        The column of counts.
    group_cols : sequence of str, default ("year",)
        The columns of the groups.

    Returns
    -------
    Series
        The totals, indexed by the groups.

    See Also
    --------
    assert_no_small_counts : Uses them.

    Examples
    --------
    >>> group_totals(pd.DataFrame({"year": [2023, 2023, 2024], "count": [3, 40, 5]})).to_dict()
    {2023: 43, 2024: 5}
    """
    return table.groupby(list(group_cols))[value_col].sum()
