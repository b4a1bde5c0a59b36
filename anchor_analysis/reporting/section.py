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
>>> section = open_section(2023, "data/raw/demo", tempfile.mkdtemp(), anonymise=True)
>>> section.fy, section.imd_edition, section.label("nhs_trust_a")
('2023/24', 2019, 'Anchor H')
>>> section.write("members", section.network.anchors[["anchor_id", "sector"]]).name
'members.csv'
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

SYNTHETIC_NOTICE = "SYNTHETIC DATA: these returns are invented."


@dataclass
class Section:
    """One notebook's view of the run: the year, the network, where its outputs go and how anchors are named."""

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
        return self.network.place

    @property
    def fy(self) -> str:
        """The financial year's label, ``2023/24``."""
        return fy_label(self.year)

    @property
    def synthetic(self) -> bool:
        return self.network.synthetic

    @property
    def figures(self) -> Path:
        return self.output_dir / "figures"

    @property
    def tables(self) -> Path:
        return self.output_dir / "tables"

    def label(self, anchor_id: str) -> str:
        """How the anchor is named in this run's tables and figures."""
        return self.labels[str(anchor_id)]

    def labelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with an ``anchor`` column after ``anchor_id`` naming each anchor as this run does (its code
        instead of its id when anonymised), for figures that label anchors."""
        return label_anchors(frame, self.network.anchors, anonymise=self.anonymise)

    def source(self, what: str) -> str:
        """A figure's source line: ``"<network>, <what>"``."""
        return f"{self.network.name}, {what}"

    def write(self, name: str, frame: pd.DataFrame, *, names: bool = False, index: bool = False) -> Path:
        """Publish ``frame`` as ``tables/<name>.csv``: anchors coded when the run is anonymised (or named, with
        ``names=True``), floats rounded for publication, written atomically."""
        return write_table(frame, self.tables / f"{name}.csv", anchors=self.network.anchors,
                           anonymise=self.anonymise, names=names, index=index)

    def write_all(self, tables: Mapping[str, pd.DataFrame], **options) -> list[Path]:
        """:meth:`write` for several tables, in the order given."""
        return [self.write(name, frame, **options) for name, frame in tables.items()]

    def show(self, fig, name: str, *, width: int | None = None) -> None:
        """Save ``fig`` as ``figures/<name>.png`` and ``.svg`` and display the saved PNG (maps too)."""
        show_figure(fig, self.figures, name, width=width)

    def introduce(self, heading: str, detail: str = "", synthetic_note: str = "") -> None:
        """Display the section's heading (``## <network>: <heading> <year> <detail>``) and, for a synthetic
        network, its notice (with ``synthetic_note`` after it)."""
        from IPython.display import Markdown, display

        display(Markdown(f"## {self.network.name}: {heading} {self.fy}{' ' + detail if detail else ''}"))
        if self.synthetic:
            display(Markdown(f"> **{self.synthetic_notice()}**{' ' + synthetic_note if synthetic_note else ''}"))

    def synthetic_notice(self) -> str:
        """What a synthetic network says of itself (its ``network.toml`` description), or a plain notice."""
        return self.network.description or SYNTHETIC_NOTICE

    def spend(self):
        """The spend analysis of the year's ledger lines with the section's IMD edition (None without ledgers)."""
        return self.network.spend(self.year, self.imd_edition)


def open_section(year: int, data_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str],
                 place: str | Place | None = None, *, anonymise: bool = False,
                 imd_edition: int | None = None) -> Section:
    """Set a notebook up from its parameters.

    Reads the network through its derived tables, resolves the IMD edition (``None``: the place's edition in use
    in ``year``), gives every anchor its label, creates ``figures/`` and ``tables/`` under ``output_dir`` and
    applies the house style (figures, and pandas showing numbers thousands-separated, labels in full).

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
    return section
