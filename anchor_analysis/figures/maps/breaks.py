"""Class breaks pooled over every year's values, so the maps of different years share one scale.

:func:`pooled_breaks` computes a :class:`ClassBreaks` once from every map's values; each map then classifies its
own values with it and takes its legend labels from it.

>>> breaks = pooled_breaks([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=3)
>>> breaks.bins
(2.7, 4.3, 6.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# --- class breaks --------------------------------------------------------------------------------------------


def _nice(value: float, digits: int = 2, how: str = "round") -> float:
    """``value`` to ``digits`` significant figures (``how``: round, ceil or floor)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    scale = 10 ** (math.floor(math.log10(abs(value))) - digits + 1)
    op = {"round": round, "ceil": math.ceil, "floor": math.floor}[how]
    return float(op(value / scale) * scale)


@dataclass(frozen=True)
class ClassBreaks:
    """Class breaks shared by several maps: class ``i`` holds values in ``(bins[i-1], bins[i]]``.

    ``lower`` is the smallest pooled value (the first class starts there, inclusive); values outside
    ``[lower, bins[-1]]`` are an error, because breaks are meant to be computed from every map's values.

    Parameters
    ----------
    bins : tuple of float
        The upper bound of each class, ascending; the last is the pooled maximum (rounded up).
    lower : float
        The smallest pooled value.
    scheme : str
        The mapclassify scheme the breaks came from (``quantiles``, ``fisher_jenks`` or ``equal_interval``).
    n_values : int
        How many (non-missing) values they were computed from.

    See Also
    --------
    pooled_breaks : Computes the breaks.

    Examples
    --------
    >>> breaks = ClassBreaks(bins=(10.0, 20.0), lower=0.0, scheme="quantiles", n_values=8)
    >>> breaks.k, breaks.classify([0, 10, 10.5, None]).tolist()
    (2, [0, 0, 1, -1])
    """

    bins: tuple[float, ...]
    lower: float
    scheme: str
    n_values: int

    @property
    def k(self) -> int:
        """The number of classes."""
        return len(self.bins)

    def classify(self, values: Iterable[float]) -> np.ndarray:
        """Return the class index of each value (0 = lowest class; -1 for a missing value).

        Parameters
        ----------
        values : iterable of float
            The values to classify; anything that is not a number counts as missing.

        Returns
        -------
        numpy.ndarray of int64
            One class index per value.

        Raises
        ------
        ValueError
            When a value lies outside the pooled range ``[lower, bins[-1]]``.

        Examples
        --------
        >>> breaks = pooled_breaks([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=3)
        >>> breaks.classify([1.0, 3.0, float("nan"), 6.0]).tolist()
        [0, 1, -1, 2]
        >>> breaks.classify([7.0])
        Traceback (most recent call last):
        ...
        ValueError: values outside the pooled class range 1..6: compute the breaks from every map's values with \
pooled_breaks
        """
        import mapclassify

        y = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce"), dtype=float)
        out = np.full(len(y), -1, dtype=np.int64)
        ok = ~np.isnan(y)
        if ok.any():
            above = y[ok] > self.bins[-1] + 1e-9 * max(1.0, abs(self.bins[-1]))
            below = y[ok] < self.lower - 1e-9 * max(1.0, abs(self.lower))
            if above.any() or below.any():
                raise ValueError(f"values outside the pooled class range {self.lower:g}..{self.bins[-1]:g}: compute "
                                 "the breaks from every map's values with pooled_breaks")
            out[ok] = mapclassify.UserDefined(y[ok], bins=list(self.bins), lowest=self.lower).yb
        return out

    def labels(self, fmt: str = "{:,.0f}") -> list[str]:
        """Return the legend label of each class, e.g. ``["0 to 20", "over 20 to 50", ...]``.

        Parameters
        ----------
        fmt : str, default "{:,.0f}"
            Format of each bound.

        Returns
        -------
        list of str
            One label per class, lowest first.

        Examples
        --------
        >>> breaks = pooled_breaks([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=3)
        >>> breaks.labels("{:.1f}")
        ['1.0 to 2.7', 'over 2.7 to 4.3', 'over 4.3 to 6.0']
        """
        labels = []
        for i, upper in enumerate(self.bins):
            if i == 0:
                labels.append(f"{fmt.format(self.lower)} to {fmt.format(upper)}")
            else:
                labels.append(f"over {fmt.format(self.bins[i - 1])} to {fmt.format(upper)}")
        return labels


def pooled_breaks(values: Iterable, k: int = 5, scheme: str = "quantiles", digits: int = 2) -> ClassBreaks:
    """Compute class breaks once from the values of every year (or any set of maps) to be compared.

    Inner breaks are rounded to ``digits`` significant figures for readable legends; the top break is the pooled
    maximum rounded up, so every pooled value falls in a class. Pass the result to each map.

    Parameters
    ----------
    values : Series, array or iterable of them
        A Series or array, or an iterable of them (one per year), or a flat sequence of numbers; missing values
        are ignored.
    k : int, default 5
        The number of classes (fewer when there are fewer distinct values).
    scheme : {"quantiles", "fisher_jenks", "equal_interval"}, default "quantiles"
        A deterministic mapclassify scheme.
    digits : int, default 2
        Significant figures of the inner breaks.

    Returns
    -------
    ClassBreaks
        One class when every value is the same.

    Raises
    ------
    ValueError
        For an unknown ``scheme``, or when there are no values.

    Examples
    --------
    >>> pooled_breaks([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=3)
    ClassBreaks(bins=(2.7, 4.3, 6.0), lower=1.0, scheme='quantiles', n_values=6)
    >>> pooled_breaks(pd.Series([0, 12, 40, 7, None, 130]), k=3, scheme="equal_interval").bins
    (43.0, 87.0, 130.0)
    """
    import mapclassify

    if scheme not in ("quantiles", "fisher_jenks", "equal_interval"):
        raise ValueError(f"scheme must be quantiles, fisher_jenks or equal_interval, not {scheme!r}")
    parts = [values] if isinstance(values, (pd.Series, np.ndarray)) else list(values)
    if parts and np.isscalar(parts[0]):
        parts = [np.asarray(parts, dtype=float)]
    flat = np.concatenate([np.asarray(pd.to_numeric(pd.Series(np.asarray(p, dtype=object).ravel()),
                                                    errors="coerce"), dtype=float) for p in parts]) if parts else []
    y = np.asarray(flat, dtype=float)
    y = y[~np.isnan(y)]
    if len(y) == 0:
        raise ValueError("no values to compute class breaks from")
    lower, upper = float(y.min()), float(y.max())
    if lower == upper:
        return ClassBreaks((upper,), lower, scheme, len(y))
    k = max(1, min(k, len(np.unique(y))))
    raw = mapclassify.classify(y, scheme, k=k).bins
    inner = sorted({_nice(float(b), digits) for b in raw[:-1] if lower <= _nice(float(b), digits) < upper})
    top = max(_nice(upper, digits, "ceil"), upper)
    bins = tuple(b for b in inner if b < top) + (top,)
    return ClassBreaks(bins, lower, scheme, len(y))
