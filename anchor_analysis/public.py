"""Public reference data: a checksummed registry and loaders that return tidy frames.

The kit never ships public data. Each file listed in ``anchor_analysis/data/public_datasets.toml`` is read
from the folder named by the environment variable ``ANCHOR_ANALYSIS_PUBLIC_DATA`` (or a ``data_dir``
argument) or, when no folder is configured and ``ANCHOR_ANALYSIS_PUBLIC_DATA_URL`` gives a base URL,
downloaded once into a local cache with pooch (``ANCHOR_ANALYSIS_CACHE`` overrides the cache folder).
Every file is checked against its registered SHA-256 before it is read (once per process per file), so
analyses always run on the published bytes. Heavy reads are cached within the process; loaders return
copies, so callers may modify what they get. Tables derived from the files that take long to build (the joined
national IMD tables, the council spending profile) are also kept across runs by :func:`cached_derived_table`,
keyed on the files' checksums and the code that builds them.

The registry and attribution statements need no data:

>>> reg = registry()
>>> reg.set_index("key").loc["imd2019_file1", "licence"]
'Open Government Licence v3.0'
>>> print(attribution(["imd2019_file1", "imd2019_file2", "imd2025_lsoa21"]))
Contains public sector information licensed under the Open Government Licence v3.0.

The loaders need the data (``ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public``):

>>> imd = load_imd(2019, lad_code="E08000035")  # doctest: +SKIP
>>> len(imd), int((imd["imd_decile"] == 1).sum()), int(imd["population"].sum())  # doctest: +SKIP
(482, 114, 771857)
>>> load_postcode_lookup("place").set_index("postcode").loc["LS1 1UR", "ward24_name"]  # doctest: +SKIP
'Little London & Woodhouse'
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .config import PUBLIC_DATA_ENV, load_place

if TYPE_CHECKING:
    import geopandas as gpd

PUBLIC_DATA_URL_ENV = "ANCHOR_ANALYSIS_PUBLIC_DATA_URL"
"""Environment variable giving a base URL to download the public data from (used when no folder is set)."""

CACHE_ENV = "ANCHOR_ANALYSIS_CACHE"
"""Environment variable overriding the download cache folder (default: the OS cache, ``anchor-analysis``)."""

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


# --- errors -------------------------------------------------------------------------------------------------


class PublicDataMissing(FileNotFoundError):
    """A registered public dataset cannot be found (no folder configured, file absent, or download failed)."""

    def __init__(self, key: str, file: str, reason: str = "no public data folder or download URL is set"):
        super().__init__(f"public dataset {key!r} ({file}) is not available: {reason}; {_HOW_TO_CONFIGURE}")
        self.key = key
        self.file = file


class PublicDataChecksumError(ValueError):
    """A public data file does not have the SHA-256 recorded in the registry."""

    def __init__(self, file: str | Path, expected: str, actual: str):
        super().__init__(
            f"{file}: sha256 mismatch (expected {expected}, actual {actual}); the file is corrupted or is "
            "not the published version this kit was written for: replace it with the file named in "
            "anchor_analysis/data/public_datasets.toml"
        )
        self.file = str(file)
        self.expected = expected
        self.actual = actual


# --- registry -----------------------------------------------------------------------------------------------


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


def clear_cache() -> None:
    """Forget verified checksums and cached reads (e.g. after replacing files)."""
    _VERIFIED.clear()
    _read_cached.cache_clear()
    _read_spending.cache_clear()
    _read_boundaries.cache_clear()
    _imd_national.cache_clear()


# --- small helpers ------------------------------------------------------------------------------------------


def _to_int64(values: pd.Series, what: str) -> pd.Series:
    """Whole numbers written ``"29,199"``, ``29199`` or ``29199.00`` -> int64; anything else is an error."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():  # thousands separators or stray spaces: clean, then convert again
        text = values.astype("str").str.replace(",", "", regex=False).str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
    if numbers.isna().any() or (numbers % 1 != 0).any():
        bad = values[numbers.isna() | (numbers % 1 != 0)].iloc[0]
        raise ValueError(f"{what}: expected whole numbers, found {bad!r}")
    return numbers.astype("int64")


def _lad_codes(lad_code: LadCodes) -> list[str] | None:
    if lad_code is None:
        return None
    return [lad_code] if isinstance(lad_code, str) else list(lad_code)


def _filter_lad(frame: pd.DataFrame, lad_code: LadCodes, column: str, what: str) -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` is one of ``lad_code``; every requested code must be present."""
    codes = _lad_codes(lad_code)
    if codes is None:
        return frame
    out = frame[frame[column].isin(codes)].reset_index(drop=True)
    missing = sorted(set(codes) - set(out[column].astype("str")))
    if missing:
        raise ValueError(f"no rows for local authority code(s) {missing} in {what}")
    return out


def _join(left: pd.DataFrame, right: pd.DataFrame, on: str, what: str) -> pd.DataFrame:
    """One-to-one left join that insists every left row finds a match."""
    out = left.merge(right, on=on, how="left", validate="one_to_one", indicator=True)
    unmatched = out.loc[out["_merge"] != "both", on]
    if len(unmatched):
        raise ValueError(f"{len(unmatched)} rows without {what}, e.g. {unmatched.iloc[0]!r}")
    return out.drop(columns="_merge")


def _leeds_code() -> str:
    return load_place("leeds").local_authority_code


def _leeds_only(lad_code: LadCodes, what: str) -> None:
    codes = _lad_codes(lad_code)
    leeds = _leeds_code()
    if codes is not None and set(codes) != {leeds}:
        raise ValueError(
            f"the shipped {what} boundaries cover Leeds ({leeds}) only, not {codes}: use "
            "load_lad_boundaries(scope='uk') for other local authorities, or supply your own boundaries"
        )


def _check_choice(value: object, choices: Sequence[object], what: str) -> None:
    if value not in choices:
        raise ValueError(f"{what} must be one of {list(choices)}, not {value!r}")


# --- parsers (one per registered file; results cached per path) ---------------------------------------------

_IMD2019_IDS = {
    "LSOA code (2011)": "lsoa_code",
    "LSOA name (2011)": "lsoa_name",
    "Local Authority District code (2019)": "lad_code",
    "Local Authority District name (2019)": "lad_name",
}
_IMD2019_DOMAINS = {
    "Index of Multiple Deprivation (IMD)": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "barriers",
    "Living Environment": "living_environment",
    "Income Deprivation Affecting Children Index (IDACI)": "idaci",
    "Income Deprivation Affecting Older People (IDAOPI)": "idaopi",
}
_IMD2019_POPULATION = {
    "Total population: mid 2015": "population",
    "Dependent Children aged 0-15: mid 2015": "population_children_0_15",
    "Population aged 16-59: mid 2015": "population_16_59",
    "Older population aged 60 and over: mid 2015": "population_60_plus",
    "Working age population 18-59/64": "population_working_age",
}


def _imd2019_column(header: str, path: Path) -> str:
    header = header.lstrip("\ufeff").strip()
    if header in _IMD2019_IDS:
        return _IMD2019_IDS[header]
    found = re.match(r"(.+?) (Rank|Decile)\b", header)
    if found and found.group(1) in _IMD2019_DOMAINS:
        return f"{_IMD2019_DOMAINS[found.group(1)]}_{found.group(2).lower()}"
    for prefix, name in _IMD2019_POPULATION.items():
        if header.startswith(prefix):
            return name
    raise ValueError(f"{path.name}: unexpected column {header!r} for an official IoD2019 file")


def _read_imd2019_official(path: Path) -> pd.DataFrame:
    """An official IoD2019 CSV (Files 1-3, 6): BOM, thousands separators and ``.00`` decimals handled."""
    frame = pd.read_csv(path, dtype="str", encoding="utf-8-sig", keep_default_na=False)
    frame.columns = [_imd2019_column(c, path) for c in frame.columns]
    for column in frame.columns:
        if column.endswith(("_rank", "_decile")) or column.startswith("population"):
            frame[column] = _to_int64(frame[column], f"{path.name} {column}")
    return frame


def _read_imd2019_scores(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"lsoa11_code": "str"})
    return pd.DataFrame(
        {
            "lsoa_code": frame["lsoa11_code"],
            "imd_score": frame["imd2019_score"].astype("float64"),
            "income_score": (frame["income_score_pct"] / 100).round(4),
            "employment_score": (frame["employment_score_pct"] / 100).round(4),
        }
    )


_IMD2025_DOMAINS = {
    "IMD": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education": "education",
    "Health": "health",
    "Crime": "crime",
    "Housing_and_Services": "barriers",
    "Environment": "living_environment",
}


def _read_imd2025(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"lsoa21_code": "str"}, encoding="utf-8-sig")
    names = {"lsoa21_code": "lsoa_code"}
    for column in frame.columns.drop("lsoa21_code"):
        found = re.fullmatch(r"(.+)_(decile|rank|score)", column)
        if not found or found.group(1) not in _IMD2025_DOMAINS:
            raise ValueError(f"{path.name}: unexpected column {column!r}")
        names[column] = f"{_IMD2025_DOMAINS[found.group(1)]}_{found.group(2)}"
    frame = frame.rename(columns=names)
    for column in frame.columns:
        if column.endswith(("_rank", "_decile")):
            frame[column] = _to_int64(frame[column], f"{path.name} {column}")
    return frame


def _csv_renamed(columns: dict[str, str]) -> Callable[[Path], pd.DataFrame]:
    """Parser for a plain all-text CSV: keep and rename ``columns``."""

    def parse(path: Path) -> pd.DataFrame:
        frame = pd.read_csv(path, dtype="str", usecols=list(columns)).rename(columns=columns)
        return frame[list(columns.values())]

    return parse


_POSTCODE_DTYPES = {
    "postcode": "str",
    "postcode_district": "category",
    "postcode_area": "category",
    "latitude": "float64",
    "longitude": "float64",
    "lad24_code": "category",
    "lad24_name": "category",
    "ward24_code": "category",
    "ward24_name": "category",
    "lsoa21_code": "category",
    "lsoa21_name": "category",
    "imd2025_rank": "Int64",
    "imd2025_decile": "Int64",
    "lsoa11_code": "category",
    "imd2019_rank": "Int64",
    "imd2019_decile": "Int64",
    "in_leeds_la": "bool",
}


def _read_postcodes(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=_POSTCODE_DTYPES)
    # NSPL gives unlocated postcodes a blank latitude but longitude 0.0: blank both.
    frame.loc[frame["latitude"].isna(), "longitude"] = float("nan")
    return frame


_PARSERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "imd2019_file1": _read_imd2019_official,
    "imd2019_file2": _read_imd2019_official,
    "imd2019_file3": _read_imd2019_official,
    "imd2019_file6": _read_imd2019_official,
    "imd2019_scores": _read_imd2019_scores,
    "imd2025_lsoa21": _read_imd2025,
    "lookup_lsoa11_lsoa21": _csv_renamed(
        {
            "lsoa11_code": "lsoa11_code",
            "lsoa11_name": "lsoa11_name",
            "lsoa21_code": "lsoa21_code",
            "lsoa21_name": "lsoa21_name",
            "change_code": "change_code",
            "ltla22_code": "lad_code",
            "ltla22_name": "lad_name",
        }
    ),
    "lookup_lsoa21_ward24": _csv_renamed(
        {
            "lsoa21_code": "lsoa_code",
            "lsoa21_name": "lsoa_name",
            "ward24_code": "ward_code",
            "ward24_name": "ward_name",
            "ltla24_code": "lad_code",
            "ltla24_name": "lad_name",
        }
    ),
    "lookup_lsoa11_ward19": _csv_renamed(
        {
            "LSOA11CD": "lsoa_code",
            "LSOA11NM": "lsoa_name",
            "WD19CD": "ward_code",
            "WD19NM": "ward_name",
            "LAD19CD": "lad_code",
            "LAD19NM": "lad_name",
        }
    ),
    "postcodes_place": _read_postcodes,
    "postcodes_region": _read_postcodes,
}


@functools.lru_cache(maxsize=32)
def _read_cached(key: str, path: str) -> pd.DataFrame:
    return _PARSERS[key](Path(path))


def _table(key: str, data_dir: PathLike | None) -> pd.DataFrame:
    """Parsed copy of registered dataset ``key`` (verified, read once per process)."""
    return _read_cached(key, str(dataset_path(key, data_dir))).copy()


# --- lookups ------------------------------------------------------------------------------------------------


def load_lsoa_lookup(
    lsoa_year: int, lad_code: LadCodes = None, data_dir: PathLike | None = None
) -> pd.DataFrame:
    """ONS LSOA -> electoral ward -> local authority best-fit lookup, England and Wales.

    ``lsoa_year=2011``: LSOA 2011 -> ward 2019 -> LAD 2019 (dataset ``lookup_lsoa11_ward19``).
    ``lsoa_year=2021``: LSOA 2021 -> ward 2024 -> LAD 2024 (dataset ``lookup_lsoa21_ward24``).
    ``lad_code`` (one code or several) keeps those local authorities.

    Columns (str): ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name``; one row per LSOA.

    >>> lookup = load_lsoa_lookup(2021, "E08000035")  # doctest: +SKIP
    >>> len(lookup), lookup["ward_code"].nunique()  # doctest: +SKIP
    (488, 33)
    """
    _check_choice(lsoa_year, LSOA_YEARS, "lsoa_year")
    key = "lookup_lsoa11_ward19" if lsoa_year == 2011 else "lookup_lsoa21_ward24"
    frame = _table(key, data_dir).sort_values("lsoa_code", ignore_index=True)
    return _filter_lad(frame, lad_code, "lad_code", f"the LSOA {lsoa_year} lookup")


def load_lsoa11_to_lsoa21(lad_code: LadCodes = None, data_dir: PathLike | None = None) -> pd.DataFrame:
    """ONS LSOA 2011 -> LSOA 2021 exact-fit lookup, England and Wales (dataset ``lookup_lsoa11_lsoa21``).

    One row per (LSOA11, LSOA21) pair. ``change_code``: ``U`` unchanged, ``S`` the 2011 LSOA was split,
    ``M`` merged with others, ``X`` complex redesign. ``lad_code`` filters on the LAD 2022 code.

    Columns (str): ``lsoa11_code, lsoa21_code, change_code, lsoa11_name, lsoa21_name, lad_code, lad_name``
    (``lad_*`` are LAD 2022).

    >>> load_lsoa11_to_lsoa21("E08000035")["change_code"].value_counts().to_dict()  # doctest: +SKIP
    {'U': 473, 'S': 14, 'M': 2}
    """
    frame = _table("lookup_lsoa11_lsoa21", data_dir)
    columns = ["lsoa11_code", "lsoa21_code", "change_code", "lsoa11_name", "lsoa21_name"]
    frame = frame[[*columns, "lad_code", "lad_name"]]
    frame = frame.sort_values(["lsoa11_code", "lsoa21_code"], ignore_index=True)
    return _filter_lad(frame, lad_code, "lad_code", "the LSOA 2011 -> 2021 lookup")


def _apportion(values: pd.DataFrame, pairs: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Apportion integer LSOA11 counts to LSOA21 through ``pairs`` (``lsoa11_code, lsoa21_code``).

    Each LSOA11's count is divided equally among the LSOA21s it maps to (whole numbers; the remainder goes one
    each to the first LSOA21s by code, so totals are kept exactly), then summed per LSOA21. Unchanged LSOAs
    keep their count, split ones share it, merged ones add up. LSOA11s absent from ``values`` contribute
    nothing. Returns ``lsoa21_code`` plus ``columns`` (int64).
    """
    out = pairs[["lsoa11_code", "lsoa21_code"]].drop_duplicates().merge(values, on="lsoa11_code", how="inner")
    out = out.sort_values(["lsoa11_code", "lsoa21_code"], ignore_index=True)
    groups = out.groupby("lsoa11_code", sort=False)
    parts = groups["lsoa21_code"].transform("size")
    order = groups.cumcount()
    for column in columns:
        total = out[column].astype("int64")
        out[column] = total // parts + (order < total % parts).astype("int64")
    return out.groupby("lsoa21_code", as_index=False)[list(columns)].sum()


# --- IMD ----------------------------------------------------------------------------------------------------

_IMD_COLUMNS = [
    "edition",
    "lsoa_year",
    "lsoa_code",
    "lsoa_name",
    "lad_code",
    "lad_name",
    "imd_score",
    "imd_rank",
    "imd_decile",
    *[f"{domain}_{what}" for domain in DOMAINS for what in ("rank", "decile")],
    "population",
    "population_working_age",
    "population_source",
]
_IMD2019_EXTRA = [
    "idaci_rank",
    "idaci_decile",
    "idaopi_rank",
    "idaopi_decile",
    "income_score",
    "employment_score",
]
_IMD2025_EXTRA = [f"{domain}_score" for domain in DOMAINS]
POPULATION_SOURCE_2019 = "IoD2019 File 6: mid-2015 population estimates (excluding prisoners), LSOA 2011"
POPULATION_SOURCE_2025 = (
    "estimate: IoD2019 mid-2015 LSOA 2011 populations apportioned to LSOA 2021 through the ONS "
    "LSOA11->LSOA21 lookup (split LSOAs divided equally, merged LSOAs summed); IMD 2025 has no population"
)


def _lsoa11_population(data_dir: PathLike | None) -> pd.DataFrame:
    frame = _table("imd2019_file6", data_dir)
    return frame[["lsoa_code", "population", "population_working_age"]]


def _imd2019(data_dir: PathLike | None) -> pd.DataFrame:
    frame = _table("imd2019_file1", data_dir)
    names = ["lsoa_name", "lad_code", "lad_name", "imd_rank", "imd_decile"]
    for key in ("imd2019_file2", "imd2019_file3"):
        frame = _join(frame, _table(key, data_dir).drop(columns=names), "lsoa_code", f"{key} rows")
    frame = _join(frame, _table("imd2019_scores", data_dir), "lsoa_code", "an IMD 2019 score")
    frame = _join(frame, _lsoa11_population(data_dir), "lsoa_code", "a mid-2015 population")
    frame["edition"] = 2019
    frame["lsoa_year"] = 2011
    frame["population_source"] = POPULATION_SOURCE_2019
    return frame[_IMD_COLUMNS + _IMD2019_EXTRA]


def _lsoa21_population(data_dir: PathLike | None) -> pd.DataFrame:
    pairs = _table("lookup_lsoa11_lsoa21", data_dir)
    population = _lsoa11_population(data_dir).rename(columns={"lsoa_code": "lsoa11_code"})
    estimate = _apportion(population, pairs, ["population", "population_working_age"])
    return estimate.rename(columns={"lsoa21_code": "lsoa_code"})


def _imd2025(data_dir: PathLike | None) -> pd.DataFrame:
    frame = _table("imd2025_lsoa21", data_dir)
    geography = _table("lookup_lsoa21_ward24", data_dir)[["lsoa_code", "lsoa_name", "lad_code", "lad_name"]]
    frame = _join(frame, geography, "lsoa_code", "an entry in the LSOA21 -> ward 2024 -> LAD 2024 lookup")
    frame = _join(frame, _lsoa21_population(data_dir), "lsoa_code", "an apportioned population")
    frame["edition"] = 2025
    frame["lsoa_year"] = 2021
    frame["population_source"] = POPULATION_SOURCE_2025
    return frame[_IMD_COLUMNS + _IMD2025_EXTRA]


def load_imd(edition: int, lad_code: LadCodes = None, data_dir: PathLike | None = None) -> pd.DataFrame:
    """English Index of Multiple Deprivation, one row per LSOA in England, sorted by ``lsoa_code``.

    ``edition=2019``: IoD2019 on LSOA 2011 (32,844 rows) from official Files 1, 2, 3 and 6 plus the IMD score
    file (datasets ``imd2019_file1/2/3/6``, ``imd2019_scores``); ``lad_code`` is the LAD 2019 code.
    ``edition=2025``: IoD2025 on LSOA 2021 (33,755 rows; ``imd2025_lsoa21``) with LSOA names and LAD 2024
    from the ONS LSOA21 -> ward 2024 -> LAD 2024 lookup (``lookup_lsoa21_ward24``). ``lad_code`` (one code or
    several) keeps those local authorities. Rank 1 and decile 1 are the most deprived (national).

    Columns (both editions):

    - ``edition``, ``lsoa_year`` (2011 or 2021): int64
    - ``lsoa_code, lsoa_name, lad_code, lad_name``: str
    - ``imd_score``: float64; ``imd_rank``, ``imd_decile``: int64
    - ``<domain>_rank``, ``<domain>_decile`` (int64) for domains income, employment, education, health, crime,
      barriers (to housing and services), living_environment
    - ``population``, ``population_working_age`` (int64): 2019, the File 6 mid-2015 total population and the
      working-age population (18-59/64) used by the employment domain, both excluding prisoners. 2025: the
      data carry no population, so these are **estimates**: the same mid-2015 LSOA 2011 figures apportioned
      to LSOA 2021 through the ONS exact-fit lookup (a split LSOA11 is divided equally among its LSOA21s, in
      whole people; merged LSOA11s are summed), so LA and national totals equal the 2019 ones exactly.
    - ``population_source`` (str): says which of the two the population is.

    Extra columns, 2019: ``idaci_rank, idaci_decile, idaopi_rank, idaopi_decile`` (File 3) and
    ``income_score, employment_score`` (rates 0-1; the other 2019 domain scores are not in the shipped data).
    2025: ``<domain>_score`` (float64) for the seven domains.

    >>> imd = load_imd(2025, "E08000035")  # doctest: +SKIP
    >>> len(imd), int((imd["imd_decile"] == 1).sum())  # doctest: +SKIP
    (488, 84)
    """
    _check_choice(edition, IMD_EDITIONS, "IMD edition")
    # keyed on the verified files, so a different folder or a replaced file is read afresh
    sources = tuple(str(dataset_path(key, data_dir)) for key in _IMD_SOURCES[edition])
    frame = _imd_national(edition, sources, None if data_dir is None else str(data_dir))
    return _filter_lad(frame, lad_code, "lad_code", f"IMD {edition}").copy()


_IMD_SOURCES = {
    2019: ("imd2019_file1", "imd2019_file2", "imd2019_file3", "imd2019_scores", "imd2019_file6"),
    2025: ("imd2025_lsoa21", "lookup_lsoa21_ward24", "lookup_lsoa11_lsoa21", "imd2019_file6"),
}


@functools.lru_cache(maxsize=4)
def _imd_national(edition: int, sources: tuple[str, ...], data_dir: str | None) -> pd.DataFrame:
    """The joined national table of an edition: built once per process (every notebook asks for it often) and
    kept across runs with :func:`cached_derived_table` (parsing and joining the official files takes longer
    than reading the result)."""

    def build() -> pd.DataFrame:
        frame = _imd2019(data_dir) if edition == 2019 else _imd2025(data_dir)
        return frame.sort_values("lsoa_code", ignore_index=True)

    frame = cached_derived_table(f"imd{edition}_national", _IMD_SOURCES[edition], (code_digest(__file__),), build)
    frame.attrs = {}
    return frame


def imd_for_lsoa21(edition: int, lad_code: LadCodes = None, data_dir: PathLike | None = None) -> pd.DataFrame:
    """IMD of an edition on 2021 LSOAs, one row per English LSOA21, sorted by ``lsoa21_code``.

    2025 is published on LSOA 2021: the values as they are. 2019 is on LSOA 2011 and is mapped through the ONS
    LSOA11 -> LSOA21 lookup: an unchanged or split LSOA11 passes its values to each of its LSOA21s; an LSOA21
    formed from several LSOA11s (merged or complex change) takes the values of the constituent LSOA11 with
    the largest mid-2015 population (best fit; ties go to the lower LSOA11 code). ``lad_code`` filters on the
    LAD 2024 code of the LSOA21 (ONS LSOA21 -> ward 2024 -> LAD 2024 lookup).

    Columns: ``lsoa21_code`` (str), ``lad_code`` (str, LAD 2024), ``imd_score`` (float64), ``imd_rank``,
    ``imd_decile``, ``edition`` (int64), ``source_lsoa11_code`` (str: the LSOA11 whose 2019 values were used;
    missing for 2025).

    >>> len(imd_for_lsoa21(2019, "E08000035"))  # doctest: +SKIP
    488
    """
    _check_choice(edition, IMD_EDITIONS, "IMD edition")
    geography = _table("lookup_lsoa21_ward24", data_dir)[["lsoa_code", "lad_code"]]
    geography = geography.rename(columns={"lsoa_code": "lsoa21_code"})
    values = ["imd_score", "imd_rank", "imd_decile"]
    if edition == 2025:
        frame = _table("imd2025_lsoa21", data_dir).rename(columns={"lsoa_code": "lsoa21_code"})
        frame = frame[["lsoa21_code", *values]]
        frame["source_lsoa11_code"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    else:
        imd = load_imd(2019, data_dir=data_dir).rename(columns={"lsoa_code": "source_lsoa11_code"})
        pairs = _table("lookup_lsoa11_lsoa21", data_dir)[["lsoa11_code", "lsoa21_code"]]
        pairs = pairs.rename(columns={"lsoa11_code": "source_lsoa11_code"})
        frame = pairs.merge(imd[["source_lsoa11_code", *values, "population"]], on="source_lsoa11_code")
        order = ["lsoa21_code", "population", "source_lsoa11_code"]
        frame = frame.sort_values(order, ascending=[True, False, True])
        frame = frame.drop_duplicates("lsoa21_code")[["lsoa21_code", *values, "source_lsoa11_code"]]
    frame = _join(frame, geography, "lsoa21_code", "an entry in the LSOA21 -> ward 2024 -> LAD 2024 lookup")
    frame["edition"] = edition
    frame = frame[["lsoa21_code", "lad_code", *values, "edition", "source_lsoa11_code"]]
    frame = frame.sort_values("lsoa21_code", ignore_index=True)
    return _filter_lad(frame, lad_code, "lad_code", f"IMD {edition} on LSOA 2021")


# --- postcodes ----------------------------------------------------------------------------------------------

_POSTCODE_SCOPES = {"place": "postcodes_place", "region": "postcodes_region"}


def load_postcode_lookup(
    scope: str = "region",
    columns: Sequence[str] | None = None,
    lad_code: LadCodes = None,
    data_dir: PathLike | None = None,
) -> pd.DataFrame:
    """ONS National Statistics Postcode Lookup (August 2024) slices, one row per postcode.

    ``scope="place"``: every LS postcode plus the BD/WF postcodes in Leeds LA (33,806 rows, dataset
    ``postcodes_place``). ``scope="region"``: all postcodes in the LS, BD, WF, HX, HD, HG and YO areas
    (135,044 rows, ``postcodes_region``). ``columns`` selects columns; ``lad_code`` filters on ``lad24_code``.

    Columns as in the file: ``postcode`` (str, normalised "LS1 1UR" form), ``postcode_district``,
    ``postcode_area``, ``lad24_code``, ``lad24_name``, ``ward24_code``, ``ward24_name``, ``lsoa21_code``,
    ``lsoa21_name``, ``lsoa11_code`` (category), ``latitude``, ``longitude`` (float64, WGS84),
    ``imd2025_rank``, ``imd2025_decile``, ``imd2019_rank``, ``imd2019_decile`` (nullable Int64),
    ``in_leeds_la`` (bool). ``lsoa11_code`` and the IMD 2019 columns are blank where the LSOA21 does not come
    from a single LSOA11. The 265 unlocated postcodes have every geography blank (including ``longitude``,
    which NSPL sets to 0.0 for them). Live and terminated postcodes are both included.

    >>> load_postcode_lookup("place").set_index("postcode").loc["LS1 1UR", "lad24_code"]  # doctest: +SKIP
    'E08000035'
    """
    _check_choice(scope, list(_POSTCODE_SCOPES), "postcode scope")
    frame = _table(_POSTCODE_SCOPES[scope], data_dir)
    frame = _filter_lad(frame, lad_code, "lad24_code", f"the {scope} postcode lookup")
    if columns is not None:
        unknown = [c for c in columns if c not in frame.columns]
        if unknown:
            known = list(frame.columns)
            raise ValueError(f"unknown postcode lookup column(s) {unknown}; columns are {known}")
        frame = frame[list(columns)]
    return frame


# --- boundaries ---------------------------------------------------------------------------------------------

_BOUNDARY_COLUMNS = {
    "boundaries_lsoa11": {"lsoa11_code": "lsoa_code", "lsoa11_name": "lsoa_name"},
    "boundaries_lsoa21": {"lsoa21_code": "lsoa_code", "lsoa21_name": "lsoa_name"},
    "boundaries_wards": {"ward22_code": "ward_code", "ward22_name": "ward_name"},
    "boundaries_lad": {"ltla24_code": "lad_code", "ltla24_name": "lad_name"},
    "boundaries_uk_lad": {"ltla24_code": "lad_code", "ltla24_name": "lad_name"},
}


@functools.lru_cache(maxsize=8)
def _read_boundaries(key: str, path: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    names = _BOUNDARY_COLUMNS[key]
    frame = gpd.read_file(path, engine="pyogrio")
    frame = frame.rename(columns=names)[[*names.values(), "geometry"]]
    for column in names.values():
        frame[column] = frame[column].astype("str")
    return frame.to_crs(BRITISH_NATIONAL_GRID).sort_values(next(iter(names.values())), ignore_index=True)


def _boundaries(key: str, data_dir: PathLike | None) -> gpd.GeoDataFrame:
    return _read_boundaries(key, str(dataset_path(key, data_dir))).copy()


def load_lsoa_boundaries(
    lsoa_year: int, lad_code: LadCodes = None, data_dir: PathLike | None = None
) -> gpd.GeoDataFrame:
    """Leeds LSOA boundaries (ONS super generalised, clipped) in British National Grid (EPSG:27700).

    ``lsoa_year=2011``: 482 LSOAs (``boundaries_lsoa11``; joins IMD 2019). ``2021``: 488 LSOAs
    (``boundaries_lsoa21``; joins IMD 2025). The shipped boundaries cover Leeds only: a ``lad_code`` other
    than Leeds' raises :class:`ValueError`. Generalised: for maps, not for point-in-polygon assignment.

    Columns: ``lsoa_code, lsoa_name`` (str), ``geometry``.

    >>> round(load_lsoa_boundaries(2021).area.sum() / 1e6)  # doctest: +SKIP
    552
    """
    _check_choice(lsoa_year, LSOA_YEARS, "lsoa_year")
    _leeds_only(lad_code, f"LSOA {lsoa_year}")
    return _boundaries("boundaries_lsoa11" if lsoa_year == 2011 else "boundaries_lsoa21", data_dir)


def load_ward_boundaries(lad_code: LadCodes = None, data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """The 33 Leeds electoral wards (December 2022, super generalised) in EPSG:27700 (``boundaries_wards``).

    The codes equal the 2024 ward codes of the LSOA21 lookup. Leeds only: another ``lad_code`` raises
    :class:`ValueError`.

    Columns: ``ward_code, ward_name`` (str), ``geometry``.

    >>> len(load_ward_boundaries())  # doctest: +SKIP
    33
    """
    _leeds_only(lad_code, "ward")
    return _boundaries("boundaries_wards", data_dir)


def load_lad_boundaries(
    scope: str = "place", lad_code: LadCodes = None, data_dir: PathLike | None = None
) -> gpd.GeoDataFrame:
    """Local authority district boundaries (May 2024, ultra generalised) in EPSG:27700.

    ``scope="place"``: the Leeds outline (``boundaries_lad``; another ``lad_code`` raises
    :class:`ValueError`). ``scope="uk"``: all 361 UK districts (``boundaries_uk_lad``), optionally only
    ``lad_code`` (one code or several, e.g. a ring's ``lad_codes``).

    Columns: ``lad_code, lad_name`` (str), ``geometry``.

    >>> ring = load_place("leeds").ring("west_yorkshire")  # doctest: +SKIP
    >>> len(load_lad_boundaries("uk", ring.lad_codes))  # doctest: +SKIP
    5
    """
    _check_choice(scope, ["place", "uk"], "LAD boundary scope")
    if scope == "place":
        _leeds_only(lad_code, "local authority ('place')")
        return _boundaries("boundaries_lad", data_dir)
    frame = _boundaries("boundaries_uk_lad", data_dir)
    return _filter_lad(frame, lad_code, "lad_code", "the UK LAD 2024 boundaries")


# --- spending -----------------------------------------------------------------------------------------------

_SPENDING_KEYS = {"basic": "spending_basic", "detailed": "spending_detailed"}
_SPENDING_COLUMNS = {
    "basic": [
        "payment_date",
        "amount_gbp",
        "directorate",
        "supplier_name",
        "company_number",
        "charity_number",
        "source_file_month",
    ],
    "detailed": [
        "body_name",
        "service_label",
        "service_division",
        "expenditure_category",
        "expenditure_type",
        "expenditure_code",
        "payment_date",
        "transaction_number",
        "amount_gbp",
        "capital_or_revenue",
        "supplier_name",
        "irrecoverable_vat_gbp",
        "procurement_card",
        "source_file_month",
    ],
}
_SPENDING_FILE_NAMES = {"amount_gbp": "net_amount_gbp"}  # detailed file's name for the amount
_SPENDING_TEXT = {"company_number", "charity_number", "transaction_number"}
_SPENDING_NUMBERS = {"amount_gbp", "net_amount_gbp", "irrecoverable_vat_gbp"}


@functools.lru_cache(maxsize=4)
def _read_spending(path: str, kind: str, columns: tuple[str, ...]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    file_names = [_SPENDING_FILE_NAMES.get(c, c) if kind == "detailed" else c for c in columns]
    types: dict[str, pa.DataType] = {}
    for name in file_names:
        if name == "payment_date":
            types[name] = pa.timestamp("s")
        elif name in _SPENDING_NUMBERS:
            types[name] = pa.float64()
        elif name in _SPENDING_TEXT:
            types[name] = pa.string()
        else:  # repetitive text: dictionary-encoded -> pandas category
            types[name] = pa.dictionary(pa.int32(), pa.string())
    options = pacsv.ConvertOptions(column_types=types, include_columns=file_names, strings_can_be_null=True)
    frame = pacsv.read_csv(path, convert_options=options).to_pandas()
    return frame.rename(columns={v: k for k, v in _SPENDING_FILE_NAMES.items()})


def load_spending(
    kind: str = "basic", columns: Sequence[str] | None = None, data_dir: PathLike | None = None
) -> pd.DataFrame:
    """Leeds City Council transparency spend (Data Mill North, via ODI Leeds), one row per payment line.

    ``kind="basic"``: every monthly file Dec 2010 - Aug 2022, 2,830,020 rows (``spending_basic``); columns
    ``payment_date, amount_gbp, directorate, supplier_name, company_number, charity_number,
    source_file_month``. ``kind="detailed"``: the full published columns for Dec 2010 - Dec 2013 and Jun 2020,
    372,237 rows (``spending_detailed``); columns ``body_name, service_label, service_division,
    expenditure_category, expenditure_type, expenditure_code, payment_date, transaction_number, amount_gbp``
    (published as ``net_amount_gbp``) ``, capital_or_revenue, supplier_name, irrecoverable_vat_gbp,
    procurement_card, source_file_month``. ``columns`` reads only those (faster).

    Dtypes: ``payment_date`` datetime64 (dates), ``amount_gbp`` and ``irrecoverable_vat_gbp`` float64 (net of
    recoverable VAT; negative = credit), ``company_number``, ``charity_number`` (always blank in the source)
    and ``transaction_number`` str, everything else category. Before 2014 only payments over £500 were
    published; filter ``amount_gbp.abs() >= 500`` for a consistent series. Reading all basic columns takes a
    few seconds (cached afterwards).

    >>> load_spending("basic", ["payment_date", "amount_gbp"]).dtypes.astype(str).to_dict()  # doctest: +SKIP
    {'payment_date': 'datetime64[s]', 'amount_gbp': 'float64'}
    """
    _check_choice(kind, list(_SPENDING_KEYS), "spending kind")
    known = _SPENDING_COLUMNS[kind]
    wanted = tuple(known if columns is None else columns)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValueError(f"unknown {kind} spending column(s) {unknown}; columns are {known}")
    path = dataset_path(_SPENDING_KEYS[kind], data_dir)
    return _read_spending(str(path), kind, wanted).copy()
