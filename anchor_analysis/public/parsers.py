"""One parser per registered public file, and the checks shared by the loaders.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from anchor_analysis.public.datasets import LadCodes, PathLike, dataset_path

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
    """One local authority code or several as a list (None stays None: no filter)."""
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


def _check_choice(value: object, choices: Sequence[object], what: str) -> None:
    """Raise :class:`ValueError` naming ``what`` and the choices unless ``value`` is one of ``choices``."""
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
    """The kit's name for a column header of an official IoD2019 file; an unexpected header is an error."""
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
    """The IMD 2019 score file: ``lsoa_code, imd_score`` and the income and employment scores as rates 0-1."""
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
    """The IoD2025 LSOA 2021 file, its columns renamed ``<domain>_<decile|rank|score>``."""
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


LAD_SUMMARY_MEASURES = {
    "average_rank": "rank of average rank",
    "average_score": "rank of average score",
    "proportion_most_deprived_10pct": "rank of proportion of LSOAs in the most deprived 10% nationally",
    "extent": "rank of extent",
    "local_concentration": "rank of local concentration",
}
"""The IoD local authority summary measures of the IMD (File 10), each ranked 1 = most deprived."""


def _lad_summaries(frame: pd.DataFrame, path: Path, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Tidy IMD summary measures: one row per district and measure (``value`` and its ``rank``)."""
    parts = []
    for measure, (value, rank) in columns.items():
        if value not in frame.columns or rank not in frame.columns:
            raise ValueError(f"{path.name}: no columns {value!r} and {rank!r} for the {measure} measure")
        parts.append(pd.DataFrame({"lad_code": frame.iloc[:, 0].astype("str"), "lad_name": frame.iloc[:, 1].astype(
            "str"), "measure": measure, "value": frame[value].astype("float64"),
            "rank": _to_int64(frame[rank], f"{path.name} {rank}")}))
    return pd.concat(parts, ignore_index=True)


def _read_imd2019_file10(path: Path) -> pd.DataFrame:
    """IoD2019 File 10, sheet IMD: the district summary measures, tidy (headers carry a trailing space)."""
    frame = pd.read_excel(path, sheet_name="IMD")
    frame.columns = [str(c).strip() for c in frame.columns]
    names = {"average_rank": ("IMD - Average rank", "IMD - Rank of average rank"),
             "average_score": ("IMD - Average score", "IMD - Rank of average score"),
             "proportion_most_deprived_10pct": ("IMD - Proportion of LSOAs in most deprived 10% nationally",
                                                "IMD - Rank of proportion of LSOAs in most deprived 10% nationally"),
             "extent": ("IMD 2019 - Extent", "IMD 2019 - Rank of extent"),
             "local_concentration": ("IMD 2019 - Local concentration", "IMD 2019 - Rank of local concentration")}
    return _lad_summaries(frame, path, names)


def _read_imd2025_lad_summaries(path: Path) -> pd.DataFrame:
    """The IoD2025 district summaries: the IMD measures, tidy."""
    frame = pd.read_csv(path)
    proportion = "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"
    names = {"average_rank": ("imd_average_rank", "imd_rank_of_average_rank"),
             "average_score": ("imd_average_score", "imd_rank_of_average_score"),
             "proportion_most_deprived_10pct": (proportion, proportion.replace("imd_", "imd_rank_of_", 1)),
             "extent": ("imd25_extent", "imd25_rank_of_extent"),
             "local_concentration": ("imd25_local_concentration", "imd25_rank_of_local_concentration")}
    return _lad_summaries(frame, path, names)


def _csv_renamed(columns: dict[str, str]) -> Callable[[Path], pd.DataFrame]:
    """Parser for a plain all-text CSV: keep and rename ``columns``."""

    def parse(path: Path) -> pd.DataFrame:
        """The CSV at ``path``: ``columns`` only, renamed, in their order."""
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
    "in_birmingham_la": "bool",
}


def _read_postcodes(path: Path) -> pd.DataFrame:
    """A postcode lookup slice with the kit's dtypes; unlocated postcodes get a blank longitude too."""
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
    "imd2019_file10": _read_imd2019_file10,
    "imd2025_lad_summaries": _read_imd2025_lad_summaries,
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
    "postcodes_west_midlands": _read_postcodes,
}


@functools.lru_cache(maxsize=32)
def _read_cached(key: str, path: str) -> pd.DataFrame:
    """The parsed file ``path`` of dataset ``key`` (cached per key and path; callers copy it)."""
    return _PARSERS[key](Path(path))


def _table(key: str, data_dir: PathLike | None) -> pd.DataFrame:
    """Parsed copy of registered dataset ``key`` (verified, read once per process)."""
    return _read_cached(key, str(dataset_path(key, data_dir))).copy()
