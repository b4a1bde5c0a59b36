"""Versions of a network's tables: every collect writes a new version and keeps the previous one.

The network's folder holds the current tables (what the kit analyses). ``versions/`` beside them holds, per
version, the files that version wrote (``versions/0002/metrics.csv``), a manifest (time, what kind, each file's
SHA-256) and its change log; ``versions/changes.csv`` is the whole log, every version's changes in order. Before
a collect replaces a file whose current bytes no version holds (the tables as first found, or edited by hand
since), those bytes are kept first as an "as found" version, so nothing is ever lost.

A version is written in a hidden folder and renamed into place whole; only then are the current files replaced,
each atomically, with a journal (``versions/.collect-in-progress``) naming the version until all are done. A run
killed while replacing leaves the journal: validation refuses the folder and the next collect finishes the job
(:func:`finish_interrupted`) before anything else.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "metrics.csv").write_text("year,anchor_id,metric,value,unit\\n")
>>> changes = pd.DataFrame([{"anchor_id": "a", "year": 2025, "table": "metrics", "key": "headcount",
...                          "change": "added", "before": "", "after": "value=10", "workbook": "A 2025.xlsx"}])
>>> new = write_version(folder, {"metrics.csv": b"year,anchor_id,metric,value,unit\\n2025,a,headcount,10,people\\n"},
...                     changes, when="2026-05-01T09:00:00+00:00")
>>> new.name, sorted(p.name for p in (folder / "versions").iterdir())
('0002', ['0001', '0002', 'changes.csv'])
>>> (folder / "versions" / "0001" / "metrics.csv").read_text()
'year,anchor_id,metric,value,unit\\n'
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.readers import COLLECT_JOURNAL, VERSIONS_DIR
from anchor_analysis.core.errors import CollectionError
from anchor_analysis.core.files import (
    atomic_write_bytes,
    atomic_write_text,
    clear_partial_files,
    ordinary_file_mode,
    sha256_file,
)

MANIFEST = "manifest.json"
CHANGES = "changes.csv"
CHANGE_COLUMNS = ["time", "version", "anchor_id", "year", "table", "key", "change", "before", "after", "workbook"]
"""The change log's columns: when, which version, whose rows of which table, what changed from what to what."""


def version_folders(data_dir: str | Path) -> list[Path]:
    """The network's versions, oldest first (``versions/0001``, ``versions/0002``, ...)."""
    root = Path(data_dir) / VERSIONS_DIR
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit())


def _manifest(folder: Path) -> dict:
    """A version's manifest."""
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def _recorded(data_dir: Path) -> dict[str, str | None]:
    """Each file's SHA-256 as the newest version holding it wrote it (None: that version removed it)."""
    recorded: dict[str, str | None] = {}
    for folder in version_folders(data_dir):
        recorded.update(_manifest(folder)["files"])
    return recorded


def write_version(data_dir: str | Path, files: dict[str, bytes | None], changes: pd.DataFrame, *,
                  when: str | None = None) -> Path:
    """Write ``files`` as a new version and make them the current tables (``None`` removes a file).

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.
    files : dict of str to bytes or None
        Path relative to the network folder -> its new bytes, or None to remove it.
    changes : DataFrame
        What changed, row by row (:data:`CHANGE_COLUMNS` without ``time`` and ``version``).
    when : str, optional
        The time recorded (ISO 8601); default now, in UTC.

    Returns
    -------
    Path
        The new version's folder.
    """
    data_dir = Path(data_dir)
    when = when or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    recorded = _recorded(data_dir)
    found = {name: (data_dir / name).read_bytes() for name in files
             if (data_dir / name).is_file() and recorded.get(name) != sha256_file(data_dir / name)}
    if found:
        _new_folder(data_dir, found, "as found", when, pd.DataFrame(columns=CHANGE_COLUMNS))
    version = _new_folder(data_dir, files, "collected", when, changes)
    atomic_write_text(data_dir / VERSIONS_DIR / COLLECT_JOURNAL, version.name)
    _apply(data_dir, version)
    return version


def _new_folder(data_dir: Path, files: dict[str, bytes | None], kind: str, when: str, changes: pd.DataFrame
                ) -> Path:
    """Write a version in a hidden folder, then rename it into place as the next number."""
    root = data_dir / VERSIONS_DIR
    root.mkdir(exist_ok=True)
    number = len(version_folders(data_dir)) + 1
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        for name, content in files.items():
            if content is not None:
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(content)
        log = changes.assign(time=when, version=f"{number:04d}").reindex(columns=CHANGE_COLUMNS)
        log.to_csv(staging / CHANGES, index=False, lineterminator="\n")
        hashes = {name: None if content is None else sha256_file(staging / name) for name, content in files.items()}
        manifest = {"version": number, "kind": kind, "time": when, "files": hashes}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        for path in staging.rglob("*"):
            os.chmod(path, ordinary_file_mode() | (0o111 if path.is_dir() else 0))
        os.chmod(staging, ordinary_file_mode() | 0o111)
        target = root / f"{number:04d}"
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _apply(data_dir: Path, version: Path) -> None:
    """Make a version's files the current ones, each atomically; then the whole log; then drop the journal."""
    for name, digest in _manifest(version)["files"].items():
        target = data_dir / name
        if digest is None:
            target.unlink(missing_ok=True)
        elif not target.is_file() or sha256_file(target) != digest:
            atomic_write_bytes(target, (version / name).read_bytes())
    _write_log(data_dir)
    (data_dir / VERSIONS_DIR / COLLECT_JOURNAL).unlink(missing_ok=True)


def _write_log(data_dir: Path) -> None:
    """``versions/changes.csv``: every version's change log, oldest first."""
    parts = [pd.read_csv(folder / CHANGES, dtype="str", keep_default_na=False)
             for folder in version_folders(data_dir) if (folder / CHANGES).is_file()]
    log = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CHANGE_COLUMNS)
    buffer = io.StringIO()
    log.reindex(columns=CHANGE_COLUMNS).to_csv(buffer, index=False, lineterminator="\n")
    atomic_write_text(data_dir / VERSIONS_DIR / CHANGES, buffer.getvalue())


def finish_interrupted(data_dir: str | Path) -> str | None:
    """Finish a collect that was killed while it replaced the current tables.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.

    Returns
    -------
    str or None
        The version that was finished, or None when nothing was interrupted.

    Raises
    ------
    CollectionError
        The journal names a version that is not there.
    """
    data_dir = Path(data_dir)
    journal = data_dir / VERSIONS_DIR / COLLECT_JOURNAL
    if not journal.is_file():
        return None
    name = journal.read_text(encoding="utf-8").strip()
    version = data_dir / VERSIONS_DIR / name
    if not (version / MANIFEST).is_file():
        raise CollectionError(f"{journal} names version {name!r}, which is not in {version.parent}: restore the "
                              "tables from the newest version folder by hand and delete the journal")
    _apply(data_dir, version)
    return name


def clear_staging(data_dir: str | Path) -> list[str]:
    """Remove what a killed collect left half-written: its hidden version folders and temporary files.

    Call it only while holding the network folder (:func:`~anchor_analysis.core.locks.folder_lock`), so another
    collect's folders are never taken for leftovers. An interrupted replacement of the current tables is
    :func:`finish_interrupted`'s to finish, not undone here.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder.

    Returns
    -------
    list of str
        What was removed, relative to ``data_dir``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "versions" / ".staging-k1ll3d").mkdir(parents=True)
    >>> _ = (folder / ".metrics.csv.k1ll3d.part").write_text("half a")
    >>> clear_staging(folder), sorted(p.name for p in folder.rglob("*"))
    (['versions/.staging-k1ll3d', '.metrics.csv.k1ll3d.part'], ['versions'])
    """
    data_dir = Path(data_dir)
    removed = []
    for staging in sorted((data_dir / VERSIONS_DIR).glob(".staging-*")):
        shutil.rmtree(staging, ignore_errors=True)
        removed.append(staging.relative_to(data_dir).as_posix())
    return removed + [p.relative_to(data_dir).as_posix() for p in clear_partial_files(data_dir)]
