"""Dimension scores, the network overview in the published style, and combined targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from anchor_analysis.core.errors import NoReturnsError
from anchor_analysis.core.framework import Framework, load_framework
from anchor_analysis.core.years import fy_label, parse_fy

REQUIRED_COLUMNS = ("year", "anchor_id", "dimension", "activity", "current", "ambition")
"""Columns every progression table needs (``priority`` and ``comment`` are optional)."""
PRIORITY_LEVELS = ("high", "medium", "low")
"""The priority levels of the framework, highest first (a return's ``priority`` is read lower-case)."""

POSITION_LABELS = (
    "above upper quartile",
    "above median",
    "at median",
    "below median",
    "below lower quartile",
)
"""Benchmark positions, best first (see :func:`position_label`)."""

_TOL = 1e-9  # float noise allowed when comparing means that are equal as fractions (e.g. 26/7 computed two ways)


# --- input preparation --------------------------------------------------------------------------------------

def _framework(framework: Framework | None) -> Framework:
    """The framework given, else the kit's own (:func:`~anchor_analysis.core.framework.load_framework`)."""
    return framework if framework is not None else load_framework()


def _prepare(progression: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """A clean working copy: int years, str keys, float levels (NaN = not assessed), lower-case priority."""
    missing = [c for c in REQUIRED_COLUMNS if c not in progression.columns]
    if missing:
        raise ValueError(f"progression table lacks column(s) {missing}; it needs {list(REQUIRED_COLUMNS)}")
    df = pd.DataFrame({
        "year": pd.to_numeric(progression["year"], errors="raise").to_numpy(dtype="float64", na_value=np.nan),
        "anchor_id": progression["anchor_id"].astype(str).to_numpy(),
        "dimension": progression["dimension"].astype(str).to_numpy(),
        "activity": progression["activity"].astype(str).to_numpy(),
    })
    if df["year"].isna().any():
        raise ValueError("progression table has rows without a year")
    df["year"] = df["year"].astype("int64")
    for col in ("current", "ambition"):
        df[col] = pd.to_numeric(progression[col], errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    if "priority" in progression.columns:
        prio = progression["priority"].astype("object").to_numpy()
        df["priority"] = [str(p).strip().lower() if isinstance(p, str) and p.strip() else None for p in prio]
    else:
        df["priority"] = None
    pairs = set(zip(df["dimension"], df["activity"], strict=True))
    unknown_dims = sorted({d for d, _ in pairs} - set(framework.dimension_keys))
    if unknown_dims:
        raise ValueError(f"progression table has dimension(s) not in the framework: {unknown_dims}; "
                         f"the dimensions are {framework.dimension_keys}")
    known = set(zip(framework.activities["dimension"], framework.activities["activity"], strict=True))
    bad = sorted(pairs - known)
    if bad:
        listed = [f"{d}/{a}" for d, a in bad]
        raise ValueError(f"progression table has activities not in the framework: {listed}")
    dup = df.duplicated(["year", "anchor_id", "activity"], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        raise ValueError(f"progression table has {int(dup.sum())} duplicate rows, e.g. {first['anchor_id']} "
                         f"{first['activity']} in {fy_label(first['year'])}: one row per anchor, year and activity")
    # a level on one side only is not an assessment: both are needed for a stretch
    df["assessed"] = df["current"].notna() & df["ambition"].notna()
    return df


def _dimension_order(framework: Framework) -> dict[str, int]:
    """Framework position of each dimension key."""
    return dict(zip(framework.dimensions["dimension"], framework.dimensions["order"], strict=True))


def _activity_order(framework: Framework) -> dict[str, int]:
    """Framework position of each activity key."""
    return dict(zip(framework.activities["activity"], framework.activities["order"], strict=True))


def _select_year(df: pd.DataFrame, year: int | str) -> tuple[int, pd.DataFrame]:
    """The year as an int and its rows; :class:`NoReturnsError` naming the years that have returns if it has none."""
    year = parse_fy(year)
    sub = df[df["year"] == year]
    if sub.empty:
        years = sorted(df["year"].unique())
        have = ", ".join(fy_label(y) for y in years) if years else "no year"
        raise NoReturnsError(f"no progression returns for {fy_label(year)} (returns exist for {have})")
    return year, sub


def _rank(values: pd.Series) -> pd.Series:
    """Competition ranking, highest first: ties share the best rank (1, 1, 3); NaN gets no rank."""
    return values.round(9).rank(method="min", ascending=False).astype("Int64")


# --- exact published rounding ------------------------------------------------------------------------------

def round_half_up(value: float | int | Fraction | Decimal, decimals: int = 1) -> Decimal:
    """Round half up (away from zero), as a person rounding a table does; not Python's banker's rounding.

    Floats are read by their shortest repr (``2.65`` is 2.65, not the binary 2.64999...), fractions exactly.

    Parameters
    ----------
    value : float, int, Fraction or Decimal
        The number to round.
    decimals : int, default 1
        Decimal places to keep.

    Returns
    -------
    Decimal
        The rounded value, with exactly ``decimals`` places.

    See Also
    --------
    anchor_analysis.analysis.published.round_half_up : The same rule to a multiple of a published precision.

    Examples
    --------
    >>> round_half_up(2.75), round_half_up(2.65), round_half_up(Fraction(37, 14))
    (Decimal('2.8'), Decimal('2.7'), Decimal('2.6'))
    >>> round(2.65, 1)  # what the built-in would publish
    2.6
    >>> round_half_up(-0.25), round_half_up(1, decimals=2)
    (Decimal('-0.3'), Decimal('1.00'))
    """
    if isinstance(value, Fraction):
        scaled = value * 10**decimals
        sign = -1 if scaled < 0 else 1
        whole = (abs(scaled) + Fraction(1, 2)).__floor__()
        return Decimal(sign * whole).scaleb(-decimals)
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)) if isinstance(value, float)
                                                             else str(value))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _fraction(level: float) -> Fraction:
    """A level as an exact fraction of its shortest repr (``2.5`` -> 5/2)."""
    return Fraction(repr(float(level)))


# --- dimension scores -------------------------------------------------------------------------------------

def dimension_scores(progression: pd.DataFrame, *, until: int | str | None = None,
                     framework: Framework | None = None) -> pd.DataFrame:
    """Each anchor's dimension scores, per year.

    One row per (year, anchor, framework dimension) for every anchor with a return that year. ``current`` and
    ``ambition`` are means of the assessed activity levels; ``stretch = ambition - current``. A dimension the anchor
    did not assess at all has ``n_activities_assessed = 0`` and NaN scores (never zero).

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    until : int or str, optional
        Drop returns after this financial year (e.g. the report year); default: keep every year.
    framework : Framework, optional
        The Progression Framework (default: the kit's, :func:`~anchor_analysis.core.framework.load_framework`).

    Returns
    -------
    DataFrame
        ``year, anchor_id, dimension, current, ambition, stretch, n_activities_assessed, n_activities_framework``,
        sorted by year, anchor_id and framework order.

    Raises
    ------
    ValueError
        If the table lacks a column, has a dimension or activity not in the framework, or repeats an anchor's
        activity in a year.

    See Also
    --------
    network_overview : The network's mean of these scores in one year.
    trajectories : How each anchor's scores move between its returns.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": "a", "dimension": "employment",
    ...                   "activity": ["recruitment", "pay_and_conditions"], "current": [2, 3], "ambition": [4, 4]})
    >>> s = dimension_scores(p).set_index("dimension")
    >>> cols = ["current", "ambition", "stretch", "n_activities_assessed", "n_activities_framework"]
    >>> s.loc["employment", cols].tolist()
    [2.5, 4.0, 1.5, 2.0, 4.0]
    >>> bool(s.loc["civic", "n_activities_assessed"] == 0 and pd.isna(s.loc["civic", "current"]))
    True
    """
    fw = _framework(framework)
    df = _prepare(progression, fw)
    if until is not None:
        df = df[df["year"] <= parse_fy(until)]
    return _scores(df, fw)


def _scores(df: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Dimension scores of a prepared frame (see :func:`dimension_scores`)."""
    columns = ["year", "anchor_id", "dimension", "current", "ambition", "stretch", "n_activities_assessed",
               "n_activities_framework"]
    returns = df[["year", "anchor_id"]].drop_duplicates()
    if returns.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {"year": "int64", "anchor_id": "object", "dimension": "object", "n_activities_assessed": "int64",
             "n_activities_framework": "int64"})
    grid = returns.merge(fw.dimensions[["dimension", "order"]], how="cross")
    assessed = df[df["assessed"]]
    means = (assessed.groupby(["year", "anchor_id", "dimension"], sort=False)
             .agg(current=("current", "mean"), ambition=("ambition", "mean"),
                  n_activities_assessed=("activity", "size"))
             .reset_index())
    out = grid.merge(means, on=["year", "anchor_id", "dimension"], how="left")
    out["n_activities_assessed"] = out["n_activities_assessed"].fillna(0).astype("int64")
    out["stretch"] = out["ambition"] - out["current"]
    n_framework = fw.activities.groupby("dimension").size()
    out["n_activities_framework"] = out["dimension"].map(n_framework).astype("int64")
    out = out.sort_values(["year", "anchor_id", "order"], kind="stable", ignore_index=True)
    return out[columns]


# --- network overview ---------------------------------------------------------------------------------------

def network_overview(progression: pd.DataFrame, year: int | str, *, published_rounding: bool = False,
                     framework: Framework | None = None) -> pd.DataFrame:
    """The network's Progression Framework overview for one year: one row per framework dimension.

    ``current`` and ``ambition`` are network scores (means over the ``n_reporting`` anchors that assessed at least
    one activity of the dimension); ``stretch = ambition - current``; quartiles use linear interpolation (pandas'
    default). A dimension nobody assessed keeps its row with ``n_reporting = 0`` and NaN values.

    **The published method** (seed 003, "Progression Framework Results Overview", 2019/20, 7 anchors): each
    dimension's network score, rounded half up to one decimal place, with stretch = *rounded* ambition - *rounded*
    current (3.7-3.1=0.6, 2.7-1.7=1.0, 3.1-2.5=0.6, 3.8-2.7=1.1, 3.7-2.8=0.9). With ``published_rounding=True``
    exactly that table is returned: means are computed as exact fractions of the integer levels and rounded half up
    in decimal arithmetic, so a mean of exactly x.x5 always rounds up (no binary-float or banker's-rounding
    surprises), and the stretch is the decimal difference (0.6, not 0.6000000000000001).

    Parameters
    ----------
    progression : DataFrame
        The validated ``progression`` table (long form; see :mod:`anchor_analysis.analysis.progression`).
    year : int or str
        The financial year: ``2019`` or ``"2019/20"``.
    published_rounding : bool, default False
        Return the table as published (rounded network scores and the stretch between them).
    framework : Framework, optional
        The Progression Framework (default: the kit's).

    Returns
    -------
    DataFrame
        ``year, dimension, label, n_reporting, current, ambition, stretch`` followed by the spread of the reporting
        anchors' dimension scores, ``current_min, current_q1, current_median, current_q3, current_max`` and the same
        for ``ambition_``. With ``published_rounding=True``: ``year, dimension, label, published_label,
        n_reporting, current, ambition, stretch``.

    Raises
    ------
    NoReturnsError
        If ``year`` has no returns (the message names the years that have).
    ValueError
        If the table does not fit the framework (see :func:`dimension_scores`).

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": ["a", "b"], "dimension": "civic",
    ...                   "activity": "civic_partnerships", "current": [2, 3], "ambition": [3, 4]})
    >>> network_overview(p, 2019, published_rounding=True).set_index("dimension").loc[
    ...     "civic", ["current", "ambition", "stretch"]].tolist()
    [2.5, 3.5, 1.0]
    >>> civic = network_overview(p, "2019/20").set_index("dimension").loc["civic"]
    >>> int(civic["n_reporting"]), float(civic["current_median"]), float(civic["ambition_max"])
    (2, 2.5, 4.0)
    """
    fw = _framework(framework)
    df = _prepare(progression, fw)
    year, sub = _select_year(df, year)
    if published_rounding:
        return _published_overview(sub, year, fw)
    scores = _scores(sub, fw)
    scores = scores[scores["current"].notna()]
    by_dim = {d: g for d, g in scores.groupby("dimension", sort=False)}
    rows = []
    for dim in fw.dimensions.itertuples():
        s = by_dim.get(dim.dimension, scores.iloc[:0])
        row = {"year": year, "dimension": dim.dimension, "label": dim.label, "n_reporting": len(s)}
        stats = {}
        for col in ("current", "ambition"):
            values = s[col].to_numpy(dtype="float64")
            if len(values):
                q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])  # linear, as pandas' default
                stats[col] = (values.mean(), values.min(), q1, median, q3, values.max())
            else:
                stats[col] = (np.nan,) * 6
        row["current"], row["ambition"] = stats["current"][0], stats["ambition"][0]
        row["stretch"] = row["ambition"] - row["current"]
        for col in ("current", "ambition"):
            for name, value in zip(("min", "q1", "median", "q3", "max"), stats[col][1:], strict=True):
                row[f"{col}_{name}"] = float(value)
        rows.append(row)
    return pd.DataFrame(rows).astype({"n_reporting": "int64"})


def _published_overview(sub: pd.DataFrame, year: int, fw: Framework) -> pd.DataFrame:
    """The overview in the published style (see :func:`network_overview` with ``published_rounding=True``)."""
    assessed = sub[sub["assessed"]]
    rows = []
    for dim in fw.dimensions.itertuples():
        d = assessed[assessed["dimension"] == dim.dimension]
        row = {"year": year, "dimension": dim.dimension, "label": dim.label,
               "published_label": dim.published_label, "n_reporting": int(d["anchor_id"].nunique())}
        rounded = {}
        for col in ("current", "ambition"):
            per_anchor = [sum(map(_fraction, g), Fraction(0)) / len(g) for _, g in d.groupby("anchor_id")[col]]
            if per_anchor:
                rounded[col] = round_half_up(sum(per_anchor, Fraction(0)) / len(per_anchor), 1)
                row[col] = float(rounded[col])
            else:
                row[col] = np.nan
        row["stretch"] = float(rounded["ambition"] - rounded["current"]) if rounded else np.nan
        rows.append(row)
    return pd.DataFrame(rows).astype({"n_reporting": "int64"})


def combined_target(overview: pd.DataFrame,
                    dimensions: Sequence[str] = ("service_delivery", "civic")) -> tuple[float, float]:
    """``(current, ambition)`` for a group of dimensions: the plain mean of their overview rows.

    Seed 003 ("Priority Neighbourhoods") combines Service Delivery and Civic, "target rise from 2.75 to 3.75": the
    mean of the two *rounded* rows (2.7 and 2.8; 3.8 and 3.7), so pass the overview made with
    ``published_rounding=True`` to reproduce it. The mean is taken in decimal arithmetic (2.75, not 2.7499...).

    Parameters
    ----------
    overview : DataFrame
        A :func:`network_overview` table (``dimension, current, ambition``).
    dimensions : sequence of str, default ``("service_delivery", "civic")``
        The dimensions to combine.

    Returns
    -------
    tuple of float
        The mean current and the mean ambition level.

    Raises
    ------
    ValueError
        If no dimension is given, one is not in the overview, or one has no score (nobody assessed it).

    Examples
    --------
    >>> ov = pd.DataFrame({"dimension": ["service_delivery", "civic"], "current": [2.7, 2.8],
    ...                    "ambition": [3.8, 3.7]})
    >>> combined_target(ov)
    (2.75, 3.75)
    """
    dimensions = list(dimensions)
    if not dimensions:
        raise ValueError("combined_target needs at least one dimension")
    rows = overview.set_index("dimension")
    missing = [d for d in dimensions if d not in rows.index]
    if missing:
        raise ValueError(f"combined_target: dimension(s) {missing} are not in the overview")
    result = []
    for col in ("current", "ambition"):
        values = rows.loc[dimensions, col]
        if values.isna().any():
            empty = values[values.isna()].index.tolist()
            raise ValueError(f"combined_target: no {col} score for {empty} (no anchor assessed it)")
        total = sum((Decimal(repr(float(v))) for v in values), Decimal(0))
        result.append(float(total / len(values)))
    return result[0], result[1]
