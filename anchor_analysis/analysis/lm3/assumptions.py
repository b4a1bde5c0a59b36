"""The assumptions of the local multiplier, from configuration (``anchor_analysis/data/lm3.toml``).

Every value here is an assumption of the kit, not a measurement; the LM3 tables carry the ones they used.

>>> assumptions = load_lm3_assumptions()
>>> assumptions.default_local_share, assumptions.bootstrap_samples
({'supplier': 0.4, 'staff': 0.5}, 1000)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from anchor_analysis.contracts.fields import RESPONDENT_TYPES
from anchor_analysis.core.errors import ConfigError
from anchor_analysis.core.places import Place

ASSUMPTIONS_FILE = "lm3.toml"


@dataclass(frozen=True)
class LM3Assumptions:
    """What the local multiplier assumes where it measures nothing.

    Parameters
    ----------
    local_ring : str
        The ring of the place whose suppliers and resident staff are local; empty: the innermost ring.
    default_local_share : dict of str to float
        Per respondent type (``supplier``, ``staff``): the share of their spending made locally, used for round 3
        where a network has no survey answers of that type.
    share_range : dict of str to tuple of float
        Per respondent type: the low and high ends of an assumed default share (the interval spans them).
    share_step : float
        How far the sensitivity table moves each round 3 share down and up.
    bootstrap_samples : int
        Resamples of the survey for the interval.
    seed : int
        The seed of the bootstrap (same inputs, same interval).
    level : float
        The interval's coverage, e.g. 0.95.
    source : str
        Where the assumptions were read from.

    Examples
    --------
    >>> load_lm3_assumptions().ring_key("leeds")
    'leeds'
    """

    local_ring: str
    default_local_share: dict[str, float]
    share_range: dict[str, tuple[float, float]]
    share_step: float
    bootstrap_samples: int
    seed: int
    level: float
    source: str

    def ring_key(self, place: Place | str) -> str:
        """The key of the local ring in ``place`` (the innermost ring unless configured).

        Parameters
        ----------
        place : Place or str
            The place.

        Returns
        -------
        str
            A ring key of the place.

        Raises
        ------
        ConfigError
            The configured ring is not one of the place's.

        Examples
        --------
        >>> load_lm3_assumptions().ring_key("birmingham")
        'birmingham'
        """
        from anchor_analysis.core.places import load_place

        place = load_place(place)
        keys = [ring.key for ring in place.rings]
        if not self.local_ring:
            return keys[0]
        if self.local_ring not in keys:
            raise ConfigError(f"{self.source}: local_ring must be one of the rings of place '{place.key}' "
                              f"({', '.join(keys)}), not {self.local_ring!r}")
        return self.local_ring


def load_lm3_assumptions(path: str | Path | None = None) -> LM3Assumptions:
    """Read the local multiplier's assumptions.

    Parameters
    ----------
    path : str or path-like, optional
        A TOML file laid out like ``anchor_analysis/data/lm3.toml`` (the default).

    Returns
    -------
    LM3Assumptions
        The assumptions.

    Raises
    ------
    ConfigError
        The file cannot be read, or a value is missing or out of range (a share outside 0-1, a range whose low end
        is above its high end, fewer than 100 bootstrap samples, a level outside 0.5-1).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lm3.toml"
    >>> _ = path.write_text('[default_local_share]\\nsupplier = 1.3\\nstaff = 0.4')
    >>> load_lm3_assumptions(path)
    Traceback (most recent call last):
    anchor_analysis.core.errors.ConfigError: lm3.toml: default_local_share.supplier must be a number 0-1, not 1.3
    """
    text, source = _read(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    shares = {kind: _share(raw, "default_local_share", kind, source) for kind in RESPONDENT_TYPES}
    ranges = {kind: _range(raw, kind, source) for kind in RESPONDENT_TYPES}
    boot = raw.get("bootstrap", {})
    samples, seed, level = boot.get("samples", 1000), boot.get("seed", 2002), boot.get("level", 0.95)
    if not isinstance(samples, int) or samples < 100:
        raise ConfigError(f"{source}: bootstrap.samples must be a whole number of at least 100, not {samples!r}")
    if not isinstance(seed, int):
        raise ConfigError(f"{source}: bootstrap.seed must be a whole number, not {seed!r}")
    if not isinstance(level, float) or not 0.5 <= level < 1:
        raise ConfigError(f"{source}: bootstrap.level must be a number from 0.5 to below 1, not {level!r}")
    step = raw.get("sensitivity", {}).get("share_step", 0.1)
    if isinstance(step, bool) or not isinstance(step, int | float) or not 0 < step <= 0.5:
        raise ConfigError(f"{source}: sensitivity.share_step must be a number above 0 and at most 0.5, not {step!r}")
    ring = raw.get("local_ring", "")
    if not isinstance(ring, str):
        raise ConfigError(f"{source}: local_ring must be a ring key in quotes, not {ring!r}")
    return LM3Assumptions(ring, shares, ranges, float(step), samples, seed, level, source)


def _read(path: str | Path | None) -> tuple[str, str]:
    """The TOML text and the name errors give it."""
    if path is None:
        return (files("anchor_analysis") / "data" / ASSUMPTIONS_FILE).read_text(encoding="utf-8"), ASSUMPTIONS_FILE
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8"), path.name
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the LM3 assumptions ({exc.strerror})") from exc


def _share(raw: dict, section: str, kind: str, source: str) -> float:
    """One share of ``section`` (0-1)."""
    value = raw.get(section, {}).get(kind)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{source}: {section}.{kind} must be a number 0-1, not {value!r}")
    return float(value)


def _range(raw: dict, kind: str, source: str) -> tuple[float, float]:
    """One respondent type's sensitivity range, low <= high, both 0-1."""
    value = raw.get("share_range", {}).get(kind)
    ok = isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in value)
    if not ok or value[0] > value[1]:
        raise ConfigError(f"{source}: share_range.{kind} must be [low, high], two numbers 0-1 with low <= high, "
                          f"not {value!r}")
    return float(value[0]), float(value[1])
