"""``anchor-analysis ledger``: finance exports as ledgers, seen before they are taken in.

``ledger inspect FILE`` shows the preset or mapping a file would be read with, what each column parses as, the
first lines, totals by month and the rows that would be dropped
(:func:`~anchor_analysis.contracts.inspection.inspect_ledger`).

>>> from click.testing import CliRunner
>>> from anchor_analysis.cli import main
>>> result = CliRunner().invoke(main, ["ledger", "inspect", "no-such-file.csv"])
>>> result.exit_code
2
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def ledger() -> None:
    """Finance exports as ledgers: see how a file would be read before it is taken in.

    \f
    The ``anchor-analysis ledger`` group; its command is :func:`ledger_inspect`.
    """


@ledger.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--anchor", default=None, help="The anchor the file belongs to; default: its folder ledger/<anchor>/.")
@click.option("--mapping", "mapping_file", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A mapping.toml to read the file with; default: its anchor's, else the preset its header matches.")
@click.option("--rows", default=5, show_default=True, type=click.IntRange(min=0), help="First lines to show.")
@click.option("--write-mapping", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping it was read with (or the proposed one) to this new TOML file.")
def ledger_inspect(file: Path, anchor: str | None, mapping_file: Path | None, rows: int,
                   write_mapping: Path | None) -> None:
    """Show how FILE would be read as a ledger: the preset or mapping, what each column parses as, the first
    lines, totals by month and the rows that would be dropped, before anything is taken in.

    Exits 1 when the file would not be taken in as it is (an error is listed).

    \f
    Prints :meth:`~anchor_analysis.contracts.inspection.LedgerInspection.format` of
    :func:`~anchor_analysis.contracts.inspection.inspect_ledger`; ``--write-mapping`` never overwrites a file.

    Parameters
    ----------
    file : Path
        The ledger file (``FILE``): CSV, gzip CSV, XLSX or Parquet, known by its content.
    anchor : str or None
        ``--anchor``: the anchor it belongs to.
    mapping_file : Path or None
        ``--mapping``: a ``mapping.toml`` to read it with.
    rows : int
        ``--rows``: the first lines to show.
    write_mapping : Path or None
        ``--write-mapping``: where to write the mapping as TOML (a new file).

    See Also
    --------
    anchor_analysis.cli : The module's examples run this command.
    """
    from anchor_analysis.contracts.inspection import inspect_ledger
    from anchor_analysis.contracts.mapping_files import read_mapping_file
    from anchor_analysis.core.errors import FileProblem

    mapping = None
    if mapping_file is not None:
        mapping, failures = read_mapping_file(mapping_file, str(mapping_file))
        if mapping is None:
            raise click.ClickException("\n".join(f.describe() for f in failures))
    try:
        inspection = inspect_ledger(file, anchor=anchor, mapping=mapping, rows=rows)
    except FileProblem as problem:
        click.echo(problem.failure.describe())
        sys.exit(1)
    click.echo(inspection.format())
    if write_mapping is not None and inspection.reading.plan is not None:
        if write_mapping.exists():
            raise click.ClickException(f"{write_mapping} exists: the mapping is not written over it")
        write_mapping.write_text(inspection.mapping_toml(), encoding="utf-8")
        click.echo(f"\nwrote the mapping to {write_mapping}")
    sys.exit(1 if inspection.reading.plan is None or inspection.errors else 0)
