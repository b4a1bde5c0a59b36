"""One anchor beside the network: the tables of the anchor profile notebook (``04_anchor_profile``).

An analyst looking at one member asks: what did it return this year, how does that compare with its own last
return and with the rest of the network, and where does it stand on the Progression Framework? Everything here is
computed by the functions the network report uses (:mod:`anchor_analysis.analysis.metrics`,
:mod:`anchor_analysis.analysis.progression`, :mod:`anchor_analysis.analysis.geo`), filtered to one anchor, so a
profile always agrees with the report. A missing return stays missing: it is shown as not reported, never as zero.
``network`` is a validated network (:func:`anchor_analysis.contracts.load_network`).

>>> anchors = pd.DataFrame({"anchor_id": ["uni_a", "trust_b"], "name": ["University A", "NHS Trust B"]})
>>> find_anchor(anchors, "nhs trust b")
'trust_b'
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.analysis.metrics import anchor_year_on_year, network_totals
from anchor_analysis.analysis.progression.benchmarks import benchmark
from anchor_analysis.analysis.progression.history import trajectories
from anchor_analysis.analysis.progression.scores import dimension_scores
from anchor_analysis.core.errors import UnknownAnchorError
from anchor_analysis.core.membership import members
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label


def find_anchor(anchors: pd.DataFrame, anchor: str) -> str:
    """The ``anchor_id`` of ``anchor``, given as its id or its name (case and surrounding spaces ignored).

    Parameters
    ----------
    anchors : DataFrame
        The anchors table (``anchor_id`` and, optionally, ``name``).
    anchor : str
        An anchor id or name; ids are tried first.

    Returns
    -------
    str
        The anchor's id.

    Raises
    ------
    UnknownAnchorError
        If no anchor has that id or name; the message lists the anchors there are.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> anchors = load_network("data/raw/demo").anchors
    >>> find_anchor(anchors, "University A"), find_anchor(anchors, " NHS_TRUST_B ")
    ('university_a', 'nhs_trust_b')
    >>> find_anchor(anchors, "University Z")
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.UnknownAnchorError: unknown anchor 'University Z': the anchors table lists
    cultural_body_a (Cultural Body A), ...
    """
    wanted = str(anchor).strip().casefold()
    for column in ("anchor_id", "name"):
        if column in anchors:
            hits = anchors.loc[anchors[column].astype(str).str.strip().str.casefold() == wanted, "anchor_id"]
            if len(hits):
                return str(hits.iloc[0])
    choices = ", ".join(f"{row.anchor_id} ({row.name})" if "name" in anchors else str(row.anchor_id)
                        for row in anchors.sort_values("anchor_id").itertuples())
    raise UnknownAnchorError(f"unknown anchor {anchor!r}: the anchors table lists {choices}")


def _years(frame: pd.DataFrame | None, anchor_id: str) -> list[int]:
    """The years in which ``anchor_id`` has rows in ``frame`` (none for a missing frame)."""
    if frame is None or frame.empty:
        return []
    return sorted(int(y) for y in frame.loc[frame["anchor_id"] == anchor_id, "year"].unique())


def _span(years: list[int]) -> str:
    """Financial-year labels joined with ", " ("none" for no year)."""
    return ", ".join(fy_label(y) for y in years) if years else "none"


def anchor_facts(network, anchor_id: str) -> pd.DataFrame:
    """Who the anchor is and what it has returned.

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.

    Returns
    -------
    DataFrame
        ``item, value`` rows: name, sector, membership, and the years of each kind of return.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> anchor_facts(load_network("data/raw/demo"), "nhs_body_d").values.tolist()
    [['name', 'NHS Body D'], ['sector', 'nhs'], ['member', '2018/19 to 2023/24 (has left)'],
     ['progression returns', '2022/23, 2023/24'], ['metrics returns', '2019/20, 2020/21, 2021/22, 2022/23, 2023/24'],
     ['staff residence returns', '2019/20, 2020/21, 2021/22, 2022/23, 2023/24']]
    """
    row = network.anchors.set_index("anchor_id").loc[anchor_id]
    left = row.get("left_year")
    membership = f"since {fy_label(int(row['joined_year']))}"
    if pd.notna(left):  # left_year is the first year it was no longer a member
        membership = f"{fy_label(int(row['joined_year']))} to {fy_label(int(left) - 1)} (has left)"
    facts = [("name", row["name"]), ("sector", row["sector"]), ("member", membership),
             ("progression returns", _span(_years(network.progression, anchor_id))),
             ("metrics returns", _span(_years(network.metrics, anchor_id))),
             ("staff residence returns", _span(_years(network.staff_residence, anchor_id)))]
    return pd.DataFrame(facts, columns=["item", "value"])


def is_member(network, anchor_id: str, year: int) -> bool:
    """Whether the anchor was a member of the network in ``year``.

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.
    year : int
        The financial year.

    Returns
    -------
    bool

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> is_member(net, "nhs_body_d", 2023), is_member(net, "nhs_body_d", 2024)  # left in 2024/25
    (True, False)
    """
    return anchor_id in set(members(network.anchors, year))


def has_residence(network, anchor_id: str, year: int) -> bool:
    """Whether the anchor returned staff residence counts for ``year``.

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.
    year : int
        The financial year.

    Returns
    -------
    bool

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> has_residence(net, "cultural_body_a", 2023), has_residence(net, "cultural_body_a", 2022)
    (True, False)
    """
    residence = network.staff_residence
    return residence is not None and bool(((residence["year"] == year) & (residence["anchor_id"] == anchor_id)).any())


def anchor_metrics(network, anchor_id: str, year: int) -> pd.DataFrame:
    """The anchor's core metrics in ``year`` beside its last earlier return and the network.

    Metrics the anchor did not report are absent: not reported is never zero.

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.
    year : int
        The financial year.

    Returns
    -------
    DataFrame
        One row per metric the anchor reported that year, in the catalogue's order: ``metric, label, unit, value,
        compared_with`` (the year of its last earlier return of that metric, blank if none), ``previous_value, change,
        change_pct`` (a percentage), ``network_total`` (sum over the members reporting the metric that year),
        ``n_reporting`` and ``share_of_network`` (0-1; blank for flags such as living_wage, where a sum means a count
        of anchors). Empty when the anchor returned no metrics that year.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> table = anchor_metrics(load_network("data/raw/demo"), "university_a", 2023).set_index("metric")
    >>> table.loc["headcount", ["value", "previous_value", "network_total", "share_of_network"]].round(3).tolist()
    [8411.0, 8185.0, 62300.0, 0.135]
    >>> int(table.at["headcount", "compared_with"]), bool(pd.isna(table.at["living_wage", "share_of_network"]))
    (2022, True)
    """
    columns = ["metric", "label", "unit", "value", "compared_with", "previous_value", "change", "change_pct",
               "network_total", "n_reporting", "share_of_network"]
    metrics = network.metrics
    if not ((metrics["year"] == year) & (metrics["anchor_id"] == anchor_id)).any():
        return pd.DataFrame(columns=columns)
    rows = []
    for total in network_totals(metrics, network.anchors, year, network.place).itertuples():  # catalogue order
        own = anchor_year_on_year(metrics, total.metric, year).set_index("anchor_id")
        if anchor_id not in own.index:
            continue
        own = own.loc[anchor_id]
        previous = own["previous_value"]
        rows.append({
            "metric": total.metric, "label": total.label, "unit": total.unit, "value": float(own["value"]),
            "compared_with": own["compared_with"], "previous_value": previous, "change": own["change"],
            "change_pct": 100 * own["change"] / previous if pd.notna(previous) and previous else float("nan"),
            "network_total": total.total, "n_reporting": total.n_reporting,
            "share_of_network": (float(own["value"]) / total.total if total.unit != "flag" and total.total
                                 else float("nan")),
        })
    out = pd.DataFrame(rows, columns=columns)
    out["compared_with"] = out["compared_with"].astype("Int64")
    return out


def anchor_progression(network, anchor_id: str, year: int) -> pd.DataFrame:
    """The anchor's Progression Framework dimension scores in ``year`` against the network's quartiles.

    With the change since its last earlier return of each dimension (see
    :func:`~anchor_analysis.analysis.progression.benchmark` and
    :func:`~anchor_analysis.analysis.progression.trajectories`).

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.
    year : int
        The financial year.

    Returns
    -------
    DataFrame
        ``dimension, label, current, ambition, stretch, network_q1, network_median, network_q3, n_reporting,
        position, compared_with, gap_years, current_change, ambition_change``. Empty when the anchor made no
        progression return that year.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> table = anchor_progression(load_network("data/raw/demo"), "university_a", 2023)
    >>> table[["dimension", "position"]].values.tolist()
    [['employment', 'above median'], ['procurement', 'below median'], ['environment_assets', 'below lower quartile'],
     ['service_delivery', 'at median'], ['civic', 'at median']]
    """
    progression = network.progression
    columns = ["dimension", "label", "current", "ambition", "stretch", "network_q1", "network_median",
               "network_q3", "n_reporting", "position", "compared_with", "gap_years", "current_change",
               "ambition_change"]
    if anchor_id not in set(_frame_year(progression, year)["anchor_id"]):
        return pd.DataFrame(columns=columns)
    bench = benchmark(progression, year, anchors=network.anchors)
    own = bench[bench["anchor_id"] == anchor_id]
    moves = trajectories(progression, until=year)
    moves = moves[(moves["anchor_id"] == anchor_id) & (moves["year"] == year)]
    out = own.merge(moves[["dimension", "compared_with", "gap_years", "current_change", "ambition_change"]],
                    on="dimension", how="left")
    return out[columns].reset_index(drop=True)


def anchor_score_history(network, anchor_id: str, year: int) -> pd.DataFrame:
    """The anchor's dimension scores in every year up to ``year``, for its trajectory chart.

    :func:`anchor_analysis.analysis.progression.dimension_scores` with an ``anchor`` name column.

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.
    year : int
        The last financial year shown.

    Returns
    -------
    DataFrame
        ``year, anchor_id, anchor, dimension, current, ambition, stretch, n_activities_assessed,
        n_activities_framework``; empty without progression returns.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> history = anchor_score_history(load_network("data/raw/demo"), "university_a", 2023)
    >>> sorted(history["year"].unique().tolist()), history["anchor"].iloc[0]
    ([2019, 2020, 2021, 2022, 2023], 'University A')
    """
    progression = network.progression
    if progression is None or not (progression["anchor_id"] == anchor_id).any():
        return pd.DataFrame(columns=["year", "anchor_id", "anchor", "dimension", "current", "ambition", "stretch"])
    scores = dimension_scores(progression[progression["anchor_id"] == anchor_id], until=year)
    scores.insert(2, "anchor", network.anchors.set_index("anchor_id").at[anchor_id, "name"])
    return scores


def anchor_staff_by_ward(residence: pd.DataFrame, anchor_id: str, year: int, place: str | Place = "leeds"
                         ) -> pd.DataFrame:
    """The anchor's staff by ward of the place in ``year``, as published.

    Its column of the network's disclosure-controlled wards x anchors table
    (:func:`anchor_analysis.analysis.geo.staff_by_ward_and_anchor`), so a count withheld in the report is withheld
    here too.

    Parameters
    ----------
    residence : DataFrame
        The network's staff residence counts (``year, anchor_id, lsoa_code, count``): every anchor, since the
        suppression is of the whole table.
    anchor_id : str
        The anchor.
    year : int
        The financial year.
    place : str or Place, default "leeds"
        The place whose wards are listed.

    Returns
    -------
    DataFrame
        ``year, ward_code, ward_name, staff`` (missing = withheld), ``suppressed``; one row per ward of the place.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> wards = anchor_staff_by_ward(residence, "cultural_body_a", 2023)  # doctest: +PUBLIC_DATA
    >>> len(wards), int(wards["staff"].isna().sum())  # 33 wards, 16 counts withheld  # doctest: +PUBLIC_DATA
    (33, 16)
    >>> gipton = wards.set_index("ward_name").loc["Gipton & Harehills"]  # doctest: +PUBLIC_DATA
    >>> int(gipton["staff"]), gipton["suppressed"]  # doctest: +PUBLIC_DATA
    (11, '')
    """
    from anchor_analysis.analysis.geo.residence import staff_by_ward_and_anchor

    grid = staff_by_ward_and_anchor(residence, year, place)
    return grid[grid["anchor_id"] == anchor_id].drop(columns="anchor_id").reset_index(drop=True)


def anchor_staff_counts_every_year(residence: pd.DataFrame, anchor_id: str, place: str | Place = "leeds"
                                   ) -> list[pd.Series]:
    """The anchor's published staff counts by ward, one series per year it returned residence counts.

    What :func:`anchor_analysis.figures.maps.pooled_breaks` takes, so its maps of different years share one scale.

    Parameters
    ----------
    residence : DataFrame
        The network's staff residence counts (every anchor).
    anchor_id : str
        The anchor.
    place : str or Place, default "leeds"
        The place whose wards are counted.

    Returns
    -------
    list of Series
        The ``staff`` column of :func:`anchor_staff_by_ward` for each year, oldest first.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> [len(s) for s in anchor_staff_counts_every_year(residence, "cultural_body_a")]  # doctest: +PUBLIC_DATA
    [33, 33]
    """
    years = sorted(residence.loc[residence["anchor_id"] == anchor_id, "year"].unique())
    return [anchor_staff_by_ward(residence, anchor_id, int(y), place)["staff"] for y in years]


def describe_staff_in_most_deprived(residence: pd.DataFrame, anchor_id: str, year: int, edition: int) -> str:
    """One sentence: how many of the anchor's staff live in national IMD decile 1.

    The report's function, :func:`anchor_analysis.analysis.geo.staff_in_most_deprived`.

    Parameters
    ----------
    residence : DataFrame
        Staff residence counts (``year, anchor_id, lsoa_code, count``).
    anchor_id : str
        The anchor.
    year : int
        The financial year.
    edition : int
        The IMD edition, 2019 or 2025.

    Returns
    -------
    str
        The sentence (Markdown).

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> print(describe_staff_in_most_deprived(residence, "university_a", 2023, 2019))  # doctest: +PUBLIC_DATA
    **1,570 of 8,411 staff** with residence data live in the most deprived 10% of areas in England (IMD 2019 decile 1).
    """
    from anchor_analysis.analysis.geo.residence import staff_in_most_deprived

    counts = staff_in_most_deprived(residence, edition)
    counts = counts[(counts["anchor_id"] == anchor_id) & (counts["year"] == year)]
    return (f"**{int(counts['staff_in_most_deprived'].sum()):,} of {int(counts['staff'].sum()):,} staff** with "
            f"residence data live in the most deprived 10% of areas in England (IMD {edition} decile 1).")


def describe_anchor(network, anchor_id: str, year: int) -> str:
    """One paragraph: membership that year and what the anchor returned.

    Parameters
    ----------
    network : Network
        The validated network.
    anchor_id : str
        The anchor.
    year : int
        The financial year.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> net = load_network("data/raw/demo")
    >>> print(describe_anchor(net, "university_a", 2023))
    In 2023/24, University A returned a Progression Framework self-assessment, core metrics and staff residence counts.
    >>> print(describe_anchor(net, "nhs_body_d", 2024))
    NHS Body D was not a member of the network in 2024/25: there is nothing of 2024/25 to profile.
    """
    name = network.anchors.set_index("anchor_id").at[anchor_id, "name"]
    fy = fy_label(year)
    if not is_member(network, anchor_id, year):
        return f"{name} was not a member of the network in {fy}: there is nothing of {fy} to profile."
    returned = [what for what, frame in (("a Progression Framework self-assessment", network.progression),
                                         ("core metrics", network.metrics),
                                         ("staff residence counts", network.staff_residence))
                if anchor_id in set(_frame_year(frame, year)["anchor_id"])]
    if not returned:
        return f"{name} was a member in {fy} but made no return for that year."
    listed = returned[0] if len(returned) == 1 else ", ".join(returned[:-1]) + " and " + returned[-1]
    return f"In {fy}, {name} returned {listed}."


def _frame_year(frame: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """The rows of ``year`` (an empty frame with ``anchor_id`` for a missing table)."""
    if frame is None:
        return pd.DataFrame(columns=["anchor_id"])
    return frame[frame["year"] == year]
