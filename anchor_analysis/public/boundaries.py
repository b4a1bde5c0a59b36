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
