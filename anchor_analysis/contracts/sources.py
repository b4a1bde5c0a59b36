"""Ledger files by content, whatever they are called: CSV (UTF-8, or Windows-1252 with a warning), gzip CSV, XLSX
(a named sheet, a sheet called ``ledger``, or the first) and Parquet, read record by record as cell texts.

>>> import tempfile, gzip
>>> path = Path(tempfile.mkdtemp()) / "export.dat"
>>> with gzip.open(path, "wt", encoding="utf-8") as handle:
...     _ = handle.write("Payment Date,Amount\\n01/04/2019,\\"1,200.00\\"\\n")
>>> source = open_source(path, "ledger/council/export.dat")
>>> source.kind, list(source.records)
('gzip CSV', [['Payment Date', 'Amount'], ['01/04/2019', '1,200.00']])
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from anchor_analysis.contracts.readers import CP1252_WARNING, EMPTY_FILE, _cell_text
from anchor_analysis.contracts.report import Failure
from anchor_analysis.core.errors import FileProblem

_GZIP, _ZIP, _PARQUET, _OLE = b"\x1f\x8b", b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0"
_BLOCK = 1 << 20
_BATCH_ROWS = 50_000


@dataclass
class Source:
    """One ledger file opened for reading: what it is and its records (lists of cell texts), read lazily.

    Parameters
    ----------
    kind : str
        ``"CSV"``, ``"gzip CSV"``, ``"XLSX"`` or ``"Parquet"``.
    records : iterator of list of str
        The rows, header and title rows included, as text.
    warnings : list of Failure, optional
        About the file as a whole (read as Windows-1252).
    sheet : str, optional
        The sheet read, for a workbook.

    Examples
    --------
    >>> source = Source("CSV", iter([["Date", "Amount"], ["2023-04-01", "10"]]))
    >>> source.kind, next(source.records)
    ('CSV', ['Date', 'Amount'])
    """

    kind: str
    records: Iterator[list[str]]
    warnings: list[Failure] = field(default_factory=list)
    sheet: str | None = None


def file_kind(path: Path, file: str) -> str:
    """What a ledger file is, from its first bytes (its name is not looked at).

    Parameters
    ----------
    path : Path
        The file.
    file : str
        Its name in failures.

    Returns
    -------
    str
        ``"CSV"``, ``"gzip CSV"``, ``"XLSX"`` or ``"Parquet"``.

    Raises
    ------
    FileProblem
        The file is empty or an old Excel workbook (.xls).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "spend.csv"
    >>> _ = path.write_bytes(b"PAR1...")
    >>> file_kind(path, "spend.csv")
    'Parquet'
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if not head:
        raise FileProblem(Failure(file, None, None, None, EMPTY_FILE))
    if head.startswith(_GZIP):
        return "gzip CSV"
    if head == _ZIP:
        return "XLSX"
    if head == _PARQUET:
        return "Parquet"
    if head == _OLE:
        raise FileProblem(Failure(file, None, None, None,
                                  "old Excel format (.xls) is not read: save it as .xlsx or .csv"))
    return "CSV"


def open_source(path: Path, file: str, sheet: str | None = None) -> Source:
    """Open a ledger file of any kind (:func:`file_kind`) for reading record by record.

    Parameters
    ----------
    path : Path
        The file.
    file : str
        Its name in failures (``ledger/council/spend.csv``).
    sheet : str, optional
        The sheet of a workbook to read; default a sheet named ``ledger``, else the first sheet.

    Returns
    -------
    Source
        The kind, the records (read lazily) and any warning about the file.

    Raises
    ------
    FileProblem
        The file is empty, binary, not a readable workbook or Parquet file, or has no sheet ``sheet``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "spend.csv"
    >>> _ = path.write_bytes("Date,Payee\\n2023-04-01,Café Ltd\\n".encode("cp1252"))
    >>> source = open_source(path, "spend.csv")
    >>> list(source.records)[1], source.warnings[0].describe()
    (['2023-04-01', 'Café Ltd'], 'spend.csv: warning: read as Windows-1252; save as UTF-8 to avoid this')
    """
    kind = file_kind(path, file)
    if kind == "XLSX":
        name, records = _workbook_records(path, file, sheet)
        return Source(kind, records, sheet=name)
    if kind == "Parquet":
        return Source(kind, _parquet_records(path, file))
    opener = (lambda: gzip.open(path, "rb")) if kind == "gzip CSV" else (lambda: path.open("rb"))
    encoding = _encoding(opener, file)
    warnings = [Failure(file, None, None, None, CP1252_WARNING, "warning")] if encoding == "cp1252" else []
    return Source(kind, _csv_records(opener, encoding, file), warnings)


def _encoding(opener, file: str) -> str:
    """UTF-8 (a BOM dropped), else Windows-1252; a binary or undecodable file is a :class:`FileProblem`."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with opener() as handle:
                while block := handle.read(_BLOCK):
                    if "\x00" in decoder.decode(block):
                        raise FileProblem(Failure(file, None, None, None,
                                                  "not a text file (binary or unknown encoding): save it as CSV "
                                                  "in UTF-8"))
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
        except (OSError, EOFError, zlib.error) as exc:  # a broken gzip stream: truncated, corrupt, bad checksum
            raise FileProblem(Failure(file, None, None, None, f"cannot be read as gzip: {exc}")) from exc
    raise FileProblem(Failure(file, None, None, None,
                              "not a text file (binary or unknown encoding): save it as CSV in UTF-8"))


def _csv_records(opener, encoding: str, file: str) -> Iterator[list[str]]:
    """The records of a (possibly gzipped) CSV, streamed."""
    with opener() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        try:
            yield from reader
        except csv.Error as exc:
            raise FileProblem(Failure(file, reader.line_num, None, None, f"not readable as CSV: {exc}")) from exc


def _workbook_records(path: Path, file: str, sheet: str | None) -> tuple[str, Iterator[list[str]]]:
    """The sheet chosen and its records (streamed from a read-only workbook)."""
    from openpyxl import load_workbook

    handle = path.open("rb")  # a handle, not the path: openpyxl refuses a workbook whose name is not .xlsx
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, XML and key errors for files that are not workbooks
        handle.close()
        raise FileProblem(Failure(file, None, None, None,
                                  f"not a readable Excel workbook (.xlsx): {type(exc).__name__}")) from exc
    names = {name.strip().lower(): name for name in workbook.sheetnames}
    wanted = (sheet or "").strip().lower()
    if sheet and wanted not in names or not names:
        workbook.close()
        handle.close()
        found = ", ".join(f"'{name}'" for name in workbook.sheetnames) or "none"
        raise FileProblem(Failure(file, None, None, None, f"no sheet named '{sheet or 'ledger'}' (found {found})"))
    chosen = names.get(wanted) or names.get("ledger") or workbook.sheetnames[0]

    def records() -> Iterator[list[str]]:
        read = 0
        try:
            for row in workbook[chosen].iter_rows(values_only=True):
                yield [_cell_text(value) for value in row]
                read += 1
        except Exception as exc:  # a damaged workbook shows as its sheet is read: zip, XML and key errors
            raise FileProblem(Failure(file, read + 1, None, None, f"not a readable Excel workbook (.xlsx): sheet "
                                      f"'{chosen}' is damaged from this row on ({type(exc).__name__})")) from exc
        finally:
            workbook.close()
            handle.close()

    return chosen, records()


def _parquet_records(path: Path, file: str) -> Iterator[list[str]]:
    """The header and rows of a Parquet file as text, a batch at a time."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError for files that are not Parquet
        raise FileProblem(Failure(file, None, None, None, f"not a readable Parquet file: {exc}")) from exc
    yield list(parquet.schema_arrow.names)
    batches, read = parquet.iter_batches(batch_size=_BATCH_ROWS), 0
    while True:
        try:  # a damaged page shows only when it is read: pyarrow raises OSError, ArrowInvalid or UnicodeDecodeError
            batch = next(batches, None)
            columns = [] if batch is None else [[_value_text(v) for v in c.to_pylist()] for c in batch.columns]
        except Exception as exc:
            raise FileProblem(Failure(file, None, None, None, f"not a readable Parquet file: the rows after the "
                                      f"first {read:,} are damaged ({type(exc).__name__})")) from exc
        if batch is None:
            return
        read += batch.num_rows
        yield from (list(row) for row in zip(*columns, strict=True))


def _value_text(value: object) -> str:
    """A Parquet value as the text a CSV export would hold (dates ISO, whole floats without .0)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return _cell_text(value)
