"""Places: everything that ties the kit to one network's geography.

A *place* is the local authority, the concentric rings used to call spend and staff "local", the net-zero year,
the IMD editions and the disclosure threshold. Places ship as TOML files in ``anchor_analysis/data/places``; a path
to any other TOML file works too.

>>> leeds = load_place("leeds")
>>> leeds.local_authority_code
'E08000035'
>>> [ring.key for ring in leeds.rings]
['leeds', 'west_yorkshire']
>>> leeds.imd_edition_for(2026)
2025
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from anchor_analysis.core.errors import ConfigError

ELSEWHERE = "elsewhere"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Ring:
    """One concentric ring of a place, e.g. Leeds inside West Yorkshire."""

    key: str
    label: str
    lad_codes: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """Configuration of one place (see ``anchor_analysis/data/places/leeds.toml``)."""

    key: str
    name: str
    network_name: str
    local_authority_code: str
    local_authority_name: str
    net_zero_year: int
    disclosure_threshold: int
    imd_editions: tuple[int, ...]
    first_year: int
    last_year: int
    rings: tuple[Ring, ...]

    @property
    def ring_keys(self) -> list[str]:
        """Ring keys innermost first, then ``elsewhere``."""
        return [ring.key for ring in self.rings] + [ELSEWHERE]

    def ring(self, key: str) -> Ring:
        for ring in self.rings:
            if ring.key == key:
                return ring
        raise ConfigError(f"place {self.key!r} has no ring {key!r}; rings are {self.ring_keys[:-1]}")

    def imd_edition_for(self, year: int) -> int:
        """The newest IMD edition in use when financial year ``year`` started.

        An edition is taken to be in use from the financial year after its publication year (IMD 2019 was
        published in September 2019, so 2019/20 returns were planned against IMD 2015 at the earliest;
        the kit only ships 2019 and 2025, so the earliest shipped edition stands in before that).
        """
        editions = sorted(self.imd_editions)
        usable = [edition for edition in editions if edition < year]
        return usable[-1] if usable else editions[0]


def available_places() -> list[str]:
    """Names of the places shipped with the kit."""
    folder = resources.files("anchor_analysis") / "data" / "places"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def load_place(place: str | Path | Place = "leeds") -> Place:
    """Load a place by shipped name (``"leeds"``) or from a TOML file path."""
    if isinstance(place, Place):
        return place
    path = Path(place)
    if path.suffix == ".toml" and path.exists():
        text = path.read_text(encoding="utf-8")
        source = str(path)
    else:
        name = str(place).lower()
        if name not in available_places():
            raise ConfigError(f"unknown place {place!r}: choose one of {available_places()} or give a TOML file path")
        text = (resources.files("anchor_analysis") / "data" / "places" / f"{name}.toml").read_text(encoding="utf-8")
        source = f"{name}.toml"
    try:
        raw = tomllib.loads(text)
        rings = tuple(Ring(r["key"], r["label"], tuple(r["lad_codes"])) for r in raw["rings"])
        result = Place(
            key=raw["key"],
            name=raw["name"],
            network_name=raw["network_name"],
            local_authority_code=raw["local_authority_code"],
            local_authority_name=raw["local_authority_name"],
            net_zero_year=int(raw["net_zero_year"]),
            disclosure_threshold=int(raw["disclosure_threshold"]),
            imd_editions=tuple(int(e) for e in raw["imd_editions"]),
            first_year=int(raw["first_year"]),
            last_year=int(raw["last_year"]),
            rings=rings,
        )
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: not a valid place configuration ({exc!r})") from exc
    if not rings or rings[0].lad_codes != (result.local_authority_code,):
        raise ConfigError(f"{source}: the first ring must be the place's own local authority")
    for inner, outer in zip(rings, rings[1:], strict=False):
        if not set(inner.lad_codes) <= set(outer.lad_codes):
            raise ConfigError(f"{source}: ring {inner.key!r} is not inside ring {outer.key!r}")
    return result
