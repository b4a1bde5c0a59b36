"""``anchor-analysis suppliers``: the supplier register from the command line.

``suppliers worksheet`` writes the unlocated suppliers by spend (with the cumulative share of unlocated spend they
cover) and blank postcode, size, VCSE and sector columns; ``suppliers merge`` validates the filled-in worksheet
into the register (a new version, never over what an analyst entered); ``suppliers review`` writes the borderline
name pairs of the resolution for an analyst to decide (saved as ``supplier_review.csv`` in the network folder, the
decisions are kept by every later build); ``suppliers located`` prints the located share of spend, lines and
suppliers per anchor and for the network.

>>> from click.testing import CliRunner
>>> from anchor_analysis.cli import main
>>> result = CliRunner().invoke(main, ["suppliers", "merge", "no-such-file.csv"])
>>> result.exit_code
2
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from anchor_analysis.core.errors import ValidationFailed

_DATA_DIR = click.option("--data-dir", default="data/raw/demo", show_default=True,
                         type=click.Path(exists=True, file_okay=False, path_type=Path),
                         help="The network's folder of returns.")


@click.group()
def suppliers() -> None:
    """The supplier register: worksheet of unlocated suppliers, merge, review of borderline names, located shares.

    \f
    The ``anchor-analysis suppliers`` group.
    """


def _network(data_dir: Path):
    """The processed network of ``data_dir``, or a one-screen error."""
    from anchor_analysis.derived import processed_network

    try:
        network = processed_network(data_dir)
    except ValidationFailed as exc:
        raise click.ClickException(f"{data_dir} is not valid:\n{exc.report}") from exc
    if network.ledger is None:
        raise click.ClickException(f"{data_dir} has no ledgers: there are no suppliers to resolve")
    return network


def _new_file(frame: pd.DataFrame, out: Path) -> None:
    """Write ``frame`` as a new CSV (never over an existing file)."""
    if out.exists():
        raise click.ClickException(f"{out} exists: it is not written over (choose another --out)")
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, lineterminator="\n")


@suppliers.command("worksheet")
@_DATA_DIR
@click.option("--year", default=None, type=int, help="Only this financial year (2023 = 2023/24); default: all.")
@click.option("--rows", default=300, show_default=True, type=click.IntRange(min=1), help="Suppliers listed.")
@click.option("--out", default="suppliers_worksheet.csv", show_default=True, type=click.Path(path_type=Path),
              help="The worksheet to write (a new file).")
def worksheet(data_dir: Path, year: int | None, rows: int, out: Path) -> None:
    """Write the unlocated suppliers by spend, with blank postcode, size, VCSE and sector columns to fill in.

    \f
    :func:`~anchor_analysis.analysis.spend.register.unlocated_worksheet` of the build's keyed ledger.

    Parameters
    ----------
    data_dir, year, rows, out
        ``--data-dir``, ``--year``, ``--rows``, ``--out``.
    """
    from anchor_analysis.analysis.spend.register import unlocated_worksheet

    network = _network(data_dir)
    ledger = network.ledger if year is None else network.ledger[network.ledger["year"] == year]
    register = network.supplier_register
    sheet = unlocated_worksheet(ledger, register[~register["added_by_kit"].astype(bool)],
                                register[["supplier_key", "canonical_name"]])
    _new_file(sheet.head(rows), out)
    covered = float(sheet["cumulative_share"].iloc[min(rows, len(sheet)) - 1]) if len(sheet) else 0.0
    click.echo(f"wrote {min(rows, len(sheet))} of {len(sheet)} unlocated suppliers to {out}: they hold "
               f"{covered:.0%} of the unlocated influenceable spend")
    click.echo("fill in postcode, size_band, vcse, sic_section (and company_number), then run "
               f"`anchor-analysis suppliers merge {out} --data-dir {data_dir}`")


@suppliers.command("merge")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DATA_DIR
def merge(sheet: Path, data_dir: Path) -> None:
    """Validate the filled-in worksheet SHEET into the network's register, as a new version.

    Exits 1, listing file, row, column and rule of each failure, when the worksheet or the register is malformed.

    \f
    :func:`~anchor_analysis.collection.suppliers.merge_worksheet`.

    Parameters
    ----------
    sheet, data_dir
        ``SHEET``, ``--data-dir``.
    """
    from anchor_analysis.collection.suppliers import merge_worksheet

    try:
        version, changes = merge_worksheet(data_dir, sheet)
    except ValidationFailed as exc:
        click.echo(str(exc.report), err=True)
        raise SystemExit(1) from exc
    counts = changes["change"].value_counts()
    click.echo(f"{int(counts.get('added', 0))} suppliers added, {int(counts.get('filled', 0))} attributes filled, "
               f"{int(counts.get('kept', 0))} worksheet values differing from the register left out")
    for row in changes[changes["change"] == "kept"].itertuples():
        click.echo(f"  kept {row.key}: {row.before} (the worksheet says {row.after.split('=', 1)[1]})")
    click.echo(f"wrote version {version.name} of {data_dir / 'suppliers.csv'}" if version else "nothing to merge")


@suppliers.command("review")
@_DATA_DIR
@click.option("--out", default="supplier_review.csv", show_default=True, type=click.Path(path_type=Path),
              help="Where to write the pairs (a new file); save it with decisions as <data-dir>/supplier_review.csv.")
def review(data_dir: Path, out: Path) -> None:
    """Write the borderline name pairs of the resolution, with any decisions already kept.

    \f
    The build's ``supplier_review`` table.

    Parameters
    ----------
    data_dir, out
        ``--data-dir``, ``--out``.
    """
    network = _network(data_dir)
    _new_file(network.supplier_review, out)
    decided = int(network.supplier_review["decision"].fillna("").ne("").sum())
    click.echo(f"wrote {len(network.supplier_review)} borderline pairs ({decided} decided) to {out}: write same or "
               f"different in decision and save it as {data_dir / 'supplier_review.csv'}")


@suppliers.command("located")
@_DATA_DIR
@click.option("--year", required=True, type=int, help="The financial year (2023 = 2023/24).")
def located(data_dir: Path, year: int) -> None:
    """Print the located share of influenceable spend, lines and suppliers, per anchor and for the network.

    \f
    :func:`~anchor_analysis.analysis.spend.register.located_shares`.

    Parameters
    ----------
    data_dir, year
        ``--data-dir``, ``--year``.
    """
    from anchor_analysis.analysis.spend.register import located_shares

    network = _network(data_dir)
    ledger = network.ledger[network.ledger["year"] == year]
    if ledger.empty:
        raise click.ClickException(f"no ledger line is dated in financial year {year}")
    shares = pd.concat([located_shares(ledger), located_shares(ledger, by=("year",)).assign(anchor_id="network")])
    columns = ["anchor_id", "share_spend_located", "share_lines_located", "share_suppliers_located",
               "share_spend_by_register"]
    click.echo(shares[columns].to_string(index=False, float_format=lambda v: f"{v:.1%}"))
