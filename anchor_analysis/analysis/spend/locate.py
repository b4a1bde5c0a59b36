"""Locating supplier postcodes: ring of the place, LSOA 2021 and IMD decile, with how each matched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import (
    _CLASSIFICATION_COLUMNS,
    EDITION_DECILES,
    IMD_EDITIONS,
    MATCH_STATUSES,
)
from anchor_analysis.core.errors import SpendError
from anchor_analysis.core.places import ELSEWHERE, UNKNOWN, Place, load_place

# --- the postcode lookup ------------------------------------------------------------------------------------

def _ring_of_lad(place: Place) -> dict[str, str]:
    """Each LAD code of the place's rings -> the key of the innermost ring that holds it."""
    ring_of: dict[str, str] = {}
    for ring in reversed(place.rings):  # innermost ring last, so it wins
        for lad in ring.lad_codes:
            ring_of[lad] = ring.key
    return ring_of


def _ring_dtype(place: Place) -> pd.CategoricalDtype:
    """The ordered categorical of the place's rings, then ``elsewhere`` and ``unknown``."""
    return pd.CategoricalDtype([*place.ring_keys, UNKNOWN], ordered=True)


_STATUS_DTYPE = pd.CategoricalDtype(list(MATCH_STATUSES), ordered=True)


def _check_edition(imd_edition: int) -> int:
    """The IMD edition as an int; :class:`SpendError` unless it is one of :data:`IMD_EDITIONS`."""
    if int(imd_edition) not in IMD_EDITIONS:
        raise SpendError(f"imd_edition must be one of {list(IMD_EDITIONS)}, got {imd_edition!r}")
    return int(imd_edition)


def prepare_postcode_lookup(
    lookup: pd.DataFrame, place: str | Place = "leeds", imd_edition: int = 2019, imd: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Reduce a postcode lookup to what classification needs: one row per normalised postcode.

    ``imd`` replaces the lookup's own decile column, which leaves IMD 2019 blank where several 2011 LSOAs merged.
    The lookup must hold the place's own local authority: without it every local supplier would silently be
    "elsewhere".

    Parameters
    ----------
    lookup : DataFrame
        ``postcode`` (normalised "LS1 1UR" form), ``lad24_code`` and ``lsoa21_code``, plus ``imd<edition>_decile``
        unless ``imd`` is given; ``postcode_area`` is derived when absent.
    place : str or Place, default "leeds"
        The place whose rings classify the local authorities.
    imd_edition : int, default 2019
        The IMD edition of ``imd_decile``: 2019 or 2025.
    imd : DataFrame, optional
        Deciles per LSOA 2021 (``lsoa21_code, imd_decile``, e.g. :func:`anchor_analysis.public.imd_for_lsoa21`).

    Returns
    -------
    DataFrame
        ``postcode, postcode_area, lad_code, lsoa21_code, imd_decile`` (Int64) and ``ring``, then ``imd2019_decile``
        and ``imd2025_decile`` (each edition's decile, Int64) for those the lookup carries, so one classification
        serves either edition (:data:`~anchor_analysis.analysis.spend.common.EDITION_DECILES`).

    Raises
    ------
    SpendError
        If ``imd_edition`` is not 2019 or 2025, a column is missing, a postcode repeats, or the lookup has no postcode
        at all in the place's own local authority.

    Examples
    --------
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR", "BD1 1AA"], "lad24_code": ["E08000035", "E08000032"],
    ...                        "lsoa21_code": ["E01033010", "E01033690"], "imd2019_decile": [3, 1]})
    >>> prepare_postcode_lookup(lookup)[["postcode", "postcode_area", "ring", "imd_decile"]].values.tolist()
    [['LS1 1UR', 'LS', 'leeds', 3], ['BD1 1AA', 'BD', 'west_yorkshire', 1]]
    >>> prepare_postcode_lookup(lookup.iloc[[1]])
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.SpendError: the postcode lookup has no postcode in Leeds (E08000035): use a lookup
    covering the place, e.g. public.load_postcode_lookup('region', place='leeds')
    """
    place = load_place(place)
    edition = _check_edition(imd_edition)
    decile_column = f"imd{edition}_decile"
    needed = ["postcode", "lad24_code", "lsoa21_code"] + ([] if imd is not None else [decile_column])
    missing = [c for c in needed if c not in lookup.columns]
    if missing:
        raise SpendError(f"the postcode lookup lacks column(s) {missing}; it has {list(lookup.columns)}")
    out = pd.DataFrame({
        "postcode": lookup["postcode"].astype("str").to_numpy(),
        "lad_code": lookup["lad24_code"].astype("str").to_numpy(),
        "lsoa21_code": lookup["lsoa21_code"].astype("str").to_numpy(),
    })
    if "postcode_area" in lookup.columns:
        out["postcode_area"] = lookup["postcode_area"].astype("str").to_numpy()
    else:
        out["postcode_area"] = out["postcode"].str.extract(r"^([A-Z]+)", expand=False)
    if imd is not None:
        if not {"lsoa21_code", "imd_decile"} <= set(imd.columns):
            raise SpendError(f"imd must have columns lsoa21_code and imd_decile; it has {list(imd.columns)}")
        unique = imd.drop_duplicates("lsoa21_code")
        deciles = pd.Series(pd.to_numeric(unique["imd_decile"]).to_numpy(), index=unique["lsoa21_code"].astype("str"))
        out["imd_decile"] = out["lsoa21_code"].map(deciles).astype("Int64")
    else:
        out["imd_decile"] = pd.array(pd.to_numeric(lookup[decile_column]).to_numpy(), dtype="Int64")
    out = out[out["postcode"].notna()]
    repeated = out["postcode"][out["postcode"].duplicated()]
    if len(repeated):
        raise SpendError(f"the postcode lookup repeats {len(repeated)} postcode(s), e.g. {repeated.iloc[0]!r}")
    inner = place.rings[0]
    if not out["lad_code"].isin(inner.lad_codes).any():
        example = f"public.load_postcode_lookup('region', place={place.key!r})"
        raise SpendError(f"the postcode lookup has no postcode in {inner.label} ({', '.join(inner.lad_codes)}): "
                         f"use a lookup covering the place, e.g. {example}")
    ring_of = _ring_of_lad(place)
    ring = out["lad_code"].map(ring_of).astype("str")
    out["ring"] = ring.where(ring.notna(), np.where(out["lad_code"].isna(), UNKNOWN, ELSEWHERE))
    extra = [c for c in EDITION_DECILES if c in lookup.columns]
    for column in extra:
        out[column] = pd.array(pd.to_numeric(lookup.loc[out.index, column]).to_numpy(), dtype="Int64")
    columns = ["postcode", "postcode_area", "lad_code", "lsoa21_code", "imd_decile", "ring", *extra]
    return out[columns].reset_index(drop=True)


def _load_lookup(lookup: pd.DataFrame | None, place: str | Place = "leeds", data_dir: Any = None) -> pd.DataFrame:
    """The lookup given, else the place's public regional postcode lookup."""
    if lookup is not None:
        return lookup
    from anchor_analysis import public

    return public.load_postcode_lookup("region", data_dir=data_dir, place=place)


# --- classification -----------------------------------------------------------------------------------------

def _postcode_pattern() -> str:
    """The regular expression of a valid normalised postcode (``anchor_analysis.core.postcodes.POSTCODE_PATTERN``)."""
    from anchor_analysis.core.postcodes import POSTCODE_PATTERN

    return POSTCODE_PATTERN


def classify_supplier_postcodes(
    ledger: pd.DataFrame,
    lookup: pd.DataFrame | None = None,
    place: str | Place = "leeds",
    imd_edition: int = 2019,
    *,
    imd: pd.DataFrame | None = None,
    outside_lookup: str = ELSEWHERE,
    postcode_column: str = "supplier_postcode",
) -> pd.DataFrame:
    """Locate every line's supplier postcode: ring of the place, LSOA 2021 and IMD decile.

    Postcodes are normalised first (:func:`anchor_analysis.core.normalise_postcodes`: ``"ls11ur"`` ->
    ``"LS1 1UR"``). Postcodes of areas the lookup does not cover at all (``M1 1AE`` when the lookup holds LS, BD, WF,
    HX, HD, HG and YO) get ``match_status="outside_lookup_area"`` and the ring ``outside_lookup`` (``elsewhere`` by
    default, or ``unknown``). That is right when the place's rings lie wholly inside the covered areas: Leeds LA does
    (LS, BD, WF), but West Yorkshire also has OL14 (Todmorden, Calderdale), so keep such suppliers in mind or use a
    wider lookup. Each distinct postcode is located once.

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines or the supplier-level table, with the postcode column.
    lookup : DataFrame, optional
        A postcode lookup (see :func:`prepare_postcode_lookup`); default the place's regional lookup
        (``public.load_postcode_lookup("region", place=place)``).
    place : str or Place, default "leeds"
        The place whose rings classify the suppliers.
    imd_edition : int, default 2019
        The IMD edition of ``imd_decile``: 2019 or 2025.
    imd : DataFrame, optional
        Deciles per LSOA 2021 replacing the lookup's (see :func:`prepare_postcode_lookup`).
    outside_lookup : {"elsewhere", "unknown"}, default "elsewhere"
        The ring of a well-formed postcode of an area the lookup does not cover.
    postcode_column : str, default "supplier_postcode"
        The column holding the postcodes.

    Returns
    -------
    DataFrame
        A copy of ``ledger`` with

        - ``postcode_normalised`` (str), ``postcode_area`` (str: the letters of the outward code, for valid
          postcodes)
        - ``match_status``: one of :data:`MATCH_STATUSES` (ordered categorical)
        - ``lad_code``, ``lsoa21_code`` (str): the supplier's local authority (LAD 2024) and LSOA 2021
        - ``ring``: the innermost ring of the place whose LADs include the supplier's, else ``elsewhere``;
          ``unknown`` for blank, malformed, not-found and unlocated postcodes (ordered categorical: rings,
          elsewhere, unknown)
        - ``imd_decile`` (Int64): national IMD decile of the supplier's LSOA in edition ``imd_edition`` (1 = most
          deprived 10%); deciles of different editions are never comparable
        - ``imd2019_decile``, ``imd2025_decile`` (Int64) where the lookup carries them.

    Raises
    ------
    SpendError
        If ``outside_lookup`` is neither ring, the postcode column is missing, or the lookup cannot be used.

    Examples
    --------
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
    ...                        "imd2019_decile": [3]})
    >>> lines = pd.DataFrame({"supplier_postcode": ["ls1 1ur", "M1 1AE", "LS99 9ZZ", "LS1", None]})
    >>> classify_supplier_postcodes(lines, lookup)[["match_status", "ring"]].astype(str).values.tolist()
    [['matched', 'leeds'], ['outside_lookup_area', 'elsewhere'], ['not_found', 'unknown'],
     ['malformed', 'unknown'], ['blank', 'unknown']]
    >>> suppliers = pd.DataFrame({"supplier_postcode": ["LS2 9JT", "BD1 1AA"]})
    >>> located = classify_supplier_postcodes(suppliers)  # the public regional lookup  # doctest: +PUBLIC_DATA
    >>> located[["ring", "lsoa21_code", "imd_decile"]].astype(str).values.tolist()  # doctest: +PUBLIC_DATA
    [['leeds', 'E01035044', '5'], ['west_yorkshire', 'E01033690', '3']]
    """
    place = load_place(place)
    if outside_lookup not in (ELSEWHERE, UNKNOWN):
        raise SpendError(f"outside_lookup must be {ELSEWHERE!r} or {UNKNOWN!r}, got {outside_lookup!r}")
    if postcode_column not in ledger.columns:
        raise SpendError(f"the ledger has no {postcode_column!r} column; it has {list(ledger.columns)}")
    prepared = prepare_postcode_lookup(_load_lookup(lookup, place), place, imd_edition, imd)
    codes, distinct = pd.factorize(ledger[postcode_column].astype("str"), use_na_sentinel=True)
    located = _locate(pd.Series(np.asarray(distinct, dtype=object), dtype="str"), prepared, place, outside_lookup)
    # row len(distinct) of `located` is the blank row that missing postcodes (code -1) point to
    take = np.where(codes < 0, len(distinct), codes)
    out = ledger.copy()
    for column in [*_CLASSIFICATION_COLUMNS, *(c for c in EDITION_DECILES if c in located.columns)]:
        out[column] = located[column].take(take).to_numpy()
        out[column] = out[column].astype(located[column].dtype)
    return out


def _locate(raw: pd.Series, prepared: pd.DataFrame, place: Place, outside_lookup: str) -> pd.DataFrame:
    """Classification of each distinct raw postcode, plus a final row for a missing one."""
    from anchor_analysis.core.postcodes import normalise_postcodes

    raw = pd.concat([raw, pd.Series([pd.NA], dtype="str")], ignore_index=True)
    normalised = normalise_postcodes(raw)
    valid = normalised.str.fullmatch(_postcode_pattern()).fillna(False).astype(bool)
    area = normalised.str.extract(r"^([A-Z]+)", expand=False).where(valid)
    found = prepared.set_index("postcode")
    key = normalised.where(valid)
    # a hash lookup: pandas 3's isin on a str column converts each of the ~270,000 lookup postcodes one by one
    in_lookup = found.index.unique().get_indexer(key) >= 0
    has_lad = key.map(found["lad_code"]).notna().to_numpy()
    covered = area.isin(set(prepared["postcode_area"].dropna())).to_numpy()
    status = np.select(
        [normalised.isna().to_numpy(), ~valid.to_numpy(), in_lookup & has_lad, in_lookup, ~covered],
        ["blank", "malformed", "matched", "unlocated", "outside_lookup_area"],
        default="not_found",
    )
    matched = pd.Series(status == "matched")
    key = key.where(in_lookup)

    def from_lookup(column: str) -> pd.Series:
        """The lookup's ``column`` for each located postcode."""
        return key.map(found[column])

    ring = from_lookup("ring").where(matched, UNKNOWN)
    ring = ring.where(pd.Series(status != "outside_lookup_area"), outside_lookup)
    editions = {c: from_lookup(c).astype("Int64") for c in EDITION_DECILES if c in prepared.columns}
    return pd.DataFrame({
        "postcode_normalised": normalised.astype("str"),
        "postcode_area": area.astype("str"),
        "match_status": pd.Categorical(status, dtype=_STATUS_DTYPE),
        "lad_code": from_lookup("lad_code").astype("str"),
        "ring": pd.Categorical(ring.astype(object), dtype=_ring_dtype(place)),
        "lsoa21_code": from_lookup("lsoa21_code").astype("str"),
        "imd_decile": from_lookup("imd_decile").astype("Int64"),
        **editions,
    })
