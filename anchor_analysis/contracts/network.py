"""A whole network folder: ``network.toml``, the tables and the ledgers, validated together.

>>> network = load_network("data/raw/demo")
>>> sorted(network.progression["year"].unique().tolist())
[2019, 2020, 2021, 2022, 2023, 2024]
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.exports import ExportReading
from anchor_analysis.contracts.ledgers import check_ledger
from anchor_analysis.contracts.mapping import MAPPING_FILE, LedgerMapping
from anchor_analysis.contracts.mapping_files import mapping_from_settings, read_mapping_file
from anchor_analysis.contracts.readers import (
    _NETWORK_KEYS,
    _SETTING_TYPES,
    ANCHORS_NOT_CHECKED,
    COLLECT_JOURNAL,
    INTERRUPTED_COLLECT,
    LEDGER_DIR,
    NETWORK_FILE,
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    VERSIONS_DIR,
    find_table_file,
    ledger_anchor,
    ledger_files,
)
from anchor_analysis.contracts.report import Failure, ValidationReport
from anchor_analysis.contracts.tables import _load_table
from anchor_analysis.core.errors import ConfigError, ValidationFailed
from anchor_analysis.core.places import Place, load_place


def validate_directory(data_dir: str | Path, place: str | Place | None = None) -> ValidationReport:
    """Validate every table of a network folder (design.md section 4) and report all failures.

    Missing folders and files, unreadable files and bad values all become failures in the report; this
    never raises for bad input. Ledgers are checked too, chunk by chunk.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder (``network.toml``, the tables as CSV or XLSX, and ``ledger/``).
    place : str or Place, optional
        The place whose rules apply; default ``network.toml``'s ``place``, else ``"leeds"``.

    Returns
    -------
    ValidationReport
        Every failure, the files checked with their rows, and the financial years with returns.

    See Also
    --------
    load_network : The validated tables, or :class:`~anchor_analysis.core.errors.ValidationFailed`.

    Examples
    --------
    >>> report = validate_directory("data/raw/demo")
    >>> report.ok, report.errors, report.warnings, sorted(report.years)
    (True, 0, 65, [2019, 2020, 2021, 2022, 2023, 2024])
    >>> print(report.format(all_warnings=False))
    network.toml: ok
    anchors.csv: ok (14 rows)
    progression.csv: ok (705 rows)
    metrics.csv: ok (1,142 rows)
    staff_residence.csv: ok (46,460 rows)
    sites.csv: ok (14 rows)
    local_spend_survey.csv: ok (390 rows)
    commitments.csv: ok (5 rows)
    suppliers.csv: ok (343 rows)
    ledger/: 65 files, 26,903 rows, no errors; 65 warnings in 65 files (column 'supplier_postcode'):
    `anchor-analysis validate --all-warnings` lists them
    0 errors, 65 warnings in 74 files
    >>> print(validate_directory("no/such/folder"))
    no/such/folder: 1 error
      no/such/folder: folder does not exist
    1 error, 0 warnings in 1 file
    """
    report, _ = check_network(Path(data_dir), place=place, ledgers=True)
    return report


@dataclass
class Network:
    """A validated network folder: its settings and its typed tables.

    Ledgers are only listed: they are large and read lazily
    (:func:`~anchor_analysis.contracts.ledgers.iter_ledger`). Load one with :func:`load_network`.

    Parameters
    ----------
    name : str
        ``network.toml``'s ``name``, else the folder's name.
    place : Place
        The place the network is analysed for.
    synthetic : bool
        ``network.toml``'s ``synthetic`` (invented data, such as the demo network); each table's
        ``attrs["synthetic"]`` says the same.
    anchors, progression, metrics : DataFrame
        The required tables, converted and validated.
    staff_residence : DataFrame or None
        Staff counts per LSOA (``year, anchor_id, lsoa_code, count``; a file by postcode is aggregated on read),
        or None without the file.
    sites : DataFrame or None
        The anchors' sites, or None without the file.
    suppliers : DataFrame or None, optional
        The supplier register (``suppliers.csv``: who the suppliers are, across anchors and years), or None.
    ledger_files : list of Path
        The ledger files, sorted by path (``ledger/<anchor_id>/`` folders included).
    data_dir : Path
        The network folder.
    description : str, optional
        ``network.toml``'s ``description``.
    report : ValidationReport, optional
        The validation report, for its warnings (there are no errors, or loading would have failed).
    published_figures : str, optional
        ``network.toml``'s ``published_figures``: the published network whose figures the folder reproduces
        (``anchor_analysis/data/published_figures.toml``); empty: the place's.
    deadline : date, optional
        ``network.toml``'s ``deadline``: the date the year's returns are due (printed on the return templates).
    contact : str, optional
        ``network.toml``'s ``contact``: who answers the anchors' questions about their returns.
    ledger_mappings : dict of str to LedgerMapping, optional
        Each anchor's column mapping, from ``network.toml`` or ``ledger/<anchor_id>/mapping.toml`` (anchors
        without one have their files read with the preset their headers match).
    local_spend_survey : DataFrame or None, optional
        The local multiplier's round 3 survey (``year, respondent_type, local_share, weight, anchor_id``), or None
        without the file.
    commitments : DataFrame or None, optional
        What the network committed to (``commitments.csv``: a metric or dimension, its baseline and target), or
        None without the file.

    Examples
    --------
    >>> network = load_network("data/raw/demo")
    >>> network.name, network.place.key, network.synthetic
    ('Demo anchor network (SYNTHETIC)', 'leeds', True)
    >>> network.anchors.shape, network.staff_residence.columns.tolist()
    ((14, 5), ['year', 'anchor_id', 'lsoa_code', 'count'])
    """

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
    published_figures: str = ""
    """The published network whose figures the folder reproduces; empty: the place's."""
    deadline: dt.date | None = None
    """The date the year's returns are due (``network.toml``'s ``deadline``)."""
    contact: str = ""
    """Who answers the anchors' questions about their returns (``network.toml``'s ``contact``)."""
    ledger_mappings: dict[str, LedgerMapping] = field(default_factory=dict, repr=False)
    """Each anchor's column mapping (``network.toml`` or ``ledger/<anchor_id>/mapping.toml``)."""
    local_spend_survey: pd.DataFrame | None = None
    """The local multiplier's round 3 survey, one row per respondent, or None without the file."""
    commitments: pd.DataFrame | None = None
    """What the network committed to (``commitments.csv``), or None without the file."""
    suppliers: pd.DataFrame | None = None
    """The supplier register (``suppliers.csv`` or ``.xlsx``), or None without it."""
    supplier_matching: dict = field(default_factory=dict, repr=False)
    """``network.toml``'s ``[suppliers]``: the thresholds of supplier resolution (``link_score``, ...)."""


KeepLines = Callable[[Path, "str | None"], "Callable[[pd.DataFrame], None] | None"]
"""``keep_lines(path, anchor)``: where the typed chunks of a ledger file go as they are checked (None: nowhere)."""

# --- a whole network folder


def network_place(data_dir: str | Path, place: str | Place | None = None) -> Place:
    """The place a network folder is analysed for: ``place`` if given, else ``network.toml``'s, else Leeds.

    A place file named in ``network.toml`` by a relative path is read from beside it.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.
    place : str or Place, optional
        The place asked for (a shipped name, a TOML path or a loaded place).

    Returns
    -------
    Place
        The place.

    Raises
    ------
    ValidationFailed
        The folder is missing, ``network.toml`` is broken or the place cannot be loaded.

    Examples
    --------
    >>> network_place("data/raw/demo").key, network_place("data/raw/demo", "bradford").key
    ('leeds', 'bradford')
    """
    data_dir = Path(data_dir)
    report = ValidationReport()
    if not data_dir.is_dir():
        what = "is not a folder" if data_dir.exists() else "folder does not exist"
        report.add(Failure(str(data_dir), None, None, None, what))
        raise ValidationFailed(report)
    resolved = _resolve_place(place, _read_settings(data_dir, report), data_dir, report)
    if resolved is None or not report.ok:
        raise ValidationFailed(report)
    return resolved


def _read_settings(data_dir: Path, report: ValidationReport) -> dict:
    """``network.toml`` (optional): name, place, synthetic, description, published figures; problems go into the
    report."""
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


def _check_not_mid_collect(data_dir: Path, report: ValidationReport) -> None:
    """A collect killed while it replaced the tables leaves them half old, half new: a failure until finished."""
    if (data_dir / VERSIONS_DIR / COLLECT_JOURNAL).exists():
        report.add(Failure(f"{VERSIONS_DIR}/", None, None, None, INTERRUPTED_COLLECT))


def _resolve_place(place: str | Place | None, settings: dict, data_dir: Path, report: ValidationReport
                   ) -> Place | None:
    """The place to use, or None with the reason added to ``report``."""
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
    """The file of ``table``, or None; a missing required file or an unclear choice goes into ``report``."""
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


def check_network(data_dir: str | Path, place: str | Place | None = None, *, ledgers: bool = True,
                  keep_lines: KeepLines | None = None) -> tuple[ValidationReport, Network | None]:
    """Read and check every table of a network folder.

    The anchors table is read first; the membership rules of the other tables use it unless it has errors in
    the columns they need (then each of them gets a warning that they were not checked).

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.
    place : str or Place, optional
        The place whose rules apply; default ``network.toml``'s ``place``, else ``"leeds"``.
    ledgers : bool, default True
        Check the ledger files too; with False they are listed but not read.
    keep_lines : callable, optional
        ``keep_lines(path, anchor)`` gives, for a ledger file, a function to hand its typed chunks to as they are
        checked (or None): how the derived tables keep an export's lines while it is validated, reading it once.

    Returns
    -------
    report : ValidationReport
        Every failure found.
    network : Network or None
        The validated network, or None when there are errors.

    Examples
    --------
    >>> report, network = check_network("data/raw/demo", ledgers=False)
    >>> report.ok, report.warnings, len(network.ledger_files)
    (True, 0, 65)
    """
    data_dir = Path(data_dir)
    report = ValidationReport()
    if not data_dir.is_dir():
        what = "is not a folder" if data_dir.exists() else "folder does not exist"
        report.add(Failure(str(data_dir), None, None, None, what))
        return report, None
    settings = _read_settings(data_dir, report)
    _check_not_mid_collect(data_dir, report)
    resolved = _resolve_place(place, settings, data_dir, report)
    if resolved is None:
        return report, None

    frames, anchors_usable = _check_tables(data_dir, resolved, bool(settings.get("ledger_only")), report)
    files = ledger_files(data_dir)
    anchor_ids = set(frames["anchors"]["anchor_id"].dropna()) if anchors_usable else None
    mappings = _ledger_mappings(data_dir, settings.get("ledger", {}), anchor_ids, report)
    if ledgers:
        _check_ledgers(data_dir, files, resolved, frames["anchors"] if anchors_usable else None, mappings, report,
                       keep_lines)

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
        suppliers=frames["suppliers"], supplier_matching=settings.get("suppliers", {}),
        data_dir=data_dir, description=settings.get("description", ""), report=report,
        deadline=settings.get("deadline"), contact=settings.get("contact", ""), ledger_mappings=mappings,
        published_figures=settings.get("published_figures", ""), local_spend_survey=frames["local_spend_survey"],
        commitments=frames["commitments"],
    )
    return report, network


def _check_tables(data_dir: Path, place: Place, ledger_only: bool, report: ValidationReport
                  ) -> tuple[dict[str, pd.DataFrame | None], bool]:
    """Every table but the ledgers, the anchors first: (frames, whether the anchors table can be used)."""
    frames: dict[str, pd.DataFrame | None] = {}
    anchors_usable = False
    for table in REQUIRED_TABLES + OPTIONAL_TABLES:
        required = table in REQUIRED_TABLES and not (ledger_only and table != "anchors")
        path = _locate(data_dir, table, required, report)
        if path is None:
            frames[table] = None
            continue
        file = path.relative_to(data_dir).as_posix()
        frame, failures, rows = _load_table(path, table, place, frames["anchors"] if anchors_usable else None, file)
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
    return frames, anchors_usable


def _ledger_mappings(data_dir: Path, table: dict, anchor_ids: set[str] | None, report: ValidationReport
                     ) -> dict[str, LedgerMapping]:
    """The anchors' column mappings: network.toml's ``[ledger.<anchor_id>]`` and ``ledger/<anchor_id>/mapping.toml``."""
    mappings: dict[str, LedgerMapping] = {}
    for anchor, settings in table.items():
        where = f"{NETWORK_FILE} [ledger.{anchor}]"
        if anchor_ids is not None and anchor not in anchor_ids:
            report.add(Failure(NETWORK_FILE, None, None, anchor,
                               f"{where}: '{anchor}' is not an anchor_id of the anchors table"))
        mapping, failures = mapping_from_settings(settings, where, file=NETWORK_FILE)
        report.extend(failures)
        if mapping is not None:
            mappings[anchor] = mapping
    folder = data_dir / LEDGER_DIR
    for path in sorted(folder.rglob(MAPPING_FILE)) if folder.is_dir() else []:
        file = path.relative_to(data_dir).as_posix()
        report.checked(file)
        anchor = ledger_anchor(data_dir, path)
        if anchor is None or path.parent != folder / anchor:
            report.add(Failure(file, None, None, None, "a mapping belongs directly in its anchor's folder, "
                                                       "ledger/<anchor_id>/mapping.toml"))
            continue
        mapping, failures = read_mapping_file(path, file)
        report.extend(failures)
        if anchor in table:
            report.add(Failure(file, None, None, None, f"the mapping of '{anchor}' is in {NETWORK_FILE} too "
                                                       f"([ledger.{anchor}]): keep one"))
        elif mapping is not None:
            mappings[anchor] = mapping
    return mappings


def _check_ledgers(data_dir: Path, files: list[Path], place: Place, anchors: pd.DataFrame | None,
                   mappings: dict[str, LedgerMapping], report: ValidationReport, keep_lines: KeepLines | None
                   ) -> None:
    """Check every ledger file, through its anchor's mapping or a preset; how each export was read is reported."""
    anchor_ids = None if anchors is None else set(anchors["anchor_id"].dropna())
    for path in files:
        file = path.relative_to(data_dir).as_posix()
        anchor = ledger_anchor(data_dir, path)
        if anchor is not None and anchor_ids is not None and anchor not in anchor_ids:
            report.checked(file, 0)
            report.add(Failure(file, None, None, anchor,
                               f"the folder ledger/{anchor}/ is not named after an anchor: name it after an "
                               "anchor_id of the anchors table"))
            continue
        reading = ExportReading(file, anchor)
        failures, rows = check_ledger(path, place=place, file=file, anchors=anchors, anchor=anchor,
                                      mapping=mappings.get(anchor), reading=reading,
                                      on_chunk=keep_lines(path, anchor) if keep_lines else None)
        report.checked(file, rows)
        report.extend(failures)
        if reading.plan is not None:
            report.readings[file] = reading.as_dict()


def load_network(data_dir: str | Path, place: str | Place | None = None) -> Network:
    """Load and validate a network folder (ledger files are listed, not read).

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.
    place : str or Place, optional
        The place whose rules apply; default ``network.toml``'s ``place``, else ``"leeds"``.

    Returns
    -------
    Network
        The settings and the validated, typed tables.

    Raises
    ------
    ValidationFailed
        The folder, a file or a value breaks a contract; ``.report`` lists every failure.

    See Also
    --------
    anchor_analysis.derived.network.processed_network : The same network with its ledgers classified, kept as
        Parquet.

    Examples
    --------
    >>> network = load_network("data/raw/demo")
    >>> sorted(network.metrics["year"].unique().tolist())
    [2019, 2020, 2021, 2022, 2023, 2024]
    >>> load_network("no/such/folder")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ValidationFailed: no/such/folder: 1 error
      no/such/folder: folder does not exist
    1 error, 0 warnings in 1 file
    """
    report, network = check_network(data_dir, place, ledgers=False)
    if network is None:
        raise ValidationFailed(report)
    return network
