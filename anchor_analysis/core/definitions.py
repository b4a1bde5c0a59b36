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
    """The parsed ``definitions.toml`` shipped with the kit (read once)."""
    return tomllib.loads((resources.files("anchor_analysis") / "data" / "definitions.toml").read_text("utf-8"))


def sectors() -> dict[str, str]:
    """The sectors an anchor may belong to.

    Returns
    -------
    dict of str to str
        Sector key (as written in the ``sector`` column of the anchors table) to its label, in the order of
        ``anchor_analysis/data/definitions.toml``.

    See Also
    --------
    metric_definitions : The other half of the domain vocabulary.

    Examples
    --------
    >>> sectors()["nhs"]
    'NHS body'
    >>> list(sectors())[:3]
    ['nhs', 'university', 'fe_college']
    """
    return dict(_raw()["sectors"])


def metric_definitions(place: str | Place = "leeds") -> pd.DataFrame:
    """The core metrics catalogue for a place.

    Metric names containing ``{ring}`` are expanded once per ring of the place (``spend_leeds`` and
    ``spend_west_yorkshire`` for Leeds), their labels naming the ring.

    Parameters
    ----------
    place : str or Place, default "leeds"
        A shipped place name, a place TOML file path or a loaded :class:`~anchor_analysis.core.places.Place`.

    Returns
    -------
    DataFrame
        One row per metric, indexed by ``metric``, with columns ``label, unit, kind, part_of, ring``. ``unit`` is
        the only unit a metrics return may give for the metric; ``kind`` is count, money, emissions, area or flag;
        ``part_of`` names the metric it is a part of (None when it is part of none); ``ring`` is the ring key of an
        expanded metric (None for the others).

    Raises
    ------
    ConfigError
        The place cannot be loaded.

    Examples
    --------
    >>> defs = metric_definitions("leeds")
    >>> defs.loc["spend_west_yorkshire", ["unit", "kind", "part_of", "ring"]].tolist()
    ['GBP', 'money', 'influenceable_spend', 'west_yorkshire']
    >>> defs.loc["staff_in_leeds", "label"]
    'Staff living in Leeds'
    >>> [m for m in metric_definitions("bradford").index if m.startswith("spend_")]
    ['spend_bradford', 'spend_west_yorkshire', 'spend_most_deprived', 'spend_sme']
    """
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
