"""``anchor-analysis collect``: take the year's returned workbooks into the network's tables.

Every workbook in the returns folder is read (:mod:`~anchor_analysis.collection.workbook`), checked against the
network (its marker must name this network, a member anchor and the year, with this kit's template version; one
workbook per anchor), judged by the contracts (:mod:`~anchor_analysis.collection.checks`) and looked over for
implausible figures (:mod:`~anchor_analysis.collection.plausibility`). A return with errors is refused; one with
warnings is held back until the analyst accepts them (``accept_warnings``); the others are taken in, written as a
new version of the tables (:mod:`~anchor_analysis.collection.versions`). The outcome of every workbook is kept in
``versions/returns-<year>.json`` for :func:`~anchor_analysis.collection.status.return_status`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.collection.checks import CheckedReturn, check_return, ledgers_beside
from anchor_analysis.collection.layout import return_layout
from anchor_analysis.collection.merge import TABLE_FILES, ledger_change, ledger_file, replace_rows, table_csv
from anchor_analysis.collection.plausibility import (
    DEFAULT_FACTOR,
    Plausibility,
    metric_warnings,
    progression_warnings,
    staff_warnings,
)
from anchor_analysis.collection.versions import clear_staging, finish_interrupted, write_version
from anchor_analysis.collection.workbook import ReturnedWorkbook, read_return
from anchor_analysis.contracts.fields import FIELDS
from anchor_analysis.contracts.network import Network, check_network, load_network
from anchor_analysis.contracts.readers import VERSIONS_DIR, find_table_file
from anchor_analysis.contracts.report import Failure, ValidationReport
from anchor_analysis.core.errors import CollectionError
from anchor_analysis.core.files import atomic_write_text, sha256_file
from anchor_analysis.core.locks import folder_lock
from anchor_analysis.core.membership import members
from anchor_analysis.core.years import financial_year, fy_label, parse_fy

TAKEN_IN, UNCHANGED, HELD, REFUSED = "taken in", "unchanged", "held: warnings to review", "refused"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class Outcome:
    """What became of one returned workbook.

    Attributes
    ----------
    file : str
        The workbook's name.
    anchor_id : str or None
        The anchor its marker names (None when unreadable).
    state : str
        ``taken in``, ``unchanged`` (taken in before, same figures), ``held: warnings to review`` or ``refused``.
    failures : list of Failure
        Its errors and notes (warnings), by sheet and cell.
    warnings : list of Plausibility
        Its plausibility warnings.
    sha256 : str
        The workbook's checksum.
    anchor_name : str
        The anchor's name (its id when it is not in the network).
    """

    file: str
    anchor_id: str | None
    state: str
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Plausibility] = field(default_factory=list)
    sha256: str = ""
    anchor_name: str = ""

    def warning_lines(self) -> list[str]:
        """Every warning of the workbook in one line each: plausibility (by anchor name), then its own notes."""
        return [w.describe(self.anchor_name or None) for w in self.warnings] + \
            [f.describe() for f in self.failures if f.severity == "warning"]


@dataclass
class CollectResult:
    """The result of a collect: each workbook's outcome, the version written and its changes."""

    year: int
    outcomes: list[Outcome]
    version: Path | None = None
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    finished: str | None = None
    """A version an interrupted earlier collect left half-applied, finished first."""

    @property
    def ok(self) -> bool:
        """Whether every workbook was taken in (or was already in, unchanged)."""
        return all(o.state in (TAKEN_IN, UNCHANGED) for o in self.outcomes)

    def report(self) -> ValidationReport:
        """Every failure and warning, grouped by workbook, as the kit's validation report prints them."""
        report = ValidationReport()
        for outcome in self.outcomes:
            report.checked(outcome.file)
            report.extend(outcome.failures)
            report.extend(Failure(outcome.file, None, None, None, w.describe(outcome.anchor_name or None), "warning")
                          for w in outcome.warnings)
        return report


def collect(returns_dir: str | Path, into: str | Path, *, year: int | None = None, accept_warnings: bool = False,
            factor: float = DEFAULT_FACTOR, when: str | None = None, wait: float = 0) -> CollectResult:
    """Take every valid returned workbook in ``returns_dir`` into the network folder ``into``.

    Parameters
    ----------
    returns_dir : str or path-like
        The folder of returned workbooks (and ledger files beside them).
    into : str or path-like
        The network folder; its current tables are replaced by a new version, the previous one kept.
    year : int, optional
        The financial year of the returns; default the folder's name when it is a year (``returns/2025``), else
        the one year the workbooks' markers name.
    accept_warnings : bool, default False
        Take in returns with plausibility warnings too (else they are held back).
    factor : float, default DEFAULT_FACTOR
        A metric moving by more than this factor from the anchor's last return is a warning.
    when : str, optional
        The time recorded in the change log (ISO 8601); default now.
    wait : float, default 0
        Seconds to wait for another collect holding ``into`` (:func:`~anchor_analysis.core.locks.folder_lock` on
        its ``versions/``; negative: for ever). Only a collect holding it finishes an interrupted one or clears
        its staging folders.

    Returns
    -------
    CollectResult
        Each workbook's outcome, the version written (None when nothing changed) and the changes.

    Raises
    ------
    ValidationFailed
        The network folder is not valid.
    CollectionError
        No workbooks in ``returns_dir``, their year is unclear, or a table cannot be rewritten.
    FolderLocked
        Another run holds ``into`` (still, after ``wait`` seconds).
    """
    into, returns_dir = Path(into), Path(returns_dir)
    if not into.is_dir():
        return _collect(returns_dir, into, year, accept_warnings, factor, when)  # load_network names the problem
    with folder_lock(into / VERSIONS_DIR, "anchor-analysis collect", wait):  # versions/: never an input
        clear_staging(into)
        return _collect(returns_dir, into, year, accept_warnings, factor, when)


def _collect(returns_dir: Path, into: Path, year: int | None, accept_warnings: bool, factor: float,
             when: str | None) -> CollectResult:
    """:func:`collect`'s steps, with ``into`` held."""
    finished = finish_interrupted(into)
    network = load_network(into)
    paths = workbook_paths(returns_dir)
    layout = return_layout(network.place)
    returned = [read_return(path, network.place, layout) for path in paths]
    year = _the_year(returns_dir, returned, year)
    outcomes, checked = _judge(returned, network, layout, year, factor, accept_warnings)
    result = CollectResult(year, outcomes, finished=finished)
    accepted = [c for c, o in zip(checked, outcomes, strict=True) if o.state == TAKEN_IN]
    files, changes = _new_files(network, accepted, year)
    if files:
        result.version = write_version(into, files, changes, when=when)
        result.changes = changes
    for check, outcome in zip(checked, outcomes, strict=True):
        if outcome.state == TAKEN_IN and not any(c == check.returned.marker["anchor_id"]
                                                 for c in changes.get("anchor_id", [])):
            outcome.state = UNCHANGED
    _record_outcomes(into, year, outcomes, accept_warnings)
    return result


def workbook_paths(returns_dir: Path) -> list[Path]:
    """The returned workbooks of a folder, by name: ledger files beside a workbook, hidden files and Excel's lock
    files (``~$...``) aside."""
    if not returns_dir.is_dir():
        raise CollectionError(f"{returns_dir}: no such folder of returned workbooks")
    files = sorted(p for p in returns_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    books = [p for p in files if p.suffix.lower() in WORKBOOK_SUFFIXES]
    beside = {ledger for book in books for ledger in ledgers_beside(book)}
    books = [p for p in books if p not in beside]
    if not books:
        raise CollectionError(f"{returns_dir}: no returned workbooks (.xlsx) to collect")
    return books


def _the_year(returns_dir: Path, returned: list[ReturnedWorkbook], year: int | None) -> int:
    """The year being collected: as given, else the folder's name, else the one year of the markers."""
    if year is not None:
        return int(year)
    try:
        return parse_fy(returns_dir.name)
    except ValueError:
        pass
    years = Counter(r.year for r in returned if r.year is not None)
    if len(years) == 1:
        return next(iter(years))
    seen = ", ".join(f"{fy_label(y)} ({n} workbooks)" for y, n in sorted(years.items()))
    raise CollectionError(f"{returns_dir}: which year is being collected? The workbooks are for {seen or 'no year'}"
                          ": pass --year")


def _judge(returned: list[ReturnedWorkbook], network: Network, layout, year: int, factor: float,
           accept: bool) -> tuple[list[Outcome], list[CheckedReturn | None]]:
    """Each workbook's outcome: refused, held or to be taken in."""
    _refuse_by_marker(returned, network, year)
    names = network.anchors.set_index("anchor_id")["name"].astype(str)
    outcomes, checked = [], []
    elsewhere: dict[str, dict[str, set[int]]] | None = None
    for book in returned:
        check = check_return(book, network, layout) if book.readable else CheckedReturn(book, failures=book.failures)
        if book.readable and book.empty:
            check.failures.append(Failure(book.file, None, None, None, "nothing is filled in: no levels, metrics, "
                                          "staff or ledger rows (send the filled-in workbook)"))
        if check.ok and "ledger" in check.tables:
            elsewhere = _ledger_years_elsewhere(network, year) if elsewhere is None else elsewhere
            check.failures += _ledger_counted_twice(book, str(book.marker["anchor_id"]), year, elsewhere)
        warnings = _plausibility(check, network, factor) if check.ok else []
        state = REFUSED if not check.ok else HELD if (warnings or _notes(check)) and not accept else TAKEN_IN
        anchor_id = book.marker.get("anchor_id")
        outcomes.append(Outcome(book.file, anchor_id, state, check.failures, warnings, sha256_file(book.path),
                                str(names.get(anchor_id, anchor_id or ""))))
        checked.append(check)
    return outcomes, checked


def _ledger_years_elsewhere(network: Network, year: int) -> dict[str, dict[str, set[int]]]:
    """Per anchor, the network's ledger files other than the ones collect writes for ``year``, with the financial
    years of their lines (read as validation reads them: exports through their mapping or preset)."""
    written = {ledger_file(anchor_id, year) for anchor_id in network.anchors["anchor_id"].astype(str)}
    found: dict[str, dict[str, set[int]]] = {}

    def keep_lines(path: Path, anchor: str | None):
        file = path.relative_to(network.data_dir).as_posix()
        if file in written:
            return None

        def take(chunk: pd.DataFrame) -> None:
            years = financial_year(chunk["payment_date"]).dropna().astype(int)
            for anchor_id, of_anchor in years.groupby(chunk["anchor_id"].astype(str)):
                found.setdefault(anchor_id, {}).setdefault(file, set()).update(of_anchor.unique().tolist())

        return take

    check_network(network.data_dir, network.place, ledgers=True, keep_lines=keep_lines)
    return found


def _ledger_counted_twice(book: ReturnedWorkbook, anchor_id: str, year: int,
                          elsewhere: dict[str, dict[str, set[int]]]) -> list[Failure]:
    """A returned ledger for a year another of the anchor's ledger files already covers would count twice."""
    files = sorted(file for file, years in elsewhere.get(anchor_id, {}).items() if year in years)
    if not files:
        return []
    return [Failure(book.file, None, "ledger", None,
                    f"the network already holds this anchor's ledger lines of {fy_label(year)} in "
                    f"{', '.join(files)}: they would count twice; send the ledger with the return or as exports in "
                    f"ledger/{anchor_id}/, not both (or remove those files first)")]


def _notes(check: CheckedReturn) -> bool:
    """Whether the workbook has warnings of its own (a blank priority, metrics left blank)."""
    return any(f.severity == "warning" for f in check.failures)


def _refuse_by_marker(returned: list[ReturnedWorkbook], network: Network, year: int) -> None:
    """Refuse, by name, a workbook of another network, anchor or year, and every workbook of a doubled anchor."""
    names = network.anchors.set_index("anchor_id")["name"].astype(str)
    member_ids = set(members(network.anchors, year))
    for book in returned:
        if not book.readable:
            continue
        marker = book.marker
        anchor_id = str(marker["anchor_id"])
        if str(marker["network"]) != network.name:
            book.fail(f"a return for network '{marker['network']}', not '{network.name}'")
        elif book.year != year:
            book.fail(f"a return for {fy_label(book.year) if book.year else marker['year']}, not {fy_label(year)}")
        elif anchor_id not in names.index:
            book.fail(f"a return for anchor '{anchor_id}', who is not in the network's anchors table")
        elif anchor_id not in member_ids:
            book.fail(f"a return for {names[anchor_id]}, who is not a member of the network in {fy_label(year)}")
        else:
            _refuse_renamed(book, names, anchor_id)
    by_anchor = Counter(str(b.marker["anchor_id"]) for b in returned if b.readable)
    for book in returned:
        anchor_id = str(book.marker.get("anchor_id"))
        if book.readable and by_anchor[anchor_id] > 1:
            others = [b.file for b in returned if b is not book and str(b.marker.get("anchor_id")) == anchor_id]
            book.fail(f"two workbooks for {names.get(anchor_id, anchor_id)} (this and {', '.join(others)}): "
                      "keep only one in the folder")


def _refuse_renamed(book: ReturnedWorkbook, names: pd.Series, anchor_id: str) -> None:
    """A workbook whose file name names another anchor of the network was filled in for the wrong one."""
    stem = book.path.stem.lower()
    named = [a for a, name in names.items() if stem.startswith(name.lower()) and a != anchor_id]
    longest = max(named, key=lambda a: len(names[a]), default=None)
    if longest is not None and not stem.startswith(names[anchor_id].lower()):
        book.fail(f"named for {names[longest]}, but it is the return of {names[anchor_id]} (made from that "
                  "anchor's template)")


def _plausibility(check: CheckedReturn, network: Network, factor: float) -> list[Plausibility]:
    """The plausibility warnings of a valid return, against the network's earlier returns."""
    tables = check.tables
    metrics = tables.get("metrics", pd.DataFrame(columns=[f.name for f in FIELDS["metrics"]]))
    warnings = metric_warnings(metrics, network.metrics, network.place, factor=factor)
    warnings += staff_warnings(tables.get("staff_residence"), metrics)
    if "progression" in tables:
        warnings += progression_warnings(tables["progression"], network.progression)
    return warnings


def _current_table(network: Network, table: str) -> pd.DataFrame:
    """The network's current table (typed), or an empty one; a table collect cannot rewrite is refused."""
    path = find_table_file(network.data_dir, table)
    if path is not None and path.suffix.lower() != ".csv":
        raise CollectionError(f"{path}: collect writes the tables as CSV; save {path.name} as {table}.csv first")
    frame = getattr(network, table)
    if table == "staff_residence" and path is not None and "postcode" in path.read_text(encoding="utf-8-sig"
                                                                                            ).split("\n", 1)[0]:
        raise CollectionError(f"{path}: staff postcodes are kept in the network folder; collect writes staff "
                              "counts by LSOA: replace the file by its LSOA counts first")
    return frame if frame is not None else pd.DataFrame(columns=[f.name for f in FIELDS[table]])


def _new_files(network: Network, accepted: list[CheckedReturn], year: int
               ) -> tuple[dict[str, bytes | None], pd.DataFrame]:
    """The files a collect writes (only those whose content changes) and the change log of their rows."""
    files: dict[str, bytes | None] = {}
    logs = []
    for table, name in TABLE_FILES.items() if accepted else ():
        frame = _current_table(network, table)
        table_changes = []
        for check in accepted:
            new = check.tables.get(table, frame.iloc[0:0])
            frame, changes = replace_rows(frame, new, table, str(check.returned.marker["anchor_id"]), year)
            table_changes.append(changes.assign(workbook=check.returned.file))
        if any(len(changes) for changes in table_changes):
            files[name] = table_csv(frame, table)
        logs += table_changes
    for check in accepted:
        anchor_id = str(check.returned.marker["anchor_id"])
        name = ledger_file(anchor_id, year)
        old = (network.data_dir / name).read_bytes() if (network.data_dir / name).is_file() else None
        new = table_csv(check.tables["ledger"], "ledger") if "ledger" in check.tables else None
        change = ledger_change(old, new, anchor_id, year)
        if change:
            files[name] = new
            logs.append(pd.DataFrame([{**change, "workbook": check.returned.file}]))
    changes = pd.concat([log for log in logs if len(log)], ignore_index=True) if any(len(x) for x in logs) \
        else pd.DataFrame(columns=["anchor_id", "year", "table", "key", "change", "before", "after", "workbook"])
    return files, changes


def outcomes_path(data_dir: str | Path, year: int) -> Path:
    """Where the outcome of the last collect of a year is kept: ``versions/returns-<year>.json``."""
    return Path(data_dir) / VERSIONS_DIR / f"returns-{int(year)}.json"


def _record_outcomes(into: Path, year: int, outcomes: list[Outcome], accepted: bool) -> None:
    """Keep each anchor's latest outcome of the year, for ``status`` (rewritten only when it changes)."""
    path = outcomes_path(into, year)
    try:
        kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except ValueError:
        kept = {}
    for outcome in outcomes:
        key = f"file:{outcome.file}" if outcome.anchor_id is None else str(outcome.anchor_id)
        before = kept.get(key, {})
        taken = outcome.state in (TAKEN_IN, UNCHANGED)
        kept[key] = {
            "file": outcome.file, "sha256": outcome.sha256, "state": TAKEN_IN if taken else outcome.state,
            "errors": [f.describe() for f in outcome.failures if f.severity == "error"],
            "warnings": outcome.warning_lines(),
            "accepted": bool((accepted and taken) or (before.get("accepted") and outcome.state == UNCHANGED)
                             or (taken and not outcome.warning_lines())),
        }
    text = json.dumps(kept, indent=1, sort_keys=True) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
