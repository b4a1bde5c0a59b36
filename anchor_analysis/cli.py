"""Command line: ``anchor-analysis validate DIR``, ``process DIR``, ``demo-data``, ``report``, ``reproduce``,
``templates``, ``collect``, ``status`` and ``ledger inspect FILE``.

Every command exits non-zero with a one-screen message on bad input; tracebacks are for bugs only: any
:class:`~anchor_analysis.core.errors.AnchorAnalysisError` a command does not handle itself is printed as its
message (a validation report in full) with exit code 1.

The commands are click commands, so their docstrings (their ``--help`` above a form feed, then numpydoc sections)
are not collected as doctests: their examples are here, run with click's test runner.

Examples
--------
>>> from click.testing import CliRunner
>>> runner = CliRunner()
>>> print(runner.invoke(main, ["--version"]).output)  # doctest: +ELLIPSIS
anchor-analysis, version ...

``validate`` prints the report and exits 1 when there are errors; a mistyped ``--place`` is a usage error:

>>> import shutil, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "returns"
>>> folder.mkdir()
>>> _ = shutil.copy("data/raw/demo/anchors.csv", folder)
>>> result = runner.invoke(main, ["validate", str(folder)])
>>> result.exit_code
1
>>> print(result.output)
anchors.csv: ok (14 rows)
progression.csv: 1 error
  progression.csv: required file is missing: put progression.csv or progression.xlsx in .../returns
metrics.csv: 1 error
  metrics.csv: required file is missing: put metrics.csv or metrics.xlsx in .../returns
2 errors, 0 warnings in 3 files
<BLANKLINE>
>>> result = runner.invoke(main, ["validate", "--place", "york", "data/raw/demo"], prog_name="anchor-analysis")
>>> result.exit_code, result.output.splitlines()[-1]
(2, "Error: Invalid value for --place: unknown place 'york': choose one of ['birmingham', 'bradford', 'leeds'] or
give a TOML file path")

``demo-data`` documents its options:

>>> print(runner.invoke(main, ["demo-data", "--help"], prog_name="anchor-analysis").output)
Usage: anchor-analysis demo-data [OPTIONS]
<BLANKLINE>
  Write a synthetic demo network (needs the public data for the real geography).
<BLANKLINE>
Options:
  --network [leeds|birmingham|west_midlands]
                                  Which demo network (its targets file in
                                  anchor_analysis/data/demo/).  [default: leeds]
  --out PATH                      Where to write.  [default: the network's
                                  folder under data/raw/, data/raw/demo for
                                  leeds]
  --seed INTEGER                  Random seed; the same seed gives the same
                                  files.  [default: the network's, 2019 for
                                  leeds]
  --returns-out PATH              Where the Leeds demo's filled-in 2025/26
                                  return workbooks go (in a folder 2025/).
                                  [default: returns/demo for leeds; the other
                                  networks have none]
  --truth-out PATH                Where the ledgers' true suppliers go (a CSV
                                  outside the network folder, for measuring
                                  supplier resolution).  [default:
                                  data/truth/<folder name>_suppliers.csv when
                                  --out is the network's folder]
  -h, --help                      Show this message and exit.
<BLANKLINE>

``report`` checks its options before anything runs:

>>> result = runner.invoke(main, ["report", "--years", "2019-2024", "--formats", "docx"])
>>> result.exit_code, result.output
(1, 'Error: unknown format(s) docx: choose from html, pdf\\n')
>>> runner.invoke(main, ["report", "--year", "2023/25"]).output
"Error: '2023/25' is not a financial year: write 2023 or 2023/24\\n"

``ledger inspect`` shows how a finance export would be read, before anything is taken in:

>>> path = pathlib.Path(tempfile.mkdtemp()) / "spend.csv"
>>> _ = path.write_text("Payment Date,Net Amount,Supplier Name\\n01/04/2023,\\"£1,200.00\\",Acme Ltd\\n"
...                     "03/05/2023,(20.00),Acme Ltd\\nTotal,\\"£1,180.00\\",\\n", encoding="utf-8")
>>> result = runner.invoke(main, ["ledger", "inspect", str(path)])
>>> result.exit_code, result.output.splitlines()[1]
(0, "read with preset 'lgtc' (Local Government Transparency Code spend over £500 (Payment Date, Net Amount, \
Supplier Name, Expenses Type, Service Area, ...)), matched by its headers")
>>> print("\\n".join(result.output.splitlines()[15:22]))
totals by month of payment:
    month lines   amount
  2023-04     1 1,200.00
  2023-05     1   -20.00
    total     2 1,180.00
<BLANKLINE>
dropped: 1 footer row (row 4: 'Total | £1,180.00'); the footer's total row states the lines' total

``reproduce`` (like every command) turns the kit's errors into their message and exit code 1:

>>> result = runner.invoke(main, ["reproduce", "--data-dir", "no/such/folder"])
>>> result.exit_code, result.output.splitlines()[-1]
(1, '1 error, 0 warnings in 1 file')
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from anchor_analysis import __version__
from anchor_analysis.ledger_commands import ledger
from anchor_analysis.supplier_commands import suppliers


class KitGroup(click.Group):
    """The command group: the kit's own errors end a command with their message, not a traceback.

    A :class:`~anchor_analysis.core.errors.ValidationFailed` prints its report on standard output; any other
    :class:`~anchor_analysis.core.errors.AnchorAnalysisError` prints ``Error: <message>`` on standard error. Both
    exit with code 1; other exceptions (bugs) keep their traceback.

    Examples
    --------
    >>> from click.testing import CliRunner
    >>> result = CliRunner().invoke(main, ["reproduce", "--data-dir", "no/such/folder"])
    >>> result.exit_code
    1
    >>> print(result.output)
    no/such/folder: 1 error
      no/such/folder: folder does not exist
    1 error, 0 warnings in 1 file
    <BLANKLINE>
    """

    def invoke(self, ctx: click.Context):
        """Invoke the command, turning the kit's own errors into their message and exit code 1.

        Parameters
        ----------
        ctx : click.Context
            The command line's context.

        Returns
        -------
        object
            What the command returned.

        Raises
        ------
        SystemExit
            With code 1, after printing the message of an :class:`~anchor_analysis.core.errors.AnchorAnalysisError`.
        """
        from anchor_analysis.core.errors import AnchorAnalysisError, ValidationFailed
        from anchor_analysis.core.files import FULL_DISK_ERRNOS, disk_full_message

        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            click.echo(str(exc))
            sys.exit(1)
        except AnchorAnalysisError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # a full disk met outside the kit's own writers (a library writing a file)
            if exc.errno not in FULL_DISK_ERRNOS:
                raise
            click.echo(f"Error: {disk_full_message(exc.filename or 'a file', exc)}", err=True)
            sys.exit(1)


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="anchor-analysis")
def main() -> None:
    """Analysis kit for anchor institution networks.

    \f
    The ``anchor-analysis`` command (the text above the form feed is its ``--help``); its subcommands are
    :func:`validate`, :func:`demo_data`, :func:`report` and :func:`reproduce`.

    See Also
    --------
    anchor_analysis.cli : The module's examples run this command.
    """


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--place", default=None, help="Place configuration (name or TOML path); default: the network's own.")
@click.option("--all-warnings", is_flag=True,
              help="List every warning of every file (by default the error-free files of a subfolder such as "
                   "ledger/ take one line).")
def validate(data_dir: Path, place: str | None, all_warnings: bool) -> None:
    """Check every return in DATA_DIR against the data contracts and list all failures.

    \f
    Prints the validation report (:func:`~anchor_analysis.contracts.network.validate_directory`) and exits with
    code 0 when there are no errors, 1 otherwise; an unknown ``--place`` is a usage error (code 2).

    Parameters
    ----------
    data_dir : Path
        The network folder (``DATA_DIR``).
    place : str or None
        ``--place``: a place name or TOML path; default the network's own.
    all_warnings : bool
        ``--all-warnings``: list every warning instead of one line per error-free subfolder.

    See Also
    --------
    anchor_analysis.cli : The module's examples run this command.
    """
    from anchor_analysis.contracts.network import validate_directory
    from anchor_analysis.core.errors import ConfigError
    from anchor_analysis.core.places import load_place

    if place is not None:
        try:
            place = load_place(place)
        except ConfigError as exc:  # a mistyped option is a usage error, not a data failure
            raise click.BadParameter(str(exc), param_hint="--place") from exc
    report = validate_directory(data_dir, place=place)
    click.echo(report.format(all_warnings=all_warnings))
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--place", default=None, help="Place configuration (name or TOML path); default: the network's own.")
@click.option("--rebuild", is_flag=True, help="Build even when the derived tables are up to date.")
def process(data_dir: Path, place: str | None, rebuild: bool) -> None:
    """Validate DATA_DIR and build its derived tables (data/processed); reused while its inputs are unchanged."""
    from anchor_analysis.derived import processed_network

    network = processed_network(data_dir, place, rebuild=rebuild)
    where = network.processed_dir or "not kept: the folder cannot be written"
    ledgers = (f"{int(network.ledger['lines'].sum()):,} ledger lines in "
               f"{', '.join(str(y) for y in network.ledger_years())}" if network.ledger is not None else "no ledgers")
    click.echo(f"{'built' if network.rebuilt else 'up to date'}: {where} ({ledgers})")
    mappings = network.processed_dir / "ledger_mappings.toml" if network.processed_dir else None
    if mappings is not None and mappings.is_file():  # finance exports were read through a mapping or preset
        click.echo(f"the column mappings the ledger exports were read with, to copy into network.toml and edit: "
                   f"{mappings}")


@main.command("demo-data")
@click.option("--network", "network", default="leeds", show_default=True,
              type=click.Choice(["leeds", "birmingham", "west_midlands"]),
              help="Which demo network (its targets file in anchor_analysis/data/demo/).")
@click.option("--out", "out_dir", default=None, type=click.Path(path_type=Path),
              help="Where to write.  [default: the network's folder under data/raw/, data/raw/demo for leeds]")
@click.option("--seed", default=None, type=int, help="Random seed; the same seed gives the same files.  [default: "
              "the network's, 2019 for leeds]")
@click.option("--returns-out", "returns_dir", default=None, type=click.Path(path_type=Path),
              help="Where the Leeds demo's filled-in 2025/26 return workbooks go (in a folder 2025/).  [default: "
              "returns/demo for leeds; the other networks have none]")
@click.option("--truth-out", "truth_path", default=None, type=click.Path(path_type=Path),
              help="Where the ledgers' true suppliers go (a CSV outside the network folder, for measuring supplier "
              "resolution).  [default: data/truth/<folder name>_suppliers.csv when --out is the network's folder]")
def demo_data(network: str, out_dir: Path | None, seed: int | None, returns_dir: Path | None,
              truth_path: Path | None) -> None:
    """Write a synthetic demo network (needs the public data for the real geography).

    \f
    Writes :func:`~anchor_analysis.demo.write.write_demo_network` into ``--out``; without the public data the
    command fails with its message (exit code 1).

    Parameters
    ----------
    network : str
        ``--network``: the demo network (``leeds``, ``birmingham``, ``west_midlands``).
    out_dir : Path or None
        ``--out``: the folder to write (default: the network's folder, ``data/raw/demo`` for Leeds).
    seed : int or None
        ``--seed``: the random seed (default: the network's); the same seed gives the same files.
    returns_dir : Path or None
        ``--returns-out``: where the Leeds demo's filled-in return workbooks go (``<returns_dir>/2025/``; default
        ``returns/demo`` for Leeds, none for the other networks).
    truth_path : Path or None
        ``--truth-out``: the CSV of the true suppliers (default, without ``--out``: ``default_truth_path``).

    See Also
    --------
    anchor_analysis.cli : The module's examples run this command.
    """
    from anchor_analysis.core.errors import PublicDataMissing
    from anchor_analysis.demo.write import RETURNS_NETWORK, default_truth_path, write_demo_network

    if returns_dir is None and network == RETURNS_NETWORK:
        returns_dir = Path("returns/demo")
    truth_path = truth_path or (default_truth_path(network) if out_dir is None else None)
    try:
        written = write_demo_network(out_dir, seed=seed, network=network, returns_dir=returns_dir,
                                     truth_path=truth_path)
    except PublicDataMissing as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(written)} files of the SYNTHETIC demo network to {written[0].parent}")


@main.command()
@click.option("--year", "year", multiple=True, metavar="YEAR",
              help="Financial year by its starting calendar year (2023 = 2023/24; 2023/24 works too). Repeatable.")
@click.option("--years", default=None, metavar="RANGE", help="Several years: 2019-2024 or 2019,2021.")
@click.option("--data-dir", default="data/raw/demo", show_default=True, type=click.Path(path_type=Path),
              help="The network's folder of returns (validated first).")
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(path_type=Path),
              help="Output folder: <out>/<year>/ per year and <out>/index.html.")
@click.option("--formats", default="html,pdf", show_default=True, help="html, pdf or both (PDF needs Chromium).")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="Years to build at once, each in its own process.")
@click.option("--place", default=None, help="Place configuration (name or TOML path); default: the network's own.")
@click.option("--notebooks", "notebooks", multiple=True, type=click.Path(path_type=Path), metavar="NOTEBOOK",
              help="Notebooks to run, in report order (repeatable; default: the three in notebooks/).")
@click.option("--anonymise", is_flag=True,
              help='Name anchors "Anchor A", "Anchor B", ... in every table, figure and map of the report.')
@click.option("--wait", default=0.0, show_default=True, type=float, metavar="SECONDS",
              help="Wait this long for another run holding the folder to finish (default: stop at once).")
def report(year: tuple[str, ...], years: str | None, data_dir: Path, out_dir: Path, formats: str, jobs: int,
           place: str | None, notebooks: tuple[Path, ...], anonymise: bool, wait: float) -> None:
    """Run the notebooks per year and export the network impact report (HTML and PDF).

    Validates the --data-dir returns first and stops if they are invalid. Each year is built in a staging
    folder and moved to <out>/<year> only when complete, so a failed or interrupted run leaves earlier outputs
    as they were. Exits non-zero if anything failed (a notebook, an export or the PDF).

    \f
    Runs :func:`~anchor_analysis.reporting.run.run_report` and prints its summary. Exit codes: 0 when everything
    was built, 1 when something failed, the options are wrong or the returns are invalid (the report is printed),
    130 when interrupted (Ctrl-C or SIGTERM).

    Parameters
    ----------
    year : tuple of str
        ``--year`` (repeatable): financial years, ``2023`` or ``2023/24``.
    years : str or None
        ``--years``: a range ``2019-2024`` or a list ``2019,2021``.
    data_dir : Path
        ``--data-dir``: the network's folder of returns.
    out_dir : Path
        ``--out``: the output folder.
    formats : str
        ``--formats``: ``html``, ``pdf`` or both, comma separated.
    jobs : int
        ``--jobs``: years built at once.
    place : str or None
        ``--place``: a place name or TOML path; default the network's own.
    notebooks : tuple of Path
        ``--notebooks`` (repeatable): the notebooks to run, in report order.
    anonymise : bool
        ``--anonymise``: code the anchors in every table, figure and map.
    wait : float
        ``--wait``: seconds to wait for another run on the output folder (default: stop at once, saying who holds
        it).

    See Also
    --------
    anchor_analysis.cli : The module's examples run this command.
    """
    import signal

    from anchor_analysis.core.errors import InvalidReturns, ReportError
    from anchor_analysis.reporting.index import format_summary
    from anchor_analysis.reporting.options import parse_formats, parse_years
    from anchor_analysis.reporting.run import run_report

    def stop(signum: int, frame: object) -> None:  # SIGTERM: unwind like Ctrl-C so staging folders are removed
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        run_years = parse_years(year, years)
        result = run_report(run_years, data_dir=data_dir, out_dir=out_dir, formats=parse_formats(formats),
                            jobs=jobs, place=place, notebooks=list(notebooks) or None, echo=click.echo,
                            anonymise=anonymise, wait=wait)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo(f"interrupted: no unfinished year was moved into {out_dir}; its previous output is unchanged",
                   err=True)
        sys.exit(130)
    except InvalidReturns as exc:
        click.echo(exc.report.format(all_warnings=False))
        click.echo(f"report not run: the returns in {data_dir} failed validation (nothing was written)", err=True)
        sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(format_summary(result))
    sys.exit(0 if result.ok else 1)


@main.command()
@click.option("--data-dir", default="data/raw/demo", show_default=True, type=click.Path(path_type=Path),
              help="The network's folder of per-anchor returns.")
@click.option("--place", default=None, help="Place configuration (name or TOML path); default: the network's own.")
@click.option("--csv", "csv_path", default=None, type=click.Path(path_type=Path),
              help="Also write the comparison table to this CSV file.")
def reproduce(data_dir: Path, place: str | None, csv_path: Path | None) -> None:
    """Recompute the published figures of DATA_DIR's network and the public data, with a verdict for each.

    The figures are those of the published network named by network.toml's published_figures, else of the
    network's place (leeds: seeds 000, 001, 003; west_midlands and birmingham: seed 004). Exits non-zero if any
    figure differs from its publication at the published precision; a figure whose publication used a method the
    kit cannot know is compared ("apart") and explained in the notes, never forced to match.

    \f
    Reads the network through :func:`~anchor_analysis.derived.network.processed_network` and compares with
    :func:`~anchor_analysis.analysis.published.reproduce`; for a synthetic network a first line says so.

    Parameters
    ----------
    data_dir : Path
        ``--data-dir``: the network's folder of returns.
    place : str or None
        ``--place``: a place name or TOML path; default the network's own.
    csv_path : Path or None
        ``--csv``: also write the comparison table (without its sources) to this CSV file.

    See Also
    --------
    anchor_analysis.cli : The module's examples run this command.
    """
    from anchor_analysis.analysis.published import DIFFERS, format_table
    from anchor_analysis.analysis.published import reproduce as run_reproduction
    from anchor_analysis.core.errors import ConfigError
    from anchor_analysis.core.places import load_place
    from anchor_analysis.derived import processed_network

    try:
        network = processed_network(data_dir, load_place(place) if place else None)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--place") from exc
    result = run_reproduction(network)
    if network.synthetic:
        click.echo("SYNTHETIC demo network: this checks that the kit reproduces the published method, "
                   "not the publications themselves.\n")
    click.echo(format_table(result))
    if csv_path:
        result.drop(columns=["source"]).to_csv(csv_path, index=False, lineterminator="\n")
    sys.exit(1 if (result["verdict"] == DIFFERS).any() else 0)


@main.command()
@click.option("--year", "year", required=True, metavar="YEAR", help="Financial year (2024 = 2024/25).")
@click.option("--data-dir", default="data/raw/demo", show_default=True, type=click.Path(path_type=Path),
              help="The network's folder (its commitments.csv).")
def commitments(year: str, data_dir: Path) -> None:
    """Progress against the network's commitments up to YEAR; exits 1 without a commitments.csv."""
    from anchor_analysis.analysis.commitments import commitments_text
    from anchor_analysis.derived import processed_network

    text, ok = commitments_text(processed_network(data_dir), _financial_year(year))
    click.echo(text, err=not ok)
    sys.exit(0 if ok else 1)


# --- collecting the year's returns (anchor_analysis.collection) ------------------------------------------------


def _financial_year(value: str) -> int:
    """``--year`` as a financial year (2025 or 2025/26), or a usage error."""
    from anchor_analysis.core.years import parse_fy

    try:
        return parse_fy(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--year") from exc


@main.command()
@click.option("--year", "year", required=True, metavar="YEAR", help="Financial year of the returns (2025 = 2025/26).")
@click.option("--data-dir", required=True, type=click.Path(path_type=Path), help="The network's folder.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Where the workbooks go, e.g. returns/2025/.")
@click.option("--overwrite", is_flag=True, help="Replace workbooks of the same name that differ.")
def templates(year: str, data_dir: Path, out_dir: Path, overwrite: bool) -> None:
    """Write one return workbook per member of the network in YEAR, named after it.

    \f
    Runs :func:`~anchor_analysis.collection.templates.write_templates`.
    """
    from anchor_analysis.collection.templates import write_templates

    written = write_templates(data_dir, _financial_year(year), out_dir, overwrite=overwrite)
    click.echo(f"wrote {len(written)} return templates to {out_dir}:")
    for path in written:
        click.echo(f"  {path.name}")


@main.command("collect")
@click.argument("returns_dir", type=click.Path(path_type=Path))
@click.option("--into", "into", required=True, type=click.Path(path_type=Path), help="The network's folder.")
@click.option("--year", "year", default=None, metavar="YEAR",
              help="Financial year of the returns; default the folder's name (returns/2025), else the workbooks'.")
@click.option("--accept-warnings", is_flag=True, help="Take in returns with plausibility warnings too.")
@click.option("--change-factor", default=3.0, show_default=True, type=click.FloatRange(min=1, min_open=True),
              help="A metric moving by more than this factor from the anchor's last return is a warning.")
@click.option("--wait", default=0.0, show_default=True, type=float, metavar="SECONDS",
              help="Wait this long for another run holding the folder to finish (default: stop at once).")
def collect_command(returns_dir: Path, into: Path, year: str | None, accept_warnings: bool,
                    change_factor: float, wait: float) -> None:
    """Take the returned workbooks in RETURNS_DIR into the network's tables, as a new version.

    Each workbook is checked against the data contracts; failures are named by workbook, sheet and cell. Returns
    with errors are refused, returns with plausibility warnings are held back until --accept-warnings, the rest
    are taken in. Exits 1 when any workbook was refused or held back.

    \f
    Runs :func:`~anchor_analysis.collection.collect.collect` and prints each workbook's outcome.
    """
    from anchor_analysis.collection.collect import collect

    result = collect(returns_dir, into, year=_financial_year(year) if year else None,
                     accept_warnings=accept_warnings, factor=change_factor, wait=wait)
    if result.finished:
        click.echo(f"finished version {result.finished}, left half-written by an interrupted collect")
    report = result.report()
    if report.failures:
        click.echo(report.format())
        click.echo("")
    for outcome in result.outcomes:
        click.echo(f"{outcome.file}: {outcome.state}")
    if result.version is None:
        click.echo(f"no changes: the tables in {into} are as they were")
    else:
        click.echo(f"wrote version {result.version.name} of the tables ({len(result.changes):,} rows changed; "
                   f"log: {into / 'versions' / 'changes.csv'})")
    if any(o.state.startswith("held") for o in result.outcomes):
        click.echo("returns held back: review their warnings, then collect again with --accept-warnings")
    sys.exit(0 if result.ok else 1)


@main.command()
@click.option("--year", "year", required=True, metavar="YEAR", help="Financial year (2025 = 2025/26).")
@click.option("--data-dir", required=True, type=click.Path(path_type=Path), help="The network's folder.")
@click.option("--html", "html_path", default=None, type=click.Path(path_type=Path),
              help="Also write the status as an HTML page to send round.")
@click.option("--change-factor", default=3.0, show_default=True, type=click.FloatRange(min=1, min_open=True),
              help="The plausibility factor for figures that came in without a workbook.")
def status(year: str, data_dir: Path, html_path: Path | None, change_factor: float) -> None:
    """Per anchor: which parts of YEAR's return are in, which are missing, and open warnings.

    \f
    Runs :func:`~anchor_analysis.collection.status.return_status` and prints
    :func:`~anchor_analysis.collection.status.format_status`.
    """
    from anchor_analysis.collection.status import format_status, return_status, write_status_html
    from anchor_analysis.contracts.network import load_network

    fy = _financial_year(year)
    network = load_network(data_dir)
    table = return_status(network, fy, factor=change_factor)
    click.echo(format_status(table, fy, network.name))
    if html_path:
        write_status_html(table, fy, network, html_path)
        click.echo(f"\nwrote {html_path}")


main.add_command(suppliers)
main.add_command(ledger)

if __name__ == "__main__":  # pragma: no cover
    main()
