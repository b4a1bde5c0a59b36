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

The report's charts are in :mod:`anchor_analysis.figures.progression` and :mod:`anchor_analysis.figures.metrics`
(:func:`~anchor_analysis.figures.progression.dumbbell_current_ambition` shows a whole one); any figure is finished
the same way:

>>> with house_style():
...     fig, ax = plt.subplots(layout="constrained")
...     _ = ax.plot([2019, 2020, 2021], [1.8, 2.1, 2.4], **series_style(0))
...     fig = finish_figure(fig, ax, title="Network mean level", source="Demo network returns", synthetic=True,
...                         xlabel="Financial year", ylabel="Level (1-4)")
>>> figure_title(fig), source_text(fig)
('Network mean level', 'Source: Demo network returns (SYNTHETIC demo data)')
>>> plt.close(fig)
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
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

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
    """Return the house matplotlib rc parameters.

    Seaborn's "whitegrid" style and "notebook" context, the Okabe-Ito colour, marker and line-style cycle, DejaVu
    Sans (bundled with matplotlib), left-aligned bold titles and the fixed SVG hash salt.

    Returns
    -------
    dict
        The rc parameters by name, for :func:`matplotlib.rc_context` or ``matplotlib.rcParams.update``.

    See Also
    --------
    house_style : Draw with these parameters without changing the session's defaults.

    Examples
    --------
    >>> rc = house_rc()
    >>> rc["font.sans-serif"], rc["image.cmap"], rc["savefig.dpi"]
    (['DejaVu Sans'], 'cividis', 150)
    """
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
    """Make the house style the session default.

    For notebooks: their own plots then match the kit's. Sets seaborn's theme and updates
    ``matplotlib.rcParams`` with :func:`house_rc`, for the rest of the session.

    Examples
    --------
    >>> before = dict(mpl.rcParams)
    >>> apply_house_style()
    >>> mpl.rcParams["axes.titlelocation"]
    'left'
    >>> mpl.rcParams.update(before)
    """
    sns.set_theme(style="whitegrid", context="notebook", palette=list(PALETTE))
    mpl.rcParams.update(house_rc())


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Draw in the house style without changing the session's defaults (a context manager).

    Yields
    ------
    None
        Inside the ``with`` block matplotlib uses :func:`house_rc`; the previous rc parameters come back after it.

    Examples
    --------
    >>> with house_style():
    ...     mpl.rcParams["axes.titleweight"]
    'bold'
    """
    with mpl.rc_context(house_rc()):
        yield


def series_style(index: int) -> dict:
    """Return the colour, marker and line style of the ``index``-th series.

    Series are numbered in dimension order; the styles cycle after seven.

    Parameters
    ----------
    index : int
        Position of the series (0 = first).

    Returns
    -------
    dict
        ``color``, ``marker`` and ``linestyle``, to pass to :meth:`matplotlib.axes.Axes.plot`.

    Examples
    --------
    >>> series_style(1)
    {'color': '#E69F00', 'marker': 's', 'linestyle': '--'}
    >>> series_style(7) == series_style(0)
    True
    """
    i = index % len(PALETTE)
    return {"color": PALETTE[i], "marker": MARKERS[i], "linestyle": LINESTYLES[i]}


# --- finishing and saving -------------------------------------------------------------------------------------

def source_line(source: str, synthetic: bool = False) -> str:
    """Return a figure's source line, ``"Source: <source>"``, tagged ``(SYNTHETIC demo data)`` when synthetic.

    Parameters
    ----------
    source : str
        Where the data come from; a leading ``"Source:"`` is kept, not repeated.
    synthetic : bool, default False
        Tag the line as synthetic (unless it already says SYNTHETIC).

    Returns
    -------
    str
        The source line.

    Examples
    --------
    >>> source_line("Demo returns", synthetic=True)
    'Source: Demo returns (SYNTHETIC demo data)'
    >>> source_line("Source: ONS")
    'Source: ONS'
    """
    text = source.strip()
    if not text.lower().startswith("source:"):
        text = f"Source: {text}"
    if synthetic and "SYNTHETIC" not in text:
        text = f"{text} {SYNTHETIC_TAG}"
    return text


def _wrap(text: str, fig: Figure, fontsize: float) -> str:
    """``text`` wrapped to the figure's width at ``fontsize`` (existing line breaks kept)."""
    chars = max(30, int(fig.get_figwidth() * 72 / (fontsize * 0.58)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def finish_figure(fig: Figure, ax: Axes | Sequence[Axes] | np.ndarray | None = None, *, title: str, source: str,
                  xlabel: str | None = None, ylabel: str | None = None, synthetic: bool = False,
                  note: str | None = None) -> Figure:
    """Add the house title, axis labels, an optional note and the source line to a figure.

    The title is the figure's (left-aligned) suptitle; ``xlabel``/``ylabel`` go on ``ax`` (on the bottom row and
    left column when ``ax`` is several axes); the source line (``gid="source"``) and the note (``gid="note"``)
    sit at the bottom-left, with room made for them in the figure's constrained layout.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to finish.
    ax : Axes or sequence or array of Axes, optional
        The axes to label; hidden axes are skipped.
    title : str
        The figure's title (wrapped to its width).
    source : str
        Where the data come from (see :func:`source_line`).
    xlabel, ylabel : str, optional
        Axis labels.
    synthetic : bool, default False
        Tag the source line ``(SYNTHETIC demo data)``.
    note : str, optional
        A line of explanation above the source line.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig`` itself.

    Examples
    --------
    >>> fig, axes = plt.subplots(1, 2, layout="constrained")
    >>> fig = finish_figure(fig, axes, title="Two panels", source="Demo returns", ylabel="Level", note="A note.")
    >>> [a.get_ylabel() for a in axes], {t.get_gid(): t.get_text() for t in fig.texts if t.get_gid()}
    (['Level', ''], {'note': 'A note.', 'source': 'Source: Demo returns'})
    >>> plt.close(fig)
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
    """Return the figure's title text (its suptitle, as :func:`finish_figure` sets it).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure.

    Returns
    -------
    str
        The title, empty when there is none.

    Examples
    --------
    >>> fig = plt.figure()
    >>> _ = fig.suptitle("Coverage")
    >>> figure_title(fig)
    'Coverage'
    >>> plt.close(fig)
    """
    return fig.get_suptitle()


def source_text(fig: Figure) -> str:
    """Return the figure's source line, the text :func:`finish_figure` tags ``gid="source"``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure.

    Returns
    -------
    str
        The source line, empty when there is none.

    Examples
    --------
    >>> fig = plt.figure()
    >>> source_text(fig)
    ''
    >>> _ = fig.text(0, 0, "Source: ONS", gid="source")
    >>> source_text(fig)
    'Source: ONS'
    >>> plt.close(fig)
    """
    return next((t.get_text() for t in fig.texts if t.get_gid() == "source"), "")


def save_figure(fig: Figure, output_dir: str | Path, name: str, *, formats: Sequence[str] = FORMATS,
                dpi: int = DPI) -> list[Path]:
    """Write ``fig`` as ``<output_dir>/<name>.png`` (at ``dpi``) and ``.svg``.

    Deterministic: the layout is settled and frozen before the first save (see :func:`_freeze_layout`), the SVG
    hash salt is fixed and no date or software version is written, so saving the same figure again, or
    re-running the code that made it, gives byte-identical files. Each file is written to a temporary name first
    and renamed, so an interrupted run never leaves a half-written figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    output_dir : str or Path
        The folder to write to (created when missing).
    name : str
        A plain file stem such as ``"overview_dumbbell"`` (letters, digits, ``_``, ``.`` and ``-``).
    formats : sequence of str, default ("png", "svg")
        The formats to write, in order.
    dpi : int, default 150
        Resolution of the PNG.

    Returns
    -------
    list of Path
        The written files, in the order of ``formats``.

    Raises
    ------
    ValueError
        When ``name`` is not a plain file stem, or a format is neither ``png`` nor ``svg``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> fig, ax = plt.subplots(layout="constrained")
    >>> first = [p.read_bytes() for p in save_figure(fig, folder, "example")]
    >>> [p.name for p in save_figure(fig, folder, "example")]
    ['example.png', 'example.svg']
    >>> [p.read_bytes() for p in sorted(Path(folder).iterdir())] == first
    True
    >>> plt.close(fig)
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
    not once more by the notebook's inline backend. Outside IPython nothing is displayed (IPython prints the
    image object's name instead).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save and show; it is closed.
    output_dir : str or Path
        The folder to write to.
    name : str
        The file stem (see :func:`save_figure`).
    width : int, optional
        Width on screen in pixels; default: the figure's width at 100 pixels per inch.

    Returns
    -------
    list of Path
        The written files.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> [p.name for p in show_figure(fig, tempfile.mkdtemp(), "example")]
    <IPython.core.display.Image object>
    ['example.png', 'example.svg']
    >>> plt.fignum_exists(fig.number)
    False
    """
    paths = save_figure(fig, output_dir, name)
    width = width or round(fig.get_figwidth() * 100)
    alt = alt_text(fig, name)
    plt.close(fig)
    try:
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - outside IPython nothing is shown
        return paths
    png = next(p for p in paths if p.suffix == ".png")
    display(Image(filename=str(png), width=width, metadata={"alt": alt}))  # the report's <img alt="...">
    return paths


def alt_text(fig: Figure, name: str = "") -> str:
    """The figure's text alternative: its title, then its caption (a map's subtitle and caption, a chart's note).

    A figure without a title takes its first axes' title, else its file name in words.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure.
    name : str, default ""
        Its file stem, the last resort.

    Returns
    -------
    str

    Examples
    --------
    >>> fig = plt.figure()
    >>> _ = fig.suptitle("Staff living in Leeds")
    >>> _ = fig.text(0, 0.05, "Two anchors did not report.", gid="note")
    >>> alt_text(fig, "staff_share")
    'Staff living in Leeds. Two anchors did not report.'
    >>> plt.close(fig)
    >>> alt_text(plt.figure(), "spend_by_ward")
    'Figure: spend by ward.'
    """
    texts = {t.get_gid(): t.get_text() for t in reversed(fig.texts) if t.get_gid()}
    title = (figure_title(fig) or texts.get("map-title")
             or next((ax.get_title() for ax in fig.axes if ax.get_title()), ""))
    captions = [texts.get(gid, "") for gid in ("subtitle", "note", "caption")]  # a map's, or finish_figure's note
    parts = [" ".join(part.split()).rstrip(".") for part in (title, *captions) if part.strip()]
    if not parts:
        return f"Figure: {name.replace('_', ' ')}." if name else "Figure."
    return ". ".join(parts) + "."
