"""The Anchor Progression Framework as data: dimensions, activities and level names.

Source: seed 003 ("Anchor Domains to drive change"), see ``anchor_analysis/data/framework.toml``.

>>> fw = load_framework()
>>> fw.dimension_keys
['employment', 'procurement', 'environment_assets', 'service_delivery', 'civic']
>>> fw.dimension_of("local_supply_chains")
'procurement'
>>> fw.level_names[4]
'best practice'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Framework:
    """The Anchor Progression Framework: its dimensions, the activities of each, and the names of its levels.

    Load it with :func:`load_framework`; the frames are shared by every caller, so copy them before changing them.

    Parameters
    ----------
    dimensions : DataFrame
        One row per dimension, in framework order: ``dimension, label, published_label, order``.
    activities : DataFrame
        One row per activity, in framework order: ``dimension, activity, label, order``.
    level_names : dict of int to str
        Level (1 to 4) to its name (``"basic"`` to ``"best practice"``).

    Examples
    --------
    >>> fw = load_framework()
    >>> fw.activities_of("procurement")
    ['local_supply_chains', 'social_value']
    >>> fw.dimension_label("civic")
    'Corporate and civic'
    """

    dimensions: pd.DataFrame
    """One row per dimension: ``dimension, label, published_label, order``."""
    activities: pd.DataFrame
    """One row per activity: ``dimension, activity, label, order``."""
    level_names: dict[int, str]

    @property
    def dimension_keys(self) -> list[str]:
        """The dimension keys in framework order (``employment`` first).

        Examples
        --------
        >>> load_framework().dimension_keys[:2]
        ['employment', 'procurement']
        """
        return self.dimensions["dimension"].tolist()

    def activities_of(self, dimension: str) -> list[str]:
        """The activities of a dimension, in framework order.

        Parameters
        ----------
        dimension : str
            A dimension key, e.g. ``"procurement"``.

        Returns
        -------
        list of str
            Its activity keys; empty for a key that is not a dimension.

        Examples
        --------
        >>> load_framework().activities_of("procurement")
        ['local_supply_chains', 'social_value']
        """
        return self.activities.loc[self.activities["dimension"] == dimension, "activity"].tolist()

    def dimension_of(self, activity: str) -> str:
        """The dimension an activity belongs to.

        Parameters
        ----------
        activity : str
            An activity key, e.g. ``"local_supply_chains"``.

        Returns
        -------
        str
            Its dimension key.

        Raises
        ------
        KeyError
            ``activity`` is not an activity of the framework.

        Examples
        --------
        >>> fw = load_framework()
        >>> fw.dimension_of("local_supply_chains")
        'procurement'
        >>> fw.dimension_of("juggling")
        Traceback (most recent call last):
        KeyError: "'juggling' is not an activity of the Progression Framework"
        """
        match = self.activities.loc[self.activities["activity"] == activity, "dimension"]
        if match.empty:
            raise KeyError(f"{activity!r} is not an activity of the Progression Framework")
        return match.iloc[0]

    def dimension_label(self, dimension: str) -> str:
        """The label of a dimension, as the kit's tables and figures show it.

        Parameters
        ----------
        dimension : str
            A dimension key.

        Returns
        -------
        str
            Its ``label`` (the ``published_label`` column holds the wording of the original publication).

        Raises
        ------
        KeyError
            ``dimension`` is not a dimension of the framework.

        Examples
        --------
        >>> load_framework().dimension_label("environment_assets")
        'Environment and assets'
        """
        return self.dimensions.set_index("dimension").at[dimension, "label"]


@lru_cache(maxsize=1)
def load_framework() -> Framework:
    """The Progression Framework shipped with the kit (``anchor_analysis/data/framework.toml``).

    The result is cached: every call returns the same object, whose frames are shared; copy them before changing
    them.

    Returns
    -------
    Framework
        Five dimensions, their activities and the four level names.

    Examples
    --------
    >>> fw = load_framework()
    >>> fw.dimensions[["dimension", "published_label"]].values.tolist()[:2]
    [['employment', 'Employer'], ['procurement', 'Procurement']]
    >>> len(fw.activities), fw.level_names
    (13, {1: 'basic', 2: 'intermediate', 3: 'good', 4: 'best practice'})
    >>> load_framework() is fw
    True
    """
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "framework.toml").read_text("utf-8"))
    dims, acts = [], []
    for order, d in enumerate(raw["dimensions"]):
        dims.append({"dimension": d["key"], "label": d["label"], "published_label": d["published_label"],
                     "order": order})
        for a in d["activities"]:
            acts.append({"dimension": d["key"], "activity": a["key"], "label": a["label"], "order": len(acts)})
    levels = {int(level["level"]): level["name"] for level in raw["levels"]}
    return Framework(pd.DataFrame(dims), pd.DataFrame(acts), levels)
