"""The progression review's sentences, written from the numbers.
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.analysis.progression.benchmarks import high_ambition_high_priority
from anchor_analysis.analysis.progression.history import network_trajectory
from anchor_analysis.analysis.progression.scores import (
    _TOL,
    _framework,
    _prepare,
    _select_year,
    combined_target,
    network_overview,
    round_half_up,
)
from anchor_analysis.core.errors import NoReturnsError
from anchor_analysis.core.framework import Framework
from anchor_analysis.core.years import fy_label, parse_fy

# --- narrative ---------------------------------------------------------------------------------------------

def describe_year(progression: pd.DataFrame, year: int | str, *, framework: Framework | None = None) -> str:
    """A few plain sentences (Markdown) summarising one year's overview, for the report narrative.

    Names the number of anchors that returned, the dimensions where current practice is strongest and weakest, where
    ambition and stretch are largest (ties named together), and the dimensions nobody assessed.

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    year : int or str
        The financial year.
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    str
        The paragraph; scores rounded half up to one decimal place.

    Raises
    ------
    NoReturnsError
        If ``year`` has no returns.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2023, "anchor_id": "a", "dimension": ["civic", "procurement"],
    ...                   "activity": ["civic_partnerships", "social_value"], "current": [3, 2], "ambition": 4})
    >>> print(describe_year(p, 2023))  # doctest: +NORMALIZE_WHITESPACE
    In 2023/24, 1 anchor returned a Progression Framework self-assessment. Current practice is strongest in
    Corporate and civic (3.0) and weakest in Procurement (2.0). Ambition is highest in Procurement and
    Corporate and civic (4.0). The largest stretch, the gap between ambition and current practice, is in Procurement
    (2.0 levels). Not assessed by any anchor this year: Employment, Environment and assets, Service delivery.
    """
    fw = _framework(framework)
    df = _prepare(progression, fw)
    year, sub = _select_year(df, year)
    overview = network_overview(sub, year, framework=fw)
    n = sub.loc[sub["assessed"], "anchor_id"].nunique()
    ov = overview[overview["n_reporting"] > 0]

    def fmt(v: float) -> str:
        """A score rounded half up to one decimal place."""
        return str(round_half_up(v, 1))

    def extreme(col: str, largest: bool) -> str:
        """The label(s) at the largest or smallest ``col``, with the opening of that value's bracket."""
        target = ov[col].max() if largest else ov[col].min()
        names = ov.loc[(ov[col] - target).abs() <= _TOL, "label"].tolist()
        return f"{' and '.join(names)} ({fmt(target)}"

    parts = [f"In {fy_label(year)}, {n} anchor{'s' if n != 1 else ''} returned a Progression Framework "
             "self-assessment."]
    if not ov.empty:
        parts.append(f"Current practice is strongest in {extreme('current', True)}) and weakest in "
                     f"{extreme('current', False)}).")
        parts.append(f"Ambition is highest in {extreme('ambition', True)}).")
        parts.append(f"The largest stretch, the gap between ambition and current practice, is in "
                     f"{extreme('stretch', True)} levels).")
    missing = overview.loc[overview["n_reporting"] == 0, "label"].tolist()
    if missing:
        parts.append(f"Not assessed by any anchor this year: {', '.join(missing)}.")
    return " ".join(parts)


def describe_change(progression: pd.DataFrame, year: int | str, *, framework: Framework | None = None) -> str:
    """One paragraph (Markdown) on the like-for-like change since the previous year with returns.

    Over the anchors that returned in both years (:func:`network_trajectory` with ``like_for_like=True``); a gap of
    years without returns is named, and the first year with returns says there is nothing to compare with.

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    year : int or str
        The financial year.
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    str
        The paragraph; changes of the mean current level signed, to two decimal places.

    Raises
    ------
    NoReturnsError
        If ``year`` has no returns.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2019, 2021], "anchor_id": "a", "dimension": "civic",
    ...                   "activity": "corporate_ownership", "current": [2, 3], "ambition": 4})
    >>> print(describe_change(p, 2019))
    2019/20 is the first year with Progression Framework returns, so there is no earlier year to compare with.
    >>> print(describe_change(p, 2021))  # doctest: +NORMALIZE_WHITESPACE
    Like for like, over the 1 anchor that returned in both 2019/20 and 2021/22 (there were no returns in
    2020/21), the mean current level changed by: Corporate and civic +1.00.
    """
    fw = _framework(framework)
    df = _prepare(progression, fw)
    year, _ = _select_year(df, year)
    earlier = sorted(y for y in df["year"].unique() if y < year)
    if not earlier:
        return (f"{fy_label(year)} is the first year with Progression Framework returns, so there is no earlier "
                "year to compare with.")
    before = earlier[-1]
    lfl = network_trajectory(df[df["year"].isin([before, year])], like_for_like=True, framework=fw)
    assessed = df[df["assessed"]]
    n = len(set(assessed.loc[assessed["year"] == year, "anchor_id"])
            & set(assessed.loc[assessed["year"] == before, "anchor_id"]))
    gap = "" if before == year - 1 else (
        f" (there were no returns in {fy_label(before + 1)})" if before == year - 2
        else f" (there were no returns from {fy_label(before + 1)} to {fy_label(year - 1)})")
    if n == 0:
        return (f"No anchor returned in both {fy_label(before)} and {fy_label(year)}{gap}, so there is no "
                "like-for-like comparison.")
    rows = lfl[lfl["n_reporting"] > 0]

    def signed(v: float) -> str:
        """A change rounded half up to two decimal places, with its sign."""
        text = str(round_half_up(v, 2))
        return text if text.startswith("-") else f"+{text}"

    changes = ", ".join(f"{r.label} {signed(r.current_change)}" for r in rows.itertuples())
    return (f"Like for like, over the {n} anchor{'s' if n != 1 else ''} that returned in both {fy_label(before)} "
            f"and {fy_label(year)}{gap}, the mean current level changed by: {changes}.")


def describe_focus(progression: pd.DataFrame, year: int | str, *, quantile: float = 0.75,
                   framework: Framework | None = None) -> str:
    """One sentence (Markdown) naming the high-ambition, high-priority dimensions and their combined target.

    The dimensions are those of :func:`high_ambition_high_priority`; the combined target is :func:`combined_target`
    of their published-style rows (seed 003: service delivery and civic, "target rise from 2.75 to 3.75").

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form, with ``priority``).
    year : int or str
        The financial year.
    quantile : float, default 0.75
        The cut-off of :func:`high_ambition_high_priority`.
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    str
        The sentence, or one saying that no dimension is in the top group for both.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": "a", "dimension": ["civic", "procurement"],
    ...                   "activity": ["civic_partnerships", "social_value"], "current": 2, "ambition": [4, 3],
    ...                   "priority": ["high", "low"]})
    >>> print(describe_focus(p, 2019))  # doctest: +NORMALIZE_WHITESPACE
    High ambition and high priority in 2019/20: **Corporate and civic**, from a current level of 2.00 to an
    ambition of 4.00.
    >>> print(describe_focus(p, 2020))
    No dimension is in the top group for both ambition and high priority in 2020/21.
    """
    fw = _framework(framework)
    try:
        focus = high_ambition_high_priority(progression, year, quantile=quantile, framework=fw)
    except NoReturnsError:
        focus = pd.DataFrame(columns=["dimension", "label"])
    fy = fy_label(parse_fy(year))
    if focus.empty:
        return f"No dimension is in the top group for both ambition and high priority in {fy}."
    published = network_overview(progression, year, published_rounding=True, framework=fw)
    current, ambition = combined_target(published, focus["dimension"].tolist())
    combined = "combined, " if len(focus) > 1 else ""
    return (f"High ambition and high priority in {fy}: **{' and '.join(focus['label'])}**, {combined}from a "
            f"current level of {round_half_up(current, 2)} to an ambition of {round_half_up(ambition, 2)}.")
