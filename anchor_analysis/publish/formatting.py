"""Numbers as a reader sees them: values by unit, and columns rounded for publication.

>>> format_value(511_000_000, "GBP"), format_value(0.64, "share"), format_value(62_300, "people")
('£511.0m', '64%', '62,300')
"""

from __future__ import annotations

import pandas as pd

# --- published tables ---------------------------------------------------------------------------------------


ROUNDING = {"rate_per_1000": 1, "pop_weighted_score": 3, "spend": 2, "imd_score": 3}
"""Decimal places of published columns; shares (``share*``) get 4."""


def round_for_publication(frame: pd.DataFrame) -> pd.DataFrame:
    """Round floats for CSV output: rates 1 dp, scores 3 dp, money 2 dp, shares 4 dp (see :data:`ROUNDING`)."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        digits = next((d for prefix, d in ROUNDING.items() if column.startswith(prefix)), None)
        if digits is None and column.startswith("share"):
            digits = 4
        if digits is not None:
            out[column] = out[column].round(digits)
    return out


def format_value(value: float, unit: str) -> str:
    """A headline number as people read it: ``£511.0m``, ``64%``, ``62,300``, ``110,000 t``.

    >>> format_value(511_000_000, "GBP"), format_value(0.64, "share"), format_value(110_000, "tCO2e")
    ('£511.0m', '64%', '110,000 t')
    >>> format_value(float("nan"), "people")
    'not reported'
    """
    if value is None or pd.isna(value):
        return "not reported"
    if unit == "GBP":
        return f"£{value / 1e9:,.2f}bn" if abs(value) >= 1e9 else f"£{value / 1e6:,.1f}m"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "tCO2e":
        return f"{value:,.0f} t"
    return f"{value:,.0f}"


def readable_number(value: float) -> str:
    """How tables show numbers: thousands separated, no scientific notation.

    >>> readable_number(1_450_000_000.0), readable_number(0.4567), readable_number(12.0)
    ('1,450,000,000', '0.457', '12')
    """
    if pd.isna(value):
        return ""
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3f}"
