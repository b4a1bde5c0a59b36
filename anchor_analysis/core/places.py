"""Places: everything that ties the kit to one network's geography.

A *place* is the local authority, the concentric rings used to call spend and staff "local", the net-zero year,
the IMD editions, the disclosure threshold and the public datasets that carry its geography (its postcode lookup and,
where there are any, its LSOA, ward and local authority boundaries). Places ship as TOML files in
``anchor_analysis/data/places``; a path to any other TOML file works too.

>>> leeds = load_place("leeds")
>>> leeds.local_authority_code
'E08000035'
>>> [ring.key for ring in leeds.rings]
['leeds', 'west_yorkshire']
>>> leeds.imd_edition_for(2026)
2025
>>> load_place("birmingham").datasets.ward_boundaries, load_place("bradford").datasets.has_boundaries
('boundaries_birmingham_wards', False)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
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


BOUNDARY_LEVELS = ("lsoa11", "lsoa21", "ward", "lad")
"""The boundary layers a place may name: LSOAs 2011 and 2021, wards, the local authority outline."""


@dataclass(frozen=True)
class PlaceDatasets:
    """The public datasets that carry a place's geography (keys of ``anchor_analysis/data/public_datasets.toml``).

    Every loader of postcodes and boundaries, and every attribution of a map, takes its dataset from here, so a
    place is changed by configuration, never by code. A place without boundaries (no LSOA or ward polygons in the
    public data) still runs everything that needs no map.

    Parameters
    ----------
    postcodes : str
        The regional postcode lookup: every postcode of the postcode areas around the place (staff and suppliers
        are located with it).
    postcodes_place : str, optional
        A postcode lookup of the place itself, where the public data has one.
    lsoa11_boundaries, lsoa21_boundaries, ward_boundaries, lad_boundaries : str, optional
        The place's LSOA 2011, LSOA 2021, ward and local authority polygons; None where there are none.
    council_spending : str, optional
        The council's published transparency spend, where the public data has it (the baseline's worked example of
        a real ledger); None elsewhere.

    Examples
    --------
    >>> leeds = load_place("leeds").datasets
    >>> leeds.postcodes, leeds.boundaries("ward"), leeds.has_boundaries
    ('postcodes_region', 'boundaries_wards', True)
    >>> load_place("bradford").datasets.boundaries("lsoa21") is None
    True
    """

    postcodes: str
    postcodes_place: str | None = None
    lsoa11_boundaries: str | None = None
    lsoa21_boundaries: str | None = None
    ward_boundaries: str | None = None
    lad_boundaries: str | None = None
    council_spending: str | None = None

    def boundaries(self, level: str) -> str | None:
        """The registry key of the place's boundaries at ``level``, or None when it has none.

        Parameters
        ----------
        level : {"lsoa11", "lsoa21", "ward", "lad"}
            The layer.

        Returns
        -------
        str or None

        Raises
        ------
        ConfigError
            An unknown level.

        Examples
        --------
        >>> load_place("birmingham").datasets.boundaries("lsoa11")
        'boundaries_birmingham_lsoa11'
        >>> load_place("leeds").datasets.boundaries("msoa")
        Traceback (most recent call last):
        anchor_analysis.core.errors.ConfigError: boundary level must be one of ('lsoa11', 'lsoa21', 'ward', 'lad'), \
not 'msoa'
        """
        if level not in BOUNDARY_LEVELS:
            raise ConfigError(f"boundary level must be one of {BOUNDARY_LEVELS}, not {level!r}")
        return getattr(self, f"{level}_boundaries")

    @property
    def has_boundaries(self) -> bool:
        """Whether the place has the polygons its maps need: LSOAs of both geographies and wards.

        Examples
        --------
        >>> load_place("leeds").datasets.has_boundaries, load_place("bradford").datasets.has_boundaries
        (True, False)
        """
        return all(self.boundaries(level) for level in ("lsoa11", "lsoa21", "ward"))

    def keys(self) -> list[str]:
        """Every registry key the place names, postcodes first (for attributions and provenance).

        Examples
        --------
        >>> load_place("bradford").datasets.keys()
        ['postcodes_region', 'boundaries_uk_lad']
        """
        names = [self.postcodes, self.postcodes_place, *(self.boundaries(level) for level in BOUNDARY_LEVELS),
                 self.council_spending]
        return [name for name in dict.fromkeys(names) if name]


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
    datasets : PlaceDatasets
        The public datasets of its postcodes and boundaries (the TOML's ``[datasets]`` table).

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
    datasets: PlaceDatasets

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
    ['birmingham', 'bradford', 'leeds']
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
        configuration (a setting missing or of the wrong type, or a ``[datasets]`` table without ``postcodes`` or
        with an unknown entry); the first ring is not the place's own local authority; or a ring is not inside the
        next.

    Examples
    --------
    >>> leeds = load_place("Leeds")
    >>> leeds.key, leeds.local_authority_code, leeds.first_year, leeds.last_year
    ('leeds', 'E08000035', 2018, 2030)
    >>> load_place(leeds) is leeds
    True
    >>> load_place("york")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ConfigError: unknown place 'york': choose one of ['birmingham', 'bradford', 'leeds'] or
    give a TOML file path
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
            datasets=_datasets(raw, source),
        )
    except ConfigError:
        raise
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: not a valid place configuration ({exc!r})") from exc
    if not rings or rings[0].lad_codes != (result.local_authority_code,):
        raise ConfigError(f"{source}: the first ring must be the place's own local authority")
    for inner, outer in zip(rings, rings[1:], strict=False):
        if not set(inner.lad_codes) <= set(outer.lad_codes):
            raise ConfigError(f"{source}: ring {inner.key!r} is not inside ring {outer.key!r}")
    return result


def _datasets(raw: dict, source: str) -> PlaceDatasets:
    """The ``[datasets]`` table of a place TOML: registry keys, ``postcodes`` required, nothing unknown."""
    table = raw.get("datasets")
    if not isinstance(table, dict) or not isinstance(table.get("postcodes"), str):
        raise ConfigError(f"{source}: no postcode lookup: give the registry key of the place's postcode lookup as "
                          "postcodes = \"...\" in a [datasets] table (see anchor_analysis/data/places/leeds.toml)")
    known = {f.name for f in fields(PlaceDatasets)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown [datasets] entries {unknown}; known are {sorted(known)}")
    wrong = sorted(name for name, value in table.items() if not isinstance(value, str) or not value)
    if wrong:
        raise ConfigError(f"{source}: [datasets] {wrong} must be registry keys (quoted text)")
    return PlaceDatasets(**table)
