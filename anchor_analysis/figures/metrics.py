"""Figures of the baseline (core metrics) section, in the house style of :mod:`anchor_analysis.figures.style`.

Every figure is titled, axis-labelled, sourced (tagged SYNTHETIC when the data are) and readable in greyscale:
bars and lines carry hatches, markers and line styles as well as colour.

>>> import pandas as pd
>>> grid = pd.DataFrame({"headcount": [True, True], "spend_leeds": [True, False]}, index=["a", "b"])
>>> fig = coverage_grid(grid, 2023, source="Demo returns", synthetic=True)
>>> from anchor_analysis.figures.style import figure_title
>>> figure_title(fig)
'Who reported what, 2023/24'
>>> plt.close(fig)
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
    """Draw the five numbers a funder quotes, each with its coverage, as a row of tiles.

    Parameters
    ----------
    headline : pandas.DataFrame
        :func:`anchor_analysis.analysis.metrics.headline`: one row per tile with ``label, value, unit,
        coverage_statement``.
    year : int
        The financial year (2023 = 2023/24), for the title.
    network_name : str, default "The network"
        Named in the title.
    source : str, default "Anchor core metrics returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from anchor_analysis.figures.style import figure_title
    >>> headline = pd.DataFrame({"label": ["Staff", "Staff living in Leeds"], "value": [62300, 0.64],
    ...                          "unit": ["people", "share"], "coverage_statement": ["14 of 14 anchors"] * 2})
    >>> fig = headline_panel(headline, 2023, network_name="Demo network")
    >>> figure_title(fig)
    'Demo network: headline figures 2023/24'
    >>> plt.close(fig)
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
    """``text`` wrapped to lines of at most ``width`` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width))


def coverage_grid(grid: pd.DataFrame, year: int, *, labels: dict[str, str] | None = None,
                  source: str = "Anchor core metrics returns", synthetic: bool = False) -> Figure:
    """Draw anchors (rows) x metrics (columns): a filled cell where the anchor reported the metric that year.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`anchor_analysis.analysis.metrics.members_reporting`: booleans, indexed by anchor, a column per
        metric.
    year : int
        The financial year (2023 = 2023/24), for the title.
    labels : dict of str to str, optional
        Renames anchors (e.g. anonymised codes); anchors not in it keep their id.
    source : str, default "Anchor core metrics returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> grid = pd.DataFrame({"headcount": [True, True], "spend_leeds": [True, False]}, index=["a", "b"])
    >>> fig = coverage_grid(grid, 2023, labels={"a": "Anchor A", "b": "Anchor B"})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Anchor A', 'Anchor B']
    >>> plt.close(fig)
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
    """Draw one horizontal bar per anchor for a share (0-1), sorted, with the network figure as a reference line.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per anchor; rows without a value are left out.
    value : str
        The column holding the share (0-1).
    label : str
        The column naming the anchors.
    title, xlabel : str
        The figure's title and x-axis label.
    reference : float, optional
        The network's share, drawn as a dashed line (none when missing).
    reference_label : str, default "network (pooled)"
        The reference line's legend entry (its value is added).
    source : str, default "Anchor core metrics returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> shares = pd.DataFrame({"anchor": ["A", "B", "C"], "share": [0.7, 0.5, None]})
    >>> fig = anchor_share_bars(shares, value="share", label="anchor", title="Staff living in Leeds",
    ...                         xlabel="Share of staff", reference=0.64)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['network (pooled): 64%']
    >>> plt.close(fig)
    """
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
    """Reshape spend by ring into the bands :func:`spend_by_ring_bars` draws.

    The result has one row per anchor (``anchor`` from ``labels``) with a spend column per band, and the bands
    innermost first with their legend labels (the place's rings, then elsewhere and unknown postcodes).

    Parameters
    ----------
    by_ring : pandas.DataFrame
        :attr:`anchor_analysis.analysis.spend.SpendAnalysis.by_ring`: ``anchor_id, ring, spend`` (spend only in
        that ring, not cumulative).
    place : Place
        The place whose rings name the bands (:func:`anchor_analysis.core.load_place`).
    labels : dict of str to str
        The display label (name or anonymised code) of each anchor_id.

    Returns
    -------
    bands : pandas.DataFrame
        ``anchor_id``, a spend column per ring present in ``by_ring``, and ``anchor``.
    rings : list of (str, str)
        (column, legend label) per band, innermost first.

    Examples
    --------
    >>> from anchor_analysis.core import load_place
    >>> by_ring = pd.DataFrame({"anchor_id": "a", "ring": ["leeds", "elsewhere"], "spend": [5.0, 2.0]})
    >>> bands, rings = ring_bands(by_ring, load_place("leeds"), {"a": "Alpha"})
    >>> bands[["anchor", "leeds", "elsewhere"]].to_dict("records")
    [{'anchor': 'Alpha', 'leeds': 5.0, 'elsewhere': 2.0}]
    >>> rings
    [('leeds', 'Leeds'), ('west_yorkshire', 'rest of West Yorkshire'), ('elsewhere', 'elsewhere'), \
('unknown', 'unknown postcode')]
    """
    bands = by_ring.pivot_table(index="anchor_id", columns="ring", values="spend", aggfunc="sum",
                                observed=False).reset_index()
    bands.columns.name = None
    bands["anchor"] = bands["anchor_id"].map(labels)
    rings = [(r.key, r.label if i == 0 else f"rest of {r.label}") for i, r in enumerate(place.rings)]
    return bands, rings + [("elsewhere", "elsewhere"), ("unknown", "unknown postcode")]


def spend_by_ring_bars(summary: pd.DataFrame, rings: list[tuple[str, str]], *, label: str = "anchor",
                       title: str, source: str = "Anchor supplier ledgers", synthetic: bool = False) -> Figure:
    """Draw stacked horizontal bars of influenceable spend per anchor by where suppliers are.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per anchor, with the ``label`` column and a spend column (GBP) per band; :func:`ring_bands`
        makes it.
    rings : list of (str, str)
        ``[(column, legend label), ...]`` innermost first, each column holding spend *only* in that band (not
        cumulative), e.g. Leeds, rest of West Yorkshire, elsewhere, unknown. Missing values count as 0.
    label : str, default "anchor"
        The column naming the anchors.
    title : str
        The figure's title.
    source : str, default "Anchor supplier ledgers"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from anchor_analysis.figures.style import figure_title
    >>> summary = pd.DataFrame({"anchor": ["A", "B"], "leeds": [5e6, 2e6], "elsewhere": [1e6, None]})
    >>> fig = spend_by_ring_bars(summary, [("leeds", "Leeds"), ("elsewhere", "elsewhere")], title="Where spend lands")
    >>> figure_title(fig), [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ('Where spend lands', ['Leeds', 'elsewhere'])
    >>> plt.close(fig)
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
    """Draw scope 1+2 emissions per year (like-for-like and all reporting) against the path to net zero.

    Parameters
    ----------
    trajectory : pandas.DataFrame
        :func:`anchor_analysis.analysis.metrics.carbon_trajectory`: ``year, emissions_lfl, emissions_all, n_lfl``
        (tCO2e), with the place's net-zero year in ``attrs["net_zero_year"]`` (no path drawn without it).
    source : str, default "Anchor core metrics returns"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> trajectory = pd.DataFrame({"year": [2019, 2020], "emissions_lfl": [300e3, 280e3],
    ...                            "emissions_all": [310e3, 295e3], "n_lfl": [10, 10]})
    >>> trajectory.attrs["net_zero_year"] = 2030
    >>> fig = carbon_trajectory_chart(trajectory)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][-1]
    'straight line to net zero by 2030'
    >>> plt.close(fig)
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
    """Draw the published Progression Framework overview beside the kit's recomputation, dimension by dimension.

    Published values are drawn as open markers and recomputed ones filled, so a mismatch shows as two separate
    markers.

    Parameters
    ----------
    published, recomputed : pandas.DataFrame
        Each with ``dimension, label, current, ambition``; matched on ``dimension``.
    year : int
        The financial year (2019 = 2019/20), for the title.
    source : str, default "Seed 003 (published); anchor returns (recomputed)"
        The source line.
    synthetic : bool, default False
        Tag the source line as synthetic demo data.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from anchor_analysis.figures.style import figure_title
    >>> published = pd.DataFrame({"dimension": ["civic"], "label": ["Civic"], "current": [2.8], "ambition": [3.7]})
    >>> recomputed = published.assign(current=2.81)
    >>> fig = published_vs_recomputed_overview(published, recomputed, year=2019)
    >>> figure_title(fig)
    'Progression Framework 2019/20: published table and recomputation'
    >>> plt.close(fig)
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
