"""Summaries of classified ledgers per anchor and financial year: rings, deciles, rules, leakage, metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import (
    _NEED_RING,
    _NO_CATEGORY,
    BY,
    MATCH_STATUSES,
    _grid,
    _groups,
    _money,
    _need,
    _pence,
    _prepared,
    _ring_order,
    _share,
    _sum_by,
    _with_year,
)
from anchor_analysis.analysis.spend.locate import _STATUS_DTYPE
from anchor_analysis.analysis.spend.rules import SpendRules, load_spend_rules
from anchor_analysis.core.errors import SpendError
from anchor_analysis.core.places import ELSEWHERE, UNKNOWN, Place

# --- summaries ------------------------------------------------------------------------------------------------

def excluded_by_rule(
    classified: pd.DataFrame, rules: SpendRules | str | Path | None = None, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Every excluded pound, by rule: one row per rule and group, zeros included.

    Per group, ``spend`` over the rules plus influenceable spend equals the ledger's total (net) spend.

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table flagged by :func:`apply_influenceable_rules` (``influenceable, rule``).
    rules : SpendRules, str or Path, optional
        The rules that were applied (default: the kit's).
    by : sequence of str, default ``("anchor_id", "year")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, rule, label, lines, spend`` (GBP, net), the rules in their order.

    Raises
    ------
    SpendError
        If a line was excluded by a rule that is not in ``rules``, or a needed column is missing.

    Examples
    --------
    >>> from anchor_analysis.analysis.spend import apply_influenceable_rules
    >>> lines = apply_influenceable_rules(pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [5.0, 7.0, 2.0],
    ...     "category": ["Pensions", "ICT", "Pensions"], "supplier_name": "X"}))
    >>> excluded_by_rule(lines).query("lines > 0").values.tolist()
    [['a', 2023, 'pensions', 'Pensions', 2, 7.0]]
    """
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    by = list(by)
    frame = _prepared(classified, by, ring=False)
    unknown = sorted(set(frame["rule"].dropna()) - set(rules.keys))
    if unknown:
        raise SpendError(f"lines were excluded by rule(s) {unknown} that are not in {rules.source}")
    sums = _sum_by(frame[~frame["influenceable"]], [*by, "rule"])
    out = _grid(_groups(frame, by), by, "rule", rules.keys).merge(sums, on=[*by, "rule"], how="left")
    out["label"] = out["rule"].map(dict(zip(rules.keys, [r.label for r in rules.rules], strict=True)))
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["spend"] = _money(out["_pence"])
    return out[[*by, "rule", "label", "lines", "spend"]]


def spend_by_ring(
    classified: pd.DataFrame, place: str | Place | None = None, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Net influenceable spend per ring of the place, with the cumulative spend of the rings inside.

    ``ring`` is the supplier's innermost ring (``leeds``, ``west_yorkshire`` = West Yorkshire outside Leeds,
    ``elsewhere``, ``unknown``); ``cumulative_spend`` adds the inner rings (spend in West Yorkshire including Leeds), as
    the core metrics do. ``share`` is of all influenceable spend in the group, unknown included.

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table with ``amount, ring, influenceable`` (and the ``by`` columns, or
        ``payment_date`` for ``year``).
    place : str or Place, optional
        The place whose rings order the rows; needed when ``ring`` is not an ordered categorical.
    by : sequence of str, default ``("anchor_id", "year")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, ring, lines, spend, share, cumulative_spend, cumulative_share``: every ring in every group (zeros kept);
        the cumulative columns are blank for ``unknown``.

    Raises
    ------
    SpendError
        If a needed column is missing (classify and flag the lines first), or the rings cannot be ordered.

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [100.0, 50.0, 30.0, 20.0, -10.0],
    ...                       "ring": ["leeds", "west_yorkshire", "elsewhere", "unknown", "leeds"],
    ...                       "influenceable": True})
    >>> spend_by_ring(lines, "leeds")[["ring", "spend", "cumulative_spend"]].values.tolist()
    [['leeds', 90.0, 90.0], ['west_yorkshire', 50.0, 140.0], ['elsewhere', 30.0, 170.0], ['unknown', 20.0, nan]]
    """
    by = list(by)
    frame = _prepared(classified, by)
    frame = frame[frame["influenceable"]]
    order = _ring_order(classified, place)
    frame = frame.assign(ring=frame["ring"].astype("str"))
    sums = _sum_by(frame, [*by, "ring"])
    out = _grid(_groups(_with_year(classified), by), by, "ring", order).merge(sums, on=[*by, "ring"], how="left")
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["spend"] = _money(out["_pence"])
    out["_pence"] = out["_pence"].fillna(0).astype("int64")
    located = out["ring"] != UNKNOWN
    out["_cum"] = out["_pence"].where(located, 0)
    if by:
        total = out.groupby(by, sort=False, dropna=False)["_pence"].transform("sum")
        cumulative = out.groupby(by, sort=False, dropna=False)["_cum"].cumsum()
    else:
        total = pd.Series(out["_pence"].sum(), index=out.index)
        cumulative = out["_cum"].cumsum()
    out["share"] = _share(out["_pence"], total)
    out["cumulative_spend"] = (cumulative / 100).where(located)
    out["cumulative_share"] = _share(cumulative, total).where(located)
    out["ring"] = pd.Categorical(out["ring"], categories=order, ordered=True)
    return out[[*by, "ring", "lines", "spend", "share", "cumulative_spend", "cumulative_share"]]


def _ring_set(order: list[str], within: str | None) -> list[str]:
    """Ring keys inside ``within`` (cumulative): ``within="west_yorkshire"`` -> ``["leeds", "west_yorkshire"]``."""
    rings = order[: order.index(ELSEWHERE)]
    if within is None:
        return [r for r in order if r != UNKNOWN]
    if within not in rings:
        raise SpendError(f"unknown ring {within!r}; rings are {rings} (or None for all located suppliers)")
    return rings[: rings.index(within) + 1]


def spend_by_deprivation_decile(
    classified: pd.DataFrame, place: str | Place | None = None, *, within: str | None = None,
    by: Sequence[str] = BY,
) -> pd.DataFrame:
    """Net influenceable spend by the IMD decile of the supplier's LSOA.

    Deciles 1 (most deprived 10% nationally) to 10 are all listed, then a row with a missing decile for spend whose
    supplier has no decile (unknown or outside the lookup, or an LSOA without one in that edition).

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table with ``amount, ring, imd_decile, influenceable``.
    place : str or Place, optional
        The place whose rings ``within`` names; needed when ``ring`` is not an ordered categorical.
    within : str, optional
        Keep suppliers inside one ring of the place (``"leeds"``: Leeds suppliers only; ``None``: every supplier).
    by : sequence of str, default ``("anchor_id", "year")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, imd_decile, lines, spend, share``; ``share`` is of the influenceable spend in the scope.

    Raises
    ------
    SpendError
        If ``within`` is not a ring of the place, or a needed column is missing.

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [100.0, 50.0, 30.0, 20.0],
    ...                       "ring": ["leeds", "west_yorkshire", "elsewhere", "unknown"], "influenceable": True,
    ...                       "imd_decile": [1, 3, 1, None]})
    >>> table = spend_by_deprivation_decile(lines, "leeds")
    >>> table.loc[table["spend"] > 0, ["imd_decile", "spend", "share"]].values.tolist()
    [[1, 130.0, 0.65], [3, 50.0, 0.25], [<NA>, 20.0, 0.1]]
    >>> float(spend_by_deprivation_decile(lines, "leeds", within="leeds").at[0, "share"])  # decile 1 of Leeds
    1.0
    """
    by = list(by)
    frame = _prepared(classified, by)
    _need(frame, ["imd_decile"], _NEED_RING)
    order = _ring_order(classified, place)
    scope = _ring_set(order, within) if within is not None else order
    frame = frame[frame["influenceable"] & frame["ring"].astype("str").isin(scope)]
    frame = frame.assign(_decile=frame["imd_decile"].fillna(0).astype("int64"))
    sums = _sum_by(frame, [*by, "_decile"])
    deciles = list(range(1, 11)) + [0]
    out = _grid(_groups(_with_year(classified), by), by, "_decile", deciles).merge(sums, on=[*by, "_decile"],
                                                                                   how="left")
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["_pence"] = out["_pence"].fillna(0).astype("int64")
    out["spend"] = out["_pence"] / 100
    total = out.groupby(by, sort=False, dropna=False)["_pence"].transform("sum") if by else out["_pence"].sum()
    out["share"] = _share(out["_pence"], pd.Series(total, index=out.index))
    out["imd_decile"] = out["_decile"].astype("Int64").where(out["_decile"] > 0)
    return out[[*by, "imd_decile", "lines", "spend", "share"]]


def leakage_by_category(
    classified: pd.DataFrame, place: str | Place | None = None, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Where each category's net influenceable spend goes: how much leaks out of the place and the region.

    The place is the innermost ring and the region the outermost ring of the place (Leeds, West Yorkshire). Shares
    are of *located* spend (suppliers with a known ring), so a category with many junk postcodes is not mistaken for
    a local one; ``unknown_spend`` says how much could not be located.

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table with ``amount, ring, influenceable`` and ``category`` (missing categories
        are "(no category)").
    place : str or Place, optional
        The place whose rings order the rows; needed when ``ring`` is not an ordered categorical.
    by : sequence of str, default ``("anchor_id", "year")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, category, lines, spend, unknown_spend, located_spend, spend_in_place, spend_in_region,
        spend_outside_place, spend_outside_region, share_outside_place, share_outside_region``. Rows are sorted by
        spend outside the place, largest first, within each group.

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [90.0, 50.0, 30.0, 20.0], "influenceable": True,
    ...                       "ring": ["leeds", "west_yorkshire", "elsewhere", "unknown"],
    ...                       "category": ["ICT", "ICT", "Estates", "Estates"]})
    >>> leakage = leakage_by_category(lines, "leeds")
    >>> leakage[["category", "spend_outside_place", "share_outside_place", "unknown_spend"]].round(3).values.tolist()
    [['ICT', 50.0, 0.357, 0.0], ['Estates', 30.0, 1.0, 20.0]]
    """
    by = list(by)
    frame = _prepared(classified, by)
    order = _ring_order(classified, place)
    rings = order[: order.index(ELSEWHERE)]
    frame = frame[frame["influenceable"]]
    ring = frame["ring"].astype("str")
    category = frame["category"].astype("str").fillna(_NO_CATEGORY) if "category" in frame else _NO_CATEGORY
    frame = frame.assign(
        category=category,
        _unknown=np.where(ring == UNKNOWN, frame["_pence"], 0),
        _place=np.where(ring == rings[0], frame["_pence"], 0),
        _region=np.where(ring.isin(rings), frame["_pence"], 0),
    )
    out = _sum_by(frame, [*by, "category"], ("_pence", "_lines", "_unknown", "_place", "_region"))
    located = out["_pence"] - out["_unknown"]
    out["lines"] = out["_lines"].astype("int64")
    out["spend"] = out["_pence"] / 100
    out["unknown_spend"] = out["_unknown"] / 100
    out["located_spend"] = located / 100
    out["spend_in_place"] = out["_place"] / 100
    out["spend_in_region"] = out["_region"] / 100
    out["spend_outside_place"] = (located - out["_place"]) / 100
    out["spend_outside_region"] = (located - out["_region"]) / 100
    out["share_outside_place"] = _share(located - out["_place"], located)
    out["share_outside_region"] = _share(located - out["_region"], located)
    out = out.sort_values([*by, "spend_outside_place", "category"], ascending=[True] * len(by) + [False, True],
                          na_position="last", kind="stable")
    columns = [*by, "category", "lines", "spend", "unknown_spend", "located_spend", "spend_in_place",
               "spend_in_region", "spend_outside_place", "spend_outside_region", "share_outside_place",
               "share_outside_region"]
    return out[columns].reset_index(drop=True)


SUMMARY_METRICS = ("lines", "total_spend", "influenceable_spend", "excluded_spend", "spend_{ring}",
                   "spend_elsewhere", "spend_unknown", "spend_most_deprived", "credit_spend", "duplicate_lines",
                   "duplicate_spend")
"""Metrics of :func:`ledger_summary`; ``spend_{ring}`` is expanded per ring of the place (cumulative)."""


def ledger_summary(
    classified: pd.DataFrame, place: str | Place | None = None, *, deprived_within: str | None = "place",
    by: Sequence[str] = ("year", "anchor_id"),
) -> pd.DataFrame:
    """The core spend metrics recomputed from a ledger, long form like ``metrics.csv``.

    Metrics (GBP unless said): ``lines`` (unit ``lines``), ``total_spend`` (all lines, net), ``influenceable_spend``,
    ``excluded_spend``, ``spend_<ring>`` for each ring of the place, *cumulative* (``spend_west_yorkshire`` includes
    Leeds, as in the returns), ``spend_elsewhere``, ``spend_unknown`` (influenceable spend whose supplier could not be
    located: blank, junk or unknown postcodes), ``spend_most_deprived`` (suppliers in LSOAs of national IMD decile 1 of
    the classification's edition, inside ``deprived_within``), ``credit_spend`` (negative lines, already netted into
    the others), and, for tables that carry them, ``duplicate_lines`` and ``duplicate_spend`` (exact duplicates).

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table with ``amount, ring, imd_decile, influenceable``.
    place : str or Place, optional
        The place whose rings name the metrics; needed when ``ring`` is not an ordered categorical.
    deprived_within : str or None, default "place"
        Where a supplier in decile 1 counts for ``spend_most_deprived``: ``"place"`` = the innermost ring, a ring key,
        or ``None`` for any located supplier.
    by : sequence of str, default ``("year", "anchor_id")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, metric, value, unit`` (:data:`SUMMARY_METRICS` order; ``unit`` is ``lines`` or ``GBP``).

    Raises
    ------
    SpendError
        If ``deprived_within`` is not a ring of the place, or a needed column is missing.

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [100.0, 50.0, 30.0, 20.0, -10.0],
    ...                       "ring": ["leeds", "west_yorkshire", "elsewhere", "unknown", "leeds"],
    ...                       "imd_decile": [1, 1, 5, None, 1], "influenceable": [True, True, True, True, False]})
    >>> ledger_summary(lines, "leeds").set_index("metric")["value"].to_dict()
    {'lines': 5.0, 'total_spend': 190.0, 'influenceable_spend': 200.0, 'excluded_spend': -10.0, 'spend_leeds': 100.0,
     'spend_west_yorkshire': 150.0, 'spend_elsewhere': 30.0, 'spend_unknown': 20.0, 'spend_most_deprived': 100.0,
     'credit_spend': -10.0}
    """
    by = list(by)
    frame = _prepared(classified, by)
    _need(frame, ["imd_decile"], _NEED_RING)
    order = _ring_order(classified, place)
    rings = order[: order.index(ELSEWHERE)]
    within = _ring_set(order, rings[0] if deprived_within == "place" else deprived_within)
    ring = frame["ring"].astype("str")
    infl = frame["influenceable"].to_numpy(dtype=bool)
    pence = frame["_pence"].to_numpy()
    if "credit_amount" in frame.columns:
        credit = _pence(frame["credit_amount"])
    else:
        credit = np.where(pence < 0, pence, 0)
    columns: dict[str, Any] = {
        "lines": frame["_lines"], "total_spend": pence, "influenceable_spend": np.where(infl, pence, 0),
        "excluded_spend": np.where(infl, 0, pence),
    }
    for i, r in enumerate(rings):
        columns[f"spend_{r}"] = np.where(infl & ring.isin(rings[: i + 1]), pence, 0)
    columns["spend_elsewhere"] = np.where(infl & (ring == ELSEWHERE), pence, 0)
    columns["spend_unknown"] = np.where(infl & (ring == UNKNOWN), pence, 0)
    deprived = (frame["imd_decile"] == 1).fillna(False).to_numpy(dtype=bool) & ring.isin(within).to_numpy()
    columns["spend_most_deprived"] = np.where(infl & deprived, pence, 0)
    columns["credit_spend"] = credit
    if "duplicate_lines" in frame.columns:
        columns["duplicate_lines"] = frame["duplicate_lines"].to_numpy(dtype="int64")
        columns["duplicate_spend"] = _pence(frame["duplicate_amount"])
    work = pd.DataFrame({c: frame[c] for c in by}) if by else pd.DataFrame(index=frame.index)
    for name, values in columns.items():
        work[name] = np.asarray(values, dtype="int64")
    metrics = list(columns)
    sums = work.groupby(by, dropna=False, sort=False)[metrics].sum().reset_index() if by else \
        work[metrics].sum().to_frame().T
    sums = _groups(_with_year(classified), by).merge(sums, on=by, how="left") if by else sums
    long = sums.melt(id_vars=by, value_vars=metrics, var_name="metric", value_name="_raw")
    count_metric = long["metric"].isin(["lines", "duplicate_lines"])
    long["_raw"] = long["_raw"].fillna(0).astype("int64")
    long["value"] = np.where(count_metric, long["_raw"], long["_raw"] / 100).astype("float64")
    long["unit"] = np.where(count_metric, "lines", "GBP")
    long["metric"] = pd.Categorical(long["metric"], categories=metrics, ordered=True)
    long = long.sort_values([*by, "metric"], kind="stable").reset_index(drop=True)
    long["metric"] = long["metric"].astype("str")
    return long[[*by, "metric", "value", "unit"]]


def compare_with_returns(ledger_summary: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Ledger-derived metrics beside the anchors' own returns, where both exist.

    Typical causes of a difference: supplier postcodes that could not be located (see ``spend_unknown``), a different
    influenceable-spend definition, or a different IMD edition.

    Parameters
    ----------
    ledger_summary : DataFrame
        :func:`ledger_summary` (``year, anchor_id, metric, value``).
    metrics : DataFrame
        The returns in ``metrics.csv`` form (``year, anchor_id, metric, value``; values may be text).

    Returns
    -------
    DataFrame
        ``year, anchor_id, metric, ledger, returned, difference`` (ledger - returned, GBP) and ``difference_pct``
        (difference as a percentage of the return; missing when the return is zero), sorted by the keys.

    Raises
    ------
    SpendError
        If either table lacks a key or ``value``.

    Examples
    --------
    >>> summary = pd.DataFrame({"year": 2023, "anchor_id": "a", "metric": ["spend_leeds", "spend_sme"],
    ...                         "value": [90.0, 40.0]})
    >>> metrics = pd.DataFrame({"year": 2023, "anchor_id": "a", "metric": "spend_leeds", "value": ["100"]})
    >>> compare_with_returns(summary, metrics)[["metric", "ledger", "returned", "difference_pct"]].values.tolist()
    [['spend_leeds', 90.0, 100, -10.0]]
    """
    keys = ["year", "anchor_id", "metric"]
    _need(ledger_summary, [*keys, "value"], "pass the output of ledger_summary")
    _need(metrics, [*keys, "value"], "pass a metrics table (year, anchor_id, metric, value, unit)")
    left = ledger_summary[[*keys, "value"]].rename(columns={"value": "ledger"})
    right = metrics[[*keys, "value"]].rename(columns={"value": "returned"}).copy()
    right["returned"] = pd.to_numeric(right["returned"], errors="coerce")
    for frame in (left, right):
        frame["year"] = frame["year"].astype("int64")
        frame["anchor_id"] = frame["anchor_id"].astype("str")
        frame["metric"] = frame["metric"].astype("str")
    out = left.merge(right.dropna(subset=["returned"]), on=keys, how="inner")
    out["difference"] = out["ledger"] - out["returned"]
    out["difference_pct"] = _share(out["difference"], out["returned"]) * 100
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def match_status_summary(classified: pd.DataFrame, by: Sequence[str] = BY) -> pd.DataFrame:
    """Lines and spend per postcode match status.

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table with ``amount, match_status, influenceable``.
    by : sequence of str, default ``("anchor_id", "year")``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, match_status, lines, spend, influenceable_spend``: every status of :data:`MATCH_STATUSES` in every
        group (zeros kept).

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [100.0, 20.0, 5.0],
    ...                       "match_status": ["matched", "blank", "blank"], "influenceable": [True, True, False]})
    >>> table = match_status_summary(lines)
    >>> table.loc[table["lines"] > 0, ["match_status", "lines", "spend", "influenceable_spend"]].values.tolist()
    [['matched', 1, 100.0, 100.0], ['blank', 2, 25.0, 20.0]]
    """
    by = list(by)
    frame = _prepared(classified, by, ring=False)
    _need(frame, ["match_status"], _NEED_RING)
    frame = frame.assign(match_status=frame["match_status"].astype("str"),
                         _infl=np.where(frame["influenceable"], frame["_pence"], 0))
    sums = _sum_by(frame, [*by, "match_status"], ("_pence", "_lines", "_infl"))
    out = _grid(_groups(_with_year(classified), by), by, "match_status", MATCH_STATUSES)
    out = out.merge(sums, on=[*by, "match_status"], how="left")
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["spend"] = _money(out["_pence"])
    out["influenceable_spend"] = _money(out["_infl"])
    out["match_status"] = pd.Categorical(out["match_status"], dtype=_STATUS_DTYPE)
    return out[[*by, "match_status", "lines", "spend", "influenceable_spend"]]
