"""Plausibility warnings: figures that pass every contract but that an analyst should look at before accepting.

Not errors: a return with warnings is held back until the analyst accepts it (``collect --accept-warnings``).
Each warning names the anchor, the figure, both values and the rule:

* a metric that moved by more than a factor (default 3) from the anchor's last return of it (12,400 to 1,240);
* a part above its whole: staff living in the place (or in the most deprived areas) above headcount, spend in
  the place above influenceable spend, influenceable above total spend (the catalogue's ``part_of``); and staff
  counted in the staff residence sheet above headcount;
* a framework level that fell by 2 or more since the anchor's last assessment of that activity;
* every activity given the same current level.

>>> import pandas as pd
>>> new = pd.DataFrame({"year": [2025, 2025], "anchor_id": ["a", "a"], "metric": ["headcount", "staff_in_leeds"],
...                     "value": [1240.0, 9000.0], "unit": ["people", "people"]})
>>> old = new.assign(year=2024, value=[12400.0, 9100.0])
>>> for warning in metric_warnings(new, old, "leeds"):
...     print(warning.describe())
a, headcount: 12,400 (2024/25) -> 1,240 (2025/26): moved by more than 3x since the anchor's last return
a, staff_in_leeds: 9,000 (2025/26) above headcount 1,240 (2025/26): a part cannot exceed its whole
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label

DEFAULT_FACTOR = 3.0
"""A metric moving by more than this factor from the anchor's last return is a warning."""
LEVEL_FALL = 2
"""A framework level falling by this much or more since the last assessment is a warning."""


@dataclass(frozen=True)
class Plausibility:
    """One plausibility warning about a return.

    Parameters
    ----------
    anchor_id : str
        The anchor.
    year : int
        The return's financial year.
    subject : str
        The figure: a metric, an activity, or a table.
    before : str
        The value it is compared with, with its year (e.g. ``12,400 (2024/25)``).
    after : str
        The returned value, with its year.
    rule : str
        Why it is implausible.
    relation : str, default "->"
        How ``before`` and ``after`` are shown together.

    Examples
    --------
    >>> Plausibility("a", 2025, "net_zero", "4 (2024/25)", "2 (2025/26)", "fell by 2 levels").describe()
    'a, net_zero: 4 (2024/25) -> 2 (2025/26): fell by 2 levels'
    """

    anchor_id: str
    year: int
    subject: str
    before: str
    after: str
    rule: str
    relation: str = "->"

    @property
    def key(self) -> str:
        """What identifies the warning when it is accepted: anchor, year, figure, rule and values."""
        return "|".join((self.anchor_id, str(self.year), self.subject, self.rule, self.before, self.after))

    def describe(self, name: str | None = None) -> str:
        """One line: anchor (``name`` if given), figure, both values and the rule."""
        return f"{name or self.anchor_id}, {self.subject}: {self.before} {self.relation} {self.after}: {self.rule}"


def _shown(value: float, year: int) -> str:
    """A value with thousands separators and its financial year: ``12,400 (2024/25)``."""
    number = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"
    return f"{number} ({fy_label(year)})"


def metric_warnings(new: pd.DataFrame, earlier: pd.DataFrame, place: str | Place, *,
                    factor: float = DEFAULT_FACTOR) -> list[Plausibility]:
    """The metric warnings of one return: big moves since the last return, parts above their whole.

    Parameters
    ----------
    new : DataFrame
        The return's metrics (``year, anchor_id, metric, value, unit``), one anchor and year.
    earlier : DataFrame
        The network's metrics; rows of the return's year and later are ignored.
    place : str or Place
        The place (its metric catalogue gives each metric's kind and whole).
    factor : float, default DEFAULT_FACTOR
        A value more than ``factor`` times, or less than 1/``factor`` of, the last one is a warning.

    Returns
    -------
    list of Plausibility
        In catalogue order: moves first, then parts above wholes.
    """
    if new.empty:
        return []
    definitions = metric_definitions(place)
    anchor_id, year = str(new["anchor_id"].iloc[0]), int(new["year"].iloc[0])
    values = new.set_index("metric")["value"].astype(float)
    mine = earlier[(earlier["anchor_id"] == anchor_id) & (earlier["year"] < year)]
    last = mine.sort_values("year").drop_duplicates("metric", keep="last").set_index("metric")
    warnings = []
    for metric in [m for m in definitions.index if m in values.index]:
        if definitions.at[metric, "kind"] == "flag" or metric not in last.index:
            continue
        before, after = float(last.at[metric, "value"]), float(values[metric])
        moved = before > 0 and (after > before * factor or after * factor < before)
        if moved:
            warnings.append(Plausibility(anchor_id, year, metric, _shown(before, int(last.at[metric, "year"])),
                                         _shown(after, year),
                                         f"moved by more than {factor:g}x since the anchor's last return"))
    for metric in [m for m in definitions.index if m in values.index]:
        whole = definitions.at[metric, "part_of"]
        if whole and whole in values.index and values[metric] > values[whole]:
            warnings.append(Plausibility(anchor_id, year, metric, _shown(values[metric], year),
                                         f"{whole} {_shown(values[whole], year)}",
                                         "a part cannot exceed its whole", "above"))
    return warnings


def staff_warnings(staff: pd.DataFrame | None, metrics: pd.DataFrame) -> list[Plausibility]:
    """Staff counted in the staff residence return above the headcount returned for the same year.

    Examples
    --------
    >>> staff = pd.DataFrame({"year": [2025], "anchor_id": ["a"], "lsoa_code": ["E01011264"], "count": [900]})
    >>> metrics = pd.DataFrame({"year": [2025], "anchor_id": ["a"], "metric": ["headcount"], "value": [850.0]})
    >>> print(staff_warnings(staff, metrics)[0].describe())
    a, staff_residence: 900 (2025/26) above headcount 850 (2025/26): more staff counted by residence than employed
    """
    if staff is None or staff.empty:
        return []
    anchor_id, year = str(staff["anchor_id"].iloc[0]), int(staff["year"].iloc[0])
    headcount = metrics.loc[(metrics["metric"] == "headcount") & (metrics["anchor_id"] == anchor_id)
                            & (metrics["year"] == year), "value"]
    counted = float(staff["count"].sum())
    if headcount.empty or counted <= float(headcount.iloc[0]):
        return []
    return [Plausibility(anchor_id, year, "staff_residence", _shown(counted, year),
                         f"headcount {_shown(float(headcount.iloc[0]), year)}",
                         "more staff counted by residence than employed", "above")]


def progression_warnings(new: pd.DataFrame, earlier: pd.DataFrame) -> list[Plausibility]:
    """Levels that fell by :data:`LEVEL_FALL` or more since the last assessment, and every activity scored alike.

    Parameters
    ----------
    new : DataFrame
        The return's progression rows (one anchor and year).
    earlier : DataFrame
        The network's progression rows; rows of the return's year and later are ignored.

    Returns
    -------
    list of Plausibility
        Falls in framework order, then the one "all the same" warning.

    Examples
    --------
    >>> new = pd.DataFrame({"year": [2025] * 3, "anchor_id": ["a"] * 3, "activity": ["recruitment", "net_zero",
    ...                     "social_value"], "current": [2, 2, 2], "ambition": [4, 4, 4]})
    >>> for warning in progression_warnings(new, new.assign(year=2024, current=[2, 4, 2])):
    ...     print(warning.describe())
    a, net_zero: current 4 (2024/25) -> current 2 (2025/26): fell by 2 levels since the last assessment
    a, every activity: 3 activities -> all current 2 (2025/26): every activity given the same level: ...
    """
    if new.empty:
        return []
    anchor_id, year = str(new["anchor_id"].iloc[0]), int(new["year"].iloc[0])
    mine = earlier[(earlier["anchor_id"] == anchor_id) & (earlier["year"] < year)]
    last = mine.sort_values("year").drop_duplicates("activity", keep="last").set_index("activity")
    warnings = []
    for row in new.itertuples():
        if row.activity in last.index and pd.notna(row.current) and pd.notna(last.at[row.activity, "current"]):
            before = int(last.at[row.activity, "current"])
            if before - int(row.current) >= LEVEL_FALL:
                warnings.append(Plausibility(
                    anchor_id, year, row.activity, f"current {before} ({fy_label(last.at[row.activity, 'year'])})",
                    f"current {int(row.current)} ({fy_label(year)})",
                    f"fell by {before - int(row.current)} levels since the last assessment"))
    levels = new["current"].dropna()
    if len(levels) > 1 and levels.nunique() == 1:
        warnings.append(Plausibility(anchor_id, year, "every activity", f"{len(levels)} activities",
                                     f"all current {int(levels.iloc[0])} ({fy_label(year)})",
                                     "every activity given the same level: were the levels chosen one by one?"))
    return warnings
