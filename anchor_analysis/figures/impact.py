"""Figures of the impact measures: need beside effort per ward (a quadrant chart) and the local multiplier.

>>> QUADRANT_COLOURS["high need, low effort"] == OKABE_ITO["vermillion"]
True
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from anchor_analysis.core.years import fy_label
from anchor_analysis.figures.style import AMBITION_COLOUR, CURRENT_COLOUR, OKABE_ITO, finish_figure, house_style

QUADRANT_COLOURS = {"high need, low effort": OKABE_ITO["vermillion"], "high need, high effort": OKABE_ITO["blue"],
                    "low need, low effort": "#999999", "low need, high effort": OKABE_ITO["sky_blue"]}
QUADRANT_MARKERS = {"high need, low effort": "D", "high need, high effort": "o", "low need, low effort": "s",
                    "low need, high effort": "^"}
"""Marker shapes as well as colours, so the quadrants read in greyscale too."""


def need_effort_quadrant(table: pd.DataFrame, year: int, *, place_name: str, label_top: int = 5,
                         source: str = "IoD2019/IoD2025 (MHCLG); anchor staff residence and ledger returns",
                         synthetic: bool = False) -> Figure:
    """Draw each ward's need against the anchors' effort there, split into four quadrants at one half.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~anchor_analysis.analysis.geo.need.need_and_effort` (its wards are drawn; priority neighbourhoods are
        drawn as open circles).
    year : int
        The financial year.
    place_name : str
        The place, for the title.
    label_top : int, default 5
        Name the wards of high need and low effort with the largest gap (need minus effort).
    source : str
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> table = pd.DataFrame({"geography": "ward", "area": ["A", "B", "C"], "need": [0.9, 0.7, 0.2],
    ...                       "effort": [0.1, 0.8, 0.3], "quadrant": ["high need, low effort",
    ...                       "high need, high effort", "low need, low effort"]})
    >>> fig = need_effort_quadrant(table, 2023, place_name="Leeds")
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text() == "A"]
    ['A']
    >>> plt.close(fig)
    """
    wards = table[(table["geography"] == "ward") & table["effort"].notna()]
    neighbourhoods = table[(table["geography"] == "priority neighbourhood") & table["effort"].notna()]
    with house_style():
        fig, ax = plt.subplots(figsize=(8, 6.5), layout="constrained")
        ax.axhline(0.5, color="#555555", linewidth=0.8)
        ax.axvline(0.5, color="#555555", linewidth=0.8)
        for quadrant, rows in wards.groupby("quadrant", sort=True):
            ax.scatter(rows["effort"], rows["need"], s=46, color=QUADRANT_COLOURS.get(quadrant, CURRENT_COLOUR),
                       marker=QUADRANT_MARKERS.get(quadrant, "o"), edgecolor="#333333", linewidth=0.5,
                       label=f"ward: {quadrant} ({len(rows)})", zorder=3)
        if len(neighbourhoods):
            ax.scatter(neighbourhoods["effort"], neighbourhoods["need"], s=90, facecolor="none",
                       edgecolor=AMBITION_COLOUR, linewidth=1.4, label="priority neighbourhood", zorder=4)
        gaps = wards[wards["quadrant"] == "high need, low effort"].assign(gap=lambda f: f["need"] - f["effort"])
        for row in gaps.sort_values(["gap", "area"], ascending=[False, True]).head(label_top).itertuples():
            ax.annotate(row.area, (row.effort, row.need), xytext=(5, 3), textcoords="offset points", fontsize=8)
        for x, y, text in ((0.02, 0.98, "high need, low effort"), (0.98, 0.98, "high need, high effort"),
                           (0.02, 0.02, "low need, low effort"), (0.98, 0.02, "low need, high effort")):
            ax.text(x, y, text, transform=ax.transAxes, ha="left" if x < 0.5 else "right",
                    va="top" if y > 0.5 else "bottom", fontsize=8, color="#555555", style="italic")
        ax.set_xlim(-0.02, 1.04)
        ax.set_ylim(-0.02, 1.04)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        finish_figure(fig, ax, title=f"Need beside the anchors' effort, wards of {place_name}, {fy_label(year)}",
                      source=source, synthetic=synthetic,
                      xlabel="Effort: position among the wards\n(staff per 1,000 working-age residents; spend per "
                             "resident)",
                      ylabel="Need: position among the wards (IMD score)")
    return fig


def lm3_interval_bars(multiplier: pd.DataFrame, year: int, *, labels: dict[str, str] | None = None,
                      literature: tuple[float, float] = (1.7, 2.1), source: str = "Anchor returns and ledgers; "
                      "local spend survey", synthetic: bool = False) -> Figure:
    """Draw each anchor's and the network's LM3 with its interval, beside the range the literature reports.

    Parameters
    ----------
    multiplier : pandas.DataFrame
        :attr:`~anchor_analysis.analysis.lm3.LM3Result.multiplier` (``anchor_id, lm3, lm3_low, lm3_high``).
    year : int
        The financial year.
    labels : dict of str to str, optional
        Anchor display names.
    literature : tuple of float, default (1.7, 2.1)
        The literature's range, shaded.
    source : str
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> table = pd.DataFrame({"anchor_id": ["a", "network"], "lm3": [1.8, 1.75], "lm3_low": [1.7, 1.7],
    ...                       "lm3_high": [1.9, 1.8]})
    >>> fig = lm3_interval_bars(table, 2023)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]  # bottom to top: the network last, at the foot
    ['Network', 'a']
    >>> plt.close(fig)
    """
    names = {**(labels or {}), "network": "Network"}
    data = multiplier.dropna(subset=["lm3"]).iloc[::-1]
    with house_style():
        fig, ax = plt.subplots(figsize=(8, 1.4 + 0.36 * max(len(data), 1)), layout="constrained")
        ax.axvspan(*literature, color=OKABE_ITO["sky_blue"], alpha=0.18,
                   label=f"local multipliers the Health Foundation cites ({literature[0]}-{literature[1]})")
        positions = range(len(data))
        network = (data["anchor_id"] == "network").to_numpy()
        colours = [AMBITION_COLOUR if is_network else CURRENT_COLOUR for is_network in network]
        ax.errorbar(data["lm3"], list(positions), xerr=[data["lm3"] - data["lm3_low"], data["lm3_high"] - data["lm3"]],
                    fmt="none", ecolor="#333333", elinewidth=1, capsize=3, zorder=2)
        ax.scatter(data["lm3"], list(positions), color=colours, edgecolor="#333333", zorder=3, s=36)
        ax.set_yticks(list(positions), [names.get(a, a) for a in data["anchor_id"]])
        ax.set_xlim(1, 3)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8)
        ax.grid(axis="y", visible=False)
        finish_figure(fig, ax, title=f"Local Multiplier 3 (NEF) with its interval, {fy_label(year)}", source=source,
                      synthetic=synthetic, xlabel="LM3 = (R1 + R2 + R3) / R1", ylabel="")
    return fig
