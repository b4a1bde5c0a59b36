"""Writing a demo network to a folder.

In: the network's targets file, a seed and the public data. Out: the network folder (CSV files, a ledger folder,
``network.toml`` and a README), what ``anchor-analysis demo-data`` writes (``data/raw/demo`` for Leeds,
``data/raw/demo-birmingham`` and ``data/raw/demo-west-midlands`` for the others), and for the Leeds demo its
filled-in return workbooks of the next year (:mod:`anchor_analysis.demo.returns`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.network import load_network
from anchor_analysis.core.errors import ConfigError
from anchor_analysis.core.places import load_place
from anchor_analysis.demo.network import DemoNetwork
from anchor_analysis.demo.returns import DEMO_RETURN_YEAR, write_demo_returns
from anchor_analysis.demo.specs import load_demo_geography
from anchor_analysis.demo.targets import DemoTargets, load_demo_targets

RETURNS_NETWORK = "leeds"
"""The demo network whose next-year return workbooks the generator fills in (their mistakes are written for it)."""


def write_demo_network(out_dir: str | Path | None = None, seed: int | None = None, data_dir: Path | None = None,
                       network: str | DemoTargets = "leeds", returns_dir: str | Path | None = None,
                       truth_path: str | Path | None = None) -> list[Path]:
    """Generate a demo network and write it to ``out_dir`` (CSV files, a ledger folder, README, network.toml).

    Deterministic: the same seed and public data give byte-identical files. Ledgers already in
    ``out_dir/ledger`` are removed first.

    Parameters
    ----------
    out_dir : str or Path, optional
        The network folder (created when missing); default: the targets file's ``folder``.
    seed : int, optional
        The generator's seed; default: the targets file's.
    data_dir : Path, optional
        The public data folder; default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.
    network : str or DemoTargets, default "leeds"
        The demo network (:func:`~anchor_analysis.demo.targets.available_demo_networks`).
    returns_dir : str or Path, optional
        Also write the Leeds demo's filled-in 2025/26 return workbooks into ``returns_dir/2025``
        (:func:`~anchor_analysis.demo.returns.write_demo_returns`).
    truth_path : str or Path, optional
        Also write the true firm of every (anchor, supplier name) of the ledgers to this CSV, outside the network
        folder (``anchor_id, supplier_name, true_supplier``): what supplier resolution is measured on
        (:data:`TRUTH_FOLDER`).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    PublicDataMissing
        When the public data is not available.
    ConfigError
        An unknown demo network, or ``returns_dir`` for a network other than Leeds'.

    Examples
    --------
    The bundled demo networks are this function's output, byte for byte:

    >>> import filecmp
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> written = write_demo_network(out, seed=2019)  # doctest: +PUBLIC_DATA
    >>> names = sorted(p.relative_to(out).as_posix() for p in written)  # doctest: +PUBLIC_DATA
    >>> len(names), names[:3]  # doctest: +PUBLIC_DATA
    (75, ['README.md', 'anchors.csv', 'commitments.csv'])
    >>> filecmp.cmpfiles(out, "data/raw/demo", names, shallow=False)[1:]  # doctest: +PUBLIC_DATA
    ([], [])
    """
    targets = load_demo_targets(network)
    if returns_dir is not None and targets.key != RETURNS_NETWORK:
        raise ConfigError(f"the filled-in return workbooks are made for the {RETURNS_NETWORK} demo network only, "
                          f"not {targets.key}: leave returns_dir out")
    seed = targets.seed if seed is None else seed
    out = Path(targets.folder if out_dir is None else out_dir)
    geography = load_demo_geography(load_place(targets.place), data_dir, targets.origin)
    net = DemoNetwork(geography, seed=seed, network=targets)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ledger").mkdir(exist_ok=True)
    for old in (out / "ledger").glob("*.csv"):
        old.unlink()
    written = []

    def write(df: pd.DataFrame, name: str) -> None:
        """Write ``df`` as ``out/<name>`` (no index, LF line ends) and record its path."""
        path = out / name
        df.to_csv(path, index=False, lineterminator="\n")
        written.append(path)

    write(net.anchors(), "anchors.csv")
    write(net.sites(), "sites.csv")
    write(net.progression(), "progression.csv")
    write(net.metrics(), "metrics.csv")
    write(net.staff_residence(), "staff_residence.csv")
    survey = net.local_spend_survey()
    if not survey.empty:
        write(survey, "local_spend_survey.csv")
    truth = net.ledgers_with_truth()
    ledgers = {key: ledger.drop(columns="true_supplier") for key, ledger in truth.items()}
    for (anchor_id, year), ledger in sorted(ledgers.items()):
        write(ledger, f"ledger/{anchor_id}_{year}.csv")
    lines = pd.concat(truth.values(), ignore_index=True)
    write(net.supplier_register(lines), "suppliers.csv")
    if truth_path is not None:
        _write_truth(lines, Path(truth_path))
    if targets.commitments:
        source = resources.files("anchor_analysis") / "data" / "demo" / targets.commitments
        (out / "commitments.csv").write_bytes(source.read_bytes())
        written.append(out / "commitments.csv")
    (out / "network.toml").write_text(_network_toml(targets, seed), encoding="utf-8")
    (out / "README.md").write_text(targets.readme.replace("{seed}", str(seed)), encoding="utf-8")
    written += [out / "network.toml", out / "README.md"]
    if returns_dir is not None:
        written += write_demo_returns(load_network(out), Path(returns_dir) / str(DEMO_RETURN_YEAR), seed, ledgers)
    return written


TRUTH_FOLDER = Path("data/truth")
"""Where ``anchor-analysis demo-data`` keeps each demo network's true suppliers (``<folder name>_suppliers.csv``):
outside the network folders, so no analysis can read them as returns."""


def default_truth_path(network: str) -> Path:
    """Where ``demo-data`` writes a demo network's true suppliers: ``data/truth/<folder name>_suppliers.csv``.

    Examples
    --------
    >>> default_truth_path("leeds").as_posix()
    'data/truth/demo_suppliers.csv'
    """
    return TRUTH_FOLDER / f"{Path(load_demo_targets(network).folder).name}_suppliers.csv"


def _write_truth(lines: pd.DataFrame, path: Path) -> None:
    """The true firm of each (anchor, supplier name) of the ledgers, sorted, as a CSV."""
    truth = lines[["anchor_id", "supplier_name", "true_supplier"]].drop_duplicates()
    truth = truth.sort_values(["anchor_id", "supplier_name", "true_supplier"], kind="stable")
    path.parent.mkdir(parents=True, exist_ok=True)
    truth.to_csv(path, index=False, lineterminator="\n")


def _network_toml(targets: DemoTargets, seed: int) -> str:
    """``network.toml`` of a demo network: name, place, ``synthetic = true``, seed, notice, further settings."""
    text = (f'name = "{targets.name}"\nplace = "{targets.place}"\nsynthetic = true\n'
            f'seed = {seed}\ndescription = "{targets.notice}"\n')
    return text + "".join(f'{key} = "{value}"\n' for key, value in targets.settings.items())
