"""Provenance of a run: versions, git commit, checksums of every input, public datasets, run date.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from anchor_analysis import __version__
from anchor_analysis.core.errors import ReportError

# --- provenance -----------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data_dir: Path) -> list[dict]:
    """Every file of the network folder (hidden files aside): relative path, size and sha256, sorted by path."""
    rows = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            rows.append({"file": relative.as_posix(), "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return rows


def git_commit(where: Path | None = None) -> str:
    """``git rev-parse HEAD`` of the repository holding the package (``"unknown"`` outside one), marked if dirty."""
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


def public_datasets() -> tuple[list[dict], str, str | None]:
    """The public datasets registry and attribution statements; a note instead when the registry is unavailable."""
    try:
        from anchor_analysis import public

        frame = public.registry()
        rows = frame.to_dict(orient="records")
        return rows, public.attribution(), None
    except Exception as exc:  # the registry is optional for the report: degrade with a note
        return [], "", f"public datasets registry unavailable ({type(exc).__name__}: {exc})"


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"anchor-analysis": __version__, "python": platform.python_version()}
    for name in ("papermill", "nbconvert", "nbclient", "ipykernel", "pandas"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_date() -> datetime:
    """Now, or ``$SOURCE_DATE_EPOCH`` when set (for reproducible report HTML)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now().astimezone()


def _read_network_toml(data_dir: Path) -> dict:
    path = data_dir / "network.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not valid TOML ({exc})") from exc


def published_inputs(inputs: Sequence[dict], anonymise: bool = False) -> list[dict]:
    """The input files as the report lists them. Anonymised, the files of each subfolder (ledgers are one per
    anchor and named after it) fold into one row, ``ledger/ (65 files)``, whose sha256 is that of the sorted
    ``name sha256`` lines of its files: still a checksum of every input, without naming an anchor.

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
        folder = row["file"].rpartition("/")[0]
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
