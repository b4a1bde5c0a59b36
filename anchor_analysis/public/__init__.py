"""Public reference data: a checksummed registry and loaders that return tidy frames.

The kit never ships public data. Each file listed in ``anchor_analysis/data/public_datasets.toml`` is read
from the folder named by the environment variable ``ANCHOR_ANALYSIS_PUBLIC_DATA`` (or a ``data_dir``
argument) or, when no folder is configured and ``ANCHOR_ANALYSIS_PUBLIC_DATA_URL`` gives a base URL,
downloaded once into a local cache with pooch (``ANCHOR_ANALYSIS_CACHE`` overrides the cache folder).
Every file is checked against its registered SHA-256 before it is read (once per process per file), so
analyses always run on the published bytes. Heavy reads are cached within the process; loaders return
copies, so callers may modify what they get. Tables derived from the files that take long to build (the joined
national IMD tables, the council spending profile) are also kept across runs by :func:`cached_derived_table`,
keyed on the files' checksums and the code that builds them.

The registry and attribution statements need no data:

>>> reg = registry()
>>> reg.set_index("key").loc["imd2019_file1", "licence"]
'Open Government Licence v3.0'
>>> print(attribution(["imd2019_file1", "imd2019_file2", "imd2025_lsoa21"]))
Contains public sector information licensed under the Open Government Licence v3.0.

The loaders need the data (``ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public``):

>>> imd = load_imd(2019, lad_code="E08000035")  # doctest: +PUBLIC_DATA
>>> len(imd), int((imd["imd_decile"] == 1).sum()), int(imd["population"].sum())  # doctest: +PUBLIC_DATA
(482, 114, 771857)
>>> load_postcode_lookup("place").set_index("postcode").loc["LS1 1UR", "ward24_name"]  # doctest: +PUBLIC_DATA
'Little London & Woodhouse'
"""

from __future__ import annotations

from anchor_analysis.core.errors import PublicDataChecksumError, PublicDataMissing
from anchor_analysis.core.settings import CACHE_ENV, PUBLIC_DATA_ENV, PUBLIC_DATA_URL_ENV
from anchor_analysis.public.boundaries import (
    load_lad_boundaries,
    load_lsoa_boundaries,
    load_ward_boundaries,
)
from anchor_analysis.public.cache import (
    cached_derived_table,
    code_digest,
    derived_cache_dir,
)
from anchor_analysis.public.datasets import (
    BRITISH_NATIONAL_GRID,
    DOMAINS,
    IMD_EDITIONS,
    LSOA_YEARS,
    Dataset,
    LadCodes,
    PathLike,
    attribution,
    dataset_path,
    place_datasets,
    registry,
)
from anchor_analysis.public.imd import (
    POPULATION_SOURCE_2019,
    POPULATION_SOURCE_2025,
    imd_for_lsoa21,
    load_imd,
    load_lad_summaries,
)
from anchor_analysis.public.lookups import (
    load_lsoa11_to_lsoa21,
    load_lsoa_lookup,
    load_postcode_lookup,
    postcode_dataset,
)
from anchor_analysis.public.spending import (
    COUNCIL_COLUMNS,
    load_spending,
    write_council_spend,
)


def clear_cache() -> None:
    """Forget verified checksums and cached reads (e.g. after replacing files).

    The next read of each file hashes it again and parses it afresh; tables kept across runs
    (:func:`cached_derived_table`) are keyed on the registered checksums and stay valid.

    Examples
    --------
    >>> from anchor_analysis.public import datasets
    >>> clear_cache()
    >>> datasets._VERIFIED
    {}
    """
    from anchor_analysis.public import boundaries, datasets, imd, parsers, spending

    datasets._VERIFIED.clear()
    parsers._read_cached.cache_clear()
    spending._read_spending.cache_clear()
    boundaries._read_boundaries.cache_clear()
    imd._imd_national.cache_clear()


__all__ = [
    "CACHE_ENV",
    "PUBLIC_DATA_ENV",
    "PUBLIC_DATA_URL_ENV",
    "PublicDataChecksumError",
    "PublicDataMissing",
    "BRITISH_NATIONAL_GRID",
    "DOMAINS",
    "Dataset",
    "IMD_EDITIONS",
    "LSOA_YEARS",
    "LadCodes",
    "PathLike",
    "attribution",
    "dataset_path",
    "place_datasets",
    "registry",
    "cached_derived_table",
    "code_digest",
    "derived_cache_dir",
    "load_lsoa11_to_lsoa21",
    "load_lsoa_lookup",
    "load_postcode_lookup",
    "postcode_dataset",
    "POPULATION_SOURCE_2019",
    "POPULATION_SOURCE_2025",
    "imd_for_lsoa21",
    "load_imd",
    "load_lad_summaries",
    "load_lad_boundaries",
    "load_lsoa_boundaries",
    "load_ward_boundaries",
    "load_spending",
    "write_council_spend",
    "COUNCIL_COLUMNS",
    "clear_cache",
]
