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
    """Round floats for CSV output: rates 1 dp, scores 3 dp, money 2 dp, shares 4 dp (see :data:`ROUNDING`).

    A column is rounded by the first :data:`ROUNDING` prefix it starts with, else to 4 places when it starts
    with ``share``; other columns, and columns that are not floats, are left as they are.

    Parameters
    ----------
    frame : DataFrame
        The table; a ``geometry`` column is dropped (a GeoDataFrame becomes a plain DataFrame).

    Returns
    -------
    DataFrame
        A rounded copy.

    Examples
    --------
    >>> frame = pd.DataFrame({"rate_per_1000": [12.345], "share_local": [0.123456], "spend": [1234.5678],
    ...                       "imd_score": [20.52512], "other": [1.23456], "count": [3]})
    >>> round_for_publication(frame).to_dict("records")
    [{'rate_per_1000': 12.3, 'share_local': 0.1235, 'spend': 1234.57, 'imd_score': 20.525, 'other': 1.23456,
      'count': 3}]
    """
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
    """A number as people read it: ``£511.0m``, ``64%``, ``62,300``, ``110,000 t``, ``2.68``.

    Parameters
    ----------
    value : float
        The number; None or NaN reads "not reported".
    unit : str
        The unit (the metric catalogue's, ``anchor_analysis/data/definitions.toml``, or a table column's,
        ``anchor_analysis/data/vocabulary.toml``): ``GBP`` (millions to one decimal, billions to two),
        ``share`` (a fraction shown as a whole percentage), ``percent`` (a percentage, signed, one
        decimal), ``tCO2e`` (whole tonnes), ``level`` (a framework level, two decimals),
        ``score`` (three decimals), ``rate`` (one decimal), ``flag`` (yes or no), ``fy`` (a financial year,
        ``2024/25``); any other unit (``people``, ``count``, ``ha``) gives the whole number with thousands separated.

    Returns
    -------
    str
        The formatted number.

    See Also
    --------
    readable_number : How tables show numbers of no known unit.

    Examples
    --------
    >>> format_value(1_450_000_000, "GBP"), format_value(62_300, "people")
    ('£1.45bn', '62,300')
    >>> format_value(511_000_000, "GBP"), format_value(0.64, "share"), format_value(110_000, "tCO2e")
    ('£511.0m', '64%', '110,000 t')
    >>> format_value(2.6812, "level"), format_value(-4.44, "percent"), format_value(2024, "fy")
    ('2.68', '-4.4%', '2024/25')
    >>> format_value(float("nan"), "people")
    'not reported'
    """
    if value is None or pd.isna(value):
        return "not reported"
    value = float(value)
    if unit in _FORMATS:
        return _FORMATS[unit](value)
    return f"{value:,.0f}"


def _pounds(value: float) -> str:
    """Pounds in billions to two decimals, else millions to one (£0.4m: a report's pounds are large)."""
    return f"£{value / 1e9:,.2f}bn" if abs(value) >= 1e9 else f"£{value / 1e6:,.1f}m"


_FORMATS = {
    "GBP": _pounds,
    "share": lambda v: f"{100 * v:.0f}%",
    "percent": lambda v: f"{v:+.1f}%",
    "tCO2e": lambda v: f"{v:,.0f} t",
    "level": lambda v: f"{v:.2f}",
    "score": lambda v: f"{v:.3f}",
    "rate": lambda v: f"{v:,.1f}",
    "flag": lambda v: "yes" if v else "no",
    "fy": lambda v: f"{int(v)}/{(int(v) + 1) % 100:02d}",
}


def readable_number(value: float) -> str:
    """How tables show numbers: thousands separated, no scientific notation.

    Whole numbers, and numbers of 100 or more, are shown without decimals; others to three places.

    Parameters
    ----------
    value : float
        The number; NaN gives ``""``.

    Returns
    -------
    str
        The formatted number.

    Examples
    --------
    >>> readable_number(1_450_000_000.0), readable_number(0.4567), readable_number(12.0)
    ('1,450,000,000', '0.457', '12')
    """
    if pd.isna(value):
        return ""
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3f}"
