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
    """One registry entry of ``anchor_analysis/data/public_datasets.toml``.

    Parameters
    ----------
    key : str
        The dataset's key, e.g. ``"imd2019_file1"``.
    file : str
        Its file, relative to the public data folder (``imd2019/england_imd2019_file1_imd_rank_decile.csv.gz``).
    sha256 : str
        The SHA-256 of the published file (hex); every read is checked against it.
    publisher, licence, attribution, title, url : str
        Who publishes it, under which licence, the attribution statement the licence asks for, its title and
        where it is published.
    place : str, default ""
        The shipped place whose own data the file is (``"leeds"`` for the Leeds boundaries); empty for national
        files.

    Examples
    --------
    >>> from dataclasses import fields
    >>> [f.name for f in fields(Dataset)] == registry().columns.tolist()
    True
    >>> Dataset(**registry().iloc[0].to_dict()).publisher
    'Ministry of Housing, Communities & Local Government'
    """

    key: str
    file: str
    sha256: str
    publisher: str
    licence: str
    attribution: str
    title: str
    url: str
    place: str = ""


@functools.cache
def _datasets() -> dict[str, Dataset]:
    """The registry, key -> entry (read once)."""
    text = (resources.files("anchor_analysis") / "data" / "public_datasets.toml").read_text(encoding="utf-8")
    return {key: Dataset(key=key, **entry) for key, entry in tomllib.loads(text).items()}


def _dataset(key: str) -> Dataset:
    """The registry entry of ``key``; an unknown key raises :class:`KeyError` listing the known ones."""
    try:
        return _datasets()[key]
    except KeyError:
        known = ", ".join(sorted(_datasets()))
        raise KeyError(f"unknown public dataset {key!r}; known keys: {known}") from None


def registry() -> pd.DataFrame:
    """The registered public datasets, one row each.

    Returns
    -------
    DataFrame
        Columns ``key, file, sha256, publisher, licence, attribution, title, url, place`` (all str), in registry
        order.

    See Also
    --------
    attribution : The attribution statements of some of them.

    Examples
    --------
    >>> reg = registry()
    >>> "imd2025_lsoa21" in set(reg["key"])
    True
    >>> reg.set_index("key").loc["imd2025_lsoa21", "file"]
    'imd2025/england_imd2025_lsoa21.csv.gz'
    """
    columns = [f.name for f in fields(Dataset)]
    return pd.DataFrame([astuple(d) for d in _datasets().values()], columns=columns, dtype="str")


def place_datasets(place: object = "leeds") -> list[str]:
    """Keys of the registered datasets a place's analyses can use: the national files and the place's own.

    A file that is another place's own data (its boundaries, its postcode slice, its council's spending: the
    registry's ``place``) is left out unless the place's configuration names it (Bradford shares the Leeds region's
    postcode lookup), so a report lists, and attributes, only what it may have used.

    Parameters
    ----------
    place : str, path-like or Place, default "leeds"
        The place.

    Returns
    -------
    list of str
        Registry keys, in registry order.

    Examples
    --------
    >>> brum = place_datasets("birmingham")
    >>> "boundaries_birmingham_wards" in brum, "boundaries_wards" in brum, "imd2019_file10" in brum
    (True, False, True)
    >>> [key for key in place_datasets("bradford") if registry().set_index("key").at[key, "place"]]
    ['postcodes_region']
    """
    from anchor_analysis.core.places import load_place

    place = load_place(place)
    named = set(place.datasets.keys())
    return [key for key, d in _datasets().items() if not d.place or d.place == place.key or key in named]


def attribution(keys: str | Iterable[str] | None = None) -> str:
    """De-duplicated attribution statements for the datasets used, one per line (for report footers).

    Parameters
    ----------
    keys : str or iterable of str, optional
        A dataset key or several; None means every registered dataset.

    Returns
    -------
    str
        Each distinct statement once, in the order of ``keys``, joined by newlines.

    Raises
    ------
    KeyError
        A key is not registered.

    Examples
    --------
    >>> print(attribution(["postcodes_place", "postcodes_region"]))  # doctest: +ELLIPSIS
    Contains OS data © Crown copyright and database right 2024; ...Open Government Licence v.3.0.
    >>> print(attribution(["imd2019_file1", "imd2025_lsoa21"]))
    Contains public sector information licensed under the Open Government Licence v3.0.
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
    """The SHA-256 of a file's bytes (hex)."""
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
    """The public data folder and where it was set (``data_dir`` first, then the environment), or None."""
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
    """The local path of registered dataset ``key``, its SHA-256 verified.

    The folder is ``data_dir`` if given, else ``$ANCHOR_ANALYSIS_PUBLIC_DATA``. With neither, and
    ``$ANCHOR_ANALYSIS_PUBLIC_DATA_URL`` set, the file is downloaded (once) into the pooch cache
    (``$ANCHOR_ANALYSIS_CACHE`` overrides its folder). A file is hashed once per process while its size and
    modification time stay the same.

    Parameters
    ----------
    key : str
        A registered dataset key (see :func:`registry`).
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    Path
        The verified file.

    Raises
    ------
    KeyError
        ``key`` is not registered.
    PublicDataMissing
        The file cannot be found (no folder or URL configured, not in the folder, or the download failed).
    PublicDataChecksumError
        Its SHA-256 differs from the registry.

    Examples
    --------
    >>> path = dataset_path("imd2019_file1")  # doctest: +PUBLIC_DATA
    >>> path.parent.name, path.name  # doctest: +PUBLIC_DATA
    ('imd2019', 'england_imd2019_file1_imd_rank_decile.csv.gz')
    >>> dataset_path("imd2019_file1", "no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    anchor_analysis.core.errors.PublicDataMissing: public dataset 'imd2019_file1'
    (imd2019/england_imd2019_file1_imd_rank_decile.csv.gz) is not available: not found in no/such/folder
    (from data_dir argument, which does not exist); set ANCHOR_ANALYSIS_PUBLIC_DATA ...
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
