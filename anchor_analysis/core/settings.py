"""Environment variables the kit reads, in one place.

Every path and switch a user sets from outside comes through one of these names.
"""

from __future__ import annotations

PUBLIC_DATA_ENV = "ANCHOR_ANALYSIS_PUBLIC_DATA"
"""The folder that holds the public reference data (laid out like ``../shared/data/public``)."""

PUBLIC_DATA_URL_ENV = "ANCHOR_ANALYSIS_PUBLIC_DATA_URL"
"""A base URL to download the public data from (used when no folder is set)."""

CACHE_ENV = "ANCHOR_ANALYSIS_CACHE"
"""The cache folder for downloads and tables derived from public data (default: the user cache folder)."""

PROCESSED_ENV = "ANCHOR_ANALYSIS_PROCESSED"
"""Where a network's derived tables go (default: ``data/processed/<network>`` beside ``data/raw/<network>``)."""

CHROMIUM_ENV = "ANCHOR_ANALYSIS_CHROMIUM"
"""The Chromium (or Chrome) binary that prints the report PDF."""
