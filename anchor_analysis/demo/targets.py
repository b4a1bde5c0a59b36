"""A demo network's targets file: who is a member when, who returns what, and the published aggregates to agree with.

One TOML file per demo network in ``anchor_analysis/data/demo/`` (``leeds.toml``, ``birmingham.toml``,
``west_midlands.toml``), with its anchors' invented generator parameters in a CSV beside it. The generator
(:class:`~anchor_analysis.demo.network.DemoNetwork`) reads everything network-specific from here: a new demo network
is a new pair of files, not new code.

>>> leeds = load_demo_targets("leeds")
>>> leeds.folder, leeds.place, leeds.years[0], leeds.years[-1], leeds.target("headcount")["value"]
('data/raw/demo', 'leeds', 2019, 2024, 62300)
>>> available_demo_networks()
['birmingham', 'leeds', 'west_midlands']
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources

from anchor_analysis.core.errors import ConfigError
from anchor_analysis.demo.specs import AnchorSpec, load_anchor_specs

TARGET_KINDS = (
    "progression_overview", "headcount", "staff_share_inner", "staff_most_deprived", "total_spend",
    "total_spend_min", "spend_baseline", "spend_inner", "spend_region", "carbon_reduction", "carbon_total",
    "land_total",
)
"""The aggregates a targets file may ask the generator to agree with (each solve acts on per-anchor values)."""


def _pairs(values: list, what: str) -> frozenset[tuple]:
    """``[[anchor_id, year_or_activity], ...]`` as a set of tuples."""
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in values):
        raise ConfigError(f"demo targets: {what} must be a list of [anchor_id, value] pairs")
    return frozenset(tuple(pair) for pair in values)


def _by_year(table: dict, what: str) -> dict[int, tuple[str, ...]]:
    """``{"2019": [...], ...}`` with the years as ints."""
    try:
        return {int(year): tuple(anchors) for year, anchors in table.items()}
    except ValueError as exc:
        raise ConfigError(f"demo targets: the keys of {what} must be financial years ({exc})") from exc


@dataclass(frozen=True)
class DemoTargets:
    """One demo network's targets file, read (``anchor_analysis/data/demo/<key>.toml``).

    Load one with :func:`load_demo_targets`; the fields are documented in ``leeds.toml``.

    Parameters
    ----------
    key, name, place, folder : str
        The network's key, its ``network.toml`` name (it says SYNTHETIC), its place and its folder
        (``data/raw/demo``).
    seed : int
        The generator's default seed.
    years : tuple of int
        The financial years of the returns.
    reference_year : int
        The year the anchors' headcounts describe.
    anchors : tuple of AnchorSpec
        The anchors and their invented parameters.
    notice : str
        The synthetic notice (``network.toml``'s description).
    origin : tuple of float
        Latitude and longitude of the generator's km grid.
    national_postcodes, junk_postcodes : tuple of str
        Postcodes of national offices outside the lookup, and junk postcodes, as ledgers carry them.
    progression_reporters : dict of int to tuple of str
        Who returned a progression self-assessment each year.
    progression_centre : dict of str to tuple of float
        Where self-assessments centre (current, ambition) per dimension.
    not_living_wage : dict of int to tuple of str
        Members not paying the real Living Wage to all employees, by year.
    unassessed : frozenset of (str, str)
        (anchor, activity) pairs never assessed.
    no_apprentices, influenceable_only, no_spend, no_carbon : frozenset of (str, int)
        (anchor, year) exceptions to what the anchor otherwise returns.
    scope3 : tuple of (tuple of str, int) or None
        The anchors that report scope 3 emissions, and from which year.
    ledger_years : tuple of int or None
        The years whose supplier ledgers are written (None: every year with a spend analysis).
    ledgers_without_postcodes : tuple of str
        Anchors whose ledgers carry no supplier postcodes (like a council's published spend): located through the
        supplier register only.
    targets : dict of str to dict
        The published aggregates to agree with, by kind (:data:`TARGET_KINDS`), each with its source.
    readme : str
        The folder's README (``{seed}`` replaced by the seed).
    settings : dict
        Further ``network.toml`` settings (``published_figures``).
    commitments : str, optional
        A CSV beside the targets file copied as the network's ``commitments.csv`` (what the network committed to,
        from its published documents); empty: none.

    Examples
    --------
    >>> brum = load_demo_targets("birmingham")
    >>> brum.place, len(brum.anchors), {spec.joined for spec in brum.anchors}
    ('birmingham', 6, {2019})
    """

    key: str
    name: str
    place: str
    folder: str
    seed: int
    years: tuple[int, ...]
    reference_year: int
    anchors: tuple[AnchorSpec, ...]
    notice: str
    origin: tuple[float, float]
    national_postcodes: tuple[str, ...]
    junk_postcodes: tuple[str, ...]
    progression_reporters: dict[int, tuple[str, ...]]
    progression_centre: dict[str, tuple[float, float]]
    not_living_wage: dict[int, tuple[str, ...]] = field(default_factory=dict)
    unassessed: frozenset = frozenset()
    no_apprentices: frozenset = frozenset()
    influenceable_only: frozenset = frozenset()
    no_spend: frozenset = frozenset()
    no_carbon: frozenset = frozenset()
    scope3: tuple | None = None
    ledger_years: tuple[int, ...] | None = None
    ledgers_without_postcodes: tuple[str, ...] = ()
    targets: dict = field(default_factory=dict)
    readme: str = ""
    settings: dict = field(default_factory=dict)
    commitments: str = ""

    def target(self, kind: str) -> dict | None:
        """The target of ``kind`` (a dict with its ``year`` or years, ``value`` and ``source``), or None.

        Parameters
        ----------
        kind : str
            One of :data:`TARGET_KINDS`.

        Returns
        -------
        dict or None

        Raises
        ------
        ConfigError
            An unknown kind.

        Examples
        --------
        >>> load_demo_targets("leeds").target("carbon_reduction")["value"]
        110000
        >>> load_demo_targets("birmingham").target("spend_inner") is None
        True
        """
        if kind not in TARGET_KINDS:
            raise ConfigError(f"unknown demo target {kind!r}: one of {list(TARGET_KINDS)}")
        return self.targets.get(kind)

    @property
    def first_year(self) -> int:
        """The first financial year of the returns, the base of every trend."""
        return self.years[0]


def available_demo_networks() -> list[str]:
    """The demo networks shipped with the kit (their targets files), sorted.

    Returns
    -------
    list of str

    Examples
    --------
    >>> "leeds" in available_demo_networks()
    True
    """
    folder = resources.files("anchor_analysis") / "data" / "demo"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def load_demo_targets(network: str | DemoTargets = "leeds") -> DemoTargets:
    """Read a demo network's targets file.

    Parameters
    ----------
    network : str or DemoTargets, default "leeds"
        A shipped demo network (:func:`available_demo_networks`), or loaded targets (returned as they are).

    Returns
    -------
    DemoTargets

    Raises
    ------
    ConfigError
        An unknown network, a missing setting, an unknown target kind, or a target naming an anchor that is not
        in the anchors CSV.

    Examples
    --------
    >>> wm = load_demo_targets("west_midlands")
    >>> wm.target("total_spend")["value"], wm.settings["published_figures"]
    (10200000000, 'west_midlands')
    >>> load_demo_targets("york")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ConfigError: unknown demo network 'york': choose one of ['birmingham', 'leeds',
    'west_midlands']
    """
    if isinstance(network, DemoTargets):
        return network
    if network not in available_demo_networks():
        raise ConfigError(f"unknown demo network {network!r}: choose one of {available_demo_networks()}")
    text = (resources.files("anchor_analysis") / "data" / "demo" / f"{network}.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    try:
        targets = _targets(raw, network)
    except KeyError as exc:
        raise ConfigError(f"demo targets {network}.toml: setting {exc} is missing") from exc
    _check_anchor_names(targets)
    return targets


def _targets(raw: dict, network: str) -> DemoTargets:
    """The parsed TOML as :class:`DemoTargets`."""
    returns = raw.get("returns", {})
    unknown = sorted(set(raw.get("targets", {})) - set(TARGET_KINDS))
    if unknown:
        raise ConfigError(f"demo targets {network}.toml: unknown target(s) {unknown}; known are {list(TARGET_KINDS)}")
    scope3 = returns.get("scope3")
    first, last = raw["years"]
    return DemoTargets(
        key=raw["key"], name=raw["name"], place=raw["place"], folder=raw["folder"], seed=int(raw["seed"]),
        years=tuple(range(int(first), int(last) + 1)), reference_year=int(raw["reference_year"]),
        anchors=load_anchor_specs(raw["anchors"]), notice=raw["notice"], origin=tuple(raw["origin"]),
        national_postcodes=tuple(raw["national_postcodes"]), junk_postcodes=tuple(raw["junk_postcodes"]),
        progression_reporters=_by_year(returns.get("progression", {}), "[returns.progression]"),
        progression_centre={dim: tuple(pair) for dim, pair in raw["progression_centre"].items()},
        not_living_wage=_by_year(returns.get("not_living_wage", {}), "[returns.not_living_wage]"),
        unassessed=_pairs(returns.get("unassessed", []), "unassessed"),
        no_apprentices=_pairs(returns.get("no_apprentices", []), "no_apprentices"),
        influenceable_only=_pairs(returns.get("influenceable_only", []), "influenceable_only"),
        no_spend=_pairs(returns.get("no_spend", []), "no_spend"),
        no_carbon=_pairs(returns.get("no_carbon", []), "no_carbon"),
        scope3=(tuple(scope3["anchors"]), int(scope3["from"])) if scope3 else None,
        ledger_years=tuple(returns["ledger_years"]) if "ledger_years" in returns else None,
        ledgers_without_postcodes=tuple(returns.get("ledgers_without_postcodes", ())),
        targets=dict(raw.get("targets", {})), readme=raw["readme"]["text"],
        settings=dict(raw.get("network_toml", {})), commitments=raw.get("commitments", ""),
    )


def _check_anchor_names(targets: DemoTargets) -> None:
    """Every anchor a targets file names is one of its anchors."""
    known = {spec.anchor_id for spec in targets.anchors}
    named = {a for year in targets.progression_reporters.values() for a in year}
    named |= {a for year in targets.not_living_wage.values() for a in year}
    for pairs in (targets.unassessed, targets.no_apprentices, targets.influenceable_only, targets.no_spend,
                  targets.no_carbon):
        named |= {pair[0] for pair in pairs}
    named |= set(targets.scope3[0]) if targets.scope3 else set()
    baseline = targets.target("spend_baseline")
    named |= set(baseline["anchors"]) if baseline else set()
    unknown = sorted(named - known)
    if unknown:
        raise ConfigError(f"demo targets {targets.key}.toml names anchors not in {targets.key}'s anchors CSV: "
                          f"{unknown}")
