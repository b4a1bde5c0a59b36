"""Reconciliation: every pound of the ledgers accounted for, so none goes missing silently.

Per anchor and financial year, from the classified supplier-level table: the lines and pounds read (every line
dated in the year, whatever file it came from), of which exact duplicates and credits, then where each pound went:
excluded by each influenceable-spend rule, or influenceable and either not located or in one ring of the place.
The rows below ``read`` partition it: the excluded rows plus ``influenceable`` equal ``read``, and ``unlocated`` plus
the ring rows equal ``influenceable`` (:func:`check_reconciliation` says so or raises).

>>> from anchor_analysis.core.places import load_place
>>> suppliers = pd.DataFrame({"anchor_id": "a", "year": 2023, "lines": [3, 1, 2], "amount": [60.0, -5.0, 20.0],
...     "credit_lines": [0, 1, 0], "credit_amount": [0.0, -5.0, 0.0], "duplicate_lines": [1, 0, 0],
...     "duplicate_amount": [20.0, 0.0, 0.0], "influenceable": [True, True, False], "rule": [None, None, "tax"],
...     "ring": ["leeds", "unknown", "elsewhere"]})
>>> table = reconcile_ledgers(suppliers, load_place("leeds"))
>>> print(table[["item", "lines", "spend"]].to_string(index=False))
                          item  lines  spend
                          read      6   75.0
              exact_duplicates      1   20.0
                       credits      1   -5.0
                  excluded:pay      0    0.0
                  excluded:tax      2   20.0
               excluded:levies      0    0.0
             excluded:pensions      0    0.0
excluded:grants_to_individuals      0    0.0
        excluded:public_bodies      0    0.0
                 influenceable      4   55.0
                     unlocated      1   -5.0
                    ring:leeds      3   60.0
           ring:west_yorkshire      0    0.0
                ring:elsewhere      0    0.0
>>> check_reconciliation(table)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import BY, _pence
from anchor_analysis.analysis.spend.rules import SpendRules, load_spend_rules
from anchor_analysis.core.errors import SpendError
from anchor_analysis.core.places import ELSEWHERE, UNKNOWN, Place, load_place
from anchor_analysis.core.years import fy_label

RECONCILIATION_COLUMNS = ("order", "item", "label", "lines", "spend")


def reconcile_ledgers(suppliers: pd.DataFrame, place: str | Place, rules: SpendRules | None = None, *,
                      drop_exact_duplicates: bool = False, by: Sequence[str] = BY) -> pd.DataFrame:
    """Lines and pounds of the ledgers from reading to classification, per group (default: anchor and year).

    Parameters
    ----------
    suppliers : DataFrame
        The classified supplier-level table (``SpendAnalysis.suppliers``): ``lines, amount, credit_lines,
        credit_amount, duplicate_lines, duplicate_amount, influenceable, rule, ring`` and the ``by`` columns.
    place : str or Place
        The place whose rings classify the spend.
    rules : SpendRules, optional
        The influenceable-spend rules that were applied (default: the kit's); every rule gets a row.
    drop_exact_duplicates : bool, default False
        Whether exact duplicate lines were dropped from ``lines`` and ``amount`` (they are still read).
    by : sequence of str, default ``("anchor_id", "year")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, order, item, label, lines, spend`` (spend in GBP, net of credits): ``read``, ``exact_duplicates``
        and ``credits`` (both "of which" rows of ``read``), ``excluded:<rule>`` for every rule, ``influenceable``,
        ``unlocated``, ``ring:<ring>`` for each ring of the place (the ring alone, not the rings inside it) and
        ``ring:elsewhere``.

    Raises
    ------
    SpendError
        If ``suppliers`` lacks a column of the classified supplier table.

    See Also
    --------
    check_reconciliation : Checks that every group adds up.

    Examples
    --------
    >>> suppliers = pd.DataFrame({"anchor_id": "a", "year": 2023, "lines": [3, 1], "amount": [60.0, 20.0],
    ...     "credit_lines": 0, "credit_amount": 0.0, "duplicate_lines": [1, 0], "duplicate_amount": [20.0, 0.0],
    ...     "influenceable": [True, False], "rule": [None, "pay"], "ring": ["west_yorkshire", "unknown"]})
    >>> table = reconcile_ledgers(suppliers, "leeds", drop_exact_duplicates=True).set_index("item")
    >>> items = ["read", "exact_duplicates", "excluded:pay", "influenceable", "ring:west_yorkshire"]
    >>> table.loc[items, "spend"].tolist()  # read: 80 kept + 20 of dropped duplicates
    [100.0, 20.0, 20.0, 60.0, 60.0]
    """
    place = load_place(place)
    rules = rules if rules is not None else load_spend_rules()
    by = list(by)
    frame = _pence_columns(suppliers, drop_exact_duplicates)
    groups = frame[by].drop_duplicates().sort_values(by).reset_index(drop=True) if by else pd.DataFrame(index=[0])
    parts = [_sums(frame, by, "read", "Lines read (dated in the year)", "_read_lines", "_read_p"),
             _sums(frame, by, "exact_duplicates", "of which exact duplicates (kept in every total)"
                   if not drop_exact_duplicates else "of which exact duplicates (dropped)", "_dup_lines", "_dup_p"),
             _sums(frame, by, "credits", "of which credits (netted against their supplier)", "_credit_lines",
                   "_credit_p")]
    for rule in rules.rules:
        parts.append(_sums(frame[frame["rule"] == rule.key], by, f"excluded:{rule.key}", f"Excluded: {rule.label}"))
    influenceable = frame[frame["influenceable"].astype(bool)]
    parts.append(_sums(influenceable, by, "influenceable", "Influenceable spend"))
    ring = influenceable["ring"].astype("str")
    parts.append(_sums(influenceable[ring == UNKNOWN], by, "unlocated",
                       "Influenceable, supplier not located (postcode blank, malformed or not found)"))
    for r in place.rings:
        parts.append(_sums(influenceable[ring == r.key], by, f"ring:{r.key}", _ring_label(place, r.key)))
    parts.append(_sums(influenceable[ring == ELSEWHERE], by, f"ring:{ELSEWHERE}",
                       f"Influenceable, supplier outside {place.rings[-1].label}"))
    return _assemble(groups, by, parts)


def _pence_columns(suppliers: pd.DataFrame, dropped: bool) -> pd.DataFrame:
    """The supplier table with the line and pence columns the sums need (``read`` adds back dropped duplicates)."""
    needed = ["lines", "amount", "credit_lines", "credit_amount", "duplicate_lines", "duplicate_amount",
              "influenceable", "rule", "ring"]
    missing = [c for c in needed if c not in suppliers.columns]
    if missing:
        raise SpendError(f"reconcile_ledgers needs the classified supplier table; missing column(s) {missing}")
    out = suppliers.copy()
    out["_lines"] = out["lines"].astype("int64")
    out["_p"] = _pence(out["amount"])
    dup_lines, dup_p = out["duplicate_lines"].astype("int64"), _pence(out["duplicate_amount"])
    out["_dup_lines"], out["_dup_p"] = dup_lines, dup_p
    out["_read_lines"] = out["_lines"] + (dup_lines if dropped else 0)
    out["_read_p"] = out["_p"] + (dup_p if dropped else 0)
    out["_credit_lines"] = out["credit_lines"].astype("int64")
    out["_credit_p"] = _pence(out["credit_amount"])
    return out


def _sums(frame: pd.DataFrame, by: list[str], item: str, label: str, lines: str = "_lines",
          pence: str = "_p") -> tuple[str, str, pd.DataFrame]:
    """One item's lines and pence per group (groups without any are filled with zeros later)."""
    if by:
        sums = frame.groupby(by, dropna=False, sort=False)[[lines, pence]].sum().reset_index()
    else:
        sums = pd.DataFrame({lines: [frame[lines].sum()], pence: [frame[pence].sum()]})
    return item, label, sums.rename(columns={lines: "lines", pence: "pence"})


def _assemble(groups: pd.DataFrame, by: list[str], parts: list[tuple[str, str, pd.DataFrame]]) -> pd.DataFrame:
    """Every item's sums in every group (zeros filled in), in item order."""
    rows = []
    for order, (item, label, sums) in enumerate(parts, start=1):
        merged = groups.merge(sums, on=by, how="left") if by else sums
        rows.append(merged.assign(order=order, item=item, label=label))
    out = pd.concat(rows, ignore_index=True)
    out["lines"] = out["lines"].fillna(0).astype("int64")
    out["spend"] = out["pence"].fillna(0).astype("int64") / 100
    out = out.sort_values([*by, "order"], kind="stable").reset_index(drop=True)
    return out[[*by, *RECONCILIATION_COLUMNS]]


def _ring_label(place: Place, key: str) -> str:
    """The label of a ring's row: the ring alone, outside the ring inside it."""
    keys = [r.key for r in place.rings]
    ring = place.ring(key)
    if keys.index(key) == 0:
        return f"Influenceable, supplier in {ring.label}"
    inner = place.rings[keys.index(key) - 1]
    return f"Influenceable, supplier in {ring.label} outside {inner.label}"


def check_reconciliation(table: pd.DataFrame, by: Sequence[str] = BY) -> bool:
    """Check that every group's pounds and lines add up.

    read = excluded + influenceable, and influenceable = unlocated + the rings + elsewhere (spend to within half a
    penny, lines exactly).

    Parameters
    ----------
    table : DataFrame
        :func:`reconcile_ledgers`.
    by : sequence of str, default ``("anchor_id", "year")``
        The groups (those of them that ``table`` has).

    Returns
    -------
    bool
        True.

    Raises
    ------
    SpendError
        Naming the first group that does not add up, the equation and the gap.

    Examples
    --------
    >>> table = pd.DataFrame({"item": ["read", "excluded:pay", "influenceable", "unlocated", "ring:leeds"],
    ...                       "lines": [3, 1, 2, 0, 2], "spend": [90.0, 30.0, 60.0, 0.0, 60.0]})
    >>> check_reconciliation(table)
    True
    >>> check_reconciliation(table.assign(spend=[90.0, 30.0, 60.0, 0.0, 50.0]))
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.SpendError: the ledgers do not reconcile for 0: influenceable - unlocated - rings = 10.0
    (spend)
    """
    by = [c for c in by if c in table.columns]
    wide_p = _wide(table, by, "spend")
    wide_l = _wide(table, by, "lines")
    for wide, what in ((wide_p, "spend"), (wide_l, "lines")):
        excluded = wide[[c for c in wide.columns if c.startswith("excluded:")]].sum(axis=1)
        rings = wide[[c for c in wide.columns if c.startswith("ring:")]].sum(axis=1)
        gaps = {"read - excluded - influenceable": wide["read"] - excluded - wide["influenceable"],
                "influenceable - unlocated - rings": wide["influenceable"] - wide["unlocated"] - rings}
        for name, gap in gaps.items():
            bad = gap.abs() > (0.005 if what == "spend" else 0)
            if bad.any():
                group = bad[bad].index[0]
                shown = ", ".join(str(part) for part in group) if isinstance(group, tuple) else str(group)
                raise SpendError(f"the ledgers do not reconcile for {shown}: {name} = "
                                 f"{gap[bad].iloc[0]} ({what})")
    return True


def _wide(table: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """``value`` per item as columns, one row per group."""
    if by:
        return table.pivot_table(index=by, columns="item", values=value, aggfunc="sum", fill_value=0)
    return table.set_index("item")[[value]].T.reset_index(drop=True)


def network_reconciliation(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """The reconciliation of ``year`` summed over anchors, in its order: ``item, label, lines, spend``.

    Parameters
    ----------
    table : DataFrame
        :func:`reconcile_ledgers` (by anchor and year).
    year : int
        The financial year.

    Returns
    -------
    DataFrame
        ``item, label, lines, spend`` (spend rounded to the penny), in the reconciliation's order.

    Examples
    --------
    >>> table = pd.DataFrame({"anchor_id": ["a", "b", "a", "b"], "year": 2023, "order": [1, 1, 2, 2],
    ...                       "item": ["read", "read", "influenceable", "influenceable"],
    ...                       "label": ["Lines read", "Lines read", "Influenceable", "Influenceable"],
    ...                       "lines": [3, 2, 2, 2], "spend": [0.1, 0.2, 0.1, 0.1]})
    >>> network_reconciliation(table, 2023)[["item", "lines", "spend"]].values.tolist()
    [['read', 5, 0.3], ['influenceable', 4, 0.2]]
    """
    year_rows = table[table["year"] == year]
    out = year_rows.groupby(["order", "item", "label"], as_index=False, sort=True)[["lines", "spend"]].sum()
    out["spend"] = np.round(out["spend"], 2)
    return out.drop(columns="order")


def describe_reconciliation(table: pd.DataFrame, year: int) -> str:
    """One sentence on the year's reconciliation: what was read and where it all went.

    Parameters
    ----------
    table : DataFrame
        :func:`reconcile_ledgers` (by anchor and year).
    year : int
        The financial year.

    Returns
    -------
    str
        The sentence (Markdown), amounts in millions of pounds.

    Examples
    --------
    >>> suppliers = pd.DataFrame({"anchor_id": "a", "year": 2023, "lines": [300, 100], "amount": [6.0e6, 2.5e6],
    ...     "credit_lines": 0, "credit_amount": 0.0, "duplicate_lines": 0, "duplicate_amount": 0.0,
    ...     "influenceable": [True, False], "rule": [None, "pay"], "ring": ["unknown", "leeds"]})
    >>> print(describe_reconciliation(reconcile_ledgers(suppliers, "leeds"), 2023))
    The ledgers hold **400 lines dated in 2023/24, £8.5m** net of credits (every line counted in the financial year
    of its payment date, whatever its file is called). £2.5m of it is excluded by the influenceable-spend rules and
    £6.0m is influenceable, of which £6.0m has a supplier that could not be located; the table accounts for every
    line and pound.
    """
    rows = network_reconciliation(table, year).set_index("item")
    millions = rows["spend"] / 1e6
    excluded = millions[millions.index.str.startswith("excluded:")].sum()
    return (f"The ledgers hold **{int(rows.at['read', 'lines']):,} lines dated in {fy_label(year)}, "
            f"£{millions['read']:,.1f}m** net of credits (every line counted in the financial year of its payment "
            f"date, whatever its file is called). £{excluded:,.1f}m of it is excluded by the influenceable-spend "
            f"rules and £{millions['influenceable']:,.1f}m is influenceable, of which £{millions['unlocated']:,.1f}m "
            "has a supplier that could not be located; the table accounts for every line and pound.")
