"""Supplier ledgers, validated chunk by chunk so a multi-gigabyte ledger is checked without being held in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.fields import column_failures, convert
from anchor_analysis.contracts.readers import (
    EMPTY_FILE,
    LEDGER_CHUNK_ROWS,
    _detect_encoding,
    _failed,
    _records_to_frame,
    _xlsx_records,
)
from anchor_analysis.contracts.report import HEADER_ROW, Failure, ValidationReport
from anchor_analysis.contracts.schemas import contract
from anchor_analysis.core.errors import FileProblem, ValidationFailed
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.postcodes import valid_postcode_mask

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
        raise FileProblem(Failure(file, int(line.group(1)) if line else None, None, None,
                                   "row has more values than the header has columns; reading stopped here")
                           ) from exc
    except pd.errors.EmptyDataError as exc:
        raise FileProblem(Failure(file, None, None, None, EMPTY_FILE)) from exc


def _ledger_chunks(path: Path, place: Place, anchors: pd.DataFrame | None, file: str,
                   chunk_rows: int = LEDGER_CHUNK_ROWS
                   ) -> Iterator[tuple[pd.DataFrame, list[Failure], pd.DataFrame]]:
    """Typed, checked ledger chunks: (typed chunk, failures, raw chunk)."""
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


def check_ledger(path: str | Path, *, place: str | Place | None = None, anchors: pd.DataFrame | None = None,
                 file: str | None = None, chunk_rows: int = LEDGER_CHUNK_ROWS) -> tuple[list[Failure], int]:
    """Validate one ledger file chunk by chunk, so a multi-gigabyte ledger is never held in memory.

    Blank or malformed supplier postcodes are a warning with a count, not an error: real ledgers carry
    them, and the spend analysis classes those payments as "unknown". This never raises for bad input: a file
    that cannot be read is one failure.

    Parameters
    ----------
    path : str or path-like
        The ledger file (CSV or XLSX).
    place : str or Place, optional
        The place whose financial years apply; default Leeds.
    anchors : DataFrame, optional
        The converted anchors table, for the cross-table rules (the anchor is listed and was a member in the
        financial year of each payment).
    file : str, optional
        The name the failures give the file (e.g. ``ledger/a_2023.csv``); default the file's name.
    chunk_rows : int, default LEDGER_CHUNK_ROWS
        Rows read at a time.

    Returns
    -------
    failures : list of Failure
        Every failure, the postcode warning last.
    rows : int
        Data rows read.

    Examples
    --------
    >>> check_ledger("data/raw/demo/ledger/university_a_2023.csv")
    ([], 155)
    >>> failures, rows = check_ledger("data/raw/demo/ledger/university_a_2019.csv")
    >>> rows, len(failures)
    (156, 1)
    >>> print(failures[0].describe())
    university_a_2019.csv column 'supplier_postcode': warning: 6 blank (of 156 rows): their spend is classed 'unknown'

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
    except FileProblem as problem:
        failures.append(problem.failure)
    unusable = [f"{n} {what}" for n, what in ((blank, "blank"), (malformed, "not a valid UK postcode")) if n]
    if unusable:
        rule = f"{' and '.join(unusable)} (of {rows} rows): their spend is classed 'unknown'"
        failures.append(Failure(file, None, "supplier_postcode", None, rule, "warning"))
    return failures, rows


def iter_ledger(path: str | Path, *, place: str | Place | None = None, anchors: pd.DataFrame | None = None,
                chunk_rows: int = LEDGER_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
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

    Yields
    ------
    DataFrame
        The next chunk, converted: ``anchor_id, payment_date, amount, supplier_id, supplier_name,
        supplier_postcode, category``.

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
    ([100, 55], 'datetime64[ns]')
    """
    path = Path(path)
    place = load_place(place or "leeds")
    try:
        for typed, failures, _ in _ledger_chunks(path, place, anchors, path.name, chunk_rows):
            if any(f.severity == "error" for f in failures):
                raise _failed(*failures)
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
