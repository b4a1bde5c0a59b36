"""Reading one returned workbook: is it a template of the kit, is its shape intact, and what did the anchor type.

Nothing here judges the values (the contracts do, :mod:`~anchor_analysis.collection.checks`); this module refuses
what cannot be read as the template was written (a file that is not a workbook, a renamed or deleted sheet, a
changed header, merged cells, a cell showing a formula's error, a date where a number belongs) and turns the rest
into the kit's tables as text, each row remembering the sheet and cell it came from.

>>> import tempfile, pathlib
>>> from anchor_analysis.collection.templates import write_templates
>>> path = write_templates("data/raw/demo", 2025, pathlib.Path(tempfile.mkdtemp()))[0]
>>> returned = read_return(path, "leeds")
>>> returned.marker["anchor_id"], returned.year, returned.failures, returned.empty
('cultural_body_a', 2025, [], True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES

from anchor_analysis.collection.layout import (
    MARKER_KEYS,
    MARKER_SHEET,
    NOT_REPORTED,
    TEMPLATE_VERSION,
    ReturnLayout,
    Sheet,
    return_layout,
)
from anchor_analysis.contracts.readers import _cell_text
from anchor_analysis.contracts.report import Failure
from anchor_analysis.core.places import Place
from anchor_analysis.core.postcodes import valid_postcode_mask

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_NUMBER_FIELDS = {"current", "ambition", "value", "count", "amount"}


@dataclass(frozen=True, slots=True)
class CellFailure(Failure):
    """A failure in a returned workbook, placed by sheet and cell as the anchor sees them in Excel.

    Parameters
    ----------
    file, row, column, value, rule, severity
        As :class:`~anchor_analysis.contracts.report.Failure` (``file`` is the workbook's name, ``row`` the sheet
        row, ``column`` the contract field).
    sheet : str, optional
        The sheet (None: the whole workbook).
    cell : str, optional
        The cell, e.g. ``D7`` (None: a whole sheet or row).

    Examples
    --------
    >>> CellFailure("NHS Trust A 2025.xlsx", 7, "value", "1,2O0", "value must be a number", sheet="metrics",
    ...             cell="D7").describe()
    "NHS Trust A 2025.xlsx, sheet metrics, cell D7: value '1,2O0': value must be a number"
    >>> CellFailure("NHS Trust A 2025.xlsx", None, None, None, "sheet 'metrics' is missing").describe()
    "NHS Trust A 2025.xlsx: sheet 'metrics' is missing"
    """

    sheet: str | None = None
    cell: str | None = None

    def describe(self) -> str:
        """The failure in one line: workbook, sheet, cell (or row), the value as typed, and the rule."""
        place = self.file
        if self.sheet is not None:
            place += f", sheet {self.sheet}"
            if self.cell is not None:
                place += f", cell {self.cell}"
            elif self.row is not None:
                place += f", row {self.row}"
        parts = [place]
        if self.value is not None:
            parts.append(f"value '{self.value}'")
        if self.severity == "warning":
            parts.append("warning")
        parts.append(self.rule)
        return ": ".join(parts)


@dataclass
class ReturnedWorkbook:
    """What a returned workbook holds, as text, or why it cannot be read.

    Attributes
    ----------
    path : Path
        The workbook.
    marker : dict
        The hidden marker (network, anchor_id, anchor_name, year, template_version); empty when unreadable.
    tables : dict of str to DataFrame
        Table name -> the anchor's rows as text (contract columns), indexed by sheet row - 2, so
        :func:`~anchor_analysis.contracts.report.excel_row` of the index is the sheet row.
    failures : list of CellFailure
        Everything that stops the workbook being read, or a note (warnings) about what was typed.
    """

    path: Path
    marker: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    failures: list[CellFailure] = field(default_factory=list)

    @property
    def file(self) -> str:
        """The workbook's file name, as failures name it."""
        return self.path.name

    @property
    def year(self) -> int | None:
        """The financial year the marker names (None when unreadable)."""
        year = self.marker.get("year")
        return int(year) if isinstance(year, int | float) and not isinstance(year, bool) else None

    @property
    def readable(self) -> bool:
        """Whether nothing stopped the workbook being read (values are judged later)."""
        return not any(f.severity == "error" for f in self.failures)

    @property
    def empty(self) -> bool:
        """Whether the anchor filled in nothing at all."""
        return not any(len(frame) for frame in self.tables.values())

    def fail(self, rule: str, *, sheet: str | None = None, cell: str | None = None, row: int | None = None,
             value: object = None, column: str | None = None, severity: str = "error") -> None:
        """Record a failure of this workbook."""
        shown = None if value is None else str(value)
        self.failures.append(CellFailure(self.file, row, column, shown, rule, severity, sheet, cell))


def read_return(path: str | Path, place: str | Place = "leeds", layout: ReturnLayout | None = None
                ) -> ReturnedWorkbook:
    """Read a returned workbook: its marker, its shape and the anchor's entries as the kit's tables.

    This never raises for a bad file: what stops it being read is a failure of the result.

    Parameters
    ----------
    path : str or path-like
        The workbook.
    place : str or Place, default "leeds"
        The place (its metrics make the metrics sheet's rows).
    layout : ReturnLayout, optional
        The layout to check against; default :func:`~anchor_analysis.collection.layout.return_layout`.

    Returns
    -------
    ReturnedWorkbook
        The marker, the tables as text and the failures.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "NHS Trust A 2025.xlsx"
    >>> _ = path.write_text("anchor_id,metric,value\\nnhs_trust_a,headcount,12400\\n")
    >>> print(read_return(path).failures[0].describe())
    NHS Trust A 2025.xlsx: a CSV or other text file with an .xlsx name: send the workbook itself (.xlsx)
    """
    returned = ReturnedWorkbook(Path(path))
    layout = layout or return_layout(place)
    problem = _not_a_workbook(returned.path)
    if problem:
        returned.fail(problem)
        return returned
    try:
        values = load_workbook(returned.path, data_only=True)
        formulas = load_workbook(returned.path, data_only=False)
    except Exception as exc:  # openpyxl raises zipfile, XML and key errors for damaged files
        returned.fail(f"the workbook is damaged and cannot be opened ({type(exc).__name__}): save it again from "
                      "Excel, or send a fresh copy")
        return returned
    if _read_marker(returned, values) and _check_sheets(returned, values, layout):
        for sheet in layout.sheets:
            _read_sheet(returned, values[sheet.name], formulas[sheet.name], sheet)
    return returned


def _not_a_workbook(path: Path) -> str | None:
    """Why the file is not an .xlsx workbook (None when it is a zip archive, as every .xlsx is)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head:
        return "the file is empty (0 bytes): send the filled-in workbook"
    if head.startswith(_ZIP_MAGIC):
        return None
    if head.startswith(_CFB_MAGIC):
        if _ENCRYPTED in head or _ENCRYPTED in path.read_bytes():
            return ("the workbook is protected with a password (encrypted), so it cannot be read: remove the "
                    "password (File > Info > Protect Workbook > Encrypt with Password) and send it again")
        return "an old Excel workbook (.xls) with an .xlsx name: open it in Excel and save it as .xlsx"
    try:
        head.decode("utf-8")
        return "a CSV or other text file with an .xlsx name: send the workbook itself (.xlsx)"
    except UnicodeDecodeError:
        return "not an Excel workbook (.xlsx): send the workbook you were sent, filled in"


def _read_marker(returned: ReturnedWorkbook, values) -> bool:
    """The hidden marker into ``returned.marker``; False (with the failure) when missing or too old."""
    if MARKER_SHEET not in values.sheetnames:
        returned.fail("not a return template of this kit (it has no hidden return marker): fill in the template "
                      "you were sent for this year")
        return False
    rows = {str(key).strip(): value for key, value, *_ in values[MARKER_SHEET].iter_rows(values_only=True)
            if key is not None}
    missing = [key for key in MARKER_KEYS if rows.get(key) in (None, "")]
    if missing:
        returned.fail(f"the hidden return marker has been changed (no {', '.join(missing)}): fill in the "
                      "template you were sent for this year")
        return False
    returned.marker = {key: rows[key] for key in MARKER_KEYS}
    version = rows["template_version"]
    if version != TEMPLATE_VERSION:
        age = "an older" if isinstance(version, int | float) and version < TEMPLATE_VERSION else "another"
        returned.fail(f"made from {age} template (version {version}; this kit reads version {TEMPLATE_VERSION}): "
                      "copy the figures into this year's template")
        return False
    return True


def _check_sheets(returned: ReturnedWorkbook, values, layout: ReturnLayout) -> bool:
    """Every sheet of the template is there under its name, headers unchanged, no merged cells."""
    found = values.sheetnames
    for name in layout.names:
        if name not in found:
            extra = [s for s in found if s not in layout.names]
            hint = f" (found {', '.join(repr(s) for s in extra)}: was it renamed?)" if extra else ""
            returned.fail(f"sheet '{name}' is missing{hint}: sheets must keep the names of the template")
    for sheet in layout.sheets:
        if sheet.name in found:
            _check_headers(returned, values[sheet.name], sheet)
            for merged in sorted(str(r) for r in values[sheet.name].merged_cells.ranges):
                returned.fail(f"cells {merged} are merged: unmerge them, one value per cell", sheet=sheet.name,
                              cell=merged.split(":")[0])
    return returned.readable


def _check_headers(returned: ReturnedWorkbook, ws, sheet: Sheet) -> None:
    """Row 1 must hold the template's headers, in order (a moved, renamed or re-typed header is refused)."""
    for number, header in enumerate(sheet.headers, start=1):
        typed = ws.cell(1, number).value
        if typed is None or str(typed).strip() != header:
            returned.fail(f"header '{header}' belongs here (columns must not be moved, renamed or re-typed)",
                          sheet=sheet.name, cell=ws.cell(1, number).coordinate, row=1,
                          value="" if typed is None else typed)


def _cell(returned: ReturnedWorkbook, sheet: Sheet, value_cell, formula_cell, field_name: str) -> str:
    """A cell's text as the contracts read it; what cannot stand for a value is a failure (and read as blank)."""
    value = value_cell.value
    where = {"sheet": sheet.name, "cell": value_cell.coordinate, "row": value_cell.row, "column": field_name}
    if isinstance(value, str) and value.strip() in ERROR_CODES:
        returned.fail(f"the cell shows the error {value.strip()} (from a formula): type the value itself",
                      value=value, **where)
        return ""
    if value is None and formula_cell.data_type == "f":
        returned.fail("a formula without a calculated value: open and save the workbook in Excel, or type the "
                      "value itself", value=formula_cell.value, **where)
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time) and field_name in _NUMBER_FIELDS:
        returned.fail("a date where a number belongs: type the number, formatted as a number (not a date)",
                      value=_cell_text(value), **where)
        return ""
    return _cell_text(value).strip()


def _read_sheet(returned: ReturnedWorkbook, values, formulas, sheet: Sheet) -> None:
    """The anchor's entries in one sheet, as the rows of its table (text), indexed by sheet row - 2."""
    entries = [(number, column) for number, column in enumerate(sheet.columns, start=1)
               if column.entry or column.field in ("dimension", "activity", "metric", "unit")]
    last_row = len(sheet.rows) + 1 if sheet.fixed else values.max_row
    records: dict[int, dict[str, str]] = {}
    for row in range(2, last_row + 1):
        record = {column.field or column.header: _cell(returned, sheet, values.cell(row, number),
                                                       formulas.cell(row, number), column.field or column.header)
                  for number, column in entries}
        if sheet.fixed:
            _check_key(returned, sheet, values, row, record)
        if any(record.get(c.field or c.header) for c in sheet.columns if c.entry):
            records[row - 2] = record
    frame = pd.DataFrame.from_dict(records, orient="index", dtype="str")
    _TABLE_BUILDERS[sheet.name](returned, sheet, frame)


def _check_key(returned: ReturnedWorkbook, sheet: Sheet, ws, row: int, record: dict[str, str]) -> None:
    """A fixed row must still name its activity or metric (rows must not be moved or sorted)."""
    key_field = "activity" if sheet.name == "progression" else "metric"
    expected = sheet.rows[row - 2]
    if record.get(key_field) != expected:
        returned.fail(f"{key_field} '{expected}' belongs in this row (rows must not be moved, sorted or changed)",
                      sheet=sheet.name, cell=sheet.cell(key_field, row), row=row, value=record.get(key_field))


def _with_keys(returned: ReturnedWorkbook, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with the return's year and anchor in front, in the contract's column order."""
    frame = frame.assign(year=str(returned.marker["year"]), anchor_id=str(returned.marker["anchor_id"]))
    return frame.reindex(columns=columns, fill_value="").fillna("")


def _progression(returned: ReturnedWorkbook, sheet: Sheet, frame: pd.DataFrame) -> None:
    """Assessed activities; a blank priority beside a level is noted (a warning)."""
    columns = ["year", "anchor_id", "dimension", "activity", "current", "ambition", "priority", "comment"]
    if frame.empty:
        returned.tables["progression"] = pd.DataFrame(columns=columns, dtype="str")
        return
    frame = _with_keys(returned, frame, columns)
    for position in frame.index[(frame["priority"] == "") & (frame["current"] != "")]:
        returned.fail("priority left blank: choose high, medium or low (taken in as no priority if accepted)",
                      sheet=sheet.name, cell=sheet.cell("priority", position + 2), row=position + 2,
                      column="priority", severity="warning")
    returned.tables["progression"] = frame


def _metrics(returned: ReturnedWorkbook, sheet: Sheet, frame: pd.DataFrame) -> None:
    """Reported metrics; a value beside 'not reported' is refused, a blank without it is noted."""
    columns = ["year", "anchor_id", "metric", "value", "unit"]
    chosen = frame.get(NOT_REPORTED, pd.Series(dtype="str")).reindex(frame.index).fillna("")
    for position in frame.index[(chosen != "") & (chosen.str.lower() != NOT_REPORTED)]:
        returned.fail(f"choose '{NOT_REPORTED}' or leave the cell blank", sheet=sheet.name,
                      cell=sheet.cell(NOT_REPORTED, position + 2), row=position + 2, value=chosen[position])
    both = frame.index[(chosen != "") & (frame.get("value", chosen) != "")]
    for position in both:
        returned.fail(f"a value and '{NOT_REPORTED}' together: keep one", sheet=sheet.name,
                      cell=sheet.cell("value", position + 2), row=position + 2, value=frame.at[position, "value"])
    reported = frame[frame.get("value", chosen) != ""] if not frame.empty else frame
    returned.tables["metrics"] = _with_keys(returned, reported, columns) if len(reported) else \
        pd.DataFrame(columns=columns, dtype="str")
    _blank_metrics(returned, sheet, frame)


def _blank_metrics(returned: ReturnedWorkbook, sheet: Sheet, frame: pd.DataFrame) -> None:
    """Metrics left blank without 'not reported' (a warning each, when anything else was filled in)."""
    answered = set(frame.index + 2)
    blank = [row for row in range(2, len(sheet.rows) + 2) if row not in answered]
    if answered and blank:
        rows = ", ".join(sheet.cell("value", row) for row in blank)
        returned.fail(f"{len(blank)} metrics left blank ({rows}): taken in as not reported; choose "
                      f"'{NOT_REPORTED}' to say so", sheet=sheet.name, severity="warning")


def _staff(returned: ReturnedWorkbook, sheet: Sheet, frame: pd.DataFrame) -> None:
    """Staff counts by LSOA, or postcodes (one per member of staff), never both; postcodes in the LSOA column
    are refused with a hint."""
    if frame.empty:
        return
    by_lsoa = (frame["lsoa_code"] != "") | (frame["count"] != "")
    by_postcode = frame["postcode"] != ""
    if by_lsoa.any() and by_postcode.any():
        returned.fail("both LSOA counts (columns A and B) and postcodes (column C): send one or the other",
                      sheet=sheet.name)
        return
    looks_like_postcode = valid_postcode_mask(frame["lsoa_code"].where(frame["lsoa_code"] != ""))
    for position in frame.index[looks_like_postcode.fillna(False).astype(bool)]:
        returned.fail("a postcode, not an LSOA code: put staff postcodes in column C (postcode), one per member "
                      "of staff, with column B blank (they are aggregated to LSOA counts on receipt and never "
                      "kept)", sheet=sheet.name, cell=sheet.cell("lsoa_code", position + 2), row=position + 2,
                      column="lsoa_code", value=frame.at[position, "lsoa_code"])
    if by_postcode.any():
        returned.tables["staff_residence_postcodes"] = _with_keys(returned, frame[["postcode"]],
                                                                  ["year", "anchor_id", "postcode"])
    else:
        returned.tables["staff_residence"] = _with_keys(returned, frame[["lsoa_code", "count"]],
                                                        ["year", "anchor_id", "lsoa_code", "count"])


def _ledger(returned: ReturnedWorkbook, sheet: Sheet, frame: pd.DataFrame) -> None:
    """Payments typed or pasted into the ledger sheet."""
    if frame.empty:
        return
    columns = ["anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
               "category"]
    returned.tables["ledger"] = _with_keys(returned, frame, ["year", *columns])[columns]


_TABLE_BUILDERS = {"progression": _progression, "metrics": _metrics, "staff_residence": _staff,
                   "ledger": _ledger}
