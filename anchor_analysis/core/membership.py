"""Who was a member of the network in a financial year.

An anchor is a member in year ``y`` when ``joined_year <= y`` and (``left_year`` is blank or ``y < left_year``):
``left_year`` is the first financial year it was no longer a member.

>>> import pandas as pd
>>> anchors = pd.DataFrame({"anchor_id": ["a", "b"], "joined_year": [2018, 2020], "left_year": [2021, None]})
>>> members(anchors, 2020)
['a', 'b']
>>> members(anchors, 2021)
['b']
"""

from __future__ import annotations

import pandas as pd


def member_mask(anchors: pd.DataFrame, year: int) -> pd.Series:
    """Boolean mask over ``anchors`` rows: members in financial year ``year``."""
    left = pd.to_numeric(anchors["left_year"], errors="coerce")
    return (anchors["joined_year"].astype(int) <= year) & (left.isna() | (year < left))


def members(anchors: pd.DataFrame, year: int) -> list[str]:
    """Sorted anchor ids of the members in ``year``."""
    return sorted(anchors.loc[member_mask(anchors, year), "anchor_id"].astype(str))


def membership_table(anchors: pd.DataFrame, years: list[int] | range) -> pd.DataFrame:
    """Long table ``year, anchor_id`` of every membership year, sorted."""
    rows = [{"year": year, "anchor_id": a} for year in years for a in members(anchors, year)]
    return pd.DataFrame(rows, columns=["year", "anchor_id"])
