"""Validation failures and the report a user reads.

Every failure names the file, the row as the user sees it in Excel or a text editor (header = row 1, so the
data row at 0-based position ``i`` is row ``i + 2``), the column, the bad value as typed and the rule broken.
All failures of a file are collected together, so one run lists everything there is to fix.

>>> report = ValidationReport()
>>> report.add(Failure("progression.csv", 7, "current", "5", "level must be an integer 1–4"))
>>> print(report.format())
progression.csv: 1 error
  progression.csv row 7, column 'current': value '5': level must be an integer 1–4
1 error, 0 warnings in 1 file
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

HEADER_ROW = 1
"""Row number of the header line; data rows follow it."""

LISTED_PER_FILE = 50
"""Failures shown per file in the formatted report; the rest are counted."""

STORED_PER_FILE = 1000
"""Failures kept in memory per file; a broken multi-million-row ledger must not exhaust memory."""


def excel_row(position: int) -> int:
    """The row number the user sees for the data row at 0-based ``position`` (the header is row 1).

    Parameters
    ----------
    position : int
        The data row's 0-based position in the file (blank rows included).

    Returns
    -------
    int
        Its row number in Excel or a text editor.

    Examples
    --------
    >>> excel_row(0), excel_row(5)
    (2, 7)
    """
    return int(position) + HEADER_ROW + 1


@dataclass(frozen=True, slots=True)
class Failure:
    """One broken rule: where (file, row, column), what (the raw value) and why (the rule, in words).

    Parameters
    ----------
    file : str
        The file, relative to the network folder (``ledger/nhs_trust_a_2023.csv``).
    row : int or None
        The row as Excel shows it (header = row 1; :func:`excel_row`); None when the failure is about the whole
        file.
    column : str or None
        The column; None when the failure is about a whole row or file.
    value : str or None
        The cell as typed; None when there is no one cell to quote (a missing column, a blank cell).
    rule : str
        The rule broken, in words the user can act on.
    severity : {"error", "warning"}, default "error"
        Errors make the folder invalid; warnings are reported only.
    field : str, optional
        The ledger field the column is read as, when a column mapping names it otherwise (a finance export's
        ``Net Amount`` read as ``amount``): the column is then shown by both names.

    Examples
    --------
    >>> failure = Failure("sites.csv", 4, "postcode", "LS1", "not a valid UK postcode")
    >>> failure.severity
    'error'
    >>> Failure("spend.csv", 7, "Net Amount", "12O", "amount must be a number", field="amount").describe()
    "spend.csv row 7, column 'Net Amount' (amount): value '12O': amount must be a number"
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    severity: Severity = "error"
    field: str | None = field(default=None, kw_only=True)  # keyword-only: subclasses add positional fields after

    def describe(self) -> str:
        """The failure in one line, e.g. ``progression.csv row 7, column 'current': value '5': level must be ...``.

        Values longer than 60 characters are cut (ending ``…``) and line breaks in them are shown as ``\\n``.

        Returns
        -------
        str
            Where, the value (if any), ``warning`` for a warning, and the rule, separated by colons.

        Examples
        --------
        >>> Failure("progression.csv", 7, "current", "5", "level must be an integer 1–4").describe()
        "progression.csv row 7, column 'current': value '5': level must be an integer 1–4"
        >>> Failure("progression.csv", None, None, None, "read as Windows-1252", "warning").describe()
        'progression.csv: warning: read as Windows-1252'
        """
        place = self.file
        if self.row is not None:
            place += f" row {self.row}"
        if self.column is not None:
            place += f"{',' if self.row is not None else ''} column '{self.column}'"
            if self.field is not None and self.field != self.column:
                place += f" ({self.field})"
        parts = [place]
        if self.value is not None:
            parts.append(f"value '{_shown(self.value)}'")
        if self.severity == "warning":
            parts.append("warning")
        parts.append(self.rule)
        return ": ".join(parts)


def _shown(value: str, limit: int = 60) -> str:
    """A value as the report quotes it: line breaks escaped, cut to ``limit`` characters."""
    text = value.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ValidationReport:
    """All failures found in a network folder, plus the files that were checked and their row counts.

    At most :data:`STORED_PER_FILE` failures are kept per file; the others are counted in ``unlisted``, so a
    broken multi-million-row ledger is reported in full counts without exhausting memory.

    Parameters
    ----------
    failures : list of Failure, optional
        The failures kept, in the order found.
    rows_checked : dict of str to int or None, optional
        Data rows read per file (None: not a table), in the order files were checked.
    unlisted : Counter, optional
        ``(file, severity)`` -> failures beyond :data:`STORED_PER_FILE` that were counted but not kept.
    years : set of int, optional
        Financial years (starting calendar year) with at least one progression or metrics return.
    readings : dict of str to dict, optional
        How each ledger file that was read through a column mapping or a preset was read (its columns by both
        names, the date format, the rows dropped above the header, blank and at the end): printed under the file,
        kept in the derived tables' manifest and in a report run's provenance.

    Examples
    --------
    >>> report = ValidationReport()
    >>> report.checked("anchors.csv", 9)
    >>> report.checked("progression.csv", 100)
    >>> report.add(Failure("progression.csv", 7, "current", "5", "level must be an integer 1–4"))
    >>> report.ok, report.errors, report.warnings
    (False, 1, 0)
    >>> print(report)
    anchors.csv: ok (9 rows)
    progression.csv: 1 error
      progression.csv row 7, column 'current': value '5': level must be an integer 1–4
    1 error, 0 warnings in 2 files
    """

    failures: list[Failure] = field(default_factory=list)
    rows_checked: dict[str, int | None] = field(default_factory=dict)
    """Data rows read per file (None: not a table), in the order files were checked."""
    unlisted: Counter = field(default_factory=Counter)
    """(file, severity) -> failures beyond :data:`STORED_PER_FILE` that were counted but not kept."""
    years: set[int] = field(default_factory=set)
    """Financial years (starting calendar year) with at least one progression or metrics return."""
    readings: dict[str, dict] = field(default_factory=dict)
    """File -> how it was read (:func:`reading_lines` says it in words), for ledgers read through a mapping."""
    _kept: Counter = field(default_factory=Counter, repr=False, compare=False)

    def add(self, failure: Failure) -> None:
        """Add one failure (kept, or only counted once its file has :data:`STORED_PER_FILE`).

        Parameters
        ----------
        failure : Failure
            The failure.
        """
        if self._kept[failure.file] >= STORED_PER_FILE:
            self.unlisted[(failure.file, failure.severity)] += 1
            return
        self._kept[failure.file] += 1
        self.failures.append(failure)

    def extend(self, failures: Iterable[Failure]) -> None:
        """Add several failures, as :meth:`add` does.

        Parameters
        ----------
        failures : iterable of Failure
            The failures, in the order found.
        """
        for failure in failures:
            self.add(failure)

    def checked(self, file: str, rows: int | None = None) -> None:
        """Record that ``file`` was read, with ``rows`` data rows.

        Rows of a file recorded more than once (a ledger read in chunks) add up.

        Parameters
        ----------
        file : str
            The file, relative to the network folder.
        rows : int, optional
            Its data rows; None for a file that is not a table (``network.toml``).

        Examples
        --------
        >>> report = ValidationReport()
        >>> report.checked("network.toml")
        >>> report.checked("ledger/a.csv", 200_000)
        >>> report.checked("ledger/a.csv", 5)
        >>> report.rows_checked
        {'network.toml': None, 'ledger/a.csv': 200005}
        """
        if rows is None:
            self.rows_checked.setdefault(file, None)
        else:
            self.rows_checked[file] = (self.rows_checked.get(file) or 0) + rows

    @property
    def errors(self) -> int:
        """The number of errors, counted ones included."""
        return self._count("error")

    @property
    def warnings(self) -> int:
        """The number of warnings, counted ones included."""
        return self._count("warning")

    def _count(self, severity: Severity) -> int:
        """The failures of ``severity``, kept and counted."""
        kept = sum(1 for f in self.failures if f.severity == severity)
        return kept + sum(n for (_, sev), n in self.unlisted.items() if sev == severity)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings do not make a folder invalid)."""
        return self.errors == 0

    def files(self) -> list[str]:
        """The files mentioned in the report: checked files first (in order), then any others with failures.

        Returns
        -------
        list of str
            The file names, each once.

        Examples
        --------
        >>> report = ValidationReport()
        >>> report.checked("anchors.csv", 9)
        >>> report.add(Failure("metrics.xlsx", None, None, None, "not a readable Excel workbook (.xlsx)"))
        >>> report.files()
        ['anchors.csv', 'metrics.xlsx']
        """
        names = list(self.rows_checked)
        for failure in self.failures:
            if failure.file not in names:
                names.append(failure.file)
        for file, _ in self.unlisted:
            if file not in names:
                names.append(file)
        return names

    def format(self, per_file: int = LISTED_PER_FILE, *, all_warnings: bool = True) -> str:
        """The human-readable report: a header line per file, its failures (errors first), then a summary line.

        With ``all_warnings=False`` (what ``anchor-analysis validate`` prints unless asked for every warning) the
        files of a subfolder that have no errors, typically dozens of ledgers with a few blank supplier postcodes
        each, fold into one line per folder, so the errors stay on one screen. Files with errors, and every file at
        the top of the folder, are listed as usual.

        Parameters
        ----------
        per_file : int, default LISTED_PER_FILE
            Failures listed per file; the rest are counted (``… and 3 more in ledger/a.csv``).
        all_warnings : bool, default True
            List the files of subfolders that have only warnings one by one (else one line per subfolder).

        Returns
        -------
        str
            The report, lines separated by ``\\n`` (no final newline).

        Examples
        --------
        >>> report = ValidationReport()
        >>> report.checked("anchors.csv", 9)
        >>> report.checked("ledger/a_2023.csv", 50)
        >>> report.checked("ledger/b_2023.csv", 60)
        >>> report.add(Failure("ledger/a_2023.csv", None, "supplier_postcode", None, "2 blank (of 50 rows)", "warning"))
        >>> print(report.format())
        anchors.csv: ok (9 rows)
        ledger/a_2023.csv: 1 warning
          ledger/a_2023.csv column 'supplier_postcode': warning: 2 blank (of 50 rows)
        ledger/b_2023.csv: ok (60 rows)
        0 errors, 1 warning in 3 files
        >>> print(report.format(all_warnings=False))
        anchors.csv: ok (9 rows)
        ledger/: 2 files, 110 rows, no errors; 1 warning in 1 file (column 'supplier_postcode'):
        `anchor-analysis validate --all-warnings` lists them
        0 errors, 1 warning in 3 files
        """
        lines = []
        folded: dict[str, tuple[int, list[tuple[str, int]]]] = {}  # folder -> (its line, its files)
        for file in self.files():
            mine = [f for f in self.failures if f.file == file]
            mine.sort(key=lambda f: (f.severity != "error", f.row if f.row is not None else 0))
            errors = sum(f.severity == "error" for f in mine) + self.unlisted[(file, "error")]
            warnings = sum(f.severity == "warning" for f in mine) + self.unlisted[(file, "warning")]
            folder = file.rpartition("/")[0]
            if not all_warnings and folder and not errors and file not in self.readings:
                if folder not in folded:
                    folded[folder] = (len(lines), [])
                    lines.append("")  # the folder's line, written once all its files are counted
                folded[folder][1].append((file, warnings))
                continue
            lines.append(f"{file}: {_file_status(errors, warnings, self.rows_checked.get(file))}")
            lines.extend(f"  {line}" for line in reading_lines(self.readings.get(file)))
            lines.extend(f"  {failure.describe()}" for failure in mine[:per_file])
            hidden = errors + warnings - min(len(mine), per_file)
            if hidden:
                lines.append(f"  … and {hidden} more in {file}")
        for folder, (at, members) in folded.items():
            lines[at] = _folder_status(folder, members, self)
        files = len(self.files())
        lines.append(f"{_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')} "
                     f"in {_plural(files, 'file')}")
        return "\n".join(lines)

    def __str__(self) -> str:
        """The report as :meth:`format` gives it by default."""
        return self.format()


def reading_lines(reading: dict | None) -> list[str]:
    """How a ledger file was read, in words: its columns by both names, then the rows dropped.

    Parameters
    ----------
    reading : dict or None
        A file's entry of :attr:`ValidationReport.readings`: ``source``, ``columns`` (field -> header),
        ``date_format``, ``ignored``, ``title_rows``, ``blank_rows``, ``footer_rows`` (``[row, text]`` pairs) and
        optionally ``sheet``.

    Returns
    -------
    list of str
        Nothing for None; else one line on the columns and, when rows were dropped, one on those.

    Examples
    --------
    >>> reading = {"source": "preset 'lgtc'", "columns": {"payment_date": "Date Paid", "amount": "Net Amount",
    ...            "supplier_name": "Supplier"}, "date_format": "DD/MM/YYYY", "ignored": ["Ref"],
    ...            "title_rows": [1, 2], "blank_rows": 1, "footer_rows": [[9, "Total"]]}
    >>> for line in reading_lines(reading):
    ...     print(line)
    read with preset 'lgtc': 'Date Paid' (payment_date), 'Net Amount' (amount), 'Supplier' (supplier_name); dates \
DD/MM/YYYY; not read: 'Ref'
    dropped: 2 title rows (rows 1-2), 1 blank row, 1 footer row (row 9: 'Total')
    """
    if not reading:
        return []
    columns = ", ".join(f"'{header}' ({name})" for name, header in reading.get("columns", {}).items())
    line = f"read with {reading.get('source')}"
    if reading.get("sheet"):
        line += f", sheet '{reading['sheet']}'"
    line += f": {columns}"
    if reading.get("date_format"):
        line += f"; dates {reading['date_format']}"
    if reading.get("ignored"):
        line += "; not read: " + ", ".join(f"'{h}'" for h in reading["ignored"])
    lines = [line]
    dropped = []
    titles = reading.get("title_rows") or []
    if titles:
        span = f"row {titles[0]}" if len(titles) == 1 else f"rows {titles[0]}-{titles[-1]}"
        dropped.append(f"{_plural(len(titles), 'title row')} ({span})")
    if reading.get("blank_rows"):
        dropped.append(_plural(reading["blank_rows"], "blank row"))
    footer = reading.get("footer_rows") or []
    if footer:
        shown = ", ".join(f"row {row:,}: '{_shown(text, 30)}'" for row, text in footer[:3])
        dropped.append(f"{_plural(len(footer), 'footer row')} ({shown}{', ...' if len(footer) > 3 else ''})")
    if dropped:
        lines.append("dropped: " + ", ".join(dropped) + (f"; {reading['total_row']}" if reading.get("total_row")
                                                          else ""))
    return lines


def _file_status(errors: int, warnings: int, rows: int | None) -> str:
    """A file's header line after its name: ``ok (9 rows)`` or its error and warning counts."""
    if not errors and not warnings:
        return "ok" if rows is None else f"ok ({_plural(rows, 'row')})"
    parts = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return ", ".join(parts)


def _folder_status(folder: str, members: list[tuple[str, int]], report: ValidationReport) -> str:
    """One line for a subfolder's error-free files, naming what the warnings are about."""
    rows = sum(report.rows_checked.get(file) or 0 for file, _ in members)
    line = f"{folder}/: {_plural(len(members), 'file')}, {_plural(rows, 'row')}, no errors"
    warned = [file for file, warnings in members if warnings]
    if not warned:
        return line
    columns = sorted({f.column for f in report.failures
                      if f.severity == "warning" and f.file in warned and f.column is not None})
    about = f" (column {', '.join(repr(c) for c in columns)})" if columns else ""
    return (f"{line}; {_plural(sum(n for _, n in members), 'warning')} in {_plural(len(warned), 'file')}{about}: "
            "`anchor-analysis validate --all-warnings` lists them")


def _plural(n: int, word: str) -> str:
    """``n`` (thousands separated) and ``word``, plural unless ``n`` is 1."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
