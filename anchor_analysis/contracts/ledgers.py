"""Supplier ledgers, validated chunk by chunk so a multi-gigabyte ledger is checked without being held in memory.

A file directly in ``ledger/`` with an ``anchor_id`` column is read as the ledger contract says (CSV or XLSX, ISO
dates, plain numbers). Any other ledger file (one in an anchor's folder ``ledger/<anchor_id>/``, or a finance export
of any kind) is read through its anchor's column mapping or the preset its header matches
(:mod:`anchor_analysis.contracts.exports`), and checked by the same contract.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.exports import ExportReading, read_export
from anchor_analysis.contracts.fields import column_failures, convert
from anchor_analysis.contracts.mapping import ColumnPlan, LedgerMapping
from anchor_analysis.contracts.readers import (
    EMPTY_FILE,
    LEDGER_CHUNK_ROWS,
    _detect_encoding,
    _failed,
    _records_to_frame,
    _xlsx_records,
)
from anchor_analysis.contracts.report import HEADER_ROW, Failure, ValidationReport, excel_row
from anchor_analysis.contracts.schemas import contract
from anchor_analysis.contracts.sources import file_kind, open_source
from anchor_analysis.core.errors import FileProblem, ValidationFailed
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.postcodes import valid_postcode_mask

# --- ledgers (large: read in chunks)


def _ledger_raw_chunks(path: Path, file: str, chunk_rows: int
                       ) -> Iterator[tuple[pd.DataFrame, list[Failure]]]:
    """Chunks of cell texts indexed by data-row position, with header and encoding failures on the first."""
    if file_kind(path, file) == "XLSX":  # by content: a workbook is read as one whatever its name
        frame, failures = _records_to_frame(_xlsx_records(path, "ledger", file), file)
        for start in range(0, len(frame), chunk_rows):
            yield frame.iloc[start:start + chunk_rows], failures if start == 0 else []
        skipped = sorted(set(range(int(frame.index.max()) + 1)) - set(frame.index)) if len(frame) else []
        yield frame.iloc[0:0], _blank_rows_skipped(skipped, file)
        return
    encoding, warnings = _detect_encoding(path, file)
    duplicated = _duplicated_header(path, encoding)
    if duplicated:  # pandas would read the second as "amount.1" and the report would speak of that
        raise FileProblem(Failure(file, HEADER_ROW, duplicated, None, "column appears more than once in the header"))
    # compression=None: the file is text by its content (a gzip file is read as an export), whatever its name says
    reader = pd.read_csv(path, dtype="str", encoding=encoding, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, chunksize=chunk_rows, compression=None)
    first, skipped = True, []
    try:
        for chunk in reader:
            if not isinstance(chunk.index, pd.RangeIndex):  # pandas took the first column for an index: the first
                raise FileProblem(Failure(file, HEADER_ROW + 1, None, None, RAGGED))  # data row is one value longer
            chunk.columns = [str(c).strip().lower() for c in chunk.columns]
            chunk = chunk.fillna("")
            blank = (chunk.apply(lambda column: column.str.strip()) == "").all(axis=1)
            skipped += chunk.index[blank].tolist()
            yield chunk.loc[~blank], warnings if first else []
            first = False
        if skipped:
            yield chunk.iloc[0:0], _blank_rows_skipped(skipped, file)
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise FileProblem(Failure(file, int(line.group(1)) if line else None, None, None, RAGGED)) from exc
    except pd.errors.EmptyDataError as exc:
        raise FileProblem(Failure(file, None, None, None, EMPTY_FILE)) from exc


RAGGED = "row has more values than the header has columns; reading stopped here"


def _duplicated_header(path: Path, encoding: str) -> str | None:
    """The first header of a CSV file that appears more than once (trimmed, any case), None when none does."""
    try:
        with path.open(encoding=encoding, errors="replace", newline="") as handle:
            names = [cell.strip().lower() for cell in next(csv.reader(handle), [])]
    except csv.Error:
        return None  # the reader names what is wrong with the file
    return next((name for name in names if name and names.count(name) > 1), None)


def _blank_rows_skipped(positions: list[int], file: str) -> list[Failure]:
    """A warning that blank rows among the lines were skipped (they hold nothing, but are not left unsaid)."""
    if not positions:
        return []
    rows = ", ".join(f"{excel_row(p):,}" for p in positions[:5]) + (", ..." if len(positions) > 5 else "")
    return [Failure(file, None, None, None, f"{len(positions):,} blank row{'s' if len(positions) > 1 else ''} "
                                            f"skipped (row{'s' if len(positions) > 1 else ''} {rows})", "warning")]


def _ledger_chunks(path: Path, place: Place, anchors: pd.DataFrame | None, file: str,
                   chunk_rows: int = LEDGER_CHUNK_ROWS, *, anchor: str | None = None,
                   mapping: LedgerMapping | None = None, reading: ExportReading | None = None
                   ) -> Iterator[tuple[pd.DataFrame, list[Failure], pd.DataFrame]]:
    """Typed, checked ledger chunks: (typed chunk, failures, raw chunk), whichever way the file is read."""
    if anchor is None and mapping is None and in_contract_shape(path, file):
        yield from _contract_chunks(path, place, anchors, file, chunk_rows)
    else:
        yield from _export_chunks(path, place, anchors, file, chunk_rows, anchor, mapping,
                                  reading or ExportReading(file, anchor))


def in_contract_shape(path: str | Path, file: str | None = None) -> bool:
    """Whether a ledger file is a CSV or workbook in the contract's shape (its header has ``anchor_id``).

    Such a file is read as it always was (:func:`check_ledger`); any other is read as a finance export.

    Parameters
    ----------
    path : str or path-like
        The file.
    file : str, optional
        Its name in failures.

    Returns
    -------
    bool
        True for a CSV or XLSX whose first row has an ``anchor_id`` column.

    Examples
    --------
    >>> in_contract_shape("data/raw/demo/ledger/university_a_2023.csv")
    True
    """
    path = Path(path)
    file = file or path.name
    try:
        kind = file_kind(path, file)
        if kind == "XLSX":
            header = next(open_source(path, file).records, [])
        elif kind == "CSV":
            with path.open("rb") as handle:
                head = handle.read(1 << 16).decode("utf-8-sig", errors="replace")
            header = next(csv.reader(io.StringIO(head)), [])
        else:
            return False
    except (FileProblem, csv.Error):
        return True  # an empty, broken or old-format file: the contract's reader names the problem as ever
    return "anchor_id" in {cell.strip().lower() for cell in header}  # the contract's own name, as its reader has it


def _contract_chunks(path: Path, place: Place, anchors: pd.DataFrame | None, file: str, chunk_rows: int
                     ) -> Iterator[tuple[pd.DataFrame, list[Failure], pd.DataFrame]]:
    """Typed, checked chunks of a file in the contract's shape."""
    rows = 0
    table_contract = None
    for raw, failures in _ledger_raw_chunks(path, file, chunk_rows):
        if table_contract is None:
            failures = failures + column_failures(raw, "ledger", file)
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
        raise FileProblem(Failure(file, None, None, None, "file has a header row but no data rows"))


def _export_chunks(path: Path, place: Place, anchors: pd.DataFrame | None, file: str, chunk_rows: int,
                   anchor: str | None, mapping: LedgerMapping | None, reading: ExportReading
                   ) -> Iterator[tuple[pd.DataFrame, list[Failure], pd.DataFrame]]:
    """Typed, checked chunks of a finance export; failures name each mapped column by both names."""
    table_contract = None
    for chunk in read_export(path, file, anchor=anchor, mapping=mapping, chunk_rows=chunk_rows, reading=reading):
        typed, conversion_failures, bad_cells = convert(chunk.text, "ledger", file=file)
        if chunk.text.empty:
            yield typed, chunk.failures, chunk.text
            continue
        if table_contract is None:
            table_contract = contract("ledger", place, anchors, columns=list(typed.columns))
        quoted = chunk.cells.assign(anchor_id=chunk.text["anchor_id"])
        failures = chunk.failures + conversion_failures + table_contract.failures(
            typed, file=file, raw=quoted, skip_cells=chunk.bad_cells | bad_cells)
        failures = [_by_both_names(f, reading.plan, anchor) for f in failures]
        failures.sort(key=lambda f: (f.row or 0, reading.plan.fields.get(f.field or "", -1)))
        yield typed, failures, chunk.text


def _by_both_names(failure: Failure, plan: ColumnPlan, anchor: str | None) -> Failure:
    """A failure on a contract field, named by the file's column and the field (or the folder, for its anchor)."""
    name = failure.column
    if failure.field is not None or name is None:
        return failure
    if name in plan.fields:
        return Failure(failure.file, failure.row, plan.column(name), failure.value, failure.rule, failure.severity,
                       field=name)
    if name == "anchor_id" and anchor is not None:
        return Failure(failure.file, failure.row, None, failure.value, f"{failure.rule} (the anchor of the folder "
                       f"ledger/{anchor}/)", failure.severity)
    return failure


def check_ledger(path: str | Path, *, place: str | Place | None = None, anchors: pd.DataFrame | None = None,
                 file: str | None = None, chunk_rows: int = LEDGER_CHUNK_ROWS, anchor: str | None = None,
                 mapping: LedgerMapping | None = None, reading: ExportReading | None = None,
                 on_chunk: Callable[[pd.DataFrame], None] | None = None) -> tuple[list[Failure], int]:
    """Validate one ledger file chunk by chunk, so a multi-gigabyte ledger is never held in memory.

    Blank or malformed supplier postcodes are a warning with a count, not an error: real ledgers carry
    them, and the spend analysis classes those payments as "unknown". This never raises for bad input: a file
    that cannot be read is one failure.

    Parameters
    ----------
    path : str or path-like
        The ledger file: in the contract's shape (CSV or XLSX with an ``anchor_id`` column), or a finance export
        (CSV, gzip CSV, XLSX or Parquet, known by content) read through ``mapping`` or a preset.
    place : str or Place, optional
        The place whose financial years apply; default Leeds.
    anchors : DataFrame, optional
        The converted anchors table, for the cross-table rules (the anchor is listed and was a member in the
        financial year of each payment).
    file : str, optional
        The name the failures give the file (e.g. ``ledger/a_2023.csv``); default the file's name.
    chunk_rows : int, default LEDGER_CHUNK_ROWS
        Rows read at a time.
    anchor : str, optional
        The anchor whose folder (``ledger/<anchor_id>/``) holds the file: every line is that anchor's.
    mapping : LedgerMapping, optional
        The anchor's column mapping; without one, an export is read with the preset its header matches.
    reading : ExportReading, optional
        Filled in with how an export was read (its columns, the rows dropped).
    on_chunk : callable, optional
        Called with every typed chunk as it is checked (the derived tables keep an export's lines this way, so it
        is read once); what it is given is valid only if the file has no errors.

    Returns
    -------
    failures : list of Failure
        Every failure, the postcode warning last.
    rows : int
        Data rows read.

    Examples
    --------
    >>> failures, rows = check_ledger("data/raw/demo/ledger/university_a_2019.csv")
    >>> rows, len(failures)
    (450, 1)
    >>> print(failures[0].describe())
    university_a_2019.csv column 'supplier_postcode': warning: 4 blank and 4 not a valid UK postcode (of 450 rows):
    their spend is classed 'unknown'

    A ledger without postcodes, like a council's published spend (its suppliers can be located through the
    supplier register):

    >>> print(check_ledger("data/raw/demo/ledger/local_authority_a_2019.csv")[0][0].describe())
    local_authority_a_2019.csv column 'supplier_postcode': warning: 791 blank (of 791 rows): their spend is classed
    'unknown'

    Bad values are errors, each quoting the cell:

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a_2023.csv"
    >>> lines = ["anchor_id,payment_date,amount,supplier_id,supplier_name,supplier_postcode,category",
    ...          "a,2023-04-03,100.50,S1,Acme Ltd,ls11ur,Goods",
    ...          "a,03/05/2023,£50,S2,Bolts Ltd,LS2 9JT,Goods"]
    >>> _ = path.write_text("\\n".join(lines), encoding="utf-8")
    >>> for failure in check_ledger(path)[0]:
    ...     print(failure.describe())
    a_2023.csv row 3, column 'payment_date': value '03/05/2023': payment_date must be a date written YYYY-MM-DD
    a_2023.csv row 3, column 'amount': value '£50': amount must be a number, written without £, commas or units

    A finance export in an anchor's folder is read with the preset its header matches, and its columns are
    named by both names:

    >>> lines = ["Payment Date,Amount,Organisational Unit,Beneficiary Name",
    ...          '03/04/2023,"1,200.50",Adults and Health,Acme Ltd', "05/04/2023,lots,City Development,Bolts Ltd"]
    >>> _ = path.write_text("\\n".join(lines), encoding="utf-8")
    >>> reading = ExportReading("ledger/council/a_2023.csv", "council")
    >>> failures, rows = check_ledger(path, file=reading.file, anchor="council", reading=reading)
    >>> for failure in failures:
    ...     print(failure.describe())
    ledger/council/a_2023.csv row 3, column 'Amount' (amount): value 'lots': amount must be an amount of money: \
a number, optionally with £, thousands commas, and a minus sign, brackets or CR for a credit
    ledger/council/a_2023.csv: warning: no supplier postcode column: the spend of all 2 lines is classed \
'unknown' (not located)
    >>> reading.plan.source
    "preset 'leeds_city_council'"
    """
    path = Path(path)
    place = load_place(place or "leeds")
    file = file or path.name
    failures: list[Failure] = []
    rows = blank = malformed = 0
    reading = reading or ExportReading(file, anchor)
    try:
        for typed, chunk_failures, _ in _ledger_chunks(path, place, anchors, file, chunk_rows, anchor=anchor,
                                                       mapping=mapping, reading=reading):
            failures += chunk_failures
            rows += len(typed)
            if on_chunk is not None and len(typed):
                on_chunk(typed)
            if "supplier_postcode" in typed:
                postcodes = typed["supplier_postcode"]
                blank += int(postcodes.isna().sum())
                malformed += int((postcodes.notna() & ~valid_postcode_mask(postcodes)).sum())
    except FileProblem as problem:
        failures.append(problem.failure)
    if reading.plan is not None and "supplier_postcode" not in reading.plan.fields:
        failures.append(Failure(file, None, None, None, f"no supplier postcode column: the spend of all {rows:,} "
                                                        "lines is classed 'unknown' (not located)", "warning"))
        return failures, rows
    unusable = [f"{n} {what}" for n, what in ((blank, "blank"), (malformed, "not a valid UK postcode")) if n]
    if unusable:
        rule = f"{' and '.join(unusable)} (of {rows} rows): their spend is classed 'unknown'"
        failures.append(Failure(file, None, "supplier_postcode", None, rule, "warning"))
    return failures, rows


def iter_ledger(path: str | Path, *, place: str | Place | None = None, anchors: pd.DataFrame | None = None,
                chunk_rows: int = LEDGER_CHUNK_ROWS, anchor: str | None = None,
                mapping: LedgerMapping | None = None, file: str | None = None) -> Iterator[pd.DataFrame]:
    """Typed ledger chunks (same columns as the contract), for reading a large ledger lazily.

    Parameters
    ----------
    path : str or path-like
        The ledger file (CSV or XLSX).
    place : str or Place, optional
        The place whose financial years apply; default Leeds.
    anchors : DataFrame, optional
        The converted anchors table, for the cross-table rules.
    chunk_rows : int, default LEDGER_CHUNK_ROWS
        Rows per chunk (blank rows are dropped, so a chunk may be shorter).
    anchor : str, optional
        The anchor whose folder holds the file (see :func:`check_ledger`).
    mapping : LedgerMapping, optional
        The anchor's column mapping.
    file : str, optional
        The name failures give the file; default its name.

    Yields
    ------
    DataFrame
        The next chunk, converted: ``anchor_id, payment_date, amount, supplier_id, supplier_name,
        supplier_postcode, category, company_number, expense_type, service_area, vat``.

    Raises
    ------
    ValidationFailed
        At the first chunk with an error, or when the file cannot be read; ``.report`` lists the failures.

    See Also
    --------
    check_ledger : Every failure of a ledger, without stopping at the first.

    Examples
    --------
    >>> chunks = list(iter_ledger("data/raw/demo/ledger/university_a_2023.csv", chunk_rows=100))
    >>> [len(chunk) for chunk in chunks], str(chunks[0]["payment_date"].dtype)
    ([100, 100, 100, 100, 86], 'datetime64[ns]')
    """
    path = Path(path)
    place = load_place(place or "leeds")
    try:
        for typed, failures, _ in _ledger_chunks(path, place, anchors, file or path.name, chunk_rows,
                                                 anchor=anchor, mapping=mapping):
            if any(f.severity == "error" for f in failures):
                raise _failed(*failures)
            if len(typed):
                yield typed
    except FileProblem as problem:
        raise _failed(problem.failure) from None


def _read_whole_ledger(path: Path, place: Place, anchors: pd.DataFrame | None, file: str) -> pd.DataFrame:
    """A whole validated ledger in one frame (:func:`check_ledger` first, then every chunk)."""
    failures, rows = check_ledger(path, place=place, anchors=anchors, file=file)
    report = ValidationReport()
    report.checked(file, rows)
    report.extend(failures)
    if not report.ok:
        raise ValidationFailed(report)
    frame = pd.concat(list(iter_ledger(path, place=place, anchors=anchors)), ignore_index=True)
    frame.attrs["warnings"] = [f.describe() for f in report.failures]
    return frame
