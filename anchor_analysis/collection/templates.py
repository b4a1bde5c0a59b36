"""Return templates: one XLSX workbook per member of the network in a year, for the anchor to fill in.

Written with openpyxl: the kit already reads workbooks with it, it writes what a return needs (dropdown and number
validation, sheet and workbook protection without a password, hidden sheets, defined names), and a workbook it
wrote can be filled in by code exactly as an anchor fills it in Excel, which is how the tests go end to end.
XlsxWriter writes as well but cannot read or change a workbook. openpyxl stamps the save time into the file; the
templates are saved with a fixed time instead (:func:`save_workbook`), so the same network gives the same bytes.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> written = write_templates("data/raw/demo", 2025, out)
>>> len(written), written[0].name
(13, 'Cultural Body A 2025.xlsx')
>>> again = write_templates("data/raw/demo", 2025, out)
>>> [p.name for p in again] == [p.name for p in written]
True
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from anchor_analysis.collection.instructions import instruction_lines, metric_rows
from anchor_analysis.collection.layout import (
    FREE_ROWS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MARKER_SHEET,
    NOT_REPORTED,
    TEMPLATE_VERSION,
    Sheet,
    return_layout,
)
from anchor_analysis.contracts.fields import PRIORITIES
from anchor_analysis.contracts.network import Network, load_network
from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.errors import CollectionError
from anchor_analysis.core.files import atomic_path
from anchor_analysis.core.framework import LEVELS, load_framework
from anchor_analysis.core.membership import members
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label

ENTRY_FILL = PatternFill("solid", fgColor="FFF2CC")
REFERENCE_FONT = Font(color="666666")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)
_UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def workbook_name(anchor_name: str, year: int) -> str:
    """The file name of an anchor's return: ``NHS Trust A 2025.xlsx`` (characters no file system takes become -).

    Examples
    --------
    >>> workbook_name("NHS Trust A", 2025), workbook_name("Arts/Culture: Leeds", 2025)
    ('NHS Trust A 2025.xlsx', 'Arts-Culture- Leeds 2025.xlsx')
    """
    return f"{_UNSAFE_IN_NAMES.sub('-', anchor_name).strip()} {int(year)}.xlsx"


def write_templates(data_dir: str | Path, year: int, out_dir: str | Path, *, place: str | Place | None = None,
                    overwrite: bool = False) -> list[Path]:
    """Write one return template per member of the network in ``year`` into ``out_dir``.

    Each is named after its anchor (:func:`workbook_name`) and carries the anchor's last returns for reference.
    A file already in ``out_dir`` with the same bytes is left alone; one with other bytes (perhaps a filled-in
    return) is refused unless ``overwrite``.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder (validated first).
    year : int
        The financial year of the returns (2025 = 2025/26).
    out_dir : str or path-like
        Where the workbooks go (created when missing).
    place : str or Place, optional
        The place; default the network's own.
    overwrite : bool, default False
        Replace workbooks of the same name that differ.

    Returns
    -------
    list of Path
        The workbooks, by file name.

    Raises
    ------
    ValidationFailed
        The network folder is not valid.
    CollectionError
        No anchor was a member in ``year``, or a different workbook of the same name is in the way.
    """
    network = load_network(data_dir, place)
    ids = members(network.anchors, year)
    if not ids:
        raise CollectionError(f"no anchor of {network.name} is a member in {fy_label(year)}: no templates written")
    names = network.anchors.set_index("anchor_id")["name"]
    out = Path(out_dir)
    written = []
    for anchor_id in sorted(ids, key=lambda a: names[a]):
        path = out / workbook_name(names[anchor_id], year)
        written.append(_write_one(build_template(network, anchor_id, year), path, year, overwrite))
    return written


def _write_one(workbook: Workbook, path: Path, year: int, overwrite: bool) -> Path:
    """Save ``workbook`` at ``path`` unless a different file is there and ``overwrite`` is off."""
    if path.exists() and not overwrite:
        scratch = path.with_name(f".{path.name}.new")
        try:
            save_workbook(workbook, scratch, template_time(year))
            if scratch.read_bytes() == path.read_bytes():
                return path
        finally:
            scratch.unlink(missing_ok=True)
        raise CollectionError(f"{path} exists and differs from the template (it may be a filled-in return): "
                              "move it away, write the templates to another folder, or pass --overwrite")
    return save_workbook(workbook, path, template_time(year))


def template_time(year: int) -> dt.datetime:
    """The fixed time stamped into every template of a year (1 January of its starting year)."""
    return dt.datetime(int(year), 1, 1)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose members all carry one fixed time (zipfile stamps the current time otherwise)."""

    fixed = (1980, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        """Write a member, stamped with :attr:`fixed` instead of the current time."""
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.fixed)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o644 << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """Write a file as a member (openpyxl writes each worksheet this way), stamped with :attr:`fixed`."""
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes(), compress_type, compresslevel)


def save_workbook(workbook: Workbook, path: str | Path, stamp: dt.datetime) -> Path:
    """Save ``workbook`` atomically with ``stamp`` as its created and modified time, so equal books are equal bytes.

    Parameters
    ----------
    workbook : Workbook
        The openpyxl workbook.
    path : str or path-like
        The file to write.
    stamp : datetime
        The time written into the document properties (the zip members carry 1980-01-01).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, datetime
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> book = Workbook()
    >>> book.active["A1"] = "same bytes"
    >>> first = save_workbook(book, folder / "a.xlsx", datetime.datetime(2025, 1, 1)).read_bytes()
    >>> first == save_workbook(book, folder / "b.xlsx", datetime.datetime(2025, 1, 1)).read_bytes()
    True
    """
    workbook.properties.created = workbook.properties.modified = stamp
    with atomic_path(path) as tmp:
        with _FixedTimeZip(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(workbook, archive).save()
    return Path(path)


def build_template(network: Network, anchor_id: str, year: int) -> Workbook:
    """The return workbook of one anchor for one year, with its last returns shown for reference.

    Parameters
    ----------
    network : Network
        The validated network (:func:`~anchor_analysis.contracts.network.load_network`).
    anchor_id : str
        The anchor.
    year : int
        The financial year of the return.

    Returns
    -------
    Workbook
        Sheets instructions, progression, metrics, staff_residence and ledger; hidden _lists and _return.

    Examples
    --------
    >>> from anchor_analysis.contracts.network import load_network
    >>> book = build_template(load_network("data/raw/demo"), "nhs_trust_a", 2025)
    >>> book.sheetnames
    ['instructions', 'progression', 'metrics', 'staff_residence', 'ledger', '_lists', '_return']
    >>> book["metrics"]["A2"].value, book["metrics"]["F2"].value, book["metrics"]["G2"].value
    ('headcount', 20367, '2024/25')
    """
    layout = return_layout(network.place)
    name = network.anchors.set_index("anchor_id").at[anchor_id, "name"]
    workbook = Workbook()
    _instructions(workbook.active, network, name, year)
    _progression(workbook.create_sheet("progression"), layout.sheet("progression"), network, anchor_id, year)
    _metrics(workbook.create_sheet("metrics"), layout.sheet("metrics"), network, anchor_id, year)
    for sheet in (layout.sheet("staff_residence"), layout.sheet("ledger")):
        _free_sheet(workbook.create_sheet(sheet.name), sheet)
    _lists(workbook)
    _marker(workbook, network.name, anchor_id, name, year)
    workbook.security = WorkbookProtection(lockStructure=True)
    return workbook


def _instructions(ws: Worksheet, network: Network, name: str, year: int) -> None:
    """The instructions sheet: how to fill in the return and what each figure means, one paragraph a row."""
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 130
    lines = instruction_lines(network.name, name, year, network.place, network.deadline, network.contact)
    lines += [f"{metric} ({unit}): {meaning}" for metric, _, unit, meaning in metric_rows(network.place, year)]
    for row, line in enumerate(lines, start=1):
        cell = ws.cell(row, 1, line or None)
        if row == 1 or line.endswith(":"):
            cell.font = Font(bold=True, size=14 if row == 1 else 11)
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def _header(ws: Worksheet, sheet: Sheet) -> None:
    """Row 1: the headers (locked, bold, grey), the column widths, the entry columns' yellow."""
    for number, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, number, column.header)
        cell.font, cell.fill, cell.protection = HEADER_FONT, HEADER_FILL, LOCKED
        ws.column_dimensions[cell.column_letter].width = column.width
    ws.freeze_panes = "A2"


def _protect(ws: Worksheet, *, rows_free: bool) -> None:
    """Protect the sheet without a password; columns may be widened, rows added only where the anchor adds rows."""
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False
    if rows_free:
        protection.insertRows = protection.deleteRows = False


def _last_returns(table: pd.DataFrame, anchor_id: str, year: int, key: str) -> pd.DataFrame:
    """The anchor's latest row per ``key`` from the years before ``year``."""
    earlier = table[(table["anchor_id"] == anchor_id) & (table["year"] < year)]
    return earlier.sort_values("year").drop_duplicates(key, keep="last").set_index(key)


def _progression(ws: Worksheet, sheet: Sheet, network: Network, anchor_id: str, year: int) -> None:
    """One row per activity: keys and label, the entry cells, the anchor's last assessment."""
    _header(ws, sheet)
    framework = load_framework()
    last = _last_returns(network.progression, anchor_id, year, "activity")
    for activity in framework.activities.itertuples():
        row = sheet.row_of(activity.activity)
        ws.cell(row, 1, activity.dimension)
        ws.cell(row, 2, activity.activity)
        ws.cell(row, 3, activity.label)
        if activity.activity in last.index:
            before = last.loc[activity.activity]
            values = [before["current"], before["ambition"], before["priority"], fy_label(before["year"])]
            for number, value in enumerate(values, start=8):
                ws.cell(row, number, None if pd.isna(value) else (int(value) if number < 10 else str(value)))
        _style_row(ws, sheet, row)
    end = len(sheet.rows) + 1
    _levels_validation(ws, f"D2:D{end}", "current")
    _ambition_validation(ws, f"E2:E{end}")
    _list_validation(ws, f"F2:F{end}", f'"{",".join(PRIORITIES)}"', "priority", "high, medium or low")
    _protect(ws, rows_free=False)


def _style_row(ws: Worksheet, sheet: Sheet, row: int) -> None:
    """Entry cells yellow and unlocked; reference cells grey."""
    for number, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row, number)
        if column.entry:
            cell.fill, cell.protection = ENTRY_FILL, UNLOCKED
        elif column.field is None:
            cell.font = REFERENCE_FONT


def _validation(ws: Worksheet, cells: str, title: str, prompt: str, **kind) -> None:
    """Add a data validation that refuses what breaks it, with its prompt and error message."""
    check = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                           errorTitle=f"Not a valid {title}", error=prompt, promptTitle=title, prompt=prompt,
                           **kind)
    for ref in cells.split():
        check.add(ref)
    ws.add_data_validation(check)


def _list_validation(ws: Worksheet, cells: str, source: str, title: str, prompt: str) -> None:
    """A dropdown of ``source`` (a quoted list or a formula giving a range)."""
    _validation(ws, cells, title, f"Choose {prompt}.", type="list", formula1=source)


def _levels_validation(ws: Worksheet, cells: str, title: str) -> None:
    """A dropdown of the framework levels."""
    _list_validation(ws, cells, "levels", title, f"a level, {LEVELS[0]} to {LEVELS[-1]}")


def _ambition_validation(ws: Worksheet, cells: str) -> None:
    """A dropdown of the levels from the row's current level up, so ambition below current is refused."""
    top = len(LEVELS)
    floor = "MAX(N($D2),1)"
    source = f"OFFSET(levels,{floor}-1,0,{top + 1}-{floor},1)"
    _list_validation(ws, cells, source, "ambition", f"a level, {LEVELS[0]} to {LEVELS[-1]}, not below current")


def _metrics(ws: Worksheet, sheet: Sheet, network: Network, anchor_id: str, year: int) -> None:
    """One row per metric: key, label, unit, the entry cells, the anchor's last value, what it counts."""
    _header(ws, sheet)
    definitions = metric_definitions(network.place)
    meanings = {row[0]: row[3] for row in metric_rows(network.place, year)}
    last = _last_returns(network.metrics, anchor_id, year, "metric")
    cells: dict[str, list[str]] = {"count": [], "flag": [], "amount": []}
    for metric, spec in definitions.iterrows():
        row = sheet.row_of(metric)
        for number, value in enumerate((metric, spec["label"], spec["unit"]), start=1):
            ws.cell(row, number, value)
        if metric in last.index:
            value = float(last.at[metric, "value"])
            ws.cell(row, 6, int(value) if value.is_integer() else value)
            ws.cell(row, 7, fy_label(last.at[metric, "year"]))
        ws.cell(row, 8, meanings[metric])
        _style_row(ws, sheet, row)
        cells[spec["kind"] if spec["kind"] in ("count", "flag") else "amount"].append(f"D{row}")
    rules = {"count": ("whole", "a whole number, 0 or more"), "amount": ("decimal", "a number, 0 or more"),
             "flag": ("whole", "1 for yes or 0 for no")}
    for kind, refs in cells.items():
        if refs:
            number_type, prompt = rules[kind]
            bounds = {"operator": "between", "formula1": "0", "formula2": "1"} if kind == "flag" else \
                {"operator": "greaterThanOrEqual", "formula1": "0"}
            _validation(ws, " ".join(refs), "value", f"Type {prompt}, without £, commas or units.",
                        type=number_type, **bounds)
    end = len(sheet.rows) + 1
    _list_validation(ws, f"E2:E{end}", f'"{NOT_REPORTED}"', NOT_REPORTED,
                     f"'{NOT_REPORTED}' if you do not report this figure (it is not zero)")
    _protect(ws, rows_free=False)


def _free_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """A sheet the anchor adds rows to: headers locked, every row below them open for entry."""
    _header(ws, sheet)
    for number in range(1, len(sheet.columns) + 1):
        dimension = ws.column_dimensions[ws.cell(1, number).column_letter]
        dimension.protection, dimension.fill = UNLOCKED, ENTRY_FILL
    last = FREE_ROWS + 1
    if sheet.name == "staff_residence":
        _validation(ws, f"B2:B{last}", "count", "Type a whole number of staff, 0 or more.", type="whole",
                    operator="greaterThanOrEqual", formula1="0")
        _validation(ws, f"A2:A{last}", "LSOA code", "Type an LSOA code such as E01011264 (postcodes go in "
                    "column C).", type="textLength", operator="equal", formula1="9")
    else:
        _validation(ws, f"A2:A{last}", "payment date", "Type the date of the payment.", type="date",
                    operator="greaterThan", formula1="1")
        _validation(ws, f"B2:B{last}", "amount", "Type the amount in pounds (credits negative), without £ or "
                    "commas.", type="decimal", operator="between", formula1="-1E+15", formula2="1E+15")
    _protect(ws, rows_free=True)


def _lists(workbook: Workbook) -> None:
    """The hidden sheet of dropdown lists, and the name ``levels`` for the framework levels."""
    ws = workbook.create_sheet(LISTS_SHEET)
    for row, level in enumerate(LEVELS, start=1):
        ws.cell(row, 1, level)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    workbook.defined_names["levels"] = DefinedName("levels", attr_text=f"{LISTS_SHEET}!$A$1:$A${len(LEVELS)}")


def _marker(workbook: Workbook, network: str, anchor_id: str, name: str, year: int) -> None:
    """The hidden sheet that says whose return this is: ``collect`` refuses it for any other."""
    ws = workbook.create_sheet(MARKER_SHEET)
    values = {"network": network, "anchor_id": anchor_id, "anchor_name": name, "year": int(year),
              "template_version": TEMPLATE_VERSION}
    for row, (key, value) in enumerate(values.items(), start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
