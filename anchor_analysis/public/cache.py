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
    """The folder of tables derived from public data.

    Returns
    -------
    Path
        ``$ANCHOR_ANALYSIS_CACHE/derived`` when the variable is set, else ``derived`` in the user cache folder
        (pooch's ``os_cache("anchor-analysis")``). It need not exist yet.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ANCHOR_ANALYSIS_CACHE": "cache"}):
    ...     derived_cache_dir().as_posix()
    'cache/derived'
    """
    import pooch

    root = os.environ.get(CACHE_ENV, "").strip()
    return (Path(root).expanduser() if root else Path(pooch.os_cache("anchor-analysis"))) / "derived"


def cached_derived_table(name: str, sources: Sequence[str], key: Sequence,
                         build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``build()``, kept as Parquet in :func:`derived_cache_dir` under ``name`` and a digest of its inputs.

    The digest covers the registered SHA-256 of each dataset in ``sources`` and ``key``, which must hold
    everything else the table depends on: the arguments, and the code that builds it (e.g. :func:`code_digest`
    of its module). A changed input or a changed definition therefore builds a new table; a stale one is never
    read, and the files of other digests of ``name`` are removed once a new one is written. An unreadable cache
    file is rebuilt; a cache folder that cannot be written only costs the time.

    Parameters
    ----------
    name : str
        The table's name (the start of its file name).
    sources : sequence of str
        Keys of the registered public datasets the table is built from.
    key : sequence
        Everything else the table depends on; its ``repr`` is hashed.
    build : callable
        Called without arguments to build the table when no cached copy of this digest can be read.

    Returns
    -------
    DataFrame
        The table (its index is not kept); ``attrs["cache"]`` names the file used, when there is one.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from unittest import mock
    >>> builds = []
    >>> def build():
    ...     builds.append(1)
    ...     return pd.DataFrame({"lsoa_code": ["E01011264"], "score": [12.5]})
    >>> with mock.patch.dict(os.environ, {"ANCHOR_ANALYSIS_CACHE": tempfile.mkdtemp()}):
    ...     first = cached_derived_table("scores", ["imd2019_scores"], ("v1",), build)
    ...     again = cached_derived_table("scores", ["imd2019_scores"], ("v1",), build)
    >>> len(builds), again.equals(first), pathlib.Path(again.attrs["cache"]).name
    (1, True, 'scores-....parquet')
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
    """The SHA-256 of a module's source, for cache keys: editing the code that derives a table invalidates it.

    Parameters
    ----------
    module_file : str or path-like
        The module's file (its ``__file__``).

    Returns
    -------
    str
        The digest in hex.

    Examples
    --------
    >>> from anchor_analysis.core.files import sha256_file
    >>> from anchor_analysis.public import imd
    >>> code_digest(imd.__file__) == sha256_file(imd.__file__)
    True
    """
    return _file_sha256(Path(module_file))
