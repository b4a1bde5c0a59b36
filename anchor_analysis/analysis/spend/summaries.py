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
    """Every excluded pound, by rule: ``*by, rule, label, lines, spend`` (one row per rule, zeros included).

    Per group, ``spend`` over the rules plus influenceable spend equals the ledger's total (net) spend.

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
    """Net influenceable spend per ring: ``*by, ring, lines, spend, share, cumulative_spend, cumulative_share``.

    ``ring`` is the supplier's innermost ring (``leeds``, ``west_yorkshire`` = West Yorkshire outside Leeds,
    ``elsewhere``, ``unknown``); ``cumulative_spend`` adds the inner rings (spend in West Yorkshire including
    Leeds), as the core metrics do. ``share`` is of all influenceable spend in the group, unknown included.
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
    """Net influenceable spend by the IMD decile of the supplier's LSOA: ``*by, imd_decile, lines, spend, share``.

    Deciles 1 (most deprived 10% nationally) to 10 are all listed, then a row with a missing decile for spend whose
    supplier has no decile (unknown or outside the lookup, or an LSOA without one in that edition). ``within`` keeps
    suppliers inside one ring of the place (``"leeds"``: Leeds suppliers only; ``None``: every supplier); ``share``
    is of the influenceable spend in that scope.
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

    Columns ``*by, category, lines, spend, unknown_spend, located_spend, spend_in_place, spend_in_region,
    spend_outside_place, spend_outside_region, share_outside_place, share_outside_region``. The place is the
    innermost ring and the region the outermost ring of the place (Leeds, West Yorkshire). Shares are of *located*
    spend (suppliers with a known ring), so a category with many junk postcodes is not mistaken for a local one;
    ``unknown_spend`` says how much could not be located. Rows are sorted by spend outside the place, largest
    first, within each group.
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
    """The core spend metrics recomputed from a ledger, long form like ``metrics.csv``: ``*by, metric, value, unit``.

    Metrics (GBP unless said): ``lines`` (unit ``lines``), ``total_spend`` (all lines, net), ``influenceable_spend``,
    ``excluded_spend``, ``spend_<ring>`` for each ring of the place, *cumulative* (``spend_west_yorkshire`` includes
    Leeds, as in the returns), ``spend_elsewhere``, ``spend_unknown`` (influenceable spend whose supplier could not
    be located: blank, junk or unknown postcodes), ``spend_most_deprived`` (suppliers in LSOAs of national IMD
    decile 1 of the classification's edition, inside ``deprived_within``: ``"place"`` = the innermost ring, a ring
    key, or ``None`` for any located supplier), ``credit_spend`` (negative lines, already netted into the others),
    and, for tables that carry them, ``duplicate_lines`` and ``duplicate_spend`` (exact duplicates).
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

    ``ledger_summary`` as from :func:`ledger_summary`; ``metrics`` in ``metrics.csv`` form (``year, anchor_id,
    metric, value``; values may be text). Returns ``year, anchor_id, metric, ledger, returned, difference``
    (ledger - returned, GBP) and ``difference_pct`` (difference as a percentage of the return; missing when the
    return is zero). Typical causes of a difference: supplier postcodes that could not be located (see
    ``spend_unknown``), a different influenceable-spend definition, or a different IMD edition.
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
    """Lines and spend per postcode match status: ``*by, match_status, lines, spend, influenceable_spend``."""
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
