"""The registry of public datasets, and where their files are: a local folder or a checksummed download.

>>> reg = registry()
>>> reg.set_index("key").loc["imd2019_file1", "licence"]
'Open Government Licence v3.0'
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from importlib import resources
from pathlib import Path

import pandas as pd

from anchor_analysis.core.errors import PublicDataChecksumError, PublicDataMissing
from anchor_analysis.core.settings import CACHE_ENV, PUBLIC_DATA_ENV, PUBLIC_DATA_URL_ENV

BRITISH_NATIONAL_GRID = "EPSG:27700"
IMD_EDITIONS = (2019, 2025)
LSOA_YEARS = (2011, 2021)
DOMAINS = ("income", "employment", "education", "health", "crime", "barriers", "living_environment")
"""IMD domains in snake case; loaders give ``<domain>_rank`` and ``<domain>_decile`` for each."""

LadCodes = str | Iterable[str] | None
PathLike = str | os.PathLike[str]

_HOW_TO_CONFIGURE = (
    f"set {PUBLIC_DATA_ENV} to the folder holding the public data (e.g. ../shared/data/public), "
    f"or set {PUBLIC_DATA_URL_ENV} to download it"
)


@dataclass(frozen=True)
class Dataset:
    """One registry entry of ``public_datasets.toml``."""

    key: str
    file: str
    sha256: str
    publisher: str
    licence: str
    attribution: str
    title: str
    url: str


@functools.cache
def _datasets() -> dict[str, Dataset]:
    text = (resources.files("anchor_analysis") / "data" / "public_datasets.toml").read_text(encoding="utf-8")
    return {key: Dataset(key=key, **entry) for key, entry in tomllib.loads(text).items()}


def _dataset(key: str) -> Dataset:
    try:
        return _datasets()[key]
    except KeyError:
        known = ", ".join(sorted(_datasets()))
        raise KeyError(f"unknown public dataset {key!r}; known keys: {known}") from None


def registry() -> pd.DataFrame:
    """The registered public datasets, one row each.

    Columns: ``key, file, sha256, publisher, licence, attribution, title, url`` (all str).

    >>> "imd2025_lsoa21" in set(registry()["key"])
    True
    """
    columns = [f.name for f in fields(Dataset)]
    return pd.DataFrame([astuple(d) for d in _datasets().values()], columns=columns, dtype="str")


def attribution(keys: str | Iterable[str] | None = None) -> str:
    """De-duplicated attribution statements for the datasets used, one per line (for report footers).

    ``keys`` is a dataset key or several; ``None`` means every registered dataset.

    >>> print(attribution(["postcodes_place", "postcodes_region"]))  # doctest: +ELLIPSIS
    Contains OS data © Crown copyright and database right 2024; ...Open Government Licence v.3.0.
    """
    if keys is None:
        keys = list(_datasets())
    elif isinstance(keys, str):
        keys = [keys]
    return "\n".join(dict.fromkeys(_dataset(key).attribution for key in keys))


# --- locating and verifying files ---------------------------------------------------------------------------

_VERIFIED: dict[tuple[str, str], tuple[int, int]] = {}
"""Cache of verified files: (resolved path, expected sha256) -> (size, mtime_ns) when verified."""


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _verify(path: Path, dataset: Dataset) -> None:
    """Check ``path`` against the registry, hashing it only if not yet verified in this process."""
    stat = path.stat()
    cache_key = (str(path.resolve()), dataset.sha256.lower())
    if _VERIFIED.get(cache_key) == (stat.st_size, stat.st_mtime_ns):
        return
    actual = _file_sha256(path)
    if actual != dataset.sha256.lower():
        raise PublicDataChecksumError(path, dataset.sha256, actual)
    _VERIFIED[cache_key] = (stat.st_size, stat.st_mtime_ns)


def _configured_folder(data_dir: PathLike | None) -> tuple[Path, str] | None:
    if data_dir is not None and str(data_dir):
        return Path(data_dir).expanduser(), "data_dir argument"
    value = os.environ.get(PUBLIC_DATA_ENV, "").strip()
    return (Path(value).expanduser(), PUBLIC_DATA_ENV) if value else None


def _download(dataset: Dataset, base_url: str) -> Path:
    """Fetch ``dataset`` from ``base_url`` into the pooch cache; pooch verifies the SHA-256."""
    import pooch
    import requests

    base_url = base_url if base_url.endswith("/") else base_url + "/"
    fetcher = pooch.create(
        path=pooch.os_cache("anchor-analysis"),
        base_url=base_url,
        registry={dataset.file: f"sha256:{dataset.sha256}"},
        env=CACHE_ENV,
    )
    local = Path(fetcher.abspath) / dataset.file
    if local.is_file():
        stat = local.stat()
        if _VERIFIED.get((str(local.resolve()), dataset.sha256.lower())) == (stat.st_size, stat.st_mtime_ns):
            return local
    url = base_url + dataset.file
    try:
        local = Path(fetcher.fetch(dataset.file))
    except ValueError as exc:
        found = re.search(r"but got ([0-9a-fA-F]{64})", str(exc))
        if found:  # pooch's hash mismatch; it has deleted the download
            raise PublicDataChecksumError(url, dataset.sha256, found.group(1)) from exc
        raise PublicDataMissing(dataset.key, dataset.file, f"cannot download {url} ({exc})") from exc
    except (requests.RequestException, OSError) as exc:
        raise PublicDataMissing(dataset.key, dataset.file, f"download of {url} failed ({exc})") from exc
    stat = local.stat()
    _VERIFIED[(str(local.resolve()), dataset.sha256.lower())] = (stat.st_size, stat.st_mtime_ns)
    return local


def dataset_path(key: str, data_dir: PathLike | None = None) -> Path:
    """Local path of registered dataset ``key``, its SHA-256 verified.

    The folder is ``data_dir`` if given, else ``$ANCHOR_ANALYSIS_PUBLIC_DATA``. With neither, and
    ``$ANCHOR_ANALYSIS_PUBLIC_DATA_URL`` set, the file is downloaded (once) into the pooch cache.

    Raises :class:`KeyError` for an unknown key, :class:`PublicDataMissing` when the file cannot be found and
    :class:`PublicDataChecksumError` when its SHA-256 differs from the registry.

    >>> dataset_path("imd2019_file1", "/work/shared/data/public").name  # doctest: +SKIP
    'england_imd2019_file1_imd_rank_decile.csv.gz'
    """
    dataset = _dataset(key)
    folder = _configured_folder(data_dir)
    if folder is not None:
        directory, source = folder
        path = directory / dataset.file
        if not path.is_file():
            state = "exists" if directory.is_dir() else "does not exist"
            reason = f"not found in {directory} (from {source}, which {state})"
            raise PublicDataMissing(key, dataset.file, reason)
        _verify(path, dataset)
        return path
    base_url = os.environ.get(PUBLIC_DATA_URL_ENV, "").strip()
    if base_url:
        return _download(dataset, base_url)
    raise PublicDataMissing(key, dataset.file)
