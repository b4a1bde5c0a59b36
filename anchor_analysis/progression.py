"""Progression Framework analysis: dimension scores, the network overview, trajectories, benchmarking, priorities.

Every function takes the validated ``progression`` table (long form: ``year, anchor_id, dimension, activity,
current, ambition, priority, comment``) and returns a new DataFrame; nothing is cached or kept between calls.
Levels may arrive as ``int64``, ``float64`` or nullable ``Int64`` columns; a row with no ``current`` or no
``ambition`` level counts as *not assessed* (it is never filled in).

Definitions (design.md section 2):

* **dimension score**: the mean of one anchor's activity levels in a dimension, for *current* and *ambition*
  separately; *stretch* = ambition - current. An anchor that assessed only some of a dimension's activities still
  gets a score, shown with ``n_activities_assessed`` of ``n_activities_framework``.
* **network score**: the mean of the dimension scores of the anchors that reported that year (every anchor weighs
  the same, whatever its number of activities), always shown with ``n_reporting``.

>>> import pandas as pd
>>> progression = pd.DataFrame({
...     "year": 2023, "anchor_id": ["a", "a", "b"], "dimension": "procurement",
...     "activity": ["local_supply_chains", "social_value", "local_supply_chains"],
...     "current": [2, 3, 1], "ambition": [3, 4, 3]})
>>> row = network_overview(progression, 2023).set_index("dimension").loc["procurement"]
>>> print(row["n_reporting"], row["current"], row["ambition"], row["stretch"])
2 1.75 3.25 1.5
>>> network_overview(progression, 2021)
Traceback (most recent call last):
...
anchor_analysis.progression.NoReturnsError: no progression returns for 2021/22 (returns exist for 2023/24)
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from .config import fy_label, parse_fy
from .framework import Framework, load_framework

REQUIRED_COLUMNS = ("year", "anchor_id", "dimension", "activity", "current", "ambition")
PRIORITY_LEVELS = ("high", "medium", "low")

POSITION_LABELS = (
    "above upper quartile",
    "above median",
    "at median",
    "below median",
    "below lower quartile",
)
"""Benchmark positions, best first (see :func:`position_label`)."""

_TOL = 1e-9  # float noise allowed when comparing means that are equal as fractions (e.g. 26/7 computed two ways)


class NoReturnsError(ValueError):
    """Raised when a year has no progression returns at all, instead of returning an empty table or chart."""


# --- input preparation --------------------------------------------------------------------------------------

def _framework(framework: Framework | None) -> Framework:
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
    return dict(zip(framework.dimensions["dimension"], framework.dimensions["order"], strict=True))


def _activity_order(framework: Framework) -> dict[str, int]:
    return dict(zip(framework.activities["activity"], framework.activities["order"], strict=True))


def _select_year(df: pd.DataFrame, year: int | str) -> tuple[int, pd.DataFrame]:
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

    >>> round_half_up(2.75), round_half_up(2.65), round_half_up(Fraction(37, 14))
    (Decimal('2.8'), Decimal('2.7'), Decimal('2.6'))
    >>> round(2.65, 1)  # what the built-in would publish
    2.6
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
    return Fraction(repr(float(level)))


# --- dimension scores -------------------------------------------------------------------------------------

def dimension_scores(progression: pd.DataFrame, *, until: int | str | None = None,
                     framework: Framework | None = None) -> pd.DataFrame:
    """Each anchor's dimension scores, per year.

    One row per (year, anchor, framework dimension) for every anchor with a return that year. Columns:
    ``year, anchor_id, dimension, current, ambition, stretch, n_activities_assessed, n_activities_framework``.
    ``current`` and ``ambition`` are means of the assessed activity levels; ``stretch = ambition - current``. A
    dimension the anchor did not assess at all has ``n_activities_assessed = 0`` and NaN scores (never zero).
    Sorted by year, anchor_id and framework order. ``until`` drops returns after that year (e.g. the report year).

    >>> import pandas as pd
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

    Columns: ``year, dimension, label, n_reporting, current, ambition, stretch`` followed by the spread of the
    reporting anchors' dimension scores, ``current_min, current_q1, current_median, current_q3, current_max`` and
    the same for ``ambition_``. ``current`` and ``ambition`` are network scores (means over the ``n_reporting``
    anchors that assessed at least one activity of the dimension); ``stretch = ambition - current``; quartiles
    use linear interpolation (pandas' default). A dimension nobody assessed keeps its row with
    ``n_reporting = 0`` and NaN values. A year with no returns raises :class:`NoReturnsError`.

    **The published method** (seed 003, "Progression Framework Results Overview", 2019/20, 7 anchors): each
    dimension's network score, rounded half up to one decimal place, with stretch = *rounded* ambition -
    *rounded* current (3.7-3.1=0.6, 2.7-1.7=1.0, 3.1-2.5=0.6, 3.8-2.7=1.1, 3.7-2.8=0.9). With
    ``published_rounding=True`` exactly that table is returned, columns ``year, dimension, label,
    published_label, n_reporting, current, ambition, stretch``: means are computed as exact fractions of the
    integer levels and rounded half up in decimal arithmetic, so a mean of exactly x.x5 always rounds up (no
    binary-float or banker's-rounding surprises), and the stretch is the decimal difference (0.6, not
    0.6000000000000001).

    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": ["a", "b"], "dimension": "civic",
    ...                   "activity": "civic_partnerships", "current": [2, 3], "ambition": [3, 4]})
    >>> network_overview(p, 2019, published_rounding=True).set_index("dimension").loc[
    ...     "civic", ["current", "ambition", "stretch"]].tolist()
    [2.5, 3.5, 1.0]
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

    Seed 003 ("Priority Neighbourhoods") combines Service Delivery and Civic, "target rise from 2.75 to 3.75":
    the mean of the two *rounded* rows (2.7 and 2.8; 3.8 and 3.7), so pass the overview made with
    ``published_rounding=True`` to reproduce it. The mean is taken in decimal arithmetic (2.75, not 2.7499...).

    >>> import pandas as pd
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


# --- trajectories ------------------------------------------------------------------------------------------

def trajectories(progression: pd.DataFrame, *, until: int | str | None = None,
                 framework: Framework | None = None) -> pd.DataFrame:
    """Each anchor's dimension scores over time, compared with its own earlier returns.

    One row per (anchor, dimension, year) the anchor assessed. Columns: ``anchor_id, dimension, year, current,
    ambition, stretch, compared_with, gap_years, current_change, ambition_change, first_year,
    current_change_since_first, ambition_change_since_first``.

    ``compared_with`` is the anchor's last *earlier* return for that dimension (not necessarily the year before);
    ``gap_years`` counts the financial years skipped in between (0 for consecutive returns), so a change over a
    gap is flagged, never interpolated. On an anchor's first return ``compared_with``, ``gap_years`` and the
    changes are blank. ``until`` drops returns after that year (e.g. the report year).

    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2019, 2021], "anchor_id": "a", "dimension": "civic",
    ...                   "activity": "corporate_ownership", "current": [2, 3], "ambition": [3, 4]})
    >>> t = trajectories(p).iloc[-1]
    >>> int(t["compared_with"]), int(t["gap_years"]), float(t["current_change"])
    (2019, 1, 1.0)
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
    """Network scores per dimension and year.

    Default: one row per (year with returns, dimension) with ``year, dimension, label, n_reporting, current,
    ambition, stretch``: network means over whoever reported that year (the membership changes, so a change in
    these means mixes progress with who reported).

    ``like_for_like=True``: the change over anchors that reported in *both* years. Each year with returns is
    compared with the previous year with returns (or with ``base_year`` when given, e.g. 2019 for "since the
    baseline"). Columns: ``year, compared_with, dimension, label, n_reporting`` (anchors assessing the dimension
    in both years) ``, current, ambition, compared_current, compared_ambition, current_change, ambition_change``
    (means over those anchors only). ``until`` drops returns after that year.

    >>> import pandas as pd
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


# --- anchor names and codes -----------------------------------------------------------------------------------

def anonymous_code(index: int) -> str:
    """The ``index``-th anonymous code: 0 -> ``"Anchor A"``, 25 -> ``"Anchor Z"``, 26 -> ``"Anchor AA"``.

    >>> [anonymous_code(i) for i in (0, 1, 25, 26, 27)]
    ['Anchor A', 'Anchor B', 'Anchor Z', 'Anchor AA', 'Anchor AB']
    """
    letters = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = string.ascii_uppercase[r] + letters
    return f"Anchor {letters}"


def anchor_labels(anchor_ids: Iterable[str], anchors: pd.DataFrame | None = None, *,
                  anonymise: bool = False) -> dict[str, str]:
    """Display label per anchor id: its name from ``anchors``, its id without a table, or an anonymous code.

    Anonymous codes follow sorted anchor_id over every anchor in ``anchors`` plus ``anchor_ids``, so one anchor
    gets the same code in every table of a run as long as the same anchors table is passed (the notebooks pass
    the network's full anchors table every time).

    >>> anchor_labels(["b", "a"], anonymise=True)
    {'a': 'Anchor A', 'b': 'Anchor B'}
    """
    ids = {str(a) for a in anchor_ids}
    if anchors is not None:
        ids |= set(anchors["anchor_id"].astype(str))
    universe = sorted(ids)
    if anonymise:
        return {a: anonymous_code(i) for i, a in enumerate(universe)}
    if anchors is None:
        return {a: a for a in universe}
    names = dict(zip(anchors["anchor_id"].astype(str), anchors["name"].astype(str), strict=True))
    unknown = sorted(ids - set(names))
    if unknown:
        raise ValueError(f"anchor id(s) {unknown} are not in the anchors table")
    return names


def label_anchors(frame: pd.DataFrame, anchors: pd.DataFrame | None = None, *,
                  anonymise: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with an ``anchor`` display column after ``anchor_id`` (dropped when anonymised).

    >>> import pandas as pd
    >>> label_anchors(pd.DataFrame({"anchor_id": ["b", "a"], "x": [1, 2]}), anonymise=True).columns.tolist()
    ['anchor', 'x']
    """
    labels = anchor_labels(frame["anchor_id"], anchors, anonymise=anonymise)
    out = frame.copy()
    out.insert(out.columns.get_loc("anchor_id") + 1, "anchor", out["anchor_id"].astype(str).map(labels))
    if anonymise:
        out = out.drop(columns="anchor_id")
    return out


ANCHOR_LIST_COLUMNS = ("reporting", "not_reporting", "imputed", "excluded", "anchors")
"""Columns of the kit's tables that list anchor ids as text (``"nhs_trust_a, university_b"``) or as a list."""


def publishable_table(frame: pd.DataFrame, anchors: pd.DataFrame, *, anonymise: bool = False) -> pd.DataFrame:
    """``frame`` as a run may publish it: unchanged unless ``anonymise``; anonymised, the ``anchor_id`` column
    becomes an ``anchor`` code column (:func:`label_anchors`) and every id in the columns that list anchors
    (:data:`ANCHOR_LIST_COLUMNS`) becomes its code, with the codes of every other table of the run.

    >>> import pandas as pd
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> t = pd.DataFrame({"metric": ["headcount"], "not_reporting": ["b"]})
    >>> publishable_table(t, anchors, anonymise=True)["not_reporting"].tolist()
    ['Anchor B']
    """
    if not anonymise:
        return frame
    labels = anchor_labels(anchors["anchor_id"], anchors, anonymise=True)

    def relabel(value: object) -> object:
        if isinstance(value, list | tuple):
            return [labels.get(str(v), v) for v in value]
        if isinstance(value, str) and value:
            return ", ".join(labels.get(part, part) for part in value.split(", "))
        return value

    out = frame.copy()
    for column in ANCHOR_LIST_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(relabel)
    if "anchor_id" in out.columns:
        out = label_anchors(out, anchors, anonymise=True)
    return out


# --- benchmarking ------------------------------------------------------------------------------------------

def position_label(score: float, q1: float, median: float, q3: float) -> str:
    """Where a score sits in the network's distribution.

    ``> q3`` "above upper quartile"; ``> median`` "above median"; ``== median`` "at median"; ``>= q1``
    "below median"; ``< q1`` "below lower quartile" (comparisons allow 1e-9 of float noise).

    >>> position_label(3.5, 2.0, 2.5, 3.0), position_label(2.5, 2.0, 2.5, 3.0), position_label(1.5, 2.0, 2.5, 3.0)
    ('above upper quartile', 'at median', 'below lower quartile')
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

    ``by="dimension"`` compares dimension scores, ``by="activity"`` activity levels. Columns: ``year, anchor_id,
    anchor`` (name from ``anchors``, else the id; with ``anonymise=True`` only ``anchor``, holding codes
    "Anchor A", "Anchor B", ... in sorted anchor_id order, see :func:`anchor_labels`) ``, dimension,
    [activity,] label, current, ambition, stretch, n_reporting, network_q1, network_median, network_q3,
    position, ambition_network_median``. Quartiles are of the current scores of the ``n_reporting`` anchors that
    assessed the dimension (activity), linear interpolation; ``position`` is :func:`position_label` of the
    current score. Rows: framework order, then anchor.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": 2023, "anchor_id": ["x", "y", "z"], "dimension": "civic",
    ...                   "activity": "civic_partnerships", "current": [1, 2, 4], "ambition": 4})
    >>> benchmark(p, 2023, anonymise=True).query("dimension == 'civic'")[["anchor", "position"]].values.tolist()
    [['Anchor A', 'below lower quartile'], ['Anchor B', 'at median'], ['Anchor C', 'above upper quartile']]
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

    >>> import pandas as pd
    >>> b = pd.DataFrame({"anchor": ["A", "A"], "label": ["Civic", "Employment"],
    ...                   "position": ["at median", "above median"]})
    >>> position_table(b).loc["A"].tolist()
    ['at median', 'above median']
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

    Columns: ``year, dimension, [activity,] label, n_reporting, current, ambition, stretch, n_priority_stated,
    n_high, high_priority_share, stretch_rank, priority_rank``.

    * ``current, ambition, stretch``: network means over the ``n_reporting`` anchors that assessed it.
    * by activity: ``high_priority_share = n_high / n_priority_stated``, the share of the anchors that gave the
      activity a priority who said "high".
    * by dimension: ``n_high`` anchors flagged at least one of its activities high; ``high_priority_share`` is
      the mean over the ``n_priority_stated`` anchors of the share of their activities in it flagged high (every
      anchor weighs the same, as in network scores; with one activity it is the share of anchors).
    * ranks: 1 = largest; ties share the best rank and the next rank is skipped (1, 1, 3), comparing values
      rounded to 9 decimals so float noise never splits a tie; rows with no value have no rank.

    Every framework dimension (activity) appears; rows are sorted by stretch rank, then priority rank, then
    framework order (so ties keep a stable, documented order).

    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": ["a", "b"], "dimension": "civic",
    ...                   "activity": "civic_partnerships", "current": 2, "ambition": 4,
    ...                   "priority": ["high", "low"]})
    >>> r = priorities(p, 2019, by="activity").set_index("activity").loc["civic_partnerships"]
    >>> print(r["n_high"], r["n_priority_stated"], r["high_priority_share"], r["stretch_rank"])
    1 2 0.5 1
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
    ``high_priority_share`` (see :func:`priorities`) are both at or above the ``quantile`` (default 0.75: the
    upper quartile, linear interpolation) of that measure across the dimensions; ties at the cut-off are in.
    On the 2019/20 returns behind seed 003 this gives Service delivery and Corporate and civic, the pair the
    network published as "combine high ambition and high priority".

    Returns the selected rows of :func:`priorities` in framework order, plus ``ambition_cutoff`` and
    ``priority_cutoff``.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": "a", "dimension": ["civic", "procurement"],
    ...                   "activity": ["civic_partnerships", "social_value"], "current": 2, "ambition": [4, 3],
    ...                   "priority": ["high", "low"]})
    >>> high_ambition_high_priority(p, 2019)["dimension"].tolist()
    ['civic']
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


# --- narrative ---------------------------------------------------------------------------------------------

def describe_year(progression: pd.DataFrame, year: int | str, *, framework: Framework | None = None) -> str:
    """A few plain sentences (Markdown) summarising one year's overview, for the report narrative.

    >>> import pandas as pd
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
        return str(round_half_up(v, 1))

    def extreme(col: str, largest: bool) -> str:
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

    >>> import pandas as pd
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
        text = str(round_half_up(v, 2))
        return text if text.startswith("-") else f"+{text}"

    changes = ", ".join(f"{r.label} {signed(r.current_change)}" for r in rows.itertuples())
    return (f"Like for like, over the {n} anchor{'s' if n != 1 else ''} that returned in both {fy_label(before)} "
            f"and {fy_label(year)}{gap}, the mean current level changed by: {changes}.")


def describe_focus(progression: pd.DataFrame, year: int | str, *, quantile: float = 0.75,
                   framework: Framework | None = None) -> str:
    """One sentence (Markdown) naming the high-ambition, high-priority dimensions and their combined target.

    The combined target is :func:`combined_target` of the published-style rows of those dimensions (seed 003:
    service delivery and civic, "target rise from 2.75 to 3.75").

    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": 2019, "anchor_id": "a", "dimension": ["civic", "procurement"],
    ...                   "activity": ["civic_partnerships", "social_value"], "current": 2, "ambition": [4, 3],
    ...                   "priority": ["high", "low"]})
    >>> print(describe_focus(p, 2019))  # doctest: +NORMALIZE_WHITESPACE
    High ambition and high priority in 2019/20: **Corporate and civic**, from a current level of 2.00 to an
    ambition of 4.00.
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
