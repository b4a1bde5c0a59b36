"""Domain vocabulary as data: anchor sectors and the core metrics catalogue.

Metric names containing ``{ring}`` are expanded per ring of the place, so Leeds has ``spend_leeds`` and
``spend_west_yorkshire`` while Bradford has ``spend_bradford``.

>>> defs = metric_definitions("leeds")
>>> defs.loc["spend_leeds", "unit"]
'GBP'
>>> "spend_bradford" in metric_definitions("bradford").index
True
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

import pandas as pd

from anchor_analysis.core.places import Place, load_place


@lru_cache(maxsize=1)
def _raw() -> dict:
    return tomllib.loads((resources.files("anchor_analysis") / "data" / "definitions.toml").read_text("utf-8"))


def sectors() -> dict[str, str]:
    """Sector key -> label."""
    return dict(_raw()["sectors"])


def metric_definitions(place: str | Place = "leeds") -> pd.DataFrame:
    """The metrics catalogue for a place, indexed by metric: ``label, unit, kind, part_of, ring``."""
    place = load_place(place)
    rows = []
    for name, spec in _raw()["metrics"].items():
        if "{ring}" in name:
            for ring in place.rings:
                rows.append({"metric": name.format(ring=ring.key), "label": spec["label"].format(ring_label=ring.label),
                             "unit": spec["unit"], "kind": spec["kind"], "part_of": spec.get("part_of"),
                             "ring": ring.key})
        else:
            rows.append({"metric": name, "label": spec["label"], "unit": spec["unit"], "kind": spec["kind"],
                         "part_of": spec.get("part_of"), "ring": None})
    return pd.DataFrame(rows).set_index("metric")
