"""Progress against the network's commitments: the latest value, the straight-line path, a projection and a status.

In: the network (its ``commitments`` table, metrics, progression and anchors). Out: one row per commitment with its
yearly series, where the straight line from baseline to target says it should be, the trend's projection to the
target year with its uncertainty, and a status by :data:`STATUS_RULE`.

>>> from anchor_analysis.contracts import load_network
>>> progress = commitments_progress(load_network("data/raw/demo"), 2024)
>>> progress[["commitment_id", "status"]].values.tolist()
[['local_spend', 'off track'], ['procurement', 'on track'], ['employment', 'on track'], ['service_civic', 'on track'], \
['net_zero', 'off track']]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from anchor_analysis.analysis.metrics import _year_values, coverage_statement
from anchor_analysis.analysis.progression.scores import network_overview
from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.errors import NoDataError, NoReturnsError
from anchor_analysis.core.membership import members
from anchor_analysis.core.years import fy_label
from anchor_analysis.publish.formatting import format_value

AT_RISK_BEHIND = 0.10
"""How far behind the straight-line path (a share of the planned change) a commitment is at risk, not off track."""
INTERVAL = 0.90
"""The projection's prediction interval (two-sided)."""
STATUSES = ("on track", "at risk", "off track", "not yet measurable")

STATUS_RULE = (
    "A commitment is on track when its latest value is at or ahead of the straight line from its baseline to its "
    f"target; at risk when it is behind by up to {AT_RISK_BEHIND:.0%} of the planned change; off track when further "
    "behind. With three or more years of values the trend (a least-squares line through them) is projected to the "
    f"target year with its {INTERVAL:.0%} prediction interval, and moderates the status: an on-track commitment "
    "whose whole interval misses the target is at risk, and an off-track one whose projection reaches the target is "
    "at risk. With two years the projection is the line through them, and no uncertainty can be estimated; with "
    "one, there is no projection. A framework level's projection stays within 1 to 4, an amount's above 0."
)
"""The status rule, as the report states it beside the commitments table."""


def commitment_series(network, commitment: pd.Series, until: int) -> pd.DataFrame:
    """The yearly values of one commitment's measure, with who they cover.

    A metric commitment adds its metrics (``scope1_tco2e + scope2_tco2e``) over the members that reported every one
    of them that year; a dimension commitment is the network score (the mean over the anchors that assessed it) of
    its dimension, or the plain mean of its dimensions' scores (seed 003's "service delivery and civic").

    Parameters
    ----------
    network : Network
        The validated network.
    commitment : Series
        One row of ``network.commitments``.
    until : int
        The last financial year to include.

    Returns
    -------
    DataFrame
        ``year, value, n_reporting, n_members, coverage_statement``, one row per year with a value.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> row = net.commitments.set_index("commitment_id").loc["net_zero"]
    >>> commitment_series(net, row, 2020)[["year", "value", "coverage_statement"]].values.tolist()
    [[2019, 394000.0, '10 of 11 anchors reporting (91%)'], [2020, 363917.0, '11 of 11 anchors reporting (100%)']]
    """
    parts = [part.strip() for part in str(commitment["measure"]).split("+")]
    years = sorted(int(y) for y in set(network.metrics["year"]) | set(network.progression["year"]) if y <= until)
    rows = []
    for year in years:
        n_members = len(members(network.anchors, year))
        value, n = (_metric_value(network, parts, year) if commitment["kind"] == "metric"
                    else _dimension_value(network, parts, year))
        if n:
            rows.append({"year": year, "value": value, "n_reporting": n, "n_members": n_members,
                         "coverage_statement": coverage_statement(n, n_members)})
    return pd.DataFrame(rows, columns=["year", "value", "n_reporting", "n_members", "coverage_statement"])


def _metric_value(network, metrics: list[str], year: int) -> tuple[float, int]:
    """The metrics' sum over the members reporting all of them in ``year``, and how many those are."""
    values = [_year_values(network.metrics, network.anchors, year, metric) for metric in metrics]
    both = set.intersection(*(set(v.index) for v in values))
    return float(sum(v[v.index.isin(both)].sum() for v in values)), len(both)


def _dimension_value(network, dimensions: list[str], year: int) -> tuple[float, int]:
    """The mean of the dimensions' network scores in ``year`` and the fewest anchors reporting one of them."""
    try:
        overview = network_overview(network.progression, year).set_index("dimension")
    except NoReturnsError:
        return float("nan"), 0
    scored = overview.loc[dimensions]
    if scored["current"].isna().any():
        return float("nan"), 0
    return float(scored["current"].mean()), int(scored["n_reporting"].min())


def projection(series: pd.DataFrame, target_year: int, interval: float = INTERVAL) -> dict:
    """The trend of a yearly series projected to ``target_year``, with its prediction interval when it has one.

    Parameters
    ----------
    series : DataFrame
        ``year, value`` (years after the baseline included; at least two rows for a projection).
    target_year : int
        The year to project to.
    interval : float, default INTERVAL
        The two-sided prediction interval.

    Returns
    -------
    dict
        ``projected`` (NaN with fewer than two years), ``low`` and ``high`` (NaN with fewer than three), ``slope``
        (per year), ``years`` (how many) and ``method`` (in words).

    Examples
    --------
    >>> line = pd.DataFrame({"year": [2019, 2020, 2021], "value": [1.0, 2.2, 2.9]})
    >>> p = projection(line, 2025)
    >>> round(p["projected"], 2), round(p["low"], 2), round(p["high"], 2), p["method"]
    (6.78, 1.99, 11.58, 'least-squares trend of 3 years, 90% prediction interval')
    >>> projection(line.iloc[:2], 2025)["method"], math.isnan(projection(line.iloc[:2], 2025)["low"])
    ('line through 2 years: too few to estimate its uncertainty', True)
    """
    from scipy import stats

    x = series["year"].to_numpy(dtype="float64")
    y = series["value"].to_numpy(dtype="float64")
    n = len(x)
    out = {"projected": math.nan, "low": math.nan, "high": math.nan, "slope": math.nan, "years": n}
    if n < 2:
        return out | {"method": "one year: no trend yet"}
    slope, intercept = np.polyfit(x, y, 1)
    projected = float(intercept + slope * target_year)
    out |= {"projected": projected, "slope": float(slope)}
    if n == 2:
        return out | {"method": "line through 2 years: too few to estimate its uncertainty"}
    residual = y - (intercept + slope * x)
    spread = math.sqrt(float(residual @ residual) / (n - 2))
    leverage = 1 + 1 / n + (target_year - x.mean()) ** 2 / float(((x - x.mean()) ** 2).sum())
    half = float(stats.t.ppf(0.5 + interval / 2, n - 2)) * spread * math.sqrt(leverage)
    return out | {"low": projected - half, "high": projected + half,
                  "method": f"least-squares trend of {n} years, {interval:.0%} prediction interval"}


def commitments_progress(network, year: int) -> pd.DataFrame:
    """Progress of every commitment of the network up to ``year``, with its status by :data:`STATUS_RULE`.

    Parameters
    ----------
    network : Network
        The validated network, with its ``commitments`` table.
    year : int
        The financial year of the report.

    Returns
    -------
    DataFrame
        One row per commitment: ``commitment_id, label, kind, measure, committed_by, source, baseline_year,
        baseline_value, baseline_from_returns, target_year, target_value, latest_year, latest_value,
        latest_coverage, path_value, gap, projected, low, high, projection_method, status, series`` (``gap``: how far
        the latest value is ahead (+) or behind (-) the straight-line path, as a share of the planned change;
        ``series``: the yearly values, :func:`commitment_series`).

    Raises
    ------
    NoDataError
        The network has no commitments table.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> row = commitments_progress(load_network("data/raw/demo"), 2024).set_index("commitment_id").loc["procurement"]
    >>> float(round(row["latest_value"], 2)), float(round(row["path_value"], 2)), row["status"], row["latest_coverage"]
    (2.68, 2.15, 'on track', '11 of 13 anchors reporting (85%)')
    """
    if network.commitments is None or network.commitments.empty:
        raise NoDataError(f"the network has no commitments (commitments.csv in {network.data_dir})")
    rows = [_progress(network, commitment, year) for _, commitment in network.commitments.iterrows()]
    return pd.DataFrame(rows)


def _progress(network, commitment: pd.Series, year: int) -> dict:
    """One commitment's row of :func:`commitments_progress`."""
    series = commitment_series(network, commitment, year)
    base_year, target_year = int(commitment["baseline_year"]), int(commitment["target_year"])
    at_base = series.loc[series["year"] == base_year, "value"]
    given = not pd.isna(commitment["baseline_value"])
    baseline = float(commitment["baseline_value"]) if given else (float(at_base.iloc[0]) if len(at_base) else math.nan)
    target = float(commitment["target_value"])
    since = series[series["year"] >= base_year]
    row = {key: commitment[key] for key in ("commitment_id", "label", "kind", "measure", "committed_by", "source")}
    row |= {"baseline_year": base_year, "baseline_value": baseline, "baseline_from_returns": not given,
            "target_year": target_year, "target_value": target, "series": since.reset_index(drop=True)}
    latest = since.iloc[-1] if len(since) and since.iloc[-1]["year"] > base_year else None
    trend = projection(since, target_year)
    low_bound, high_bound = (1.0, 4.0) if commitment["kind"] == "dimension" else (0.0, math.inf)
    for key in ("projected", "low", "high"):  # a level stays within 1-4, an amount is never negative
        trend[key] = trend[key] if math.isnan(trend[key]) else min(max(trend[key], low_bound), high_bound)
    row |= {"projected": trend["projected"], "low": trend["low"], "high": trend["high"],
            "projection_method": trend["method"]}
    if latest is None or math.isnan(baseline) or target == baseline:
        return row | {"latest_year": None if latest is None else int(latest["year"]),
                      "latest_value": math.nan if latest is None else float(latest["value"]),
                      "latest_coverage": "" if latest is None else latest["coverage_statement"],
                      "path_value": math.nan, "gap": math.nan, "status": "not yet measurable"}
    elapsed = min(1.0, (int(latest["year"]) - base_year) / (target_year - base_year))
    path = baseline + (target - baseline) * elapsed
    gap = (float(latest["value"]) - path) / (target - baseline)
    row |= {"latest_year": int(latest["year"]), "latest_value": float(latest["value"]),
            "latest_coverage": latest["coverage_statement"], "path_value": path, "gap": gap,
            "status": _status(gap, trend, baseline, target)}
    return row


def _status(gap: float, trend: dict, baseline: float, target: float) -> str:
    """The status of :data:`STATUS_RULE` from the gap to the path and the trend's projection."""
    status = "on track" if gap >= 0 else "at risk" if gap >= -AT_RISK_BEHIND else "off track"
    if math.isnan(trend["low"]):
        return status

    def reaches(value: float) -> bool:
        return (value - baseline) / (target - baseline) >= 1

    best = max(trend["low"], trend["high"], key=lambda v: (v - baseline) / (target - baseline))
    if status == "on track" and not reaches(best):
        return "at risk"
    if status == "off track" and reaches(trend["projected"]):
        return "at risk"
    return status


def describe_progress(row: pd.Series, format_value) -> str:
    """One sentence on a commitment's progress: latest value against the path, and the projection.

    Parameters
    ----------
    row : Series
        A row of :func:`commitments_progress`.
    format_value : callable
        ``format_value(value) -> str``, the commitment's values as the report shows them.

    Returns
    -------
    str

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> row = commitments_progress(load_network("data/raw/demo"), 2024).iloc[1]
    >>> describe_progress(row, lambda v: f"{v:.2f}")
    '2.68 in 2024/25 against 2.15 on the straight line to 2.70 by 2030/31: on track.'
    """
    if row["status"] == "not yet measurable":
        return f"No value after the baseline year {fy_label(row['baseline_year'])} yet."
    return (f"{format_value(row['latest_value'])} in {fy_label(row['latest_year'])} against "
            f"{format_value(row['path_value'])} on the straight line to {format_value(row['target_value'])} by "
            f"{fy_label(row['target_year'])}: {row['status']}.")


def commitment_unit(row: pd.Series, place=None) -> str:
    """The unit a commitment's values are shown in: its first metric's catalogue unit, ``level`` for a dimension.

    Examples
    --------
    >>> commitment_unit(pd.Series({"kind": "metric", "measure": "scope1_tco2e + scope2_tco2e"}))
    'tCO2e'
    >>> commitment_unit(pd.Series({"kind": "dimension", "measure": "procurement"}))
    'level'
    """
    if row["kind"] != "metric":
        return "level"
    first = str(row["measure"]).split("+")[0].strip()
    return str(metric_definitions(place or "leeds").at[first, "unit"])


def progress_table(progress: pd.DataFrame, place=None) -> pd.DataFrame:
    """:func:`commitments_progress` as a reader sees it: one row per commitment, every value formatted by its unit.

    Parameters
    ----------
    progress : DataFrame
        :func:`commitments_progress`.
    place : str or Place, optional
        The place whose metric units apply (default Leeds).

    Returns
    -------
    DataFrame
        ``Commitment, Baseline, Latest, Who it covers, On the straight line, Target, Projection, Status``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> table = progress_table(commitments_progress(net, 2024), net.place)
    >>> table.iloc[0].tolist()[:3], table.iloc[0]["Status"]
    (['Local spend with Leeds businesses', '£337.8m in 2019/20', '£535.5m in 2024/25'], 'off track')
    """
    rows = []
    for _, row in progress.iterrows():
        unit = commitment_unit(row, place)

        def shown(value: float, unit: str = unit) -> str:
            return "–" if pd.isna(value) else format_value(value, unit)

        interval = "" if pd.isna(row["low"]) else f" ({shown(row['low'])} to {shown(row['high'])})"
        latest = ("–" if pd.isna(row["latest_value"]) else
                  f"{shown(row['latest_value'])} in {fy_label(row['latest_year'])}")
        rows.append({"Commitment": row["label"], "Baseline": f"{shown(row['baseline_value'])} in "
                     f"{fy_label(row['baseline_year'])}", "Latest": latest, "Who it covers": row["latest_coverage"],
                     "On the straight line": shown(row["path_value"]),
                     "Target": f"{shown(row['target_value'])} by {fy_label(row['target_year'])}",
                     "Projection": shown(row["projected"]) + interval, "Status": row["status"]})
    return pd.DataFrame(rows)


def commitments_text(network, year: int) -> tuple[str, bool]:
    """The network's commitments up to ``year`` as text: a title, :func:`progress_table` and :data:`STATUS_RULE`.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.

    Returns
    -------
    text : str
        What ``anchor-analysis commitments`` prints.
    ok : bool
        False when the network has no commitments (the text then says so).

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> text, ok = commitments_text(load_network("data/raw/demo"), 2024)
    >>> ok, text.splitlines()[0]
    (True, 'Commitments of the Leeds Anchor Network, 2024/25 (SYNTHETIC demo data)')
    """
    import textwrap

    try:
        progress = commitments_progress(network, year)
    except NoDataError as exc:
        return f"{exc}: see the README, Commitments", False
    owners = ", ".join(sorted(set(progress["committed_by"])))
    title = f"Commitments of the {owners}, {fy_label(year)}{' (SYNTHETIC demo data)' if network.synthetic else ''}"
    table = progress_table(progress, network.place).to_string(index=False)
    return f"{title}\n{table}\n\n{textwrap.fill(STATUS_RULE, 116)}", True
