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
from anchor_analysis.contracts.readers import network_files
from anchor_analysis.core.files import atomic_write_text, sha256_file
from anchor_analysis.core.places import Place

FORMAT = 2
"""The layout of the derived tables; raised when it changes, so older folders are rebuilt, never misread."""


def input_files(data_dir: Path) -> list[Path]:
    """Every file of the network folder (hidden files and folders, and ``versions/``, aside), sorted by path.

    Parameters
    ----------
    data_dir : Path
        The network's folder of returns.

    Returns
    -------
    list of Path
        The files, subfolders included.

    Examples
    --------
    >>> from pathlib import Path
    >>> files = input_files(Path("data/raw/demo"))
    >>> len(files), [f.relative_to("data/raw/demo").as_posix() for f in files][:3]
    (75, ['README.md', 'anchors.csv', 'commitments.csv'])
    """
    return network_files(data_dir)


def file_checksums(data_dir: Path, known: dict | None = None) -> dict[str, dict]:
    """The size, modification time and SHA-256 of every input file (:func:`input_files`).

    Parameters
    ----------
    data_dir : Path
        The network's folder of returns.
    known : dict, optional
        The result of an earlier call (:func:`remembered_checksums`): it supplies the SHA-256 of files whose size
        and modification time have not changed, so only changed files are hashed.

    Returns
    -------
    dict of str to dict
        ``relative path -> {"bytes", "mtime_ns", "sha256"}``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "anchors.csv").write_text("")
    >>> checksums = file_checksums(folder)
    >>> checksums["anchors.csv"]["bytes"], checksums["anchors.csv"]["sha256"][:12]
    (0, 'e3b0c44298fc')
    >>> stale = {"anchors.csv": {**checksums["anchors.csv"], "sha256": "not hashed again"}}
    >>> file_checksums(folder, stale)["anchors.csv"]["sha256"]
    'not hashed again'
    """
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
    """The SHA-256 over the kit's version, code and data files: a new release, or an edited checkout, rebuilds.

    Covers every ``.py``, ``.toml`` and ``.csv`` file of the installed package (computed once per process).

    Returns
    -------
    str
        The digest in hex.

    Examples
    --------
    >>> len(kit_digest()), kit_digest() == kit_digest()
    (64, True)
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__}\n".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml", ".csv") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\n")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def derived_key(checksums: dict[str, dict], place: Place) -> str:
    """The key of a build: the input files' checksums, the resolved place and the kit (format, version, code).

    Parameters
    ----------
    checksums : dict of str to dict
        The input files' checksums (:func:`file_checksums`); only the names and SHA-256 count.
    place : Place
        The resolved place.

    Returns
    -------
    str
        20 hex characters; the name of the build's folder.

    Examples
    --------
    >>> from anchor_analysis.core.places import load_place
    >>> checksums = {"anchors.csv": {"bytes": 0, "mtime_ns": 0, "sha256": "e3b0"}}
    >>> key = derived_key(checksums, load_place("leeds"))
    >>> len(key), key == derived_key(checksums, load_place("bradford"))
    (20, False)
    >>> touched = {"anchors.csv": {"bytes": 0, "mtime_ns": 1, "sha256": "e3b0"}}
    >>> derived_key(touched, load_place("leeds")) == key
    True
    """
    inputs = sorted((name, meta["sha256"]) for name, meta in checksums.items())
    material = json.dumps({"format": FORMAT, "kit": kit_digest(), "place": repr(place), "inputs": inputs})
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def remembered_checksums(root: Path) -> dict:
    """The checksums remembered in ``root`` by :func:`remember_checksums`.

    Parameters
    ----------
    root : Path
        The network's folder of builds.

    Returns
    -------
    dict
        As :func:`file_checksums` gives them; empty when there are none or the file is unreadable.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> remembered_checksums(root)
    {}
    >>> remember_checksums(root, {"anchors.csv": {"bytes": 0, "mtime_ns": 0, "sha256": "e3b0"}})
    >>> remembered_checksums(root)
    {'anchors.csv': {'bytes': 0, 'mtime_ns': 0, 'sha256': 'e3b0'}}
    """
    try:
        known = json.loads((root / "checksums.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def remember_checksums(root: Path, checksums: dict) -> None:
    """Keep ``checksums`` in ``root`` (``checksums.json``) for the next call.

    A folder that cannot be written only costs the hashing next time.

    Parameters
    ----------
    root : Path
        The network's folder of builds (created if needed).
    checksums : dict
        As :func:`file_checksums` gives them.

    See Also
    --------
    remembered_checksums : Reads them back (with an example).
    """
    try:
        atomic_write_text(root / "checksums.json", json.dumps(checksums, indent=0, sort_keys=True))
    except OSError:
        pass

