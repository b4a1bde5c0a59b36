"""Reading a table's cells as text, from CSV (UTF-8, or Windows-1252 with a warning) or XLSX.

Every cell is read as text first and converted afterwards, so a failure can quote the value exactly as the user
typed it. Rows with no data at all are skipped (row numbers still count them), headers are matched ignoring case
and surrounding spaces, and cells are trimmed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.report import HEADER_ROW, Failure, ValidationReport
from anchor_analysis.core.errors import FileProblem, ValidationFailed

REQUIRED_TABLES = ("anchors", "progression", "metrics")
OPTIONAL_TABLES = ("staff_residence", "sites", "local_spend_survey", "commitments", "suppliers")
READABLE_TABLES = (*REQUIRED_TABLES, *OPTIONAL_TABLES, "ledger")
NETWORK_FILE = "network.toml"
LEDGER_DIR = "ledger"
LEDGER_CHUNK_ROWS = 200_000
CP1252_WARNING = "read as Windows-1252; save as UTF-8 to avoid this"
EMPTY_FILE = "file is empty: expected a header row and data rows"
ANCHORS_NOT_CHECKED = "anchors and membership years not checked: fix the anchors table first"
VERSIONS_DIR = "versions"
"""Where ``anchor-analysis collect`` keeps earlier versions of the tables and its change log: not returns."""
COLLECT_JOURNAL = ".collect-in-progress"
"""In ``versions/`` while ``collect`` replaces the tables: the folder is half old, half new until it is finished."""
INTERRUPTED_COLLECT = ("a collect was interrupted while it replaced the tables: run `anchor-analysis collect` "
                       "into this folder again to finish it")

NOT_LEDGERS = (".toml", ".md")
"""Files under ``ledger/`` that are not ledgers: column mappings and notes."""

_NETWORK_KEYS = {"name": str, "place": str, "synthetic": bool, "description": str, "seed": int,
                 "published_figures": str, "deadline": dt.date, "contact": str, "ledger": dict,
                 "ledger_only": bool, "suppliers": dict}
"""Settings of network.toml; ``seed`` records the generator seed of a synthetic network; ``published_figures`` names
the published network whose figures ``anchor-analysis reproduce`` checks (default: the place's); ``deadline`` (a TOML
date, ``deadline = 2026-05-29``) and ``contact`` (who answers questions) are printed on the return templates;
``ledger`` holds the anchors' column mappings (``[ledger.<anchor_id>]``), ``ledger_only = true`` says the network's
returns are ledgers only (no progression or metrics tables yet)."""
_SETTING_TYPES = {str: "a quoted text", bool: "true or false", int: "a whole number",
                  dt.date: "a date written without quotes, like 2026-05-29",
                  dict: "a table of [ledger.<anchor_id>] sections"}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_ZIP_MAGIC = b"PK\x03\x04"


# --- finding files


def find_table_file(data_dir: str | Path, table: str) -> Path | None:
    """The CSV or XLSX file of ``table`` in ``data_dir`` (file names matched ignoring case), or None.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.
    table : str
        The table's name (the file's stem), e.g. ``"anchors"``.

    Returns
    -------
    Path or None
        ``<table>.csv`` or ``<table>.xlsx`` in any case; None when there is neither.

    Raises
    ------
    ValidationFailed
        Both a CSV and an XLSX are present (which one is meant is unclear), or only an old-style ``.xls``
        workbook is found.

    Examples
    --------
    >>> find_table_file("data/raw/demo", "anchors").name
    'anchors.csv'
    >>> find_table_file("data/raw/demo", "budget") is None
    True
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "Sites.CSV").write_text("anchor_id")
    >>> _ = (folder / "sites.xlsx").write_bytes(b"")
    >>> find_table_file(folder, "sites")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ValidationFailed: Sites.CSV: 1 error
      Sites.CSV: both Sites.CSV and sites.xlsx are present: keep only one
    1 error, 0 warnings in 1 file
    """
    data_dir = Path(data_dir)
    found = {p.suffix.lower(): p for p in sorted(data_dir.iterdir())
             if p.is_file() and p.stem.lower() == table and p.suffix.lower() in (".csv", ".xlsx", ".xls")}
    if ".csv" in found and ".xlsx" in found:
        raise _failed(Failure(found[".csv"].name, None, None, None,
                              f"both {found['.csv'].name} and {found['.xlsx'].name} are present: "
                              "keep only one"))
    if ".xls" in found and len(found) == 1:
        raise _failed(Failure(found[".xls"].name, None, None, None,
                              "old Excel format (.xls) is not read: save it as .xlsx or .csv"))
    return found.get(".csv") or found.get(".xlsx")


def ledger_files(data_dir: str | Path) -> list[Path]:
    """The ledger files of a network folder: every file under ``ledger/``, in anchors' folders too, sorted by path.

    Files are read by their content, so any name will do; hidden files (``.*``), spreadsheet lock files (``~$*``),
    column mappings (``*.toml``) and notes (``*.md``) are not ledgers.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.

    Returns
    -------
    list of Path
        The files, sorted by their path under ``ledger/``; empty when there is no ``ledger`` folder.

    Examples
    --------
    >>> files = ledger_files("data/raw/demo")
    >>> len(files), files[0].relative_to("data/raw/demo").as_posix()
    (65, 'ledger/cultural_body_a_2023.csv')
    """
    folder = Path(data_dir) / LEDGER_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(part.startswith((".", "~$")) for part in parts) \
                and path.suffix.lower() not in NOT_LEDGERS:
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def ledger_anchor(data_dir: str | Path, path: str | Path) -> str | None:
    """The anchor a ledger file belongs to: the folder under ``ledger/`` that holds it (None directly in it).

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.
    path : str or path-like
        A ledger file of it.

    Returns
    -------
    str or None
        The anchor's folder name (its ``anchor_id``), or None for a file directly in ``ledger/``.

    Examples
    --------
    >>> ledger_anchor("net", "net/ledger/leeds_city_council/2019/spend.csv"), ledger_anchor("net", "net/ledger/a.csv")
    ('leeds_city_council', None)
    """
    parts = Path(path).relative_to(Path(data_dir) / LEDGER_DIR).parts
    return parts[0] if len(parts) > 1 else None


def network_files(data_dir: str | Path) -> list[Path]:
    """Every file of a network folder the kit reads, sorted by relative path.

    Hidden files and folders are left out, and so is ``versions/``: the earlier versions of the tables and the
    change log that ``anchor-analysis collect`` keeps there are a record, not returns.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.

    Returns
    -------
    list of Path
        The files, subfolders included.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("anchors.csv", "ledger/a_2023.csv", "versions/0001/metrics.csv", ".notes"):
    ...     (folder / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (folder / name).write_text("x")
    >>> [p.relative_to(folder).as_posix() for p in network_files(folder)]
    ['anchors.csv', 'ledger/a_2023.csv']
    """
    data_dir = Path(data_dir)
    found = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts[0] == VERSIONS_DIR or any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file():
            found.append(path)
    return found


def _failed(*failures: Failure) -> ValidationFailed:
    """A :class:`ValidationFailed` whose report holds ``failures``."""
    report = ValidationReport()
    report.extend(failures)
    return ValidationFailed(report)


# --- reading cells as text


def _detect_encoding(path: Path, file: str) -> tuple[str, list[Failure]]:
    """UTF-8 (a BOM is dropped), else Windows-1252 with a warning; binary or undecodable files fail.

    Decodes in blocks, so multi-gigabyte ledgers are checked without being held in memory.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if not head:
        raise FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    if head == _ZIP_MAGIC:
        raise FileProblem(Failure(file, None, None, None,
                                   "this is an Excel workbook with a .csv name: rename it to .xlsx"))
    for encoding in ("utf-8-sig", "cp1252"):
        if _decodes(path, encoding):
            return encoding, ([Failure(file, None, None, None, CP1252_WARNING, "warning")]
                              if encoding == "cp1252" else [])
    raise FileProblem(Failure(file, None, None, None,
                               "not a text file (binary or unknown encoding): save it as CSV in UTF-8"))


def _decodes(path: Path, encoding: str, block: int = 1 << 20) -> bool:
    """Whether the whole file decodes in ``encoding`` without control characters, read in blocks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(block):
                if _CONTROL_CHARACTERS.search(decoder.decode(chunk)):
                    return False  # NUL and other control bytes: a binary file, whatever decodes
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _csv_records(path: Path, file: str) -> tuple[list[list[str]], list[Failure]]:
    """A CSV file's records (lists of cell texts) and its encoding warning, if any."""
    encoding, warnings = _detect_encoding(path, file)
    text = path.read_text(encoding=encoding)
    return list(csv.reader(io.StringIO(text, newline=""))), warnings


def _xlsx_records(path: Path, table: str, file: str) -> list[list[str]]:
    """The records of a workbook's sheet named ``table`` (or its only sheet), cells as CSV text."""
    if path.stat().st_size == 0:
        raise FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    with path.open("rb") as handle:  # a handle, not the path: openpyxl refuses a workbook whose name is not .xlsx
        return _sheet_records(handle, table, file)


def _sheet_records(handle, table: str, file: str) -> list[list[str]]:
    """The records of the sheet named ``table`` (or the only sheet) of the workbook open in ``handle``."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, XML and key errors for files that are not workbooks
        raise FileProblem(Failure(file, None, None, None,
                                   f"not a readable Excel workbook (.xlsx): {type(exc).__name__}")) from exc
    try:
        sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        if table in sheets:
            sheet = workbook[sheets[table]]
        elif len(workbook.sheetnames) == 1:
            sheet = workbook[workbook.sheetnames[0]]
        else:
            found = ", ".join(f"'{name}'" for name in workbook.sheetnames)
            raise FileProblem(Failure(file, None, None, None,
                                       f"no sheet named '{table}' and more than one sheet (found {found}): "
                                       f"name the sheet '{table}'"))
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _records_to_frame(records: list[list[str]], file: str) -> tuple[pd.DataFrame, list[Failure]]:
    """Header + data records -> a frame of texts indexed by data-row position (0 = Excel row 2)."""
    failures = []
    if not records or not any(cell.strip() for cell in records[0]):
        raise FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    header = [cell.strip().lower() for cell in records[0]]
    width = len(header)
    # Trailing columns with neither header nor values are spreadsheet formatting, not data.
    def column_is_empty(number: int) -> bool:
        """Whether column ``number`` (0-based) has neither a header nor a value."""
        return not header[number] and not any(r[number].strip() for r in records if len(r) > number)

    while width and column_is_empty(width - 1):
        width -= 1
    header = header[:width]
    rows: dict[int, list[str]] = {}
    for position, record in enumerate(records[1:]):
        if not any(cell.strip() for cell in record):
            continue  # a row with nothing in it carries no data; later row numbers still count it
        extra = [cell for cell in record[width:] if cell.strip()]
        if extra:
            failures.append(Failure(file, position + HEADER_ROW + 1, None, None,
                                    f"row has {width + len(record[width:])} values but the header has "
                                    f"{width} columns"))
        rows[position] = (list(record[:width]) + [""] * width)[:width]
    for number, name in enumerate(header, start=1):
        if not name:  # named at its first value: a row running past the header is found where it is
            first = next(p for p, r in enumerate(records[1:]) if len(r) >= number and r[number - 1].strip())
            failures.append(Failure(file, first + HEADER_ROW + 1, None, records[first + 1][number - 1],
                                    f"column {number} has values but no header (row {HEADER_ROW} is blank there)"))
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    for name in duplicated:
        failures.append(Failure(file, HEADER_ROW, name, None, "column appears more than once in the header"))
    if not rows:
        raise FileProblem(Failure(file, None, None, None, "file has a header row but no data rows"))
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype="str")
    if duplicated or not all(header):
        frame = frame.loc[:, [bool(name) and name not in duplicated for name in header]]
    return frame, failures


def _read_raw(path: Path, table: str, file: str) -> tuple[pd.DataFrame, list[Failure]]:
    """A table file (CSV or XLSX) as a frame of cell texts, with its encoding and layout failures."""
    if path.suffix.lower() == ".xlsx":
        records, warnings = _xlsx_records(path, table, file), []
    else:
        records, warnings = _csv_records(path, file)
    frame, failures = _records_to_frame(records, file)
    return frame, warnings + failures
