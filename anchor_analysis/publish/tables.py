"""Writing tables for publication: the one table writer every notebook uses.

:func:`write_table` names or codes the anchors (:mod:`anchor_analysis.publish.anonymise`), rounds floats for
publication (:func:`~anchor_analysis.publish.formatting.round_for_publication`) and writes the CSV atomically: a
temporary file renamed into place with ordinary permissions, so a failed run never leaves half a table and a
colleague can read what it wrote. The same frame always gives the same bytes.

>>> import tempfile, pathlib
>>> import pandas as pd
>>> anchors = pd.DataFrame({"anchor_id": ["uni_a", "trust_b"], "name": ["University A", "NHS Trust B"]})
>>> frame = pd.DataFrame({"anchor_id": ["trust_b"], "share_local": [0.123456]})
>>> path = write_table(frame, pathlib.Path(tempfile.mkdtemp()) / "shares.csv", anchors=anchors, anonymise=True)
>>> print(path.read_text())
anchor,share_local
Anchor A,0.1235
<BLANKLINE>
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from anchor_analysis.core.errors import ArgumentError
from anchor_analysis.core.files import atomic_path
from anchor_analysis.publish.anonymise import label_anchors, publishable_table
from anchor_analysis.publish.formatting import round_for_publication

PathLike = str | os.PathLike[str]

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def publishable(frame: pd.DataFrame, anchors: pd.DataFrame | None = None, *, anonymise: bool = False,
                names: bool = False) -> pd.DataFrame:
    """``frame`` as a run publishes it, without writing it.

    Parameters
    ----------
    frame : DataFrame
        The table; a ``geometry`` column is dropped.
    anchors : DataFrame, optional
        The network's anchors table (``anchor_id, name``). Needed to anonymise or to add names.
    anonymise : bool, default False
        Replace ``anchor_id`` by an ``anchor`` code column and every listed anchor id by its code.
    names : bool, default False
        Not anonymised: add an ``anchor`` column with each anchor's name after ``anchor_id``.

    Returns
    -------
    DataFrame
        A new frame, floats rounded for publication
        (:func:`~anchor_analysis.publish.formatting.round_for_publication`).

    Raises
    ------
    ArgumentError
        ``anonymise=True`` without ``anchors``.

    Examples
    --------
    >>> anchors = pd.DataFrame({"anchor_id": ["uni_a", "trust_b"], "name": ["University A", "NHS Trust B"]})
    >>> frame = pd.DataFrame({"anchor_id": ["trust_b", "uni_a"], "spend": [1234.5678, 99.0]})
    >>> publishable(frame, anchors, names=True).values.tolist()
    [['trust_b', 'NHS Trust B', 1234.57], ['uni_a', 'University A', 99.0]]
    >>> publishable(frame, anchors, anonymise=True).values.tolist()
    [['Anchor A', 1234.57], ['Anchor B', 99.0]]
    >>> publishable(frame, anonymise=True)
    Traceback (most recent call last):
    anchor_analysis.core.errors.ArgumentError: anonymise=True needs the anchors table (anchors=...) to give every
    anchor its code
    """
    out = frame
    if anchors is not None and anonymise:
        out = publishable_table(out, anchors, anonymise=True)
    elif anchors is not None and names and "anchor_id" in out.columns:
        out = label_anchors(out, anchors)
    elif anonymise:
        raise ArgumentError("anonymise=True needs the anchors table (anchors=...) to give every anchor its code")
    return round_for_publication(out)


def write_table(frame: pd.DataFrame, path: PathLike, *, anchors: pd.DataFrame | None = None,
                anonymise: bool = False, names: bool = False, index: bool = False) -> Path:
    """Write ``frame`` as a published CSV at ``path``.

    The table is prepared by :func:`publishable` (anchors named or coded, floats rounded), then written to a
    temporary file beside ``path`` and renamed into place, with ordinary permissions and ``\\n`` line endings: the
    same frame always gives the same bytes.

    Parameters
    ----------
    frame : DataFrame
        The table.
    path : str or path-like
        The CSV to write: a plain file name (letters, digits, ``_ . -``) ending ``.csv``; its folder is created
        if needed.
    anchors : DataFrame, optional
        The network's anchors table (see :func:`publishable`).
    anonymise : bool, default False
        Code the anchors (see :func:`publishable`).
    names : bool, default False
        Add the anchors' names (see :func:`publishable`).
    index : bool, default False
        Write the frame's index as its first column (for grids whose rows are labelled).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ArgumentError
        ``path`` is not a plain ``.csv`` file name, or ``anonymise=True`` without ``anchors``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> grid = pd.DataFrame({"staff": [12.0]}, index=pd.Index(["Armley"], name="ward"))
    >>> print(write_table(grid, folder / "staff_by_ward.csv", index=True).read_text())
    ward,staff
    Armley,12.0
    <BLANKLINE>
    >>> write_table(grid, folder / "staff by ward.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    anchor_analysis.core.errors.ArgumentError: path '...staff by ward.csv': expected a file name like
    'spend_by_ring.csv' (a plain stem and the .csv suffix)
    """
    target = Path(path)
    if target.suffix.lower() != ".csv" or not _STEM.fullmatch(target.stem):
        raise ArgumentError(f"path {str(path)!r}: expected a file name like 'spend_by_ring.csv' (a plain stem and "
                            "the .csv suffix)")
    table = publishable(frame, anchors, anonymise=anonymise, names=names)
    with atomic_path(target) as tmp:
        table.to_csv(tmp, index=index, lineterminator="\n")
    return target


def write_tables(tables: Mapping[str, pd.DataFrame], folder: PathLike, **options) -> list[Path]:
    """Write several published tables: :func:`write_table` for each, as ``<folder>/<name>.csv``.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Table name (the file's stem) -> table.
    folder : str or path-like
        The folder to write them in (created if needed).
    **options
        As for :func:`write_table` (``anchors``, ``anonymise``, ``names``, ``index``).

    Returns
    -------
    list of Path
        The files written, in the order given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tables = {"spend_by_ring": pd.DataFrame({"ring": ["leeds"], "spend": [1.0]}),
    ...           "concentration": pd.DataFrame({"top_n": [10], "share": [0.28812]})}
    >>> [path.name for path in write_tables(tables, pathlib.Path(tempfile.mkdtemp()))]
    ['spend_by_ring.csv', 'concentration.csv']
    """
    return [write_table(table, Path(folder) / f"{name}.csv", **options) for name, table in tables.items()]
