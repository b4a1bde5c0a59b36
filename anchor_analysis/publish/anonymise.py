"""Anchor names and anonymous codes for anything a run publishes.

An anonymised run names anchors "Anchor A", "Anchor B", ... in sorted ``anchor_id`` order over the whole
network, so one anchor keeps its code in every table and figure of the run.

>>> import pandas as pd
>>> anchors = pd.DataFrame({"anchor_id": ["b", "a"], "name": ["Beta", "Alpha"]})
>>> anchor_labels(["a"], anchors, anonymise=True)
{'a': 'Anchor A', 'b': 'Anchor B'}
"""

from __future__ import annotations

import string
from collections.abc import Iterable

import pandas as pd

# --- anchor names and codes -----------------------------------------------------------------------------------

def anonymous_code(index: int) -> str:
    """The ``index``-th anonymous code: 0 -> ``"Anchor A"``, 25 -> ``"Anchor Z"``, 26 -> ``"Anchor AA"``.

    Parameters
    ----------
    index : int
        The anchor's 0-based position in sorted ``anchor_id`` order.

    Returns
    -------
    str
        ``"Anchor "`` and letters counted like spreadsheet columns.

    Examples
    --------
    >>> [anonymous_code(i) for i in (0, 1, 25, 26, 27)]
    ['Anchor A', 'Anchor B', 'Anchor Z', 'Anchor AA', 'Anchor AB']
    """
    letters = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = string.ascii_uppercase[r] + letters
    return f"Anchor {letters}"


def anchor_labels(anchor_ids: Iterable[str], anchors: pd.DataFrame | None = None, *,
                  anonymise: bool = False) -> dict[str, str]:
    """The display label per anchor id: its name from ``anchors``, its id without a table, or an anonymous code.

    Anonymous codes follow sorted anchor_id over every anchor in ``anchors`` plus ``anchor_ids``, so one anchor
    gets the same code in every table of a run as long as the same anchors table is passed (the notebooks pass
    the network's full anchors table every time).

    Parameters
    ----------
    anchor_ids : iterable of str
        The anchors to label.
    anchors : DataFrame, optional
        The network's anchors table (``anchor_id, name``).
    anonymise : bool, default False
        Give anonymous codes (:func:`anonymous_code`) instead of names.

    Returns
    -------
    dict of str to str
        Anchor id -> label, for every anchor of ``anchors`` and ``anchor_ids``.

    Raises
    ------
    ValueError
        Names are asked for and an anchor id is not in ``anchors``.

    Examples
    --------
    >>> anchor_labels(["b", "a"], anonymise=True)
    {'a': 'Anchor A', 'b': 'Anchor B'}
    >>> anchors = pd.DataFrame({"anchor_id": ["b", "a"], "name": ["Beta", "Alpha"]})
    >>> anchor_labels(["a"], anchors)
    {'b': 'Beta', 'a': 'Alpha'}
    >>> anchor_labels(["c"], anchors)
    Traceback (most recent call last):
    ValueError: anchor id(s) ['c'] are not in the anchors table
    """
    ids = {str(a) for a in anchor_ids}
    if anchors is not None:
        ids |= set(anchors["anchor_id"].astype(str))
    universe = sorted(ids)
    if anonymise:
        return {a: anonymous_code(i) for i, a in enumerate(universe)}
    if anchors is None:
        return {a: a for a in universe}
    names = dict(zip(anchors["anchor_id"].astype(str), anchors["name"].astype(str), strict=True))
    unknown = sorted(ids - set(names))
    if unknown:
        raise ValueError(f"anchor id(s) {unknown} are not in the anchors table")
    return names


def label_anchors(frame: pd.DataFrame, anchors: pd.DataFrame | None = None, *,
                  anonymise: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with an ``anchor`` display column after ``anchor_id`` (dropped when anonymised).

    Parameters
    ----------
    frame : DataFrame
        A table with an ``anchor_id`` column.
    anchors : DataFrame, optional
        The network's anchors table, for names and for codes that hold across the run.
    anonymise : bool, default False
        Label with anonymous codes and drop ``anchor_id``.

    Returns
    -------
    DataFrame
        The labelled copy.

    Examples
    --------
    >>> frame = pd.DataFrame({"anchor_id": ["b", "a"], "x": [1, 2]})
    >>> label_anchors(frame, anonymise=True).values.tolist()
    [['Anchor B', 1], ['Anchor A', 2]]
    >>> label_anchors(frame, pd.DataFrame({"anchor_id": ["a", "b"], "name": ["Alpha", "Beta"]})).columns.tolist()
    ['anchor_id', 'anchor', 'x']
    """
    labels = anchor_labels(frame["anchor_id"], anchors, anonymise=anonymise)
    out = frame.copy()
    out.insert(out.columns.get_loc("anchor_id") + 1, "anchor", out["anchor_id"].astype(str).map(labels))
    if anonymise:
        out = out.drop(columns="anchor_id")
    return out


ANCHOR_LIST_COLUMNS = ("reporting", "not_reporting", "imputed", "excluded", "anchors")
"""Columns of the kit's tables that list anchor ids as text (``"nhs_trust_a, university_b"``) or as a list."""


def publishable_table(frame: pd.DataFrame, anchors: pd.DataFrame, *, anonymise: bool = False) -> pd.DataFrame:
    """``frame`` as a run may publish it, its anchors coded when the run is anonymised.

    Unchanged unless ``anonymise``; anonymised, the ``anchor_id`` column becomes an ``anchor`` code column
    (:func:`label_anchors`) and every id in the columns that list anchors (:data:`ANCHOR_LIST_COLUMNS`, as
    ``"a, b"`` text or as lists) becomes its code, with the codes of every other table of the run.

    Parameters
    ----------
    frame : DataFrame
        The table.
    anchors : DataFrame
        The network's full anchors table (``anchor_id, name``).
    anonymise : bool, default False
        Code the anchors.

    Returns
    -------
    DataFrame
        ``frame`` itself when not anonymised, else an anonymised copy.

    Examples
    --------
    >>> anchors = pd.DataFrame({"anchor_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> t = pd.DataFrame({"metric": ["headcount"], "not_reporting": ["b, a"], "anchors": [["a", "b"]]})
    >>> publishable_table(t, anchors, anonymise=True).values.tolist()
    [['headcount', 'Anchor B, Anchor A', ['Anchor A', 'Anchor B']]]
    >>> publishable_table(t, anchors) is t
    True
    """
    if not anonymise:
        return frame
    labels = anchor_labels(anchors["anchor_id"], anchors, anonymise=True)

    def relabel(value: object) -> object:
        """A list of anchor ids, or ids separated by ", ", with each id replaced by its code."""
        if isinstance(value, list | tuple):
            return [labels.get(str(v), v) for v in value]
        if isinstance(value, str) and value:
            return ", ".join(labels.get(part, part) for part in value.split(", "))
        return value

    out = frame.copy()
    for column in ANCHOR_LIST_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(relabel)
    if "anchor_id" in out.columns:
        out = label_anchors(out, anchors, anonymise=True)
    return out
