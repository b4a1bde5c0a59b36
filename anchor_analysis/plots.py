"""Figures of the kit, in one house style: titled, axis-labelled, sourced and readable in greyscale.

* Colours are the Okabe-Ito colour-blind-safe palette. Two-series figures pair a dark and a light colour (blue
  and orange differ in lightness, so they also separate when printed in greyscale); many-series figures give
  every series its own marker and line style as well, so no figure depends on colour alone.
* Sequential values use "cividis", which is colour-blind safe and monotone in lightness.
* Every figure gets a left-aligned title, axis labels and a source line at the bottom, which says
  "(SYNTHETIC demo data)" whenever the data are synthetic.
* :func:`save_figure` writes PNG (150 dpi) and SVG, byte-identical on every re-run (fixed SVG hash salt, no
  date in the metadata, a bundled font).

Figure functions draw inside :func:`house_style`, so they look the same whether or not
:func:`apply_house_style` was called; notebooks call :func:`apply_house_style` once so their own plots match.

>>> import pandas as pd
>>> overview = pd.DataFrame({"year": 2023, "dimension": ["employment", "civic"], "label": ["Employment", "Civic"],
...                          "n_reporting": [12, 0], "current": [3.2, None], "ambition": [3.9, None]})
>>> fig = dumbbell_current_ambition(overview, source="Demo network returns", synthetic=True)
>>> source_text(fig)
'Source: Demo network returns (SYNTHETIC demo data)'
"""

from __future__ import annotations

import contextlib
import re
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .config import fy_label
from .framework import Framework, load_framework
from .progression import NoReturnsError, round_half_up

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "bluish_green": "#009E73", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7", "sky_blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
PALETTE = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"],
           OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"], OKABE_ITO["black"])
"""Series colours in order (Okabe-Ito without yellow, which is too light for lines on white)."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)))
CURRENT_COLOUR = OKABE_ITO["blue"]     # dark: grey ~0.34 in greyscale
AMBITION_COLOUR = OKABE_ITO["orange"]  # light: grey ~0.64 in greyscale
SEQUENTIAL_CMAP = "cividis"
CONNECTOR_COLOUR = "#8c8c8c"
MISSING_HATCH = "////"

SYNTHETIC_TAG = "(SYNTHETIC demo data)"
DEFAULT_SOURCE = "Progression Framework self-assessment returns"
DPI = 150
SVG_HASHSALT = "anchor-analysis"
FORMATS = ("png", "svg")


# --- style ---------------------------------------------------------------------------------------------------

def house_rc() -> dict:
    """The house matplotlib rc parameters (seaborn "whitegrid" + "notebook", Okabe-Ito, DejaVu Sans)."""
    rc = {**sns.axes_style("whitegrid"), **sns.plotting_context("notebook")}
    rc.update({
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: the same glyphs on every machine
        "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
        "legend.fontsize": 9, "legend.title_fontsize": 9, "figure.titlesize": 13, "figure.titleweight": "bold",
        "axes.titleweight": "bold", "axes.titlelocation": "left",
        "axes.edgecolor": "#4d4d4d", "axes.labelcolor": "#1a1a1a", "text.color": "#1a1a1a",
        "xtick.color": "#1a1a1a", "ytick.color": "#1a1a1a",
        "axes.spines.top": False, "axes.spines.right": False,
        "grid.color": "#dddddd", "grid.linewidth": 0.6,
        "axes.prop_cycle": (cycler(color=list(PALETTE)) + cycler(marker=list(MARKERS))
                            + cycler(linestyle=list(LINESTYLES))),
        "lines.linewidth": 1.8, "lines.markersize": 6,
        "image.cmap": SEQUENTIAL_CMAP,
        "figure.facecolor": "white", "savefig.facecolor": "white", "figure.dpi": 100, "savefig.dpi": DPI,
        "svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "pdf.fonttype": 42,
    })
    return rc


def apply_house_style() -> None:
    """Make the house style the session default (for notebooks: their own plots then match the kit's)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=list(PALETTE))
    mpl.rcParams.update(house_rc())


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Context manager: draw in the house style without changing the session's defaults."""
    with mpl.rc_context(house_rc()):
        yield


def series_style(index: int) -> dict:
    """Colour, marker and line style of the ``index``-th series (dimension order), cycling after seven."""
    i = index % len(PALETTE)
    return {"color": PALETTE[i], "marker": MARKERS[i], "linestyle": LINESTYLES[i]}


# --- finishing and saving -------------------------------------------------------------------------------------

def source_line(source: str, synthetic: bool = False) -> str:
    """``"Source: <source>"``, tagged ``(SYNTHETIC demo data)`` when synthetic.

    >>> source_line("Demo returns", synthetic=True)
    'Source: Demo returns (SYNTHETIC demo data)'
    """
    text = source.strip()
    if not text.lower().startswith("source:"):
        text = f"Source: {text}"
    if synthetic and "SYNTHETIC" not in text:
        text = f"{text} {SYNTHETIC_TAG}"
    return text


def _wrap(text: str, fig: Figure, fontsize: float) -> str:
    chars = max(30, int(fig.get_figwidth() * 72 / (fontsize * 0.58)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def finish_figure(fig: Figure, ax: Axes | Sequence[Axes] | np.ndarray | None = None, *, title: str, source: str,
                  xlabel: str | None = None, ylabel: str | None = None, synthetic: bool = False,
                  note: str | None = None) -> Figure:
    """Add the house title, axis labels, an optional note and the source line; return ``fig``.

    The title is the figure's (left-aligned) suptitle; ``xlabel``/``ylabel`` go on ``ax`` (on the bottom row and
    left column when ``ax`` is several axes); the source line (``gid="source"``) and the note (``gid="note"``)
    sit at the bottom-left, with room made for them in the figure's constrained layout.
    """
    small = mpl.rcParams["xtick.labelsize"]
    small = 8.5 if isinstance(small, str) else min(float(small), 8.5)
    fig.suptitle(_wrap(title, fig, 13), x=0.01, ha="left", fontsize=13, fontweight="bold")
    axes = [] if ax is None else (list(np.ravel(ax)) if isinstance(ax, (np.ndarray, list, tuple)) else [ax])
    visible = [a for a in axes if a.get_visible()]
    for a in visible:
        ss = a.get_subplotspec()
        bottom = ss is None or ss.is_last_row() or _nothing_below(a, visible)
        left = ss is None or ss.is_first_col()
        if xlabel is not None and bottom:
            a.set_xlabel(xlabel)
        if ylabel is not None and left:
            a.set_ylabel(ylabel)
    lines = []
    if note:
        lines.append(fig.text(0.01, 0.0, _wrap(note, fig, small), ha="left", va="bottom", fontsize=small,
                              color="#333333", gid="note"))
    lines.append(fig.text(0.01, 0.0, _wrap(source_line(source, synthetic), fig, small), ha="left", va="bottom",
                          fontsize=small, color="#333333", gid="source"))
    # stack the footer lines from the bottom up and keep the axes clear of them
    n_lines = sum(t.get_text().count("\n") + 1 for t in lines)
    line_h = small * 1.35 / 72 / fig.get_figheight()
    pad = 0.06 / fig.get_figheight()
    y = pad
    for t in reversed(lines):
        t.set_y(y)
        y += (t.get_text().count("\n") + 1) * line_h
    engine = fig.get_layout_engine()
    footer = pad * 2 + n_lines * line_h
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, footer, 1, 1 - footer))
    else:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, footer + 0.08))
    return fig


def _nothing_below(ax: Axes, visible: list[Axes]) -> bool:
    """True when no visible axes sits below ``ax`` in its column (so it carries the x label)."""
    ss = ax.get_subplotspec()
    if ss is None:
        return True
    col = ss.colspan
    for other in visible:
        o = other.get_subplotspec()
        if o is not None and o.rowspan.start > ss.rowspan.start and set(o.colspan) & set(col):
            return False
    return True


def _freeze_layout(fig: Figure, passes: int = 1) -> None:
    """Run the layout engine a fixed number of times, then keep the result.

    Constrained layout refines positions a little on every draw (more so with a legend outside the axes), so
    without this the first and second saves of one figure would differ in the last bits. A fixed number of
    passes makes every save, and every re-run, byte-identical. One pass is enough: on the kit's figures further
    passes move no axes by more than 0.2 pixel at the saved resolution, and each pass is a full layout of the
    figure (a third of a second for the 14-panel small multiple).
    """
    engine = fig.get_layout_engine()
    if engine is None or not hasattr(engine, "execute") or type(engine).__name__ == "PlaceHolderLayoutEngine":
        return
    for _ in range(passes):
        fig.draw_without_rendering()
    fig.set_layout_engine("none")


def figure_title(fig: Figure) -> str:
    """The figure's title text."""
    return fig.get_suptitle()


def source_text(fig: Figure) -> str:
    """The figure's source line (empty when there is none)."""
    return next((t.get_text() for t in fig.texts if t.get_gid() == "source"), "")


def save_figure(fig: Figure, output_dir: str | Path, name: str, *, formats: Sequence[str] = FORMATS,
                dpi: int = DPI) -> list[Path]:
    """Write ``fig`` as ``<output_dir>/<name>.png`` (``dpi``) and ``.svg``; return the paths.

    Deterministic: the layout is settled and frozen before the first save (see :func:`_freeze_layout`), the SVG
    hash salt is fixed and no date or software version is written, so saving the same figure again, or
    re-running the code that made it, gives byte-identical files. Each file is written to a temporary name first
    and renamed, so an interrupted run never leaves a half-written figure.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or name.endswith((".png", ".svg")):
        raise ValueError(f"figure name {name!r}: give a plain file stem such as 'overview_dumbbell'")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    written = []
    with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "svg.id": None}):
        _freeze_layout(fig)
        for fmt in formats:
            if fmt not in metadata:
                raise ValueError(f"unsupported figure format {fmt!r}: choose from {list(metadata)}")
            path = out / f"{name}.{fmt}"
            tmp = out / f".{name}.{fmt}.part"
            try:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata[fmt])
                tmp.replace(path)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(path)
    return written


def show_figure(fig: Figure, output_dir: str | Path, name: str, *, width: int | None = None) -> list[Path]:
    """Save ``fig`` with :func:`save_figure`, close it and display the saved PNG in a notebook.

    The exported report then embeds exactly the published image, and the figure is rendered only for saving,
    not once more by the notebook's inline backend. ``width`` (pixels on screen) defaults to the figure's width
    at 100 pixels per inch. Returns the written paths.

    >>> fig, ax = plt.subplots()
    >>> [p.name for p in show_figure(fig, tmp_path, "example")]  # doctest: +SKIP
    ['example.png', 'example.svg']
    """
    paths = save_figure(fig, output_dir, name)
    width = width or round(fig.get_figwidth() * 100)
    plt.close(fig)
    try:
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - outside IPython nothing is shown
        return paths
    png = next(p for p in paths if p.suffix == ".png")
    display(Image(filename=str(png), width=width))
    return paths


# --- helpers -------------------------------------------------------------------------------------------------

def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs column(s) {missing}; got {list(frame.columns)}")


def _anchor_column(frame: pd.DataFrame) -> str:
    return "anchor" if "anchor" in frame.columns else "anchor_id"


def _dimension_labels(fw: Framework) -> dict[str, str]:
    return dict(zip(fw.dimensions["dimension"], fw.dimensions["label"], strict=True))


def _level_ticks(ax: Axes, axis: str = "x", fw: Framework | None = None) -> None:
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
    years = sorted(years)
    return fy_label(years[0]) if len(years) == 1 else f"{fy_label(years[0])} to {fy_label(years[-1])}"


# --- progression figures ----------------------------------------------------------------------------------

def dumbbell_current_ambition(overview: pd.DataFrame, *, title: str | None = None, source: str = DEFAULT_SOURCE,
                              synthetic: bool = False) -> Figure:
    """Per dimension, the network's current level (dark circle) and ambition (light diamond), joined by a bar.

    ``overview`` is :func:`anchor_analysis.progression.network_overview` (rounded or not). Dimension labels
    carry ``n`` reporting; a dimension nobody assessed is labelled "not assessed" and left empty.
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
    """Anchors x dimensions for one year, each cell annotated with the anchor's dimension score.

    ``scores`` is :func:`anchor_analysis.progression.dimension_scores`, optionally with an ``anchor`` display
    column (:func:`anchor_analysis.progression.label_anchors`); ``value`` is "current", "ambition" or "stretch".
    A star marks a score based on only some of the dimension's activities; hatched cells were not assessed.
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
    """Network mean current level (left) and ambition (right) per dimension over the years.

    ``network_trajectory`` is :func:`anchor_analysis.progression.network_trajectory` (default form). Year labels
    carry the number of anchors reporting; each dimension has its own colour, marker and line style.
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
    """One panel per anchor: each dimension's current level (solid, filled) and ambition (dotted, open) by year.

    ``scores`` is :func:`anchor_analysis.progression.dimension_scores` (all the years to show), optionally with
    an ``anchor`` display column. Dimensions are told apart by colour and marker; a year an anchor skipped is a
    gap in the x axis, never a drawn value.
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
