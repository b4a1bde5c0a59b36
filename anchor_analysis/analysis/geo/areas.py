"""LSOAs, wards and IMD of a place: the editions and their geographies, deprivation profiles and ward summaries.

>>> EDITION_LSOA_YEAR[2019], EDITION_LSOA_YEAR[2025]
(2011, 2021)
>>> most_deprived_cutoff(32_844, 10)
3284
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from anchor_analysis import public
from anchor_analysis.core.places import Place, load_place

PathLike = str | os.PathLike[str]
PlaceLike = str | Path | Place

EDITION_LSOA_YEAR = {2019: 2011, 2025: 2021}
"""The LSOA geography each IMD edition is published on."""

EDITION_CAVEAT = (
    "IMD 2019 and IMD 2025 are not comparable: they rank different small areas (2011 and 2021 LSOAs) and each "
    "edition's ranks and deciles are relative to all of England at the time, so a change in an area's decile "
    "does not measure a change in its deprivation. Read the editions side by side; never subtract one from the "
    "other."
)

POPULATION_NOTE = {
    2019: "population: IoD2019 mid-2015 estimates (File 6, excluding prisoners)",
    2025: "population: estimate (IoD2019 mid-2015 LSOA 2011 populations apportioned to LSOA 2021)",
}

DEFAULT_TOLERANCE_M = 25.0
"""Polygons of the generalised boundaries closer than this (metres) count as neighbours."""

DEFAULT_SPLIT_ABOVE_LSOAS = 15
"""Clusters of more LSOAs than this (about one ward) are split along ward boundaries."""

UNKNOWN_AREA = "unknown"
"""Area code given to staff or spend with no located LSOA."""

OUTSIDE_LOOKUP = "outside_lookup"
"""Local authority code given to a supplier whose well-formed postcode is outside the postcode lookup's areas."""

_PRIORITY_RULE = re.compile(r"most_deprived_(\d+(?:\.\d+)?)pct")


def _place(place: PlaceLike) -> Place:
    """The place configuration of a key, a path or a :class:`Place`."""
    return load_place(place)


def _check_edition(edition: int) -> int:
    """The IMD edition as an int; ValueError unless it is 2019 or 2025."""
    if edition not in EDITION_LSOA_YEAR:
        raise ValueError(f"IMD edition must be one of {sorted(EDITION_LSOA_YEAR)}, not {edition!r}")
    return int(edition)


def _check_lsoa_year(lsoa_year: int) -> int:
    """The LSOA geography year as an int; ValueError unless it is 2011 or 2021."""
    if lsoa_year not in EDITION_LSOA_YEAR.values():
        raise ValueError(f"lsoa_year must be one of {sorted(EDITION_LSOA_YEAR.values())}, not {lsoa_year!r}")
    return int(lsoa_year)


def edition_for_lsoa_year(lsoa_year: int) -> int:
    """The IMD edition published on ``lsoa_year`` LSOAs (2011 -> 2019, 2021 -> 2025).

    Parameters
    ----------
    lsoa_year : int
        2011 or 2021.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For any other LSOA year.

    Examples
    --------
    >>> edition_for_lsoa_year(2011), edition_for_lsoa_year(2021)
    (2019, 2025)
    """
    _check_lsoa_year(lsoa_year)
    return {v: k for k, v in EDITION_LSOA_YEAR.items()}[lsoa_year]


def most_deprived_cutoff(n_lsoas: int, pct: float) -> int:
    """Largest national rank inside the most deprived ``pct`` % of ``n_lsoas`` LSOAs (rank 1 = most deprived).

    Parameters
    ----------
    n_lsoas : int
        The LSOAs of England in the edition (32,844 for IMD 2019, 33,755 for IMD 2025).
    pct : float
        The percentage, in (0, 100].

    Returns
    -------
    int
        ``floor(n_lsoas * pct / 100)``.

    Raises
    ------
    ValueError
        If ``pct`` is not in (0, 100].

    Examples
    --------
    >>> most_deprived_cutoff(33_755, 10), most_deprived_cutoff(32_844, 1)
    (3375, 328)
    """
    if not 0 < pct <= 100:
        raise ValueError(f"most_deprived_pct must be in (0, 100], not {pct!r}")
    return int(math.floor(n_lsoas * pct / 100 + 1e-9))


def attribution_keys(edition: int, place: PlaceLike = "leeds", *, boundaries: bool = True,
                     postcodes: bool = False, imd: bool = True) -> list[str]:
    """Registry keys of the public datasets behind this module's outputs for ``edition`` (for attributions).

    Parameters
    ----------
    edition : int
        The IMD edition, 2019 or 2025.
    place : str, Path or Place, default "leeds"
        The place, whose configuration names its boundaries and postcode lookup.
    boundaries : bool, default True
        Include the place's boundary files (maps): those of the edition's LSOAs, the wards and the outline that it
        has.
    postcodes : bool, default False
        Include the place's regional postcode lookup (supplier and site locations).
    imd : bool, default True
        Include the IMD files and the lookups (False: a map of sites, which shows no deprivation).

    Returns
    -------
    list of str
        Keys of ``anchor_analysis/data/public_datasets.toml``.

    Examples
    --------
    >>> attribution_keys(2025, boundaries=False)
    ['imd2025_lsoa21', 'imd2019_file6', 'lookup_lsoa11_lsoa21', 'lookup_lsoa21_ward24']
    >>> attribution_keys(2019, "birmingham", postcodes=True)[-4:]
    ['boundaries_birmingham_lsoa11', 'boundaries_birmingham_wards', 'boundaries_uk_lad', 'postcodes_west_midlands']
    >>> attribution_keys(2019, "bradford")[-1]
    'boundaries_uk_lad'
    >>> attribution_keys(2019, "birmingham", postcodes=True, imd=False)
    ['boundaries_birmingham_lsoa11', 'boundaries_birmingham_wards', 'boundaries_uk_lad', 'postcodes_west_midlands']
    """
    _check_edition(edition)
    datasets = _place(place).datasets
    if not imd:
        keys = []
    elif edition == 2019:
        keys = ["imd2019_file1", "imd2019_file2", "imd2019_file3", "imd2019_file6", "imd2019_scores",
                "lookup_lsoa11_ward19", "lookup_lsoa11_lsoa21", "lookup_lsoa21_ward24"]
    else:
        keys = ["imd2025_lsoa21", "imd2019_file6", "lookup_lsoa11_lsoa21", "lookup_lsoa21_ward24"]
    if boundaries:
        levels = ("lsoa11" if edition == 2019 else "lsoa21", "ward", "lad")
        keys += [key for key in (datasets.boundaries(level) for level in levels) if key]
    if postcodes:
        keys.append(datasets.postcodes)
    return keys


# --- LSOAs, wards and IMD of a place ---------------------------------------------------------------------


def lsoa_wards(lsoa_year: int, lad_code: str | Sequence[str] | None = None,
               data_dir: PathLike | None = None) -> pd.DataFrame:
    """LSOA -> ward (best fit) with ward codes harmonised to the current codes (module docstring).

    Parameters
    ----------
    lsoa_year : int
        The LSOA geography: 2011 or 2021.
    lad_code : str or sequence of str, optional
        Keep the LSOAs of these local authorities (default: England and Wales).
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name`` (str), sorted by LSOA code (a cached
        table, copied).

    Examples
    --------
    >>> wards11, wards21 = lsoa_wards(2011, "E08000035"), lsoa_wards(2021, "E08000035")  # doctest: +PUBLIC_DATA
    >>> len(wards11), len(wards21), set(wards11["ward_code"]) == set(wards21["ward_code"])  # doctest: +PUBLIC_DATA
    (482, 488, True)
    """
    _check_lsoa_year(lsoa_year)
    codes = None if lad_code is None else (lad_code,) if isinstance(lad_code, str) else tuple(lad_code)
    return _lsoa_wards(lsoa_year, codes, None if data_dir is None else str(data_dir)).copy()


@functools.lru_cache(maxsize=8)
def _lsoa_wards(lsoa_year: int, lad_code: tuple[str, ...] | None, data_dir: str | None) -> pd.DataFrame:
    """The cached lookup of :func:`lsoa_wards` (2019 ward codes replaced by the current code of the same-named ward)."""
    frame = public.load_lsoa_lookup(lsoa_year, lad_code, data_dir=data_dir)
    if lsoa_year == 2011:
        current = public.load_lsoa_lookup(2021, data_dir=data_dir)[["ward_code", "ward_name", "lad_code"]]
        current = current.drop_duplicates(["lad_code", "ward_name"]).rename(columns={"ward_code": "current"})
        # a name must identify one current ward within its local authority
        current = current[~current.duplicated(["lad_code", "ward_name"], keep=False)]
        frame = frame.merge(current, on=["lad_code", "ward_name"], how="left")
        frame["ward_code"] = frame["current"].fillna(frame["ward_code"]).astype("str")
        frame = frame.drop(columns="current")
    return frame.sort_values("lsoa_code", ignore_index=True)


def place_lsoas(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """The place's LSOAs for ``edition`` with IMD, population and ward, one row per LSOA, sorted by code.

    Parameters
    ----------
    edition : int
        The IMD edition: 2019 (LSOA 2011) or 2025 (LSOA 2021).
    place : str, Path or Place, default "leeds"
        The place, whose local authority is used.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``edition, lsoa_year, lsoa_code, lsoa_name, ward_code, ward_name, lad_code, imd_score, imd_rank, imd_decile,
        population, population_working_age``.

    Raises
    ------
    ValueError
        If ``edition`` is not 2019 or 2025, or an LSOA has no ward in the lookup.

    Examples
    --------
    >>> lsoas = place_lsoas(2019)  # doctest: +PUBLIC_DATA
    >>> len(lsoas), lsoas.loc[0, ["lsoa_code", "ward_name", "imd_decile"]].astype(str).tolist()  # doctest: +PUBLIC_DATA
    (482, ['E01011264', 'Otley & Yeadon', '5'])
    """
    edition = _check_edition(edition)
    lad = _place(place).local_authority_code
    imd = public.load_imd(edition, lad, data_dir=data_dir)
    wards = lsoa_wards(EDITION_LSOA_YEAR[edition], lad, data_dir=data_dir)[["lsoa_code", "ward_code", "ward_name"]]
    out = imd.merge(wards, on="lsoa_code", how="left", validate="one_to_one")
    if out["ward_code"].isna().any():
        raise ValueError(f"{int(out['ward_code'].isna().sum())} LSOAs of {lad} have no ward in the lookup")
    columns = ["edition", "lsoa_year", "lsoa_code", "lsoa_name", "ward_code", "ward_name", "lad_code", "imd_score",
               "imd_rank", "imd_decile", "population", "population_working_age"]
    return out[columns].sort_values("lsoa_code", ignore_index=True)


def deprivation_profile(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """The place's LSOAs and population per national IMD decile (1 = most deprived 10% in England).

    Parameters
    ----------
    edition : int
        The IMD edition, 2019 or 2025.
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        One row per decile 1-10 (deciles with no LSOA included): ``edition, decile, n_lsoas, share_lsoas,
        population, share_population`` (shares 0-1). ``attrs``: ``n_lsoas``, ``population``, ``population_note``.

    Examples
    --------
    >>> profile = deprivation_profile(2019)  # doctest: +PUBLIC_DATA
    >>> profile["n_lsoas"].tolist()[:3], profile.attrs["n_lsoas"], profile.attrs["population"]  # doctest: +PUBLIC_DATA
    ([114, 48, 42], 482, 771857)
    """
    lsoas = place_lsoas(edition, place, data_dir)
    grouped = lsoas.groupby("imd_decile").agg(n_lsoas=("lsoa_code", "size"), population=("population", "sum"))
    out = grouped.reindex(range(1, 11), fill_value=0).rename_axis("decile").reset_index()
    out.insert(0, "edition", edition)
    out["share_lsoas"] = out["n_lsoas"] / out["n_lsoas"].sum()
    out["share_population"] = out["population"] / out["population"].sum()
    out = out[["edition", "decile", "n_lsoas", "share_lsoas", "population", "share_population"]]
    out.attrs.update(n_lsoas=int(out["n_lsoas"].sum()), population=int(out["population"].sum()),
                     population_note=POPULATION_NOTE[edition])
    return out


def _weighted_score(frame: pd.DataFrame) -> float:
    """The population-weighted mean IMD score of a set of LSOAs (NaN without population)."""
    weight = frame["population"].astype("float64")
    return float((frame["imd_score"] * weight).sum() / weight.sum()) if weight.sum() else float("nan")


def ward_deprivation(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """Deprivation per ward of the place, sorted by ward name; populations sum to the place's total.

    Parameters
    ----------
    edition : int
        The IMD edition, 2019 or 2025.
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``edition, ward_code, ward_name, n_lsoas, population, pop_weighted_score`` (IMD score weighted by LSOA
        population), ``share_population_decile1`` (0-1), ``n_lsoas_decile1``, ``rank_in_place`` (1 = highest
        population-weighted score). ``attrs["population_note"]`` says where the populations come from.

    Examples
    --------
    >>> wards = ward_deprivation(2019).sort_values("rank_in_place")  # doctest: +PUBLIC_DATA
    >>> wards[["ward_name", "n_lsoas", "n_lsoas_decile1"]].head(2).values.tolist()  # doctest: +PUBLIC_DATA
    [['Burmantofts & Richmond Hill', 14, 13], ['Gipton & Harehills', 17, 16]]
    """
    lsoas = place_lsoas(edition, place, data_dir)
    lsoas["decile1"] = lsoas["imd_decile"] == 1
    lsoas["pop_decile1"] = lsoas["population"].where(lsoas["decile1"], 0)
    lsoas["score_x_pop"] = lsoas["imd_score"] * lsoas["population"]
    grouped = lsoas.groupby(["ward_code", "ward_name"], as_index=False).agg(
        n_lsoas=("lsoa_code", "size"), population=("population", "sum"), score_x_pop=("score_x_pop", "sum"),
        pop_decile1=("pop_decile1", "sum"), n_lsoas_decile1=("decile1", "sum"))
    grouped["pop_weighted_score"] = grouped["score_x_pop"] / grouped["population"]
    grouped["share_population_decile1"] = grouped["pop_decile1"] / grouped["population"]
    grouped["n_lsoas_decile1"] = grouped["n_lsoas_decile1"].astype("int64")
    order = grouped.sort_values(["pop_weighted_score", "ward_code"], ascending=[False, True]).index
    grouped.loc[order, "rank_in_place"] = np.arange(1, len(grouped) + 1)
    grouped["rank_in_place"] = grouped["rank_in_place"].astype("int64")
    grouped.insert(0, "edition", edition)
    columns = ["edition", "ward_code", "ward_name", "n_lsoas", "population", "pop_weighted_score",
               "share_population_decile1", "n_lsoas_decile1", "rank_in_place"]
    out = grouped[columns].sort_values("ward_name", ignore_index=True)
    out.attrs["population_note"] = POPULATION_NOTE[edition]
    return out


def editions_side_by_side(place: PlaceLike = "leeds", level: str = "decile", editions: Sequence[int] = (2019, 2025),
                          data_dir: PathLike | None = None) -> pd.DataFrame:
    """The IMD editions side by side, per national decile (``level="decile"``) or per ward (``"ward"``).

    Columns are suffixed by edition (``n_lsoas_2019``, ``n_lsoas_2025`` ...) and a ``note`` column carries the
    caveat (also in ``attrs["caveat"]``): the editions are not comparable, so there are deliberately no difference
    columns.

    Parameters
    ----------
    place : str, Path or Place, default "leeds"
        The place.
    level : {"decile", "ward"}, default "decile"
        One row per national decile or per ward.
    editions : sequence of int, default ``(2019, 2025)``
        The editions, in column order.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        Decile level: ``decile, n_lsoas_<ed>, share_lsoas_<ed>, population_<ed>``. Ward level: ``ward_code,
        ward_name`` then ``n_lsoas, n_lsoas_decile1, share_population_decile1, pop_weighted_score, rank_in_place``
        per edition. Then ``note``.

    Raises
    ------
    ValueError
        If ``level`` is neither "decile" nor "ward".

    Examples
    --------
    >>> table = editions_side_by_side()  # doctest: +PUBLIC_DATA
    >>> table.loc[0, ["decile", "n_lsoas_2019", "n_lsoas_2025"]].astype(int).tolist()  # doctest: +PUBLIC_DATA
    [1, 114, 84]
    """
    if level not in ("decile", "ward"):
        raise ValueError(f"level must be 'decile' or 'ward', not {level!r}")
    out: pd.DataFrame | None = None
    for edition in editions:
        if level == "decile":
            part = deprivation_profile(edition, place, data_dir)[["decile", "n_lsoas", "share_lsoas", "population"]]
            keys = ["decile"]
        else:
            part = ward_deprivation(edition, place, data_dir)[
                ["ward_code", "ward_name", "n_lsoas", "n_lsoas_decile1", "share_population_decile1",
                 "pop_weighted_score", "rank_in_place"]]
            keys = ["ward_code", "ward_name"]
        part = part.rename(columns={c: f"{c}_{edition}" for c in part.columns if c not in keys})
        out = part if out is None else out.merge(part, on=keys, how="outer", validate="one_to_one")
    assert out is not None
    out = out.sort_values(keys, ignore_index=True)
    out["note"] = EDITION_CAVEAT
    out.attrs["caveat"] = EDITION_CAVEAT
    return out


def describe_deprivation(profile: pd.DataFrame, place_name: str) -> str:
    """One sentence from :func:`deprivation_profile`: the place's LSOAs and residents in national decile 1.

    Parameters
    ----------
    profile : DataFrame
        :func:`deprivation_profile` (with its ``attrs``).
    place_name : str
        The place as named in the sentence.

    Returns
    -------
    str
        The sentence (Markdown).

    Examples
    --------
    >>> profile = pd.DataFrame({"edition": 2019, "decile": [1, 2], "n_lsoas": [114, 368],
    ...                         "share_lsoas": [114 / 482, 368 / 482], "share_population": [0.236, 0.764]})
    >>> profile.attrs["n_lsoas"] = 482
    >>> print(describe_deprivation(profile, "Leeds"))
    **114 of the 482 LSOAs** in Leeds (23.7%) are in the most deprived 10% of England (IMD 2019), home to 23.6% of
    residents.
    """
    decile1 = profile.loc[profile["decile"] == 1].iloc[0]
    edition = int(profile["edition"].iloc[0])
    return (f"**{int(decile1['n_lsoas'])} of the {profile.attrs['n_lsoas']} LSOAs** in {place_name} "
            f"({decile1['share_lsoas']:.1%}) are in the most deprived 10% of England (IMD {edition}), home to "
            f"{decile1['share_population']:.1%} of residents.")
