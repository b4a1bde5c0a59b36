"""Finance exports read as ledgers: the header found below any title rows, blank rows and the footer (total rows,
notes) dropped and reported, every mapped column read as its ledger field, streamed chunk by chunk.

A file is read through a :class:`~anchor_analysis.contracts.mapping.ColumnPlan` (a written mapping, or the preset
its header matches); its lines come out as the ledger contract's columns, as text ready for
:func:`~anchor_analysis.contracts.fields.convert` (dates ISO, amounts plain numbers), with a failure for every cell
that cannot be read, naming the column by both names. What was dropped, and how, is kept in an
:class:`ExportReading`. A "Total" row at the end is a footer; one with lines below it is an error (its lines would
be counted twice).
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.fields import FIELDS
from anchor_analysis.contracts.mapping import ColumnPlan, LedgerMapping, normalise_header, resolve_columns
from anchor_analysis.contracts.parsing import AMOUNT_RULE, DateReader, date_format_label, parse_amounts
from anchor_analysis.contracts.report import Failure, excel_row
from anchor_analysis.contracts.sources import open_source

HEADER_SEARCH_ROWS = 30
"""How far down a file its header is looked for (title rows above it are dropped)."""

OUTSIDE_ANCHOR_FOLDER = ("this file is directly in ledger/, outside any anchor's folder, and has no anchor column: "
                         "move it into ledger/<anchor_id>/ (its lines are then that anchor's) or add an anchor_id "
                         "column")

_TOTAL = re.compile(r"^\s*(?:grand\s+|sub[-\s]?)?totals?\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_WORDS = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")
_AMOUNT_FIELDS = ("amount", "debit", "credit", "vat")


@dataclass
class ExportReading:
    """How one export was read: filled in while its chunks are read.

    Parameters
    ----------
    file : str
        The file's name in failures.
    anchor : str or None
        The anchor whose folder holds the file (None directly in ``ledger/``).
    kind : str, optional
        What the file is (``"CSV"``, ``"gzip CSV"``, ``"XLSX"``, ``"Parquet"``).
    sheet : str, optional
        The workbook sheet read.
    plan : ColumnPlan, optional
        The columns read (None until the header is found, or when it is not).
    date_format : str, optional
        The format the dates were found written in.
    title_rows, blank_rows : list of int
        The rows dropped above the header, and the blank rows, as Excel numbers them.
    footer_rows : list of tuple of (int, str)
        The rows dropped at the end, with their text.
    lines : int
        Lines read.

    Examples
    --------
    >>> reading = ExportReading("ledger/council/spend.csv", "council", kind="CSV", title_rows=[1, 2])
    >>> reading.as_dict()["title_rows"], reading.as_dict()["source"]
    ([1, 2], None)
    """

    file: str
    anchor: str | None
    kind: str = ""
    sheet: str | None = None
    plan: ColumnPlan | None = None
    date_format: str | None = None
    title_rows: list[int] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    footer_rows: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0
    pence: int = 0
    """The lines' amounts added up, in pence (amounts that could not be read left out)."""
    total_row: str | None = None
    """Whether a total row of the footer states the lines' total (None: no footer total to compare)."""
    footer_records: list[tuple[int, list[str]]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        """The reading as :attr:`~anchor_analysis.contracts.report.ValidationReport.readings` keeps it.

        Returns
        -------
        dict
            ``source, preset, anchor, kind, sheet, header_row, columns, ignored, date_format, sign, title_rows,
            blank_rows`` (a count), ``footer_rows`` (``[row, text]`` pairs), ``lines`` and ``total_row``.

        Examples
        --------
        >>> ExportReading("a.csv", None, blank_rows=[4, 9], footer_rows=[(12, "Total")]).as_dict()["blank_rows"]
        2
        """
        plan = self.plan
        return {
            "source": plan.source if plan else None, "preset": plan.preset if plan else None,
            "anchor": self.anchor, "kind": self.kind, "sheet": self.sheet,
            "header_row": plan.header_row if plan else None, "columns": plan.columns() if plan else {},
            "ignored": plan.ignored() if plan else [], "date_format": self.date_format,
            "sign": plan.sign if plan else None, "title_rows": list(self.title_rows),
            "blank_rows": len(self.blank_rows), "footer_rows": [[row, text] for row, text in self.footer_rows],
            "lines": self.lines, "total_row": self.total_row,
        }


@dataclass
class ExportChunk:
    """A chunk of an export's lines under the ledger contract's columns.

    Parameters
    ----------
    text : DataFrame
        The lines as contract text (dates ISO, amounts plain numbers, the folder's anchor), indexed by data-row
        position (Excel row - 2), every column of the ledger contract present.
    cells : DataFrame
        The mapped cells as written, by field name, for failures to quote.
    failures : list of Failure
        Cells that cannot be read, total rows among the lines, the anchor column disagreeing with the folder.
    bad_cells : set of tuple of (int, str)
        Those cells as ``(position, field)``, so later checks do not report them again.

    Examples
    --------
    >>> chunk = _empty_chunk([])
    >>> chunk.text.columns.tolist()[:4], len(chunk.text)
    (['anchor_id', 'payment_date', 'amount', 'supplier_id'], 0)
    """

    text: pd.DataFrame
    cells: pd.DataFrame
    failures: list[Failure]
    bad_cells: set[tuple[int, str]]


def read_export(path: str | Path, file: str, *, anchor: str | None = None, mapping: LedgerMapping | None = None,
                chunk_rows: int = 200_000, reading: ExportReading | None = None, anchor_required: bool = True
                ) -> Iterator[ExportChunk]:
    """The lines of an export, chunk by chunk, read through its mapping or the preset its header matches.

    Parameters
    ----------
    path : str or path-like
        The file (any kind :func:`~anchor_analysis.contracts.sources.file_kind` knows).
    file : str
        Its name in failures.
    anchor : str, optional
        The anchor whose folder holds it; its lines are that anchor's (an anchor column must agree).
    mapping : LedgerMapping, optional
        The anchor's mapping; without one the file is read with the preset its header matches.
    chunk_rows : int, default 200_000
        Lines per chunk.
    reading : ExportReading, optional
        Filled in with how the file is read (the header, the rows dropped) as the chunks are read.
    anchor_required : bool, default True
        A file with no ``anchor`` must have an anchor column (False: a file looked at on its own, outside a
        network folder).

    Yields
    ------
    ExportChunk
        The next lines; when the header cannot be read, one empty chunk with the failures, and no more.

    Raises
    ------
    FileProblem
        The file cannot be read at all (empty, binary, an old .xls workbook).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "spend.csv"
    >>> rows = ["Council spend over £500,,,", ",,,", "Payment Date,Net Amount,Supplier Name,Service Area",
    ...         '01/04/2019,"£1,200.00",Acme Ltd,Highways', "02/04/2019,(50.00),Acme Ltd,Highways",
    ...         'Total,"£1,150.00",,']
    >>> _ = path.write_text("\\n".join(rows), encoding="utf-8")
    >>> reading = ExportReading("spend.csv", "council")
    >>> [chunk] = read_export(path, "spend.csv", anchor="council", reading=reading)
    >>> chunk.text[["anchor_id", "payment_date", "amount", "service_area"]].values.tolist()
    [['council', '2019-04-01', '1200.0', 'Highways'], ['council', '2019-04-02', '-50.0', 'Highways']]
    >>> reading.plan.source, reading.date_format, reading.title_rows, reading.footer_rows
    ("preset 'lgtc'", 'DD/MM/YYYY', [1], [(6, 'Total | £1,150.00')])
    """
    reading = reading or ExportReading(file, anchor)
    source = open_source(Path(path), file, mapping.sheet if mapping else None)
    reading.kind, reading.sheet = source.kind, source.sheet
    records = enumerate(source.records)
    plan, failures = _find_header(records, mapping, file, reading)
    if plan is not None and anchor is None and anchor_required and "anchor_id" not in plan.fields:
        failures.append(Failure(file, plan.header_row, "anchor_id", None, OUTSIDE_ANCHOR_FOLDER))
    if plan is None or failures:
        yield _empty_chunk(source.warnings + failures)
        return
    reading.plan = plan
    dates = DateReader(plan.date_format)
    first = True
    for rows, row_failures in _line_batches(records, plan, file, reading, chunk_rows):
        chunk = _chunk(rows, plan, file, anchor, dates)
        chunk.failures[:0] = (source.warnings if first else []) + row_failures
        reading.lines += len(rows)
        reading.pence += int(pd.to_numeric(chunk.text["amount"], errors="coerce").mul(100).round().sum())
        reading.date_format = dates.chosen
        first = False
        yield chunk
    if first:
        yield _empty_chunk(source.warnings + [Failure(file, None, None, None,
                                                      "file has a header row but no data rows")])
    elif (check := _footer_total(reading, plan, file)) is not None:
        yield _empty_chunk([check])


def _footer_total(reading: ExportReading, plan: ColumnPlan, file: str) -> Failure | None:
    """Compare a total row of the footer with the lines: a warning when none of them states the lines' total."""
    at = plan.fields.get("amount")
    totals = [(row, record[at]) for row, record in reading.footer_records
              if at is not None and at < len(record) and any(_TOTAL.match(cell) for cell in record)
              and record[at].strip()]
    if not totals:
        return None
    values, _ = parse_amounts(pd.Series([text for _, text in totals], dtype="str"))
    stated = [None if pd.isna(v) else round(float(v) * 100) for v in values.tolist()]
    sign = 1 if plan.sign == "payments_positive" else -1
    if reading.pence in {sign * v for v in stated if v is not None}:
        reading.total_row = "the footer's total row states the lines' total"
        return None
    reading.total_row = "the footer's total row does not state the lines' total"
    row, text = totals[-1]
    return Failure(file, row, plan.column("amount"), text,
                   f"the total row is not the lines' total (they add up to {reading.pence / 100:,.2f}): check that "
                   "every line of the export is in the file", "warning", field="amount")


def _empty_chunk(failures: list[Failure]) -> ExportChunk:
    """A chunk of no lines, carrying ``failures``."""
    text = pd.DataFrame({f.name: pd.Series(dtype="str") for f in FIELDS["ledger"]})
    return ExportChunk(text, text.copy(), failures, set())


def _find_header(records: Iterator[tuple[int, list[str]]], mapping: LedgerMapping | None, file: str,
                 reading: ExportReading) -> tuple[ColumnPlan | None, list[Failure]]:
    """The header (the first row the mapping or a preset reads, or row ``skip_rows + 1``) and its plan.

    When no row is read, the failures are those of the row most like a header (the most cells filled in).
    """
    fixed = mapping is not None and mapping.skip_rows is not None
    nearest: tuple[int, list[Failure]] | None = None
    for number, record in records:
        row = number + 1
        filled = sum(1 for cell in record if cell.strip())
        if not filled:
            reading.blank_rows.append(row)
            continue
        if fixed and number < mapping.skip_rows:
            reading.title_rows.append(row)
            continue
        plan, failures = resolve_columns(record, mapping, file=file, header_row=row)
        if plan is not None:
            return plan, _duplicated_columns(record, plan, file, row)
        if nearest is None or filled > nearest[0]:
            nearest = (filled, failures)
        if fixed or number >= HEADER_SEARCH_ROWS:
            break
        reading.title_rows.append(row)
    reading.title_rows.clear()
    return None, nearest[1] if nearest else [Failure(file, None, None, None, "file has no header row")]


def _duplicated_columns(record: list[str], plan: ColumnPlan, file: str, row: int) -> list[Failure]:
    """A mapped column whose header appears twice (which one is meant is unclear)."""
    names = [normalise_header(cell) for cell in record]
    return [Failure(file, row, plan.column(name), None, "column appears more than once in the header", field=name)
            for name, position in plan.fields.items() if names.count(names[position]) > 1]


def _line_batches(records: Iterator[tuple[int, list[str]]], plan: ColumnPlan, file: str, reading: ExportReading,
                  chunk_rows: int) -> Iterator[tuple[list[tuple[int, list[str]]], list[Failure]]]:
    """Batches of ``(position, record)`` lines, with the failures of the rows among them (totals, extra values).

    Blank rows are dropped and counted; total rows and one-cell notes after the last line are the footer (or the
    last ``footer_rows`` rows, when the mapping says how many); a total row with lines below it is an error.
    """
    batch: list[tuple[int, list[str]]] = []
    failures: list[Failure] = []
    held: deque[tuple[int, list[str], str]] = deque()
    width = len(plan.header)
    for number, record in records:
        if not "".join(record).strip():  # a blank row (join: one C call, not one per cell)
            reading.blank_rows.append(number + 1)
            continue
        kind = _row_kind(record, plan)
        if plan.footer_rows is not None:
            held.append((number, record, kind))
            if len(held) <= plan.footer_rows:
                continue
            number, record, kind = held.popleft()
        elif kind != "line":
            held.append((number, record, kind))
            continue
        failures += _release(held, plan, file, batch, width) if plan.footer_rows is None else []
        _take(number, record, kind, plan, file, batch, failures, width)
        if len(batch) >= chunk_rows:
            yield batch, failures
            batch, failures = [], []
    reading.footer_rows.extend((number + 1, _row_text(record)) for number, record, _ in held)
    reading.footer_records.extend((number + 1, record) for number, record, _ in held)
    if batch or failures:
        yield batch, failures


def _row_kind(record: list[str], plan: ColumnPlan) -> str:
    """``"total"`` (a total label, no date), ``"note"`` (one cell of words, not an amount) or ``"line"``."""
    date = plan.fields["payment_date"]
    date_text = record[date] if date < len(record) else ""
    dated = _DIGIT.search(date_text) is not None
    if dated and not _WORDS.search(date_text):
        return "line"  # almost every row: decided on its date cell alone
    if not dated and any(_TOTAL.match(cell) for cell in record):
        return "total"
    filled = [number for number, cell in enumerate(record) if cell.strip()]
    amounts = {plan.fields[name] for name in _AMOUNT_FIELDS if name in plan.fields}
    if len(filled) == 1 and filled[0] not in amounts and (filled[0] != date or _WORDS.search(date_text)):
        return "note"  # "Report produced 01/05/2024 by Finance", even in the date column
    return "line"


def _release(held: deque, plan: ColumnPlan, file: str, batch: list, width: int) -> list[Failure]:
    """Rows held as a possible footer that lines follow: totals are errors, notes are lines (and fail as such)."""
    failures: list[Failure] = []
    while held:
        number, record, kind = held.popleft()
        _take(number, record, kind, plan, file, batch, failures, width)
    return failures


def _take(number: int, record: list[str], kind: str, plan: ColumnPlan, file: str, batch: list,
          failures: list[Failure], width: int) -> None:
    """Add one row to the batch of lines (a total row among the lines is an error instead)."""
    position = number - 1
    if kind == "total":
        label = next(number for number, cell in enumerate(record) if _TOTAL.match(cell))
        column = plan.header[label] if label < width else None
        name = next((n for n, at in plan.fields.items() if at == label), None)
        failures.append(Failure(file, excel_row(position), column, _row_text(record),
                                "a total row among the lines (lines follow it): remove it, or its lines would be "
                                "counted twice", field=name))
        return
    if len(record) > width and "".join(record[width:]).strip():
        failures.append(Failure(file, excel_row(position), None, None,
                                f"row has {len(record)} values but the header has {width} columns"))
    batch.append((position, record))


def _row_text(record: list[str]) -> str:
    """A row's non-blank cells, joined for a message."""
    return " | ".join(cell.strip() for cell in record if cell.strip())


# --- one chunk of lines under the contract's columns


def _chunk(rows: list[tuple[int, list[str]]], plan: ColumnPlan, file: str, anchor: str | None,
           dates: DateReader) -> ExportChunk:
    """The lines of a batch as contract text, with a failure for every cell that cannot be read."""
    index = pd.Index([position for position, _ in rows])
    columns = list(itertools.zip_longest(*(record for _, record in rows), fillvalue=""))  # rows -> columns, in C
    cells = pd.DataFrame({name: pd.Series(columns[at] if at < len(columns) else [""] * len(rows), index=index,
                                          dtype="str").str.strip()
                          for name, at in plan.fields.items()})
    text = pd.DataFrame({f.name: cells[f.name] if f.name in cells else pd.Series("", index=index, dtype="str")
                         for f in FIELDS["ledger"]})
    failures: list[Failure] = []
    bad: set[tuple[int, str]] = set()
    _read_dates(cells, text, plan, file, dates, failures, bad)
    _read_amounts(cells, text, plan, file, failures, bad)
    _read_anchor(cells, text, plan, file, anchor, failures, bad)
    failures.sort(key=lambda f: f.row or 0)
    return ExportChunk(text, cells, failures, bad)


def _cell_failures(mask: pd.Series, cells: pd.DataFrame, name: str, plan: ColumnPlan, file: str,
                   rules: pd.Series | str, failures: list[Failure], bad: set) -> None:
    """One failure per cell of field ``name`` where ``mask`` is true, quoting the cell."""
    positions = mask[mask].index
    texts = rules.reindex(positions).tolist() if isinstance(rules, pd.Series) else [rules] * len(positions)
    for position, value, rule in zip(positions, cells.loc[positions, name].tolist(), texts, strict=True):
        failures.append(Failure(file, excel_row(position), plan.column(name), value or None, rule, field=name))
        bad.add((position, "amount" if name in ("debit", "credit") else name))


def _read_dates(cells: pd.DataFrame, text: pd.DataFrame, plan: ColumnPlan, file: str, dates: DateReader,
                failures: list[Failure], bad: set) -> None:
    """Payment dates in the file's one format, as ISO text."""
    values, problems = dates.read(cells["payment_date"])
    text["payment_date"] = values.dt.strftime("%Y-%m-%d").fillna("")
    written = dates.chosen or "a date format"
    mapped = "" if plan.date_format == "auto" else " (the mapping's date_format)"
    rules = problems.map(lambda other: f"payment_date must be a date written {written}{mapped}, as this file's "
                                       "other dates are" if other == "" else
                                       f"a date written {other} in a file whose dates are written {written}: "
                                       "write every date one way", na_action="ignore")
    _cell_failures(problems.notna(), cells, "payment_date", plan, file, rules, failures, bad)


def _read_amounts(cells: pd.DataFrame, text: pd.DataFrame, plan: ColumnPlan, file: str,
                  failures: list[Failure], bad: set) -> None:
    """Amounts (or debits and credits) and VAT as plain numbers; payments positive, credits negative."""
    parsed = {}
    for name in _AMOUNT_FIELDS:
        if name in plan.fields:
            values, unreadable = parse_amounts(cells[name])
            _cell_failures(unreadable, cells, name, plan, file, f"{name} {AMOUNT_RULE}", failures, bad)
            parsed[name] = values
    if "amount" in parsed:
        amount = parsed["amount"] if plan.sign == "payments_positive" else -parsed["amount"]
    else:
        amount = _debit_less_credit(cells, parsed["debit"], parsed["credit"], plan, file, failures, bad)
    text["amount"] = _number_text(amount)
    if "vat" in parsed:
        text["vat"] = _number_text(parsed["vat"])


def _number_text(values: pd.Series) -> pd.Series:
    """Numbers as the plain text the contract reads (``repr`` of the float: exact), blank where missing."""
    numbers = values.astype("float64").tolist()
    return pd.Series([repr(v) if v == v else "" for v in numbers], index=values.index, dtype="str")


def _debit_less_credit(cells: pd.DataFrame, debit: pd.Series, credit: pd.Series, plan: ColumnPlan, file: str,
                       failures: list[Failure], bad: set) -> pd.Series:
    """Debit - credit, each written as a positive amount; a line is one or the other, never both or neither."""
    for name, values in (("debit", debit), ("credit", credit)):
        _cell_failures((values < 0).fillna(False), cells, name, plan, file,
                       f"a {name} is written as a positive amount (the {name} column says which way it goes)",
                       failures, bad)
    has_debit, has_credit = (debit.fillna(0) != 0), (credit.fillna(0) != 0)
    _cell_failures(has_debit & has_credit, cells, "credit", plan, file,
                   f"a debit ({plan.label('debit')}) and a credit on one line: a line is one or the other",
                   failures, bad)
    neither = debit.isna() & credit.isna() & (cells["debit"] == "") & (cells["credit"] == "")
    _cell_failures(neither, cells, "debit", plan, file, "a line needs a debit or a credit", failures, bad)
    return debit.fillna(0) - credit.fillna(0)


def _read_anchor(cells: pd.DataFrame, text: pd.DataFrame, plan: ColumnPlan, file: str, anchor: str | None,
                 failures: list[Failure], bad: set) -> None:
    """The folder's anchor on every line; an anchor column, where there is one, must name the same anchor."""
    if anchor is None:
        return
    if "anchor_id" in plan.fields:
        other = (cells["anchor_id"] != "") & (cells["anchor_id"] != anchor)
        _cell_failures(other, cells, "anchor_id", plan, file,
                       f"the anchor column must agree with the file's folder, ledger/{anchor}/", failures, bad)
    text["anchor_id"] = anchor


def reading_summary(reading: ExportReading) -> str:
    """One line on how an export was read (its columns by both names), for messages.

    Parameters
    ----------
    reading : ExportReading
        A reading filled in by :func:`read_export`.

    Returns
    -------
    str
        ``read with <source>: 'Payment Date' (payment_date), ...``.

    Examples
    --------
    >>> from anchor_analysis.contracts.mapping import ColumnPlan
    >>> plan = ColumnPlan(("Paid", "Net"), {"payment_date": 0, "amount": 1}, "preset 'lgtc'", "lgtc", "auto",
    ...                   "payments_positive", None)
    >>> reading_summary(ExportReading("a.csv", "council", plan=plan, date_format="DD/MM/YYYY"))
    "read with preset 'lgtc': 'Paid' (payment_date), 'Net' (amount); dates DD/MM/YYYY"
    """
    columns = ", ".join(f"'{header}' ({name})" for name, header in reading.plan.columns().items())
    dates = f"; dates {date_format_label(reading.date_format)}" if reading.date_format else ""
    return f"read with {reading.plan.source}: {columns}{dates}"
