"""Readers for a network data folder (design.md section 4): CSV or XLSX in, validated typed frames out.

Every cell is read as text first and converted afterwards (:mod:`anchor_analysis.schemas`), so a failure can
quote the value exactly as the user typed it. Nothing is dropped or changed silently: rows with no data at
all are skipped (row numbers still count them), headers are matched ignoring case and surrounding spaces,
cells are trimmed, and "3.0" is read as 3 because spreadsheets write whole numbers that way.

>>> network = load_network("data/raw/demo")                        # doctest: +SKIP
>>> network.progression.groupby("year").size()                      # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import ConfigError, Place, load_place
from .postcodes import normalise_postcodes, valid_postcode_mask
from .schemas import FIELDS, contract, convert
from .validation import HEADER_ROW, Failure, ValidationFailed, ValidationReport

REQUIRED_TABLES = ("anchors", "progression", "metrics")
OPTIONAL_TABLES = ("staff_residence", "sites")
READABLE_TABLES = (*REQUIRED_TABLES, *OPTIONAL_TABLES, "ledger")
NETWORK_FILE = "network.toml"
LEDGER_DIR = "ledger"
LEDGER_CHUNK_ROWS = 200_000
CP1252_WARNING = "read as Windows-1252; save as UTF-8 to avoid this"
EMPTY_FILE = "file is empty: expected a header row and data rows"
ANCHORS_NOT_CHECKED = "anchors and membership years not checked: fix the anchors table first"

_NETWORK_KEYS = {"name": str, "place": str, "synthetic": bool, "description": str, "seed": int}
"""Settings of network.toml; ``seed`` records the generator seed of a synthetic network."""
_SETTING_TYPES = {str: "a quoted text", bool: "true or false", int: "a whole number"}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_ZIP_MAGIC = b"PK\x03\x04"


class _FileProblem(Exception):
    """A file cannot be read as a table at all; carries the one failure that says why."""

    def __init__(self, failure: Failure):
        super().__init__(failure.rule)
        self.failure = failure


class PostcodeLookupUnavailable(Exception):
    """Postcodes cannot be mapped to LSOAs (the public postcode lookup is missing)."""


@dataclass
class Network:
    """A validated network folder. Ledgers are only listed: they are large and read lazily (iter_ledger)."""

    name: str
    place: Place
    synthetic: bool
    anchors: pd.DataFrame
    progression: pd.DataFrame
    metrics: pd.DataFrame
    staff_residence: pd.DataFrame | None
    sites: pd.DataFrame | None
    ledger_files: list[Path]
    data_dir: Path
    description: str = ""
    report: ValidationReport = field(default_factory=ValidationReport, repr=False)
    """The validation report, for its warnings (there are no errors, or loading would have failed)."""


# --- finding files


def find_table_file(data_dir: str | Path, table: str) -> Path | None:
    """The CSV or XLSX file of ``table`` in ``data_dir`` (file names matched ignoring case), or None.

    Raises :class:`ValidationFailed` when both a CSV and an XLSX are present (which one is meant is unclear)
    or when only an old-style ``.xls`` workbook is found.
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
    """The ledger files (``ledger/*.csv``, ``ledger/*.xlsx``) of a network folder, sorted by name."""
    folder = Path(data_dir) / LEDGER_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".xlsx"))


def _failed(*failures: Failure) -> ValidationFailed:
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
        raise _FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    if head == _ZIP_MAGIC:
        raise _FileProblem(Failure(file, None, None, None,
                                   "this is an Excel workbook with a .csv name: rename it to .xlsx"))
    for encoding in ("utf-8-sig", "cp1252"):
        if _decodes(path, encoding):
            return encoding, ([Failure(file, None, None, None, CP1252_WARNING, "warning")]
                              if encoding == "cp1252" else [])
    raise _FileProblem(Failure(file, None, None, None,
                               "not a text file (binary or unknown encoding): save it as CSV in UTF-8"))


def _decodes(path: Path, encoding: str, block: int = 1 << 20) -> bool:
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
    encoding, warnings = _detect_encoding(path, file)
    text = path.read_text(encoding=encoding)
    return list(csv.reader(io.StringIO(text, newline=""))), warnings


def _xlsx_records(path: Path, table: str, file: str) -> list[list[str]]:
    from openpyxl import load_workbook  # only needed for workbooks

    if path.stat().st_size == 0:
        raise _FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, XML and key errors for files that are not workbooks
        raise _FileProblem(Failure(file, None, None, None,
                                   f"not a readable Excel workbook (.xlsx): {type(exc).__name__}")) from exc
    try:
        sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        if table in sheets:
            sheet = workbook[sheets[table]]
        elif len(workbook.sheetnames) == 1:
            sheet = workbook[workbook.sheetnames[0]]
        else:
            found = ", ".join(f"'{name}'" for name in workbook.sheetnames)
            raise _FileProblem(Failure(file, None, None, None,
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
        raise _FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    header = [cell.strip().lower() for cell in records[0]]
    width = len(header)
    # Trailing columns with neither header nor values are spreadsheet formatting, not data.
    def column_is_empty(number: int) -> bool:
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
        if not name:
            failures.append(Failure(file, HEADER_ROW, None, None,
                                    f"column {number} has values but no header"))
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    for name in duplicated:
        failures.append(Failure(file, HEADER_ROW, name, None, "column appears more than once in the header"))
    if not rows:
        raise _FileProblem(Failure(file, None, None, None, "file has a header row but no data rows"))
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype="str")
    if duplicated or not all(header):
        frame = frame.loc[:, [bool(name) and name not in duplicated for name in header]]
    return frame, failures


def _read_raw(path: Path, table: str, file: str) -> tuple[pd.DataFrame, list[Failure]]:
    if path.suffix.lower() == ".xlsx":
        records, warnings = _xlsx_records(path, table, file), []
    else:
        records, warnings = _csv_records(path, file)
    frame, failures = _records_to_frame(records, file)
    return frame, warnings + failures


# --- one table


def _column_failures(raw: pd.DataFrame, table: str, file: str) -> list[Failure]:
    expected = [f.name for f in FIELDS[table]]
    found = ", ".join(raw.columns)
    failures = [Failure(file, HEADER_ROW, f.name, None, f"required column is missing (found: {found})")
                for f in FIELDS[table] if f.required and f.name not in raw.columns]
    failures += [Failure(file, HEADER_ROW, name, None, "column is not part of the contract and is ignored",
                         "warning") for name in raw.columns if name not in expected]
    return failures


def _staff_residence_form(raw: pd.DataFrame, file: str) -> str:
    by_lsoa = bool({"lsoa_code", "count"} & set(raw.columns))
    if "postcode" in raw.columns and by_lsoa:
        raise _FileProblem(Failure(file, HEADER_ROW, None, None,
                                   "use either lsoa_code and count, or postcode (one row per staff member), "
                                   "not both"))
    if "postcode" in raw.columns:
        return "staff_residence_postcodes"
    if by_lsoa:
        return "staff_residence"
    raise _FileProblem(Failure(file, HEADER_ROW, None, None,
                               "needs either columns lsoa_code and count, or a postcode column "
                               f"(found: {', '.join(raw.columns)})"))


def _load_table(path: Path, table: str, place: Place, anchors: pd.DataFrame | None, file: str
                ) -> tuple[pd.DataFrame | None, list[Failure], int]:
    """Read, convert and check one table: (typed frame or None if unreadable, failures, data rows read)."""
    try:
        raw, failures = _read_raw(path, table, file)
        form = _staff_residence_form(raw, file) if table == "staff_residence" else table
    except _FileProblem as problem:
        return None, [problem.failure], 0
    failures += _column_failures(raw, form, file)
    typed, conversion_failures, bad_cells = convert(raw, form, file=file)
    failures += conversion_failures
    table_contract = contract(form, place, anchors, columns=list(typed.columns))
    failures += table_contract.failures(typed, file=file, raw=raw, skip_cells=bad_cells)
    order = {name: number for number, name in enumerate(raw.columns)}
    failures.sort(key=lambda f: (f.row or 0, order.get(f.column, -1)))
    if form == "staff_residence_postcodes":
        typed, lookup_failures = _postcodes_to_lsoa_counts(typed, file)
        failures += lookup_failures
    return typed.reset_index(drop=True), failures, len(raw)


def postcode_lookup() -> pd.DataFrame:
    """Postcode -> LSOA 2021 for the place's region (``postcode``, ``lsoa21_code``), from the public data."""
    try:
        from . import public
    except ImportError as exc:
        raise PostcodeLookupUnavailable(f"the public data module is not available ({exc})") from exc
    missing = getattr(public, "PublicDataMissing", OSError)
    try:
        return public.load_postcode_lookup(scope="region", columns=["postcode", "lsoa21_code"])
    except (missing, OSError) as exc:
        raise PostcodeLookupUnavailable(str(exc)) from exc


def _postcodes_to_lsoa_counts(typed: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Failure]]:
    """One row per staff member -> staff counts per LSOA; the postcodes (personal data) go no further.

    Postcodes outside the lookup (outside the region, or not real) and blank postcodes count under a
    missing lsoa_code, so every staff member is counted once.
    """
    try:
        lookup = postcode_lookup()
    except PostcodeLookupUnavailable as exc:
        empty = typed.drop(columns="postcode").iloc[0:0].assign(lsoa_code=pd.Series(dtype="str"),
                                                                count=pd.Series(dtype="Int64"))
        return empty, [Failure(file, None, "postcode", None, f"cannot map postcodes to LSOAs: {exc}")]
    keys = normalise_postcodes(lookup["postcode"])
    to_lsoa = lookup.assign(postcode=keys).drop_duplicates("postcode").set_index("postcode")
    lsoa = typed["postcode"].map(to_lsoa["lsoa21_code"]).astype("str")
    people = typed.drop(columns="postcode").assign(lsoa_code=lsoa)
    del typed, lsoa
    counts = (people.groupby(["year", "anchor_id", "lsoa_code"], dropna=False, sort=True).size()
              .rename("count").reset_index())
    counts = counts.astype({"year": "Int64", "anchor_id": "str", "lsoa_code": "str", "count": "Int64"})
    return counts, []


def read_table(path: str | Path, table: str, *, place: str | Place | None = None,
               anchors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read one table file (CSV or XLSX) and return it converted and validated.

    ``table`` is one of anchors, progression, metrics, staff_residence, sites, ledger. ``place`` defaults
    to Leeds. With ``anchors`` (the anchors frame) the cross-table rules are checked too. Raises
    :class:`ValidationFailed` listing every failure; warnings (e.g. a Windows-1252 file) are kept as
    text in ``frame.attrs["warnings"]``. Staff residence by postcode comes back as LSOA counts.
    """
    if table not in READABLE_TABLES:
        raise ValueError(f"unknown table {table!r}: choose one of {', '.join(READABLE_TABLES)}")
    path = Path(path)
    place = load_place(place or "leeds")
    file = path.name
    if table == "ledger":
        return _read_whole_ledger(path, place, anchors, file)
    frame, failures, rows = _load_table(path, table, place, anchors, file)
    report = ValidationReport()
    report.checked(file, rows)
    report.extend(failures)
    if not report.ok or frame is None:
        raise ValidationFailed(report)
    frame.attrs["warnings"] = [f.describe() for f in report.failures]
    return frame


# --- ledgers (large: read in chunks)


def _ledger_raw_chunks(path: Path, file: str, chunk_rows: int
                       ) -> Iterator[tuple[pd.DataFrame, list[Failure]]]:
    """Chunks of cell texts indexed by data-row position, with header and encoding failures on the first."""
    if path.suffix.lower() == ".xlsx":
        frame, failures = _records_to_frame(_xlsx_records(path, "ledger", file), file)
        for start in range(0, len(frame), chunk_rows):
            yield frame.iloc[start:start + chunk_rows], failures if start == 0 else []
        return
    encoding, warnings = _detect_encoding(path, file)
    reader = pd.read_csv(path, dtype="str", encoding=encoding, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, chunksize=chunk_rows)
    first = True
    try:
        for chunk in reader:
            chunk.columns = [str(c).strip().lower() for c in chunk.columns]
            chunk = chunk.fillna("")
            blank = (chunk.apply(lambda column: column.str.strip()) == "").all(axis=1)
            yield chunk.loc[~blank], warnings if first else []
            first = False
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise _FileProblem(Failure(file, int(line.group(1)) if line else None, None, None,
                                   "row has more values than the header has columns; reading stopped here")
                           ) from exc
    except pd.errors.EmptyDataError as exc:
        raise _FileProblem(Failure(file, None, None, None, EMPTY_FILE)) from exc


def _ledger_chunks(path: Path, place: Place, anchors: pd.DataFrame | None, file: str,
                   chunk_rows: int = LEDGER_CHUNK_ROWS
                   ) -> Iterator[tuple[pd.DataFrame, list[Failure], pd.DataFrame]]:
    """Typed, checked ledger chunks: (typed chunk, failures, raw chunk)."""
    rows = 0
    table_contract = None
    for raw, failures in _ledger_raw_chunks(path, file, chunk_rows):
        if table_contract is None:
            failures = failures + _column_failures(raw, "ledger", file)
            if any(f.severity == "error" and f.row == HEADER_ROW for f in failures):
                yield raw.iloc[0:0], failures, raw  # without its columns the rest cannot be checked
                return
            table_contract = contract("ledger", place, anchors, columns=list(raw.columns))
        rows += len(raw)
        typed, conversion_failures, bad_cells = convert(raw, "ledger", file=file)
        failures = failures + conversion_failures + table_contract.failures(typed, file=file, raw=raw,
                                                                            skip_cells=bad_cells)
        order = {name: number for number, name in enumerate(raw.columns)}
        failures.sort(key=lambda f: (f.row or 0, order.get(f.column, -1)))
        yield typed, failures, raw
    if rows == 0:
        raise _FileProblem(Failure(file, None, None, None, "file has a header row but no data rows"))


def check_ledger(path: str | Path, *, place: str | Place | None = None, anchors: pd.DataFrame | None = None,
                 file: str | None = None, chunk_rows: int = LEDGER_CHUNK_ROWS) -> tuple[list[Failure], int]:
    """Validate one ledger file chunk by chunk: (failures, data rows read).

    Blank or malformed supplier postcodes are a warning with a count, not an error: real ledgers carry
    them, and the spend analysis classes those payments as "unknown".
    """
    path = Path(path)
    place = load_place(place or "leeds")
    file = file or path.name
    failures: list[Failure] = []
    rows = blank = malformed = 0
    try:
        for typed, chunk_failures, _ in _ledger_chunks(path, place, anchors, file, chunk_rows):
            failures += chunk_failures
            rows += len(typed)
            if "supplier_postcode" in typed:
                postcodes = typed["supplier_postcode"]
                blank += int(postcodes.isna().sum())
                malformed += int((postcodes.notna() & ~valid_postcode_mask(postcodes)).sum())
    except _FileProblem as problem:
        failures.append(problem.failure)
    unusable = [f"{n} {what}" for n, what in ((blank, "blank"), (malformed, "not a valid UK postcode")) if n]
    if unusable:
        rule = f"{' and '.join(unusable)} (of {rows} rows): their spend is classed 'unknown'"
        failures.append(Failure(file, None, "supplier_postcode", None, rule, "warning"))
    return failures, rows


def iter_ledger(path: str | Path, *, place: str | Place | None = None, anchors: pd.DataFrame | None = None,
                chunk_rows: int = LEDGER_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Typed ledger chunks (same columns as the contract), for reading a large ledger lazily.

    Raises :class:`ValidationFailed` at the first chunk with an error.
    """
    path = Path(path)
    place = load_place(place or "leeds")
    try:
        for typed, failures, _ in _ledger_chunks(path, place, anchors, path.name, chunk_rows):
            if any(f.severity == "error" for f in failures):
                raise _failed(*failures)
            yield typed
    except _FileProblem as problem:
        raise _failed(problem.failure) from None


def _read_whole_ledger(path: Path, place: Place, anchors: pd.DataFrame | None, file: str) -> pd.DataFrame:
    failures, rows = check_ledger(path, place=place, anchors=anchors, file=file)
    report = ValidationReport()
    report.checked(file, rows)
    report.extend(failures)
    if not report.ok:
        raise ValidationFailed(report)
    frame = pd.concat(list(iter_ledger(path, place=place, anchors=anchors)), ignore_index=True)
    frame.attrs["warnings"] = [f.describe() for f in report.failures]
    return frame


# --- a whole network folder


def _read_settings(data_dir: Path, report: ValidationReport) -> dict:
    """``network.toml`` (optional): name, place, synthetic, description; problems go into the report."""
    path = data_dir / NETWORK_FILE
    if not path.is_file():
        return {}
    report.checked(NETWORK_FILE)
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.add(Failure(NETWORK_FILE, None, None, None, f"not valid TOML: {exc}"))
        return {}
    valid = {}
    for key, value in settings.items():
        expected = _NETWORK_KEYS.get(key)
        if expected is None:
            report.add(Failure(NETWORK_FILE, None, None, None,
                               f"unknown setting '{key}' is ignored (known: {', '.join(_NETWORK_KEYS)})",
                               "warning"))
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            report.add(Failure(NETWORK_FILE, None, None, str(value),
                               f"{key} must be {_SETTING_TYPES[expected]}"))
        else:
            valid[key] = value
    return valid


def _resolve_place(place: str | Place | None, settings: dict, data_dir: Path, report: ValidationReport
                   ) -> Place | None:
    chosen = place if place is not None else settings.get("place", "leeds")
    if place is None and str(chosen).endswith(".toml") and not Path(chosen).is_absolute():
        chosen = data_dir / chosen  # a place file named in network.toml sits next to it
    try:
        return load_place(chosen)
    except ConfigError as exc:
        source = NETWORK_FILE if place is None else "--place"
        report.add(Failure(source, None, "place" if place is None else None, None, str(exc)))
        return None


def _locate(data_dir: Path, table: str, required: bool, report: ValidationReport) -> Path | None:
    # Problems are registered as checked files so the report lists files in table order.
    try:
        path = find_table_file(data_dir, table)
    except ValidationFailed as exc:
        for failure in exc.report.failures:
            report.checked(failure.file)
            report.add(failure)
        return None
    if path is None and required:
        report.checked(f"{table}.csv")
        report.add(Failure(f"{table}.csv", None, None, None,
                           f"required file is missing: put {table}.csv or {table}.xlsx in {data_dir}"))
    return path


def check_network(data_dir: str | Path, place: str | Place | None = None, *, ledgers: bool = True
                  ) -> tuple[ValidationReport, Network | None]:
    """Read and check every table of a network folder: (report, network or None when there are errors).

    With ``ledgers=False`` the ledger files are listed but not read.
    """
    data_dir = Path(data_dir)
    report = ValidationReport()
    if not data_dir.is_dir():
        what = "is not a folder" if data_dir.exists() else "folder does not exist"
        report.add(Failure(str(data_dir), None, None, None, what))
        return report, None
    settings = _read_settings(data_dir, report)
    resolved = _resolve_place(place, settings, data_dir, report)
    if resolved is None:
        return report, None

    frames: dict[str, pd.DataFrame | None] = {}
    anchors_usable = False
    for table in REQUIRED_TABLES + OPTIONAL_TABLES:
        path = _locate(data_dir, table, table in REQUIRED_TABLES, report)
        if path is None:
            frames[table] = None
            continue
        file = path.relative_to(data_dir).as_posix()
        frame, failures, rows = _load_table(path, table, resolved,
                                            frames["anchors"] if anchors_usable else None, file)
        report.checked(file, rows)
        report.extend(failures)
        frames[table] = frame
        if table == "anchors":
            anchors_usable = frame is not None and not any(
                f.severity == "error" and f.column in (None, "anchor_id", "joined_year", "left_year")
                for f in failures)
        elif not anchors_usable:
            report.add(Failure(file, None, None, None, ANCHORS_NOT_CHECKED, "warning"))

    for table in ("progression", "metrics"):
        frame = frames.get(table)
        if frame is not None and "year" in frame:
            report.years.update(int(y) for y in pd.to_numeric(frame["year"], errors="coerce").dropna().unique())

    files = ledger_files(data_dir)
    if ledgers:
        for path in files:
            file = path.relative_to(data_dir).as_posix()
            failures, rows = check_ledger(path, place=resolved, file=file,
                                          anchors=frames["anchors"] if anchors_usable else None)
            report.checked(file, rows)
            report.extend(failures)

    if not report.ok:
        return report, None
    synthetic = bool(settings.get("synthetic", False))
    for frame in frames.values():
        if frame is not None:
            frame.attrs["synthetic"] = synthetic
    network = Network(
        name=settings.get("name", data_dir.resolve().name), place=resolved, synthetic=synthetic,
        anchors=frames["anchors"], progression=frames["progression"], metrics=frames["metrics"],
        staff_residence=frames["staff_residence"], sites=frames["sites"], ledger_files=files,
        data_dir=data_dir, description=settings.get("description", ""), report=report,
    )
    return report, network


def load_network(data_dir: str | Path, place: str | Place | None = None) -> Network:
    """Load and validate a network folder (ledger files are listed, not read); raises ValidationFailed."""
    report, network = check_network(data_dir, place, ledgers=False)
    if network is None:
        raise ValidationFailed(report)
    return network
