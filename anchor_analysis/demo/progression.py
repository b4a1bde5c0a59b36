"""The demo network's Progression Framework self-assessments, and the solve to a published overview.

In: who returned each year and where assessments centre (the targets file), and the framework. Out: one row per
anchor, year and assessed activity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.core.framework import load_framework
from anchor_analysis.demo.specs import _rng

PRIORITY_ODDS = {"service_delivery": 0.7, "civic": 0.65, "procurement": 0.55, "employment": 0.4,
                 "environment_assets": 0.2}
"""The chance an activity of a dimension is a high priority (medium: the next 25%)."""


class ProgressionMixin:
    """The self-assessment methods of :class:`~anchor_analysis.demo.network.DemoNetwork` (``seed``, ``targets``).

    See Also
    --------
    anchor_analysis.demo.network.DemoNetwork : The class that mixes these methods in.
    """

    def progression(self) -> pd.DataFrame:
        """Return the Progression Framework self-assessments of every year, solved to a published overview if any.

        Each anchor has a stable latent profile around the network's centre and a pace of progress; not every anchor
        reports every year and some activities are not assessed (the targets file). Leeds: 2019/20 is solved to the
        published table of seed 003.

        Returns
        -------
        pandas.DataFrame
            ``year, anchor_id, dimension, activity, current, ambition, priority, comment`` (levels 1 to 4).

        Examples
        --------
        >>> from anchor_analysis.analysis.progression import network_overview
        >>> import pandas as pd
        >>> from anchor_analysis.demo import DemoGeography, DemoNetwork
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> overview = network_overview(network.progression(), 2019, published_rounding=True)
        >>> overview[["dimension", "current", "ambition"]].head(2).to_dict("records")
        [{'dimension': 'employment', 'current': 3.1, 'ambition': 3.7}, \
{'dimension': 'procurement', 'current': 1.7, 'ambition': 2.7}]
        """
        acts = load_framework().activities
        centre, first = self.targets.progression_centre, self.targets.first_year
        rows = []
        for year in self.targets.years:
            for anchor_id in self.targets.progression_reporters.get(year, ()):
                rng = _rng(self.seed, "pf", anchor_id)  # an anchor's latent profile is stable across years
                for act in acts.itertuples():
                    if (anchor_id, act.activity) in self.targets.unassessed:
                        rng.normal(size=3)
                        continue
                    cur0, amb0 = centre[act.dimension]
                    latent_cur = cur0 + rng.normal(0, 0.6)
                    latent_amb = amb0 + rng.normal(0, 0.4)
                    pace = rng.uniform(0.05, 0.25)
                    progress = pace * (year - first)
                    current = int(np.clip(round(latent_cur + progress), 1, 4))
                    ambition = int(np.clip(round(max(latent_amb + progress / 2, current)), current, 4))
                    rows.append({"year": year, "anchor_id": anchor_id, "dimension": act.dimension,
                                 "activity": act.activity, "current": current, "ambition": ambition})
        df = pd.DataFrame(rows)
        if self.targets.target("progression_overview") is not None:
            df = self._solve_overview(df, self.targets.target("progression_overview"))
        df["priority"] = df.apply(self._priority, axis=1)
        df["comment"] = ""
        return df

    def _priority(self, row) -> str:
        """An activity's priority (high, medium or low), drawn with odds set by its dimension."""
        weight = PRIORITY_ODDS[row.dimension]
        draw = _rng(self.seed, "priority", row.anchor_id, row.year, row.activity).uniform()
        return "high" if draw < weight else ("medium" if draw < weight + 0.25 else "low")

    @staticmethod
    def _network_means(df: pd.DataFrame) -> pd.DataFrame:
        """Network mean current level and ambition per dimension (the mean of anchors' dimension means)."""
        dim = df.groupby(["anchor_id", "dimension"])[["current", "ambition"]].mean()
        return dim.groupby("dimension").mean()

    def _worst_miss(self, means: pd.DataFrame, target: dict) -> tuple | None:
        """The (dimension, column, error) furthest outside its tolerance, or None when every mean is within it."""
        solve_at = {tuple(key.split(".")): value for key, value in target.get("solve_at", {}).items()}
        worst, worst_excess = None, 0.0
        for dimension in self.targets.progression_centre:
            if dimension not in target:
                continue
            for col, published in zip(("current", "ambition"), target[dimension], strict=True):
                aim = solve_at.get((dimension, col), published)
                tolerance = target["solve_at_tolerance"] if (dimension, col) in solve_at else target["tolerance"]
                err = means.at[dimension, col] - aim
                if abs(err) - tolerance > worst_excess:
                    worst, worst_excess = (dimension, col, err), abs(err) - tolerance
        return worst

    def _solve_overview(self, df: pd.DataFrame, target: dict) -> pd.DataFrame:
        """Greedy one-step moves until the target year's network means sit within tolerance of the published table."""
        y = df["year"] == target["year"]
        sub = df[y].copy()
        for _ in range(500):
            worst = self._worst_miss(self._network_means(sub), target)
            if worst is None:
                break
            dimension, col, err = worst
            step = -1 if err > 0 else 1
            cand = sub[(sub["dimension"] == dimension)]
            if col == "current":
                ok = (cand["current"] + step).between(1, 4) & ((cand["current"] + step) <= cand["ambition"])
            else:
                ok = (cand["ambition"] + step).between(1, 4) & ((cand["ambition"] + step) >= cand["current"])
            cand = cand[ok]
            if cand.empty:
                raise RuntimeError(f"cannot move {dimension} {col} toward the published value")
            # the row whose move leaves the others least disturbed: deterministic, first by position
            idx = cand.index[0] if step > 0 else cand.index[-1]
            sub.loc[idx, col] += step
        else:  # pragma: no cover - would mean the targets are unreachable
            raise RuntimeError(f"the {target['year']} progression overview did not converge")
        df.loc[y, ["current", "ambition"]] = sub[["current", "ambition"]]
        return df
