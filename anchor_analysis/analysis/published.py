"""Published figures: a registry as data, and their reproduction through the library's own functions.

Every figure of design.md section 3 is in ``anchor_analysis/data/published_figures.toml`` with its value,
precision, comparison rule, year, population and source. :func:`reproduce` recomputes each one from a network's
per-anchor returns (and the public data) through the same functions the annual report uses (there is no second
formula path) and gives a verdict per figure.

On the bundled **synthetic** demo network this checks that the kit's definitions reproduce the published
*method* (the demo was constructed to agree with the published aggregates); on a network's real returns it
checks the publications themselves.

>>> registry().loc["pf_procurement_current", ["value", "precision", "rule"]].tolist()
[1.7, 0.1, 'rounds_to']
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
    """The published-figures registry, indexed by figure key, in file order."""
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "published_figures.toml").read_text("utf-8"))
    rows = [{"key": key, **spec} for key, spec in raw.items()]
    return pd.DataFrame(rows).set_index("key")


def round_half_up(value: float, precision: float) -> float:
    """Round to a multiple of ``precision`` with halves away from zero, as people round published figures.

    >>> round_half_up(2.75, 0.1), round_half_up(0.525, 0.001), round_half_up(62_499, 1000)
    (2.8, 0.525, 62000.0)
    """
    step = Decimal(repr(precision))
    units = (Decimal(repr(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(units * step)


def verdict(computed: float, published: float, rule: str, precision: float) -> str:
    """Compare a computed value with a published one under the figure's rule."""
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
    """What a reproduction run computes from: one network's validated returns (with its place) and, optionally,
    the public data folder."""

    network: Network
    public_data_dir: Path | None = None
    _cache: dict = field(default_factory=dict)

    @property
    def place(self) -> Place:
        return self.network.place

    def overview(self, year: int) -> pd.DataFrame:
        from anchor_analysis.analysis.progression.scores import network_overview

        if ("overview", year) not in self._cache:
            prog = self.network.progression
            if prog is None or not (prog["year"] == year).any():
                raise CannotCompute(f"no progression returns for {fy_label(year)}")
            self._cache[("overview", year)] = network_overview(prog, year, published_rounding=True)
        return self._cache[("overview", year)]

    def headline(self, year: int) -> pd.DataFrame:
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
    row = ctx.overview(year).set_index("dimension").loc[dimension]
    return float(row[column]), f"mean of {int(row['n_reporting'])} anchors' dimension scores, rounded half up"


def _pf_reporting(ctx: Context, year: int) -> tuple[float, str]:
    prog = ctx.network.progression
    n = prog.loc[prog["year"] == year, "anchor_id"].nunique()
    if n == 0:
        raise CannotCompute(f"no progression returns for {fy_label(year)}")
    return float(n), "distinct anchors with a progression return"


def _pf_combined(ctx: Context, year: int, column: str) -> tuple[float, str]:
    from anchor_analysis.analysis.progression.scores import combined_target

    current, ambition = combined_target(ctx.overview(year))
    return (current if column == "current" else ambition), "mean of the rounded service delivery and civic rows"


def _spend_share(ctx: Context, year: int, numerator: str, average: str) -> tuple[float, str]:
    from anchor_analysis.analysis.metrics import network_share
    from anchor_analysis.core.errors import NoDataError

    try:
        share = network_share(ctx.network.metrics, ctx.network.anchors, year, numerator, "influenceable_spend")
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    return share[average], f"{average.replace('_', ' ')}; {share['coverage_statement']}"


def _spend_share_n(ctx: Context, year: int, numerator: str) -> tuple[float, str]:
    from anchor_analysis.analysis.metrics import network_share
    from anchor_analysis.core.errors import NoDataError

    try:
        share = network_share(ctx.network.metrics, ctx.network.anchors, year, numerator, "influenceable_spend")
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    return float(share["n_reporting"]), share["coverage_statement"]


def _network_total(ctx: Context, year: int, metric: str, require_all_members: bool = False) -> tuple[float, str]:
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
    from anchor_analysis.core.membership import members

    return float(len(members(ctx.network.anchors, year))), "anchors that were members that year"


def _headline(ctx: Context, year: int, key: str) -> tuple[float, str]:
    from anchor_analysis.core.errors import NoDataError

    try:
        row = ctx.headline(year).loc[key]
    except NoDataError as exc:
        raise CannotCompute(str(exc)) from exc
    if pd.isna(row["value"]):
        raise CannotCompute(row["coverage_statement"])
    return float(row["value"]), row["coverage_statement"]


def _lsoas_in_decile(ctx: Context, year: int, edition: int, decile: int) -> tuple[float, str]:
    from anchor_analysis.analysis.geo.areas import deprivation_profile

    profile = deprivation_profile(edition, ctx.place, data_dir=ctx.public_data_dir).set_index("decile")
    return float(profile.at[decile, "n_lsoas"]), f"IMD {edition} national decile {decile}, public data"


def _lsoas_total(ctx: Context, year: int, edition: int) -> tuple[float, str]:
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
    """Human form of a figure at (or just beyond) its published precision: ``GBP 511.0m``, ``64.0%``, ``3.1``."""
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
    """The reproduction as a plain-text table for the terminal."""
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
    """The published Progression Framework table of ``year`` from the registry: ``dimension, label, current,
    ambition, stretch`` (labels as published, e.g. "Bricks & Mortar")."""
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
