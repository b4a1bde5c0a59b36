"""Command line: ``anchor-analysis validate DIR``, ``anchor-analysis demo-data``.

Every command exits non-zero with a one-screen message on bad input; tracebacks are for bugs only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="anchor-analysis")
def main() -> None:
    """Analysis kit for anchor institution networks."""


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--place", default=None, help="Place configuration (name or TOML path); default: the network's own.")
def validate(data_dir: Path, place: str | None) -> None:
    """Check every return in DATA_DIR against the data contracts and list all failures."""
    from .config import ConfigError, load_place
    from .validation import validate_directory

    if place is not None:
        try:
            place = load_place(place)
        except ConfigError as exc:  # a mistyped option is a usage error, not a data failure
            raise click.BadParameter(str(exc), param_hint="--place") from exc
    report = validate_directory(data_dir, place=place)
    click.echo(report.format())
    sys.exit(0 if report.ok else 1)


@main.command("demo-data")
@click.option("--out", "out_dir", default="data/raw/demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--seed", default=2019, show_default=True, help="Random seed; the same seed gives the same files.")
def demo_data(out_dir: Path, seed: int) -> None:
    """Write the synthetic demo network (needs the public data for real Leeds geography)."""
    from .demo import write_demo_network
    from .public import PublicDataMissing

    try:
        written = write_demo_network(out_dir, seed=seed)
    except PublicDataMissing as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(written)} files of the SYNTHETIC demo network to {out_dir}")


if __name__ == "__main__":  # pragma: no cover
    main()
