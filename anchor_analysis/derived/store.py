"""Where a network's derived tables live, and how a build is put in place without ever leaving half of one.

``data/raw/<network>`` gets ``data/processed/<network>`` (the project layout); any other folder gets a folder in
the user cache named after it, unless ``ANCHOR_ANALYSIS_PROCESSED`` names the place for all of them. Under it, each
build is a folder named by its key (:func:`~anchor_analysis.derived.fingerprint.derived_key`) holding Parquet
tables and a ``manifest.json`` written last; a build is made in a hidden temporary folder and renamed into place
in one step, so a reader sees a whole build or none. Older builds of the network are removed once a new one is in
place. Deleting any of it is always safe: it is rebuilt from the raw files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from anchor_analysis.core.files import clear_partial_files, disk_full_said, ordinary_file_mode
from anchor_analysis.core.settings import CACHE_ENV, PROCESSED_ENV

MANIFEST = "manifest.json"


def processed_root(data_dir: str | os.PathLike[str]) -> Path:
    """The folder holding the derived tables of the network in ``data_dir``.

    ``$ANCHOR_ANALYSIS_PROCESSED/<name>-<digest>`` when the variable is set (the digest is of the folder's full
    path, as two networks may share a name); else ``data/processed/<network>`` for ``data/raw/<network>``; else
    ``processed/<name>-<digest>`` in ``$ANCHOR_ANALYSIS_CACHE`` or the user cache folder.

    Parameters
    ----------
    data_dir : str or path-like
        The network's folder of returns.

    Returns
    -------
    Path
        The folder (absolute unless the configured folder is relative); it need not exist yet.

    Examples
    --------
    >>> import os
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ANCHOR_ANALYSIS_PROCESSED": ""}):
    ...     processed_root("data/raw/demo") == Path("data/processed/demo").resolve()
    True
    >>> with mock.patch.dict(os.environ, {"ANCHOR_ANALYSIS_PROCESSED": "derived"}):
    ...     root = processed_root("data/raw/demo")
    >>> root.parent.as_posix(), root.name.startswith("demo-"), len(root.name)
    ('derived', True, 13)
    """
    folder = Path(data_dir).resolve()
    configured = os.environ.get(PROCESSED_ENV, "").strip()
    if configured:
        return Path(configured).expanduser() / _name(folder)
    if folder.parent.name == "raw":
        return folder.parent.parent / "processed" / folder.name
    cache = os.environ.get(CACHE_ENV, "").strip()
    base = Path(cache).expanduser() if cache else Path(tempfile.gettempdir()) / "anchor-analysis-cache"
    if not cache:
        with contextlib.suppress(Exception):
            import pooch

            base = Path(pooch.os_cache("anchor-analysis"))
    return base / "processed" / _name(folder)


def _name(folder: Path) -> str:
    """The network's folder name and a short digest of its full path (two networks may share a name)."""
    return f"{folder.name}-{hashlib.sha256(str(folder).encode()).hexdigest()[:8]}"


def read_manifest(build: Path) -> dict | None:
    """The manifest of a complete build.

    Parameters
    ----------
    build : Path
        A build folder, named by its key.

    Returns
    -------
    dict or None
        The manifest; None when it is absent, unreadable or of another key (the build is incomplete or not this
        one).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> build = pathlib.Path(tempfile.mkdtemp()) / "abc123"
    >>> build.mkdir()
    >>> read_manifest(build) is None
    True
    >>> _ = (build / MANIFEST).write_text('{"key": "abc123", "tables": ["anchors"]}')
    >>> read_manifest(build)
    {'key': 'abc123', 'tables': ['anchors']}
    """
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("key") == build.name else None


@contextlib.contextmanager
def new_build(root: Path, key: str) -> Iterator[Path]:
    """A temporary folder to write a build into, renamed to ``root/key`` when the block ends without an error.

    When another process put the same build in place meanwhile, this one is discarded (they are the same). On any
    error the temporary folder is removed and nothing changes. Once the build is in place its files get ordinary
    permissions and the older builds of ``root`` are removed.

    Parameters
    ----------
    root : Path
        The network's folder of builds (:func:`processed_root`); created if needed.
    key : str
        The build's key.

    Yields
    ------
    Path
        The hidden temporary folder inside ``root`` to write the tables and the manifest (last) into.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with new_build(root, "abc123") as work:
    ...     write_parquet(pd.DataFrame({"anchor_id": ["a"]}), work / "anchors.parquet")
    ...     _ = (work / MANIFEST).write_text('{"key": "abc123"}')
    >>> sorted(path.name for path in (root / "abc123").iterdir())
    ['anchors.parquet', 'manifest.json']
    >>> with new_build(root, "def456") as work:
    ...     _ = (work / MANIFEST).write_text('{"key": "def456"}')
    >>> sorted(path.name for path in root.iterdir())
    ['def456']
    """
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=root))
    try:
        yield work
        _ordinary_permissions(work)
        final = root / key
        try:
            os.replace(work, final)
        except OSError:
            if read_manifest(final) is None:
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _remove_other_builds(root, key)


def _ordinary_permissions(folder: Path) -> None:
    """Give ``folder`` and everything in it the modes ``mkdir`` and ``open`` would have."""
    os.chmod(folder, ordinary_file_mode() | 0o111)
    for path in folder.rglob("*"):
        os.chmod(path, ordinary_file_mode() | (0o111 if path.is_dir() else 0))


def clear_unfinished_builds(root: Path) -> list[str]:
    """Remove the hidden build folders (and temporary files) a killed build left in ``root``.

    Call it only while holding ``root`` (:func:`~anchor_analysis.core.locks.folder_lock`): a build going on in
    another process is not a leftover.

    Parameters
    ----------
    root : Path
        A network's folder of builds (:func:`processed_root`).

    Returns
    -------
    list of str
        The names removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / ".build-abc123-k1ll3d").mkdir()
    >>> (root / "abc123").mkdir()
    >>> clear_unfinished_builds(root), sorted(p.name for p in root.iterdir())
    (['.build-abc123-k1ll3d'], ['abc123'])
    """
    removed = []
    for work in sorted(root.glob(".build-*")):
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work.name)
    return removed + [p.name for p in clear_partial_files(root)]


def _remove_other_builds(root: Path, key: str) -> None:
    """Earlier builds (other keys) are never read again; builds in progress (hidden folders) are left alone."""
    for other in root.iterdir():
        if other.is_dir() and other.name != key and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a table of a build (inside its temporary folder, so no rename is needed here).

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not kept.
    path : Path
        The Parquet file to write.

    See Also
    --------
    read_parquet : Reads it back.
    """
    with disk_full_said(path):  # pyarrow's OSError carries errno 28 on a full disk
        frame.to_parquet(path, index=False)


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a table of a build back.

    Parameters
    ----------
    path : Path
        A Parquet file of a build.

    Returns
    -------
    DataFrame
        The table (its dtypes kept; a categorical column's categories may not be in their original order).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "metrics.parquet"
    >>> write_parquet(pd.DataFrame({"year": pd.array([2023], dtype="Int64"), "value": [1.5]}), path)
    >>> read_parquet(path).dtypes.astype(str).to_dict()
    {'year': 'Int64', 'value': 'float64'}
    """
    return pd.read_parquet(path)
