"""ONS geography lookups: LSOA to ward and local authority, LSOA 2011 to 2021, and postcodes (NSPL).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from anchor_analysis.core.places import Place, load_place
from anchor_analysis.public.datasets import LSOA_YEARS, LadCodes, PathLike
from anchor_analysis.public.parsers import _check_choice, _filter_lad, _table

# --- lookups ------------------------------------------------------------------------------------------------


def load_lsoa_lookup(
    lsoa_year: int, lad_code: LadCodes = None, data_dir: PathLike | None = None
) -> pd.DataFrame:
    """ONS LSOA -> electoral ward -> local authority best-fit lookup, England and Wales.

    Parameters
    ----------
    lsoa_year : {2011, 2021}
        2011: LSOA 2011 -> ward 2019 -> LAD 2019 (dataset ``lookup_lsoa11_ward19``). 2021: LSOA 2021 -> ward
        2024 -> LAD 2024 (dataset ``lookup_lsoa21_ward24``).
    lad_code : str or iterable of str, optional
        Keep only these local authorities (one code or several); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DataFrame
        Columns (str) ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name``; one row per LSOA,
        sorted by ``lsoa_code``.

    Raises
    ------
    ValueError
        ``lsoa_year`` is not 2011 or 2021, or a ``lad_code`` has no rows.
    PublicDataMissing, PublicDataChecksumError
        The lookup file cannot be found, or is not the registered file.

    Examples
    --------
    >>> lookup = load_lsoa_lookup(2021, "E08000035")  # doctest: +PUBLIC_DATA
    >>> len(lookup), lookup["ward_code"].nunique()  # doctest: +PUBLIC_DATA
    (488, 33)
    >>> len(load_lsoa_lookup(2011, "E08000035"))  # doctest: +PUBLIC_DATA
    482
    """
    _check_choice(lsoa_year, LSOA_YEARS, "lsoa_year")
    key = "lookup_lsoa11_ward19" if lsoa_year == 2011 else "lookup_lsoa21_ward24"
    frame = _table(key, data_dir).sort_values("lsoa_code", ignore_index=True)
    return _filter_lad(frame, lad_code, "lad_code", f"the LSOA {lsoa_year} lookup")


def load_lsoa11_to_lsoa21(lad_code: LadCodes = None, data_dir: PathLike | None = None) -> pd.DataFrame:
    """ONS LSOA 2011 -> LSOA 2021 exact-fit lookup, England and Wales (dataset ``lookup_lsoa11_lsoa21``).

    ``change_code``: ``U`` unchanged, ``S`` the 2011 LSOA was split, ``M`` merged with others, ``X`` complex
    redesign.

    Parameters
    ----------
    lad_code : str or iterable of str, optional
        Keep only these local authorities (LAD 2022 codes); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DataFrame
        One row per (LSOA11, LSOA21) pair, sorted by both codes. Columns (str): ``lsoa11_code, lsoa21_code,
        change_code, lsoa11_name, lsoa21_name, lad_code, lad_name`` (``lad_*`` are LAD 2022).

    Raises
    ------
    ValueError
        A ``lad_code`` has no rows.
    PublicDataMissing, PublicDataChecksumError
        The lookup file cannot be found, or is not the registered file.

    Examples
    --------
    >>> load_lsoa11_to_lsoa21("E08000035")["change_code"].value_counts().to_dict()  # doctest: +PUBLIC_DATA
    {'U': 473, 'S': 14, 'M': 2}
    """
    frame = _table("lookup_lsoa11_lsoa21", data_dir)
    columns = ["lsoa11_code", "lsoa21_code", "change_code", "lsoa11_name", "lsoa21_name"]
    frame = frame[[*columns, "lad_code", "lad_name"]]
    frame = frame.sort_values(["lsoa11_code", "lsoa21_code"], ignore_index=True)
    return _filter_lad(frame, lad_code, "lad_code", "the LSOA 2011 -> 2021 lookup")


def _apportion(values: pd.DataFrame, pairs: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Apportion integer LSOA11 counts to LSOA21 through ``pairs`` (``lsoa11_code, lsoa21_code``).

    Each LSOA11's count is divided equally among the LSOA21s it maps to (whole numbers; the remainder goes one
    each to the first LSOA21s by code, so totals are kept exactly), then summed per LSOA21. Unchanged LSOAs
    keep their count, split ones share it, merged ones add up. LSOA11s absent from ``values`` contribute
    nothing. Returns ``lsoa21_code`` plus ``columns`` (int64).
    """
    out = pairs[["lsoa11_code", "lsoa21_code"]].drop_duplicates().merge(values, on="lsoa11_code", how="inner")
    out = out.sort_values(["lsoa11_code", "lsoa21_code"], ignore_index=True)
    groups = out.groupby("lsoa11_code", sort=False)
    parts = groups["lsoa21_code"].transform("size")
    order = groups.cumcount()
    for column in columns:
        total = out[column].astype("int64")
        out[column] = total // parts + (order < total % parts).astype("int64")
    return out.groupby("lsoa21_code", as_index=False)[list(columns)].sum()


# --- postcodes ----------------------------------------------------------------------------------------------

_POSTCODE_SCOPES = ("region", "place")


def postcode_dataset(scope: str = "region", place: str | Place = "leeds") -> str:
    """The registry key of the place's postcode lookup of ``scope`` (its ``[datasets]`` table).

    Parameters
    ----------
    scope : {"region", "place"}, default "region"
        ``"region"``: the place's ``postcodes`` dataset (the postcode areas around it). ``"place"``: its
        ``postcodes_place`` dataset where it names one, else the regional one (filtered to the place by
        :func:`load_postcode_lookup`).
    place : str, path-like or Place, default "leeds"
        The place.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        An unknown ``scope``.

    Examples
    --------
    >>> postcode_dataset(), postcode_dataset("place"), postcode_dataset(place="birmingham")
    ('postcodes_region', 'postcodes_place', 'postcodes_west_midlands')
    """
    _check_choice(scope, _POSTCODE_SCOPES, "postcode scope")
    datasets = load_place(place).datasets
    return datasets.postcodes_place if scope == "place" and datasets.postcodes_place else datasets.postcodes


def load_postcode_lookup(
    scope: str = "region",
    columns: Sequence[str] | None = None,
    lad_code: LadCodes = None,
    data_dir: PathLike | None = None,
    place: str | Place = "leeds",
) -> pd.DataFrame:
    """ONS National Statistics Postcode Lookup (August 2024) slices, one row per postcode.

    Which slice is the place's configuration (:func:`postcode_dataset`).

    Parameters
    ----------
    scope : {"region", "place"}, default "region"
        ``"region"``: the place's regional lookup (Leeds: all postcodes in the LS, BD, WF, HX, HD, HG and YO areas,
        135,044 rows, dataset ``postcodes_region``; Birmingham: the B, CV, DY, WS and WV areas, 135,856 rows,
        ``postcodes_west_midlands``). ``"place"``: the place's own slice where the public data has one (Leeds: every
        LS postcode plus the BD/WF postcodes in Leeds LA, 33,806 rows, ``postcodes_place``), else the regional
        lookup's postcodes in the place's local authority.
    columns : sequence of str, optional
        Keep only these columns, in this order.
    lad_code : str or iterable of str, optional
        Keep only the postcodes of these local authorities (``lad24_code``); every code must be found.
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.
    place : str, path-like or Place, default "leeds"
        The place whose configuration names the lookup.

    Returns
    -------
    DataFrame
        One row per postcode, with the columns listed under Notes (or only ``columns``).

    Raises
    ------
    ValueError
        An unknown ``scope`` or column, or a ``lad_code`` without postcodes.
    PublicDataMissing, PublicDataChecksumError
        The lookup file cannot be found, or is not the registered file.

    Notes
    -----
    Columns as in the file: ``postcode`` (str, normalised "LS1 1UR" form), ``postcode_district``,
    ``postcode_area``, ``lad24_code``, ``lad24_name``, ``ward24_code``, ``ward24_name``, ``lsoa21_code``,
    ``lsoa21_name``, ``lsoa11_code`` (category), ``latitude``, ``longitude`` (float64, WGS84),
    ``imd2025_rank``, ``imd2025_decile``, ``imd2019_rank``, ``imd2019_decile`` (nullable Int64), and a last bool
    column naming the place the slice was made for (``in_leeds_la``, ``in_birmingham_la``). ``lsoa11_code`` and the
    IMD 2019 columns are blank where the LSOA21 does not come from a single LSOA11. Unlocated postcodes (265 in the
    Leeds region, 286 in the West Midlands one) have every geography blank (including ``longitude``, which NSPL
    sets to 0.0 for them). Live and terminated postcodes are both included.

    Examples
    --------
    >>> lookup = load_postcode_lookup("place").set_index("postcode")  # doctest: +PUBLIC_DATA
    >>> lookup.loc["LS1 1UR", ["lad24_code", "ward24_name", "lsoa21_code"]].tolist()  # doctest: +PUBLIC_DATA
    ['E08000035', 'Little London & Woodhouse', 'E01033010']
    >>> load_postcode_lookup(columns=["postcode", "lsoa21_code"]).shape  # doctest: +PUBLIC_DATA
    (135044, 2)
    >>> brum = load_postcode_lookup("place", place="birmingham")  # doctest: +PUBLIC_DATA
    >>> len(brum), brum["lad24_name"].unique().tolist()  # doctest: +PUBLIC_DATA
    (34915, ['Birmingham'])
    """
    key = postcode_dataset(scope, place)
    frame = _table(key, data_dir)
    if scope == "place" and key == load_place(place).datasets.postcodes:
        frame = _filter_lad(frame, load_place(place).local_authority_code, "lad24_code", f"the {key} lookup")
    frame = _filter_lad(frame, lad_code, "lad24_code", f"the {scope} postcode lookup")
    if columns is not None:
        unknown = [c for c in columns if c not in frame.columns]
        if unknown:
            known = list(frame.columns)
            raise ValueError(f"unknown postcode lookup column(s) {unknown}; columns are {known}")
        frame = frame[list(columns)]
    return frame
