"""UK postcodes: normalise the way people type them and check their format.

Postcodes arrive as typed by people and exported by finance systems ("ls11ur", " LS1  1UR", "ls1 1ur").
Lookups such as the ONS postcode directory hold them as outward code, one space, inward code ("LS1 1UR"),
so everything is normalised to that form before matching.

>>> normalise_postcode(" ls11ur ")
'LS1 1UR'
>>> is_valid_postcode("LS1  1UR"), is_valid_postcode("LS1 1U")
(True, False)
"""

from __future__ import annotations

import re

import pandas as pd

POSTCODE_PATTERN = (
    r"(?:GIR 0AA"
    r"|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" [0-9][ABD-HJLNP-UW-Z]{2})"
)
"""A normalised UK postcode (Royal Mail format rules, as used by GOV.UK), including the special GIR 0AA."""

_POSTCODE = re.compile(POSTCODE_PATTERN)
# Spaces as typed or pasted (incl. non-breaking ones). Spelled out rather than \s because Python's re and the
# Arrow regex engine behind pandas' string methods disagree on what \s means outside ASCII.
_SPACES = "[ \t\n\r\f\v\u00a0\u2007\u202f]+"
_SPACE_RUN = re.compile(_SPACES)
# Postcodes are ASCII; uppercasing only a-z keeps odd input the same length in both engines ("ß" stays "ß").
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def normalise_postcode(text: object) -> str | None:
    """Uppercase, trim, and put exactly one space before the 3-character inward code.

    Blank input (``None``, ``NaN``, ``""``, spaces) gives ``None``; only ASCII letters are uppercased.
    Text that is not 5 to 7 characters long without its spaces cannot be split into outward and inward
    code, so it only has its spaces tidied; :func:`is_valid_postcode` says whether the result is a
    postcode format. Normalising twice gives the same result as normalising once.

    Parameters
    ----------
    text : object
        A postcode as typed or exported (any object; it is read as text).

    Returns
    -------
    str or None
        The normalised form (``"LS1 1UR"``), or None for blank input.

    See Also
    --------
    normalise_postcodes : The same for a whole column.

    Examples
    --------
    >>> normalise_postcode("ls11ur")
    'LS1 1UR'
    >>> normalise_postcode("LS1  1UR")
    'LS1 1UR'
    >>> normalise_postcode("ec1a1bb")
    'EC1A 1BB'
    >>> normalise_postcode("   ") is None
    True
    >>> normalise_postcode("not a postcode")
    'NOT A POSTCODE'
    """
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return None
    compact = _SPACE_RUN.sub("", str(text)).translate(_ASCII_UPPER)
    if not compact:
        return None
    if 5 <= len(compact) <= 7:
        return f"{compact[:-3]} {compact[-3:]}"
    return _SPACE_RUN.sub(" ", str(text)).strip(" ").translate(_ASCII_UPPER)


def is_valid_postcode(text: object) -> bool:
    """Whether ``text``, once normalised, has the format of a UK postcode (any case and spacing accepted).

    This checks the format only (:data:`POSTCODE_PATTERN`), not that Royal Mail ever issued the postcode.

    Parameters
    ----------
    text : object
        A postcode as typed (any object; it is read as text).

    Returns
    -------
    bool
        True when :func:`normalise_postcode` of ``text`` is a UK postcode format; False for blanks.

    See Also
    --------
    valid_postcode_mask : The same for a whole column.

    Examples
    --------
    >>> is_valid_postcode("ls2 9jt"), is_valid_postcode("GIR 0AA"), is_valid_postcode("W1A 0AX")
    (True, True, True)
    >>> is_valid_postcode("LS1"), is_valid_postcode("QS1 1UR"), is_valid_postcode(None)
    (False, False, False)
    """
    normalised = normalise_postcode(text)
    return normalised is not None and _POSTCODE.fullmatch(normalised) is not None


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_postcode` for a whole column (pandas string methods, no per-row Python).

    Each distinct value is normalised once, which matters for ledgers where a few thousand suppliers fill
    millions of rows.

    Parameters
    ----------
    postcodes : Series
        Postcodes as typed or exported.

    Returns
    -------
    Series
        A ``str`` Series on the same index and with the same name; blanks become missing values.

    Examples
    --------
    >>> normalise_postcodes(pd.Series(["ls11ur", " LS2 9JT", "", None])).tolist()
    ['LS1 1UR', 'LS2 9JT', nan, nan]
    """
    codes, distinct = pd.factorize(postcodes, use_na_sentinel=True)
    normalised = _normalise_distinct(pd.Series(distinct, dtype="str"))
    taken = normalised.array.take(codes, allow_fill=True)
    return pd.Series(taken, index=postcodes.index, name=postcodes.name, dtype="str")


def _normalise_distinct(text: pd.Series) -> pd.Series:
    """:func:`normalise_postcode` of each value of a ``str`` Series, with pandas string methods."""
    compact = text.str.replace(_SPACES, "", regex=True).str.translate(_ASCII_UPPER)
    splittable = compact.str.len().between(5, 7)
    split = compact.str[:-3] + " " + compact.str[-3:]
    tidied = text.str.replace(_SPACES, " ", regex=True).str.strip(" ").str.translate(_ASCII_UPPER)
    result = split.where(splittable, tidied)
    return result.where(compact.fillna("") != "").astype("str")


def valid_postcode_mask(postcodes: pd.Series) -> pd.Series:
    """Vectorised :func:`is_valid_postcode`.

    Parameters
    ----------
    postcodes : Series
        Postcodes as typed or exported.

    Returns
    -------
    Series of bool
        On the same index: whether each value, normalised, has a UK postcode format; False for blanks.

    Examples
    --------
    >>> valid_postcode_mask(pd.Series(["ls11ur", "LS1", None])).tolist()
    [True, False, False]
    """
    normalised = normalise_postcodes(postcodes)
    return normalised.str.fullmatch(POSTCODE_PATTERN).fillna(False).astype(bool)
