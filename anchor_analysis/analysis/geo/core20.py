"""The NHS Core20 workforce: staff living in the most deprived 20% of areas in England (IMD national quintile 1).

NHS England's Core20PLUS5 names the most deprived 20% of the national population by IMD (deciles 1 and 2) as
Core20; NHS anchors report the share of their staff living there. The kit's "most deprived" is decile 1; Core20 is
counted beside it, per anchor and for the network, from the staff residence counts, for either IMD edition (IMD
2019 through each LSOA 2021's best-fit LSOA 2011, IMD 2025 directly), and published under disclosure control.

>>> from anchor_analysis.contracts import load_network
>>> residence = load_network("data/raw/demo").staff_residence
>>> counts = staff_in_core20(residence[residence["year"] == 2023], 2019)  # doctest: +PUBLIC_DATA
>>> [int(counts[c].sum()) for c in ("staff", "staff_in_decile1", "staff_in_core20")]  # doctest: +PUBLIC_DATA
[62300, 12300, 19944]
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.analysis.geo.residence import staff_in_deciles
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.years import fy_label
from anchor_analysis.publish.disclosure import publish_counts, publishable_total

CORE20_DECILES = (1, 2)
"""Core20: national IMD deciles 1 and 2 (quintile 1)."""
NETWORK_ROW = "network"

PathLike = str | None


def staff_in_core20(residence: pd.DataFrame, edition: int, data_dir: PathLike = None) -> pd.DataFrame:
    """Staff living in national IMD decile 1 and in Core20 (quintile 1) of ``edition``, per year and anchor.

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    edition : int
        The IMD edition, 2019 or 2025.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, anchor_id, staff, staff_in_decile1, staff_in_core20, share_decile1, share_core20`` (shares 0-1 of
        the staff with residence data); LSOAs without an English IMD and unlocated staff count in neither.
        ``attrs["edition"]`` is the edition.

    Raises
    ------
    GeographyError
        ``edition`` is not 2019 or 2025, or ``residence`` lacks a column.
    """
    counts = staff_in_deciles(residence, edition, {"decile1": (1,), "core20": CORE20_DECILES}, data_dir)
    columns = ["year", "anchor_id", "staff", "staff_in_decile1", "staff_in_core20", "share_decile1", "share_core20"]
    return counts[columns]


def core20_table(residence: pd.DataFrame, year: int, edition: int, place: str | Place = "leeds",
                 data_dir: PathLike = None) -> pd.DataFrame:
    """Core20 and decile 1 staff per anchor and for the network in ``year``, as they may be published.

    Counts below the place's disclosure threshold are withheld with a second cell where the network total would
    reveal them (:func:`~anchor_analysis.publish.disclosure.publish_counts`, once per count column), and the share
    is blanked with its count.

    Parameters
    ----------
    residence : DataFrame
        Staff residence counts (``year, anchor_id, lsoa_code, count``).
    year : int
        The financial year.
    edition : int
        The IMD edition, 2019 or 2025.
    place : str or Place, default "leeds"
        The place whose disclosure threshold applies.
    data_dir : path, optional
        The public data folder.

    Returns
    -------
    DataFrame
        ``anchor_id, staff, staff_in_decile1, share_decile1, staff_in_core20, share_core20, suppressed``: one row
        per anchor with residence data, then ``network`` (:func:`core20_tables` splits them for publication).
        ``attrs["edition"]`` and ``attrs["threshold"]``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> table = core20_table(residence, 2023, 2019)  # doctest: +PUBLIC_DATA
    >>> network = table.set_index("anchor_id").loc["network"]  # doctest: +PUBLIC_DATA
    >>> [int(network["staff_in_core20"]), round(float(network["share_core20"]), 4)]  # doctest: +PUBLIC_DATA
    [19944, 0.3201]
    """
    place = load_place(place)
    counts = staff_in_core20(residence[residence["year"] == year], edition, data_dir)
    published = counts.copy()
    suppressed = pd.Series("", index=published.index)
    for count, share in (("staff_in_decile1", "share_decile1"), ("staff_in_core20", "share_core20")):
        one = publish_counts(counts[["year", "anchor_id", count, share]], place, value_col=count,
                             derived=(share,))
        published[count], published[share] = one[count].to_numpy(), one[share].to_numpy()
        suppressed = suppressed.where(one["suppressed"].to_numpy() == "", count + " " + one["suppressed"])
    published["suppressed"] = suppressed.str.strip()
    threshold = place.disclosure_threshold
    totals = {c: int(counts[c].sum()) for c in ("staff", "staff_in_decile1", "staff_in_core20")}
    network = {"anchor_id": NETWORK_ROW, **{c: publishable_total(v, threshold) for c, v in totals.items()},
               "share_decile1": totals["staff_in_decile1"] / totals["staff"] if totals["staff"] else pd.NA,
               "share_core20": totals["staff_in_core20"] / totals["staff"] if totals["staff"] else pd.NA,
               "suppressed": ""}
    out = pd.concat([published.drop(columns="year"), pd.DataFrame([network])], ignore_index=True)
    out = out[["anchor_id", "staff", "staff_in_decile1", "share_decile1", "staff_in_core20",
               "share_core20", "suppressed"]].astype({"staff": "Int64", "staff_in_decile1": "Int64",
                                                      "staff_in_core20": "Int64", "share_decile1": "Float64",
                                                      "share_core20": "Float64"})
    out.attrs.update(edition=edition, threshold=threshold)
    return out


def core20_tables(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`core20_table` as the two tables the report writes: per anchor, and the network's row.

    Parameters
    ----------
    table : DataFrame
        :func:`core20_table`.

    Returns
    -------
    dict of str to DataFrame
        ``staff_core20_by_anchor`` (anchor ids, for the anchor labels of the table writer) and
        ``staff_core20_network`` (no anchor column).

    Examples
    --------
    >>> table = pd.DataFrame({"anchor_id": ["a", "network"], "staff": [20, 20]})
    >>> {name: len(part) for name, part in core20_tables(table).items()}
    {'staff_core20_by_anchor': 1, 'staff_core20_network': 1}
    """
    network = table["anchor_id"] == NETWORK_ROW
    return {"staff_core20_by_anchor": table[~network].reset_index(drop=True),
            "staff_core20_network": table[network].drop(columns="anchor_id").reset_index(drop=True)}


def describe_core20(table: pd.DataFrame, year: int, anchor_id: str = NETWORK_ROW) -> str:
    """One sentence on the Core20 staff of the network (or of one anchor), from :func:`core20_table`.

    Parameters
    ----------
    table : DataFrame
        :func:`core20_table` (published counts: a withheld count is said to be withheld).
    year : int
        The financial year.
    anchor_id : str, default "network"
        The row to describe.

    Returns
    -------
    str
        The sentence (Markdown).

    Examples
    --------
    >>> table = pd.DataFrame({"anchor_id": ["network"], "staff": [200], "staff_in_decile1": [30],
    ...                       "share_decile1": [0.15], "staff_in_core20": [52], "share_core20": [0.26]})
    >>> table.attrs["edition"] = 2025
    >>> print(describe_core20(table, 2024))
    **52 of the 200 staff** with residence data for 2024/25 (26.0%) live in the NHS Core20 areas, the most deprived
    20% of England (IMD 2025 national deciles 1-2); 30 (15.0%) in decile 1 alone.
    """
    row = table.set_index("anchor_id").loc[anchor_id]
    edition = table.attrs.get("edition", "")
    who = "of staff" if anchor_id == NETWORK_ROW else "of its staff"
    if pd.isna(row["staff_in_core20"]):
        return (f"The number {who} living in the NHS Core20 areas in {fy_label(year)} is withheld: it is below the "
                "disclosure threshold.")
    decile1 = ("withheld (below the disclosure threshold)" if pd.isna(row["staff_in_decile1"])
               else f"{int(row['staff_in_decile1']):,} ({row['share_decile1']:.1%})")
    return (f"**{int(row['staff_in_core20']):,} of the {int(row['staff']):,} staff** with residence data for "
            f"{fy_label(year)} ({row['share_core20']:.1%}) live in the NHS Core20 areas, "
            f"the most deprived 20% of England (IMD {edition} national deciles 1-2); {decile1} in decile 1 alone.")


def core20_headline(network, year: int, edition: int | None = None) -> pd.DataFrame:
    """The headline row of the network's Core20 staff (``key = "staff_core20"``), in the headline table's columns.

    Counted from the staff residence returns where the network has them that year, else summed from the returned
    ``staff_in_core20`` metric; the total is withheld when it is itself below the disclosure threshold.

    Parameters
    ----------
    network : Network
        The validated network.
    year : int
        The financial year.
    edition : int, optional
        The IMD edition (default: the place's edition for ``year``).

    Returns
    -------
    DataFrame
        One row: ``key, label, value, unit, n_reporting, n_members, coverage_statement``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> row = core20_headline(load_network("data/raw/demo"), 2023).iloc[0]  # doctest: +PUBLIC_DATA
    >>> float(row["value"]), row["coverage_statement"]  # doctest: +PUBLIC_DATA
    (19944.0, '14 of 14 anchors reporting (100%)')
    """
    from anchor_analysis.analysis.metrics import coverage_statement
    from anchor_analysis.core.membership import members

    ids = members(network.anchors, year)
    residence = network.staff_residence
    if residence is not None and (residence["year"] == year).any():
        edition = edition or network.place.imd_edition_for(year)
        counts = staff_in_core20(residence[(residence["year"] == year) & residence["anchor_id"].isin(ids)], edition)
        values = counts.set_index("anchor_id")["staff_in_core20"]
    else:
        rows = network.metrics[(network.metrics["year"] == year) & (network.metrics["metric"] == "staff_in_core20")]
        values = rows[rows["anchor_id"].isin(ids)].set_index("anchor_id")["value"]
    total = publishable_total(float(values.sum()), network.place.disclosure_threshold) if len(values) else float("nan")
    statement = coverage_statement(len(values), len(ids))
    if len(values) and pd.isna(total):
        statement += "; withheld: below the disclosure threshold"
    return pd.DataFrame([{
        "key": "staff_core20", "label": "Staff living in the NHS Core20 areas (IMD quintile 1)",
        "value": float("nan") if pd.isna(total) else float(total), "unit": "people", "n_reporting": len(values),
        "n_members": len(ids), "coverage_statement": statement,
    }])
