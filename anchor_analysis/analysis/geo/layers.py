"""Geometry of the place: LSOA and ward polygons, the outline, and anchor sites as points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis import public
from anchor_analysis.analysis.geo.areas import (
    EDITION_LSOA_YEAR,
    PathLike,
    PlaceLike,
    _check_edition,
    _place,
    place_lsoas,
)

# --- polygons ---------------------------------------------------------------------------------------


def lsoa_layer(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """LSOA polygons of the place for ``edition`` (British National Grid) with the :func:`place_lsoas` columns.

    Parameters
    ----------
    edition : int
        The IMD edition: 2019 (LSOA 2011 polygons) or 2025 (LSOA 2021).
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    GeoDataFrame
        ``lsoa_code, geometry`` and the :func:`place_lsoas` columns.

    Raises
    ------
    ValueError
        If a polygon has no IMD row.
    BoundariesUnavailable
        The place has no LSOA boundaries of the edition's geography.

    Examples
    --------
    >>> layer = lsoa_layer(2019)  # doctest: +PUBLIC_DATA
    >>> len(layer), layer.crs.to_epsg()  # doctest: +PUBLIC_DATA
    (482, 27700)
    """
    edition = _check_edition(edition)
    lad = _place(place).local_authority_code
    shapes = public.load_lsoa_boundaries(EDITION_LSOA_YEAR[edition], lad, data_dir=data_dir, place=place)
    layer = shapes[["lsoa_code", "geometry"]].merge(place_lsoas(edition, place, data_dir), on="lsoa_code",
                                                    how="inner", validate="one_to_one")
    if len(layer) != len(shapes):
        raise ValueError(f"{len(shapes) - len(layer)} LSOA polygons have no IMD {edition} row")
    return layer


def ward_layer(place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """Ward polygons of the place (``ward_code, ward_name, geometry``), British National Grid.

    Parameters
    ----------
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    GeoDataFrame

    Raises
    ------
    BoundariesUnavailable
        The place has no ward boundaries.

    Examples
    --------
    >>> len(ward_layer())  # doctest: +PUBLIC_DATA
    33
    >>> ward_layer("birmingham").loc[0, ["ward_code", "ward_name"]].tolist()  # doctest: +PUBLIC_DATA
    ['E05011118', 'Acocks Green']
    """
    place = _place(place)
    return public.load_ward_boundaries(place.local_authority_code, data_dir=data_dir, place=place)


def place_outline(place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """The place's local authority outline (``lad_code, lad_name, geometry``), British National Grid.

    Parameters
    ----------
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    GeoDataFrame

    Raises
    ------
    BoundariesUnavailable
        The place has no local authority boundaries.

    Examples
    --------
    >>> outline = place_outline()  # doctest: +PUBLIC_DATA
    >>> outline["lad_name"].tolist(), round(float(outline.area.iloc[0]) / 1e6, -1)  # km2  # doctest: +PUBLIC_DATA
    (['Leeds'], 550.0)
    """
    place = _place(place)
    return public.load_lad_boundaries("place", place.local_authority_code, data_dir=data_dir, place=place)


def with_geometry(table: pd.DataFrame, level: str, place: PlaceLike = "leeds", edition: int | None = None,
                  data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """Every ward or LSOA of the place with ``table``'s columns joined on the area code, for maps.

    A left join: areas missing from ``table`` stay, with missing values, to be mapped as "no data".

    Parameters
    ----------
    table : DataFrame
        One row per area, keyed by ``ward_code`` or ``lsoa_code``; its columns that the boundaries also have (but
        the key) are dropped.
    level : {"ward", "lsoa"}
        The geography.
    place : str, Path or Place, default "leeds"
        The place.
    edition : int, optional
        The IMD edition whose LSOA geography the table uses (required for ``level="lsoa"``).
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    GeoDataFrame
        The polygons with ``table``'s columns.

    Raises
    ------
    ValueError
        For another level, ``level="lsoa"`` without an edition, or a table with several rows per area.
    BoundariesUnavailable
        The place has no boundaries at that level.

    Examples
    --------
    >>> values = pd.DataFrame({"ward_code": ["E05011385"], "staff": [1222]})
    >>> mapped = with_geometry(values, "ward")  # doctest: +PUBLIC_DATA
    >>> len(mapped), int(mapped["staff"].notna().sum())  # doctest: +PUBLIC_DATA
    (33, 1)
    """
    if level == "ward":
        shapes = ward_layer(place, data_dir)[["ward_code", "ward_name", "geometry"]]
    elif level == "lsoa":
        if edition is None:
            raise ValueError("give the IMD edition whose LSOA geography the table uses")
        place = _place(place)
        shapes = public.load_lsoa_boundaries(EDITION_LSOA_YEAR[_check_edition(edition)],
                                             place.local_authority_code, data_dir=data_dir, place=place)
    else:
        raise ValueError(f"level must be 'ward' or 'lsoa', not {level!r}")
    key = f"{level}_code"
    values = table.drop(columns=[c for c in table.columns if c in shapes.columns and c != key])
    if values[key].duplicated().any():
        raise ValueError(f"the table has several rows per {key}: select one year (and anchor) first")
    return shapes.merge(values, on=key, how="left")


def has_boundaries(place: PlaceLike = "leeds") -> bool:
    """Whether the place's configuration names the LSOA and ward boundaries its maps need.

    Parameters
    ----------
    place : str, Path or Place, default "leeds"
        The place.

    Returns
    -------
    bool

    Examples
    --------
    >>> has_boundaries("birmingham"), has_boundaries("bradford")
    (True, False)
    """
    return _place(place).datasets.has_boundaries


def no_boundaries_note(place: PlaceLike, what: str, consequence: str = "The tables carry the same figures.") -> str:
    """The sentence a map section shows in place of its map when the place has no boundaries.

    Parameters
    ----------
    place : str, Path or Place
        The place.
    what : str
        What the map would have shown (``"IMD 2019 deciles"``).
    consequence : str, default "The tables carry the same figures."
        What the reader gets instead.

    Returns
    -------
    str
        The sentence (Markdown).

    Examples
    --------
    >>> print(no_boundaries_note("bradford", "where staff live"))
    **No map of where staff live:** no LSOA or ward boundaries are available for Bradford (its place configuration
    names none), so its maps cannot be drawn. The tables carry the same figures.
    """
    return (f"**No map of {what}:** no LSOA or ward boundaries are available for {_place(place).name} (its place "
            f"configuration names none), so its maps cannot be drawn. {consequence}")


# --- points ---------------------------------------------------------------------------------------------------


def site_locations(sites: pd.DataFrame, data_dir: PathLike | None = None,
                   place: PlaceLike = "leeds") -> gpd.GeoDataFrame:
    """Anchor sites as points in British National Grid, located by postcode (NSPL centroid, WGS84 reprojected).

    The postcode goes no further than the join: it is not a column of the result.

    Parameters
    ----------
    sites : DataFrame
        The sites table: ``postcode`` and any of ``anchor_id, site_name, main_site``.
    data_dir : path, optional
        The public data folder of the regional postcode lookup (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    place : str, Path or Place, default "leeds"
        The place whose regional postcode lookup locates the sites.

    Returns
    -------
    GeoDataFrame
        ``anchor_id, site_name, main_site, located, geometry``; sites whose postcode is not in the lookup have
        ``located`` False and an empty geometry.

    Examples
    --------
    >>> sites = pd.DataFrame({"anchor_id": ["a", "b"], "site_name": ["Main", "Depot"],
    ...                       "postcode": ["ls9 9ex", "ZZ1 1ZZ"]})
    >>> points = site_locations(sites)  # doctest: +PUBLIC_DATA
    >>> points.columns.tolist(), points["located"].tolist(), points.crs.to_epsg()  # doctest: +PUBLIC_DATA
    (['anchor_id', 'site_name', 'located', 'geometry'], [True, False], 27700)
    >>> main = points.geometry.iloc[0]  # doctest: +PUBLIC_DATA
    >>> round(main.x, -3), round(main.y, -3)  # easting and northing, to the km  # doctest: +PUBLIC_DATA
    (433000.0, 434000.0)
    """
    import geopandas as gpd
    from shapely.geometry import Point

    from anchor_analysis.core.postcodes import normalise_postcodes

    lookup = public.load_postcode_lookup("region", columns=["postcode", "latitude", "longitude"], data_dir=data_dir,
                                         place=place).drop_duplicates("postcode").set_index("postcode")
    postcode = normalise_postcodes(sites["postcode"])
    lat, lon = postcode.map(lookup["latitude"]), postcode.map(lookup["longitude"])
    located = (lat.notna() & lon.notna()).to_numpy()
    points = gpd.GeoSeries([Point(x, y) if ok else None for x, y, ok in zip(lon, lat, located, strict=True)],
                           crs="EPSG:4326", index=sites.index)
    keep = [c for c in ("anchor_id", "site_name", "main_site") if c in sites.columns]
    out = gpd.GeoDataFrame(sites[keep].copy(), geometry=points.to_crs(public.BRITISH_NATIONAL_GRID))
    out["located"] = located
    return out[[*keep, "located", "geometry"]]
