"""Published figures: a registry as data, and their reproduction through the library's own functions.

Every figure of design.md section 3 is in ``anchor_analysis/data/published_figures.toml`` with its value,
precision, comparison rule, year, population and source. :func:`reproduce` recomputes each one from a network's
per-anchor returns (and the public data) through the same functions the annual report uses (there is no second
formula path) and gives a verdict per figure.

On the bundled **synthetic** demo network this checks that the kit's definitions reproduce the published
*method* (the demo was constructed to agree with the published aggregates); on a network's real returns it
checks the publications themselves.

>>> figure = registry().loc["pf_procurement_current"]
>>> float(figure["value"]), float(figure["precision"]), figure["rule"]
(1.7, 0.1, 'rounds_to')
>>> verdict(511_300_000, 511_000_000, "rounds_to", 1_000_000)
'matches at published precision'
>>> verdict(0.47, 0.48, "rounds_to", 0.01)
'differs'
"""

from __future__ import annotations

import textwrap
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.network import Network
from anchor_analysis.core.errors import CannotCompute
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label

MATCHES = "matches at published precision"
DIFFERS = "differs"
CANNOT = "cannot be computed"


def registry() -> pd.DataFrame:
    """The published-figures registry, indexed by figure key, in file order.

    Returns
    -------
    DataFrame
        ``label, value, unit, precision, rule, year, population, source, computation, args`` (``args``: the
        keyword arguments of the computation, a dict, or missing).

    Examples
    --------
    >>> reg = registry()
    >>> reg.loc["members_2023", ["label", "unit", "rule", "computation"]].tolist()
    ['Network members, 2023/24', 'anchors', 'equals', 'members']
    >>> reg.loc["pf_civic_current", "args"]
    {'dimension': 'civic', 'column': 'current'}
    """
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "published_figures.toml").read_text("utf-8"))
    rows = [{"key": key, **spec} for key, spec in raw.items()]
    return pd.DataFrame(rows).set_index("key")


def round_half_up(value: float, precision: float) -> float:
    """Round to a multiple of ``precision`` with halves away from zero, as people round published figures.

    Parameters
    ----------
    value : float
        The number to round.
    precision : float
        The step the figure is published at (0.1 for "3.1", 1e6 for "GBP 511m").

    Returns
    -------
    float
        ``value`` rounded, computed in decimal arithmetic from the shortest reprs of both.

    Examples
    --------
    >>> round_half_up(2.75, 0.1), round_half_up(0.525, 0.001), round_half_up(62_499, 1000)
    (2.8, 0.525, 62000.0)
    """
    step = Decimal(repr(precision))
    units = (Decimal(repr(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(units * step)


def verdict(computed: float, published: float, rule: str, precision: float) -> str:
    """Compare a computed value with a published one under the figure's rule.

    ``rounds_to``: both round (half up) to the same multiple of ``precision``; ``over``: the computed value is
    strictly greater; ``equals``: exactly equal (counts).

    Parameters
    ----------
    computed : float or None
        The value recomputed from the returns (None or NaN: it could not be computed).
    published : float
        The value as published.
    rule : {"rounds_to", "over", "equals"}
        How the two are compared.
    precision : float
        The step the figure was published at.

    Returns
    -------
    str
        ``"matches at published precision"``, ``"differs"`` or ``"cannot be computed"``.

    Raises
    ------
    ValueError
        If ``rule`` is none of the three.

    Examples
    --------
    >>> verdict(62_300, 62_000, "over", 1), verdict(62_300, 62_000, "rounds_to", 1000)
    ('matches at published precision', 'matches at published precision')
    >>> verdict(None, 7, "equals", 1), verdict(6, 7, "equals", 1)
    ('cannot be computed', 'differs')
    """
    if computed is None or pd.isna(computed):
        return CANNOT
    if rule == "rounds_to":
        ok = round_half_up(computed, precision) == round_half_up(published, precision)
    elif rule == "over":
        ok = computed > published
    elif rule == "equals":
        ok = computed == published
    else:
        raise ValueError(f"unknown comparison rule {rule!r}: use rounds_to, over or equals")
    return MATCHES if ok else DIFFERS


@dataclass
class Context:
    """What a reproduction run computes from: one network's validated returns (with its place) and the public data.

    Tables used by several figures (the published-style overview, the headline) are computed once per year and kept.

    Parameters
    ----------
    network : Network
        The network's validated returns and its place.
    public_data_dir : Path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> ctx = Context(load_network("data/raw/demo"))
    >>> ctx.place.name, float(ctx.overview(2019).set_index("dimension").at["civic", "stretch"])
    ('Leeds', 0.9)
    """

    network: Network
    public_data_dir: Path | None = None
    _cache: dict = field(default_factory=dict)

    @property
    def place(self) -> Place:
        """The network's place."""
        return self.network.place

    def overview(self, year: int) -> pd.DataFrame:
        """The Progression Framework overview of ``year`` in the published style (computed once).

        Parameters
        ----------
        year : int
            The financial year.

        Returns
        -------
        DataFrame
            :func:`~anchor_analysis.analysis.progression.network_overview` with ``published_rounding=True``.

        Raises
        ------
        CannotCompute
            If the network has no progression returns for ``year``.

        Examples
        --------
        >>> from anchor_analysis.contracts import load_network
        >>> ctx = Context(load_network("data/raw/demo"))
        >>> ctx.overview(2019)[["dimension", "current", "ambition", "stretch"]].values.tolist()[:2]
        [['employment', 3.1, 3.7, 0.6], ['procurement', 1.7, 2.7, 1.0]]
        """
        from anchor_analysis.analysis.progression.scores import network_overview

        if ("overview", year) not in self._cache:
            prog = self.network.progression
            if prog is None or not (prog["year"] == year).any():
                raise CannotCompute(f"no progression returns for {fy_label(year)}")
            self._cache[("overview", year)] = network_overview(prog, year, published_rounding=True)
        return self._cache[("overview", year)]

    def headline(self, year: int) -> pd.DataFrame:
        """The headline figures of ``year``, indexed by key (computed once).

        :func:`~anchor_analysis.analysis.metrics.headline`, with staff in the most deprived areas counted from the
        network's staff residence (IMD edition of the place for ``year``) where it has residence returns that year.

        Parameters
        ----------
        year : int
            The financial year.

        Returns
        -------
        DataFrame
            ``label, value, unit, n_reporting, n_members, coverage_statement``, indexed by ``key``.

        Raises
        ------
        NoDataError
            As :func:`~anchor_analysis.analysis.metrics.headline`.
        PublicDataMissing
            If residence returns need the IMD and the public data is not available.

        Examples
        --------
        >>> from anchor_analysis.contracts import load_network
        >>> ctx = Context(load_network("data/raw/demo"))
        >>> float(ctx.headline(2023).at["staff_most_deprived", "value"])  # doctest: +PUBLIC_DATA
        12300.0
        """
        from anchor_analysis.analysis.metrics import headline

        if ("headline", year) not in self._cache:
            net = self.network
            deprived = None
            if net.staff_residence is not None and (net.staff_residence["year"] == year).any():
                from anchor_analysis.analysis.geo.residence import staff_in_most_deprived

                edition = self.place.imd_edition_for(year)
                per_anchor = staff_in_most_deprived(net.staff_residence, edition, data_dir=self.public_data_dir)
                per_anchor = per_anchor[per_anchor["year"] == year]
                deprived = per_anchor.set_index("anchor_id")["staff_in_most_deprived"]
            self._cache[("headline", year)] = headline(net.metrics, net.anchors, year, self.place,
                                                       staff_in_most_deprived=deprived).set_index("key")
        return self._cache[("headline", year)]


def _pf_overview(ctx: Context, year: int, dimension: str, column: str) -> tuple[float, str]:
    """A published Progression Framework table cell: one dimension's current, ambition or stretch."""
    row = ctx.overview(year).set_index("dimension").loc[dimension]
    return float(row[column]), f"mean of {int(row['n_reporting'])} anchors' dimension scores, rounded half up"


def _pf_reporting(ctx: Context, year: int) -> tuple[float, str]:
    """The number of anchors with a progression return in ``year``."""
    prog = ctx.network.progression
    n = prog.loc[prog["year"] == year, "anchor_id"].nunique()
    if n == 0:
        raise CannotCompute(f"no progression returns for {fy_label(year)}")
    return float(n), "distinct anchors with a progression return"


def _pf_combined(ctx: Context, year: int, column: str) -> tuple[float, str]:
    """The combined service delivery and civic target (current or ambition)."""
    from anchor_analysis.analysis.progression.scores import combined_target

    current, ambition = combined_target(ctx.overview(year))
    return (current if column == "current" else ambition), "mean of the rounded service delivery and civic rows"


def _spend_share(ctx: Context, year: int, numerator: str, average: str) -> tuple[float, str]:
    """A network share of influenceable spend, pooled or as the mean of anchor shares."""
    from anchor_analysis.analysis.metrics import network_share
    from anchor_analysis.core.errors import NoDataError

    try:
        share = network_share(ctx.network.metrics, ctx.network.anchors, year, numerator, "influenceable_spend")
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    return share[average], f"{average.replace('_', ' ')}; {share['coverage_statement']}"


def _spend_share_n(ctx: Context, year: int, numerator: str) -> tuple[float, str]:
    """The number of anchors behind a network share of influenceable spend."""
    from anchor_analysis.analysis.metrics import network_share
    from anchor_analysis.core.errors import NoDataError

    try:
        share = network_share(ctx.network.metrics, ctx.network.anchors, year, numerator, "influenceable_spend")
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    return float(share["n_reporting"]), share["coverage_statement"]


def _network_total(ctx: Context, year: int, metric: str, require_all_members: bool = False) -> tuple[float, str]:
    """A metric's network total (optionally only when every member reported it)."""
    from anchor_analysis.analysis.metrics import network_totals
    from anchor_analysis.core.errors import NoDataError

    try:
        totals = network_totals(ctx.network.metrics, ctx.network.anchors, year, ctx.place).set_index("metric")
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    if metric not in totals.index:
        raise CannotCompute(f"nobody reported {metric} in {fy_label(year)}")
    row = totals.loc[metric]
    if require_all_members and row["n_reporting"] < row["n_members"]:
        raise CannotCompute(f"the figure covers every member, but only {row['coverage_statement']}")
    return float(row["total"]), row["coverage_statement"]


def _members(ctx: Context, year: int) -> tuple[float, str]:
    """The number of members of the network in ``year``."""
    from anchor_analysis.core.membership import members

    return float(len(members(ctx.network.anchors, year))), "anchors that were members that year"


def _headline(ctx: Context, year: int, key: str) -> tuple[float, str]:
    """One headline figure (:meth:`Context.headline`)."""
    from anchor_analysis.core.errors import NoDataError

    try:
        row = ctx.headline(year).loc[key]
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    if pd.isna(row["value"]):
        raise CannotCompute(row["coverage_statement"])
    return float(row["value"]), row["coverage_statement"]


def _lsoas_in_decile(ctx: Context, year: int, edition: int, decile: int) -> tuple[float, str]:
    """The place's LSOAs in one national IMD decile (public data)."""
    from anchor_analysis.analysis.geo.areas import deprivation_profile

    profile = deprivation_profile(edition, ctx.place, data_dir=ctx.public_data_dir).set_index("decile")
    return float(profile.at[decile, "n_lsoas"]), f"IMD {edition} national decile {decile}, public data"


def _lsoas_total(ctx: Context, year: int, edition: int) -> tuple[float, str]:
    """The place's LSOAs in an IMD edition (public data)."""
    from anchor_analysis.analysis.geo.areas import deprivation_profile

    profile = deprivation_profile(edition, ctx.place, data_dir=ctx.public_data_dir)
    return float(profile["n_lsoas"].sum()), f"LSOAs of the place in IMD {edition}, public data"


COMPUTATIONS: dict[str, Callable[..., tuple[float, str]]] = {
    "pf_overview": _pf_overview,
    "pf_reporting": _pf_reporting,
    "pf_combined": _pf_combined,
    "spend_share": _spend_share,
    "spend_share_n": _spend_share_n,
    "network_total": _network_total,
    "members": _members,
    "headline": _headline,
    "lsoas_in_decile": _lsoas_in_decile,
    "lsoas_total": _lsoas_total,
}
PUBLIC_DATA_COMPUTATIONS = {"lsoas_in_decile", "lsoas_total"}


def reproduce(network: Network, public_data_dir: str | Path | None = None,
              figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recompute every published figure from ``network`` and compare it with the publication.

    A figure that cannot be computed from the data at hand (no returns that year, or the public data missing) is
    reported as "cannot be computed", with the reason, rather than raising.

    Parameters
    ----------
    network : Network
        The network's validated returns with its place, as
        :func:`anchor_analysis.derived.processed_network` gives them.
    public_data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    figures : DataFrame, optional
        The figures to reproduce (default: the whole registry, :func:`registry`).

    Returns
    -------
    DataFrame
        ``key, label, year, published, computed, unit, precision, rule, verdict, basis, source``; ``basis`` says
        what the computed value covers (coverage) or, for "cannot be computed", why.

    See Also
    --------
    format_table : The result as a plain-text table.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> result = reproduce(net, figures=registry().loc[["pf_civic_stretch", "members_2023"]])
    >>> result[["key", "year", "published", "computed", "verdict"]].values.tolist()
    [['pf_civic_stretch', '2019/20', 0.9, 0.9, 'matches at published precision'],
     ['members_2023', '2023/24', 14.0, 14.0, 'matches at published precision']]
    >>> reproduce(net)["verdict"].value_counts().to_dict()  # doctest: +PUBLIC_DATA
    {'matches at published precision': 37}
    """
    from anchor_analysis.core.errors import PublicDataMissing

    ctx = Context(network, Path(public_data_dir) if public_data_dir else None)
    figures = registry() if figures is None else figures
    rows = []
    for key, fig in figures.iterrows():
        compute = COMPUTATIONS[fig["computation"]]
        args = fig["args"] if isinstance(fig["args"], dict) else {}
        try:
            computed, basis = compute(ctx, int(fig["year"]), **args)
            result = verdict(computed, float(fig["value"]), fig["rule"], float(fig["precision"]))
        except (CannotCompute, PublicDataMissing) as exc:
            computed, basis, result = float("nan"), str(exc).splitlines()[0], CANNOT
        rows.append({"key": key, "label": fig["label"], "year": fy_label(int(fig["year"])),
                     "published": float(fig["value"]), "computed": computed, "unit": fig["unit"],
                     "precision": float(fig["precision"]), "rule": fig["rule"], "verdict": result, "basis": basis,
                     "source": fig["source"]})
    return pd.DataFrame(rows)


def format_value(value: float, unit: str, precision: float) -> str:
    """Human form of a figure at (or just beyond) its published precision: ``GBP 511.0m``, ``64.0%``, ``3.1``.

    Parameters
    ----------
    value : float
        The figure (NaN shows as "-").
    unit : str
        Its unit: ``share`` (a fraction), ``GBP``, ``level``, or a count (people, anchors, lsoas, tCO2e).
    precision : float
        The step it was published at: a share published to 0.001 or finer shows two decimal places.

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(511_000_000, "GBP", 1e6), format_value(2.49e9, "GBP", 1e7), format_value(0.64, "share", 0.01)
    ('GBP 511.0m', 'GBP 2.49bn', '64.0%')
    >>> format_value(0.525, "share", 0.001), format_value(3.1, "level", 0.1), format_value(62_300, "people", 1000)
    ('52.50%', '3.10', '62,300')
    """
    if pd.isna(value):
        return "-"
    if unit == "share":
        return f"{100 * value:.1f}%" if precision >= 0.01 else f"{100 * value:.2f}%"
    if unit == "GBP":
        return f"GBP {value / 1e6:,.1f}m" if value < 1e9 else f"GBP {value / 1e9:,.2f}bn"
    if unit == "level":
        return f"{value:.2f}"
    return f"{value:,.0f}"


FIGURE_WIDTH = 64
"""Longest figure name shown by :func:`format_table`; longer ones are cut at a word (``--csv`` has them whole)."""


def format_table(result: pd.DataFrame) -> str:
    """The reproduction as a plain-text table for the terminal.

    Figure names longer than :data:`FIGURE_WIDTH` are cut at a word; a last line counts the verdicts.

    Parameters
    ----------
    result : DataFrame
        :func:`reproduce`.

    Returns
    -------
    str
        Columns ``figure, year, published, rule, computed, verdict``, values formatted by :func:`format_value`.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> result = reproduce(load_network("data/raw/demo"), figures=registry().loc[["members_2023"]])
    >>> print(format_table(result))
    figure                    year    published   rule   computed                        verdict
    Network members, 2023/24  2023/24        14 equals         14 matches at published precision
    <BLANKLINE>
    1 figures: 1 matches at published precision, 0 differs, 0 cannot be computed
    """
    shown = pd.DataFrame({
        "figure": [textwrap.shorten(label, FIGURE_WIDTH, placeholder=" …") for label in result["label"]],
        "year": result["year"],
        "published": [format_value(v, u, p) for v, u, p in zip(result["published"], result["unit"],
                                                               result["precision"], strict=True)],
        "rule": result["rule"].str.replace("_", " "),
        "computed": [format_value(v, u, p) for v, u, p in zip(result["computed"], result["unit"],
                                                              result["precision"], strict=True)],
        "verdict": result["verdict"],
    })
    counts = result["verdict"].value_counts()
    summary = ", ".join(f"{counts.get(v, 0)} {v}" for v in (MATCHES, DIFFERS, CANNOT))
    width = max([len("figure"), *map(len, shown["figure"])])
    # left-aligned, header included, and two spaces before the year even after the longest name
    table = shown.to_string(index=False, formatters={"figure": lambda text: f"{text:<{width}} "})
    header, *rows = table.splitlines()
    header = "figure".ljust(width + 1) + header[width + 1:]
    return "\n".join([header, *rows]) + f"\n\n{len(result)} figures: {summary}"


def published_overview(year: int = 2019) -> pd.DataFrame:
    """The published Progression Framework table of ``year`` from the registry.

    Parameters
    ----------
    year : int, default 2019
        The financial year of the table.

    Returns
    -------
    DataFrame
        ``dimension, label, current, ambition, stretch`` (labels as published, e.g. "Bricks & Mortar"), in framework
        order.

    Raises
    ------
    CannotCompute
        If the registry has no Progression Framework table for ``year``.

    Examples
    --------
    >>> published_overview(2019).set_index("label")["stretch"].to_dict()
    {'Employer': 0.6, 'Procurement': 1.0, 'Bricks & Mortar': 0.6, 'Service Delivery': 1.1, 'Corporate & Civic': 0.9}
    """
    from anchor_analysis.core.framework import load_framework

    reg = registry()
    rows = reg[(reg["computation"] == "pf_overview") & (reg["year"] == year)]
    if rows.empty:
        raise CannotCompute(f"the registry has no Progression Framework table for {fy_label(year)}")
    long = pd.DataFrame({"dimension": [a["dimension"] for a in rows["args"]],
                         "column": [a["column"] for a in rows["args"]], "value": rows["value"].to_numpy()})
    table = long.pivot(index="dimension", columns="column", values="value")
    dims = load_framework().dimensions.set_index("dimension")
    table = table.reindex([d for d in dims.index if d in table.index])
    table.insert(0, "label", dims.loc[table.index, "published_label"])
    table.columns.name = None
    return table.reset_index()[["dimension", "label", "current", "ambition", "stretch"]]
