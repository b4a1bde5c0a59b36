"""How each published figure is recomputed: the run's context and one computation per kind of figure.

Every computation takes the :class:`Context` (one network's returns, its place, the public data) and the figure's
year and arguments from the registry (``anchor_analysis/data/published_figures.toml``), and returns the recomputed
value with a sentence saying what it covers (its *basis*); a figure the data at hand cannot give raises
:class:`~anchor_analysis.core.errors.CannotCompute` with the reason. They call the functions the annual report uses:
there is no second formula path. :func:`anchor_analysis.analysis.published.reproduce` runs them.

>>> sorted(COMPUTATIONS)[:4]
['area_population', 'coverage', 'established', 'estimate']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.network import Network
from anchor_analysis.core.errors import CannotCompute
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label


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

    @property
    def figure_set(self) -> str:
        """The published network whose figures the folder reproduces: ``network.toml``'s, else the place's key.

        Examples
        --------
        >>> from anchor_analysis.contracts import load_network
        >>> Context(load_network("data/raw/demo")).figure_set
        'leeds'
        >>> Context(load_network("data/raw/demo-west-midlands")).figure_set  # doctest: +PUBLIC_DATA
        'west_midlands'
        """
        return getattr(self.network, "published_figures", "") or self.place.key

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


def _own_network(ctx: Context, network: str | None, label: str | None = None) -> None:
    """Raise :class:`CannotCompute` unless the folder's returns are those of the published network ``network``."""
    if network is not None and network != ctx.figure_set:
        raise CannotCompute(f"a figure about the {label or network + ' network'}: it needs that network's own "
                            f"returns, and this folder's are those of '{ctx.figure_set}'")


def _members(ctx: Context, year: int, network: str | None = None, label: str | None = None) -> tuple[float, str]:
    """The number of members of the network in ``year`` (only for the network ``network``, when given)."""
    from anchor_analysis.core.membership import members

    _own_network(ctx, network, label)
    return float(len(members(ctx.network.anchors, year))), "anchors that were members that year"


def _established(ctx: Context, year: int, network: str | None = None, label: str | None = None) -> tuple[float, str]:
    """The year the network was established: the earliest financial year an anchor joined."""
    _own_network(ctx, network, label)
    first = int(ctx.network.anchors["joined_year"].min())
    founders = int((ctx.network.anchors["joined_year"] == first).sum())
    return float(first), f"the earliest year an anchor joined ({founders} founding members)"


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


def _reporting_all(ctx: Context, year: int, metrics: list[str]) -> tuple[pd.DataFrame, int]:
    """The members' returns of ``metrics`` in ``year`` (one column each) of the anchors that reported every one.

    Each metric's values are those of the network totals (:func:`anchor_analysis.analysis.metrics.network_totals`):
    a member without a return is absent, never zero.
    """
    from anchor_analysis.analysis import metrics as metrics_module
    from anchor_analysis.core.membership import members

    values = {m: metrics_module._year_values(ctx.network.metrics, ctx.network.anchors, year, m) for m in metrics}
    wide = pd.DataFrame(values).dropna()
    if wide.empty:
        raise CannotCompute(f"nobody reported {' and '.join(metrics)} in {fy_label(year)}")
    return wide, len(members(ctx.network.anchors, year))


def _coverage(ctx: Context, year: int, metrics: list[str]) -> tuple[float, str]:
    """The share of members that reported every one of ``metrics`` (seed 004: "based on 76% of anchors")."""
    from anchor_analysis.analysis.metrics import coverage_statement

    wide, n_members = _reporting_all(ctx, year, metrics)
    return len(wide) / n_members, coverage_statement(len(wide), n_members)


def _network_sum(ctx: Context, year: int, metrics: list[str], factor: float = 1.0) -> tuple[float, str]:
    """The sum of ``metrics`` over the members that reported every one, times ``factor`` (tonnes to kg: 1000)."""
    from anchor_analysis.analysis.metrics import coverage_statement

    wide, n_members = _reporting_all(ctx, year, metrics)
    return float(wide.to_numpy().sum() * factor), coverage_statement(len(wide), n_members)


def _estimate(ctx: Context, year: int, metrics: list[str], factor: float = 1.0) -> tuple[float, str]:
    """The kit's whole-network estimate of ``metrics`` (summed, times ``factor``), with its method and a gross-up.

    :func:`anchor_analysis.analysis.metrics.estimate_network_total` per metric: each member that did not report it
    is imputed from its own headcount and the median ratio to headcount of the reporting anchors of its sector
    (headcount itself: the median headcount of its sector). The basis gives the method, the range from the quartile
    ratios and, for comparison, the reported total grossed up by the share of members reporting.
    """
    from anchor_analysis.analysis.metrics import estimate_network_total
    from anchor_analysis.core.errors import NoDataError

    try:
        estimates = [estimate_network_total(ctx.network.metrics, ctx.network.anchors, year, m,
                                            scale_by=None if m == "headcount" else "headcount") for m in metrics]
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    wide, n_members = _reporting_all(ctx, year, metrics)
    reported = float(wide.to_numpy().sum() * factor)
    estimate, low, high = (sum(e[k] for e in estimates) * factor for k in ("estimate", "low", "high"))
    how = ("the median headcount of the reporting anchors of its sector" if metrics == ["headcount"] else
           f"its headcount times the median {' and '.join(metrics)} per head of the reporting anchors of its sector")
    return estimate, (f"kit estimate: each of the {estimates[0]['n_imputed']} members that did not report it taken "
                      f"as {how} (the network's where its sector has none): {estimate:,.0f} (quartile ratios "
                      f"{low:,.0f} to {high:,.0f}); {len(wide)} of {n_members} reported {reported:,.0f}; grossed up "
                      f"by the share reporting it would be {reported * n_members / len(wide):,.0f}")


def _lad_ranks(ctx: Context, lad_codes: list[str], edition: int) -> pd.DataFrame:
    """The IMD local authority summary measures of ``lad_codes`` (public data)."""
    from anchor_analysis.public import load_lad_summaries

    return load_lad_summaries(edition, lad_codes, data_dir=ctx.public_data_dir)


def _imd_rank(ctx: Context, year: int, lad_code: str, measure: str, edition: int = 2019,
              context: list[str] | None = None) -> tuple[float, str]:
    """A district's rank under one IMD summary measure, the others beside it (IoD File 10, public data).

    The basis names the measure and its rank of how many, then the district's rank under every other measure, so
    which measures reproduce a published ranking can be read off; ``context`` districts (a county's) are listed
    under the same measure.
    """
    ranks = _lad_ranks(ctx, [lad_code, *(context or [])], edition)
    own = ranks[ranks["lad_code"] == lad_code].set_index("measure")
    if measure not in own.index:
        raise CannotCompute(f"no IMD {edition} summary measure {measure!r}")
    row = own.loc[measure]
    others = "; ".join(f"{r.label} {r.rank}" for r in own.drop(index=measure).itertuples())
    basis = (f"{row['lad_name']} ({lad_code}), IoD{edition} district summaries: {row['label']} {row['rank']} of "
             f"{row['n_districts']} (others: {others})")
    if context:
        listed = ranks[(ranks["lad_code"] != lad_code) & (ranks["measure"] == measure)]
        basis += "; by the same measure " + ", ".join(f"{r.lad_name} {r.rank}" for r in listed.itertuples())
    return float(row["rank"]), basis


def _imd_rank_of_group(ctx: Context, year: int, lad_codes: list[str], area: str, geography: str, n_areas: int,
                       edition: int = 2019) -> tuple[float, str]:
    """A ranking among ``n_areas`` areas of another geography (LEPs): never computable from district summaries."""
    ranks = _lad_ranks(ctx, lad_codes, edition)
    by_score = ranks[ranks["measure"] == "average_score"]
    districts = ", ".join(f"{r.lad_name} {r.rank}" for r in by_score.itertuples())
    raise CannotCompute(
        f"the figure ranks {area} among England's {n_areas} {geography}, not among districts; the public data has the "
        f"IoD{edition} district summaries (File 10, {by_score['n_districts'].iloc[0]} districts) but neither the "
        f"{geography}' summaries nor a lookup from districts to them, so no IoD{edition} measure reproduces it (its "
        f"districts by rank of average score: {districts} of {by_score['n_districts'].iloc[0]})")


def _area_population(ctx: Context, year: int, lad_codes: list[str]) -> tuple[float, str]:
    """The population of districts: IoD2019 File 6, mid-2015 (public data)."""
    from anchor_analysis.public import load_imd

    imd = load_imd(2019, lad_codes, data_dir=ctx.public_data_dir)
    names = ", ".join(sorted(imd["lad_name"].unique()))
    return float(imd["population"].sum()), (f"IoD2019 File 6 mid-2015 population (excluding prisoners) of {names}: "
                                            "the publication does not say which estimate it used")


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
    "established": _established,
    "coverage": _coverage,
    "network_sum": _network_sum,
    "estimate": _estimate,
    "imd_rank": _imd_rank,
    "imd_rank_of_group": _imd_rank_of_group,
    "area_population": _area_population,
}
"""Computation name (the registry's ``computation``) -> the function that recomputes the figure."""
PUBLIC_DATA_COMPUTATIONS = {"lsoas_in_decile", "lsoas_total", "imd_rank", "imd_rank_of_group", "area_population"}
"""The computations that use only the public data, not the network's returns."""
