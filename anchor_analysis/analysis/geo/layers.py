"""Geometry of the place: LSOA and ward polygons, the outline, and anchor sites as points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis import public
from anchor_analysis.analysis.geo.areas import PathLike


def site_locations(sites: pd.DataFrame, data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """Anchor sites as points in British National Grid, located by postcode (NSPL centroid, WGS84 reprojected).

    The postcode goes no further than the join: it is not a column of the result.

    Parameters
    ----------
    sites : DataFrame
        The sites table: ``postcode`` and any of ``anchor_id, site_name, main_site``.
    data_dir : path, optional
        The public data folder of the regional postcode lookup (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

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

    lookup = public.load_postcode_lookup("region", columns=["postcode", "latitude", "longitude"],
                                         data_dir=data_dir).drop_duplicates("postcode").set_index("postcode")
    postcode = normalise_postcodes(sites["postcode"])
    lat, lon = postcode.map(lookup["latitude"]), postcode.map(lookup["longitude"])
    located = (lat.notna() & lon.notna()).to_numpy()
    points = gpd.GeoSeries([Point(x, y) if ok else None for x, y, ok in zip(lon, lat, located, strict=True)],
                           crs="EPSG:4326", index=sites.index)
    keep = [c for c in ("anchor_id", "site_name", "main_site") if c in sites.columns]
    out = gpd.GeoDataFrame(sites[keep].copy(), geometry=points.to_crs(public.BRITISH_NATIONAL_GRID))
    out["located"] = located
    return out[[*keep, "located", "geometry"]]
