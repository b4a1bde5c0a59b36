"""Core metrics: network totals with coverage, estimates, year-on-year change and the carbon trajectory.

A missing metrics row means *not reported*, never zero: every total says who reported it, and a whole-network
estimate is a separate, labelled figure beside it, never a silent replacement. Functions take the ``metrics``
table (long form: ``year, anchor_id, metric, value, unit``) and the ``anchors`` table (membership by year).

>>> anchors = pd.DataFrame({"anchor_id": ["a", "b", "c"], "sector": "nhs", "joined_year": 2018, "left_year": None})
>>> metrics = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b"], "metric": "headcount", "value": [100.0, 300.0]})
>>> row = network_totals(metrics, anchors, 2023).set_index("metric").loc["headcount"]
>>> float(row["total"]), row["coverage_statement"]
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
    """Long returns to one row per (year, anchor_id) and one column per metric; unreported cells stay NaN.

    Parameters
    ----------
    metrics : DataFrame
        Metrics returns in long form (``year, anchor_id, metric, value``).

    Returns
    -------
    DataFrame
        Indexed by ``(year, anchor_id)``, sorted, one float column per metric.
    """
    wide = metrics.pivot_table(index=["year", "anchor_id"], columns="metric", values="value", aggfunc="first")
    wide.columns.name = None
    return wide.astype(float).sort_index()


def coverage_statement(n_reporting: int, n_members: int) -> str:
    """``"11 of 14 anchors reporting (79%)"``: the wording used next to every network total.

    Parameters
    ----------
    n_reporting, n_members : int
        Anchors that reported, and members of the network that year (none gives 0%).

    Returns
    -------
    str
        The statement, with the percentage rounded to a whole number.

    Examples
    --------
    >>> coverage_statement(11, 14)
    '11 of 14 anchors reporting (79%)'
    """
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

    For flag metrics (``living_wage``) ``total`` is the number of anchors with the flag set, so "10 of 11 pay the
    Living Wage" reads ``total=10, n_reporting=11``. Returns of anchors that were not members that year are left out.

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (membership by year).
    year : int
        The financial year (2023 for 2023/24).
    place : str or Place, default "leeds"
        The place whose metric definitions (labels, units, kinds and their order) apply.

    Returns
    -------
    DataFrame
        ``metric, label, unit, kind, total, n_reporting, n_members, coverage, coverage_statement, reporting,
        not_reporting`` (the last two: anchor ids joined with ", "), in the definitions' order.

    Raises
    ------
    NoDataError
        If no anchor was a member in ``year``, or nobody returned metrics for it.

    Examples
    --------
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b", "c"], "joined_year": 2018, "left_year": None})
    >>> metrics = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b", "a"],
    ...                         "metric": ["living_wage", "living_wage", "headcount"], "value": [1.0, 0.0, 250.0]})
    >>> network_totals(metrics, anchors, 2023)[["metric", "total", "n_reporting", "not_reporting"]].values.tolist()
    [['headcount', 250.0, 1, 'b, c'], ['living_wage', 1.0, 2, 'c']]
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

    Seed 003's "average of 48% spent in Leeds" does not say which average; both are given so a report can name its
    choice. Anchors whose denominator is zero are left out.

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (membership by year).
    year : int
        The financial year.
    numerator, denominator : str
        The metrics whose ratio is the share (e.g. ``"spend_leeds"`` and ``"influenceable_spend"``).

    Returns
    -------
    dict
        ``pooled`` (sum of numerators / sum of denominators), ``mean_of_shares`` (the unweighted average of each
        anchor's share), ``n_reporting``, ``n_members``, ``coverage_statement`` and ``anchors`` (their ids).

    Raises
    ------
    NoDataError
        If no member reported both metrics (with a denominator above zero) in ``year``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> share = network_share(net.metrics, net.anchors, 2023, "spend_leeds", "influenceable_spend")
    >>> round(share["pooled"], 3), round(share["mean_of_shares"], 3), share["coverage_statement"]
    (0.425, 0.468, '13 of 14 anchors reporting (93%)')
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

    Method: each member that did not report ``metric`` is imputed as its own ``scale_by`` (headcount) times the median
    ``metric``-per-``scale_by`` ratio of reporting anchors in its sector (the network median where its sector has no
    reporter); a member without ``scale_by`` either gets its sector's median ``metric``. Sensitivity: the same with
    the lower and upper quartile ratios gives ``low`` and ``high``.

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (with ``sector``).
    year : int
        The financial year.
    metric : str
        The metric to estimate.
    scale_by : str, default "headcount"
        The metric that scales each non-reporter's imputed value.

    Returns
    -------
    dict
        ``metric, year, reported, estimate, low, high, n_imputed, imputed`` (the imputed anchors' ids) and
        ``method`` (the method in a sentence, for captions).

    Raises
    ------
    NoDataError
        If nobody reported ``metric`` in ``year``.

    Examples
    --------
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b", "c"], "sector": ["nhs", "nhs", "university"],
    ...                         "joined_year": 2018, "left_year": None})
    >>> metrics = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b", "c", "a", "b"], "value": [100, 300, 200, 5, 30],
    ...                         "metric": ["headcount"] * 3 + ["apprentices"] * 2})
    >>> est = estimate_network_total(metrics, anchors, 2023, "apprentices")  # c: its 200 staff x the network's 0.075
    >>> est["reported"], est["estimate"], est["low"], est["high"], est["imputed"]
    (35.0, 50.0, 47.5, 52.5, ['c'])
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

    ``all_*``: totals over everyone reporting in each year (the membership may differ); ``lfl_*``: like-for-like,
    over the anchors that reported in both years. Both are returned with their n.

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (membership by year).
    metric : str
        The metric.
    year : int
        The financial year.
    previous : int, optional
        The year to compare with (default ``year - 1``).

    Returns
    -------
    dict
        ``metric, year, previous, all_now, all_previous, n_now, n_previous, all_change, all_change_pct, lfl_now,
        lfl_previous, n_lfl, lfl_change, lfl_change_pct``; the ``*_pct`` values are percentages (10.0 is +10%), NaN
        when the earlier total is zero.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> change = year_on_year(net.metrics, net.anchors, "headcount", 2023)
    >>> change["all_change"], change["lfl_change"], change["n_lfl"], round(float(change["lfl_change_pct"]), 2)
    (2596.0, 968.0, 11, 1.62)
    """
    previous = year - 1 if previous is None else previous
    now = _year_values(metrics, anchors, year, metric)
    then = _year_values(metrics, anchors, previous, metric)
    both = now.index.intersection(then.index)

    def change(a: float, b: float) -> float:  # a percentage, as the column names say: 10.0 is +10%
        """A percentage change, as the column names say: 10.0 is +10% (NaN from zero)."""
        return float(100 * (a - b) / b) if b else float("nan")

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
    """:func:`year_on_year` for several metrics (default: every metric reported in ``year``).

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (membership by year).
    year : int
        The financial year, compared with the year before.
    metric_names : list of str, optional
        The metrics (default: every metric reported in ``year``, sorted).

    Returns
    -------
    DataFrame
        One row per metric, the keys of :func:`year_on_year` as columns.
    """
    names = metric_names or sorted(metrics.loc[metrics["year"] == year, "metric"].unique())
    return pd.DataFrame([year_on_year(metrics, anchors, m, year) for m in names])


def anchor_year_on_year(metrics: pd.DataFrame, metric: str, year: int) -> pd.DataFrame:
    """Per anchor: value in ``year``, its last earlier return, the year of that return and the change.

    An anchor that skipped a year is compared with its last return (``compared_with`` says which); an anchor with no
    earlier return has no change rather than an invented one.

    Parameters
    ----------
    metrics : DataFrame
        Metrics returns in long form.
    metric : str
        The metric.
    year : int
        The financial year.

    Returns
    -------
    DataFrame
        ``anchor_id, value, previous_value, compared_with, change``: one row per anchor that reported ``metric``
        in ``year``, sorted by anchor_id.

    Examples
    --------
    >>> metrics = pd.DataFrame({"year": [2020, 2023, 2023], "anchor_id": ["a", "a", "b"], "metric": "headcount",
    ...                         "value": [100.0, 110.0, 300.0]})
    >>> anchor_year_on_year(metrics, "headcount", 2023).values.tolist()
    [['a', 110.0, 100.0, 2020, 10.0], ['b', 300.0, nan, <NA>, nan]]
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

    Only anchors that reported every scope in both years count (an anchor that joined later, or skipped the base
    year, would otherwise show up as a rise or a fall that never happened).

    Parameters
    ----------
    metrics : DataFrame
        Metrics returns in long form.
    base_year, year : int
        The financial years compared.
    scopes : tuple of str, default ``("scope1_tco2e", "scope2_tco2e")``
        The emissions metrics added up.

    Returns
    -------
    dict
        ``base_year, year, base, now, reduction, reduction_pct`` (a percentage) ``, n_anchors, anchors`` (those
        compared) ``, excluded`` (anchors with emissions in only one of the years).

    Raises
    ------
    NoDataError
        If a scope has no returns at all, either year has none, or no anchor reported in both.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> c = carbon_reduction(load_network("data/raw/demo").metrics, 2019, 2023)
    >>> c["reduction"], round(c["reduction_pct"], 1), c["n_anchors"], c["excluded"]
    (110000.0, 27.9, 10, ['cultural_body_a', 'fe_college_b', 'government_department_a'])
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

    ``*_lfl`` keeps only the anchors that reported in ``base_year`` and that year; the path and the gap to it are
    over the same anchors.

    Parameters
    ----------
    metrics : DataFrame
        Metrics returns in long form.
    base_year : int
        The financial year the path starts from.
    place : str or Place, default "leeds"
        The place whose ``net_zero_year`` ends the path.
    scopes : tuple of str, default ``("scope1_tco2e", "scope2_tco2e")``
        The emissions metrics added up.

    Returns
    -------
    DataFrame
        One row per year from ``base_year`` with emissions returns: ``year, emissions_all, n_all, emissions_lfl,
        n_lfl, base_lfl`` (the same anchors' base-year emissions) ``, path_to_net_zero, gap_to_path``. ``attrs``:
        ``projected_net_zero_year``, where the like-for-like average annual fall since the base year would reach
        zero (NaN if not falling), and ``net_zero_year``.

    Raises
    ------
    NoDataError
        If the base year has no emissions returns.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> path = carbon_trajectory(load_network("data/raw/demo").metrics, 2019).set_index("year")
    >>> path.loc[2023, ["emissions_lfl", "n_lfl", "path_to_net_zero"]].round().tolist(), path.attrs["net_zero_year"]
    ([284000.0, 10.0, 250727.0], 2030)
    >>> round(path.attrs["projected_net_zero_year"], 1)  # at the like-for-like fall since 2019/20
    2033.9
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

    Rows: workforce, share living in the place, staff in the most deprived areas, influenceable spend in the place,
    carbon reduction since ``carbon_base_year`` (default: four years earlier, as published). A carbon reduction that
    cannot be computed keeps its row, with a NaN value and the reason as its coverage statement.

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (membership by year).
    year : int
        The financial year.
    place : str or Place, default "leeds"
        The place: its innermost ring names the share and spend metrics (``staff_in_leeds``, ``spend_leeds``).
    carbon_base_year : int, optional
        The base of the carbon reduction (default ``year - 4``).
    staff_in_most_deprived : Series, optional
        Per anchor (indexed by anchor_id), computed from staff residence with the chosen IMD edition (as
        :func:`~anchor_analysis.analysis.baseline.headline_figures` does); default: the anchors' own returns.

    Returns
    -------
    DataFrame
        ``key, label, value, unit, n_reporting, n_members, coverage_statement``, one row per figure.

    Raises
    ------
    NoDataError
        If nobody returned a headcount in ``year``, or nobody reported both staff in the place and headcount.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> table = headline(net.metrics, net.anchors, 2023, net.place).set_index("key")
    >>> table["value"].round(2).tolist(), table.at["carbon_reduction", "coverage_statement"]
    ([62300.0, 0.64, 12300.0, 511000000.0, 110000.0], '10 anchors reporting in both years')
    """
    place = load_place(place)
    inner = place.rings[0]
    n_members = len(members(anchors, year))
    rows = []

    def add(key, label, value, unit, n, statement):
        """Append one figure's row."""
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
    add("staff_most_deprived", "Staff living in the most deprived areas (IMD decile 1)", _reported_sum(deprived),
        "people", len(deprived), coverage_statement(len(deprived), n_members))
    spend = _year_values(metrics, anchors, year, f"spend_{inner.key}")
    add("spend_place", f"Influenceable spend in {inner.label}", _reported_sum(spend), "GBP", len(spend),
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


def _reported_sum(values: pd.Series) -> float:
    """The sum of the reported values; NaN when nobody reported (not reported is never zero)."""
    return float(values.sum()) if len(values) else float("nan")


def members_reporting(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int) -> pd.DataFrame:
    """Anchors x metrics grid for ``year``: True where the member reported the metric (for coverage tables).

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table (membership by year).
    year : int
        The financial year.

    Returns
    -------
    DataFrame
        Indexed by the members' anchor_id (sorted), one bool column per metric returned that year.

    Examples
    --------
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b", "c"], "joined_year": [2018, 2018, 2024], "left_year": None})
    >>> metrics = pd.DataFrame({"year": 2023, "anchor_id": ["a", "a", "b"],
    ...                         "metric": ["headcount", "apprentices", "headcount"], "value": [100, 5, 300]})
    >>> members_reporting(metrics, anchors, 2023).to_dict("index")
    {'a': {'apprentices': True, 'headcount': True}, 'b': {'apprentices': False, 'headcount': True}}
    """
    mask = member_mask(anchors, year)
    ids = anchors.loc[mask, "anchor_id"]
    sub = metrics[(metrics["year"] == year) & metrics["anchor_id"].isin(ids)]
    grid = pd.crosstab(sub["anchor_id"], sub["metric"]).reindex(sorted(ids), fill_value=0) > 0
    grid.columns.name = None
    return grid
