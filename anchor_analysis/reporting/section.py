"""What every report notebook starts with: its parameters in; the network, place, labels, folders and house
style out.

A notebook's set-up is one call, and its tables and figures go out through the section, so every notebook reads
the network the same way (its derived tables, :func:`anchor_analysis.derived.processed_network`), names or codes
anchors the same way, rounds and writes tables the same way (:func:`anchor_analysis.publish.tables.write_table`:
atomic, rounded, anonymised when asked) and saves figures the same way (PNG and SVG under ``figures/``)::

    section = open_section(year=year, data_dir=data_dir, output_dir=output_dir, place=place, anonymise=anonymise)
    section.introduce("baseline")
    section.write("headline", table)
    section.show(figure, "headline")

>>> import tempfile
>>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp(), anonymise=True)  # doctest: +PUBLIC_DATA
>>> section.fy, section.imd_edition, section.label("nhs_trust_a")  # doctest: +PUBLIC_DATA
('2023/24', 2019, 'Anchor H')
>>> section.write("members", section.network.anchors[["anchor_id", "sector"]]).name  # doctest: +PUBLIC_DATA
'members.csv'

Reading the network validates it against the public postcode lookup, so these examples need the public data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label
from anchor_analysis.derived.network import ProcessedNetwork, processed_network
from anchor_analysis.figures.style import apply_house_style, show_figure
from anchor_analysis.publish.anonymise import anchor_labels, label_anchors
from anchor_analysis.publish.formatting import readable_number
from anchor_analysis.publish.tables import write_table
from anchor_analysis.publish.vocabulary import show_tables_in_reader_words

SYNTHETIC_NOTICE = "SYNTHETIC DATA: these returns are invented."


@dataclass
class Section:
    """One notebook's view of the run: the year, the network, where its outputs go and how anchors are named.

    :func:`open_section` makes it from the notebook's parameters.

    Parameters
    ----------
    year : int
        The financial year (2023 = 2023/24).
    network : ProcessedNetwork
        The network's derived tables (:func:`anchor_analysis.derived.processed_network`).
    output_dir : Path
        Where the notebook writes (``figures/`` and ``tables/`` under it).
    anonymise : bool, default False
        Anchors are named by code in every table and figure.
    imd_edition : int, default 2019
        See below.
    labels : dict of str to str
        See below.

    Examples
    --------
    >>> import tempfile
    >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
    >>> section.place.name, section.synthetic, section.tables.name  # doctest: +PUBLIC_DATA
    ('Leeds', True, 'tables')
    """

    year: int
    network: ProcessedNetwork
    output_dir: Path
    anonymise: bool = False
    imd_edition: int = 2019
    """The IMD edition of the section: the one asked for, else the place's edition in use that year."""
    labels: dict[str, str] = field(default_factory=dict)
    """Display label per anchor_id: its name, or its anonymous code ("Anchor A") in an anonymised run."""

    @property
    def place(self) -> Place:
        """The network's place configuration."""
        return self.network.place

    @property
    def fy(self) -> str:
        """The financial year's label, ``2023/24``."""
        return fy_label(self.year)

    @property
    def synthetic(self) -> bool:
        """The network's returns are synthetic (its ``network.toml`` says so)."""
        return self.network.synthetic

    @property
    def figures(self) -> Path:
        """``<output_dir>/figures``, where :meth:`show` saves figures."""
        return self.output_dir / "figures"

    @property
    def tables(self) -> Path:
        """``<output_dir>/tables``, where :meth:`write` publishes tables."""
        return self.output_dir / "tables"

    def label(self, anchor_id: str) -> str:
        """Return how the anchor is named in this run's tables and figures.

        Parameters
        ----------
        anchor_id : str
            The anchor's id in the returns.

        Returns
        -------
        str
            Its name, or its code ("Anchor A") when the run is anonymised.

        Raises
        ------
        KeyError
            For an anchor not in the network.

        Examples
        --------
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> section.label("nhs_trust_a")  # doctest: +PUBLIC_DATA
        'NHS Trust A'
        """
        return self.labels[str(anchor_id)]

    def labelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``frame`` with an ``anchor`` column naming each anchor as this run does (for figures).

        Parameters
        ----------
        frame : pandas.DataFrame
            A table with ``anchor_id``.

        Returns
        -------
        pandas.DataFrame
            ``anchor`` after ``anchor_id``; anonymised, the code replaces the id.

        Examples
        --------
        >>> import pandas as pd
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> staff = pd.DataFrame({"anchor_id": ["nhs_trust_a"], "staff": [9000]})
        >>> section.labelled(staff)  # doctest: +PUBLIC_DATA
             anchor_id       anchor  staff
        0  nhs_trust_a  NHS Trust A   9000
        """
        return label_anchors(frame, self.network.anchors, anonymise=self.anonymise)

    def source(self, what: str) -> str:
        """Return a figure's source line: ``"<network>, <what>"``.

        Parameters
        ----------
        what : str
            The returns the figure draws on.

        Returns
        -------
        str

        Examples
        --------
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> section.source("core metrics returns")  # doctest: +PUBLIC_DATA
        'Demo anchor network (SYNTHETIC), core metrics returns'
        """
        return f"{self.network.name}, {what}"

    def write(self, name: str, frame: pd.DataFrame, *, names: bool = False, index: bool = False) -> Path:
        """Publish ``frame`` as ``tables/<name>.csv``, written atomically.

        Anchors are coded when the run is anonymised (or named, with ``names=True``) and floats rounded for
        publication (:func:`anchor_analysis.publish.tables.write_table`).

        Parameters
        ----------
        name : str
            A plain file stem, ``spend_by_ring``.
        frame : pandas.DataFrame
            The table.
        names : bool, default False
            Not anonymised: add an ``anchor`` column with each anchor's name.
        index : bool, default False
            Write the frame's index as its first column (for grids whose rows are labelled).

        Returns
        -------
        Path
            ``tables/<name>.csv``.

        Examples
        --------
        >>> import pandas as pd
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp(), anonymise=True)  # doctest: +PUBLIC_DATA
        >>> staff = pd.DataFrame({"anchor_id": ["nhs_trust_a"], "share_leeds": [0.6412345]})
        >>> path = section.write("staff", staff)  # doctest: +PUBLIC_DATA
        >>> print(path.read_text())  # doctest: +PUBLIC_DATA
        anchor,share_leeds
        Anchor H,0.6412
        <BLANKLINE>
        """
        return write_table(frame, self.tables / f"{name}.csv", anchors=self.network.anchors,
                           anonymise=self.anonymise, names=names, index=index)

    def write_all(self, tables: Mapping[str, pd.DataFrame], **options) -> list[Path]:
        """Publish several tables with :meth:`write`, in the order given.

        Parameters
        ----------
        tables : mapping of str to pandas.DataFrame
            Name -> table.
        **options
            ``names`` and ``index``, as for :meth:`write`.

        Returns
        -------
        list of Path

        Examples
        --------
        >>> import pandas as pd
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> tables = {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": [2]})}
        >>> [p.name for p in section.write_all(tables)]  # doctest: +PUBLIC_DATA
        ['a.csv', 'b.csv']
        """
        return [self.write(name, frame, **options) for name, frame in tables.items()]

    def show(self, fig, name: str, *, width: int | None = None) -> None:
        """Save ``fig`` as ``figures/<name>.png`` and ``.svg``, close it and display the saved PNG (maps too).

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The figure; it is closed.
        name : str
            A plain file stem.
        width : int, optional
            Width on screen in pixels (see :func:`anchor_analysis.figures.style.show_figure`).

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> section.show(plt.figure(), "empty")  # doctest: +PUBLIC_DATA
        <IPython.core.display.Image object>
        >>> sorted(p.name for p in section.figures.iterdir())  # doctest: +PUBLIC_DATA
        ['empty.png', 'empty.svg']
        """
        show_figure(fig, self.figures, name, width=width)

    def introduce(self, heading: str, detail: str = "", synthetic_note: str = "") -> None:
        """Display the section's heading and, for a synthetic network, its notice.

        The heading is Markdown ``## <network>: <heading> <year> <detail>``; the notice is
        :meth:`synthetic_notice`, in bold, with ``synthetic_note`` after it. Outside IPython the objects' names are
        printed instead.

        Parameters
        ----------
        heading : str
            What the section is about, ``baseline``.
        detail : str, default ""
            Added after the year.
        synthetic_note : str, default ""
            Added after the synthetic notice.

        Examples
        --------
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> section.introduce("baseline")  # doctest: +PUBLIC_DATA
        <IPython.core.display.Markdown object>
        <IPython.core.display.Markdown object>
        """
        from IPython.display import Markdown, display

        display(Markdown(f"## {self.network.name}: {heading} {self.fy}{' ' + detail if detail else ''}"))
        if self.synthetic:
            display(Markdown(f"> **{self.synthetic_notice()}**{' ' + synthetic_note if synthetic_note else ''}"))

    def synthetic_notice(self) -> str:
        """Return what a synthetic network says of itself (its ``network.toml`` description), or a plain notice.

        Returns
        -------
        str

        Examples
        --------
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> section.synthetic_notice()  # doctest: +PUBLIC_DATA
        'SYNTHETIC DATA: the demo network is invented by anchor_analysis.demo and agrees with published Leeds ...'
        """
        return self.network.description or SYNTHETIC_NOTICE

    def spend(self):
        """Return the spend analysis of the year's ledger lines, with the section's IMD edition.

        Returns
        -------
        SpendAnalysis or None
            :class:`anchor_analysis.analysis.spend.SpendAnalysis`; None when the year has no ledgers.

        Examples
        --------
        >>> import tempfile
        >>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp())  # doctest: +PUBLIC_DATA
        >>> spend = section.spend()  # doctest: +PUBLIC_DATA
        >>> spend.imd_edition, list(spend.by_ring.columns[:4])  # doctest: +PUBLIC_DATA
        (2019, ['anchor_id', 'year', 'ring', 'lines'])
        """
        return self.network.spend(self.year, self.imd_edition)


def open_section(year: int, data_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str],
                 place: str | Place | None = None, *, anonymise: bool = False,
                 imd_edition: int | None = None) -> Section:
    """Set a notebook up from its parameters.

    Reads the network through its derived tables, resolves the IMD edition (``None``: the place's edition in use
    in ``year``), gives every anchor its label, creates ``figures/`` and ``tables/`` under ``output_dir`` and
    applies the house style (figures, and tables shown in the reader's words, numbers by unit, labels in full:
    :func:`anchor_analysis.publish.vocabulary.show_tables_in_reader_words`).

    Parameters
    ----------
    year : int
        The financial year by its starting calendar year (2023 = 2023/24).
    data_dir, output_dir : path
        The network's folder of returns, and where the notebook writes its figures and tables.
    place : str or Place, optional
        The place configuration; default: the network's own.
    anonymise : bool, default False
        Name anchors "Anchor A", "Anchor B", ... in every table and figure.
    imd_edition : int, optional
        The IMD edition (2019 or 2025); default: the place's edition for the year.

    Returns
    -------
    Section

    Examples
    --------
    >>> import tempfile
    >>> section = open_section("2023", "data/raw/demo", tempfile.mkdtemp(), imd_edition=2025)  # doctest: +PUBLIC_DATA
    >>> section.year, section.imd_edition, sorted(p.name for p in section.output_dir.iterdir())  # doctest: +PUBLIC_DATA
    (2023, 2025, ['figures', 'tables'])
    """
    network = processed_network(data_dir, place)
    section = Section(year=int(year), network=network, output_dir=Path(output_dir), anonymise=bool(anonymise),
                      imd_edition=int(imd_edition or network.place.imd_edition_for(int(year))),
                      labels=anchor_labels(network.anchors["anchor_id"], network.anchors, anonymise=anonymise))
    for folder in (section.figures, section.tables):
        folder.mkdir(parents=True, exist_ok=True)
    apply_house_style()
    pd.set_option("display.float_format", readable_number)
    pd.set_option("display.max_colwidth", None)  # labels in full: the report is read, not scrolled
    show_tables_in_reader_words(place=network.place)  # the reader's headers, numbers by unit; CSVs keep the names
    return section
