"""How scores move between returns: per anchor (gaps flagged, never filled) and for the network.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.analysis.progression.scores import _dimension_order, _framework, _prepare, _scores
from anchor_analysis.core.errors import NoReturnsError
from anchor_analysis.core.framework import Framework
from anchor_analysis.core.years import fy_label, parse_fy

# --- trajectories ------------------------------------------------------------------------------------------

def trajectories(progression: pd.DataFrame, *, until: int | str | None = None,
                 framework: Framework | None = None) -> pd.DataFrame:
    """Each anchor's dimension scores over time, compared with its own earlier returns.

    One row per (anchor, dimension, year) the anchor assessed. ``compared_with`` is the anchor's last *earlier*
    return for that dimension (not necessarily the year before); ``gap_years`` counts the financial years skipped in
    between (0 for consecutive returns), so a change over a gap is flagged, never interpolated. On an anchor's first
    return ``compared_with``, ``gap_years`` and the changes are blank.

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    until : int or str, optional
        Drop returns after this financial year (e.g. the report year).
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    DataFrame
        ``anchor_id, dimension, year, current, ambition, stretch, compared_with, gap_years, current_change,
        ambition_change, first_year, current_change_since_first, ambition_change_since_first``, sorted by anchor,
        framework order and year.

    Raises
    ------
    ValueError
        If the table does not fit the framework (see :func:`~anchor_analysis.analysis.progression.dimension_scores`).

    See Also
    --------
    network_trajectory : The network's scores over time.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2019, 2021], "anchor_id": "a", "dimension": "civic",
    ...                   "activity": "corporate_ownership", "current": [2, 3], "ambition": [3, 4]})
    >>> t = trajectories(p).iloc[-1]
    >>> int(t["compared_with"]), int(t["gap_years"]), float(t["current_change"])
    (2019, 1, 1.0)
    >>> bool(trajectories(p, until=2019)["compared_with"].isna().all())  # a first return compares with nothing
    True
    """
    fw = _framework(framework)
    df = _prepare(progression, fw)
    if until is not None:
        df = df[df["year"] <= parse_fy(until)]
    scores = _scores(df, fw)
    scores = scores[scores["current"].notna()].copy()
    order = _dimension_order(fw)
    scores["_order"] = scores["dimension"].map(order)
    scores = scores.sort_values(["anchor_id", "_order", "year"], kind="stable", ignore_index=True)
    grouped = scores.groupby(["anchor_id", "dimension"], sort=False)
    previous = grouped[["year", "current", "ambition"]].shift(1)
    first = grouped[["year", "current", "ambition"]].transform("first")
    out = scores[["anchor_id", "dimension", "year", "current", "ambition", "stretch"]].copy()
    out["compared_with"] = previous["year"].astype("Int64")
    out["gap_years"] = (out["year"] - out["compared_with"] - 1).astype("Int64")
    out["current_change"] = scores["current"] - previous["current"]
    out["ambition_change"] = scores["ambition"] - previous["ambition"]
    out["first_year"] = first["year"].astype("int64")
    is_first = out["year"] == out["first_year"]
    out["current_change_since_first"] = (scores["current"] - first["current"]).mask(is_first)
    out["ambition_change_since_first"] = (scores["ambition"] - first["ambition"]).mask(is_first)
    return out


def network_trajectory(progression: pd.DataFrame, *, like_for_like: bool = False, base_year: int | str | None = None,
                       until: int | str | None = None, framework: Framework | None = None) -> pd.DataFrame:
    """Network scores per dimension and year, over whoever reported or like for like.

    Default: network means over whoever reported that year (the membership changes, so a change in these means
    mixes progress with who reported). ``like_for_like=True``: the change over anchors that reported in *both*
    years. Each year with returns is compared with the previous year with returns, or with ``base_year`` when given
    (e.g. 2019 for "since the baseline").

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    like_for_like : bool, default False
        Compare each year with an earlier one over the anchors that assessed the dimension in both.
    base_year : int or str, optional
        With ``like_for_like``: compare every later year with this one instead of with the year before.
    until : int or str, optional
        Drop returns after this financial year.
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    DataFrame
        Default: one row per (year with returns, dimension) with ``year, dimension, label, n_reporting, current,
        ambition, stretch``. Like for like: ``year, compared_with, dimension, label, n_reporting`` (anchors assessing
        the dimension in both years) ``, current, ambition, compared_current, compared_ambition, current_change,
        ambition_change`` (means over those anchors only).

    Raises
    ------
    NoReturnsError
        If there are no returns (up to ``until``), or none in ``base_year``.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2019, 2019, 2020], "anchor_id": ["a", "b", "a"], "dimension": "civic",
    ...                   "activity": "corporate_ownership", "current": [1, 3, 2], "ambition": [3, 4, 3]})
    >>> civic = network_trajectory(p).query("dimension == 'civic'")
    >>> civic["n_reporting"].tolist(), civic["current"].tolist()
    ([2, 1], [2.0, 2.0])
    >>> lfl = network_trajectory(p, like_for_like=True).query("dimension == 'civic'").iloc[0]
    >>> print(lfl["year"], lfl["compared_with"], lfl["n_reporting"], lfl["current_change"])
    2020 2019 1 1.0
    """
    fw = _framework(framework)
    df = _prepare(progression, fw)
    if until is not None:
        df = df[df["year"] <= parse_fy(until)]
    if df.empty:
        raise NoReturnsError("no progression returns" + (f" up to {fy_label(parse_fy(until))}" if until else ""))
    scores = _scores(df, fw)
    labels = dict(zip(fw.dimensions["dimension"], fw.dimensions["label"], strict=True))
    years = sorted(scores["year"].unique())
    valid = scores[scores["current"].notna()]
    rows = []
    if not like_for_like:
        for year in years:
            for dim in fw.dimension_keys:
                s = valid[(valid["year"] == year) & (valid["dimension"] == dim)]
                cur = s["current"].mean() if len(s) else np.nan
                amb = s["ambition"].mean() if len(s) else np.nan
                rows.append({"year": year, "dimension": dim, "label": labels[dim], "n_reporting": len(s),
                             "current": cur, "ambition": amb, "stretch": amb - cur})
        return pd.DataFrame(rows).astype({"year": "int64", "n_reporting": "int64"})
    if base_year is not None:
        base = parse_fy(base_year)
        if base not in years:
            raise NoReturnsError(f"no progression returns for {fy_label(base)}, the base year asked for")
        pairs = [(y, base) for y in years if y > base]
    else:
        pairs = list(zip(years[1:], years[:-1], strict=True))
    for year, before in pairs:
        for dim in fw.dimension_keys:
            now = valid[(valid["year"] == year) & (valid["dimension"] == dim)].set_index("anchor_id")
            then = valid[(valid["year"] == before) & (valid["dimension"] == dim)].set_index("anchor_id")
            both = now.index.intersection(then.index)
            n = len(both)
            cur, amb = (now.loc[both, "current"].mean(), now.loc[both, "ambition"].mean()) if n else (np.nan,) * 2
            c0, a0 = (then.loc[both, "current"].mean(), then.loc[both, "ambition"].mean()) if n else (np.nan,) * 2
            rows.append({"year": year, "compared_with": before, "dimension": dim, "label": labels[dim],
                         "n_reporting": n, "current": cur, "ambition": amb, "compared_current": c0,
                         "compared_ambition": a0, "current_change": cur - c0, "ambition_change": amb - a0})
    columns = ["year", "compared_with", "dimension", "label", "n_reporting", "current", "ambition",
               "compared_current", "compared_ambition", "current_change", "ambition_change"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"year": "int64", "compared_with": "int64", "n_reporting": "int64"})
