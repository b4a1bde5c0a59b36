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
    """One concentric ring of a place, e.g. Leeds inside West Yorkshire.

    Spend with a supplier, or a member of staff, is in a ring when its local authority district is one of the
    ring's.

    Parameters
    ----------
    key : str
        The ring's key, used in column and metric names (``spend_west_yorkshire``).
    label : str
        The ring's name as tables and figures show it.
    lad_codes : tuple of str
        The local authority district codes (LAD 2024) that make up the ring.

    Examples
    --------
    >>> ring = load_place("leeds").ring("west_yorkshire")
    >>> ring.label, len(ring.lad_codes)
    ('West Yorkshire', 5)
    """

    key: str
    label: str
    lad_codes: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """Configuration of one place (see ``anchor_analysis/data/places/leeds.toml``).

    Load one with :func:`load_place`.

    Parameters
    ----------
    key : str
        The place's key (``"leeds"``).
    name : str
        Its name (``"Leeds"``).
    network_name : str
        The name of its anchor network (``"Leeds Anchor Network"``).
    local_authority_code, local_authority_name : str
        Its own local authority district (LAD 2024 code and name).
    net_zero_year : int
        The year the place aims to reach net zero (the carbon trajectory's end).
    disclosure_threshold : int
        Counts of people from 1 to one below this are withheld from anything published.
    imd_editions : tuple of int
        The IMD editions the place can be analysed with (2019, 2025).
    first_year, last_year : int
        The financial years a return may be for (by starting calendar year).
    rings : tuple of Ring
        The concentric rings, innermost (the place's own local authority) first; each inside the next.

    Examples
    --------
    >>> leeds = load_place("leeds")
    >>> leeds.network_name, leeds.disclosure_threshold, leeds.net_zero_year
    ('Leeds Anchor Network', 10, 2030)
    """

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
        """The ring keys innermost first, then ``elsewhere``.

        Examples
        --------
        >>> load_place("leeds").ring_keys
        ['leeds', 'west_yorkshire', 'elsewhere']
        """
        return [ring.key for ring in self.rings] + [ELSEWHERE]

    def ring(self, key: str) -> Ring:
        """The ring of the place with key ``key``.

        Parameters
        ----------
        key : str
            A ring key, e.g. ``"west_yorkshire"``.

        Returns
        -------
        Ring
            The ring.

        Raises
        ------
        ConfigError
            The place has no such ring; the message lists its rings.

        Examples
        --------
        >>> load_place("leeds").ring("leeds").lad_codes
        ('E08000035',)
        >>> load_place("leeds").ring("york")
        Traceback (most recent call last):
        anchor_analysis.core.errors.ConfigError: place 'leeds' has no ring 'york'; rings are ['leeds', 'west_yorkshire']
        """
        for ring in self.rings:
            if ring.key == key:
                return ring
        raise ConfigError(f"place {self.key!r} has no ring {key!r}; rings are {self.ring_keys[:-1]}")

    def imd_edition_for(self, year: int) -> int:
        """The newest IMD edition in use when financial year ``year`` started.

        An edition is taken to be in use from the financial year after its publication year (IMD 2019 was
        published in September 2019, so 2019/20 returns were planned against IMD 2015 at the earliest;
        the kit only ships 2019 and 2025, so the earliest shipped edition stands in before that).

        Parameters
        ----------
        year : int
            The financial year, by its starting calendar year.

        Returns
        -------
        int
            One of :attr:`imd_editions`.

        Examples
        --------
        >>> leeds = load_place("leeds")
        >>> leeds.imd_edition_for(2019), leeds.imd_edition_for(2025), leeds.imd_edition_for(2026)
        (2019, 2019, 2025)
        """
        editions = sorted(self.imd_editions)
        usable = [edition for edition in editions if edition < year]
        return usable[-1] if usable else editions[0]


def available_places() -> list[str]:
    """The names of the places shipped with the kit.

    Returns
    -------
    list of str
        The names :func:`load_place` accepts, sorted.

    Examples
    --------
    >>> available_places()
    ['bradford', 'leeds']
    """
    folder = resources.files("anchor_analysis") / "data" / "places"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def load_place(place: str | Path | Place = "leeds") -> Place:
    """Load a place by shipped name (``"leeds"``) or from a TOML file path.

    Parameters
    ----------
    place : str, path-like or Place, default "leeds"
        A shipped place name (any case; see :func:`available_places`), the path of a place TOML file laid out
        like ``anchor_analysis/data/places/leeds.toml``, or a loaded place (returned as it is).

    Returns
    -------
    Place
        The place's configuration.

    Raises
    ------
    ConfigError
        The name is not a shipped place and no such TOML file exists; the file is not a valid place
        configuration (a setting missing or of the wrong type); the first ring is not the place's own local
        authority; or a ring is not inside the next.

    Examples
    --------
    >>> leeds = load_place("Leeds")
    >>> leeds.key, leeds.local_authority_code, leeds.first_year, leeds.last_year
    ('leeds', 'E08000035', 2018, 2030)
    >>> load_place(leeds) is leeds
    True
    >>> load_place("york")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ConfigError: unknown place 'york': choose one of ['bradford', 'leeds'] or give a TOML
    file path
    """
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
