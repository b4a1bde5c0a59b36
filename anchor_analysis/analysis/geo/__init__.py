"""Deprivation geography of a place: IMD profiles, ward summaries, priority neighbourhoods, where staff live and
where spend lands.

Geographies and editions
------------------------
IMD 2019 is published on 2011 LSOAs, IMD 2025 on 2021 LSOAs (``EDITION_LSOA_YEAR``). Deciles and ranks are
relative *within* an edition and the two editions use different LSOAs, so they are never compared by
subtraction (see :data:`EDITION_CAVEAT` and :func:`editions_side_by_side`).

Wards come from the ONS best-fit lookups (LSOA 2011 -> ward 2019, LSOA 2021 -> ward 2024). Ward codes are
reported as the current (2024) codes, which are the codes of the ward boundaries: where a 2019 ward code changed
after a boundary amendment but the ward kept its name (Leeds: Garforth & Swillington, Temple Newsam) the 2019
lookup's code is replaced by the current code of the same-named ward in the same local authority.

Staff residence arrives as counts by LSOA 2021 (postcodes are aggregated on read by :mod:`anchor_analysis.contracts`;
no postcode reaches anything here). For IMD 2019 each LSOA 2021 takes the IMD 2019 values of its best-fit
LSOA 2011 (:func:`anchor_analysis.public.imd_for_lsoa21`: unchanged and split LSOAs inherit their 2011 LSOA's
values, a merged LSOA takes those of its most populous constituent), and the same best-fit LSOA 2011 places it
in a 2011-based priority neighbourhood. LSOAs outside England (Wales) have no English IMD and count as not
deprived; staff with no LSOA (postcode not located) count in totals only.

Anything that counts people is published through :func:`publish_counts` (disclosure control with the place's
threshold).

>>> EDITION_LSOA_YEAR[2019], EDITION_LSOA_YEAR[2025]
(2011, 2021)
>>> most_deprived_cutoff(32_844, 10)
3284
>>> parse_priority_rule("most_deprived_10pct")
10.0
"""

from __future__ import annotations

from anchor_analysis.analysis.geo.areas import (
    DEFAULT_SPLIT_ABOVE_LSOAS,
    DEFAULT_TOLERANCE_M,
    EDITION_CAVEAT,
    EDITION_LSOA_YEAR,
    OUTSIDE_LOOKUP,
    POPULATION_NOTE,
    UNKNOWN_AREA,
    PathLike,
    PlaceLike,
    attribution_keys,
    deprivation_profile,
    describe_deprivation,
    edition_for_lsoa_year,
    editions_side_by_side,
    lsoa_wards,
    most_deprived_cutoff,
    place_lsoas,
    ward_deprivation,
)
from anchor_analysis.analysis.geo.landing import (
    describe_spend_landing,
    influenceable_lines,
    locate_suppliers,
    spend_by_ward,
    spend_in_priority_neighbourhoods,
)
from anchor_analysis.analysis.geo.layers import (
    has_boundaries,
    lsoa_layer,
    no_boundaries_note,
    place_outline,
    site_locations,
    ward_layer,
    with_geometry,
)
from anchor_analysis.analysis.geo.neighbourhoods import (
    PriorityNeighbourhoods,
    adjacency_pairs,
    parse_priority_rule,
    priority_neighbourhoods,
    priority_neighbourhoods_from_rule,
)
from anchor_analysis.analysis.geo.residence import (
    STAFF_TABLES,
    describe_staff_in_most_deprived,
    lsoa21_to_edition,
    staff_by_area,
    staff_by_ward_and_anchor,
    staff_by_ward_and_anchor_every_year,
    staff_in_most_deprived,
    staff_in_priority_neighbourhoods,
    staff_rates,
    staff_tables,
)


def clear_cache() -> None:
    """Forget this package's cached lookups and the public data caches (e.g. after changing the data folder).

    The next call reads (and verifies) the public files again.

    Examples
    --------
    >>> from anchor_analysis.analysis.geo import areas
    >>> clear_cache()
    >>> areas._lsoa_wards.cache_info().currsize
    0
    """
    from anchor_analysis import public
    from anchor_analysis.analysis.geo import areas, residence

    areas._lsoa_wards.cache_clear()
    residence._lsoa21_to_edition.cache_clear()
    public.clear_cache()


__all__ = [
    "describe_spend_landing",
    "staff_by_ward_and_anchor_every_year",
    "describe_staff_in_most_deprived",
    "describe_deprivation",
    "DEFAULT_SPLIT_ABOVE_LSOAS",
    "DEFAULT_TOLERANCE_M",
    "EDITION_CAVEAT",
    "EDITION_LSOA_YEAR",
    "OUTSIDE_LOOKUP",
    "POPULATION_NOTE",
    "PathLike",
    "PlaceLike",
    "UNKNOWN_AREA",
    "attribution_keys",
    "deprivation_profile",
    "edition_for_lsoa_year",
    "editions_side_by_side",
    "has_boundaries",
    "lsoa_layer",
    "lsoa_wards",
    "most_deprived_cutoff",
    "no_boundaries_note",
    "place_lsoas",
    "place_outline",
    "ward_deprivation",
    "ward_layer",
    "with_geometry",
    "site_locations",
    "PriorityNeighbourhoods",
    "adjacency_pairs",
    "parse_priority_rule",
    "priority_neighbourhoods",
    "priority_neighbourhoods_from_rule",
    "STAFF_TABLES",
    "lsoa21_to_edition",
    "staff_by_area",
    "staff_by_ward_and_anchor",
    "staff_in_most_deprived",
    "staff_in_priority_neighbourhoods",
    "staff_rates",
    "staff_tables",
    "influenceable_lines",
    "locate_suppliers",
    "spend_by_ward",
    "spend_in_priority_neighbourhoods",
    "clear_cache",
]
