"""The return workbook's layout: its sheets, their columns and rows, and the hidden marker.

One description that :mod:`~anchor_analysis.collection.templates` writes and
:mod:`~anchor_analysis.collection.workbook` reads, so the two cannot drift apart. Every data sheet has its header in
row 1; the progression and metrics sheets have one fixed row per framework activity and per catalogue metric, the
staff residence and ledger sheets take as many rows as the anchor needs.

>>> layout = return_layout("leeds")
>>> [sheet.name for sheet in layout.sheets]
['progression', 'metrics', 'staff_residence', 'ledger']
>>> layout.sheet("metrics").cell("value", 7)
'D7'
>>> layout.sheet("progression").headers[:6]
['dimension', 'activity', 'activity label', 'current', 'ambition', 'priority']
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.framework import load_framework
from anchor_analysis.core.places import Place, load_place

TEMPLATE_VERSION = 1
"""Raised whenever the layout changes; ``collect`` refuses workbooks made with another version."""

INSTRUCTIONS_SHEET = "instructions"
MARKER_SHEET = "_return"
"""The hidden sheet that says whose return a workbook is (network, anchor, year, template version)."""
LISTS_SHEET = "_lists"
"""The hidden sheet holding the dropdown lists."""
MARKER_KEYS = ("network", "anchor_id", "anchor_name", "year", "template_version")
NOT_REPORTED = "not reported"
"""What an anchor chooses in the metrics sheet for a figure it does not report (distinct from zero)."""
FREE_ROWS = 50_000
"""Rows of the staff residence and ledger sheets left open for entry (a larger ledger goes beside as CSV)."""


@dataclass(frozen=True)
class Column:
    """A column of a return sheet.

    Parameters
    ----------
    header : str
        Its header, in row 1 (``collect`` refuses a workbook whose header is changed).
    field : str, optional
        The contract field it feeds (None: shown for reference only, never read).
    entry : bool, default False
        The anchor types in it (its cells are unlocked; the others are protected).
    width : float, default 14
        Its width in Excel's units.
    """

    header: str
    field: str | None = None
    entry: bool = False
    width: float = 14


@dataclass(frozen=True)
class Sheet:
    """A data sheet of the return workbook.

    Parameters
    ----------
    name : str
        The sheet's name (also the table it feeds).
    columns : tuple of Column
        Its columns, from column A.
    rows : tuple of str, optional
        The key of each fixed row from row 2 (activities, metrics); empty when the anchor adds rows.
    """

    name: str
    columns: tuple[Column, ...]
    rows: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        """The headers of row 1, from column A."""
        return [c.header for c in self.columns]

    @property
    def fixed(self) -> bool:
        """Whether the sheet has one fixed row per key (else the anchor adds rows)."""
        return bool(self.rows)

    def letter(self, header_or_field: str) -> str:
        """The column letter of a column, by header or field.

        Examples
        --------
        >>> return_layout().sheet("ledger").letter("amount")
        'B'
        """
        for number, column in enumerate(self.columns, start=1):
            if header_or_field in (column.header, column.field):
                return get_column_letter(number)
        raise KeyError(f"sheet {self.name} has no column {header_or_field!r}")

    def cell(self, header_or_field: str, row: int) -> str:
        """The cell reference of a column in a row, e.g. ``D7``."""
        return f"{self.letter(header_or_field)}{row}"

    def row_of(self, key: str) -> int:
        """The sheet row of a fixed row's key (an activity or metric)."""
        return self.rows.index(key) + 2


@dataclass(frozen=True)
class ReturnLayout:
    """The data sheets of a place's return workbook (:func:`return_layout`)."""

    sheets: tuple[Sheet, ...]

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name``."""
        return next(s for s in self.sheets if s.name == name)

    @property
    def names(self) -> list[str]:
        """Every sheet a return workbook has, the hidden ones last."""
        return [INSTRUCTIONS_SHEET, *(s.name for s in self.sheets), LISTS_SHEET, MARKER_SHEET]


def return_layout(place: str | Place = "leeds") -> ReturnLayout:
    """The layout of the return workbook for a place (its metrics depend on the place's rings).

    Parameters
    ----------
    place : str or Place, default "leeds"
        The place whose metric catalogue the metrics sheet lists.

    Returns
    -------
    ReturnLayout
        The progression, metrics, staff residence and ledger sheets.

    Examples
    --------
    >>> metrics = return_layout("leeds").sheet("metrics")
    >>> metrics.rows[:3], metrics.row_of("headcount")
    (('headcount', 'staff_in_leeds', 'staff_in_west_yorkshire'), 2)
    """
    place = load_place(place)
    activities = tuple(load_framework().activities["activity"])
    progression = Sheet("progression", (
        Column("dimension", "dimension", width=20), Column("activity", "activity", width=28),
        Column("activity label", width=48), Column("current", "current", True, 10),
        Column("ambition", "ambition", True, 10), Column("priority", "priority", True, 11),
        Column("comment", "comment", True, 40), Column("last current", width=12),
        Column("last ambition", width=13), Column("last priority", width=12), Column("year of last", width=12),
    ), activities)
    metrics = Sheet("metrics", (
        Column("metric", "metric", width=26), Column("label", width=52), Column("unit", "unit", width=9),
        Column("value", "value", True, 16), Column(NOT_REPORTED, entry=True, width=14),
        Column("last value", width=16), Column("year of last", width=12), Column("what it counts", width=70),
    ), tuple(metric_definitions(place).index))
    staff = Sheet("staff_residence", (
        Column("lsoa_code", "lsoa_code", True, 14), Column("count", "count", True, 10),
        Column("postcode", "postcode", True, 12),
    ))
    ledger = Sheet("ledger", (
        Column("payment_date", "payment_date", True, 14), Column("amount", "amount", True, 14),
        Column("supplier_id", "supplier_id", True, 14), Column("supplier_name", "supplier_name", True, 32),
        Column("supplier_postcode", "supplier_postcode", True, 16), Column("category", "category", True, 28),
    ))
    return ReturnLayout((progression, metrics, staff, ledger))
