"""Command line: ``anchor-analysis validate DIR``, ``process DIR``, ``demo-data``, ``report``, ``reproduce``.

Every command exits non-zero with a one-screen message on bad input; tracebacks are for bugs only: any
:class:`~anchor_analysis.core.errors.AnchorAnalysisError` a command does not handle itself is printed as its
message (a validation report in full) with exit code 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from anchor_analysis import __version__


class KitGroup(click.Group):
    """The command group: the kit's own errors end a command with their message, not a traceback."""

    def invoke(self, ctx: click.Context):
        from anchor_analysis.core.errors import AnchorAnalysisError, ValidationFailed

        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            click.echo(str(exc))
            sys.exit(1)
        except AnchorAnalysisError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="anchor-analysis")
def main() -> None:
    """Analysis kit for anchor institution networks."""


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--place", default=None, help="Place configuration (name or TOML path); default: the network's own.")
@click.option("--all-warnings", is_flag=True,
              help="List every warning of every file (by default the error-free files of a subfolder such as "
                   "ledger/ take one line).")
def validate(data_dir: Path, place: str | None, all_warnings: bool) -> None:
    """Check every return in DATA_DIR against the data contracts and list all failures."""
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


@main.command("demo-data")
@click.option("--out", "out_dir", default="data/raw/demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--seed", default=2019, show_default=True, help="Random seed; the same seed gives the same files.")
def demo_data(out_dir: Path, seed: int) -> None:
    """Write the synthetic demo network (needs the public data for real Leeds geography)."""
    from anchor_analysis.core.errors import PublicDataMissing
    from anchor_analysis.demo.write import write_demo_network

    try:
        written = write_demo_network(out_dir, seed=seed)
    except PublicDataMissing as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(written)} files of the SYNTHETIC demo network to {out_dir}")


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
def report(year: tuple[str, ...], years: str | None, data_dir: Path, out_dir: Path, formats: str, jobs: int,
           place: str | None, notebooks: tuple[Path, ...], anonymise: bool) -> None:
    """Run the notebooks per year and export the network impact report (HTML and PDF).

    Validates the --data-dir returns first and stops if they are invalid. Each year is built in a staging
    folder and moved to <out>/<year> only when complete, so a failed or interrupted run leaves earlier outputs
    as they were. Exits non-zero if anything failed (a notebook, an export or the PDF).
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
                            anonymise=anonymise)
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
    """Recompute every published Leeds figure from DATA_DIR and the public data, with a verdict for each.

    Exits non-zero if any figure differs from its publication at the published precision.
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


if __name__ == "__main__":  # pragma: no cover
    main()
