"""Round 3 of the local multiplier from the survey of local suppliers and staff, and its bootstrap interval.

Each anchor's round 3 share of a respondent type is the weighted mean ``local_share`` of its own respondents of
that type that year, else of all the network's respondents of that type, else the assumed default of
``lm3.toml`` (labelled an assumption). The interval resamples the year's respondents with replacement within
respondent type; a share that is assumed, not surveyed, spans its configured range instead.

>>> survey = pd.DataFrame({"year": 2023, "respondent_type": ["supplier", "supplier", "staff"],
...                        "local_share": [0.4, 0.2, 0.5], "weight": [1.0, 1.0, 2.0], "anchor_id": None})
>>> shares = round3_shares(survey, 2023, ["a"])
>>> shares.round(4)[["respondent_type", "local_share", "respondents"]].values.tolist()
[['supplier', 0.3, 2], ['staff', 0.5, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from anchor_analysis.analysis.lm3.assumptions import LM3Assumptions, load_lm3_assumptions
from anchor_analysis.analysis.lm3.rounds import NETWORK
from anchor_analysis.contracts.fields import RESPONDENT_TYPES

ASSUMED = "assumption"


@dataclass(frozen=True)
class _Plan:
    """Where one anchor's share of one respondent type comes from: survey rows (own, else the pool) or a default."""

    anchor_id: str
    respondent_type: str
    own: np.ndarray | None
    """Positions of the anchor's own respondents of the type (None: use the pool)."""
    pool: np.ndarray | None
    """Positions of every respondent of the type (None: no survey, the share is assumed)."""


def _year_survey(survey: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """The year's answers, in a stable order, with plain numpy-friendly columns."""
    if survey is None:
        return pd.DataFrame(columns=["respondent_type", "local_share", "weight", "anchor_id"])
    rows = survey[survey["year"] == year].copy()
    if "anchor_id" not in rows:
        rows["anchor_id"] = pd.NA
    rows = rows.sort_values(["respondent_type", "anchor_id", "local_share", "weight"], kind="stable",
                            ignore_index=True)
    return rows.astype({"local_share": float, "weight": float})


def _plans(rows: pd.DataFrame, anchor_ids: list[str]) -> list[_Plan]:
    """One plan per anchor and respondent type."""
    plans = []
    for kind in RESPONDENT_TYPES:
        of_type = rows["respondent_type"] == kind
        pool = np.flatnonzero(of_type.to_numpy()) if of_type.any() else None
        for anchor in anchor_ids:
            own = of_type & (rows["anchor_id"].astype("str") == anchor)
            plans.append(_Plan(anchor, kind, np.flatnonzero(own.to_numpy()) if own.any() else None, pool))
    return plans


def _weighted_shares(rows: pd.DataFrame, counts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The weighted mean local share of the respondents at ``positions``, once per row of ``counts``."""
    weight = rows["weight"].to_numpy()[positions] * counts[:, positions]
    spent = (weight * rows["local_share"].to_numpy()[positions]).sum(axis=1)
    total = weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, spent / np.where(total > 0, total, 1), np.nan)


def _share_draws(rows: pd.DataFrame, plans: list[_Plan], counts: np.ndarray, assumed: dict[str, float]
                 ) -> np.ndarray:
    """Shares (draws x plans): own respondents, else the pool (also when a resample drew none of its own)."""
    draws = np.empty((counts.shape[0], len(plans)))
    for column, plan in enumerate(plans):
        if plan.pool is None:
            draws[:, column] = assumed[plan.respondent_type]
            continue
        pooled = _weighted_shares(rows, counts, plan.pool)
        own = _weighted_shares(rows, counts, plan.own) if plan.own is not None else pooled
        draws[:, column] = np.where(np.isnan(own), pooled, own)
    return draws


def _source(plan: _Plan, rows: pd.DataFrame) -> tuple[int, str]:
    """(respondents, source text) of one plan."""
    if plan.pool is None:
        return 0, f"{ASSUMED}: default of lm3.toml (no survey answers of {plan.respondent_type}s)"
    if plan.own is not None:
        return len(plan.own), "survey: the anchor's own respondents"
    return len(plan.pool), "survey: the network's respondents"


def round3_shares(survey: pd.DataFrame | None, year: int, anchor_ids: list[str],
                  assumptions: LM3Assumptions | None = None) -> pd.DataFrame:
    """Each anchor's round 3 share per respondent type, and where it came from.

    Parameters
    ----------
    survey : DataFrame or None
        The ``local_spend_survey`` table (``year, respondent_type, local_share, weight``, optional ``anchor_id``),
        or None when the network has none.
    year : int
        The financial year.
    anchor_ids : list of str
        The anchors.
    assumptions : LM3Assumptions, optional
        The defaults for shares without a survey (default ``lm3.toml``).

    Returns
    -------
    DataFrame
        ``anchor_id, respondent_type, local_share, respondents, source, assumption`` (``assumption``: True where the
        share is the configured default).

    Examples
    --------
    >>> round3_shares(None, 2023, ["a"])[["respondent_type", "local_share", "assumption"]].values.tolist()
    [['supplier', 0.4, True], ['staff', 0.5, True]]
    """
    assumptions = assumptions or load_lm3_assumptions()
    rows = _year_survey(survey, year)
    plans = _plans(rows, list(anchor_ids))
    shares = _share_draws(rows, plans, np.ones((1, len(rows))), assumptions.default_local_share)[0]
    sources = [_source(plan, rows) for plan in plans]
    out = pd.DataFrame({
        "anchor_id": [p.anchor_id for p in plans], "respondent_type": [p.respondent_type for p in plans],
        "local_share": shares, "respondents": [n for n, _ in sources], "source": [s for _, s in sources],
    })
    out["assumption"] = out["source"].str.startswith(ASSUMED)
    return out.sort_values(["anchor_id", "respondent_type"], key=_type_order, ignore_index=True)


def _type_order(column: pd.Series) -> pd.Series:
    """Sort key: respondent types in their declared order, anything else as it is."""
    if column.name == "respondent_type":
        return column.map({kind: n for n, kind in enumerate(RESPONDENT_TYPES)})
    return column


def lm3_interval(inputs: pd.DataFrame, survey: pd.DataFrame | None, year: int,
                 assumptions: LM3Assumptions | None = None) -> pd.DataFrame:
    """The interval of each anchor's and the network's LM3: a bootstrap over the survey's respondents.

    The year's respondents are resampled with replacement within respondent type
    (``assumptions.bootstrap_samples`` times, seeded); rounds 1 and 2 are held fixed. A share that is assumed (no
    survey answers of its type) is set to the low end of its configured range for the interval's lower bound and to
    the high end for its upper bound, so the interval also carries the assumption's range.

    Parameters
    ----------
    inputs : DataFrame
        :func:`~anchor_analysis.analysis.lm3.rounds.lm3_inputs`; anchors without every input are left out.
    survey : DataFrame or None
        The ``local_spend_survey`` table, or None.
    year : int
        The financial year.
    assumptions : LM3Assumptions, optional
        Samples, seed, level and ranges (default ``lm3.toml``).

    Returns
    -------
    DataFrame
        ``anchor_id, lm3_low, lm3_high, interval_method``: the computable anchors, then ``network``.

    Examples
    --------
    >>> inputs = pd.DataFrame({"anchor_id": ["a"], "r1": [1000.0], "local_supplier_spend": [300.0],
    ...                        "local_pay": [200.0]})
    >>> interval = lm3_interval(inputs, None, 2023)
    >>> interval[["lm3_low", "lm3_high"]].round(3).values.tolist()
    [[1.645, 1.795], [1.645, 1.795]]
    >>> print(interval.at[0, "interval_method"])
    assumed range: supplier share 0.25-0.55, staff share 0.35-0.65 (lm3.toml)
    """
    assumptions = assumptions or load_lm3_assumptions()
    complete = inputs.dropna(subset=["r1", "local_supplier_spend", "local_pay"])
    complete = complete[complete["r1"] > 0].reset_index(drop=True)
    rows = _year_survey(survey, year)
    plans = _plans(rows, complete["anchor_id"].tolist())
    counts = _resample_counts(rows, assumptions)
    tail = (1 - assumptions.level) / 2
    low = _lm3_draws(complete, rows, plans, counts, {k: r[0] for k, r in assumptions.share_range.items()})
    high = _lm3_draws(complete, rows, plans, counts, {k: r[1] for k, r in assumptions.share_range.items()})
    return pd.DataFrame({
        "anchor_id": [*complete["anchor_id"], NETWORK],
        "lm3_low": np.quantile(low, tail, axis=0), "lm3_high": np.quantile(high, 1 - tail, axis=0),
        "interval_method": _interval_method(rows, assumptions),
    })


def _resample_counts(rows: pd.DataFrame, assumptions: LM3Assumptions) -> np.ndarray:
    """How often each respondent is drawn in each resample (draws x respondents), within respondent type."""
    rng = np.random.default_rng(assumptions.seed)
    counts = np.zeros((assumptions.bootstrap_samples, len(rows)))
    for kind in RESPONDENT_TYPES:
        positions = np.flatnonzero((rows["respondent_type"] == kind).to_numpy())
        if len(positions):
            counts[:, positions] = rng.multinomial(len(positions), np.full(len(positions), 1 / len(positions)),
                                                   size=assumptions.bootstrap_samples)
    return counts


def _lm3_draws(complete: pd.DataFrame, rows: pd.DataFrame, plans: list[_Plan], counts: np.ndarray,
               assumed: dict[str, float]) -> np.ndarray:
    """LM3 per draw (draws x (anchors + network)), rounds 1 and 2 fixed."""
    draws = _share_draws(rows, plans, counts, assumed)
    column = {(p.anchor_id, p.respondent_type): n for n, p in enumerate(plans)}
    ids = complete["anchor_id"].tolist()
    supplier_share = draws[:, [column[(a, "supplier")] for a in ids]]
    staff_share = draws[:, [column[(a, "staff")] for a in ids]]
    r1 = complete["r1"].to_numpy()
    r2 = (complete["local_supplier_spend"] + complete["local_pay"]).to_numpy()
    r3 = complete["local_supplier_spend"].to_numpy() * supplier_share + complete["local_pay"].to_numpy() * staff_share
    anchors = (r1 + r2 + r3) / r1
    network = (r1.sum() + r2.sum() + r3.sum(axis=1)) / r1.sum() if len(ids) else np.full(len(counts), np.nan)
    return np.column_stack([anchors, network])


def _interval_method(rows: pd.DataFrame, assumptions: LM3Assumptions) -> str:
    """How the interval was made, naming every assumed range."""
    surveyed = [k for k in RESPONDENT_TYPES if (rows["respondent_type"] == k).any()]
    assumed = [f"{k} share {lo:.2f}-{hi:.2f}" for k, (lo, hi) in assumptions.share_range.items() if k not in surveyed]
    parts = []
    if surveyed:
        parts.append(f"{assumptions.level:.0%} bootstrap over {len(rows)} survey respondents "
                     f"({assumptions.bootstrap_samples:,} resamples within respondent type, seed {assumptions.seed})")
    if assumed:
        parts.append(f"assumed range: {', '.join(assumed)} ({assumptions.source})")
    return "; ".join(parts)
