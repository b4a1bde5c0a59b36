"""Priority neighbourhoods: contiguous clusters of the most deprived LSOAs, or a list the network gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

from anchor_analysis import public
from anchor_analysis.analysis.geo.areas import (
    _PRIORITY_RULE,
    DEFAULT_SPLIT_ABOVE_LSOAS,
    DEFAULT_TOLERANCE_M,
    EDITION_LSOA_YEAR,
    PathLike,
    PlaceLike,
    _check_edition,
    _place,
    _weighted_score,
    most_deprived_cutoff,
)
from anchor_analysis.analysis.geo.layers import lsoa_layer
from anchor_analysis.core.errors import PriorityListError
from anchor_analysis.core.places import Place

# --- priority neighbourhoods -------------------------------------------------------------------------------


@dataclass
class PriorityNeighbourhoods:
    """Result of :func:`priority_neighbourhoods`; unpacks as ``clusters, lsoas``.

    Parameters
    ----------
    clusters : GeoDataFrame
        One row per neighbourhood: ``cluster_id, name, rank, n_lsoas, population, pop_weighted_score, wards,
        geometry`` (sorted by rank; 1 = most deprived). ``attrs["rule"]`` is ``rule``.
    lsoas : DataFrame
        Membership: ``cluster_id, name, rank, lsoa_code, lsoa_name, ward_code, ward_name, imd_score, imd_rank,
        imd_decile, population, edition, lsoa_year``.
    edition : int
        The IMD edition (2019: LSOA 2011 geography; 2025: LSOA 2021).
    rule : str
        Plain-English statement of how the neighbourhoods were chosen (for captions).
    candidates : GeoDataFrame or None
        Every cluster the rule found, before the top-k cut (None for a user list).

    Examples
    --------
    >>> clusters, lsoas = priority_neighbourhoods(2019)  # doctest: +PUBLIC_DATA
    >>> clusters["cluster_id"].tolist(), lsoas["cluster_id"].nunique()  # doctest: +PUBLIC_DATA
    (['PN01', 'PN02', 'PN03', 'PN04', 'PN05', 'PN06'], 6)
    """

    clusters: gpd.GeoDataFrame
    lsoas: pd.DataFrame
    edition: int
    rule: str
    candidates: gpd.GeoDataFrame | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator:
        """``clusters`` then ``lsoas``, so the result unpacks as a pair."""
        return iter((self.clusters, self.lsoas))


def parse_priority_rule(rule: str | float | int) -> float | Path:
    """``"most_deprived_10pct"`` -> ``10.0``; a number -> itself; anything else is a path to a CSV list.

    Parameters
    ----------
    rule : str, float or int
        A notebook parameter: ``"most_deprived_<N>pct"``, a percentage, or the path of a CSV file (ending ``.csv``
        or with a folder in it).

    Returns
    -------
    float or Path
        The percentage, or the path of the list.

    Raises
    ------
    ValueError
        For text that is neither form.

    Examples
    --------
    >>> parse_priority_rule("most_deprived_10pct"), parse_priority_rule(7.5), str(parse_priority_rule("pn_list.csv"))
    (10.0, 7.5, 'pn_list.csv')
    """
    if isinstance(rule, (int, float)):
        return float(rule)
    text = str(rule).strip()
    found = _PRIORITY_RULE.fullmatch(text)
    if found:
        return float(found.group(1))
    if text.lower().endswith(".csv") or os.sep in text or "/" in text:
        return Path(text)
    raise ValueError(f"priority rule {rule!r}: write 'most_deprived_<N>pct' (e.g. most_deprived_10pct) or give "
                     "the path of a CSV file with columns lsoa_code, name")


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of an undirected graph (union-find); labels numbered by first member."""
    parent = list(range(n))

    def find(i: int) -> int:
        """The root of ``i``, halving the path on the way."""
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(i) for i in range(n)]
    labels: dict[int, int] = {}
    return np.array([labels.setdefault(r, len(labels)) for r in roots], dtype=np.int64)


def adjacency_pairs(geometries: gpd.GeoSeries, tolerance_m: float = DEFAULT_TOLERANCE_M) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """Index pairs of polygons that touch or lie within ``tolerance_m`` metres of each other.

    Generalised (BSC) boundaries leave slivers and gaps between neighbours, so each polygon is buffered by half the
    tolerance before testing for intersection.

    Parameters
    ----------
    geometries : GeoSeries
        Polygons in a metric CRS (British National Grid).
    tolerance_m : float, default :data:`DEFAULT_TOLERANCE_M`
        The largest gap (metres) between neighbours.

    Returns
    -------
    tuple of ndarray
        ``(left, right)``: positions of each neighbouring pair, ``left < right``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> squares = gpd.GeoSeries([box(0, 0, 10, 10), box(20, 0, 30, 10), box(100, 0, 110, 10)], crs="EPSG:27700")
    >>> left, right = adjacency_pairs(squares)  # a 10 m gap is within the 25 m tolerance, 70 m is not
    >>> left.tolist(), right.tolist()
    ([0], [1])
    """
    import geopandas as gpd

    buffered = gpd.GeoSeries(geometries.buffer(tolerance_m / 2).values, crs=geometries.crs)
    left, right = buffered.sindex.query(buffered.values, predicate="intersects")
    keep = left < right
    return left[keep], right[keep]


def _cluster_labels(members: gpd.GeoDataFrame, tolerance_m: float, split_above_lsoas: int | None) -> np.ndarray:
    """Cluster labels of contiguous LSOAs, oversized clusters split along ward boundaries."""
    left, right = adjacency_pairs(members.geometry.reset_index(drop=True), tolerance_m)
    labels = _components(len(members), left, right)
    if split_above_lsoas is None:
        return labels
    sizes = np.bincount(labels)
    big = sizes[labels] > split_above_lsoas
    if not big.any():
        return labels
    ward = members["ward_code"].to_numpy()
    # inside an oversized cluster keep only edges between LSOAs of the same ward
    keep = ~big[left] | (ward[left] == ward[right])
    return _components(len(members), left[keep], right[keep])


def _ward_names(frame: pd.DataFrame) -> str:
    """The ward names of a group of LSOAs, largest population first, joined with " / "."""
    by_ward = frame.groupby("ward_name")["population"].sum().reset_index()
    by_ward = by_ward.sort_values(["population", "ward_name"], ascending=[False, True])
    return " / ".join(by_ward["ward_name"])


def _summarise_clusters(members: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """One row per ``_cluster`` label: name, size, population, weighted score, geometry; ranked."""
    import geopandas as gpd

    rows = []
    for label, group in members.groupby("_cluster", sort=True):
        closed = group.geometry.union_all().buffer(tolerance_m / 2).buffer(-tolerance_m / 2)
        rows.append({
            "_cluster": label,
            "name": group["_name"].iloc[0] if "_name" in group else _ward_names(group),
            "n_lsoas": len(group),
            "population": int(group["population"].sum()),
            "pop_weighted_score": _weighted_score(group),
            "wards": _ward_names(group),
            "_first": group["lsoa_code"].min(),
            "geometry": closed,
        })
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=members.crs)
    out = out.sort_values(["pop_weighted_score", "population", "_first"], ascending=[False, False, True],
                          ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["cluster_id"] = [f"PN{r:02d}" for r in out["rank"]]
    # the same ward name on several clusters: number them in rank order
    repeated = out["name"].duplicated(keep=False)
    if repeated.any():
        nth = out[repeated].groupby("name").cumcount() + 1
        out.loc[repeated, "name"] = out.loc[repeated, "name"] + " (" + nth.astype(str) + ")"
    return out


def _read_priority_list(lsoa_list: PathLike | pd.DataFrame, valid: pd.Series, edition: int,
                        place: Place) -> pd.DataFrame:
    """Read and check a user list (``lsoa_code, name``); every problem is reported together."""
    if isinstance(lsoa_list, pd.DataFrame):
        source, raw = "priority neighbourhood list", lsoa_list.astype("str").copy()
    else:
        path = Path(lsoa_list)
        source = str(path)
        if not path.is_file():
            raise PriorityListError(source, ["file not found: give a CSV with columns lsoa_code, name"])
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in ("lsoa_code", "name") if c not in raw.columns]
    if missing:
        raise PriorityListError(source, [f"row 1 (header): missing column(s) {missing}; found {list(raw.columns)}"])
    raw = raw[["lsoa_code", "name"]].apply(lambda column: column.str.strip())
    raw = raw[(raw != "").any(axis=1)]  # blank lines are skipped; row numbers still count them
    if raw.empty:
        raise PriorityListError(source, ["no rows: list at least one lsoa_code with its neighbourhood name"])
    lsoa_year = EDITION_LSOA_YEAR[edition]
    other = {2011: "2021", 2021: "2011"}[lsoa_year]
    known = set(valid)
    failures = []
    first_row: dict[str, int] = {}
    for index, code, name in zip(raw.index, raw["lsoa_code"], raw["name"], strict=True):
        row = int(index) + 2  # as in a spreadsheet: header = row 1
        if not code:
            failures.append(f"row {row}: lsoa_code is blank")
        elif code not in known:
            failures.append(
                f"row {row}: lsoa_code {code!r} is not one of the {len(known)} LSOA {lsoa_year} codes of "
                f"{place.name} ({place.local_authority_code}); IMD {edition} uses LSOA {lsoa_year} codes "
                f"(an LSOA {other} code belongs to the other edition)")
        elif code in first_row:
            failures.append(f"row {row}: lsoa_code {code!r} is already listed on row {first_row[code]}")
        else:
            first_row[code] = row
        if not name:
            failures.append(f"row {row}: name is blank (give the neighbourhood's name)")
    if failures:
        raise PriorityListError(source, failures)
    return raw.reset_index(drop=True)


def priority_neighbourhoods(edition: int, place: PlaceLike = "leeds", most_deprived_pct: float = 10,
                            top_k: int | None = 6, lsoa_list: PathLike | pd.DataFrame | None = None, *,
                            tolerance_m: float = DEFAULT_TOLERANCE_M,
                            split_above_lsoas: int | None = DEFAULT_SPLIT_ABOVE_LSOAS,
                            data_dir: PathLike | None = None) -> PriorityNeighbourhoods:
    """The place's priority neighbourhoods for ``edition``.

    Default rule: the place's LSOAs in the most deprived ``most_deprived_pct`` % of England (national rank at most
    ``most_deprived_pct`` % of the edition's number of LSOAs: 10% is rank <= 3,284 of 32,844 for IMD 2019 and <= 3,375
    of 33,755 for IMD 2025, which is exactly national decile 1), grouped into contiguous clusters (polygons of the
    generalised boundaries touching or within ``tolerance_m`` metres). A cluster of more than ``split_above_lsoas``
    LSOAs (about a ward) is not a neighbourhood: it is split along ward boundaries into its contiguous parts within
    each ward. Each cluster is named by its ward(s), largest population share first, joined with " / " (numbered
    "(1)", "(2)" in rank order where names repeat), ranked by population-weighted IMD score (most deprived first), and
    the ``top_k`` best ranked are kept.

    ``lsoa_list`` overrides the rule: each distinct name is one neighbourhood of the listed LSOAs (which need not be
    contiguous), all of them kept and ranked the same way. Cluster geometry is the union of the member LSOAs with
    slivers narrower than the tolerance closed.

    Parameters
    ----------
    edition : int
        The IMD edition, 2019 or 2025.
    place : str, Path or Place, default "leeds"
        The place.
    most_deprived_pct : float, default 10
        The share of England's LSOAs counted most deprived.
    top_k : int or None, default 6
        Neighbourhoods kept (``None`` keeps all).
    lsoa_list : path or DataFrame, optional
        A CSV path or a frame with columns ``lsoa_code, name``. Codes must be the place's LSOAs of the edition's
        geography.
    tolerance_m : float, default :data:`DEFAULT_TOLERANCE_M`
        The largest gap (metres) between neighbouring polygons.
    split_above_lsoas : int or None, default :data:`DEFAULT_SPLIT_ABOVE_LSOAS`
        Split clusters larger than this along ward boundaries (``None`` keeps clusters whole).
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    PriorityNeighbourhoods
        Unpacks as ``clusters, lsoas``.

    Raises
    ------
    PriorityListError
        If ``lsoa_list`` cannot be used: names the file, the row (header = row 1) and the code, for every bad row
        at once.
    ValueError
        If ``edition`` is not 2019 or 2025, or the place has no LSOA that deprived.

    Examples
    --------
    >>> found = priority_neighbourhoods(2019)  # doctest: +PUBLIC_DATA
    >>> found.clusters[["cluster_id", "name", "n_lsoas"]].head(3).values.tolist()  # doctest: +PUBLIC_DATA
    [['PN01', 'Burmantofts & Richmond Hill (1)', 1], ['PN02', 'Bramley & Stanningley', 1],
     ['PN03', 'Killingbeck & Seacroft (1)', 11]]
    >>> len(found.candidates), found.rule[:72]  # doctest: +PUBLIC_DATA
    (26, 'LSOAs among the 10% most deprived in England (IMD 2019 national rank <= ')
    >>> listed = pd.DataFrame({"lsoa_code": ["E01011264", "E01011265"], "name": "North"})
    >>> priority_neighbourhoods(2019, lsoa_list=listed).clusters[["name", "n_lsoas"]].values.tolist()
    ... # doctest: +PUBLIC_DATA
    [['North', 2]]
    """
    import geopandas as gpd

    edition = _check_edition(edition)
    place = _place(place)
    layer = lsoa_layer(edition, place, data_dir)
    lsoa_year = EDITION_LSOA_YEAR[edition]
    if lsoa_list is not None:
        listed = _read_priority_list(lsoa_list, layer["lsoa_code"], edition, place)
        members = layer.merge(listed.rename(columns={"name": "_name"}), on="lsoa_code", how="inner")
        members["_cluster"] = pd.factorize(members["_name"], sort=True)[0]
        source = lsoa_list if isinstance(lsoa_list, pd.DataFrame) else Path(lsoa_list).name
        rule = (f"User-supplied list of {members['_name'].nunique()} neighbourhoods ({len(members)} LSOA "
                f"{lsoa_year} areas{'' if isinstance(source, pd.DataFrame) else ' from ' + source}), ranked by "
                f"population-weighted IMD {edition} score.")
        clusters = _summarise_clusters(members, tolerance_m)
        candidates = None
        keep = clusters
    else:
        n_england = len(public.load_imd(edition, data_dir=data_dir))
        cutoff = most_deprived_cutoff(n_england, most_deprived_pct)
        members = layer[layer["imd_rank"] <= cutoff].reset_index(drop=True)
        if members.empty:
            raise ValueError(f"{place.name} has no LSOA in the {most_deprived_pct:g}% most deprived nationally "
                             f"(IMD {edition} rank <= {cutoff:,})")
        members["_cluster"] = _cluster_labels(members, tolerance_m, split_above_lsoas)
        clusters = _summarise_clusters(members, tolerance_m)
        candidates = clusters
        keep = clusters if top_k is None else clusters[clusters["rank"] <= top_k]
        split = ("" if split_above_lsoas is None else
                 f"; clusters of more than {split_above_lsoas} LSOAs are split along ward boundaries")
        kept = "all kept" if top_k is None or top_k >= len(clusters) else f"the {top_k} most deprived kept"
        rule = (f"LSOAs among the {most_deprived_pct:g}% most deprived in England (IMD {edition} national rank "
                f"<= {cutoff:,} of {n_england:,}; {len(members)} of the {len(layer)} LSOAs in {place.name}), grouped "
                f"into contiguous clusters (boundaries within {tolerance_m:g} m){split}; {len(clusters)} clusters "
                f"ranked by population-weighted IMD score, {kept}.")
    columns = ["cluster_id", "name", "rank", "n_lsoas", "population", "pop_weighted_score", "wards", "geometry"]
    keep = gpd.GeoDataFrame(keep[columns].reset_index(drop=True), geometry="geometry", crs=layer.crs)
    ids = clusters.set_index("_cluster")[["cluster_id", "name", "rank"]]
    membership = members.drop(columns="geometry").join(ids, on="_cluster")
    membership = membership[membership["cluster_id"].isin(keep["cluster_id"])]
    membership = pd.DataFrame(membership[["cluster_id", "name", "rank", "lsoa_code", "lsoa_name", "ward_code",
                                          "ward_name", "imd_score", "imd_rank", "imd_decile", "population",
                                          "edition", "lsoa_year"]])
    membership = membership.sort_values(["rank", "lsoa_code"], ignore_index=True)
    if candidates is not None:
        candidates = gpd.GeoDataFrame(candidates[columns], geometry="geometry", crs=layer.crs)
    keep.attrs["rule"] = rule
    return PriorityNeighbourhoods(clusters=keep, lsoas=membership, edition=edition, rule=rule,
                                  candidates=candidates)


def priority_neighbourhoods_from_rule(rule: str | float, edition: int, place: PlaceLike = "leeds",
                                      top_k: int | None = 6, data_dir: PathLike | None = None,
                                      **kwargs) -> PriorityNeighbourhoods:
    """:func:`priority_neighbourhoods` from a notebook parameter: ``"most_deprived_10pct"`` or a CSV path.

    Parameters
    ----------
    rule : str or float
        See :func:`parse_priority_rule`.
    edition : int
        The IMD edition, 2019 or 2025.
    place : str, Path or Place, default "leeds"
        The place.
    top_k : int or None, default 6
        Neighbourhoods kept by the percentage rule (a list keeps all).
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    **kwargs
        Further arguments of :func:`priority_neighbourhoods`.

    Returns
    -------
    PriorityNeighbourhoods

    Examples
    --------
    >>> found = priority_neighbourhoods_from_rule("most_deprived_5pct", 2019, top_k=None)  # doctest: +PUBLIC_DATA
    >>> len(found.clusters), found.rule.split(";")[0]  # doctest: +PUBLIC_DATA
    (22, 'LSOAs among the 5% most deprived in England (IMD 2019 national rank <= 1,642 of 32,844')
    """
    parsed = parse_priority_rule(rule)
    if isinstance(parsed, Path):
        return priority_neighbourhoods(edition, place, top_k=top_k, lsoa_list=parsed, data_dir=data_dir, **kwargs)
    return priority_neighbourhoods(edition, place, most_deprived_pct=parsed, top_k=top_k, data_dir=data_dir,
                                   **kwargs)
