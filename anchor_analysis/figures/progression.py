"""Figures of the progression review, in the house style of :mod:`anchor_analysis.figures.style`.

In: the tables of :mod:`anchor_analysis.analysis.progression` (network overview, dimension scores, network
trajectory). Out: matplotlib figures, titled, sourced and readable in greyscale.

>>> import pandas as pd
>>> from anchor_analysis.figures.style import source_text
>>> overview = pd.DataFrame({"year": 2023, "dimension": ["employment", "civic"], "label": ["Employment", "Civic"],
...                          "n_reporting": [12, 0], "current": [3.2, None], "ambition": [3.9, None]})
>>> fig = dumbbell_current_ambition(overview, source="Demo network returns", synthetic=True)
>>> source_text(fig)
'Source: Demo network returns (SYNTHETIC demo data)'
>>> plt.close(fig)
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from anchor_analysis.analysis.progression.scores import round_half_up
from anchor_analysis.core.errors import NoReturnsError
from anchor_analysis.core.framework import Framework, load_framework
from anchor_analysis.core.years import fy_label
from anchor_analysis.figures.style import (
    AMBITION_COLOUR,
    CONNECTOR_COLOUR,
    CURRENT_COLOUR,
    DEFAULT_SOURCE,
    MISSING_HATCH,
    SEQUENTIAL_CMAP,
    finish_figure,
    house_style,
    series_style,
)

# --- helpers -------------------------------------------------------------------------------------------------

def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise ValueError naming the ``columns`` that ``frame`` lacks for the figure ``what``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs column(s) {missing}; got {list(frame.columns)}")


def _anchor_column(frame: pd.DataFrame) -> str:
    """The column naming anchors: ``anchor`` (display labels) when present, else ``anchor_id``."""
    return "anchor" if "anchor" in frame.columns else "anchor_id"


def _dimension_labels(fw: Framework) -> dict[str, str]:
    """Dimension key -> label, from the framework."""
    return dict(zip(fw.dimensions["dimension"], fw.dimensions["label"], strict=True))


def _level_ticks(ax: Axes, axis: str = "x", fw: Framework | None = None) -> None:
    """Ticks at levels 1 to 4 on ``axis``, labelled with the level names."""
    fw = fw or load_framework()
    labels = [f"{level}\n{name}" for level, name in sorted(fw.level_names.items())]
    if axis == "x":
        ax.set_xticks(sorted(fw.level_names), labels)
    else:
        ax.set_yticks(sorted(fw.level_names), [lab.replace("\n", " ") for lab in labels])


def _fmt1(value: float) -> str:
    """One decimal, rounded half up like the published tables (3.25 -> "3.3", not Python's "3.2")."""
    return str(round_half_up(float(value), 1))


def _years_label(years: Sequence[int]) -> str:
    """``2019/20`` for one year, ``2019/20 to 2024/25`` for several."""
    years = sorted(years)
    return fy_label(years[0]) if len(years) == 1 else f"{fy_label(years[0])} to {fy_label(years[-1])}"


# --- progression figures ----------------------------------------------------------------------------------

def dumbbell_current_ambition(overview: pd.DataFrame, *, title: str | None = None, source: str = DEFAULT_SOURCE,
                              synthetic: bool = False) -> Figure:
    """Draw, per dimension, the network's current level (dark circle) and ambition (light diamond), joined by a bar.

    Dimension labels carry ``n`` reporting; a dimension nobody assessed is labelled "not assessed" and left empty.

    Parameters
    ----------
    overview : pandas.DataFrame
        :func:`anchor_analysis.analysis.progression.network_overview` (rounded or not): ``dimension,
        n_reporting, current, ambition``, optionally ``label`` and ``year``.
    title : str, optional
        Default: "Progression Framework <year>: network current level and ambition by dimension".
    source : str, default "Progression Framework self-assessment returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When ``overview`` lacks one of the columns it needs.

    Examples
    --------
    >>> import pandas as pd
    >>> from anchor_analysis.analysis.progression import network_overview
    >>> from anchor_analysis.figures.style import figure_title
    >>> progression = pd.read_csv("data/raw/demo/progression.csv")
    >>> fig = dumbbell_current_ambition(network_overview(progression, 2023), synthetic=True)
    >>> figure_title(fig)
    'Progression Framework 2023/24: network current level and ambition by dimension'
    >>> plt.close(fig)
    """
    _require(overview, ["dimension", "n_reporting", "current", "ambition"], "dumbbell_current_ambition")
    labels = overview["label"] if "label" in overview.columns else overview["dimension"]
    year = int(overview["year"].iloc[0]) if "year" in overview.columns and len(overview) else None
    n = len(overview)
    with house_style():
        fig, ax = plt.subplots(figsize=(9, 1.0 + 0.75 * max(n, 1)), layout="constrained")
        ys = np.arange(n)[::-1]
        for y, row in zip(ys, overview.itertuples(), strict=True):
            if row.n_reporting == 0 or pd.isna(row.current):
                continue
            ax.plot([row.current, row.ambition], [y, y], color=CONNECTOR_COLOUR, linewidth=3, marker="",
                    linestyle="-", solid_capstyle="round", zorder=1)
            ax.annotate(_fmt1(row.current), (row.current, y), xytext=(-9, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=9, color=CURRENT_COLOUR)
            ax.annotate(_fmt1(row.ambition), (row.ambition, y), xytext=(9, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=9, color="#7a5400")
        ok = (overview["n_reporting"] > 0).to_numpy() & overview["current"].notna().to_numpy()
        ax.scatter(overview.loc[ok, "current"], ys[ok], s=80, marker="o", color=CURRENT_COLOUR, edgecolor="white",
                   linewidth=0.8, zorder=3, label="Current level")
        ax.scatter(overview.loc[ok, "ambition"], ys[ok], s=75, marker="D", color=AMBITION_COLOUR,
                   edgecolor="#333333", linewidth=0.8, zorder=3, label="Ambition")
        ticks = [f"{lab}\n(n={k})" if k else f"{lab}\n(not assessed)"
                 for lab, k in zip(labels, overview["n_reporting"], strict=True)]
        ax.set_yticks(ys, ticks)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0.6, 4.4)
        _level_ticks(ax, "x")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, borderaxespad=0.2)
        default = "Progression Framework: network current level and ambition by dimension"
        if year is not None:
            default = f"Progression Framework {fy_label(year)}: network current level and ambition by dimension"
        finish_figure(fig, ax, title=title or default, source=source, synthetic=synthetic,
                      xlabel="Mean of anchors' dimension scores (level 1 to 4)", ylabel="Dimension (n reporting)",
                      note="Stretch is the gap between ambition and current level.")
    return fig


def anchor_dimension_heatmap(scores: pd.DataFrame, year: int, *, value: str = "current", title: str | None = None,
                             source: str = DEFAULT_SOURCE, synthetic: bool = False,
                             framework: Framework | None = None) -> Figure:
    """Draw anchors x dimensions for one year, each cell annotated with the anchor's dimension score.

    A star marks a score based on only some of the dimension's activities; hatched cells were not assessed.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`anchor_analysis.analysis.progression.dimension_scores`, optionally with an ``anchor`` display
        column (:func:`anchor_analysis.publish.label_anchors`).
    year : int
        The financial year to draw (2023 = 2023/24).
    value : {"current", "ambition", "stretch"}, default "current"
        The score shown in each cell.
    title : str, optional
        Default: "Progression Framework <year>: each anchor's <value> by dimension".
    source : str, default "Progression Framework self-assessment returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.
    framework : Framework, optional
        Default: :func:`anchor_analysis.core.framework.load_framework`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For an unknown ``value``, or when ``scores`` lacks a column it needs.
    NoReturnsError
        When nobody returned a self-assessment in ``year``.

    Examples
    --------
    >>> import pandas as pd
    >>> from anchor_analysis.analysis.progression import dimension_scores
    >>> from anchor_analysis.figures.style import figure_title
    >>> scores = dimension_scores(pd.read_csv("data/raw/demo/progression.csv"))
    >>> fig = anchor_dimension_heatmap(scores, 2023, value="stretch")
    >>> figure_title(fig)
    "Progression Framework 2023/24: each anchor's stretch (ambition - current) by dimension"
    >>> plt.close(fig)
    """
    if value not in ("current", "ambition", "stretch"):
        raise ValueError(f"value must be 'current', 'ambition' or 'stretch', not {value!r}")
    who = _anchor_column(scores)
    _require(scores, ["year", who, "dimension", value], "anchor_dimension_heatmap")
    fw = framework or load_framework()
    sub = scores[scores["year"] == int(year)]
    if sub.empty:
        raise NoReturnsError(f"no progression returns for {fy_label(year)}: nothing to draw")
    dims = [d for d in fw.dimension_keys if d in set(sub["dimension"])]
    grid = sub.pivot(index=who, columns="dimension", values=value).reindex(columns=dims).sort_index()
    partial = pd.DataFrame(False, index=grid.index, columns=dims)
    if {"n_activities_assessed", "n_activities_framework"} <= set(sub.columns):
        flags = sub.assign(p=(sub["n_activities_assessed"] > 0)
                           & (sub["n_activities_assessed"] < sub["n_activities_framework"]))
        partial = flags.pivot(index=who, columns="dimension", values="p").reindex(
            index=grid.index, columns=dims).fillna(False).astype(bool)
    annot = np.where(grid.isna(), "", grid.map(lambda v: _fmt1(v) if pd.notna(v) else "").to_numpy()
                     + np.where(partial.to_numpy(), "*", ""))
    vmin, vmax = (0, 3) if value == "stretch" else (1, 4)
    labels = _dimension_labels(fw)
    with house_style():
        fig, ax = plt.subplots(figsize=(2.0 + 1.45 * max(len(dims), 1), 1.9 + 0.42 * max(len(grid), 1)),
                               layout="constrained")
        ax.patch.set_facecolor("#f2f2f2")
        ax.patch.set_hatch(MISSING_HATCH)
        ax.patch.set_edgecolor("#bdbdbd")
        sns.heatmap(grid.astype(float), ax=ax, cmap=SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax, annot=annot, fmt="",
                    linewidths=0.8, linecolor="white", annot_kws={"fontsize": 9},
                    cbar_kws={"label": f"{value.capitalize()} {'(levels)' if value == 'stretch' else 'level (1-4)'}",
                              "shrink": 0.8})
        ax.set_xticklabels([textwrap.fill(labels.get(d, d), 14) for d in dims], rotation=0)
        ax.set_yticklabels(grid.index.tolist(), rotation=0)
        ax.tick_params(length=0)
        what = {"current": "current level", "ambition": "ambition", "stretch": "stretch (ambition - current)"}[value]
        default = f"Progression Framework {fy_label(year)}: each anchor's {what} by dimension"
        finish_figure(fig, ax, title=title or default, source=source, synthetic=synthetic, xlabel="Dimension",
                      ylabel="Anchor",
                      note="Cell: mean of the anchor's activity levels. * not every activity of the dimension "
                           "assessed; hatched: dimension not assessed.")
    return fig


def trajectory_lines(network_trajectory: pd.DataFrame, *, title: str | None = None, source: str = DEFAULT_SOURCE,
                     synthetic: bool = False, framework: Framework | None = None) -> Figure:
    """Draw the network's mean current level (left) and ambition (right) per dimension over the years.

    Year labels carry the number of anchors reporting; each dimension has its own colour, marker and line style.

    Parameters
    ----------
    network_trajectory : pandas.DataFrame
        :func:`anchor_analysis.analysis.progression.network_trajectory` in its default (all reporters) form.
    title : str, optional
        Default: "Progression Framework <years>: network mean scores by dimension".
    source : str, default "Progression Framework self-assessment returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.
    framework : Framework, optional
        Default: :func:`anchor_analysis.core.framework.load_framework`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When a column is missing, or the trajectory is the like-for-like form (it has ``compared_with``).
    NoReturnsError
        When the trajectory is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> from anchor_analysis.analysis.progression import network_trajectory
    >>> from anchor_analysis.figures.style import figure_title
    >>> fig = trajectory_lines(network_trajectory(pd.read_csv("data/raw/demo/progression.csv")))
    >>> figure_title(fig)
    'Progression Framework 2019/20 to 2024/25: network mean scores by dimension'
    >>> plt.close(fig)
    """
    _require(network_trajectory, ["year", "dimension", "n_reporting", "current", "ambition"], "trajectory_lines")
    if "compared_with" in network_trajectory.columns:
        raise ValueError("trajectory_lines draws the all-reporters trajectory; pass network_trajectory(...) "
                         "without like_for_like")
    if network_trajectory.empty:
        raise NoReturnsError("no progression returns: nothing to draw")
    fw = framework or load_framework()
    labels = _dimension_labels(fw)
    order = {d: i for i, d in enumerate(fw.dimension_keys)}
    data = network_trajectory
    years = sorted(int(y) for y in data["year"].unique())
    n_by_year = data.groupby("year")["n_reporting"].max()
    dims = sorted(data["dimension"].unique(), key=lambda d: order.get(d, len(order)))
    with house_style():
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), sharey=True, layout="constrained")
        for ax, col, name in zip(axes, ("current", "ambition"), ("Current level", "Ambition"), strict=True):
            for i, dim in enumerate(dims):
                d = data[(data["dimension"] == dim) & data[col].notna()].sort_values("year")
                style = series_style(order.get(dim, i))
                ax.plot(d["year"], d[col], label=labels.get(dim, dim), markersize=6, **style)
            ax.set_title(name)
            ax.set_xticks(years, [f"{fy_label(y)}\nn={n_by_year.get(y, 0)}" for y in years])
            ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
            ax.set_ylim(0.8, 4.2)
        _level_ticks(axes[0], "y", fw)
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside right upper", frameon=False, title="Dimension")
        default = f"Progression Framework {_years_label(years)}: network mean scores by dimension"
        finish_figure(fig, axes, title=title or default, source=source, synthetic=synthetic,
                      xlabel="Financial year (n anchors reporting)", ylabel="Network mean level (1-4)",
                      note="Means over the anchors reporting each year; who reports changes from year to year.")
    return fig


def anchor_small_multiples(scores: pd.DataFrame, *, ncols: int = 4, title: str | None = None,
                           source: str = DEFAULT_SOURCE, synthetic: bool = False,
                           framework: Framework | None = None) -> Figure:
    """Draw one panel per anchor: each dimension's current level (solid, filled) and ambition (dotted, open) by year.

    Dimensions are told apart by colour and marker; a year an anchor skipped is a gap in the x axis, never a drawn
    value.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`anchor_analysis.analysis.progression.dimension_scores` (all the years to show), optionally with an
        ``anchor`` display column.
    ncols : int, default 4
        Panels per row (fewer when there are fewer anchors).
    title : str, optional
        Default: "Progression Framework <years>: each anchor's scores by dimension".
    source : str, default "Progression Framework self-assessment returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.
    framework : Framework, optional
        Default: :func:`anchor_analysis.core.framework.load_framework`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When ``scores`` lacks a column it needs.
    NoReturnsError
        When no anchor has a current level.

    Examples
    --------
    >>> import pandas as pd
    >>> from anchor_analysis.analysis.progression import dimension_scores
    >>> scores = dimension_scores(pd.read_csv("data/raw/demo/progression.csv"))
    >>> fig = anchor_small_multiples(scores[scores["anchor_id"].isin(["nhs_trust_a", "university_a"])])
    >>> [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    ['nhs_trust_a', 'university_a']
    >>> plt.close(fig)
    """
    who = _anchor_column(scores)
    _require(scores, ["year", who, "dimension", "current", "ambition"], "anchor_small_multiples")
    data = scores[scores["current"].notna()]
    if data.empty:
        raise NoReturnsError("no progression returns: nothing to draw")
    fw = framework or load_framework()
    labels = _dimension_labels(fw)
    order = {d: i for i, d in enumerate(fw.dimension_keys)}
    anchors = sorted(data[who].astype(str).unique())
    years = sorted(int(y) for y in data["year"].unique())
    ncols = max(1, min(ncols, len(anchors)))
    nrows = -(-len(anchors) // ncols)
    dims = sorted(data["dimension"].unique(), key=lambda d: order.get(d, len(order)))
    with house_style():
        # one anchor (the anchor profile) still gets a panel wide enough to read
        fig, axes = plt.subplots(nrows, ncols, figsize=(max(2.9 * ncols + 1.9, 8.5), max(2.3 * nrows + 1.5, 4.6)),
                                 sharex=True,
                                 sharey=True, squeeze=False, layout="constrained")
        for ax, anchor in zip(axes.flat, anchors, strict=False):
            a = data[data[who].astype(str) == anchor]
            for i, dim in enumerate(dims):
                # reindexed on every year, so a skipped year breaks the line instead of bridging it
                d = a[a["dimension"] == dim].set_index("year").reindex(years)
                style = series_style(order.get(dim, i))
                ax.plot(d.index, d["current"], color=style["color"], marker=style["marker"], linestyle="-",
                        linewidth=1.5, markersize=5)
                ax.plot(d.index, d["ambition"], color=style["color"], marker=style["marker"], linestyle=":",
                        linewidth=1.0, markersize=4.5, markerfacecolor="white", alpha=0.9)
            ax.set_title(anchor, fontsize=10)
        for ax in list(axes.flat)[len(anchors):]:
            ax.set_visible(False)
        ax0 = axes.flat[0]
        ax0.set_ylim(0.7, 4.3)
        ax0.set_yticks([1, 2, 3, 4])
        ax0.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        short = [f"{y % 100:02d}/{(y + 1) % 100:02d}" for y in years]
        ax0.set_xticks(years, short)
        for ax in axes.flat:
            ax.tick_params(axis="x", labelrotation=45 if len(years) > 3 else 0, labelbottom=True)
        handles = [Line2D([], [], color=series_style(order.get(d, i))["color"],
                          marker=series_style(order.get(d, i))["marker"], linestyle="-", label=labels.get(d, d))
                   for i, d in enumerate(dims)]
        handles += [Line2D([], [], color="#4d4d4d", marker="o", linestyle="-", label="Current (solid, filled)"),
                    Line2D([], [], color="#4d4d4d", marker="o", markerfacecolor="white", linestyle=":",
                           label="Ambition (dotted, open)")]
        # one panel (the anchor profile) is short: its legend sits lower, clear of the long title
        fig.legend(handles=handles, loc="outside right center" if len(anchors) == 1 else "outside right upper",
                   frameon=False, title="Dimension")
        default = f"Progression Framework {_years_label(years)}: each anchor's scores by dimension"
        finish_figure(fig, axes, title=title or default, source=source, synthetic=synthetic,
                      xlabel="Financial year", ylabel="Level (1-4)",
                      note="Dimension score: mean of the anchor's activity levels. Gaps: years without a return.")
    return fig
