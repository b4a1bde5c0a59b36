"""Reading the amounts and dates of finance exports as they are written: £ signs, thousands commas, credits in
brackets or marked CR, dates as 01/04/2019, 20-Dec-13 or Excel serial day numbers.

Every cell is read or reported; nothing is guessed. A file's dates are all written one way: the format is found
from its first dates and every later date must be written the same (a second format is reported, not read).

>>> values, bad = parse_amounts(pd.Series(["£1,234.50", "(1,234.50)", "£(1,234.50)", "12O", None]))
>>> values.tolist(), bad.tolist()
([1234.5, -1234.5, -1234.5, <NA>, <NA>], [False, False, False, True, False])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

AMOUNT_RULE = ("must be an amount of money: a number, optionally with £, thousands commas, and a minus sign, "
               "brackets or CR for a credit")

_AMOUNT = re.compile(
    r"^(?P<lead>[-+])?\s*(?:£|GBP)?\s*(?P<open>\()?\s*(?P<inner>[-+])?\s*(?:£|GBP)?\s*"
    r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)\s*(?P<close>\))?\s*(?P<trail>-|CR|DR)?$",
    re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)[eE][-+]?\d+$")


def parse_amounts(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amounts of money as written in exports, as numbers (credits negative).

    Read: ``1234.5``, ``1,234.50``, ``£1,234.50``, ``GBP 1234.50``, ``-£1,234.50``, ``(1,234.50)``,
    ``£(1,234.50)``, ``1,234.50-``, ``1,234.50 CR`` (credits) and ``1,234.50 DR`` (a debit), and the scientific
    notation spreadsheets write (``1.2E+05``). Commas must group thousands; one mark of a credit at most.

    Parameters
    ----------
    text : Series
        The cells as text; missing or blank cells stay missing and are not failures.

    Returns
    -------
    values : Series
        Float64, missing where blank or unreadable.
    bad : Series
        True where a cell has text that is not an amount.

    Examples
    --------
    >>> values, bad = parse_amounts(pd.Series(["1,234.50 CR", "99.99-", "GBP 20", "1,23", "-(5)", "1.5E+03"]))
    >>> values.tolist(), bad.tolist()
    ([-1234.5, -99.99, 20.0, <NA>, <NA>, 1500.0], [False, False, False, True, True, False])
    """
    stripped = text.astype("str").str.strip()
    stripped = stripped.where(stripped != "")
    plain = stripped.str.fullmatch(r"[-+]?\d+(?:\.\d+)?").fillna(False).astype(bool)
    if plain.all() or not stripped.notna().any():  # most exports: plain numbers, read without the long pattern
        return _finite(pd.to_numeric(stripped, errors="coerce"), pd.Series(False, index=text.index))
    parts = _extract(stripped)
    brackets = parts["open"] != ""
    balanced = brackets == (parts["close"] != "")
    marks = ((parts["lead"] == "-").astype(int) + (parts["inner"] == "-").astype(int) + brackets.astype(int)
             + parts["trail"].str.upper().isin(["-", "CR"]).astype(int))
    ok = parts["matched"] & balanced & (marks <= 1)
    number = pd.to_numeric(parts["number"].where(ok).str.replace(",", "", regex=False), errors="coerce")
    values = number.where(marks == 0, -number)
    scientific = stripped.str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool)
    values = values.where(~scientific, pd.to_numeric(stripped.where(scientific), errors="coerce"))
    bad = stripped.notna() & ~(ok | scientific)
    return _finite(values, bad)


def _finite(values: pd.Series, bad: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amounts too large to hold (``1e400`` reads as infinity) made failures too; values as Float64."""
    numbers = values.astype("float64")
    infinite = pd.Series(np.isinf(numbers.to_numpy()), index=values.index)
    return numbers.where(~infinite).astype("Float64"), bad | infinite


def _extract(text: pd.Series) -> pd.DataFrame:
    """The parts of :data:`_AMOUNT` in each cell ("" for a part a cell lacks), and whether the cell matched.

    Run by Arrow's regular expressions (RE2, in C): a million cells take a fraction of a second.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(pa.array(text, type=pa.large_string(), from_pandas=True), "(?i)" + _AMOUNT.pattern)
    out = pd.DataFrame({name: pc.struct_field(parts, name).to_pandas().fillna("").astype("str").to_numpy()
                        for name in _AMOUNT.groupindex}, index=text.index)
    out["matched"] = parts.is_valid().to_numpy(zero_copy_only=False)
    return out


# --- dates

DATE_FORMATS: dict[str, str] = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "DD/MM/YY": "%d/%m/%y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "DD-Mon-YY": "%d-%b-%y",
    "DD-Mon-YYYY": "%d-%b-%Y",
    "DD Mon YYYY": "%d %b %Y",
    "DD Month YYYY": "%d %B %Y",
    "YYYY/MM/DD": "%Y/%m/%d",
    "Excel serial": "excel",
}
"""The date formats a file's dates may be found in (day before month: UK exports), by the name reports use.
Month-first dates (US) are read only when a mapping says so (``date_format = "%m/%d/%Y"``)."""

_NAMED = {"auto": None, "iso": "YYYY-MM-DD", "excel": "Excel serial"}
_TIME_OF_DAY = re.compile(r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s*[AP]M)?)$",
                         re.IGNORECASE)  # a time that is no time ("25:00") leaves the cell unread: a failure
_SERIAL = re.compile(r"^\d{5}(?:\.0*)?$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_FIRST, _LAST = pd.Timestamp("1990-01-01"), pd.Timestamp("2099-12-31")


def _parse_with(text: pd.Series, pattern: str) -> pd.Series:
    """``text`` (times of day dropped) parsed with one pattern (or Excel serials); NaT where it does not fit."""
    if pattern == "excel":
        serial = text.where(text.str.fullmatch(_SERIAL).fillna(False).astype(bool))
        days = pd.to_numeric(serial, errors="coerce")
        dates = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")
    else:
        if text.str.contains(":", regex=False).any():  # a time of day is dropped (rare: do it only then)
            text = text.str.replace(_TIME_OF_DAY, "", regex=True).str.strip()
        dates = pd.to_datetime(text, format=pattern, errors="coerce")
    dates = pd.Series(dates, index=text.index).astype("datetime64[ns]")
    return dates.where(dates.between(_FIRST, _LAST))


def date_format_label(date_format: str) -> str:
    """How a ``date_format`` setting is named in reports.

    Parameters
    ----------
    date_format : str
        ``"auto"``, ``"iso"``, ``"excel"``, a name of :data:`DATE_FORMATS` or a strptime pattern.

    Returns
    -------
    str
        The name (``"DD/MM/YYYY"``), or the pattern itself.

    Examples
    --------
    >>> date_format_label("iso"), date_format_label("%d/%m/%Y"), date_format_label("%m/%d/%Y")
    ('YYYY-MM-DD', 'DD/MM/YYYY', '%m/%d/%Y')
    """
    if date_format in _NAMED:
        return _NAMED[date_format] or "found from the file"
    for name, pattern in DATE_FORMATS.items():
        if date_format in (name, pattern):
            return name
    return date_format


@dataclass
class DateReader:
    """Reads one file's dates chunk by chunk, in the one format they are written in.

    With ``date_format="auto"`` the format is the one of :data:`DATE_FORMATS` that reads most of the file's first
    5,000 dates (the first listed on a tie); every date must be written the same way.

    Parameters
    ----------
    date_format : str, default "auto"
        ``"auto"``, ``"iso"``, ``"excel"``, a name of :data:`DATE_FORMATS` or a strptime pattern.
    chosen : str, optional
        The format in use (found from the first dates when ``date_format`` is ``"auto"``).

    Examples
    --------
    >>> reader = DateReader()
    >>> dates, problems = reader.read(pd.Series(["01/04/2019", "02/04/2019", "2019-04-03", "soon", None]))
    >>> reader.chosen, [str(d.date()) if pd.notna(d) else None for d in dates]
    ('DD/MM/YYYY', ['2019-04-01', '2019-04-02', None, None, None])
    >>> problems.tolist()
    [nan, nan, 'YYYY-MM-DD', '', nan]
    """

    date_format: str = "auto"
    chosen: str | None = None

    def __post_init__(self) -> None:
        """Fix the format now when one is named."""
        if self.date_format != "auto":
            self.chosen = _NAMED.get(self.date_format) or date_format_label(self.date_format)

    def pattern(self) -> str | None:
        """The strptime pattern (or ``"excel"``) in use, None until it is found."""
        if self.chosen is None:
            return None
        return DATE_FORMATS.get(self.chosen, self.chosen)

    def read(self, text: pd.Series) -> tuple[pd.Series, pd.Series]:
        """The dates of a chunk, and why each date that is not read was not.

        Parameters
        ----------
        text : Series
            The cells as text (missing or blank: no date, and no problem).

        Returns
        -------
        dates : Series
            datetime64[ns], NaT where blank or not read.
        problems : Series
            Missing where read or blank; the name of the other format a date is written in; ``""`` for text that is
            no date at all.
        """
        stripped = text.astype("str").str.strip()
        stripped = stripped.where(stripped != "")
        if self.chosen is None and stripped.notna().any():
            self.chosen = self._best(stripped)
        pattern = self.pattern()
        dates = _parse_with(stripped, pattern) if pattern else pd.Series(pd.NaT, index=text.index,
                                                                         dtype="datetime64[ns]")
        unread = stripped.notna() & dates.isna()
        problems = pd.Series(None, index=text.index, dtype="object")
        if unread.any():
            problems[unread] = ""
            for name, other in DATE_FORMATS.items():
                open_ = unread & (problems == "")
                if name != self.chosen and open_.any():
                    problems[open_ & _parse_with(stripped.where(open_), other).notna()] = name
        return dates, problems

    @staticmethod
    def _best(stripped: pd.Series, sample: int = 5000) -> str:
        """The format that reads most of the first ``sample`` dates (the first listed on a tie)."""
        stripped = stripped.dropna().head(sample)
        counts = {name: int(_parse_with(stripped, pattern).notna().sum()) for name, pattern in DATE_FORMATS.items()}
        return max(counts, key=lambda name: (counts[name], -list(DATE_FORMATS).index(name)))
