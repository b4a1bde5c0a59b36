"""The baseline section: tables and sentences assembled from the core-metrics, residence and spend functions.

This module holds what the baseline notebook would otherwise compute in its cells, so the notebook stays a thin
sequence of calls. Every published count of people passes through disclosure control.

>>> from anchor_analysis.contracts import load_network                        # doctest: +SKIP
>>> net = load_network("data/raw/demo")                                # doctest: +SKIP
>>> head = headline_figures(net, 2023)                                 # doctest: +SKIP
>>> head.set_index("key").at["workforce", "value"]                     # doctest: +SKIP
62300.0
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.analysis.metrics import (
    carbon_reduction,
    coverage_statement,
    estimate_network_total,
    headline,
    metrics_wide,
    network_share,
    network_totals,
    year_on_year_table,
)
from anchor_analysis.core.errors import NoDataError
from anchor_analysis.core.membership import members
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.years import fy_label
from anchor_analysis.publish.disclosure import suppress_counts
from anchor_analysis.publish.formatting import format_value

WORKFORCE_METRICS = ("headcount", "staff_in_{inner}", "staff_in_{outer}", "staff_in_most_deprived", "living_wage",
                     "apprentices")
SPEND_METRICS = ("total_spend", "influenceable_spend", "spend_{inner}", "spend_{outer}", "spend_most_deprived",
                 "spend_sme")
CARBON_METRICS = ("scope1_tco2e", "scope2_tco2e", "scope3_tco2e")


def _names(template: tuple[str, ...], place: Place) -> list[str]:
    return [m.format(inner=place.rings[0].key, outer=place.rings[-1].key) for m in template]


def staff_deprived_from_residence(network, year: int, edition: int | None = None) -> pd.Series | None:
    """Per-anchor staff living in IMD decile 1 (``edition``, default the place's for the year) from residence.

    The same function as the priority neighbourhoods section
    (:func:`anchor_analysis.analysis.geo.staff_in_most_deprived`); ``None`` when the network has no residence returns
    for the year.
    """
    from anchor_analysis.analysis.geo.residence import staff_in_most_deprived

    residence = network.staff_residence
    if residence is None or not (residence["year"] == year).any():
        return None
    edition = edition or network.place.imd_edition_for(year)
    table = staff_in_most_deprived(residence[residence["year"] == year], edition)
    return table.set_index("anchor_id")["staff_in_most_deprived"].astype(float)


def headline_figures(network, year: int, *, imd_edition: int | None = None,
                     carbon_base_year: int | None = None) -> pd.DataFrame:
    """:func:`anchor_analysis.analysis.metrics.headline`, with staff in the most deprived areas counted from
    residence."""
    deprived = staff_deprived_from_residence(network, year, imd_edition)
    table = headline(network.metrics, network.anchors, year, network.place, carbon_base_year=carbon_base_year,
                     staff_in_most_deprived=deprived)
    table["display"] = [format_value(v, u) for v, u in zip(table["value"], table["unit"], strict=True)]
    return table


def coverage_statements(headline_table: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """One sentence per headline figure and per reported metric saying who it covers (for the report)."""
    rows = [f"{r.label}: {r.display} ({r.coverage_statement})" for r in headline_table.itertuples()]
    rows += [f"{r.label}: {r.coverage_statement}" for r in totals.itertuples()
             if r.metric not in set(headline_table.get("metric", []))]
    return pd.DataFrame({"statement": rows})


def totals_table(network, year: int, template: tuple[str, ...]) -> pd.DataFrame:
    """Network totals of a group of metrics with coverage; metrics nobody reported are listed as such."""
    place = network.place
    wanted = _names(template, place)
    try:
        totals = network_totals(network.metrics, network.anchors, year, place).set_index("metric")
    except NoDataError:
        totals = pd.DataFrame()
    n_members = len(members(network.anchors, year))
    rows = []
    for metric in wanted:
        if metric in totals.index:
            r = totals.loc[metric]
            rows.append({"metric": metric, "label": r["label"], "total": r["total"], "unit": r["unit"],
                         "display": _display_total(r), "n_reporting": int(r["n_reporting"]),
                         "coverage": r["coverage_statement"], "not_reporting": r["not_reporting"]})
        else:
            rows.append({"metric": metric, "label": metric, "total": float("nan"), "unit": "", "display": "-",
                         "n_reporting": 0, "coverage": coverage_statement(0, n_members), "not_reporting": "all"})
    return pd.DataFrame(rows)


def _display_total(row: pd.Series) -> str:
    if row["kind"] == "flag":
        return f"{int(row['total'])} of {int(row['n_reporting'])} anchors"
    unit = {"people": "people", "GBP": "GBP", "tCO2e": "tCO2e", "ha": "ha"}.get(row["unit"], row["unit"])
    if unit == "ha":
        return f"{row['total']:,.0f} ha"
    return format_value(row["total"], unit)


def per_anchor_table(network, year: int, template: tuple[str, ...], *, labels: dict[str, str],
                     people: tuple[str, ...] = ()) -> pd.DataFrame:
    """Members x metrics for the year (blank = not reported), anchors shown by ``labels``.

    Counts of people in ``people`` columns below the place's disclosure threshold are withheld (with secondary
    suppression, since the network totals are published).
    """
    place = network.place
    wanted = _names(template, place)
    wide = metrics_wide(network.metrics)
    ids = members(network.anchors, year)
    year_rows = wide.loc[year] if year in wide.index.get_level_values("year") else pd.DataFrame(index=[])
    table = year_rows.reindex(index=ids, columns=wanted)
    table.index.name = "anchor_id"
    table = table.reset_index()
    for col in people:
        if col not in table.columns or table[col].isna().all():
            continue
        reported = table[col].notna()
        controlled = suppress_counts(table.loc[reported, ["anchor_id", col]], col, place.disclosure_threshold)
        table[col] = table[col].astype("Float64")
        table.loc[reported, col] = controlled[col].astype("Float64").to_numpy()
    table.insert(0, "anchor", table["anchor_id"].map(labels))
    return table.drop(columns="anchor_id")


def shares_table(network, year: int) -> pd.DataFrame:
    """The network's shares (staff living in the place and region; spend in the place, region, most deprived
    areas and with SMEs), pooled and as the mean of anchor shares, each over the anchors reporting both parts."""
    place = network.place
    inner, outer = place.rings[0], place.rings[-1]
    pairs = [
        (f"Staff living in {inner.label}", f"staff_in_{inner.key}", "headcount"),
        (f"Staff living in {outer.label}", f"staff_in_{outer.key}", "headcount"),
        (f"Influenceable spend in {inner.label}", f"spend_{inner.key}", "influenceable_spend"),
        (f"Influenceable spend in {outer.label}", f"spend_{outer.key}", "influenceable_spend"),
        ("Influenceable spend in the most deprived areas", "spend_most_deprived", "influenceable_spend"),
        ("Influenceable spend with SMEs", "spend_sme", "influenceable_spend"),
    ]
    rows = []
    for label, num, den in pairs:
        try:
            s = network_share(network.metrics, network.anchors, year, num, den)
        except NoDataError:
            continue
        rows.append({"share": label, "pooled": s["pooled"], "mean_of_anchor_shares": s["mean_of_shares"],
                     "coverage": s["coverage_statement"]})
    return pd.DataFrame(rows, columns=["share", "pooled", "mean_of_anchor_shares", "coverage"])


def staff_share_living_in_place(per_anchor: pd.DataFrame, place: str | Place) -> pd.DataFrame:
    """:func:`per_anchor_table` of the workforce metrics with ``share_living_in_place``: each anchor's staff living
    in the place's innermost ring over its headcount (blank where either is not reported or withheld)."""
    inner = load_place(place).rings[0].key
    out = per_anchor.copy()
    out["share_living_in_place"] = out[f"staff_in_{inner}"] / out["headcount"]
    return out


def pooled_share(shares: pd.DataFrame, share: str) -> float | None:
    """The pooled value of one row of :func:`shares_table` (None when no anchor reported both parts)."""
    value = shares.set_index("share")["pooled"].get(share)
    return None if value is None or pd.isna(value) else float(value)


def estimates_table(network, year: int, metric_names: list[str]) -> pd.DataFrame:
    """Whole-network estimates beside the reported totals, with the method and a low-high range."""
    rows = []
    for metric in metric_names:
        try:
            est = estimate_network_total(network.metrics, network.anchors, year, metric)
        except NoDataError:
            continue
        rows.append({k: est[k] for k in ("metric", "reported", "estimate", "low", "high", "n_imputed")}
                    | {"imputed": ", ".join(est["imputed"]), "method": est["method"]})
    return pd.DataFrame(rows)


def change_table(network, year: int, template: tuple[str, ...]) -> pd.DataFrame | None:
    """Year-on-year change, all-reporting and like-for-like side by side; ``None`` in the first year of returns."""
    metrics = network.metrics
    if not (metrics["year"] < year).any():
        return None
    names = [m for m in _names(template, network.place) if m in set(metrics.loc[metrics["year"] == year, "metric"])]
    table = year_on_year_table(metrics, network.anchors, year, names)
    return table[["metric", "previous", "all_previous", "all_now", "all_change_pct", "n_previous", "n_now",
                  "lfl_previous", "lfl_now", "lfl_change_pct", "n_lfl"]]


def describe_carbon(network, year: int, base_year: int, labels: dict[str, str] | None = None) -> str:
    """One sentence on the like-for-like fall in scope 1+2 emissions since ``base_year``; anchors left out of the
    comparison are named by ``labels`` (anchor_id -> name or anonymous code; default: their names)."""
    if labels is None:
        labels = dict(zip(network.anchors["anchor_id"], network.anchors["name"], strict=True))
    if year <= base_year:
        return f"{fy_label(year)} is the carbon base year: no reduction is measured yet."
    try:
        c = carbon_reduction(network.metrics, base_year, year)
    except NoDataError as exc:
        return f"No like-for-like carbon comparison is possible: {exc}."
    return (f"Scope 1 and 2 emissions of the {c['n_anchors']} anchors that reported in both {fy_label(base_year)} "
            f"and {fy_label(year)} fell by {c['reduction']:,.0f} tCO2e ({c['reduction_pct']:.1f}%), from "
            f"{c['base']:,.0f} to {c['now']:,.0f} t. Not in the comparison: "
            f"{', '.join(labels.get(a, a) for a in c['excluded']) or 'none'}.")


def describe_ledger_comparison(comparison: pd.DataFrame, place: str | Place = "leeds") -> str:
    """How far the ledgers' recomputed spend differs from the anchors' own returns, in one paragraph."""
    place = load_place(place)
    inner = f"spend_{place.rings[0].key}"
    sub = comparison[comparison["metric"] == inner].dropna(subset=["ledger", "returned"])
    if sub.empty:
        return "No anchor has both a ledger and a spend return for this year, so nothing can be compared."
    diff = sub["ledger"].sum() - sub["returned"].sum()
    pct = 100 * diff / sub["returned"].sum() if sub["returned"].sum() else float("nan")
    worst = sub.loc[sub["difference"].abs().idxmax()]
    return (f"Across the {len(sub)} anchors with both a ledger and a return, the ledgers place "
            f"{format_value(sub['ledger'].sum(), 'GBP')} with suppliers in {place.rings[0].label} against "
            f"{format_value(sub['returned'].sum(), 'GBP')} returned: a difference of "
            f"{format_value(abs(diff), 'GBP')} ({pct:+.1f}%). The largest single gap is "
            f"{format_value(abs(worst['difference']), 'GBP')} ({worst['difference_pct']:+.1f}%). Differences come "
            f"from supplier postcodes the ledger does not locate (blank, malformed or unknown); the anchors' own "
            f"returns may place those suppliers from better address data.")
