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

    Columns: ``anchor_id, site_name, main_site, located, geometry`` (no postcode: it is only the join key).
    Sites whose postcode is not in the lookup have ``located`` False and an empty geometry.
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
