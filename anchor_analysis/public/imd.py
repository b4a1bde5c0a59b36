"""The English Index of Multiple Deprivation, 2019 (on 2011 LSOAs) and 2025 (on 2021 LSOAs).
"""

from __future__ import annotations

import functools

import pandas as pd

from anchor_analysis.public.cache import cached_derived_table, code_digest
from anchor_analysis.public.datasets import DOMAINS, IMD_EDITIONS, LadCodes, PathLike, dataset_path
from anchor_analysis.public.lookups import _apportion
from anchor_analysis.public.parsers import _check_choice, _filter_lad, _join, _table

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
    """Mid-2015 populations of the 2011 LSOAs (File 6): ``lsoa_code, population, population_working_age``."""
    frame = _table("imd2019_file6", data_dir)
    return frame[["lsoa_code", "population", "population_working_age"]]


def _imd2019(data_dir: PathLike | None) -> pd.DataFrame:
    """The national IMD 2019 table: Files 1, 2, 3 and 6 and the scores, joined one to one on the LSOA."""
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
    """Mid-2015 populations apportioned to the 2021 LSOAs (an estimate; see :func:`load_imd`)."""
    pairs = _table("lookup_lsoa11_lsoa21", data_dir)
    population = _lsoa11_population(data_dir).rename(columns={"lsoa_code": "lsoa11_code"})
    estimate = _apportion(population, pairs, ["population", "population_working_age"])
    return estimate.rename(columns={"lsoa21_code": "lsoa_code"})


def _imd2025(data_dir: PathLike | None) -> pd.DataFrame:
    """The national IMD 2025 table, with LSOA names, LAD 2024 and the apportioned populations."""
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

    Rank 1 and decile 1 are the most deprived (national). The joined national table of an edition is built once
    per process and kept across runs (:func:`~anchor_analysis.public.cache.cached_derived_table`).

    Parameters
    ----------
    edition : {2019, 2025}
        2019: IoD2019 on LSOA 2011 (32,844 rows) from official Files 1, 2, 3 and 6 plus the IMD score file
        (datasets ``imd2019_file1/2/3/6``, ``imd2019_scores``). 2025: IoD2025 on LSOA 2021 (33,755 rows;
        ``imd2025_lsoa21``) with LSOA names and LAD 2024 from the ONS LSOA21 -> ward 2024 -> LAD 2024 lookup
        (``lookup_lsoa21_ward24``).
    lad_code : str or iterable of str, optional
        Keep only these local authorities (one code or several; every code must be found): the LAD 2019 code for
        2019, the LAD 2024 code for 2025.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DataFrame
        A copy; its columns are listed under Notes.

    Raises
    ------
    ValueError
        An edition other than 2019 or 2025, or a ``lad_code`` without rows.
    PublicDataMissing, PublicDataChecksumError
        A source file cannot be found, or is not the registered file.

    Notes
    -----
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

    Examples
    --------
    >>> imd = load_imd(2025, "E08000035")  # doctest: +PUBLIC_DATA
    >>> len(imd), int((imd["imd_decile"] == 1).sum())  # doctest: +PUBLIC_DATA
    (488, 84)
    >>> imd2019 = load_imd(2019, lad_code="E08000035")  # doctest: +PUBLIC_DATA
    >>> len(imd2019), int(imd2019["population"].sum()) == int(imd["population"].sum())  # doctest: +PUBLIC_DATA
    (482, True)
    >>> imd2019[["lsoa_code", "lsoa_name", "imd_rank", "imd_decile"]].values.tolist()[0]  # doctest: +PUBLIC_DATA
    ['E01011264', 'Leeds 011A', 13915, 5]
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
    """The joined national table of an edition, built once per process and kept across runs.

    Every notebook asks for it often, and parsing and joining the official files takes longer than reading the
    result kept by :func:`~anchor_analysis.public.cache.cached_derived_table`.
    """

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

    Parameters
    ----------
    edition : {2019, 2025}
        The IMD edition.
    lad_code : str or iterable of str, optional
        Keep only these local authorities (LAD 2024 codes); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DataFrame
        The columns above, one row per LSOA21.

    Raises
    ------
    ValueError
        An edition other than 2019 or 2025, or a ``lad_code`` without rows.
    PublicDataMissing, PublicDataChecksumError
        A source file cannot be found, or is not the registered file.

    See Also
    --------
    load_imd : Each edition on its own LSOAs, with every domain.

    Examples
    --------
    >>> leeds = imd_for_lsoa21(2019, "E08000035")  # doctest: +PUBLIC_DATA
    >>> len(leeds)  # doctest: +PUBLIC_DATA
    488
    >>> leeds[["lsoa21_code", "imd_decile", "source_lsoa11_code"]].values.tolist()[0]  # doctest: +PUBLIC_DATA
    ['E01011264', 5, 'E01011264']
    >>> int(imd_for_lsoa21(2025, "E08000035")["source_lsoa11_code"].isna().sum())  # doctest: +PUBLIC_DATA
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


def load_lad_summaries(edition: int = 2019, lad_code: LadCodes = None,
                       data_dir: PathLike | None = None) -> pd.DataFrame:
    """The IMD local authority district summaries (lower tier), one row per district and summary measure.

    IoD2019 File 10 ranks the 317 districts of 2019 (dataset ``imd2019_file10``); IoD2025 ranks the 296 of 2024
    (``imd2025_lad_summaries``). Each measure summarises a district's LSOAs differently: the population-weighted
    average of their ranks or scores, the proportion of them in the most deprived 10% nationally, the extent (the
    share of the population living in the most deprived LSOAs) and the local concentration (the population-weighted
    average rank of the district's most deprived LSOAs housing 10% of its people); rank 1 is the most deprived.

    Parameters
    ----------
    edition : {2019, 2025}, default 2019
        The IMD edition.
    lad_code : str or iterable of str, optional
        Keep only these districts (LAD 2019 codes for 2019, LAD 2024 for 2025); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DataFrame
        ``lad_code, lad_name, measure, label, value, rank, n_districts``; ``measure`` one of
        :data:`~anchor_analysis.public.parsers.LAD_SUMMARY_MEASURES` (``label`` says which rank it is).

    Raises
    ------
    ValueError
        An edition other than 2019 or 2025, or a ``lad_code`` without rows.
    PublicDataMissing, PublicDataChecksumError
        The summaries file cannot be found, or is not the registered file.

    Examples
    --------
    >>> brum = load_lad_summaries(2019, "E08000025").set_index("measure")  # doctest: +PUBLIC_DATA
    >>> brum[["rank", "n_districts"]].astype(int).values.tolist()  # doctest: +PUBLIC_DATA
    [[6, 317], [7, 317], [7, 317], [4, 317], [30, 317]]
    >>> int(load_lad_summaries(2025, "E08000025").set_index("measure").at["average_score", "rank"])
    ... # doctest: +PUBLIC_DATA
    5
    """
    from anchor_analysis.public.parsers import LAD_SUMMARY_MEASURES

    _check_choice(edition, IMD_EDITIONS, "IMD edition")
    frame = _table("imd2019_file10" if edition == 2019 else "imd2025_lad_summaries", data_dir)
    frame["n_districts"] = frame.groupby("measure")["lad_code"].transform("size").astype("int64")
    frame.insert(3, "label", frame["measure"].map(LAD_SUMMARY_MEASURES))
    return _filter_lad(frame, lad_code, "lad_code", f"the IMD {edition} local authority summaries")
