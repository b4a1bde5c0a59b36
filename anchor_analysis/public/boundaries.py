"""Boundaries of LSOAs, wards and local authorities in British National Grid, for drawing maps.

Which file holds a place's boundaries is the place's configuration (its ``[datasets]`` table,
:class:`~anchor_analysis.core.places.PlaceDatasets`): the loaders take the place and read the datasets it names. A
place without boundaries of a kind raises :class:`~anchor_analysis.core.errors.BoundariesUnavailable`, which map
sections turn into a plain sentence.

>>> load_ward_boundaries(place="bradford")
Traceback (most recent call last):
anchor_analysis.core.errors.BoundariesUnavailable: no ward boundaries are available for Bradford: its place
configuration names none (ward_boundaries in its [datasets] table), so its maps cannot be drawn
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis.core.errors import BoundariesUnavailable, ConfigError
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.public.datasets import (
    BRITISH_NATIONAL_GRID,
    LSOA_YEARS,
    LadCodes,
    PathLike,
    _dataset,
    dataset_path,
)
from anchor_analysis.public.parsers import _check_choice, _filter_lad, _lad_codes

# --- boundaries ---------------------------------------------------------------------------------------------

_LSOA11 = {"lsoa11_code": "lsoa_code", "lsoa11_name": "lsoa_name"}
_LSOA21 = {"lsoa21_code": "lsoa_code", "lsoa21_name": "lsoa_name"}
_LAD24 = {"ltla24_code": "lad_code", "ltla24_name": "lad_name"}
_BOUNDARY_COLUMNS = {
    "boundaries_lsoa11": _LSOA11,
    "boundaries_lsoa21": _LSOA21,
    "boundaries_wards": {"ward22_code": "ward_code", "ward22_name": "ward_name"},
    "boundaries_lad": _LAD24,
    "boundaries_uk_lad": _LAD24,
    "boundaries_birmingham_lsoa11": _LSOA11,
    "boundaries_birmingham_lsoa21": _LSOA21,
    "boundaries_birmingham_wards": {"ward24_code": "ward_code", "ward24_name": "ward_name"},
}
"""Each boundary file's code and name columns, renamed to the kit's (``lsoa_code``, ``ward_name`` ...)."""

_WHAT = {"lsoa11": "LSOA 2011", "lsoa21": "LSOA 2021", "ward": "ward", "lad": "local authority"}


@functools.lru_cache(maxsize=16)
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


def _place_boundaries(place: str | Place, level: str, lad_code: LadCodes, data_dir: PathLike | None
                      ) -> gpd.GeoDataFrame:
    """The boundaries at ``level`` that the place's configuration names, checked against the area they cover."""
    place = load_place(place)
    key = place.datasets.boundaries(level)
    what = _WHAT[level]
    if key is None:
        raise BoundariesUnavailable(place.name, what, f"{level}_boundaries")
    owner, codes = _dataset(key).place, _lad_codes(lad_code)
    if not owner:  # a national file: the place's own local authority, or the districts asked for
        return _filter_lad(_boundaries(key, data_dir), codes or [place.local_authority_code], "lad_code",
                           f"the {what} boundaries {key}")
    covers = load_place(owner).local_authority_code
    if covers != place.local_authority_code:
        raise ConfigError(f"{place.name}'s {level}_boundaries ({key}) cover {covers}, not the place's local "
                          f"authority {place.local_authority_code}: name the place's own boundaries")
    if codes is not None and set(codes) != {covers}:
        raise ValueError(f"the {what} boundaries of {place.name} ({key}) cover {covers} only, not {codes}: use "
                         "load_lad_boundaries(scope='uk') for other local authorities, or supply your own boundaries")
    return _boundaries(key, data_dir)


def load_lsoa_boundaries(
    lsoa_year: int, lad_code: LadCodes = None, data_dir: PathLike | None = None, place: str | Place = "leeds"
) -> gpd.GeoDataFrame:
    """The place's LSOA boundaries (ONS generalised) in British National Grid (EPSG:27700).

    Generalised: for maps, not for point-in-polygon assignment.

    Parameters
    ----------
    lsoa_year : {2011, 2021}
        2011 (joins IMD 2019) or 2021 (joins IMD 2025): the place's ``lsoa11_boundaries`` or ``lsoa21_boundaries``
        dataset (Leeds: 482 and 488 LSOAs, ``boundaries_lsoa11`` and ``boundaries_lsoa21``; Birmingham: 639 and
        659).
    lad_code : str or iterable of str, optional
        The boundaries cover the place's local authority only: None or its code.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA`` (see
        :func:`~anchor_analysis.public.datasets.dataset_path`).
    place : str, path-like or Place, default "leeds"
        The place whose configuration names the boundaries.

    Returns
    -------
    GeoDataFrame
        Columns ``lsoa_code, lsoa_name`` (str) and ``geometry``, sorted by ``lsoa_code``; a copy.

    Raises
    ------
    ValueError
        ``lsoa_year`` is not 2011 or 2021, or ``lad_code`` is other than the place's.
    BoundariesUnavailable
        The place names no LSOA boundaries of that year.
    PublicDataMissing, PublicDataChecksumError
        The boundary file cannot be found, or is not the registered file.

    Examples
    --------
    >>> lsoas = load_lsoa_boundaries(2021)  # doctest: +PUBLIC_DATA
    >>> len(lsoas), lsoas.crs.to_string(), round(lsoas.area.sum() / 1e6)  # doctest: +PUBLIC_DATA
    (488, 'EPSG:27700', 552)
    >>> lsoas[["lsoa_code", "lsoa_name"]].values.tolist()[0]  # doctest: +PUBLIC_DATA
    ['E01011264', 'Leeds 011A']
    >>> brum = load_lsoa_boundaries(2011, place="birmingham")  # doctest: +PUBLIC_DATA
    >>> len(brum), round(brum.area.sum() / 1e6)  # doctest: +PUBLIC_DATA
    (639, 268)
    """
    _check_choice(lsoa_year, LSOA_YEARS, "lsoa_year")
    return _place_boundaries(place, "lsoa11" if lsoa_year == 2011 else "lsoa21", lad_code, data_dir)


def load_ward_boundaries(lad_code: LadCodes = None, data_dir: PathLike | None = None,
                         place: str | Place = "leeds") -> gpd.GeoDataFrame:
    """The place's electoral wards (generalised) in EPSG:27700 (its ``ward_boundaries`` dataset).

    Leeds: 33 wards (December 2022, ``boundaries_wards``); Birmingham: 69 wards (``boundaries_birmingham_wards``).
    The codes equal the 2024 ward codes of the LSOA21 lookup.

    Parameters
    ----------
    lad_code : str or iterable of str, optional
        The place's local authority only: None or its code.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.
    place : str, path-like or Place, default "leeds"
        The place whose configuration names the boundaries.

    Returns
    -------
    GeoDataFrame
        Columns ``ward_code, ward_name`` (str) and ``geometry``, sorted by ``ward_code``; a copy.

    Raises
    ------
    ValueError
        ``lad_code`` is other than the place's.
    BoundariesUnavailable
        The place names no ward boundaries.
    PublicDataMissing, PublicDataChecksumError
        The boundary file cannot be found, or is not the registered file.

    Examples
    --------
    >>> wards = load_ward_boundaries()  # doctest: +PUBLIC_DATA
    >>> len(wards), sorted(wards["ward_name"])[:2]  # doctest: +PUBLIC_DATA
    (33, ['Adel & Wharfedale', 'Alwoodley'])
    >>> len(load_ward_boundaries(place="birmingham"))  # doctest: +PUBLIC_DATA
    69
    >>> load_ward_boundaries("E08000032")  # doctest: +PUBLIC_DATA
    Traceback (most recent call last):
    ValueError: the ward boundaries of Leeds (boundaries_wards) cover E08000035 only, not ['E08000032']: use
    load_lad_boundaries(scope='uk') for other local authorities, or supply your own boundaries
    """
    return _place_boundaries(place, "ward", lad_code, data_dir)


def load_lad_boundaries(
    scope: str = "place", lad_code: LadCodes = None, data_dir: PathLike | None = None, place: str | Place = "leeds"
) -> gpd.GeoDataFrame:
    """Local authority district boundaries (May 2024, ultra generalised) in EPSG:27700.

    Parameters
    ----------
    scope : {"place", "uk"}, default "place"
        ``"place"``: the place's outline (its ``lad_boundaries`` dataset: Leeds ``boundaries_lad``; Birmingham the
        UK file, filtered). ``"uk"``: all 361 UK districts (``boundaries_uk_lad``).
    lad_code : str or iterable of str, optional
        ``scope="place"``: None or the place's code. ``scope="uk"``: keep only these districts (one code or
        several, e.g. a ring's ``lad_codes``); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.
    place : str, path-like or Place, default "leeds"
        The place of ``scope="place"``.

    Returns
    -------
    GeoDataFrame
        Columns ``lad_code, lad_name`` (str) and ``geometry``, sorted by ``lad_code``; a copy.

    Raises
    ------
    ValueError
        An unknown ``scope``; a ``lad_code`` other than the place's with ``scope="place"``; a ``lad_code`` not among
        the UK districts.
    BoundariesUnavailable
        ``scope="place"`` and the place names no local authority boundaries.
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
    >>> load_lad_boundaries(place="birmingham")["lad_name"].tolist()  # doctest: +PUBLIC_DATA
    ['Birmingham']
    """
    _check_choice(scope, ["place", "uk"], "LAD boundary scope")
    if scope == "place":
        return _place_boundaries(place, "lad", lad_code, data_dir)
    frame = _boundaries("boundaries_uk_lad", data_dir)
    return _filter_lad(frame, lad_code, "lad_code", "the UK LAD 2024 boundaries")
