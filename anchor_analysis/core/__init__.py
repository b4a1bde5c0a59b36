"""The kit's vocabulary: places, financial years, the Progression Framework, the metric catalogue, postcodes,
membership, the environment variables it reads, safe file writing, and every error it raises.

In: the kit's own data files (``anchor_analysis/data``). Out: plain Python objects and small frames that every
other stage builds on. Nothing here reads a network's returns or the public data.
"""

from __future__ import annotations

from anchor_analysis.core.definitions import (
    metric_definitions,
    sectors,
)
from anchor_analysis.core.errors import (
    AnchorAnalysisError,
    ArgumentError,
    BoundariesUnavailable,
    CannotCompute,
    ConfigError,
    DisclosureError,
    DiskFull,
    FolderLocked,
    GeographyError,
    InvalidReturns,
    NoDataError,
    NoReturnsError,
    PdfError,
    PostcodeLookupUnavailable,
    PriorityListError,
    ProcessedDataError,
    PublicDataChecksumError,
    PublicDataError,
    PublicDataFormatError,
    PublicDataMissing,
    ReportError,
    SpendError,
    UnknownAnchorError,
    ValidationFailed,
)
from anchor_analysis.core.files import (
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    ordinary_file_mode,
    sha256_file,
)
from anchor_analysis.core.framework import (
    LEVELS,
    Framework,
    load_framework,
)
from anchor_analysis.core.membership import (
    member_mask,
    members,
    membership_table,
)
from anchor_analysis.core.places import (
    BOUNDARY_LEVELS,
    ELSEWHERE,
    UNKNOWN,
    Place,
    PlaceDatasets,
    Ring,
    available_places,
    load_place,
)
from anchor_analysis.core.postcodes import (
    POSTCODE_PATTERN,
    is_valid_postcode,
    normalise_postcode,
    normalise_postcodes,
    valid_postcode_mask,
)
from anchor_analysis.core.settings import (
    CACHE_ENV,
    CHROMIUM_ENV,
    PROCESSED_ENV,
    PUBLIC_DATA_ENV,
    PUBLIC_DATA_URL_ENV,
)
from anchor_analysis.core.years import (
    financial_year,
    fy_dates,
    fy_label,
    parse_fy,
)

__all__ = [
    "CACHE_ENV",
    "CHROMIUM_ENV",
    "PROCESSED_ENV",
    "PUBLIC_DATA_ENV",
    "PUBLIC_DATA_URL_ENV",
    "AnchorAnalysisError",
    "ArgumentError",
    "BoundariesUnavailable",
    "CannotCompute",
    "ConfigError",
    "DisclosureError",
    "DiskFull",
    "FolderLocked",
    "GeographyError",
    "InvalidReturns",
    "NoDataError",
    "NoReturnsError",
    "PdfError",
    "PostcodeLookupUnavailable",
    "PriorityListError",
    "ProcessedDataError",
    "PublicDataChecksumError",
    "PublicDataError",
    "PublicDataFormatError",
    "PublicDataMissing",
    "ReportError",
    "SpendError",
    "UnknownAnchorError",
    "ValidationFailed",
    "financial_year",
    "fy_dates",
    "fy_label",
    "parse_fy",
    "BOUNDARY_LEVELS",
    "ELSEWHERE",
    "Place",
    "PlaceDatasets",
    "Ring",
    "UNKNOWN",
    "available_places",
    "load_place",
    "Framework",
    "LEVELS",
    "load_framework",
    "metric_definitions",
    "sectors",
    "POSTCODE_PATTERN",
    "is_valid_postcode",
    "normalise_postcode",
    "normalise_postcodes",
    "valid_postcode_mask",
    "member_mask",
    "members",
    "membership_table",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "ordinary_file_mode",
    "sha256_file",
]
