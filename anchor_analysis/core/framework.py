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
    dimensions: pd.DataFrame
    """One row per dimension: ``dimension, label, published_label, order``."""
    activities: pd.DataFrame
    """One row per activity: ``dimension, activity, label, order``."""
    level_names: dict[int, str]

    @property
    def dimension_keys(self) -> list[str]:
        return self.dimensions["dimension"].tolist()

    def activities_of(self, dimension: str) -> list[str]:
        return self.activities.loc[self.activities["dimension"] == dimension, "activity"].tolist()

    def dimension_of(self, activity: str) -> str:
        match = self.activities.loc[self.activities["activity"] == activity, "dimension"]
        if match.empty:
            raise KeyError(f"{activity!r} is not an activity of the Progression Framework")
        return match.iloc[0]

    def dimension_label(self, dimension: str) -> str:
        return self.dimensions.set_index("dimension").at[dimension, "label"]


@lru_cache(maxsize=1)
def load_framework() -> Framework:
    """The framework shipped with the kit (cached; the frames are shared, copy before changing them)."""
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "framework.toml").read_text("utf-8"))
    dims, acts = [], []
    for order, d in enumerate(raw["dimensions"]):
        dims.append({"dimension": d["key"], "label": d["label"], "published_label": d["published_label"],
                     "order": order})
        for a in d["activities"]:
            acts.append({"dimension": d["key"], "activity": a["key"], "label": a["label"], "order": len(acts)})
    levels = {int(level["level"]): level["name"] for level in raw["levels"]}
    return Framework(pd.DataFrame(dims), pd.DataFrame(acts), levels)
