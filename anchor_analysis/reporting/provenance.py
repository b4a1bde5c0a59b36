"""Provenance of a run: versions, git commit, checksums of every input, public datasets, run date.

In: the network folder, the repository and the public datasets registry. Out: the plain records that
``provenance.json`` and the report's Provenance appendix are made of.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from anchor_analysis import __version__
from anchor_analysis.contracts.readers import network_files
from anchor_analysis.core.errors import ReportError

# --- provenance -----------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, as hex (read a megabyte at a time).

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "anchors.csv"
    >>> _ = path.write_bytes(b"anchor_id\\n")
    >>> sha256_file(path) == hashlib.sha256(b"anchor_id\\n").hexdigest()
    True
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data_dir: Path) -> list[dict]:
    """List every file of the network folder (hidden files and ``versions/`` aside) with its size and checksum.

    Parameters
    ----------
    data_dir : Path
        The network folder.

    Returns
    -------
    list of dict
        ``file`` (relative, with ``/``), ``bytes`` and ``sha256`` per file, sorted by path.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "ledger").mkdir()
    >>> for name in ("anchors.csv", "ledger/a_2023.csv", ".notes"):
    ...     _ = (folder / name).write_text("x\\n")
    >>> [(row["file"], row["bytes"]) for row in input_files(folder)]
    [('anchors.csv', 2), ('ledger/a_2023.csv', 2)]
    """
    return [{"file": path.relative_to(data_dir).as_posix(), "bytes": path.stat().st_size,
             "sha256": sha256_file(path)} for path in network_files(data_dir)]


def git_commit(where: Path | None = None) -> str:
    """Return the git commit of the repository holding the package, marked when it has uncommitted changes.

    Parameters
    ----------
    where : Path, optional
        A folder of the repository; default: this package's.

    Returns
    -------
    str
        ``git rev-parse HEAD``, followed by ``" (with uncommitted changes)"`` when tracked files changed;
        ``"unknown"`` outside a repository or without git.

    Examples
    --------
    >>> import tempfile
    >>> git_commit(Path(tempfile.mkdtemp()))
    'unknown'
    """
    where = where or Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not head:
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def public_datasets(place: object = "leeds") -> tuple[list[dict], str, str | None]:
    """Return the public datasets a place's report may use and their attribution statements, or a note.

    The national files and the place's own (:func:`anchor_analysis.public.place_datasets`): another place's
    boundaries or spending never appear in a report. The registry is optional for the report: any error reading it
    becomes the note.

    Parameters
    ----------
    place : str, path-like or Place, default "leeds"
        The place of the report.

    Returns
    -------
    rows : list of dict
        One record per dataset (``key, file, sha256, publisher, licence, attribution, title, url, place``).
    attribution : str
        The attribution statements, one a line.
    note : str or None
        Why the registry is unavailable (then ``rows`` is empty), else None.

    Examples
    --------
    >>> rows, attribution, note = public_datasets()
    >>> rows[0]["key"], note
    ('imd2019_file1', None)
    >>> rows, attribution, note = public_datasets("birmingham")
    >>> any("Leeds" in row["title"] for row in rows), "Leeds" in attribution
    (False, False)
    """
    try:
        from anchor_analysis import public

        keys = public.place_datasets(place)
        frame = public.registry().set_index("key").loc[keys].reset_index()
        rows = frame.to_dict(orient="records")
        return rows, public.attribution(keys), None
    except Exception as exc:  # the registry is optional for the report: degrade with a note
        return [], "", f"public datasets registry unavailable ({type(exc).__name__}: {exc})"


def _package_versions() -> dict[str, str]:
    """Versions of anchor-analysis, Python and the packages that run and export the notebooks."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {"anchor-analysis": __version__, "python": platform.python_version()}
    for name in ("papermill", "nbconvert", "nbclient", "ipykernel", "pandas"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_date() -> datetime:
    """Return the run's date: now, or ``$SOURCE_DATE_EPOCH`` when set (for reproducible report HTML).

    Returns
    -------
    datetime
        Timezone-aware: UTC from ``SOURCE_DATE_EPOCH``, else local time.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1700000000"}):
    ...     run_date().isoformat()
    '2023-11-14T22:13:20+00:00'
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now().astimezone()


def _read_network_toml(data_dir: Path) -> dict:
    """The network folder's ``network.toml`` (empty when there is none); ReportError when it is not valid TOML."""
    path = data_dir / "network.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not valid TOML ({exc})") from exc


def published_inputs(inputs: Sequence[dict], anonymise: bool = False) -> list[dict]:
    """Return the input files as the report lists them.

    Anonymised, the files of each top-level subfolder (ledgers are one per anchor and named after it, or in a folder
    named after it, ``ledger/<anchor_id>/``) fold into one row, ``ledger/ (65 files)``, whose sha256 is that of the
    sorted ``name sha256`` lines of its files: still a checksum of every input, without naming an anchor.

    Parameters
    ----------
    inputs : sequence of dict
        :func:`input_files`.
    anonymise : bool, default False
        Fold each subfolder into one row; otherwise the rows are returned as they are.

    Returns
    -------
    list of dict
        ``file, bytes, sha256`` per row, folders where their first file was.

    Examples
    --------

    >>> rows = [{"file": "anchors.csv", "bytes": 9, "sha256": "a"}, {"file": "ledger/x_2023.csv", "bytes": 5,
    ...         "sha256": "b"}]
    >>> [r["file"] for r in published_inputs(rows, anonymise=True)]
    ['anchors.csv', 'ledger/ (1 file)']
    """
    if not anonymise:
        return list(inputs)
    rows: list[dict] = []
    folders: dict[str, list[dict]] = {}
    for row in inputs:
        folder = row["file"].partition("/")[0] if "/" in row["file"] else ""  # ledger/<anchor_id>/... folds too
        if folder:
            if folder not in folders:
                folders[folder] = []
                rows.append({"file": folder})
            folders[folder].append(row)
        else:
            rows.append(row)
    for row in rows:
        members = folders.get(row["file"])
        if members is None:
            continue
        listing = "".join(f"{m['file']} {m['sha256']}\n" for m in sorted(members, key=lambda m: m["file"]))
        n = len(members)
        row.update(file=f"{row['file']}/ ({n} file{'s' if n != 1 else ''})", bytes=sum(m["bytes"] for m in members),
                   sha256=hashlib.sha256(listing.encode()).hexdigest())
    return rows


def ledger_readings(readings: Mapping[str, Mapping], anonymise: bool = False) -> list[dict]:
    """How each finance export was read (the mapping or preset, by both names, and the rows dropped), for the record.

    Parameters
    ----------
    readings : mapping of str to mapping
        File -> how it was read (:attr:`~anchor_analysis.contracts.report.ValidationReport.readings`).
    anonymise : bool, default False
        Name no file or anchor: one row per preset, or ``"a mapping written for the anchor"``, with its files and
        lines.

    Returns
    -------
    list of dict
        ``file, read_with, columns`` (field -> header), ``date_format, header_row, title_rows, blank_rows,
        footer_rows`` (counts) and ``lines`` per file; anonymised, ``read_with, files, lines``.

    Examples
    --------
    >>> readings = {"ledger/council/2023.csv": {"source": "preset 'lgtc'", "preset": "lgtc", "anchor": "council",
    ...             "columns": {"payment_date": "Date Paid", "amount": "Net Amount"}, "date_format": "DD/MM/YYYY",
    ...             "header_row": 3, "title_rows": [1, 2], "blank_rows": 0, "footer_rows": [[90, "Total"]],
    ...             "lines": 86}}
    >>> ledger_readings(readings)[0]["read_with"], ledger_readings(readings)[0]["footer_rows"]
    ("preset 'lgtc'", 1)
    >>> ledger_readings(readings, anonymise=True)
    [{'read_with': "preset 'lgtc'", 'files': 1, 'lines': 86}]
    """
    if anonymise:
        folded: dict[str, dict] = {}
        for reading in readings.values():
            how = f"preset '{reading['preset']}'" if reading.get("preset") and str(reading.get("source", "")
                                                                                  ).startswith("preset") \
                else "a mapping written for the anchor"
            row = folded.setdefault(how, {"read_with": how, "files": 0, "lines": 0})
            row["files"] += 1
            row["lines"] += int(reading.get("lines") or 0)
        return list(folded.values())
    return [{"file": file, "read_with": reading.get("source"), "columns": dict(reading.get("columns", {})),
             "date_format": reading.get("date_format"), "header_row": reading.get("header_row"),
             "title_rows": len(reading.get("title_rows") or []), "blank_rows": int(reading.get("blank_rows") or 0),
             "footer_rows": len(reading.get("footer_rows") or []), "lines": int(reading.get("lines") or 0)}
            for file, reading in readings.items()]
