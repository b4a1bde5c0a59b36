"""Building a network's derived tables: the returns validated and typed, every ledger line classified once.

One build per network and set of inputs: :func:`build_tables` validates the folder (ledgers included, so a build
only ever holds valid returns), keeps each table as Parquet, and classifies the ledgers in one streaming DuckDB
pass into the supplier-level table every spend analysis reads: each line counted once, in the financial year of
its payment date, whatever its file is called and however many years a file spans.
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from anchor_analysis import __version__
from anchor_analysis.analysis.spend.engine import classify_ledger_suppliers
from anchor_analysis.analysis.spend.reconciliation import reconcile_ledgers
from anchor_analysis.analysis.spend.register import register_with_additions, resolve_ledger
from anchor_analysis.analysis.spend.resolution import MatchSettings
from anchor_analysis.analysis.spend.rules import load_spend_rules
from anchor_analysis.contracts.ledgers import in_contract_shape, iter_ledger
from anchor_analysis.contracts.mapping_files import mappings_toml
from anchor_analysis.contracts.network import Network, check_network
from anchor_analysis.contracts.readers import CP1252_WARNING, ledger_anchor
from anchor_analysis.contracts.report import ValidationReport
from anchor_analysis.contracts.sources import file_kind
from anchor_analysis.core.errors import SupplierMatchingError, ValidationFailed
from anchor_analysis.core.places import Place
from anchor_analysis.derived.store import write_parquet

TABLES = ("anchors", "progression", "metrics", "staff_residence", "sites", "local_spend_survey", "commitments",
          "suppliers")
"""The network's tables kept as they were validated (staff residence as LSOA counts: postcodes never)."""
LEDGER = "ledger_suppliers"
RECONCILIATION = "ledger_reconciliation"
SUPPLIER_KEYS = "supplier_keys"
"""Every supplier name variant of the ledgers with its resolved supplier key and match score."""
SUPPLIER_REVIEW = "supplier_review"
"""The borderline name pairs of the resolution, with the analyst's decisions kept (``supplier_review.csv``)."""
SUPPLIER_REGISTER = "supplier_register"
"""The register as the analyst keeps it, then the suppliers the kit resolved that it lacks (never overwriting)."""
SUPPLIER_TABLES = (SUPPLIER_KEYS, SUPPLIER_REVIEW, SUPPLIER_REGISTER)
REVIEW_FILE = "supplier_review.csv"
"""The analyst's decisions on borderline pairs, in the network folder: the review table with ``decision`` filled."""
LEDGER_MAPPINGS = "ledger_mappings.toml"
"""The mapping each finance export was read with, as a starting configuration the analyst can edit."""


def build_tables(data_dir: Path, place: Place | str | None, work: Path) -> dict:
    """Validate ``data_dir`` and write its derived tables into ``work``.

    The ledgers are validated too, so a build only ever holds valid returns; nothing is written for invalid ones.
    Each table of :data:`TABLES` the network has is kept as Parquet, and the ledgers' classified supplier-level
    table and its reconciliation as ``ledger_suppliers`` and ``ledger_reconciliation``; when finance exports were
    read through a mapping or preset, the mappings they were read with are written as ``ledger_mappings.toml``
    (:func:`~anchor_analysis.contracts.mapping.mappings_toml`), ready to copy into ``network.toml`` and edit.

    Parameters
    ----------
    data_dir : Path
        The network's folder of returns (never modified).
    place : Place, str or None
        The place; None: ``network.toml``'s, else Leeds.
    work : Path
        The (temporary) build folder to write the tables into.

    Returns
    -------
    dict
        The manifest's content but its key: ``kit`` (version), ``built`` (UTC time), ``network``, ``synthetic``,
        ``description``, ``place``, ``tables`` (those written), ``ledger_files``, ``ledger_lines`` and
        ``report`` (:func:`report_to_json`).

    Raises
    ------
    ValidationFailed
        The returns break a contract; the exception holds the whole report.
    PublicDataMissing
        The network has ledgers and the public postcode lookup is not available to classify them.

    Examples
    --------
    >>> import shutil, tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "returns"
    >>> folder.mkdir()
    >>> for name in ("anchors.csv", "progression.csv", "metrics.csv"):
    ...     _ = shutil.copy(Path("data/raw/demo") / name, folder)
    >>> work = Path(tempfile.mkdtemp())
    >>> manifest = build_tables(folder, None, work)
    >>> manifest["tables"], manifest["ledger_lines"], manifest["place"]
    (['anchors', 'progression', 'metrics'], 0, 'leeds')
    >>> sorted(path.name for path in work.iterdir())
    ['anchors.parquet', 'metrics.parquet', 'progression.parquet']
    """
    with tempfile.TemporaryDirectory(prefix="anchor-ledgers-") as scratch:
        copies = _LineCopies(Path(scratch), data_dir)  # exports' lines kept as they are validated: read once
        report, network = check_network(data_dir, place, ledgers=True, keep_lines=copies.writer)
        if network is None:
            raise ValidationFailed(report)
        for name in TABLES:
            frame = getattr(network, name)
            if frame is not None:
                write_parquet(frame, work / f"{name}.parquet")
        ledger = classify_ledgers(network, copies=copies.files)
    if report.readings:
        (work / LEDGER_MAPPINGS).write_text(mappings_toml(report.readings), encoding="utf-8")
    supplier_tables = []
    if ledger is not None:
        ledger, resolved = _resolved(ledger, network)
        write_parquet(ledger, work / f"{LEDGER}.parquet")
        write_parquet(reconcile_ledgers(ledger, network.place, load_spend_rules()), work / f"{RECONCILIATION}.parquet")
        for name, frame in resolved.items():
            write_parquet(frame, work / f"{name}.parquet")
        supplier_tables = list(resolved)
    return {
        "kit": __version__, "built": datetime.now(UTC).isoformat(timespec="seconds"), "network": network.name,
        "synthetic": network.synthetic, "description": network.description, "place": network.place.key,
        "published_figures": network.published_figures,
        "tables": [name for name in TABLES if getattr(network, name) is not None] + (
            [LEDGER, RECONCILIATION] if ledger is not None else []) + supplier_tables,
        "ledger_files": [p.relative_to(data_dir).as_posix() for p in network.ledger_files],
        "ledger_lines": int(ledger["lines"].sum() + 0) if ledger is not None else 0,
        "report": report_to_json(report),
    }


def _resolved(ledger: pd.DataFrame, network: Network) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The ledger's suppliers resolved once (keys, match scores, located through the register) and the tables kept
    beside it: :data:`SUPPLIER_KEYS`, :data:`SUPPLIER_REVIEW` and :data:`SUPPLIER_REGISTER`."""
    settings = MatchSettings.from_mapping(network.supplier_matching)
    decisions = read_review_decisions(network.data_dir / REVIEW_FILE)
    keyed, keys, review = resolve_ledger(ledger, network.place, network.place.imd_editions[0], network.suppliers,
                                         settings, decisions)
    register = register_with_additions(network.suppliers, keyed)
    return keyed, {SUPPLIER_KEYS: keys, SUPPLIER_REVIEW: review, SUPPLIER_REGISTER: register.astype(
        {c: "str" for c in register.columns if register[c].dtype == object})}


def read_review_decisions(path: Path) -> pd.DataFrame | None:
    """The analyst's decisions on borderline supplier pairs (``supplier_review.csv``), or None without the file.

    Parameters
    ----------
    path : Path
        The review file: the ``supplier_review`` table as written by ``anchor-analysis suppliers review``, with
        ``decision`` filled in (``same``, ``different`` or blank).

    Returns
    -------
    DataFrame or None
        ``name_a, name_b, decision`` as text.

    Raises
    ------
    SupplierMatchingError
        The file lacks one of those columns.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "supplier_review.csv"
    >>> _ = path.write_text("name_a,name_b,score,decision\\nACME,ACME BUILDERS,88.0,different\\n")
    >>> read_review_decisions(path).values.tolist()
    [['ACME', 'ACME BUILDERS', 'different']]
    """
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in ("name_a", "name_b", "decision") if c not in frame.columns]
    if missing:
        raise SupplierMatchingError(f"{path.name}: row 1: the review file needs columns name_a, name_b and decision "
                                    f"(missing: {', '.join(missing)})")
    return frame[["name_a", "name_b", "decision"]]


class _LineCopies:
    """Contract-shaped CSV copies of a network's ledger files that DuckDB cannot read as they are, written chunk by
    chunk while the files are validated (``keep_lines`` of
    :func:`~anchor_analysis.contracts.network.check_network`), so an export is read once."""

    def __init__(self, folder: Path, data_dir: Path):
        """Copies go into ``folder``; ``files`` maps each ledger file to its copy."""
        self.folder, self.data_dir = folder, data_dir
        self.files: dict[Path, Path] = {}

    def writer(self, path: Path, anchor: str | None) -> Callable[[pd.DataFrame], None] | None:
        """Where the typed chunks of ``path`` go: its copy (None for a UTF-8 contract CSV, read as it is)."""
        relative = path.relative_to(self.data_dir).as_posix()
        if anchor is None and in_contract_shape(path, relative) and file_kind(path, relative) == "CSV":
            return None
        target = self.folder / f"{len(self.files)}.csv"
        self.files[path] = target
        return lambda chunk: _append_contract_csv(chunk, target)


def classify_ledgers(network: Network, copies: dict[Path, Path] | None = None) -> pd.DataFrame | None:
    """The classified supplier-level table of every ledger file of ``network``.

    DuckDB reads UTF-8 CSV in the contract's shape; any other ledger file (a workbook, a CSV the validation read as
    Windows-1252, a finance export in an anchor's folder read through its mapping or preset, a gzip CSV or Parquet
    file) is first copied, chunk by chunk, to a temporary CSV of the contract's columns (the raw file is never
    changed, and a large export is never held in memory at once). Each line is counted in the financial year of its
    payment date, whatever its file is called.

    Parameters
    ----------
    network : Network
        A validated network (:func:`~anchor_analysis.contracts.network.load_network`).
    copies : dict of Path to Path, optional
        Contract-shaped copies made already (while validating), by ledger file; the others are copied here.

    Returns
    -------
    DataFrame or None
        One row per anchor, financial year, supplier, postcode, category, company number, expense type and service
        area (:func:`~anchor_analysis.analysis.spend.engine.classify_ledger_suppliers`), with the deciles of both
        IMD editions; None without ledgers.

    Raises
    ------
    PublicDataMissing
        The public postcode lookup is not available.

    Examples
    --------
    >>> from anchor_analysis.contracts.network import load_network
    >>> suppliers = classify_ledgers(load_network("data/raw/demo"))  # doctest: +PUBLIC_DATA
    >>> len(suppliers), int(suppliers["lines"].sum())  # doctest: +PUBLIC_DATA
    (19123, 26903)
    >>> sorted(suppliers["ring"].unique().tolist())  # doctest: +PUBLIC_DATA
    ['elsewhere', 'leeds', 'unknown', 'west_yorkshire']
    """
    if not network.ledger_files:
        return None
    cp1252 = {f.file for f in network.report.failures if f.rule == CP1252_WARNING}
    with tempfile.TemporaryDirectory(prefix="anchor-ledgers-") as scratch:
        files = []
        for number, path in enumerate(network.ledger_files):
            relative = path.relative_to(network.data_dir).as_posix()
            anchor = ledger_anchor(network.data_dir, path)
            target = Path(scratch) / f"{number}.csv"
            if copies and path in copies:
                files.append(copies[path])
            elif anchor is not None or not in_contract_shape(path, relative) or file_kind(path, relative) != "CSV":
                files.append(_contract_csv(path, network, anchor, relative, target))
            elif relative in cp1252:
                files.append(_transcoded(path, target))
            else:
                files.append(path)
        return classify_ledger_suppliers(files, network.place, imd_edition=network.place.imd_editions[0])


def _contract_csv(path: Path, network: Network, anchor: str | None, file: str, target: Path) -> Path:
    """A validated ledger file as a CSV of the contract's columns (dates ISO, amounts as read), chunk by chunk."""
    for chunk in iter_ledger(path, place=network.place, anchor=anchor, mapping=network.ledger_mappings.get(anchor),
                             file=file):
        _append_contract_csv(chunk, target)
    return target


def _append_contract_csv(chunk: pd.DataFrame, target: Path) -> None:
    """Add a typed ledger chunk to a contract CSV (its header first, when the file is new)."""
    out = chunk.copy()
    out["payment_date"] = out["payment_date"].dt.strftime("%Y-%m-%d")
    out["amount"] = out["amount"].astype("float64").map(repr)
    new = not target.exists()
    out.to_csv(target, mode="w" if new else "a", header=new, index=False, lineterminator="\n")


def _transcoded(path: Path, target: Path, block: int = 1 << 20) -> Path:
    """A Windows-1252 CSV copied as UTF-8, block by block."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
        while chunk := source.read(block):
            sink.write(decoder.decode(chunk))
        sink.write(decoder.decode(b"", final=True))
    return target


def report_to_json(report: ValidationReport) -> dict:
    """A validation report (warnings only, for a valid folder) in a form the manifest can hold.

    Parameters
    ----------
    report : ValidationReport
        The report.

    Returns
    -------
    dict
        ``failures``, ``rows_checked`` (in the order checked), ``unlisted`` and ``years``, as lists that JSON
        keeps.

    See Also
    --------
    report_from_json : The inverse.

    Examples
    --------
    >>> from anchor_analysis.contracts.report import Failure
    >>> report = ValidationReport()
    >>> report.checked("ledger/a.csv", 50)
    >>> report.add(Failure("ledger/a.csv", None, "supplier_postcode", None, "2 blank (of 50 rows)", "warning"))
    >>> report_to_json(report)
    {'failures': [['ledger/a.csv', None, 'supplier_postcode', None, '2 blank (of 50 rows)', 'warning']],
     'rows_checked': [['ledger/a.csv', 50]], 'unlisted': [], 'years': []}
    """
    return {
        "failures": [[f.file, f.row, f.column, f.value, f.rule, f.severity] + ([f.field] if f.field else [])
                     for f in report.failures],
        "rows_checked": [[file, rows] for file, rows in report.rows_checked.items()],  # in the order checked
        "unlisted": [[file, severity, n] for (file, severity), n in report.unlisted.items()],
        "years": sorted(report.years),
        **({"readings": report.readings} if report.readings else {}),
    }


def report_from_json(data: dict) -> ValidationReport:
    """The validation report kept in a manifest.

    Parameters
    ----------
    data : dict
        What :func:`report_to_json` gave (missing parts are empty).

    Returns
    -------
    ValidationReport
        The report as it was.

    Examples
    --------
    >>> import json
    >>> report = ValidationReport()
    >>> report.checked("anchors.csv", 14)
    >>> report.years.update([2023, 2024])
    >>> again = report_from_json(json.loads(json.dumps(report_to_json(report))))
    >>> again == report, sorted(again.years)
    (True, [2023, 2024])
    >>> print(again)
    anchors.csv: ok (14 rows)
    0 errors, 0 warnings in 1 file
    """
    from anchor_analysis.contracts.report import Failure

    report = ValidationReport()
    report.extend(Failure(*row[:6], field=row[6] if len(row) > 6 else None) for row in data.get("failures", []))
    report.rows_checked.update((file, rows) for file, rows in data.get("rows_checked", []))
    for file, severity, n in data.get("unlisted", []):
        report.unlisted[(file, severity)] = n
    report.years.update(data.get("years", []))
    report.readings.update(data.get("readings", {}))
    return report
