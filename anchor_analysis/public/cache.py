"""Tables derived from public data, kept across runs as Parquet and keyed on what they were built from.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from anchor_analysis.core.settings import CACHE_ENV
from anchor_analysis.public.datasets import PathLike, _dataset, _file_sha256

# --- tables derived from public data, cached across runs ------------------------------------------------------


def derived_cache_dir() -> Path:
    """Folder of tables derived from public data: ``$ANCHOR_ANALYSIS_CACHE/derived``, else the user cache."""
    import pooch

    root = os.environ.get(CACHE_ENV, "").strip()
    return (Path(root).expanduser() if root else Path(pooch.os_cache("anchor-analysis"))) / "derived"


def cached_derived_table(name: str, sources: Sequence[str], key: Sequence,
                         build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``build()``, kept as Parquet in :func:`derived_cache_dir` under ``name`` and a digest of its inputs.

    The digest covers the registered SHA-256 of each dataset in ``sources`` and ``key``, which must hold
    everything else the table depends on: the arguments, and the code that builds it (e.g. :func:`code_digest`
    of its module). A changed input or a changed definition therefore builds a new table; a stale one is never
    read. An unreadable cache file is rebuilt; a cache folder that cannot be written only costs the time.
    ``attrs["cache"]`` names the file used.
    """
    inputs = (tuple((source, _dataset(source).sha256.lower()) for source in sources), tuple(key))
    digest = hashlib.sha256(repr(inputs).encode("utf-8")).hexdigest()[:20]
    path = derived_cache_dir() / f"{name}-{digest}.parquet"
    if path.is_file():
        try:
            frame = pd.read_parquet(path)
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt below, never trusted
            path.unlink(missing_ok=True)
        else:
            frame.attrs["cache"] = str(path)
            return frame
    frame = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
        frame.attrs["cache"] = str(path)
        for older in path.parent.glob(f"{name}-*.parquet"):  # built from other inputs or code: never read again
            if older != path:
                older.unlink(missing_ok=True)
    except OSError:
        pass
    return frame


def code_digest(module_file: PathLike) -> str:
    """SHA-256 of a module's source, for cache keys: editing the code that derives a table invalidates it."""
    return _file_sha256(Path(module_file))
