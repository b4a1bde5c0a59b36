"""A ledger file inspected before anything is taken in: the preset or mapping it is read with (or a proposed one),
what each column parses as, the first lines as read, totals by month, and what would be dropped.

What ``anchor-analysis ledger inspect FILE`` prints. The file is read exactly as validation reads it
(:func:`~anchor_analysis.contracts.exports.read_export`), so what it shows is what would be taken in; the place's
years and the anchors' membership are checked by ``anchor-analysis validate``, not here.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.exports import HEADER_SEARCH_ROWS, ExportReading, read_export
from anchor_analysis.contracts.mapping import MAPPED_FIELDS, MAPPING_FILE, LedgerMapping, normalise_header, presets
from anchor_analysis.contracts.mapping_files import mapping_from_settings, mapping_toml, read_mapping_file
from anchor_analysis.contracts.parsing import DateReader, parse_amounts
from anchor_analysis.contracts.readers import LEDGER_DIR, NETWORK_FILE
from anchor_analysis.contracts.report import Failure, reading_lines
from anchor_analysis.contracts.sources import open_source
from anchor_analysis.core.errors import FileProblem

SAMPLE_ROWS = 2000
"""Rows of each column looked at to say what it parses as."""

_HINTS = {
    "payment_date": ("date", "paid", "posted", "when"),
    "amount": ("amount", "value", "net", "total", "gross", "sum", "spend", "how much"),
    "supplier_name": ("supplier", "beneficiary", "payee", "vendor", "creditor", "merchant", "name", "who"),
    "supplier_id": ("supplier id", "supplier no", "supplier number", "supplier code", "vendor id", "creditor no"),
    "company_number": ("company number", "company no", "companies house", "company reg"),
    "supplier_postcode": ("postcode", "post code"),
    "vat": ("vat",),
    "category": ("category", "expense type", "expenses type", "expenditure type", "type"),
    "service_area": ("service", "department", "directorate", "area", "division", "cost centre", "unit"),
}
"""Words in a header that suggest a field, for a proposed mapping."""


@dataclass
class LedgerInspection:
    """What inspecting a ledger file found (see :func:`inspect_ledger`).

    Parameters
    ----------
    file : str
        The file, as named in the output.
    reading : ExportReading
        How it was read (its plan, the rows dropped); ``reading.plan`` is None when it cannot be read.
    how : str
        Where the mapping came from, in words (a preset matched by its headers, a mapping file, a proposal).
    columns : DataFrame
        One row per column of the file: ``column``, ``read as`` (the field) and ``parsed as (first N rows)``.
    first_rows : DataFrame
        The first lines as read (contract fields), indexed by their row in the file.
    by_month : DataFrame
        ``month, lines, amount`` by the month of the payment date, dates that cannot be read as ``unread``.
    failures : list of Failure
        Every cell or row that could not be read.
    anchor : str or None
        The anchor whose folder holds the file.
    proposed : bool
        True when the mapping is a proposal made from the columns' names and contents (no preset matched).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "gl.csv"
    >>> _ = path.write_text("When,How much,Who\\n01/04/2023,10.00,Acme Ltd\\n", encoding="utf-8")
    >>> inspection = inspect_ledger(path)
    >>> inspection.proposed, inspection.errors, inspection.mapping_toml().splitlines()[-3:]
    (True, [], ['payment_date = "When"', 'amount = "How much"', 'supplier_name = "Who"'])
    >>> print(inspection.format().splitlines()[1])
    no preset matches its header: read with the mapping proposed below (check it)
    """

    file: str
    reading: ExportReading
    how: str
    columns: pd.DataFrame
    first_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_month: pd.DataFrame = field(default_factory=pd.DataFrame)
    failures: list[Failure] = field(default_factory=list)
    anchor: str | None = None
    proposed: bool = False

    @property
    def errors(self) -> list[Failure]:
        """The failures that would stop the file being taken in."""
        return [f for f in self.failures if f.severity == "error"]

    def mapping_toml(self) -> str:
        """The mapping the file was read with, as a ``mapping.toml`` to edit and keep (empty when unread)."""
        if self.reading.plan is None:
            return ""
        return mapping_toml(self.reading.as_dict())

    def format(self) -> str:
        """The inspection as ``anchor-analysis ledger inspect`` prints it."""
        lines = [f"{self.file}: {self.reading.kind or 'unreadable'}"
                 + (f", sheet '{self.reading.sheet}'" if self.reading.sheet else "")
                 + (f", in the folder of anchor '{self.anchor}'" if self.anchor else ""), self.how, ""]
        lines += ["columns:", _indent(self.columns.to_string(index=False)), ""]
        if self.reading.plan is not None:
            lines += [f"first rows as read (row = the file's row, header = row {self.reading.plan.header_row}):",
                      _indent(self.first_rows.to_string()), "", "totals by month of payment:",
                      _indent(_money_table(self.by_month)), ""]
            dropped = reading_lines(self.reading.as_dict())[1:] or ["dropped: nothing (no title, blank or footer "
                                                                    "rows)"]
            lines += dropped
        lines += _failure_lines(self.failures)
        if self.reading.plan is not None:
            head = ("proposed mapping (check it, then save it as ledger/<anchor_id>/mapping.toml):" if self.proposed
                    else "mapping it was read with (save as ledger/<anchor_id>/mapping.toml to fix or change it):")
            lines += ["", head, _indent(self.mapping_toml().rstrip())]
        return "\n".join(lines)


def _indent(text: str) -> str:
    """Every line of ``text`` indented by two spaces."""
    return "\n".join(f"  {line}" for line in text.splitlines())


def _money_table(frame: pd.DataFrame) -> str:
    """The by-month table with thousands separators and a total line."""
    if frame.empty:
        return "(no lines)"
    shown = frame.assign(lines=frame["lines"].map("{:,}".format), amount=frame["amount"].map("{:,.2f}".format))
    total = pd.DataFrame({"month": ["total"], "lines": [f"{int(frame['lines'].sum()):,}"],
                          "amount": [f"{frame['amount'].sum():,.2f}"]})
    return pd.concat([shown, total], ignore_index=True).to_string(index=False)


def _failure_lines(failures: list[Failure], shown: int = 20) -> list[str]:
    """The failures, the first ``shown`` of them listed."""
    errors = sum(f.severity == "error" for f in failures)
    if not failures:
        return ["errors: none: the file would be taken in as read above"]
    lines = [f"{errors:,} error{'s' if errors != 1 else ''}, {len(failures) - errors:,} warning"
             f"{'s' if len(failures) - errors != 1 else ''}" + ("" if errors else ": the file would be taken in")]
    lines += [f"  {f.describe()}" for f in failures[:shown]]
    if len(failures) > shown:
        lines.append(f"  ... and {len(failures) - shown:,} more")
    return lines


# --- inspecting a file


def inspect_ledger(path: str | Path, *, anchor: str | None = None, mapping: LedgerMapping | None = None,
                   file: str | None = None, rows: int = 5) -> LedgerInspection:
    """Inspect a ledger file: how it would be read, what it holds, what would be dropped, what fails.

    In a network folder (``<network>/ledger/<anchor_id>/FILE``) the anchor and its mapping (``network.toml`` or
    ``mapping.toml``) are found as validation finds them; elsewhere the file is read with the preset its header
    matches, and when none does, with a mapping proposed from its columns' names and contents.

    Parameters
    ----------
    path : str or path-like
        The file (CSV, gzip CSV, XLSX or Parquet, known by content).
    anchor : str, optional
        The anchor it belongs to (default: the folder under ``ledger/`` that holds it).
    mapping : LedgerMapping, optional
        A mapping to read it with (default: its anchor's, else a preset, else a proposal).
    file : str, optional
        Its name in the output (default: its path under the network folder, or its name).
    rows : int, default 5
        How many of the first lines to show.

    Returns
    -------
    LedgerInspection
        Print ``.format()``; ``.errors`` says whether it would be taken in.

    Raises
    ------
    FileProblem
        The file cannot be read at all (empty, binary, an old .xls workbook).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "spend.csv"
    >>> rows = ["Spend over £500,,", "Date Paid,Net Amount,Supplier Name", '01/04/2019,"£1,200.00",Acme Ltd',
    ...         "15/05/2019,(50.00),Acme Ltd", 'Total,"1,150.00",']
    >>> _ = path.write_text("\\n".join(rows), encoding="utf-8")
    >>> inspection = inspect_ledger(path, anchor="council")
    >>> inspection.how
    "read with preset 'lgtc' (Local Government Transparency Code spend over £500 (Payment Date, Net Amount, \
Supplier Name, Expenses Type, Service Area, ...)), matched by its headers"
    >>> print(inspection.columns.to_string(index=False))
           column       read as        parsed as (first 2 rows)
        Date Paid  payment_date dates, DD/MM/YYYY (2 of 2 read)
       Net Amount        amount amounts (2 of 2 read; 1 credit)
    Supplier Name supplier_name               text (1 distinct)
    >>> inspection.by_month.values.tolist()
    [['2019-04', 1, 1200.0], ['2019-05', 1, -50.0]]
    >>> inspection.reading.footer_rows, inspection.errors
    ([(5, 'Total | 1,150.00')], [])
    """
    path = Path(path)
    found_anchor, found_mapping, name, context_failures = _context(path)
    anchor = anchor or found_anchor
    file = file or name
    given = mapping or found_mapping
    how = _how(given)
    proposed = False
    in_network = file != path.name  # in a network's ledger/: a file outside an anchor's folder needs an anchor column
    reading, failures, first, by_month = _read(path, file, anchor, given, rows, in_network)
    if reading.plan is None and given is None:
        proposal = _proposal(path, file)
        if proposal is not None:
            reading, failures, first, by_month = _read(path, file, anchor, proposal, rows, in_network)
            proposed, how = True, "no preset matches its header: read with the mapping proposed below (check it)"
    if reading.plan is not None and given is None and not proposed:
        preset = presets()[reading.plan.preset]
        how = f"read with preset '{preset.key}' ({preset.label}), matched by its headers"
    columns = _column_profile(path, file, reading)
    return LedgerInspection(file, reading, how, columns, first, by_month, context_failures + failures, anchor,
                            proposed)


def _how(mapping: LedgerMapping | None) -> str:
    """Where a given mapping comes from, in words."""
    if mapping is None:
        return "read with the preset its header matches"
    return f"read with {mapping.source or 'the mapping given'}"


def _read(path: Path, file: str, anchor: str | None, mapping: LedgerMapping | None, rows: int, in_network: bool
          ) -> tuple[ExportReading, list[Failure], pd.DataFrame, pd.DataFrame]:
    """Read the whole file as validation would: its reading, failures, first lines and totals by month."""
    reading = ExportReading(file, anchor)
    failures: list[Failure] = []
    firsts, months = [], []
    for chunk in read_export(path, file, anchor=anchor, mapping=mapping, reading=reading, anchor_required=in_network):
        failures += chunk.failures
        if chunk.text.empty:
            continue
        if sum(len(f) for f in firsts) < rows:
            firsts.append(chunk.text.head(rows))
        dates = pd.to_datetime(chunk.text["payment_date"], format="%Y-%m-%d", errors="coerce")
        amounts = pd.to_numeric(chunk.text["amount"], errors="coerce")
        months.append(pd.DataFrame({"month": dates.dt.strftime("%Y-%m").fillna("unread"), "amount": amounts}))
    first = pd.concat(firsts).head(rows) if firsts else pd.DataFrame()
    if not first.empty:
        first.index = [position + 2 for position in first.index]
        first.index.name = "row"
        first = first[[c for c in first.columns if (first[c] != "").any()]]
    if not months:
        return reading, failures, first, pd.DataFrame(columns=["month", "lines", "amount"])
    lines = pd.concat(months, ignore_index=True)
    by_month = (lines.groupby("month", sort=True).agg(lines=("amount", "size"), amount=("amount", "sum"))
                .reset_index())
    by_month["amount"] = by_month["amount"].round(2)
    return reading, failures, first, by_month


def _context(path: Path) -> tuple[str | None, LedgerMapping | None, str, list[Failure]]:
    """The anchor, its mapping and the file's name when ``path`` is in a network folder's ``ledger/``."""
    resolved = path.resolve()
    folder = next((p for p in resolved.parents if p.name == LEDGER_DIR), None)
    if folder is None:
        return None, None, path.name, []
    data_dir = folder.parent
    parts = resolved.relative_to(folder).parts
    name = resolved.relative_to(data_dir).as_posix()
    if len(parts) == 1:
        return None, None, name, []
    anchor = parts[0]
    beside = folder / anchor / MAPPING_FILE
    if beside.is_file():
        mapping, failures = read_mapping_file(beside, f"{LEDGER_DIR}/{anchor}/{MAPPING_FILE}")
        return anchor, mapping, name, failures
    settings = data_dir / NETWORK_FILE
    try:
        table = tomllib.loads(settings.read_text(encoding="utf-8-sig")).get("ledger", {}) if settings.is_file() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return anchor, None, name, [Failure(NETWORK_FILE, None, None, None, f"not valid TOML: {exc}")]
    if isinstance(table, dict) and anchor in table:
        mapping, failures = mapping_from_settings(table[anchor], f"{NETWORK_FILE} [ledger.{anchor}]",
                                                  file=NETWORK_FILE)
        return anchor, mapping, name, failures
    return anchor, None, name, []


# --- what each column holds, and a proposed mapping


def _sample(path: Path, file: str, header_row: int | None, sheet: str | None = None
            ) -> tuple[int, list[str], pd.DataFrame]:
    """The header's row (``header_row``, else the fullest of the first rows), its names and a sample below it."""
    records = list(itertools.islice(open_source(path, file, sheet).records, HEADER_SEARCH_ROWS + SAMPLE_ROWS))
    if header_row is None:
        fill = [sum(1 for cell in record if cell.strip()) for record in records[:HEADER_SEARCH_ROWS]]
        header_row = fill.index(max(fill)) + 1 if fill else 1
    header = [cell.strip() for cell in records[header_row - 1]] if records else []
    body = {row: (r + [""] * len(header))[:len(header)]
            for row, r in enumerate(records[header_row:], start=header_row + 1) if any(c.strip() for c in r)}
    names = [h or f"(column {n})" for n, h in enumerate(header, start=1)]
    sample = pd.DataFrame.from_dict(body, orient="index", columns=range(len(header)), dtype="str")
    return header_row, names, sample


def _parsed_as(values: pd.Series) -> tuple[str, str]:
    """What a column's sample parses as: (kind, description); kind is dates, amounts, numbers, text or blank."""
    filled = values[values.str.strip() != ""]
    if filled.empty:
        return "blank", "blank"
    reader = DateReader()
    dates, _ = reader.read(filled)
    if dates.notna().mean() >= 0.9:
        return "dates", f"dates, {reader.chosen}"
    amounts, bad = parse_amounts(filled)
    if (~bad).mean() >= 0.9:
        plain = filled.str.fullmatch(r"\d+").all()
        return ("numbers", "whole numbers (an id or code?)") if plain else ("amounts", "amounts")
    return "text", f"text ({filled.nunique():,} distinct)"


def _column_profile(path: Path, file: str, reading: ExportReading) -> pd.DataFrame:
    """One row per column of the file: its header, the field it is read as, and what its values parse as."""
    plan = reading.plan
    try:
        _, names, sample = _sample(path, file, plan.header_row if plan else None, reading.sheet)
    except FileProblem:
        return pd.DataFrame(columns=["column", "read_as", "parsed_as"])
    sample = sample.drop(index=[row for row, _ in reading.footer_rows], errors="ignore")  # lines only
    read_as = {position: name for name, position in plan.fields.items()} if plan else {}
    rows = []
    for number, name in enumerate(names):
        field_name = read_as.get(number, "(not read)")
        rows.append({"column": name, "read_as": field_name,
                     "parsed_as": _described(sample[number], field_name, reading)})
    return pd.DataFrame(rows, columns=["column", "read_as", "parsed_as"]).rename(
        columns={"read_as": "read as", "parsed_as": f"parsed as (first {len(sample):,} rows)"})


def _described(values: pd.Series, field_name: str, reading: ExportReading) -> str:
    """What a column parses as; for the date and amount columns, how many of the sample were read."""
    kind, text = _parsed_as(values)
    filled = values[values.str.strip() != ""]
    if field_name == "payment_date" and len(filled):
        dates, _ = DateReader(reading.plan.date_format if reading.plan else "auto").read(filled)
        return f"dates, {reading.date_format or text} ({int(dates.notna().sum()):,} of {len(filled):,} read)"
    if field_name in ("amount", "debit", "credit", "vat") and len(filled):
        amounts, bad = parse_amounts(filled)
        credits = int((amounts < 0).sum())
        return (f"amounts ({int((~bad).sum()):,} of {len(filled):,} read"
                + (f"; {credits:,} credit{'s' if credits != 1 else ''}" if credits else "") + ")")
    return text


def _proposal(path: Path, file: str) -> LedgerMapping | None:
    """A mapping proposed from the columns' names and contents, or None when no date, amount or supplier is seen."""
    try:
        header_row, names, sample = _sample(path, file, None)
    except FileProblem:
        return None
    kinds = {number: _parsed_as(sample[number])[0] for number in range(len(names))}
    wanted = {"payment_date": ("dates",), "amount": ("amounts",), "supplier_name": ("text",),
              "supplier_id": ("numbers", "text"), "company_number": ("numbers", "text"),
              "supplier_postcode": ("text",), "vat": ("amounts",), "category": ("text",), "service_area": ("text",)}
    taken: dict[str, int] = {}
    for name in MAPPED_FIELDS:
        if name not in wanted:
            continue
        candidates = [n for n in range(len(names)) if kinds[n] in wanted[name] and n not in taken.values()]
        hinted = [n for n in candidates if any(h in normalise_header(names[n]) for h in _HINTS[name])]
        if hinted:
            taken[name] = hinted[0]
        elif candidates and name in ("payment_date", "amount"):
            taken[name] = candidates[0]
    if not {"payment_date", "amount"} <= set(taken) or not {"supplier_name", "supplier_id"} & set(taken):
        return None
    return LedgerMapping({name: (names[n],) for name, n in taken.items()}, skip_rows=header_row - 1,
                         source="the proposed mapping")

