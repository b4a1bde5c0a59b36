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
anchor_analysis.core.errors.NoReturnsError: no progression returns for 2021/22 (returns exist for 2023/24)
"""

from __future__ import annotations

from anchor_analysis.analysis.progression.benchmarks import (
    benchmark,
    high_ambition_high_priority,
    position_label,
    position_table,
    priorities,
)
from anchor_analysis.analysis.progression.history import (
    network_trajectory,
    trajectories,
)
from anchor_analysis.analysis.progression.narrative import (
    describe_change,
    describe_focus,
    describe_year,
)
from anchor_analysis.analysis.progression.scores import (
    POSITION_LABELS,
    PRIORITY_LEVELS,
    REQUIRED_COLUMNS,
    combined_target,
    dimension_scores,
    network_overview,
    round_half_up,
)

__all__ = [
    "POSITION_LABELS",
    "PRIORITY_LEVELS",
    "REQUIRED_COLUMNS",
    "combined_target",
    "dimension_scores",
    "network_overview",
    "round_half_up",
    "network_trajectory",
    "trajectories",
    "benchmark",
    "high_ambition_high_priority",
    "position_label",
    "position_table",
    "priorities",
    "describe_change",
    "describe_focus",
    "describe_year",
]
