"""Helpers of the fault tests (locks, kills, full disks, permissions): small real networks, stand-in notebooks,
runs in child processes and snapshots of folders."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import DEMO_DIR, REPO

RETURNS = ("network.toml", "anchors.csv", "progression.csv", "metrics.csv")
YEAR = 2023

NOTEBOOK_BODY = '''
import csv
import time
from collections import defaultdict
from pathlib import Path

time.sleep(SLEEP)
totals = defaultdict(float)
with open(Path(data_dir) / "metrics.csv", encoding="utf-8", newline="") as handle:
    for row in csv.DictReader(handle):
        if int(row["year"]) == year and row["value"]:
            totals[row["metric"]] += float(row["value"])
out = Path(output_dir) / "tables"
out.mkdir(parents=True, exist_ok=True)
lines = ["metric,value"] + [f"{metric},{totals[metric]:.2f}" for metric in sorted(totals)]
(out / "metric_totals.csv").write_text("\\n".join(lines) + "\\n", encoding="utf-8")
print(f"{len(totals)} metrics for {year}")
'''


def small_network(folder: Path, ledgers: int = 0) -> Path:
    """The demo network's returns (anchors, progression, metrics) and its first ``ledgers`` ledger files."""
    folder.mkdir(parents=True)
    for name in RETURNS:
        shutil.copy(DEMO_DIR / name, folder / name)
    if ledgers:
        (folder / "ledger").mkdir()
        for path in sorted((DEMO_DIR / "ledger").glob("*.csv"))[:ledgers]:
            shutil.copy(path, folder / "ledger" / path.name)
    return folder


def stand_in_notebook(folder: Path, sleep: float = 0.0, name: str = "01_baseline.ipynb") -> Path:
    """A report notebook that waits ``sleep`` seconds, then writes the year's metric totals from the returns."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell("# Stand-in section\n\nMetric totals of the year."),
        new_code_cell('year = 2000\ndata_dir = "."\noutput_dir = "out"\nplace = "leeds"',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(NOTEBOOK_BODY.replace("SLEEP", repr(float(sleep)))),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def command(*args: str | Path) -> list[str]:
    """``anchor-analysis ARGS`` as a child process would run it."""
    return [sys.executable, "-m", "anchor_analysis.cli", *map(str, args)]


def start(args: list[str], env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """A child process in its own session (so that its kernels and browsers can be killed with it)."""
    return subprocess.Popen(args, cwd=REPO, env={**os.environ, **(env or {})}, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def kill_group(child: subprocess.Popen) -> None:
    """SIGKILL a child, then whatever it started (kernels, Chromium), and reap it."""
    try:
        os.kill(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if child.stdout:
        child.stdout.close()


HOLDER = """
import sys, time
from anchor_analysis.core.locks import folder_lock
with folder_lock(sys.argv[1], sys.argv[2]):
    print("held", flush=True)
    time.sleep(600)
"""


def hold_lock(folder: Path, doing: str) -> subprocess.Popen:
    """A child process holding ``folder``'s lock until it is killed."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), doing], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def wait_for(condition, timeout: float = 120.0, step: float = 0.05) -> None:
    """Wait until ``condition()`` is true (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout} s")
        time.sleep(step)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path (hidden ones included)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under ``folder`` with its size, modification time (ns) and mode: what writing would change."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_mode)
            for p in sorted([folder, *folder.rglob("*")])}
