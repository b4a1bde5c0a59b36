"""The map page: A4 style, frame, scale bar, north arrow, legend, caption and attribution footer; saving.

Every piece of furniture carries a gid (``GID_TITLE``, ``GID_LEGEND``, ...) so that :func:`map_elements` can find
it in tests and checks. What is drawn on the page, and keyed, is in :mod:`anchor_analysis.figures.maps.layers`.

>>> fig, ax = new_map("Leeds: a blank page", bounds=(0, 0, 20_000, 20_000))
>>> fig = finish_map(fig, ax, handles=[], legend_title="Legend", attribution="Source: none.")
>>> sorted(gid for gid, artists in map_elements(fig).items() if artists)
['attribution', 'map-legend', 'map-title', 'north-arrow', 'scale-bar']
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
import functools
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Rectangle

if TYPE_CHECKING:
    pass

from anchor_analysis.figures.style import save_figure, show_figure

A4_PORTRAIT = (8.27, 11.69)
"""Figure size of every map (inches): A4 portrait."""
MIN_FONT = 8.0
SVG_HASHSALT = "anchor-analysis"
DPI = 150

DECILE_CMAP = "viridis"
"""IMD deciles: dark purple = most deprived (decile 1) to yellow = least; perceptually uniform, colour-blind safe
and monotone in lightness (readable in greyscale)."""
SEQUENTIAL_CMAP = "YlGnBu"
"""Counts, rates, spend: pale = low, dark blue = high; monotone in lightness and unlike the grey of withheld."""
WITHHELD = {"facecolor": "#bdbdbd", "edgecolor": "#525252", "hatch": "////", "linewidth": 0.3}
NO_DATA = {"facecolor": "white", "edgecolor": "#737373", "hatch": "...", "linewidth": 0.3}
WARD_EDGE = "#252525"
PN_FILL = "#D55E00"
"""Priority neighbourhoods: Okabe-Ito vermillion, unmistakable on the grey background."""
PN_EDGE = "#000000"
SITE_STYLE = {"marker": "o", "markersize": 6.5, "markerfacecolor": "#0072B2", "markeredgecolor": "white",
              "markeredgewidth": 1.0, "linestyle": "none"}
SYNTHETIC_TAG = "(SYNTHETIC demo data)"

GID_TITLE, GID_LEGEND, GID_SCALE, GID_NORTH, GID_ATTRIBUTION, GID_CAPTION = (
    "map-title", "map-legend", "scale-bar", "north-arrow", "attribution", "caption")

# page layout (figure fractions): title band, map box, below-map band, footer
_MAP_BOX = (0.04, 0.42, 0.92, 0.485)
_TITLE_Y = 0.975


# --- style ---------------------------------------------------------------------------------------------------


def map_rc() -> dict:
    """Return the rc parameters of the maps: DejaVu Sans (bundled with matplotlib), no font below 8 pt, fixed SVG salt.

    Returns
    -------
    dict
        The rc parameters by name.

    Examples
    --------
    >>> map_rc()["font.size"], map_rc()["svg.hashsalt"]
    (9.0, 'anchor-analysis')
    """
    return {
        "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "font.size": 9.0,
        "axes.titlesize": 11.0, "legend.fontsize": 9.0, "legend.title_fontsize": 9.5,
        "xtick.labelsize": 8.0, "ytick.labelsize": 8.0, "text.color": "#1a1a1a",
        "hatch.linewidth": 0.6, "hatch.color": "edge",
        "figure.facecolor": "white", "savefig.facecolor": "white", "figure.dpi": 100, "savefig.dpi": DPI,
        "svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "pdf.fonttype": 42,
        "path.simplify": True,
    }


@contextlib.contextmanager
def map_style() -> Iterator[None]:
    """Draw in the map style without changing the session defaults (a context manager).

    Yields
    ------
    None
        Inside the ``with`` block matplotlib uses :func:`map_rc`.

    Examples
    --------
    >>> with map_style():
    ...     mpl.rcParams["hatch.linewidth"]
    0.6
    """
    with mpl.rc_context(map_rc()):
        yield


def save_map(fig: Figure, output_dir: str | Path, name: str) -> list[Path]:
    """Write ``<output_dir>/<name>.png`` and ``.svg`` deterministically (byte-identical on re-runs).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The map.
    output_dir : str or Path
        The folder to write to (created when missing).
    name : str
        A plain file stem (see :func:`anchor_analysis.figures.style.save_figure`).

    Returns
    -------
    list of Path
        The PNG and the SVG.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 1000, 1000))
    >>> [p.name for p in save_map(fig, tempfile.mkdtemp(), "leeds_map")]
    ['leeds_map.png', 'leeds_map.svg']
    >>> plt.close(fig)
    """
    return save_figure(fig, output_dir, name)


def show_map(fig: Figure, output_dir: str | Path, name: str, width: int = 700) -> list[Path]:
    """Save ``fig`` with :func:`save_map`, close it and display the saved PNG in a notebook.

    The exported report then embeds exactly the published image and renders offline.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The map; it is closed.
    output_dir : str or Path
        The folder to write to.
    name : str
        The file stem.
    width : int, default 700
        Width on screen in pixels.

    Returns
    -------
    list of Path
        The PNG and the SVG.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 1000, 1000))
    >>> [p.name for p in show_map(fig, tempfile.mkdtemp(), "leeds_map")]
    <IPython.core.display.Image object>
    ['leeds_map.png', 'leeds_map.svg']
    """
    return show_figure(fig, output_dir, name, width=width)


# --- page furniture ------------------------------------------------------------------------------------------


def _wrap(text: str, width_in: float, fontsize: float) -> str:
    """``text`` wrapped to ``width_in`` inches at ``fontsize`` (line breaks and blank lines kept)."""
    chars = max(30, int(width_in * 72 / (fontsize * 0.55)))
    return "\n".join(textwrap.fill(line, chars) if line else "" for line in text.split("\n"))


def _no_redraw(*args, **kwargs) -> None:
    """Stands in for ``canvas.draw_idle`` while a map is built: does nothing."""
    return None


def _quiet_figure(figsize: tuple[float, float]) -> Figure:
    """A figure that does not redraw itself while layers are added.

    geopandas' ``plot()`` asks the canvas to redraw (``draw_idle``) after every layer; on the non-interactive
    canvases of notebooks, Papermill and scripts that renders the whole figure each time, so a 14-panel map was
    rendered about a hundred times before it was saved. Saving or displaying a figure always renders it in
    full, so nothing is lost; :func:`_draws_once` gives the canvas its redraw back before the figure is returned.
    """
    fig = plt.figure(figsize=figsize)
    fig.canvas.draw_idle = _no_redraw
    return fig


def _draws_once(make_map):
    """Decorator for the map functions: build on a :func:`_quiet_figure`, hand back an ordinary figure."""

    @functools.wraps(make_map)
    def wrapper(*args, **kwargs):
        """Build the map, then give its canvas back its own ``draw_idle``."""
        result = make_map(*args, **kwargs)
        fig = result[0] if isinstance(result, tuple) else result
        fig.canvas.__dict__.pop("draw_idle", None)
        return result

    return wrapper


def new_map(title: str, subtitle: str | None = None, bounds: Sequence[float] | None = None,
            figsize: tuple[float, float] = A4_PORTRAIT) -> tuple[Figure, Axes]:
    """Start a map page: an A4 page with a title, an optional subtitle and an equal-aspect map axes (no ticks).

    Parameters
    ----------
    title : str
        The map's title (wrapped to the page).
    subtitle : str, optional
        A line or two under the title.
    bounds : sequence of float, optional
        ``(minx, miny, maxx, maxy)`` in metres to frame at 1:1, with room below for the scale bar.
    figsize : tuple of float, default A4_PORTRAIT
        Page size in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
        The map axes, axis lines and ticks off.

    Examples
    --------
    >>> fig, ax = new_map("Leeds: wards", "A subtitle", bounds=(0, 0, 20_000, 20_000))
    >>> map_elements(fig)[GID_TITLE][0].get_text(), fig.get_size_inches().tolist(), ax.get_aspect()
    ('Leeds: wards', [8.27, 11.69], 1.0)
    >>> plt.close(fig)
    """
    fig, ax = _new_map(title, subtitle, bounds, figsize)
    fig.canvas.__dict__.pop("draw_idle", None)
    return fig, ax


def _new_map(title: str, subtitle: str | None = None, bounds: Sequence[float] | None = None,
             figsize: tuple[float, float] = A4_PORTRAIT) -> tuple[Figure, Axes]:
    """:func:`new_map` on a :func:`_quiet_figure` (for the map functions, which hand back an ordinary one)."""
    fig = _quiet_figure(figsize)
    width = figsize[0] * 0.92
    title_text = _wrap(title, width, 14 * 1.12)
    fig.text(0.04, _TITLE_Y, title_text, ha="left", va="top", fontsize=14, fontweight="bold", gid=GID_TITLE)
    y = _TITLE_Y - (title_text.count("\n") + 1) * 14 * 1.25 / 72 / figsize[1] - 0.006
    if subtitle:
        fig.text(0.04, y, _wrap(subtitle, width, 10), ha="left", va="top", fontsize=10, color="#333333",
                 gid="subtitle")
    ax = fig.add_axes(_MAP_BOX)
    ax.set_axis_off()
    if bounds is not None:
        _frame(ax, bounds)
    return fig, ax


def _frame(ax: Axes, bounds: Sequence[float], pad: float = 0.02) -> None:
    """Limits showing ``bounds`` (plus room below for the scale bar) at 1:1 in the axes' box."""
    minx, miny, maxx, maxy = bounds
    dx, dy = maxx - minx, maxy - miny
    minx, maxx = minx - dx * pad, maxx + dx * pad
    miny, maxy = miny - dy * 0.10, maxy + dy * pad
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    box_aspect = (box.height * fig_h) / (box.width * fig_w)
    dx, dy = maxx - minx, maxy - miny
    if dy / dx < box_aspect:  # too wide: grow the height about the centre
        grow = dx * box_aspect - dy
        miny, maxy = miny - grow / 2, maxy + grow / 2
    else:
        grow = dy / box_aspect - dx
        minx, maxx = minx - grow / 2, maxx + grow / 2
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")


def add_scale_bar(ax: Axes, length_m: float | None = None, location: tuple[float, float] = (0.04, 0.04),
                  middle_label: bool = True) -> None:
    """Draw a black-and-white scale bar in kilometres on a map in metres.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes, its limits final.
    length_m : float, optional
        Length of the bar in metres; default: a round length near a fifth of the map's width (at least 500 m).
    location : tuple of float, default (0.04, 0.04)
        Left end of the bar, in axes fractions.
    middle_label : bool, default True
        Label the middle of the bar as well as its ends.

    Examples
    --------
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 20_000, 20_000))
    >>> add_scale_bar(ax)
    >>> [t.get_text() for t in map_elements(fig)[GID_SCALE] if hasattr(t, "get_text")]
    ['0', '2.5', '5 km']
    >>> plt.close(fig)
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    if length_m is None:
        target = width / 5
        length_m = max(s for s in (500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000) if s <= max(target, 500))
    x = x0 + location[0] * width
    y = y0 + location[1] * (y1 - y0)
    height = (y1 - y0) * 0.008
    half = length_m / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x + i * half, y), half, height, facecolor=colour, edgecolor="black", linewidth=0.8,
                               zorder=20, gid=GID_SCALE))
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for value in (0, half, length_m) if middle_label else (0, length_m):
        label = f"{value / 1000:g}" + (" km" if value == length_m else "")
        ax.text(x + value, y + height * 1.8, label, ha="center", va="bottom", fontsize=MIN_FONT + 0.5, zorder=20,
                gid=GID_SCALE, path_effects=halo)


def add_north_arrow(ax: Axes, location: tuple[float, float] = (0.04, 0.88)) -> None:
    """Draw a north arrow with an "N" (grid north of British National Grid, within 1° of true north here).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes.
    location : tuple of float, default (0.04, 0.88)
        Foot of the arrow, in axes fractions.

    Examples
    --------
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 20_000, 20_000))
    >>> add_north_arrow(ax)
    >>> [a.get_text() for a in map_elements(fig)[GID_NORTH] if hasattr(a, "get_text")]
    ['N']
    >>> plt.close(fig)
    """
    x, y = location
    ax.add_patch(FancyArrow(x, y, 0, 0.07, width=0.010, head_width=0.03, head_length=0.03,
                            length_includes_head=True, transform=ax.transAxes, facecolor="black",
                            edgecolor="black", zorder=20, gid=GID_NORTH))
    ax.text(x, y - 0.008, "N", transform=ax.transAxes, ha="center", va="top", fontsize=12, fontweight="bold",
            zorder=20, gid=GID_NORTH)


def _text_height(fig: Figure, artist) -> float:
    """Height of a text or legend artist in figure fraction (drawn with the figure's renderer)."""
    renderer = fig.canvas.get_renderer()
    box = artist.get_window_extent(renderer)
    return box.height / (fig.get_figheight() * fig.dpi)


def finish_map(fig: Figure, ax: Axes, *, handles: Sequence, legend_title: str, attribution: str,
               caption: str | None = None, ncol: int = 2, extra=None) -> Figure:
    """Add the legend below the map, the scale bar, the north arrow, the caption and the attribution footer.

    When the legend and ``extra`` (a key or a table) do not fit between the map and the caption (a place with many
    wards: Birmingham's 69 against Leeds' 33), the map gives up height, at most :data:`MAX_MAP_SHIFT` of the page,
    and they are drawn again below it; the map keeps its scale bar, north arrow and aspect.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A page from :func:`new_map`.
    ax : matplotlib.axes.Axes
        Its map axes, with every layer drawn and its limits final.
    handles : sequence of artists
        The legend entries (patches and lines with labels).
    legend_title : str
        The legend's (bold) title.
    attribution : str
        The footer: source and attribution statements
        (:func:`~anchor_analysis.figures.maps.layers.attribution_text`).
    caption : str, optional
        A note above the footer.
    ncol : int, default 2
        Legend columns.
    extra : callable, optional
        ``extra(fig, top, bottom)`` draws a table or key in the band between the legend and the caption (figure
        fractions) and returns the lowest y it used.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig`` itself.

    Raises
    ------
    ValueError
        When ``extra`` does not fit above the caption even with the map made smaller.

    Examples
    --------
    >>> from matplotlib.patches import Patch
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 20_000, 20_000))
    >>> fig = finish_map(fig, ax, handles=[Patch(facecolor="white", edgecolor="black", label="Ward")],
    ...                  legend_title="Legend", attribution="Source: ONS.", caption="One ward.")
    >>> [t.get_text() for t in map_elements(fig)[GID_CAPTION]]
    ['One ward.']
    >>> plt.close(fig)
    >>> fig, ax = new_map("A long key", bounds=(0, 0, 20_000, 20_000))
    >>> def key(fig, top, bottom):
    ...     return top - 0.40  # a key taller than the band below the map
    >>> fig = finish_map(fig, ax, handles=[], legend_title="Legend", attribution="Source: ONS.", extra=key)
    >>> round(float(ax.get_position(original=True).y0 - _MAP_BOX[1]), 2)  # the map moved up to make room
    0.06
    >>> plt.close(fig)
    """
    footer_top = _footer(fig, attribution, caption)
    drawn, used = _below_map(fig, ax, handles, legend_title, ncol, extra, footer_top)
    if used < footer_top:
        shift = footer_top - used + 0.012
        if shift > MAX_MAP_SHIFT:
            raise ValueError("the map's table or key does not fit above its caption: shorten it")
        for artist in drawn:
            artist.remove()
        x0, y0, width, height = _MAP_BOX
        ax.set_position((x0, y0 + shift, width, height - shift))
        if _below_map(fig, ax, handles, legend_title, ncol, extra, footer_top)[1] < footer_top:
            raise ValueError("the map's table or key does not fit above its caption: shorten it")
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.set_xlabel("")  # geopandas labels the axes "Easting [metre]" etc.; the map has no axes to label
    ax.set_ylabel("")
    return fig


MAX_MAP_SHIFT = 0.15
"""The most of the page's height a map gives up to make room for a long key or table below it."""


def _footer(fig: Figure, attribution: str, caption: str | None) -> float:
    """Draw the attribution footer and the caption above it; return the top of the caption (figure fraction)."""
    width = fig.get_figwidth() * 0.92
    footer = fig.text(0.04, 0.012, _wrap(attribution, width, MIN_FONT), ha="left", va="bottom", fontsize=MIN_FONT,
                      color="#404040", gid=GID_ATTRIBUTION)
    footer_top = 0.012 + _text_height(fig, footer)
    if caption:
        note = fig.text(0.04, footer_top + 0.008, _wrap(caption, width, 9), ha="left", va="bottom", fontsize=9,
                        color="#1a1a1a", gid=GID_CAPTION)
        footer_top += 0.008 + _text_height(fig, note)
    return footer_top


def _below_map(fig: Figure, ax: Axes, handles: Sequence, legend_title: str, ncol: int, extra,
               footer_top: float) -> tuple[list, float]:
    """Draw the legend under the map and ``extra`` under it: the artists drawn, and the lowest y used."""
    before = set(fig.get_children())
    top = ax.get_position(original=True).y0 - 0.008
    legend = fig.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(0.035, top),
                        ncol=ncol, frameon=False, fontsize=9, title_fontsize=9.5, alignment="left",
                        handlelength=2.2, handleheight=1.4, columnspacing=1.6, borderaxespad=0.0)
    legend.set_gid(GID_LEGEND)
    legend.get_title().set_fontweight("bold")
    legend_bottom = top - _text_height(fig, legend)
    used = extra(fig, legend_bottom - 0.015, footer_top + 0.012) if extra is not None else footer_top
    return [artist for artist in fig.get_children() if artist not in before], used


# --- inspection (for tests and checks) -----------------------------------------------------------------------


def map_elements(fig: Figure) -> dict[str, list]:
    """Find the artists of each piece of map furniture: title, legend, scale bar, north arrow, attribution, caption.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A map.

    Returns
    -------
    dict of str to list
        For each gid (``GID_TITLE``, ``GID_LEGEND``, ``GID_SCALE``, ``GID_NORTH``, ``GID_ATTRIBUTION``,
        ``GID_CAPTION``), the artists carrying it (empty when the map has none).

    Examples
    --------
    >>> fig, ax = new_map("Leeds")
    >>> {gid: len(artists) for gid, artists in map_elements(fig).items()}
    {'map-title': 1, 'map-legend': 0, 'scale-bar': 0, 'north-arrow': 0, 'attribution': 0, 'caption': 0}
    >>> plt.close(fig)
    """
    found: dict[str, list] = {GID_TITLE: [], GID_LEGEND: [], GID_SCALE: [], GID_NORTH: [], GID_ATTRIBUTION: [],
                              GID_CAPTION: []}
    for artist in fig.findobj():
        gid = artist.get_gid()
        if gid in found:
            found[gid].append(artist)
    return found


def font_sizes(fig: Figure) -> list[float]:
    """List the font sizes of every visible, non-empty text on the figure (to check legibility).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure (a map, or any other).

    Returns
    -------
    list of float
        Sizes in points.

    Examples
    --------
    >>> fig, ax = new_map("Leeds", bounds=(0, 0, 20_000, 20_000))
    >>> fig = finish_map(fig, ax, handles=[], legend_title="Legend", attribution="Source: ONS.")
    >>> min(font_sizes(fig)) >= MIN_FONT
    True
    >>> plt.close(fig)
    """
    return [t.get_fontsize() for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()]
