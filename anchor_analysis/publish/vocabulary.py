"""The reader's words and numbers for a table: headers from one vocabulary, values formatted by unit.

In: a table with the kit's machine column names (``n_reporting``, ``current_q1``, ``spend``). Out: the same table
as a reader sees it (``Anchors reporting``, ``Current, lower quartile``, ``£535.5m``), as a frame of text or as an
accessible HTML table (header cells with ``scope``, a caption). The words and units are data:
``anchor_analysis/data/vocabulary.toml``. CSVs keep the machine names: this is for showing tables only.

>>> reader_frame(pd.DataFrame({"n_reporting": [11], "spend": [535505055.0], "share_leeds": [0.6412]}))
  Anchors reporting    Spend Share leeds
0                11  £535.5m         64%
"""

from __future__ import annotations

import functools
import html
import tomllib
from importlib import resources

import pandas as pd

from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.framework import load_framework
from anchor_analysis.core.places import Place
from anchor_analysis.publish.formatting import format_value, readable_number

BY_ROW = "by_row"
"""The unit of a column whose rows carry their own (a ``unit`` column, else the row's metric)."""


@functools.cache
def load_vocabulary() -> dict:
    """The vocabulary: ``headers``, ``units`` and ``prefixes`` (``anchor_analysis/data/vocabulary.toml``).

    Returns
    -------
    dict

    Examples
    --------
    >>> vocabulary = load_vocabulary()
    >>> vocabulary["headers"]["n_reporting"], vocabulary["headers"]["current_q1"], vocabulary["units"]["spend"]
    ('Anchors reporting', 'Current, lower quartile', 'GBP')
    """
    text = (resources.files("anchor_analysis") / "data" / "vocabulary.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return {"headers": dict(raw.get("headers", {})), "units": dict(raw.get("units", {})),
            "prefixes": dict(raw.get("prefixes", {}))}


def reader_header(name: object) -> str:
    """The reader's header for a column: the vocabulary's, else the name in words.

    Parameters
    ----------
    name : object
        The column's name (not always text: a grid's columns may be years).

    Returns
    -------
    str

    Examples
    --------
    >>> reader_header("n_reporting"), reader_header("spend_west_yorkshire"), reader_header(2024)
    ('Anchors reporting', 'Spend west yorkshire', '2024')
    """
    text = str(name)
    known = load_vocabulary()["headers"].get(text)
    if known:
        return known
    if "_" not in text:
        return text
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def column_unit(name: object) -> str | None:
    """The unit of a column: the vocabulary's, else that of the longest prefix it starts with, else None.

    Examples
    --------
    >>> column_unit("spend"), column_unit("share_leeds"), column_unit("value"), column_unit("comment")
    ('GBP', 'share', 'by_row', None)
    """
    vocabulary = load_vocabulary()
    text = str(name)
    if text in vocabulary["units"]:
        return vocabulary["units"][text]
    prefixes = [p for p in vocabulary["prefixes"] if text.startswith(p)]
    return vocabulary["prefixes"][max(prefixes, key=len)] if prefixes else None


def _row_units(frame: pd.DataFrame, place: str | Place) -> pd.Series | None:
    """Each row's own unit: its ``unit`` column, else its metric's unit in the catalogue; None without either."""
    if "unit" in frame.columns:
        return frame["unit"].astype("object")
    if "metric" in frame.columns:
        return frame["metric"].map(metric_definitions(place)["unit"]).astype("object")
    return None


def _cell(value: object, unit: str | None) -> str:
    """One value as text: by unit when it is a number with a unit, else as tables show numbers, else as it is."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if unit == "text":
            return f"{value:.0f}" if float(value).is_integer() else str(value)
        if unit == "GBP" and abs(value) < 1e6:
            return f"£{value:,.0f}"  # a table's small sums in pounds, not £0.0m
        if unit and unit != BY_ROW:
            return format_value(value, unit)
        return readable_number(value)
    return str(value)


def _value_words(place: str | Place) -> dict[str, dict[str, str]]:
    """The reader's words for the values of key columns: metrics by their catalogue label, dimensions by theirs."""
    dimensions = load_framework().dimensions.set_index("dimension")["label"]
    return {"metric": metric_definitions(place)["label"].to_dict(), "dimension": dimensions.to_dict()}


def reader_frame(frame: pd.DataFrame, place: str | Place = "leeds") -> pd.DataFrame:
    """``frame`` as a reader sees it: every value as text formatted by its column's unit, headers in words, and
    metric and dimension keys by their labels.

    Parameters
    ----------
    frame : DataFrame
        The table, with machine column names.
    place : str or Place, default "leeds"
        The place whose metric catalogue gives the metrics' labels and units (its rings name them).

    Returns
    -------
    DataFrame
        The same rows and index, values as text, columns renamed by :func:`reader_header`.

    Examples
    --------
    >>> table = pd.DataFrame({"metric": ["headcount", "spend_leeds"], "value": [62300.0, 511000000.0],
    ...                       "all_change_pct": [1.62, -4.4]})
    >>> reader_frame(table).values.tolist()
    [['Workforce headcount', '62,300', '+1.6%'], ['Influenceable spend with suppliers in Leeds', '£511.0m', '-4.4%']]
    """
    row_units = _row_units(frame, place)
    words = _value_words(place)
    out = {}
    for position, column in enumerate(frame.columns):
        unit = column_unit(column)
        values = frame.iloc[:, position]
        if unit == BY_ROW and row_units is not None:
            out[position] = [_cell(v, u if isinstance(u, str) else None) for v, u in zip(values, row_units,
                                                                                     strict=True)]
        else:
            out[position] = [_cell(v, unit) for v in values]
        if str(column) in words:
            out[position] = [words[str(column)].get(v, v) for v in out[position]]
    shown = pd.DataFrame(out, index=frame.index)
    shown.columns = [reader_header(c) for c in frame.columns]
    return shown


def reader_table_html(frame: pd.DataFrame, *, caption: str = "", index: bool | None = None,
                      place: str | Place = "leeds") -> str:
    """An accessible HTML table of ``frame`` in the reader's words: a header row of ``<th scope="col">``, row
    labels as ``<th scope="row">`` when the index means something, numbers aligned right, an optional caption.

    Parameters
    ----------
    frame : DataFrame
        The table, with machine column names.
    caption : str, default ""
        The table's caption (its title, for screen readers too).
    index : bool, optional
        Show the index as row headers; default: when it is not the plain 0, 1, 2, ... of a fresh frame.
    place : str or Place, default "leeds"
        As for :func:`reader_frame`.

    Returns
    -------
    str

    Examples
    --------
    >>> page = reader_table_html(pd.DataFrame({"n_reporting": [11]}), caption="Who reported")
    >>> page.removeprefix('<table class="reader">').split("<tbody>")
    ['<caption>Who reported</caption><thead><tr><th scope="col">Anchors reporting</th></tr></thead>', \
'<tr><td>11</td></tr></tbody></table>']
    """
    shown = reader_frame(frame, place)
    if index is None:
        index = not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in shown.columns)
    if index:
        head = f'<th scope="col">{html.escape(reader_header(frame.index.name or ""))}</th>' + head
    numeric = [pd.api.types.is_numeric_dtype(frame.iloc[:, i]) for i in range(frame.shape[1])]
    rows = []
    for label, values in zip(frame.index, shown.itertuples(index=False, name=None), strict=True):
        cells = "".join(f"<td>{html.escape(v)}</td>" if numeric[i] else f'<td class="text">{html.escape(v)}</td>'
                        for i, v in enumerate(values))
        if index:
            cells = f'<th scope="row">{html.escape(_cell(label, None))}</th>' + cells
        rows.append(f"<tr>{cells}</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="reader">{title}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def show_tables_in_reader_words(max_rows: int | None = None, place: str | Place = "leeds") -> bool:
    """Make IPython show every DataFrame as :func:`reader_table_html` (headers in words, numbers by unit).

    A notebook calls it once (:func:`anchor_analysis.reporting.section.open_section` does); a frame longer than
    ``max_rows`` shows its first rows and says how many more there are. A frame with several column levels is left
    to pandas.

    Parameters
    ----------
    max_rows : int, optional
        Rows shown; default pandas' ``display.max_rows``.
    place : str or Place, default "leeds"
        The network's place (metric labels and units).

    Returns
    -------
    bool
        True when registered; False outside IPython.

    Examples
    --------
    >>> show_tables_in_reader_words()
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False

    def as_html(frame: pd.DataFrame) -> str:
        if isinstance(frame.columns, pd.MultiIndex) or isinstance(frame.index, pd.MultiIndex):
            return frame._repr_html_()
        limit = max_rows or pd.get_option("display.max_rows") or len(frame)
        page = reader_table_html(frame.head(limit), place=place)
        more = len(frame) - limit
        return page + (f'<p class="note">{more:,} more rows: the table\'s CSV has them all.</p>' if more > 0 else "")

    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, as_html)
    return True
