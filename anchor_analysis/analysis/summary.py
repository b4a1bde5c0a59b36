"""The executive summary's numbers: headline figures with their change since last year, and key messages.

In: the network, the year, the commitments' progress
(:func:`~anchor_analysis.analysis.commitments.commitments_progress`) and, optionally, further headline figures
from other parts of the kit (the supplier register, impact measures) in the same columns.
Out: the headline table and three to five key messages, each chosen by a rule of
:data:`MESSAGE_RULES` and pointing to the section that has the detail.
"""

from __future__ import annotations

import math

import pandas as pd

from anchor_analysis.analysis.baseline import carbon_base_year, headline_figures
from anchor_analysis.core.errors import NoDataError
from anchor_analysis.core.years import fy_label
from anchor_analysis.publish.formatting import format_value

HEADLINE_COLUMNS = ("key", "label", "value", "unit", "display", "n_reporting", "n_members", "coverage_statement",
                    "section")
"""The columns of a headline figure; ``extra`` figures passed to :func:`headline_changes` need them too."""

MESSAGE_RULES = {
    "largest_movement": "the headline figure that moved most since last year, as a share of last year's value",
    "most_at_risk": "the commitment furthest behind its straight-line path (off track before at risk)",
    "widest_coverage_gap": "the headline figure reported by the smallest share of the members",
    "furthest_ahead": "the commitment furthest ahead of its straight-line path",
    "commitments_status": "how many commitments are on track, at risk and off track",
}
"""Each key message's rule, in the order the messages are given; the report prints them beside the messages."""


def headline_changes(network, year: int, *, imd_edition: int | None = None, carbon_base: int | None = None,
                     extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The headline figures of ``year`` beside last year's, with the change and who they cover.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.
    imd_edition : int, optional
        The IMD edition of "most deprived" (default: the place's for each year).
    carbon_base : int, optional
        The carbon reduction's base year (default: the network's first year with scope 1 and 2 returns, as the
        baseline section).
    extra : DataFrame, optional
        Further headline figures with :data:`HEADLINE_COLUMNS` and ``previous`` (last year's value, or NaN), added
        after the five: where the supplier register's and the impact measures' figures join the summary.

    Returns
    -------
    DataFrame
        :data:`HEADLINE_COLUMNS` plus ``previous``, ``previous_display``, ``change`` (a share of last year's
        value; NaN without one) and ``coverage`` (reporting / members).

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> table = headline_changes(load_network("data/raw/demo"), 2024)  # doctest: +PUBLIC_DATA
    >>> table[["display", "previous_display"]].values.tolist()[:2]  # doctest: +PUBLIC_DATA
    [['60,510', '62,300'], ['65%', '64%']]
    """
    base = carbon_base_year(network, carbon_base)
    now = headline_figures(network, year, imd_edition=imd_edition, carbon_base_year=base)
    try:
        before = headline_figures(network, year - 1, imd_edition=imd_edition, carbon_base_year=base)
        previous = before.set_index("key")["value"]
    except NoDataError:
        previous = pd.Series(dtype="float64")
    now["section"] = "baseline"
    now["previous"] = now["key"].map(previous).astype("float64")
    table = now[[*HEADLINE_COLUMNS, "previous"]]
    if extra is not None and len(extra):
        table = pd.concat([table, extra[[*HEADLINE_COLUMNS, "previous"]]], ignore_index=True)
    table = table.assign(previous_display=[format_value(v, u) if not pd.isna(v) else "" for v, u in
                                           zip(table["previous"], table["unit"], strict=True)])
    change = (table["value"] - table["previous"]) / table["previous"].abs()
    return table.assign(change=change.where(table["previous"].abs() > 0),
                        coverage=table["n_reporting"] / table["n_members"])


def key_messages(headlines: pd.DataFrame, progress: pd.DataFrame | None, year: int) -> list[dict]:
    """Three to five messages chosen from the numbers by :data:`MESSAGE_RULES`, each with the section it points to.

    Parameters
    ----------
    headlines : DataFrame
        :func:`headline_changes`.
    progress : DataFrame or None
        :func:`~anchor_analysis.analysis.commitments.commitments_progress` (None: the network has no commitments).
    year : int
        The financial year.

    Returns
    -------
    list of dict
        ``rule`` (a key of :data:`MESSAGE_RULES`), ``text`` and ``section`` (``baseline``, ``commitments`` or
        ``coverage``), in the rules' order; a rule with nothing to say gives no message.

    Examples
    --------
    >>> headlines = pd.DataFrame({"label": ["Workforce", "Spend in Leeds"], "value": [110.0, 90.0],
    ...                           "previous": [100.0, 100.0], "unit": ["people", "GBP"], "display": ["110", "£90"],
    ...                           "previous_display": ["100", "£100"], "change": [0.1, -0.1],
    ...                           "n_reporting": [10, 6], "n_members": [12, 12], "coverage": [10 / 12, 0.5],
    ...                           "coverage_statement": ["10 of 12", "6 of 12"], "section": "baseline"})
    >>> for message in key_messages(headlines, None, 2024):
    ...     print(message["rule"], "|", message["text"])
    largest_movement | Workforce rose 10% since 2023/24, to 110 in 2024/25 (from 100).
    widest_coverage_gap | The widest gap in coverage: Spend in Leeds rests on 6 of 12 members (50%).
    """
    messages = [_largest_movement(headlines, year), _most_at_risk(progress), _widest_coverage_gap(headlines),
                _furthest_ahead(progress), _commitments_status(progress)]
    return [m for m in messages if m is not None][:5]


def _largest_movement(headlines: pd.DataFrame, year: int) -> dict | None:
    """The headline figure with the largest relative change since last year."""
    moved = headlines[headlines["change"].notna()]
    if moved.empty:
        return None
    row = moved.loc[moved["change"].abs().idxmax()]
    way = "rose" if row["change"] > 0 else "fell"
    return {"rule": "largest_movement", "section": row["section"],
            "text": f"{row['label']} {way} {abs(row['change']):.0%} since {fy_label(year - 1)}, to {row['display']} "
                    f"in {fy_label(year)} (from {row['previous_display']})."}


def _measured(progress: pd.DataFrame | None) -> pd.DataFrame:
    """The commitments that have a status from their values."""
    if progress is None or progress.empty:
        return pd.DataFrame()
    return progress[progress["gap"].notna()]


def _most_at_risk(progress: pd.DataFrame | None) -> dict | None:
    """The commitment furthest behind its path, when any is behind."""
    measured = _measured(progress)
    behind = measured[measured["status"] != "on track"] if len(measured) else measured
    if behind.empty:
        return None
    row = behind.assign(order=behind["status"].map({"off track": 0, "at risk": 1})).sort_values(
        ["order", "gap"]).iloc[0]
    return {"rule": "most_at_risk", "section": "commitments",
            "text": f"{row['label']} is {row['status']}: {abs(row['gap']):.0%} of the planned change behind the "
                    f"straight line from {fy_label(row['baseline_year'])} to its target for "
                    f"{fy_label(row['target_year'])}."}


def _widest_coverage_gap(headlines: pd.DataFrame) -> dict | None:
    """The headline figure reported by the smallest share of members, when some member did not report it."""
    gaps = headlines[(headlines["coverage"] < 1) & (headlines["n_reporting"] > 0)]
    if gaps.empty:
        return None
    row = gaps.loc[gaps["coverage"].idxmin()]
    return {"rule": "widest_coverage_gap", "section": "coverage",
            "text": f"The widest gap in coverage: {row['label']} rests on {int(row['n_reporting'])} of "
                    f"{int(row['n_members'])} members ({row['coverage']:.0%})."}


def _furthest_ahead(progress: pd.DataFrame | None) -> dict | None:
    """The commitment furthest ahead of its path, when any is ahead."""
    measured = _measured(progress)
    ahead = measured[measured["gap"] > 0] if len(measured) else measured
    if ahead.empty:
        return None
    row = ahead.loc[ahead["gap"].idxmax()]
    return {"rule": "furthest_ahead", "section": "commitments",
            "text": f"{row['label']} is furthest ahead of its path: {row['gap']:.0%} of the planned change ahead of "
                    "the straight line."}


def _commitments_status(progress: pd.DataFrame | None) -> dict | None:
    """How many commitments have each status."""
    if progress is None or progress.empty:
        return None
    counts = progress["status"].value_counts()
    parts = [f"{counts[s]} {s}" for s in ("on track", "at risk", "off track", "not yet measurable") if s in counts]
    total = len(progress)
    return {"rule": "commitments_status", "section": "commitments",
            "text": f"Of the network's {total} commitment{'s' if total != 1 else ''}: {', '.join(parts)}."}


def change_display(change: float) -> str:
    """A change as the summary shows it: ``+4%``, ``-12%``, or a dash without a previous value.

    Examples
    --------
    >>> change_display(0.04), change_display(-0.123), change_display(float("nan"))
    ('+4%', '-12%', '–')
    """
    if change is None or math.isnan(change):
        return "–"
    return f"{change:+.0%}"
