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
    """Which rows of ``anchors`` were members of the network in financial year ``year``.

    Parameters
    ----------
    anchors : DataFrame
        The anchors table: ``joined_year`` (whole years) and ``left_year`` (blank while still a member).
    year : int
        The financial year, by its starting calendar year (2023 = 2023/24).

    Returns
    -------
    Series of bool
        On the index of ``anchors``: ``joined_year <= year`` and (``left_year`` blank or ``year < left_year``).

    Examples
    --------
    >>> import pandas as pd
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b"], "joined_year": [2018, 2020], "left_year": [2021, None]})
    >>> member_mask(anchors, 2019).tolist(), member_mask(anchors, 2021).tolist()
    ([True, False], [False, True])
    """
    left = pd.to_numeric(anchors["left_year"], errors="coerce")
    return (anchors["joined_year"].astype(int) <= year) & (left.isna() | (year < left))


def members(anchors: pd.DataFrame, year: int) -> list[str]:
    """The anchor ids of the members of the network in financial year ``year``.

    Parameters
    ----------
    anchors : DataFrame
        The anchors table (``anchor_id, joined_year, left_year``).
    year : int
        The financial year, by its starting calendar year.

    Returns
    -------
    list of str
        The members' anchor ids, sorted.

    See Also
    --------
    member_mask : The rule, as a mask over the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> anchors = pd.DataFrame({"anchor_id": ["b", "a"], "joined_year": [2018, 2018], "left_year": [None, None]})
    >>> members(anchors, 2018)
    ['a', 'b']
    >>> members(anchors, 2017)
    []
    """
    return sorted(anchors.loc[member_mask(anchors, year), "anchor_id"].astype(str))


def membership_table(anchors: pd.DataFrame, years: list[int] | range) -> pd.DataFrame:
    """Every membership year of every anchor, as a long table.

    Parameters
    ----------
    anchors : DataFrame
        The anchors table (``anchor_id, joined_year, left_year``).
    years : list of int or range
        The financial years to list.

    Returns
    -------
    DataFrame
        Columns ``year, anchor_id``: one row per member per year, by year then anchor id.

    Examples
    --------
    >>> import pandas as pd
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b"], "joined_year": [2018, 2020], "left_year": [2021, None]})
    >>> membership_table(anchors, range(2020, 2022)).values.tolist()
    [[2020, 'a'], [2020, 'b'], [2021, 'b']]
    """
    rows = [{"year": year, "anchor_id": a} for year in years for a in members(anchors, year)]
    return pd.DataFrame(rows, columns=["year", "anchor_id"])
