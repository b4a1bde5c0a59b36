"""Each anchor against the network's quartiles, and the dimensions ranked by stretch and priority.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.analysis.progression.scores import (
    _TOL,
    POSITION_LABELS,
    _activity_order,
    _dimension_order,
    _framework,
    _prepare,
    _rank,
    _scores,
    _select_year,
)
from anchor_analysis.core.errors import NoReturnsError
from anchor_analysis.core.framework import Framework
from anchor_analysis.core.years import fy_label, parse_fy
from anchor_analysis.publish.anonymise import anchor_labels

# --- benchmarking ------------------------------------------------------------------------------------------

def position_label(score: float, q1: float, median: float, q3: float) -> str:
    """Where a score sits in the network's distribution.

    ``> q3`` "above upper quartile"; ``> median`` "above median"; ``== median`` "at median"; ``>= q1``
    "below median"; ``< q1`` "below lower quartile" (comparisons allow 1e-9 of float noise).

    Parameters
    ----------
    score : float
        The anchor's score (NaN: not assessed).
    q1, median, q3 : float
        The network's lower quartile, median and upper quartile.

    Returns
    -------
    str
        One of :data:`~anchor_analysis.analysis.progression.POSITION_LABELS`, or "not assessed" for a missing score.

    Examples
    --------
    >>> position_label(3.5, 2.0, 2.5, 3.0), position_label(2.5, 2.0, 2.5, 3.0), position_label(1.5, 2.0, 2.5, 3.0)
    ('above upper quartile', 'at median', 'below lower quartile')
    >>> position_label(float("nan"), 2.0, 2.5, 3.0)
    'not assessed'
    """
    if pd.isna(score):
        return "not assessed"
    if score > q3 + _TOL:
        return POSITION_LABELS[0]
    if score > median + _TOL:
        return POSITION_LABELS[1]
    if score >= median - _TOL:
        return POSITION_LABELS[2]
    if score >= q1 - _TOL:
        return POSITION_LABELS[3]
    return POSITION_LABELS[4]


def benchmark(progression: pd.DataFrame, year: int | str, *, by: str = "dimension", anonymise: bool = False,
              anchors: pd.DataFrame | None = None, framework: Framework | None = None) -> pd.DataFrame:
    """Each anchor's score against the network's median and quartiles in one year.

    Quartiles are of the current scores of the ``n_reporting`` anchors that assessed the dimension (activity), linear
    interpolation; ``position`` is :func:`position_label` of the current score. Rows: framework order, then anchor.

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    year : int or str
        The financial year: ``2023`` or ``"2023/24"``.
    by : {"dimension", "activity"}, default "dimension"
        Compare dimension scores or activity levels.
    anonymise : bool, default False
        Show anchors only by codes "Anchor A", "Anchor B", ... in sorted anchor_id order (see
        :func:`~anchor_analysis.publish.anonymise.anchor_labels`) and drop ``anchor_id``.
    anchors : DataFrame, optional
        The anchors table, for names (default: anchors are shown by id).
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    DataFrame
        ``year, anchor_id, anchor, dimension, [activity,] label, current, ambition, stretch, n_reporting,
        network_q1, network_median, network_q3, position, ambition_network_median`` (without ``anchor_id`` when
        anonymised).

    Raises
    ------
    ValueError
        If ``by`` is neither "dimension" nor "activity", or the table does not fit the framework.
    NoReturnsError
        If ``year`` has no returns.

    See Also
    --------
    position_table : The positions as a wide anchors x dimensions table.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2023, "anchor_id": ["x", "y", "z"], "dimension": "civic",
    ...                   "activity": "civic_partnerships", "current": [1, 2, 4], "ambition": 4})
    >>> benchmark(p, 2023, anonymise=True).query("dimension == 'civic'")[["anchor", "position"]].values.tolist()
    [['Anchor A', 'below lower quartile'], ['Anchor B', 'at median'], ['Anchor C', 'above upper quartile']]
    >>> row = benchmark(p, 2023, by="activity").iloc[0]
    >>> row["activity"], float(row["network_q1"]), float(row["network_median"]), float(row["network_q3"])
    ('civic_partnerships', 1.5, 2.0, 3.0)
    """
    if by not in ("dimension", "activity"):
        raise ValueError(f"benchmark by must be 'dimension' or 'activity', not {by!r}")
    fw = _framework(framework)
    df = _prepare(progression, fw)
    year, sub = _select_year(df, year)
    if by == "dimension":
        scores = _scores(sub, fw)
        keys = ["dimension"]
        labels = dict(zip(fw.dimensions["dimension"], fw.dimensions["label"], strict=True))
        scores["label"] = scores["dimension"].map(labels)
        scores["_order"] = scores["dimension"].map(_dimension_order(fw))
    else:
        scores = sub[["year", "anchor_id", "dimension", "activity", "current", "ambition"]].copy()
        scores.loc[~sub["assessed"], ["current", "ambition"]] = np.nan
        keys = ["dimension", "activity"]
        labels = dict(zip(fw.activities["activity"], fw.activities["label"], strict=True))
        scores["label"] = scores["activity"].map(labels)
        scores["_order"] = scores["activity"].map(_activity_order(fw))
        scores["stretch"] = scores["ambition"] - scores["current"]
    scores = scores[scores["current"].notna()].copy()
    grouped = scores.groupby(keys, sort=False)
    network = pd.DataFrame({"n_reporting": grouped["current"].size(), "network_q1": grouped["current"].quantile(0.25),
                            "network_median": grouped["current"].median(),
                            "network_q3": grouped["current"].quantile(0.75),
                            "ambition_network_median": grouped["ambition"].median()}).reset_index()
    scores = scores.merge(network, on=keys, how="left")
    scores["n_reporting"] = scores["n_reporting"].astype("int64")
    scores["position"] = [position_label(r.current, r.network_q1, r.network_median, r.network_q3)
                          for r in scores.itertuples()]
    names = anchor_labels(df["anchor_id"], anchors, anonymise=anonymise)
    scores["anchor"] = scores["anchor_id"].map(names)
    scores = scores.sort_values(["_order", "anchor"], kind="stable", ignore_index=True)
    columns = ["year", "anchor_id", "anchor", *keys, "label", "current", "ambition", "stretch", "n_reporting",
               "network_q1", "network_median", "network_q3", "position", "ambition_network_median"]
    if anonymise:
        columns.remove("anchor_id")
    return scores[columns]


def position_table(bench: pd.DataFrame) -> pd.DataFrame:
    """Benchmark positions as a wide table: one row per anchor, one column per dimension (or activity) label.

    Parameters
    ----------
    bench : DataFrame
        A :func:`benchmark` table (``anchor, label, position``).

    Returns
    -------
    DataFrame
        Indexed by anchor (sorted), columns in the order the labels first appear; "not assessed" where an anchor has
        no position.

    Examples
    --------
    >>> b = pd.DataFrame({"anchor": ["A", "A", "B"], "label": ["Civic", "Employment", "Civic"],
    ...                   "position": ["at median", "above median", "below median"]})
    >>> position_table(b).loc["A"].tolist()
    ['at median', 'above median']
    >>> position_table(b).loc["B"].tolist()
    ['below median', 'not assessed']
    """
    order = list(dict.fromkeys(bench["label"]))
    wide = bench.pivot(index="anchor", columns="label", values="position")
    wide = wide.reindex(columns=order).sort_index().fillna("not assessed")
    wide.columns.name = None
    return wide


# --- priorities ------------------------------------------------------------------------------------------------

def priorities(progression: pd.DataFrame, year: int | str, *, by: str = "dimension",
               framework: Framework | None = None) -> pd.DataFrame:
    """Dimensions (or activities) ranked by stretch and by how often anchors flag them high priority.

    * ``current, ambition, stretch``: network means over the ``n_reporting`` anchors that assessed it.
    * by activity: ``high_priority_share = n_high / n_priority_stated``, the share of the anchors that gave the
      activity a priority who said "high".
    * by dimension: ``n_high`` anchors flagged at least one of its activities high; ``high_priority_share`` is the
      mean over the ``n_priority_stated`` anchors of the share of their activities in it flagged high (every anchor
      weighs the same, as in network scores; with one activity it is the share of anchors).
    * ranks: 1 = largest; ties share the best rank and the next rank is skipped (1, 1, 3), comparing values rounded
      to 9 decimals so float noise never splits a tie; rows with no value have no rank.

    Every framework dimension (activity) appears; rows are sorted by stretch rank, then priority rank, then framework
    order (so ties keep a stable, documented order).

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form, with ``priority``; see
        :mod:`anchor_analysis.analysis.progression`).
    year : int or str
        The financial year: ``2019`` or ``"2019/20"``.
    by : {"dimension", "activity"}, default "dimension"
        Rank dimensions or activities.
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    DataFrame
        ``year, dimension, [activity,] label, n_reporting, current, ambition, stretch, n_priority_stated, n_high,
        high_priority_share, stretch_rank, priority_rank``.

    Raises
    ------
    ValueError
        If ``by`` is neither "dimension" nor "activity", or the table does not fit the framework.
    NoReturnsError
        If ``year`` has no returns.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": ["a", "b"], "dimension": "civic",
    ...                   "activity": "civic_partnerships", "current": 2, "ambition": 4,
    ...                   "priority": ["high", "low"]})
    >>> r = priorities(p, 2019, by="activity").set_index("activity").loc["civic_partnerships"]
    >>> print(r["n_high"], r["n_priority_stated"], r["high_priority_share"], r["stretch_rank"])
    1 2 0.5 1
    >>> priorities(p, 2019)["dimension"].tolist()[:2]  # civic first: the only stretch; the rest unranked
    ['civic', 'employment']
    """
    if by not in ("dimension", "activity"):
        raise ValueError(f"priorities by must be 'dimension' or 'activity', not {by!r}")
    fw = _framework(framework)
    df = _prepare(progression, fw)
    year, sub = _select_year(df, year)
    sub = sub.assign(high=sub["priority"].eq("high"), stated=sub["priority"].notna())
    stated = sub[sub["stated"]]
    if by == "dimension":
        keys = fw.dimensions[["dimension", "label"]].assign(year=year)[["year", "dimension", "label"]]
        scores = _scores(sub, fw)
        levels = (scores[scores["current"].notna()].groupby("dimension")
                  .agg(n_reporting=("current", "size"), current=("current", "mean"), ambition=("ambition", "mean")))
        per_anchor = stated.groupby(["dimension", "anchor_id"])["high"].mean()
        prio = per_anchor.groupby("dimension").agg(n_priority_stated="size", n_high=lambda x: int((x > 0).sum()),
                                                   high_priority_share="mean")
        key = "dimension"
    else:
        keys = fw.activities[["dimension", "activity", "label"]].assign(year=year)[
            ["year", "dimension", "activity", "label"]]
        assessed = sub[sub["assessed"]]
        levels = assessed.groupby("activity").agg(n_reporting=("current", "size"), current=("current", "mean"),
                                                   ambition=("ambition", "mean"))
        prio = stated.groupby("activity")["high"].agg(n_priority_stated="size", n_high="sum",
                                                      high_priority_share="mean")
        key = "activity"
    out = keys.merge(levels.reset_index(), on=key, how="left").merge(prio.reset_index(), on=key, how="left")
    for col in ("n_reporting", "n_priority_stated", "n_high"):
        out[col] = out[col].fillna(0).astype("int64")
    out["high_priority_share"] = out["high_priority_share"].astype("float64")
    out.insert(out.columns.get_loc("ambition") + 1, "stretch", out["ambition"] - out["current"])
    out["stretch_rank"] = _rank(out["stretch"])
    out["priority_rank"] = _rank(out["high_priority_share"])
    out["_order"] = range(len(out))
    out = out.sort_values(["stretch_rank", "priority_rank", "_order"], kind="stable", na_position="last")
    return out.drop(columns="_order").reset_index(drop=True).astype(
        {"n_reporting": "int64", "n_priority_stated": "int64", "n_high": "int64"})


def high_ambition_high_priority(progression: pd.DataFrame, year: int | str, *, by: str = "dimension",
                                quantile: float = 0.75, framework: Framework | None = None) -> pd.DataFrame:
    """The dimensions (or activities) that combine high ambition with high priority.

    **Rule**: among the dimensions some anchor assessed, keep those whose network mean ambition *and* whose
    ``high_priority_share`` (see :func:`priorities`) are both at or above the ``quantile`` (default 0.75: the upper
    quartile, linear interpolation) of that measure across the dimensions; ties at the cut-off are in. On the 2019/20
    returns behind seed 003 this gives Service delivery and Corporate and civic, the pair the network published as
    "combine high ambition and high priority".

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form, with ``priority``).
    year : int or str
        The financial year.
    by : {"dimension", "activity"}, default "dimension"
        Select dimensions or activities.
    quantile : float, default 0.75
        The cut-off of both measures, between 0 and 1.
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    DataFrame
        The selected rows of :func:`priorities` in framework order, plus ``ambition_cutoff`` and
        ``priority_cutoff``.

    Raises
    ------
    ValueError
        If ``quantile`` is not between 0 and 1.
    NoReturnsError
        If ``year`` has no returns with both an ambition and a stated priority.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": "a", "dimension": ["civic", "procurement"],
    ...                   "activity": ["civic_partnerships", "social_value"], "current": 2, "ambition": [4, 3],
    ...                   "priority": ["high", "low"]})
    >>> high_ambition_high_priority(p, 2019)["dimension"].tolist()
    ['civic']
    >>> high_ambition_high_priority(p, 2019, quantile=0)["dimension"].tolist()  # every assessed dimension
    ['procurement', 'civic']
    """
    if not 0 <= quantile <= 1:
        raise ValueError(f"quantile must be between 0 and 1, not {quantile}")
    table = priorities(progression, year, by=by, framework=framework)
    eligible = table[table["ambition"].notna() & table["high_priority_share"].notna()]
    if eligible.empty:
        raise NoReturnsError(f"no ambition and priority returns for {fy_label(parse_fy(year))}")
    amb_cut = eligible["ambition"].quantile(quantile)
    pri_cut = eligible["high_priority_share"].quantile(quantile)
    chosen = eligible[(eligible["ambition"] >= amb_cut - _TOL) & (eligible["high_priority_share"] >= pri_cut - _TOL)]
    fw = _framework(framework)
    order = _dimension_order(fw) if by == "dimension" else _activity_order(fw)
    chosen = chosen.assign(ambition_cutoff=amb_cut, priority_cutoff=pri_cut)
    return chosen.sort_values(by, key=lambda s: s.map(order)).reset_index(drop=True)
