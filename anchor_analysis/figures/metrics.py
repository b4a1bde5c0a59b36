"""Figures of the baseline (core metrics) section, in the house style of :mod:`anchor_analysis.figures.style`.

Every figure is titled, axis-labelled, sourced (tagged SYNTHETIC when the data are) and readable in greyscale:
bars and lines carry hatches, markers and line styles as well as colour.

>>> import pandas as pd
>>> grid = pd.DataFrame({"headcount": [True, True], "spend_leeds": [True, False]}, index=["a", "b"])
>>> fig = coverage_grid(grid, 2023, source="Demo returns", synthetic=True)
>>> from anchor_analysis.figures.style import figure_title
>>> figure_title(fig)
'Who reported what, 2023/24'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from anchor_analysis.core.years import fy_label
from anchor_analysis.figures.style import (
    AMBITION_COLOUR,
    CONNECTOR_COLOUR,
    CURRENT_COLOUR,
    MISSING_HATCH,
    OKABE_ITO,
    finish_figure,
    house_style,
)
from anchor_analysis.publish.formatting import format_value

# innermost ring darkest; the unknown band light grey and cross-hatched, so the order reads in greyscale too
RING_COLOURS = [OKABE_ITO["blue"], OKABE_ITO["sky_blue"], OKABE_ITO["orange"], "#bbbbbb"]
RING_HATCHES = ["", "..", "//", "xx"]


def headline_panel(headline: pd.DataFrame, year: int, *, network_name: str = "The network",
                   source: str = "Anchor core metrics returns", synthetic: bool = False) -> Figure:
    """The five numbers a funder quotes, each with its coverage, as a row of tiles.

    ``headline`` is :func:`anchor_analysis.analysis.metrics.headline` (columns ``label, value, unit,
    coverage_statement``).
    """
    n = len(headline)
    with house_style():
        fig, axes = plt.subplots(1, n, figsize=(2.3 * n, 2.6), layout="constrained")
        for ax, row in zip(np.atleast_1d(axes), headline.itertuples(), strict=True):
            ax.set_axis_off()
            ax.add_patch(plt.Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="#f2f2f2",
                                       edgecolor="#bbbbbb", linewidth=0.8))
            ax.text(0.5, 0.68, format_value(row.value, row.unit), ha="center", va="center", fontsize=17,
                    fontweight="bold", color=CURRENT_COLOUR, transform=ax.transAxes)
            ax.text(0.5, 0.38, _wrap(row.label, 22), ha="center", va="center", fontsize=8.5, transform=ax.transAxes)
            ax.text(0.5, 0.1, _wrap(row.coverage_statement, 26), ha="center", va="center", fontsize=7.5,
                    color="#444444", transform=ax.transAxes)
        finish_figure(fig, list(np.atleast_1d(axes)), title=f"{network_name}: headline figures {fy_label(year)}",
                      source=source, synthetic=synthetic,
                      note="Totals are of the anchors that reported; a missing return is never counted as zero.")
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width))


def coverage_grid(grid: pd.DataFrame, year: int, *, labels: dict[str, str] | None = None,
                  source: str = "Anchor core metrics returns", synthetic: bool = False) -> Figure:
    """Anchors (rows) x metrics (columns): a filled cell where the anchor reported the metric that year.

    ``grid`` is :func:`anchor_analysis.analysis.metrics.members_reporting`; ``labels`` renames anchors (e.g.
    anonymised).
    """
    rows = [labels.get(a, a) if labels else a for a in grid.index]
    with house_style():
        fig, ax = plt.subplots(figsize=(max(6.5, 0.45 * grid.shape[1] + 3), 1.2 + 0.32 * len(rows)),
                               layout="constrained")
        values = grid.to_numpy(dtype=float)
        ax.imshow(values, cmap=plt.matplotlib.colors.ListedColormap(["white", CURRENT_COLOUR]), vmin=0, vmax=1,
                  aspect="auto")
        for (i, j), v in np.ndenumerate(values):
            if not v:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch=MISSING_HATCH,
                                           edgecolor="#999999", linewidth=0))
        ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=60, ha="right")
        ax.set_yticks(range(len(rows)), rows)
        ax.grid(False)
        ax.set_xticks(np.arange(-0.5, grid.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.2)
        ax.tick_params(which="minor", length=0)
        ax.legend(handles=[Patch(facecolor=CURRENT_COLOUR, label="reported"),
                           Patch(facecolor="white", edgecolor="#999999", hatch=MISSING_HATCH, label="not reported")],
                  loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
        finish_figure(fig, ax, title=f"Who reported what, {fy_label(year)}", source=source, synthetic=synthetic,
                      xlabel="Metric", ylabel="Anchor")
    return fig


def anchor_share_bars(table: pd.DataFrame, *, value: str, label: str, title: str, xlabel: str,
                      reference: float | None = None, reference_label: str = "network (pooled)",
                      source: str = "Anchor core metrics returns", synthetic: bool = False) -> Figure:
    """One horizontal bar per anchor for a share (0-1), sorted, with the network figure as a reference line."""
    data = table[[label, value]].dropna().sort_values([value, label], ascending=[True, True])
    with house_style():
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.34 * max(len(data), 1)), layout="constrained")
        ax.barh(data[label], data[value], color=CURRENT_COLOUR, edgecolor="#333333", linewidth=0.5)
        for y, v in enumerate(data[value]):
            ax.text(v + 0.01, y, f"{100 * v:.0f}%", va="center", fontsize=8)
        if reference is not None and not pd.isna(reference):
            ax.axvline(reference, color=AMBITION_COLOUR, linestyle="--", linewidth=1.6,
                       label=f"{reference_label}: {100 * reference:.0f}%")
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False)
        ax.set_xlim(0, 1.08)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * x:.0f}%"))
        ax.grid(axis="y", visible=False)
        finish_figure(fig, ax, title=title, source=source, synthetic=synthetic, xlabel=xlabel, ylabel="Anchor")
    return fig


def ring_bands(by_ring: pd.DataFrame, place, labels: dict[str, str]) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """:attr:`anchor_analysis.analysis.spend.SpendAnalysis.by_ring` as :func:`spend_by_ring_bars` draws it: one row per
    anchor (``anchor`` from ``labels``, anchor_id -> name or code) with a spend column per band, and the bands
    innermost first with their legend labels (the place's rings, then elsewhere and unknown postcodes).

    >>> import pandas as pd
    >>> from anchor_analysis.core import load_place
    >>> by_ring = pd.DataFrame({"anchor_id": "a", "ring": ["leeds", "elsewhere"], "spend": [5.0, 2.0]})
    >>> bands, rings = ring_bands(by_ring, load_place("leeds"), {"a": "Alpha"})
    >>> bands.loc[0, ["anchor", "leeds", "elsewhere"]].tolist(), rings[1]
    (['Alpha', 5.0, 2.0], ('west_yorkshire', 'rest of West Yorkshire'))
    """
    bands = by_ring.pivot_table(index="anchor_id", columns="ring", values="spend", aggfunc="sum",
                                observed=False).reset_index()
    bands.columns.name = None
    bands["anchor"] = bands["anchor_id"].map(labels)
    rings = [(r.key, r.label if i == 0 else f"rest of {r.label}") for i, r in enumerate(place.rings)]
    return bands, rings + [("elsewhere", "elsewhere"), ("unknown", "unknown postcode")]


def spend_by_ring_bars(summary: pd.DataFrame, rings: list[tuple[str, str]], *, label: str = "anchor",
                       title: str, source: str = "Anchor supplier ledgers", synthetic: bool = False) -> Figure:
    """Stacked horizontal bars of influenceable spend per anchor by where suppliers are.

    ``rings`` is ``[(column, legend label), ...]`` innermost first, each column holding spend *only* in that
    band (not cumulative), e.g. Leeds, rest of West Yorkshire, elsewhere, unknown.
    """
    data = summary.sort_values(label, ascending=False)
    with house_style():
        fig, ax = plt.subplots(figsize=(8.5, 1.4 + 0.34 * max(len(data), 1)), layout="constrained")
        left = np.zeros(len(data))
        for i, (column, legend) in enumerate(rings):
            values = data[column].fillna(0).to_numpy() / 1e6
            ax.barh(data[label], values, left=left, color=RING_COLOURS[i % len(RING_COLOURS)],
                    hatch=RING_HATCHES[i % len(RING_HATCHES)], edgecolor="#333333", linewidth=0.4, label=legend)
            left += values
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(rings), frameon=False)
        ax.grid(axis="y", visible=False)
        finish_figure(fig, ax, title=title, source=source, synthetic=synthetic,
                      xlabel="Net influenceable spend (£m)", ylabel="Anchor")
    return fig


def carbon_trajectory_chart(trajectory: pd.DataFrame, *, source: str = "Anchor core metrics returns",
                            synthetic: bool = False) -> Figure:
    """Scope 1+2 emissions per year (like-for-like and all reporting) against the path to net zero.

    ``trajectory`` is :func:`anchor_analysis.analysis.metrics.carbon_trajectory`.
    """
    net_zero = trajectory.attrs.get("net_zero_year")
    base = int(trajectory["year"].min())
    with house_style():
        fig, ax = plt.subplots(figsize=(8.5, 4.6), layout="constrained")
        years = trajectory["year"].to_numpy()
        ax.plot(years, trajectory["emissions_lfl"] / 1000, color=CURRENT_COLOUR, marker="o", linestyle="-",
                label=f"like-for-like (anchors reporting in {fy_label(base)} and that year)")
        ax.plot(years, trajectory["emissions_all"] / 1000, color=AMBITION_COLOUR, marker="s", linestyle="--",
                label="all anchors reporting that year")
        if net_zero:
            path_years = np.array([base, net_zero])
            start = float(trajectory["emissions_lfl"].iloc[0]) / 1000
            ax.plot(path_years, [start, 0], color=CONNECTOR_COLOUR, linestyle=":", marker="",
                    label=f"straight line to net zero by {net_zero}")
        for row in trajectory.itertuples():
            ax.annotate(f"n={row.n_lfl}", (row.year, row.emissions_lfl / 1000), xytext=(0, 7),
                        textcoords="offset points", ha="center", fontsize=7.5, color="#333333")
        ticks = list(range(base, (net_zero or int(years.max())) + 1))
        ax.set_xticks(ticks, [fy_label(y) for y in ticks], rotation=45, ha="right")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", frameon=False)
        finish_figure(fig, ax, title="Scope 1 and 2 emissions against the path to net zero", source=source,
                      synthetic=synthetic, xlabel="Financial year", ylabel="Emissions (thousand tCO2e)",
                      note="Like-for-like keeps only anchors with a base-year return, so joiners and gaps do not "
                           "show up as rises or falls.")
    return fig


def published_vs_recomputed_overview(published: pd.DataFrame, recomputed: pd.DataFrame, *, year: int,
                                     source: str = "Seed 003 (published); anchor returns (recomputed)",
                                     synthetic: bool = False) -> Figure:
    """The published Progression Framework overview beside the kit's recomputation, dimension by dimension.

    Both frames have ``dimension, label, current, ambition``; published values are drawn as open markers and
    recomputed ones filled, so a mismatch shows as two separate markers.
    """
    merged = published.merge(recomputed, on="dimension", suffixes=("_pub", "_new"))
    n = len(merged)
    with house_style():
        fig, ax = plt.subplots(figsize=(9, 1.2 + 0.8 * n), layout="constrained")
        ys = np.arange(n)[::-1]
        for y, row in zip(ys, merged.itertuples(), strict=True):
            ax.plot([row.current_new, row.ambition_new], [y - 0.12, y - 0.12], color=CONNECTOR_COLOUR, linewidth=2,
                    linestyle="-", marker="")
            ax.plot([row.current_pub, row.ambition_pub], [y + 0.12, y + 0.12], color=CONNECTOR_COLOUR, linewidth=2,
                    linestyle=":", marker="")
        ax.scatter(merged["current_pub"], ys + 0.12, s=80, facecolor="white", edgecolor=CURRENT_COLOUR, linewidth=1.6,
                   marker="o", label="published: current", zorder=3)
        ax.scatter(merged["ambition_pub"], ys + 0.12, s=75, facecolor="white", edgecolor="#7a5400", linewidth=1.6,
                   marker="D", label="published: ambition", zorder=3)
        ax.scatter(merged["current_new"], ys - 0.12, s=80, color=CURRENT_COLOUR, marker="o",
                   label="recomputed: current", zorder=3)
        ax.scatter(merged["ambition_new"], ys - 0.12, s=75, color=AMBITION_COLOUR, edgecolor="#333333", marker="D",
                   label="recomputed: ambition", zorder=3)
        ax.set_yticks(ys, merged["label_pub"])
        ax.set_xlim(0.6, 4.4)
        ax.set_xticks([1, 2, 3, 4], ["1\nbasic", "2\nintermediate", "3\ngood", "4\nbest practice"])
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
        finish_figure(fig, ax, title=f"Progression Framework {fy_label(year)}: published table and recomputation",
                      source=source, synthetic=synthetic, xlabel="Network mean level (published rounding)",
                      ylabel="Dimension")
    return fig
