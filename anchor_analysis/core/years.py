"""Financial years: April to March, named by the calendar year they start in.

The one place the kit turns dates into financial years and years into labels.

>>> fy_label(2023)
'2023/24'
>>> parse_fy("2023/24"), parse_fy(2023)
(2023, 2023)
>>> import pandas as pd
>>> financial_year(pd.Series(["2024-03-31", "2024-04-01", None])).tolist()
[2023, 2024, <NA>]
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.core.errors import ConfigError


def fy_label(year: int) -> str:
    """Label a financial year by its starting calendar year: ``2023`` -> ``"2023/24"``.

    Parameters
    ----------
    year : int
        The financial year's starting calendar year (anything ``int()`` accepts).

    Returns
    -------
    str
        The label ``YYYY/YY``.

    See Also
    --------
    parse_fy : The inverse.

    Examples
    --------
    >>> fy_label(2023), fy_label("2019"), fy_label(1999)
    ('2023/24', '2019/20', '1999/00')
    """
    year = int(year)
    return f"{year}/{(year + 1) % 100:02d}"


def parse_fy(label: str | int) -> int:
    """Inverse of :func:`fy_label`; also accepts a plain year. ``"2023/24"`` -> ``2023``.

    Parameters
    ----------
    label : str or int
        A financial year written ``2023/24`` or ``2023`` (surrounding spaces are ignored).

    Returns
    -------
    int
        The financial year's starting calendar year.

    Raises
    ------
    ConfigError
        ``label`` is not a financial year (e.g. ``"2023/25"``: the years are not consecutive).

    Examples
    --------
    >>> parse_fy("2023/24"), parse_fy(2023), parse_fy(" 1999/00 ")
    (2023, 2023, 1999)
    >>> parse_fy("2023/25")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ConfigError: '2023/25' is not a financial year: write 2023 or 2023/24
    """
    text = str(label).strip()
    if text.isdigit() and len(text) == 4:
        return int(text)
    start, _, end = text.partition("/")
    # "2023/24" and "2023/2024" name 2023; "2023/124" or "2023/25" name no year
    if start.isdigit() and end.isdigit() and len(start) == 4:
        follows = int(end) == ((int(start) + 1) % 100 if len(end) == 2 else int(start) + 1)
        if follows and len(end) in (2, 4):
            return int(start)
    raise ConfigError(f"{label!r} is not a financial year: write 2023 or 2023/24")


def financial_year(dates: pd.Series) -> pd.Series:
    """The financial year (its starting calendar year) of each date: 2024-03-31 -> 2023, 2024-04-01 -> 2024.

    Parameters
    ----------
    dates : Series
        Datetimes, or ISO dates as text.

    Returns
    -------
    Series
        Nullable ``Int64`` on the same index, whatever came in; a missing or unreadable date gives ``<NA>``.

    Examples
    --------
    >>> financial_year(pd.Series(["2024-03-31", "2024-04-01", "31/03/2024", None])).tolist()
    [2023, 2024, <NA>, <NA>]
    >>> financial_year(pd.Series(pd.to_datetime(["2023-04-01", "2024-03-31"]))).tolist()
    [2023, 2023]
    """
    if pd.api.types.is_datetime64_any_dtype(dates):
        parsed = dates
    else:
        parsed = pd.to_datetime(dates, format="ISO8601", errors="coerce")
    years = parsed.dt.year - (parsed.dt.month < 4).astype("int64")
    return years.astype("Int64")


def fy_dates(year: int) -> tuple[str, str]:
    """The first and last day of financial year ``year``, as ISO dates.

    Parameters
    ----------
    year : int
        The financial year's starting calendar year.

    Returns
    -------
    tuple of str
        ``(first day, last day)``: 1 April of ``year`` and 31 March of the next year.

    Examples
    --------
    >>> fy_dates(2023)
    ('2023-04-01', '2024-03-31')
    """
    year = int(year)
    return f"{year}-04-01", f"{year + 1}-03-31"
