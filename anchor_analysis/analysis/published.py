"""Published figures: a registry as data, and their reproduction through the library's own functions.

Every figure of design.md section 3 is in ``anchor_analysis/data/published_figures.toml`` with its value,
precision, comparison rule, year, population, source and the published networks it belongs to (``networks``: the
Leeds Anchor Network's figures of seeds 000, 001 and 003; the West Midlands anchors' and the West Midlands networks'
of seed 004). :func:`reproduce` recomputes the figures of a network folder's set (its ``network.toml``'s
``published_figures``, else its place's) from its per-anchor returns (and the public data) through the same
functions the annual report uses (:mod:`anchor_analysis.analysis.recompute`: there is no second formula path) and
gives a verdict per figure.

On a bundled **synthetic** demo network this checks that the kit's definitions reproduce the published
*method* (the demo was constructed to agree with the published aggregates); on a network's real returns it
checks the publications themselves. Where a publication's own method or data are not published (seed 004's
whole-network headlines), the rule ``compare`` puts the kit's own figure beside it and says how far apart they are.

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
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import pandas as pd

from anchor_analysis.analysis.recompute import COMPUTATIONS, PUBLIC_DATA_COMPUTATIONS, Context

__all__ = ["APART", "CANNOT", "COMPUTATIONS", "Context", "DIFFERS", "MATCHES", "PUBLIC_DATA_COMPUTATIONS", "RULES",
           "format_table", "format_value", "published_overview", "registry", "reproduce", "round_half_up", "verdict"]
from anchor_analysis.contracts.network import Network
from anchor_analysis.core.errors import CannotCompute
from anchor_analysis.core.years import fy_label

MATCHES = "matches at published precision"
DIFFERS = "differs"
CANNOT = "cannot be computed"
APART = "apart"
"""The start of a ``compare`` verdict: ``"apart: the kit's 27.9% above"``."""
RULES = ("rounds_to", "over", "equals", "compare")


def registry(figure_set: str | None = None) -> pd.DataFrame:
    """The published-figures registry, indexed by figure key, in file order.

    Parameters
    ----------
    figure_set : str, optional
        Only the figures of this published network (``"leeds"``, ``"west_midlands"``, ``"birmingham"`` ...: their
        ``networks`` list names it); default every figure.

    Returns
    -------
    DataFrame
        ``label, value, unit, precision, rule, year, population, source, computation, args, networks`` (``args``:
        the keyword arguments of the computation, a dict, or missing; ``networks``: a list).

    Examples
    --------
    >>> reg = registry()
    >>> reg.loc["members_2023", ["label", "unit", "rule", "computation"]].tolist()
    ['Network members, 2023/24', 'anchors', 'equals', 'members']
    >>> reg.loc["pf_civic_current", "args"]
    {'dimension': 'civic', 'column': 'current'}
    >>> len(registry("leeds")), len(registry("birmingham"))
    (37, 4)
    """
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "published_figures.toml").read_text("utf-8"))
    rows = [{"key": key, **spec} for key, spec in raw.items()]
    frame = pd.DataFrame(rows).set_index("key")
    if figure_set is None:
        return frame
    return frame[[figure_set in networks for networks in frame["networks"]]]


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
    strictly greater; ``equals``: exactly equal (counts); ``compare``: no match is expected (the publication's method
    or data are not the kit's), so the verdict says how far apart the two are, and whether they still agree at the
    published precision.

    Parameters
    ----------
    computed : float or None
        The value recomputed from the returns (None or NaN: it could not be computed).
    published : float
        The value as published.
    rule : {"rounds_to", "over", "equals", "compare"}
        How the two are compared.
    precision : float
        The step the figure was published at.

    Returns
    -------
    str
        ``"matches at published precision"``, ``"differs"`` or ``"cannot be computed"``; for ``compare``,
        ``"apart: ..."``.

    Raises
    ------
    ValueError
        If ``rule`` is none of the four.

    Examples
    --------
    >>> verdict(62_300, 62_000, "over", 1), verdict(62_300, 62_000, "rounds_to", 1000)
    ('matches at published precision', 'matches at published precision')
    >>> verdict(None, 7, "equals", 1), verdict(6, 7, "equals", 1)
    ('cannot be computed', 'differs')
    >>> verdict(13_420_000_000, 10_500_000_000, "compare", 1e8), verdict(1.04e9, 1e9, "compare", 1e9)
    ("apart: the kit's 27.8% above", "apart: the kit's 4.0% above, the same at published precision")
    """
    if computed is None or pd.isna(computed):
        return CANNOT
    if rule == "compare":
        gap = 100 * (computed - published) / published
        same = round_half_up(computed, precision) == round_half_up(published, precision)
        return (f"{APART}: the kit's {abs(gap):.1f}% {'above' if gap >= 0 else 'below'}"
                + (", the same at published precision" if same else ""))
    if rule == "rounds_to":
        ok = round_half_up(computed, precision) == round_half_up(published, precision)
    elif rule == "over":
        ok = computed > published
    elif rule == "equals":
        ok = computed == published
    else:
        raise ValueError(f"unknown comparison rule {rule!r}: use one of {', '.join(RULES)}")
    return MATCHES if ok else DIFFERS


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
        The figures to reproduce (default: the network's set, ``registry(figure_set)``: its ``network.toml``'s
        ``published_figures``, else its place's key).

    Returns
    -------
    DataFrame
        ``key, label, year, published, computed, unit, precision, rule, verdict, basis, source, computation``;
        ``basis`` says what the computed value covers (coverage, the IMD measure that gives a ranking, or the kit's
        method for ``compare``) or, for "cannot be computed", why.

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
    >>> west_midlands = reproduce(load_network("data/raw/demo-west-midlands")).set_index("key")  # doctest: +PUBLIC_DATA
    >>> row = west_midlands.loc["wm_employment_2022"]  # doctest: +PUBLIC_DATA
    >>> float(row["computed"]), row["verdict"]  # doctest: +PUBLIC_DATA
    (186726.0, 'matches at published precision')
    """
    from anchor_analysis.core.errors import PublicDataMissing

    ctx = Context(network, Path(public_data_dir) if public_data_dir else None)
    figures = registry(ctx.figure_set) if figures is None else figures
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
                     "source": fig["source"], "computation": fig["computation"]})
    return pd.DataFrame(rows)


def format_value(value: float, unit: str, precision: float) -> str:
    """Human form of a figure at (or just beyond) its published precision: ``GBP 511.0m``, ``64.0%``, ``3.1``.

    Parameters
    ----------
    value : float
        The figure (NaN shows as "-").
    unit : str
        Its unit: ``share`` (a fraction), ``GBP``, ``level``, ``year``, or a count or amount (people, anchors, lsoas,
        rank, tCO2e, kgCO2e, ha).
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
    >>> format_value(2019, "year", 1), format_value(579_390_062, "kgCO2e", 1)
    ('2019', '579,390,062')
    """
    if pd.isna(value):
        return "-"
    if unit == "share":
        return f"{100 * value:.1f}%" if precision >= 0.01 else f"{100 * value:.2f}%"
    if unit == "GBP":
        return f"GBP {value / 1e6:,.1f}m" if value < 1e9 else f"GBP {value / 1e9:,.2f}bn"
    if unit == "level":
        return f"{value:.2f}"
    if unit == "year":
        return f"{value:.0f}"
    return f"{value:,.0f}"


FIGURE_WIDTH = 64
"""Longest figure name shown by :func:`format_table`; longer ones are cut at a word (``--csv`` has them whole)."""


def format_table(result: pd.DataFrame) -> str:
    """The reproduction as a plain-text table for the terminal.

    Figure names longer than :data:`FIGURE_WIDTH` are cut at a word; a line counts the verdicts (the ``compare``
    figures as "apart", when there are any), and notes then give the basis of every figure compared or not
    computed: the kit's method, or why not.

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
    apart = int(result["verdict"].str.startswith(APART).sum())
    if apart:
        summary += f", {apart} {APART} (compared, not matched: the publication's method or data are not the kit's)"
    width = max([len("figure"), *map(len, shown["figure"])])
    # left-aligned, header included, and two spaces before the year even after the longest name
    table = shown.to_string(index=False, formatters={"figure": lambda text: f"{text:<{width}} "})
    header, *rows = table.splitlines()
    header = "figure".ljust(width + 1) + header[width + 1:]
    return "\n".join([header, *rows]) + f"\n\n{len(result)} figures: {summary}" + _notes(result)


def _notes(result: pd.DataFrame) -> str:
    """The basis of every figure compared, ranked or not computed (the kit's method or measure, or why not)."""
    noted = result[(result["rule"] == "compare") | (result["verdict"] == CANNOT)
                   | result.get("computation", pd.Series("", index=result.index)).eq("imd_rank")]
    if noted.empty:
        return ""
    notes = [textwrap.fill(f"{row.label}: {row.basis}", 120, initial_indent="- ", subsequent_indent="  ")
             for row in noted.itertuples()]
    return ("\n\nNotes (the kit's own figure and its method, the measure behind a ranking, or why a figure cannot be "
            "computed):\n" + "\n".join(notes))


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
