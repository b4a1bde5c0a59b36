"""The baseline section: tables and sentences assembled from the core-metrics, residence and spend functions.

This module holds what the baseline notebook would otherwise compute in its cells, so the notebook stays a thin
sequence of calls. Every published count of people passes through disclosure control. ``network`` is a
validated network (:func:`anchor_analysis.contracts.load_network`, or
:func:`anchor_analysis.derived.processed_network` with its derived tables).

>>> from anchor_analysis.contracts import load_network
>>> net = load_network("data/raw/demo")
>>> totals_table(net, 2023, WORKFORCE_METRICS).set_index("metric").at["headcount", "display"]
'62,300'
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.analysis.metrics import (
    SCOPE12,
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
    """The metric names of a template, with the place's innermost and outermost ring keys filled in."""
    return [m.format(inner=place.rings[0].key, outer=place.rings[-1].key) for m in template]


def staff_deprived_from_residence(network, year: int, edition: int | None = None) -> pd.Series | None:
    """Per-anchor staff living in IMD decile 1 (``edition``, default the place's for the year) from residence.

    The same function as the priority neighbourhoods section
    (:func:`anchor_analysis.analysis.geo.staff_in_most_deprived`).

    Parameters
    ----------
    network : Network
        The validated network, with its ``staff_residence`` counts.
    year : int
        The financial year.
    edition : int, optional
        The IMD edition, 2019 or 2025 (default: the place's edition for ``year``).

    Returns
    -------
    Series or None
        Staff in decile 1 (float) indexed by anchor_id; ``None`` when the network has no residence returns for the
        year.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> deprived = staff_deprived_from_residence(load_network("data/raw/demo"), 2023)  # doctest: +PUBLIC_DATA
    >>> float(deprived.sum()), float(deprived["nhs_trust_a"])  # doctest: +PUBLIC_DATA
    (12300.0, 4467.0)
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
    """:func:`anchor_analysis.analysis.metrics.headline`, with staff in the most deprived areas counted from residence.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.
    imd_edition : int, optional
        The IMD edition of "most deprived" (default: the place's edition for ``year``).
    carbon_base_year : int, optional
        The base of the carbon reduction (default ``year - 4``).

    Returns
    -------
    DataFrame
        The headline table (``key, label, value, unit, n_reporting, n_members, coverage_statement``) with
        ``display``, each value formatted for the report; the NHS Core20 staff
        (:func:`~anchor_analysis.analysis.geo.core20.core20_headline`) follow those in decile 1.

    Raises
    ------
    NoDataError
        As :func:`~anchor_analysis.analysis.metrics.headline`.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> head = headline_figures(load_network("data/raw/demo"), 2023)  # doctest: +PUBLIC_DATA
    >>> head["display"].tolist()  # doctest: +PUBLIC_DATA
    ['62,300', '64%', '12,300', '19,944', '£511.0m', '110,000 t']
    """
    from anchor_analysis.analysis.geo.core20 import core20_headline

    deprived = staff_deprived_from_residence(network, year, imd_edition)
    table = headline(network.metrics, network.anchors, year, network.place, carbon_base_year=carbon_base_year,
                     staff_in_most_deprived=deprived)
    after = int(table.index[table["key"] == "staff_most_deprived"][0]) + 1  # Core20 beside decile 1
    table = pd.concat([table.iloc[:after], core20_headline(network, year, imd_edition), table.iloc[after:]],
                      ignore_index=True)
    table["display"] = [format_value(v, u) for v, u in zip(table["value"], table["unit"], strict=True)]
    return table


def coverage_statements(headline_table: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """One sentence per headline figure and per reported metric saying who it covers (for the report).

    Parameters
    ----------
    headline_table : DataFrame
        :func:`headline_figures` (``label, display, coverage_statement``).
    totals : DataFrame
        :func:`~anchor_analysis.analysis.metrics.network_totals`; a metric listed in a ``metric`` column of
        ``headline_table`` is left out (:func:`headline_figures` has none, so every metric is listed).

    Returns
    -------
    DataFrame
        One column, ``statement``.

    Examples
    --------
    >>> head = pd.DataFrame({"label": ["Workforce"], "display": ["62,300"], "coverage_statement": ["14 of 14"]})
    >>> totals = pd.DataFrame({"metric": ["apprentices"], "label": ["Apprentices"], "coverage_statement": ["9 of 14"]})
    >>> coverage_statements(head, totals)["statement"].tolist()
    ['Workforce: 62,300 (14 of 14)', 'Apprentices: 9 of 14']
    """
    rows = [f"{r.label}: {r.display} ({r.coverage_statement})" for r in headline_table.itertuples()]
    rows += [f"{r.label}: {r.coverage_statement}" for r in totals.itertuples()
             if r.metric not in set(headline_table.get("metric", []))]
    return pd.DataFrame({"statement": rows})


def totals_table(network, year: int, template: tuple[str, ...]) -> pd.DataFrame:
    """Network totals of a group of metrics with coverage; metrics nobody reported are listed as such.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.
    template : tuple of str
        The metrics, with ``{inner}`` and ``{outer}`` for the place's rings (:data:`WORKFORCE_METRICS`,
        :data:`SPEND_METRICS`, :data:`CARBON_METRICS`).

    Returns
    -------
    DataFrame
        ``metric, label, total, unit, display, n_reporting, coverage, not_reporting``, in the template's order; a
        metric nobody reported has a blank total, ``display`` "-" and ``not_reporting`` "all".

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> table = totals_table(load_network("data/raw/demo"), 2023, SPEND_METRICS)
    >>> table[["metric", "display", "not_reporting"]].head(3).values.tolist()
    [['total_spend', '£2.49bn', ''], ['influenceable_spend', '£1.20bn', 'government_department_a'],
     ['spend_leeds', '£511.0m', 'government_department_a']]
    """
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
    """A network total for the report: "13 of 14 anchors" for flags, hectares whole, else :func:`format_value`."""
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

    Parameters
    ----------
    network : Network
        The validated network (its ``place``, ``anchors`` and ``metrics``).
    year : int
        The financial year.
    template : tuple of str
        The metrics (columns), with ``{inner}`` and ``{outer}`` for the place's rings.
    labels : dict
        Map of anchor_id to the name (or anonymous code) shown.
    people : tuple of str, optional
        The columns that count people, put through disclosure control.

    Returns
    -------
    DataFrame
        ``anchor`` then one column per metric, one row per member (sorted by anchor_id); withheld counts are
        missing (``<NA>``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from anchor_analysis.core.places import load_place
    >>> net = SimpleNamespace(place=load_place("leeds"), anchors=pd.DataFrame({"anchor_id": ["a", "b", "c"],
    ...     "joined_year": 2018, "left_year": None}), metrics=pd.DataFrame({"year": 2023, "anchor_id": ["a", "b", "c"],
    ...     "metric": "apprentices", "value": [3.0, 40.0, 25.0]}))
    >>> table = per_anchor_table(net, 2023, ("apprentices", "headcount"), labels={"a": "A", "b": "B", "c": "C"},
    ...                          people=("apprentices",))
    >>> table.values.tolist()  # 3 is under the threshold (10); C is withheld too, else A = 68 - 40 - 25
    [['A', <NA>, nan], ['B', 40.0, nan], ['C', <NA>, nan]]
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
    """The network's shares, pooled and as the mean of anchor shares, each over the anchors reporting both parts.

    The shares: staff living in the place and region; influenceable spend in the place, the region, the most deprived
    areas and with SMEs. A share no anchor reported both parts of is left out.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.

    Returns
    -------
    DataFrame
        ``share, pooled, mean_of_anchor_shares, coverage``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> shares = shares_table(load_network("data/raw/demo"), 2023).set_index("share")
    >>> shares.loc["Influenceable spend in Leeds", ["pooled", "mean_of_anchor_shares"]].round(3).tolist()
    [0.425, 0.468]
    """
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
    """:func:`per_anchor_table` of the workforce metrics with ``share_living_in_place``.

    Each anchor's staff living in the place's innermost ring over its headcount (blank where either is not reported
    or withheld).

    Parameters
    ----------
    per_anchor : DataFrame
        :func:`per_anchor_table` with :data:`WORKFORCE_METRICS`.
    place : str or Place
        The place whose innermost ring is "the place".

    Returns
    -------
    DataFrame
        ``per_anchor`` with ``share_living_in_place`` (0-1) added.

    Examples
    --------
    >>> per_anchor = pd.DataFrame({"anchor": ["A", "B"], "headcount": [200.0, None], "staff_in_leeds": [150.0, 80.0]})
    >>> staff_share_living_in_place(per_anchor, "leeds")["share_living_in_place"].tolist()
    [0.75, nan]
    """
    inner = load_place(place).rings[0].key
    out = per_anchor.copy()
    out["share_living_in_place"] = out[f"staff_in_{inner}"] / out["headcount"]
    return out


def pooled_share(shares: pd.DataFrame, share: str) -> float | None:
    """The pooled value of one row of :func:`shares_table` (None when no anchor reported both parts).

    Parameters
    ----------
    shares : DataFrame
        :func:`shares_table`.
    share : str
        The row's ``share`` label, e.g. "Staff living in Leeds".

    Returns
    -------
    float or None
        The pooled share (0-1).

    Examples
    --------
    >>> shares = pd.DataFrame({"share": ["Staff living in Leeds"], "pooled": [0.64]})
    >>> pooled_share(shares, "Staff living in Leeds"), pooled_share(shares, "Influenceable spend with SMEs")
    (0.64, None)
    """
    value = shares.set_index("share")["pooled"].get(share)
    return None if value is None or pd.isna(value) else float(value)


def estimates_table(network, year: int, metric_names: list[str]) -> pd.DataFrame:
    """Whole-network estimates beside the reported totals, with the method and a low-high range.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.
    metric_names : list of str
        The metrics to estimate (:func:`~anchor_analysis.analysis.metrics.estimate_network_total`); one nobody
        reported is left out.

    Returns
    -------
    DataFrame
        ``metric, reported, estimate, low, high, n_imputed, imputed`` (anchor ids joined with ", ") ``, method``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> table = estimates_table(load_network("data/raw/demo"), 2023, ["scope3_tco2e"])
    >>> row = table.iloc[0]
    >>> round(row["reported"]), round(row["estimate"]), round(row["low"]), round(row["high"]), int(row["n_imputed"])
    (397848, 534335, 523750, 539140, 10)
    """
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
    """Year-on-year change, all-reporting and like-for-like side by side; ``None`` in the first year of returns.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year, compared with the year before.
    template : tuple of str
        The metrics, with ``{inner}`` and ``{outer}`` for the place's rings; those not reported in ``year`` are left
        out.

    Returns
    -------
    DataFrame or None
        ``metric, previous, all_previous, all_now, all_change_pct, n_previous, n_now, lfl_previous, lfl_now,
        lfl_change_pct, n_lfl`` (percentages), or ``None`` when no return is older than ``year``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> headcount = change_table(net, 2023, WORKFORCE_METRICS).set_index("metric").loc["headcount"]
    >>> int(headcount["n_lfl"]), round(float(headcount["lfl_change_pct"]), 2)
    (11, 1.62)
    >>> change_table(net, 2019, WORKFORCE_METRICS) is None
    True
    """
    metrics = network.metrics
    if not (metrics["year"] < year).any():
        return None
    names = [m for m in _names(template, network.place) if m in set(metrics.loc[metrics["year"] == year, "metric"])]
    table = year_on_year_table(metrics, network.anchors, year, names)
    return table[["metric", "previous", "all_previous", "all_now", "all_change_pct", "n_previous", "n_now",
                  "lfl_previous", "lfl_now", "lfl_change_pct", "n_lfl"]]


def carbon_base_year(network, requested: int | None = None) -> int:
    """The carbon base year of a report: ``requested``, else the network's first year with scope 1 and 2 returns.

    Parameters
    ----------
    network : Network
        The validated network.
    requested : int, optional
        A base year asked for (the notebook's ``carbon_base_year``).

    Returns
    -------
    int
        ``requested`` when given; else the first financial year in which any anchor returned scope 1 or 2
        emissions, else the first year of any return.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> carbon_base_year(load_network("data/raw/demo")), carbon_base_year(load_network("data/raw/demo"), 2021)
    (2019, 2021)
    """
    if requested is not None:
        return int(requested)
    metrics = network.metrics
    scopes = metrics[metrics["metric"].isin(SCOPE12)]
    return int((scopes if len(scopes) else metrics)["year"].min())


def describe_carbon(network, year: int, base_year: int, labels: dict[str, str] | None = None) -> str:
    """One sentence on the like-for-like fall in scope 1+2 emissions since ``base_year``.

    Anchors left out of the comparison are named by ``labels``.

    Parameters
    ----------
    network : Network
        The validated network.
    year, base_year : int
        The financial year and the carbon base year.
    labels : dict, optional
        Map of anchor_id to name or anonymous code (default: their names); an anchor not in it is shown by its id.

    Returns
    -------
    str
        The sentence; in or before the base year, or when no comparison is possible, a sentence saying so.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> print(describe_carbon(net, 2023, 2019))
    Scope 1 and 2 emissions of the 10 anchors that reported in both 2019/20 and 2023/24 fell by 110,000 tCO2e
    (27.9%), from 394,000 to 284,000 t. Not in the comparison: Cultural Body A, FE College B, Government Department A.
    >>> print(describe_carbon(net, 2019, 2019))
    2019/20 is the carbon base year: no reduction is measured yet.
    """
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
    """How far the ledgers' recomputed spend differs from the anchors' own returns, in one paragraph.

    Parameters
    ----------
    comparison : DataFrame
        :func:`~anchor_analysis.analysis.spend.compare_with_returns` (``metric, ledger, returned, difference,
        difference_pct``) for one year.
    place : str or Place, default "leeds"
        The place: spend in its innermost ring is compared.

    Returns
    -------
    str
        The paragraph, or a sentence saying no anchor has both a ledger and a return.

    Examples
    --------
    >>> comparison = pd.DataFrame({"metric": "spend_leeds", "ledger": [0.9e6, 2e6], "returned": [1e6, 2.1e6],
    ...                            "difference": [-0.1e6, -0.1e6], "difference_pct": [-10.0, -4.8]})
    >>> print(describe_ledger_comparison(comparison))
    Across the 2 anchors with both a ledger and a return, the ledgers place £2.9m with suppliers in Leeds against
    £3.1m returned: a difference of £0.2m (-6.5%). The largest single gap is £0.1m (-10.0%). Differences come from
    supplier postcodes the ledger does not locate (blank, malformed or unknown); the anchors' own returns may place
    those suppliers from better address data.
    """
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
