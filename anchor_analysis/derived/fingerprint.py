"""What a network's derived tables are keyed on: the checksums of its input files, the place, and the kit.

Hashing a multi-gigabyte ledger folder on every notebook would cost seconds, so each file's SHA-256 is remembered
with its size and modification time (as git's index does) and hashed again only when either changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from anchor_analysis import __version__
from anchor_analysis.core.files import atomic_write_text, sha256_file
from anchor_analysis.core.places import Place

FORMAT = 1
"""The layout of the derived tables; raised when it changes, so older folders are rebuilt, never misread."""


def input_files(data_dir: Path) -> list[Path]:
    """Every file of the network folder (hidden files and folders aside), sorted by relative path."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append(path)
    return found


def file_checksums(data_dir: Path, known: dict | None = None) -> dict[str, dict]:
    """``relative path -> {"bytes", "mtime_ns", "sha256"}`` for every input file; ``known`` (the same shape, from
    an earlier call) supplies the SHA-256 of files whose size and modification time have not changed."""
    known = known or {}
    out = {}
    for path in input_files(data_dir):
        relative = path.relative_to(data_dir).as_posix()
        stat = path.stat()
        before = known.get(relative)
        if before and before.get("bytes") == stat.st_size and before.get("mtime_ns") == stat.st_mtime_ns:
            digest = before["sha256"]
        else:
            digest = sha256_file(path)
        out[relative] = {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    return out


@functools.cache
def kit_digest() -> str:
    """SHA-256 over the kit's version, code and data files: a new release, or an edited checkout, rebuilds."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__}\n".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml", ".csv") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\n")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def derived_key(checksums: dict[str, dict], place: Place) -> str:
    """The key of a build: the input files' checksums, the resolved place and the kit (format, version, code)."""
    inputs = sorted((name, meta["sha256"]) for name, meta in checksums.items())
    material = json.dumps({"format": FORMAT, "kit": kit_digest(), "place": repr(place), "inputs": inputs})
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def remembered_checksums(root: Path) -> dict:
    """The checksums remembered in ``root`` (empty when there are none or the file is unreadable)."""
    try:
        known = json.loads((root / "checksums.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def remember_checksums(root: Path, checksums: dict) -> None:
    """Keep ``checksums`` for the next call; a folder that cannot be written only costs the hashing."""
    try:
        atomic_write_text(root / "checksums.json", json.dumps(checksums, indent=0, sort_keys=True))
    except OSError:
        pass

