"""A network read through its derived tables: :func:`processed_network`, the one way in for every notebook,
the anchor profile, the reproduction and the report run."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from anchor_analysis.analysis.spend.analysis import SpendAnalysis
from anchor_analysis.analysis.spend.common import EDITION_DECILES
from anchor_analysis.analysis.spend.rules import load_spend_rules
from anchor_analysis.contracts.network import Network, network_place
from anchor_analysis.contracts.readers import ledger_files
from anchor_analysis.core.errors import ArgumentError, ProcessedDataError
from anchor_analysis.core.files import atomic_write_text
from anchor_analysis.core.locks import folder_lock
from anchor_analysis.core.places import Place
from anchor_analysis.derived.build import (
    LEDGER,
    RECONCILIATION,
    SUPPLIER_KEYS,
    SUPPLIER_REGISTER,
    SUPPLIER_REVIEW,
    SUPPLIER_TABLES,
    TABLES,
    build_tables,
    report_from_json,
)
from anchor_analysis.derived.fingerprint import derived_key, file_checksums, remember_checksums, remembered_checksums
from anchor_analysis.derived.store import (
    MANIFEST,
    clear_unfinished_builds,
    new_build,
    processed_root,
    read_manifest,
    read_parquet,
)


@dataclass
class ProcessedNetwork(Network):
    """A validated network with its derived tables.

    A :class:`~anchor_analysis.contracts.network.Network` (the typed tables, read back from Parquet) plus the
    classified ledgers. Get one with :func:`processed_network`. The first thirteen parameters are those of
    :class:`~anchor_analysis.contracts.network.Network`.

    Parameters
    ----------
    name : str
        The network's name.
    place : Place
        The place it is analysed for.
    synthetic : bool
        Whether it is invented data.
    anchors, progression, metrics : DataFrame
        The required tables, typed.
    staff_residence, sites : DataFrame or None
        The optional tables (staff residence as LSOA counts), or None.
    commitments : DataFrame or None
        What the network committed to, or None (keyword only here: it follows the ledger mappings).
    ledger_files : list of Path
        The raw ledger files.
    data_dir : Path
        The network's folder of returns.
    description : str, optional
        ``network.toml``'s description.
    report : ValidationReport, optional
        The validation report kept in the manifest (warnings only).
    published_figures : str, optional
        The published network whose figures the folder reproduces (``network.toml``); empty: the place's.
    ledger : DataFrame or None, optional
        The supplier-level table of every ledger line (one row per anchor, financial year, supplier, postcode and
        category; see :func:`~anchor_analysis.analysis.spend.engine.classify_ledger_suppliers`), or None when the
        network has no ledgers.
    reconciliation : DataFrame or None, optional
        Accounts for every line and pound of the ledgers per anchor and year (``anchor_id, year, order, item,
        label, lines, spend``).
    supplier_keys, supplier_review, supplier_register : DataFrame or None, optional
        The supplier resolution of the build (:func:`~anchor_analysis.analysis.spend.register.resolve_ledger`):
        each name variant's key, the borderline pairs to review, and the register with the kit's additions.
    processed_dir : Path or None, optional
        The build folder the tables were read from (None when they could not be kept).
    key : str, optional
        The build's key (:func:`~anchor_analysis.derived.fingerprint.derived_key`).
    rebuilt : bool, default False
        True when this call built the tables, False when an earlier build was reused.

    Examples
    --------
    >>> network = processed_network("data/raw/demo")  # doctest: +PUBLIC_DATA
    >>> len(network.ledger), int(network.ledger["lines"].sum())  # doctest: +PUBLIC_DATA
    (19123, 26903)
    >>> network.reconciliation.columns.tolist()  # doctest: +PUBLIC_DATA
    ['anchor_id', 'year', 'order', 'item', 'label', 'lines', 'spend']
    """

    ledger: pd.DataFrame | None = None
    reconciliation: pd.DataFrame | None = None
    supplier_keys: pd.DataFrame | None = None
    """Every supplier name variant of the ledgers with its resolved key and match score."""
    supplier_review: pd.DataFrame | None = None
    """The borderline name pairs of the resolution (decisions kept from ``supplier_review.csv``)."""
    supplier_register: pd.DataFrame | None = None
    """The analyst's register, then the kit's additions (``added_by_kit``)."""
    processed_dir: Path | None = None
    """The build folder the tables were read from (None when they could not be kept)."""
    key: str = ""
    rebuilt: bool = False
    """True when this call built the tables, False when an earlier build was reused."""

    def ledger_years(self) -> list[int]:
        """The financial years with at least one ledger line.

        Returns
        -------
        list of int
            The years, sorted; empty without ledgers.

        Examples
        --------
        >>> processed_network("data/raw/demo").ledger_years()  # doctest: +PUBLIC_DATA
        [2019, 2020, 2021, 2022, 2023, 2024]
        """
        return [] if self.ledger is None else sorted(int(y) for y in self.ledger["year"].unique())

    def spend(self, year: int, imd_edition: int | None = None) -> SpendAnalysis | None:
        """The spend analysis of the ledger lines dated in financial year ``year``.

        Parameters
        ----------
        year : int
            The financial year, by its starting calendar year.
        imd_edition : {2019, 2025}, optional
            The IMD edition of the deprivation deciles; default the place's edition for the year
            (:meth:`~anchor_analysis.core.places.Place.imd_edition_for`).

        Returns
        -------
        SpendAnalysis or None
            The analysis (:class:`~anchor_analysis.analysis.spend.analysis.SpendAnalysis`), or None when no ledger
            line is dated in ``year``.

        Raises
        ------
        ArgumentError
            ``imd_edition`` is not an edition the classification carries.

        Examples
        --------
        >>> network = processed_network("data/raw/demo")  # doctest: +PUBLIC_DATA
        >>> network.spend(2023).imd_edition, network.spend(2018)  # doctest: +PUBLIC_DATA
        (2019, None)
        >>> network.spend(2023, imd_edition=2015)  # doctest: +PUBLIC_DATA
        Traceback (most recent call last):
        anchor_analysis.core.errors.ArgumentError: imd_edition must be one of [2019, 2025], got 2015
        """
        if self.ledger is None or not (self.ledger["year"] == year).any():
            return None
        edition = int(imd_edition or self.place.imd_edition_for(year))
        column = f"imd{edition}_decile"
        if column not in EDITION_DECILES:
            raise ArgumentError(f"imd_edition must be one of {[int(c[3:7]) for c in EDITION_DECILES]}, "
                                f"got {imd_edition!r}")
        lines = self.ledger[self.ledger["year"] == year].reset_index(drop=True)
        lines = lines.assign(imd_decile=lines[column])
        return SpendAnalysis(lines, self.place, edition, load_spend_rules(), "duckdb", False)


def processed_network(data_dir: str | os.PathLike[str], place: str | Place | None = None, *,
                      rebuild: bool = False) -> ProcessedNetwork:
    """The network in ``data_dir`` with its derived tables, built on first use and reused while nothing changes.

    The tables are keyed on the checksums of every input file, the place and the kit (its version and code): a
    changed return, ledger, place or kit builds them again (:mod:`anchor_analysis.derived.store` says where they
    are kept and how a build is put in place). ``rebuild=True`` builds them even when a build is present.

    Parameters
    ----------
    data_dir : path
        The network's folder of returns (``data/raw/<network>``); never modified.
    place : str or Place, optional
        The place configuration; default: the network's own (``network.toml``), else Leeds.
    rebuild : bool, default False
        Build even when an up-to-date build exists.

    Returns
    -------
    ProcessedNetwork
        The typed tables, the classified ledgers and their reconciliation.

    Raises
    ------
    ValidationFailed
        The returns break a contract; ``.report`` lists every failure.
    PublicDataMissing
        The network has ledgers and the public postcode lookup is not available to classify them.
    ProcessedDataError
        A build was put in place but its manifest cannot be read.

    Examples
    --------
    >>> network = processed_network("data/raw/demo")  # doctest: +PUBLIC_DATA
    >>> network.synthetic, network.ledger_years()[-1]  # doctest: +PUBLIC_DATA
    (True, 2024)
    >>> by_ring = network.spend(2023).by_ring  # doctest: +PUBLIC_DATA
    >>> by_ring.groupby("ring", observed=True)["spend"].sum().round(-6).head(2).tolist()  # doctest: +PUBLIC_DATA
    [497000000.0, 89000000.0]
    >>> processed_network("data/raw/demo").rebuilt  # doctest: +PUBLIC_DATA
    False
    """
    data_dir = Path(data_dir)
    resolved = network_place(data_dir, place)
    root = processed_root(data_dir)
    checksums = file_checksums(data_dir, remembered_checksums(root))
    key = derived_key(checksums, resolved)
    build = root / key
    manifest = None if rebuild else read_manifest(build)
    rebuilt = manifest is None
    if manifest is None:
        try:
            built_meanwhile = _build_held(data_dir, resolved, root, key, rebuild)
        except OSError:
            return _unkept(data_dir, resolved, key)  # the folder cannot be written: build, use and forget
        rebuilt = not built_meanwhile
        manifest = read_manifest(build)
        if manifest is None:
            raise ProcessedDataError(f"{build}: the build was put in place but its manifest cannot be read")
    remember_checksums(root, checksums)
    return _read_build(data_dir, resolved, build, manifest, rebuilt)


def _build_held(data_dir: Path, place: Place, root: Path, key: str, rebuild: bool) -> bool:
    """Build ``root/key`` holding ``root`` (a second process waits, then reuses the build); True when another
    process had built it meanwhile. Builds a killed process left half-made are removed first."""
    with folder_lock(root, "building derived tables", wait=-1):
        if not rebuild and read_manifest(root / key) is not None:
            return True
        clear_unfinished_builds(root)
        with new_build(root, key) as work:
            _write_build(data_dir, place, work, key)
    return False


def _write_build(data_dir: Path, place: Place, work: Path, key: str) -> None:
    """Build the derived tables into ``work``, the manifest (with ``key``) last."""
    manifest = {"key": key, **build_tables(data_dir, place, work)}
    atomic_write_text(work / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _unkept(data_dir: Path, place: Place, key: str) -> ProcessedNetwork:
    """Build in a temporary folder, read the tables back and forget the folder (it could not be kept)."""
    with tempfile.TemporaryDirectory(prefix="anchor-processed-") as scratch:
        work = Path(scratch) / key
        work.mkdir()
        _write_build(data_dir, place, work, key)
        network = _read_build(data_dir, place, work, read_manifest(work), True)
    network.processed_dir = None
    return network


def _read_build(data_dir: Path, place: Place, build: Path, manifest: dict, rebuilt: bool) -> ProcessedNetwork:
    """The network read back from a complete build folder and its manifest."""
    frames = {}
    for name in (*TABLES, LEDGER, RECONCILIATION, *SUPPLIER_TABLES):
        path = build / f"{name}.parquet"
        frames[name] = read_parquet(path) if name in manifest["tables"] else None
        if frames[name] is not None:
            frames[name].attrs = {"synthetic": bool(manifest["synthetic"])}
    ledger = frames[LEDGER]
    if ledger is not None:
        ledger = _ledger_dtypes(ledger, place)
    return ProcessedNetwork(
        name=manifest["network"], place=place, synthetic=bool(manifest["synthetic"]), anchors=frames["anchors"],
        progression=frames["progression"], metrics=frames["metrics"], staff_residence=frames["staff_residence"],
        sites=frames["sites"], suppliers=frames["suppliers"], ledger_files=ledger_files(data_dir), data_dir=data_dir,
        description=manifest.get("description", ""), report=report_from_json(manifest["report"]), ledger=ledger,
        published_figures=manifest.get("published_figures", ""),
        local_spend_survey=frames["local_spend_survey"], commitments=frames["commitments"],
        reconciliation=frames[RECONCILIATION], supplier_keys=frames[SUPPLIER_KEYS],
        supplier_review=frames[SUPPLIER_REVIEW], supplier_register=frames[SUPPLIER_REGISTER], processed_dir=build,
        key=manifest["key"], rebuilt=rebuilt)


def _ledger_dtypes(ledger: pd.DataFrame, place: Place) -> pd.DataFrame:
    """The categorical columns as the classification made them (Parquet keeps the values, not always the order)."""
    from anchor_analysis.analysis.spend.locate import _STATUS_DTYPE, _ring_dtype

    ledger["ring"] = pd.Categorical(ledger["ring"].astype("str"), dtype=_ring_dtype(place))
    ledger["match_status"] = pd.Categorical(ledger["match_status"].astype("str"), dtype=_STATUS_DTYPE)
    return ledger
