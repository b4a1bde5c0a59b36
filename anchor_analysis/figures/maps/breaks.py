"""Class breaks pooled over every year's values, so the maps of different years share one scale.

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

    ``lower`` is the smallest pooled value (the first class starts there); values outside ``[lower, bins[-1]]``
    are an error, because breaks are meant to be computed from every map's values.
    """

    bins: tuple[float, ...]
    lower: float
    scheme: str
    n_values: int

    @property
    def k(self) -> int:
        return len(self.bins)

    def classify(self, values: Iterable[float]) -> np.ndarray:
        """Class index per value (0 = lowest class); -1 for missing values."""
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
        """Legend labels, e.g. ``["0 to 20", "over 20 to 50", ...]``."""
        labels = []
        for i, upper in enumerate(self.bins):
            if i == 0:
                labels.append(f"{fmt.format(self.lower)} to {fmt.format(upper)}")
            else:
                labels.append(f"over {fmt.format(self.bins[i - 1])} to {fmt.format(upper)}")
        return labels


def pooled_breaks(values: Iterable, k: int = 5, scheme: str = "quantiles", digits: int = 2) -> ClassBreaks:
    """Class breaks computed once from the values of every year (or any set of maps) to be compared.

    ``values``: a Series or array, or an iterable of them (one per year); missing values are ignored.
    ``scheme``: a deterministic mapclassify scheme: ``quantiles``, ``fisher_jenks`` or ``equal_interval``. Inner
    breaks are rounded to ``digits`` significant figures for readable legends; the top break is the pooled maximum
    rounded up, so every pooled value falls in a class. Pass the result to each map.
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
