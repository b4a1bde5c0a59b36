"""Core metrics: network totals with coverage, estimates, year-on-year change and the carbon trajectory.

A missing metrics row means *not reported*, never zero: every total says who reported it, and a whole-network
estimate is a separate, labelled figure beside it, never a silent replacement.

>>> import pandas as pd
>>> anchors = pd.DataFrame({"anchor_id": ["a", "b", "c"], "name": ["A", "B", "C"], "sector": ["nhs"] * 3,
...                         "joined_year": [2018] * 3, "left_year": [None] * 3})
>>> metrics = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b"], "metric": "headcount",
...                         "value": [100.0, 300.0], "unit": "people"})
>>> row = network_totals(metrics, anchors, 2023).set_index("metric").loc["headcount"]
>>> row["total"], row["coverage_statement"]
(400.0, '2 of 3 anchors reporting (67%)')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.errors import NoDataError
from anchor_analysis.core.membership import member_mask, members
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.years import fy_label

SCOPE12 = ("scope1_tco2e", "scope2_tco2e")


def metrics_wide(metrics: pd.DataFrame) -> pd.DataFrame:
    """Long returns to one row per (year, anchor_id) and one column per metric; unreported cells stay NaN."""
    wide = metrics.pivot_table(index=["year", "anchor_id"], columns="metric", values="value", aggfunc="first")
    wide.columns.name = None
    return wide.astype(float).sort_index()


def coverage_statement(n_reporting: int, n_members: int) -> str:
    """``"11 of 14 anchors reporting (79%)"``: the wording used next to every network total."""
    pct = 100 * n_reporting / n_members if n_members else 0
    return f"{n_reporting} of {n_members} anchors reporting ({pct:.0f}%)"


def _year_values(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int, metric: str) -> pd.Series:
    """Reported values of one metric for the members in ``year``, indexed by anchor_id (non-reporters absent)."""
    sub = metrics[(metrics["year"] == year) & (metrics["metric"] == metric)]
    sub = sub[sub["anchor_id"].isin(members(anchors, year))]
    return sub.set_index("anchor_id")["value"].astype(float).sort_index()


def network_totals(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int,
                   place: str | Place = "leeds") -> pd.DataFrame:
    """One row per metric reported in ``year``: total over reporting members and its coverage.

    Columns: ``metric, label, unit, kind, total, n_reporting, n_members, coverage, coverage_statement,
    reporting, not_reporting``. For flag metrics (``living_wage``) ``total`` is the number of anchors with the
    flag set, so "10 of 11 pay the Living Wage" reads ``total=10, n_reporting=11``.
    """
    defs = metric_definitions(place)
    year_members = members(anchors, year)
    if not year_members:
        raise NoDataError(f"no anchors were members of the network in {fy_label(year)}")
    rows = []
    present = metrics.loc[metrics["year"] == year, "metric"].unique()
    for metric in [m for m in defs.index if m in present]:
        values = _year_values(metrics, anchors, year, metric)
        rows.append({
            "metric": metric, "label": defs.at[metric, "label"], "unit": defs.at[metric, "unit"],
            "kind": defs.at[metric, "kind"], "total": float(values.sum()), "n_reporting": len(values),
            "n_members": len(year_members), "coverage": len(values) / len(year_members),
            "coverage_statement": coverage_statement(len(values), len(year_members)),
            "reporting": ", ".join(values.index),
            "not_reporting": ", ".join(sorted(set(year_members) - set(values.index))),
        })
    if not rows:
        raise NoDataError(f"no metrics returns for {fy_label(year)}")
    return pd.DataFrame(rows)


def network_share(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int, numerator: str,
                  denominator: str) -> dict:
    """A share over the anchors that reported *both* metrics (a matched denominator).

    Returns ``pooled`` (sum of numerators / sum of denominators), ``mean_of_shares`` (the unweighted average of
    each anchor's share), ``n_reporting``, ``n_members``, ``coverage_statement`` and ``anchors``. Seed 003's
    "average of 48% spent in Leeds" does not say which average; both are given so a report can name its choice.
    """
    num = _year_values(metrics, anchors, year, numerator)
    den = _year_values(metrics, anchors, year, denominator)
    both = num.index.intersection(den.index)
    both = both[den[both] > 0]
    n_members = len(members(anchors, year))
    if len(both) == 0:
        raise NoDataError(f"no anchor reported both {numerator} and {denominator} in {fy_label(year)}")
    return {
        "pooled": float(num[both].sum() / den[both].sum()),
        "mean_of_shares": float((num[both] / den[both]).mean()),
        "n_reporting": len(both), "n_members": n_members,
        "coverage_statement": coverage_statement(len(both), n_members),
        "anchors": list(both),
    }


def estimate_network_total(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int, metric: str,
                           scale_by: str = "headcount") -> dict:
    """An estimate of ``metric`` for the *whole* network, beside (never instead of) the reported total.

    Method: each member that did not report ``metric`` is imputed as its own ``scale_by`` (headcount) times the
    median ``metric``-per-``scale_by`` ratio of reporting anchors in its sector (the network median where its
    sector has no reporter); a member without ``scale_by`` either gets its sector's median ``metric``.
    Sensitivity: the same with the lower and upper quartile ratios gives ``low`` and ``high``.

    Returns ``reported, estimate, low, high, n_imputed, imputed (list), method``.
    """
    reported = _year_values(metrics, anchors, year, metric)
    if reported.empty:
        raise NoDataError(f"nobody reported {metric} in {fy_label(year)}: no estimate can be made")
    scale = _year_values(metrics, anchors, year, scale_by) if scale_by else pd.Series(dtype=float)
    sector = anchors.set_index("anchor_id")["sector"]
    ratios = (reported / scale).dropna()
    ratios = ratios[np.isfinite(ratios)]
    missing = [a for a in members(anchors, year) if a not in reported.index]
    imputed = {q: 0.0 for q in (0.25, 0.5, 0.75)}
    for anchor_id in missing:
        peers = ratios[ratios.index.map(sector) == sector.get(anchor_id)]
        peers = peers if len(peers) else ratios
        for q in imputed:
            if anchor_id in scale.index and len(peers):
                imputed[q] += float(scale[anchor_id] * peers.quantile(q))
            else:
                peer_values = reported[reported.index.map(sector) == sector.get(anchor_id)]
                peer_values = peer_values if len(peer_values) else reported
                imputed[q] += float(peer_values.quantile(q))
    total = float(reported.sum())
    return {
        "metric": metric, "year": year, "reported": total, "estimate": total + imputed[0.5],
        "low": total + imputed[0.25], "high": total + imputed[0.75], "n_imputed": len(missing),
        "imputed": missing,
        "method": (f"non-reporting members imputed as their {scale_by} x the median {metric} per {scale_by} of "
                   "reporting anchors in the same sector (network median where the sector has no reporter); "
                   "low/high use the lower/upper quartile ratio"),
    }


def year_on_year(metrics: pd.DataFrame, anchors: pd.DataFrame, metric: str, year: int,
                 previous: int | None = None) -> dict:
    """Change in a network total from ``previous`` (default ``year - 1``) to ``year``, two ways.

    ``all_*``: totals over everyone reporting in each year (the membership may differ);
    ``lfl_*``: like-for-like, over the anchors that reported in both years. Both are returned with their n.
    """
    previous = year - 1 if previous is None else previous
    now = _year_values(metrics, anchors, year, metric)
    then = _year_values(metrics, anchors, previous, metric)
    both = now.index.intersection(then.index)

    def change(a: float, b: float) -> float:  # a percentage, as the column names say: 10.0 is +10%
        return 100 * (a - b) / b if b else np.nan

    return {
        "metric": metric, "year": year, "previous": previous,
        "all_now": float(now.sum()), "all_previous": float(then.sum()), "n_now": len(now), "n_previous": len(then),
        "all_change": float(now.sum() - then.sum()), "all_change_pct": change(now.sum(), then.sum()),
        "lfl_now": float(now[both].sum()), "lfl_previous": float(then[both].sum()), "n_lfl": len(both),
        "lfl_change": float(now[both].sum() - then[both].sum()),
        "lfl_change_pct": change(now[both].sum(), then[both].sum()),
    }


def year_on_year_table(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int,
                       metric_names: list[str] | None = None) -> pd.DataFrame:
    """:func:`year_on_year` for several metrics (default: every metric reported in ``year``)."""
    names = metric_names or sorted(metrics.loc[metrics["year"] == year, "metric"].unique())
    return pd.DataFrame([year_on_year(metrics, anchors, m, year) for m in names])


def anchor_year_on_year(metrics: pd.DataFrame, metric: str, year: int) -> pd.DataFrame:
    """Per anchor: value in ``year``, its last earlier return, the year of that return and the change.

    An anchor that skipped a year is compared with its last return (``compared_with`` says which); an anchor
    with no earlier return has no change rather than an invented one.
    """
    sub = metrics[(metrics["metric"] == metric) & (metrics["year"] <= year)].sort_values(["anchor_id", "year"])
    rows = []
    for anchor_id, group in sub.groupby("anchor_id", sort=True):
        current = group[group["year"] == year]
        if current.empty:
            continue
        earlier = group[group["year"] < year]
        prev = earlier.iloc[-1] if len(earlier) else None
        value = float(current["value"].iloc[0])
        rows.append({"anchor_id": anchor_id, "value": value,
                     "previous_value": float(prev["value"]) if prev is not None else np.nan,
                     "compared_with": int(prev["year"]) if prev is not None else pd.NA,
                     "change": value - float(prev["value"]) if prev is not None else np.nan})
    return pd.DataFrame(rows, columns=["anchor_id", "value", "previous_value", "compared_with", "change"])


def carbon_reduction(metrics: pd.DataFrame, base_year: int, year: int, scopes: tuple[str, ...] = SCOPE12) -> dict:
    """Like-for-like fall in emissions from ``base_year`` to ``year``.

    Only anchors that reported every scope in both years count (an anchor that joined later, or skipped the
    base year, would otherwise show up as a rise or a fall that never happened). Returns ``base, now,
    reduction, reduction_pct (a percentage), n_anchors, anchors, excluded``.
    """
    wide = metrics_wide(metrics[metrics["metric"].isin(scopes)])
    missing_scopes = [s for s in scopes if s not in wide.columns]
    if missing_scopes:
        raise NoDataError(f"no returns of {', '.join(missing_scopes)}")
    total = wide[list(scopes)].dropna().sum(axis=1)
    try:
        base, now = total.loc[base_year], total.loc[year]
    except KeyError as exc:
        raise NoDataError(f"no emissions returns for {fy_label(int(exc.args[0]))}") from exc
    both = base.index.intersection(now.index)
    if len(both) == 0:
        raise NoDataError(f"no anchor reported emissions in both {fy_label(base_year)} and {fy_label(year)}")
    reduction = float(base[both].sum() - now[both].sum())
    return {"base_year": base_year, "year": year, "base": float(base[both].sum()), "now": float(now[both].sum()),
            "reduction": reduction, "reduction_pct": 100 * reduction / float(base[both].sum()), "n_anchors": len(both),
            "anchors": list(both), "excluded": sorted(set(base.index) ^ set(now.index))}


def carbon_trajectory(metrics: pd.DataFrame, base_year: int, place: str | Place = "leeds",
                      scopes: tuple[str, ...] = SCOPE12) -> pd.DataFrame:
    """Scope 1+2 per year against the straight-line path from ``base_year`` to zero in the place's net-zero year.

    Columns: ``year, emissions_all, n_all, emissions_lfl, n_lfl, path_to_net_zero, gap_to_path``; ``*_lfl`` keeps
    only the anchors that reported in ``base_year`` and that year. ``projected_net_zero_year`` in ``attrs`` is
    where the like-for-like average annual fall since the base year would reach zero (NaN if not falling).
    """
    place = load_place(place)
    wide = metrics_wide(metrics[metrics["metric"].isin(scopes)])
    total = wide.reindex(columns=list(scopes)).dropna().sum(axis=1)
    if base_year not in total.index.get_level_values("year"):
        raise NoDataError(f"no emissions returns for the base year {fy_label(base_year)}")
    base = total.loc[base_year]
    rows = []
    for year in sorted(y for y in total.index.get_level_values("year").unique() if y >= base_year):
        now = total.loc[year]
        both = now.index.intersection(base.index)
        fraction_left = max(0.0, 1 - (year - base_year) / (place.net_zero_year - base_year))
        path = float(base[both].sum()) * fraction_left
        rows.append({"year": year, "emissions_all": float(now.sum()), "n_all": len(now),
                     "emissions_lfl": float(now[both].sum()), "n_lfl": len(both), "base_lfl": float(base[both].sum()),
                     "path_to_net_zero": path, "gap_to_path": float(now[both].sum()) - path})
    df = pd.DataFrame(rows)
    last = df.iloc[-1]
    years = last["year"] - base_year
    annual_fall = (last["base_lfl"] - last["emissions_lfl"]) / years if years else 0.0
    df.attrs["projected_net_zero_year"] = (
        float(last["year"] + last["emissions_lfl"] / annual_fall) if annual_fall > 0 else np.nan)
    df.attrs["net_zero_year"] = place.net_zero_year
    return df


def headline(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int, place: str | Place = "leeds",
             carbon_base_year: int | None = None, staff_in_most_deprived: pd.Series | None = None) -> pd.DataFrame:
    """The five numbers a funder quotes, each with its coverage.

    ``staff_in_most_deprived`` may be passed per anchor (computed from staff residence with the chosen IMD
    edition); otherwise the anchors' own ``staff_in_most_deprived`` returns are used. Rows: workforce, share
    living in the place, staff in the most deprived areas, influenceable spend in the place, carbon reduction
    since ``carbon_base_year`` (default: four years earlier, as published).
    """
    place = load_place(place)
    inner = place.rings[0]
    n_members = len(members(anchors, year))
    rows = []

    def add(key, label, value, unit, n, statement):
        rows.append({"key": key, "label": label, "value": value, "unit": unit, "n_reporting": n,
                     "n_members": n_members, "coverage_statement": statement})

    head = _year_values(metrics, anchors, year, "headcount")
    if head.empty:
        raise NoDataError(f"no workforce returns for {fy_label(year)}")
    add("workforce", "Workforce (headcount)", float(head.sum()), "people", len(head),
        coverage_statement(len(head), n_members))
    share = network_share(metrics, anchors, year, f"staff_in_{inner.key}", "headcount")
    add("staff_share_place", f"Share of staff living in {inner.label}", share["pooled"], "share",
        share["n_reporting"], share["coverage_statement"])
    if staff_in_most_deprived is not None:
        deprived = staff_in_most_deprived[staff_in_most_deprived.index.isin(members(anchors, year))]
    else:
        deprived = _year_values(metrics, anchors, year, "staff_in_most_deprived")
    add("staff_most_deprived", "Staff living in the most deprived areas (IMD decile 1)", float(deprived.sum()),
        "people", len(deprived), coverage_statement(len(deprived), n_members))
    spend = _year_values(metrics, anchors, year, f"spend_{inner.key}")
    add("spend_place", f"Influenceable spend in {inner.label}", float(spend.sum()), "GBP", len(spend),
        coverage_statement(len(spend), n_members))
    base_year = year - 4 if carbon_base_year is None else carbon_base_year
    try:
        if base_year >= year:
            raise NoDataError(f"{fy_label(year)} is not after the base year {fy_label(base_year)}")
        carbon = carbon_reduction(metrics, base_year, year)
        add("carbon_reduction", f"Scope 1+2 reduction since {fy_label(base_year)} (like-for-like)",
            carbon["reduction"], "tCO2e", carbon["n_anchors"],
            f"{carbon['n_anchors']} anchors reporting in both years")
    except NoDataError as exc:
        add("carbon_reduction", f"Scope 1+2 reduction since {fy_label(base_year)}", np.nan, "tCO2e", 0, str(exc))
    return pd.DataFrame(rows)


def members_reporting(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int) -> pd.DataFrame:
    """Anchors x metrics grid for ``year``: True where the member reported the metric (for coverage tables)."""
    mask = member_mask(anchors, year)
    ids = anchors.loc[mask, "anchor_id"]
    sub = metrics[(metrics["year"] == year) & metrics["anchor_id"].isin(ids)]
    grid = pd.crosstab(sub["anchor_id"], sub["metric"]).reindex(sorted(ids), fill_value=0) > 0
    grid.columns.name = None
    return grid
