"""Boundaries of LSOAs, wards and local authorities in British National Grid, for drawing maps.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis.public.datasets import BRITISH_NATIONAL_GRID, LSOA_YEARS, LadCodes, PathLike, dataset_path
from anchor_analysis.public.parsers import _check_choice, _filter_lad, _leeds_only

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
    """Boundary file ``path`` of dataset ``key``: columns renamed, British National Grid, sorted (cached)."""
    import geopandas as gpd

    names = _BOUNDARY_COLUMNS[key]
    frame = gpd.read_file(path, engine="pyogrio")
    frame = frame.rename(columns=names)[[*names.values(), "geometry"]]
    for column in names.values():
        frame[column] = frame[column].astype("str")
    return frame.to_crs(BRITISH_NATIONAL_GRID).sort_values(next(iter(names.values())), ignore_index=True)


def _boundaries(key: str, data_dir: PathLike | None) -> gpd.GeoDataFrame:
    """A copy of the boundaries of registered dataset ``key`` (verified, read once per process)."""
    return _read_boundaries(key, str(dataset_path(key, data_dir))).copy()


def load_lsoa_boundaries(
    lsoa_year: int, lad_code: LadCodes = None, data_dir: PathLike | None = None
) -> gpd.GeoDataFrame:
    """Leeds LSOA boundaries (ONS super generalised, clipped) in British National Grid (EPSG:27700).

    Generalised: for maps, not for point-in-polygon assignment.

    Parameters
    ----------
    lsoa_year : {2011, 2021}
        2011: 482 LSOAs (dataset ``boundaries_lsoa11``; joins IMD 2019). 2021: 488 LSOAs
        (``boundaries_lsoa21``; joins IMD 2025).
    lad_code : str or iterable of str, optional
        The shipped boundaries cover Leeds only: None or Leeds' code (E08000035).
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA`` (see
        :func:`~anchor_analysis.public.datasets.dataset_path`).

    Returns
    -------
    GeoDataFrame
        Columns ``lsoa_code, lsoa_name`` (str) and ``geometry``, sorted by ``lsoa_code``; a copy.

    Raises
    ------
    ValueError
        ``lsoa_year`` is not 2011 or 2021, or ``lad_code`` is other than Leeds'.
    PublicDataMissing, PublicDataChecksumError
        The boundary file cannot be found, or is not the registered file.

    Examples
    --------
    >>> lsoas = load_lsoa_boundaries(2021)  # doctest: +PUBLIC_DATA
    >>> len(lsoas), lsoas.crs.to_string(), round(lsoas.area.sum() / 1e6)  # doctest: +PUBLIC_DATA
    (488, 'EPSG:27700', 552)
    >>> lsoas[["lsoa_code", "lsoa_name"]].values.tolist()[0]  # doctest: +PUBLIC_DATA
    ['E01011264', 'Leeds 011A']
    """
    _check_choice(lsoa_year, LSOA_YEARS, "lsoa_year")
    _leeds_only(lad_code, f"LSOA {lsoa_year}")
    return _boundaries("boundaries_lsoa11" if lsoa_year == 2011 else "boundaries_lsoa21", data_dir)


def load_ward_boundaries(lad_code: LadCodes = None, data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """The 33 Leeds electoral wards (December 2022, super generalised) in EPSG:27700 (``boundaries_wards``).

    The codes equal the 2024 ward codes of the LSOA21 lookup.

    Parameters
    ----------
    lad_code : str or iterable of str, optional
        Leeds only: None or Leeds' code (E08000035).
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    GeoDataFrame
        Columns ``ward_code, ward_name`` (str) and ``geometry``, sorted by ``ward_code``; a copy.

    Raises
    ------
    ValueError
        ``lad_code`` is other than Leeds'.
    PublicDataMissing, PublicDataChecksumError
        The boundary file cannot be found, or is not the registered file.

    Examples
    --------
    >>> wards = load_ward_boundaries()  # doctest: +PUBLIC_DATA
    >>> len(wards), sorted(wards["ward_name"])[:2]  # doctest: +PUBLIC_DATA
    (33, ['Adel & Wharfedale', 'Alwoodley'])
    >>> load_ward_boundaries("E08000032")  # doctest: +PUBLIC_DATA
    Traceback (most recent call last):
    ValueError: the shipped ward boundaries cover Leeds (E08000035) only, not ['E08000032']: use
    load_lad_boundaries(scope='uk') for other local authorities, or supply your own boundaries
    """
    _leeds_only(lad_code, "ward")
    return _boundaries("boundaries_wards", data_dir)


def load_lad_boundaries(
    scope: str = "place", lad_code: LadCodes = None, data_dir: PathLike | None = None
) -> gpd.GeoDataFrame:
    """Local authority district boundaries (May 2024, ultra generalised) in EPSG:27700.

    Parameters
    ----------
    scope : {"place", "uk"}, default "place"
        ``"place"``: the Leeds outline (dataset ``boundaries_lad``). ``"uk"``: all 361 UK districts
        (``boundaries_uk_lad``).
    lad_code : str or iterable of str, optional
        ``scope="place"``: None or Leeds' code. ``scope="uk"``: keep only these districts (one code or several,
        e.g. a ring's ``lad_codes``); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    GeoDataFrame
        Columns ``lad_code, lad_name`` (str) and ``geometry``, sorted by ``lad_code``; a copy.

    Raises
    ------
    ValueError
        An unknown ``scope``; a ``lad_code`` other than Leeds' with ``scope="place"``; a ``lad_code`` not among the
        UK districts.
    PublicDataMissing, PublicDataChecksumError
        The boundary file cannot be found, or is not the registered file.

    Examples
    --------
    >>> from anchor_analysis.core.places import load_place
    >>> ring = load_place("leeds").ring("west_yorkshire")
    >>> load_lad_boundaries("uk", ring.lad_codes)["lad_name"].tolist()  # doctest: +PUBLIC_DATA
    ['Bradford', 'Calderdale', 'Kirklees', 'Leeds', 'Wakefield']
    >>> len(load_lad_boundaries("uk")), len(load_lad_boundaries())  # doctest: +PUBLIC_DATA
    (361, 1)
    """
    _check_choice(scope, ["place", "uk"], "LAD boundary scope")
    if scope == "place":
        _leeds_only(lad_code, "local authority ('place')")
        return _boundaries("boundaries_lad", data_dir)
    frame = _boundaries("boundaries_uk_lad", data_dir)
    return _filter_lad(frame, lad_code, "lad_code", "the UK LAD 2024 boundaries")
