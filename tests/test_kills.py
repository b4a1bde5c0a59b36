"""``report`` and ``collect`` killed with SIGKILL at random moments, trial after trial: never a half-written output,
a corrupt derived table or a changed previous version, and the next run finishes the job.

Each trial starts the real command in a child process (in its own session, so its kernels die with it), kills it
at a moment drawn (seeded) from the length of a whole run, checks what it left, and leaves that state to the next
trial, whose run must clear or finish it. ``ANCHOR_ANALYSIS_KILL_TRIALS`` sets the number of trials of each
command (default 50); ``make faults`` runs more.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from faults import YEAR, command, kill_group, small_network, snapshot, stand_in_notebook, start

from anchor_analysis.collection.versions import COLLECT_JOURNAL, MANIFEST, version_folders
from anchor_analysis.contracts.readers import VERSIONS_DIR
from anchor_analysis.core.files import sha256_file
from anchor_analysis.derived.store import processed_root, read_manifest
from conftest import DEMO_DIR

TRIALS = int(os.environ.get("ANCHOR_ANALYSIS_KILL_TRIALS", "50"))


def timed_run(args: list[str], env: dict[str, str]) -> float:
    """Run a command to its end; its wall time."""
    started = time.monotonic()
    child = start(args, env)
    output, _ = child.communicate(timeout=600)
    assert child.returncode == 0, output
    return time.monotonic() - started


def killed_run(args: list[str], env: dict[str, str], after: float) -> bool:
    """Start a command and SIGKILL it (and what it started) ``after`` seconds in; True if it had finished."""
    child = start(args, env)
    deadline = time.monotonic() + after
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.01)
    finished = child.poll() is not None
    kill_group(child)
    return finished


# --- report -----------------------------------------------------------------------------------------------------


def year_files(out: Path) -> dict[str, bytes | None]:
    """A built year: its tables by content, every other file by name alone (run times differ)."""
    folder = out / str(YEAR)
    return {name: content if "/tables/" in f"/{name}" else None for name, content in snapshot(folder).items()}


def derived_builds(root: Path) -> list[dict[str, pd.DataFrame]]:
    """Every build in place in ``root`` (hidden ones are in progress), each table read back; a build in place that
    cannot be read fails the test."""
    builds = []
    for build in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        manifest = read_manifest(build)
        assert manifest is not None, f"{build} is in place without a readable manifest"
        builds.append({name: pd.read_parquet(build / f"{name}.parquet") for name in manifest["tables"]})
    return builds


def same_tables(one: dict[str, pd.DataFrame], other: dict[str, pd.DataFrame]) -> bool:
    return one.keys() == other.keys() and all(one[k].equals(other[k]) for k in one)


@pytest.mark.usefixtures("public_data_dir")
def test_report_killed_at_random_moments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    network = small_network(tmp_path / "network", ledgers=3)
    raw = snapshot(network)
    out, processed = tmp_path / "out", tmp_path / "processed"
    monkeypatch.setenv("ANCHOR_ANALYSIS_PROCESSED", str(processed))  # for this process and the runs it starts
    env: dict[str, str] = {}
    args = command("report", "--year", YEAR, "--data-dir", network, "--out", out, "--formats", "html",
                   "--notebooks", stand_in_notebook(tmp_path / "notebooks"))
    whole = max(timed_run(args, env), timed_run(args, env))
    previous = year_files(out)
    root = processed_root(network)
    [reference] = derived_builds(root)
    rng = random.Random(17)
    moments = []
    for trial in range(TRIALS):
        if trial % 3 == 0:
            shutil.rmtree(processed)  # a third of the runs build the derived tables: kills land in the build too
        after = rng.uniform(0.0, whole * 1.1)
        finished = killed_run(args, env, after)
        moments.append((round(after, 2), finished))
        assert year_files(out) == previous, f"trial {trial}: killed after {after:.2f} s, the year is not whole"
        index = (out / "index.html").read_text(encoding="utf-8")
        assert index.rstrip().endswith("</html>"), f"trial {trial}: index.html is half-written"
        assert not [p for p in out.glob(f"{YEAR}/**/*") if p.name.endswith(".part")]
        if root.is_dir():
            assert all(same_tables(build, reference) for build in derived_builds(root)), f"trial {trial}"
        assert snapshot(network) == raw, f"trial {trial}: the raw returns changed"
    print(f"{TRIALS} kills of a {whole:.1f} s report run at (seconds, finished): {moments}")
    assert sum(not finished for _, finished in moments) >= TRIALS // 2  # most kills hit a run under way
    timed_run(args, env)  # the next run clears what the killed ones left and builds the year
    assert year_files(out) == previous and not list(out.glob(".staging-*"))
    assert [same_tables(build, reference) for build in derived_builds(root)] == [True]


# --- collect ----------------------------------------------------------------------------------------------------


def versions_whole(network: Path) -> dict[str, dict[str, bytes]]:
    """Every version in place, each checked against its manifest (a version in place is never half-written): the
    files it holds (its manifest and change log record the time of the run, so they are left out)."""
    found = {}
    for folder in version_folders(network):
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        for name, digest in manifest["files"].items():
            assert digest is None or sha256_file(folder / name) == digest, f"{folder / name} is not what was written"
        found[folder.name] = {name: content for name, content in snapshot(folder).items()
                              if name in manifest["files"]}
    return found


def current_tables(network: Path) -> dict[str, bytes]:
    """The network's current files: everything but versions/ and hidden files (a lock, a killed write's .part)."""
    return {name: content for name, content in snapshot(network).items()
            if not name.startswith(f"{VERSIONS_DIR}/") and not any(part.startswith(".") for part in name.split("/"))}


@pytest.mark.usefixtures("public_data_dir")
def test_collect_killed_at_random_moments(tmp_path: Path) -> None:
    from test_collection import YEAR as RETURNS_YEAR
    from test_collection import _figures, fill

    from anchor_analysis.collection.templates import write_templates

    pristine = tmp_path / "pristine"
    shutil.copytree(DEMO_DIR, pristine)
    returns = tmp_path / "returns" / str(RETURNS_YEAR)
    write_templates(pristine, RETURNS_YEAR, tmp_path / "templates")
    figures = _figures(pristine)
    for name, anchor in (("University A", "university_a"), ("NHS Trust B", "nhs_trust_b")):
        fill(tmp_path / "templates", returns, name, figures, anchor)
    before = current_tables(pristine)
    done = tmp_path / "done"
    shutil.copytree(pristine, done)
    args = command("collect", returns, "--into", done, "--accept-warnings")
    whole = timed_run(args, {})
    after_collect = current_tables(done)
    assert after_collect != before
    versions_done = versions_whole(done)
    network = tmp_path / "network"
    rng = random.Random(13)
    moments = []
    args = command("collect", returns, "--into", network, "--accept-warnings")
    for trial in range(TRIALS):
        if not network.exists() or not (network / VERSIONS_DIR / COLLECT_JOURNAL).exists() and \
                len(version_folders(network)) == len(versions_done):
            shutil.rmtree(network, ignore_errors=True)  # the last trial got to the end: start again
            shutil.copytree(pristine, network)
        after = rng.uniform(0.0, whole * 1.1)
        finished = killed_run(args, {}, after)
        moments.append((round(after, 2), finished))
        current = current_tables(network)
        versions = versions_whole(network)
        assert all(versions[v] == versions_done[v] for v in versions), f"trial {trial}: a version differs"
        if (network / VERSIONS_DIR / COLLECT_JOURNAL).exists():  # killed while replacing: the version is whole
            named = (network / VERSIONS_DIR / COLLECT_JOURNAL).read_text(encoding="utf-8").strip()
            assert named in versions, f"trial {trial}: the journal names a version not in place"
        else:
            assert current in (before, after_collect), f"trial {trial}: killed after {after:.2f} s, tables mixed"
        if "0001" in versions:  # the tables as found: the previous version, never changed
            assert {n: versions["0001"][n] for n in versions["0001"] if n in before} == \
                   {n: before[n] for n in versions["0001"] if n in before}
    print(f"{TRIALS} kills of a {whole:.1f} s collect at (seconds, finished): {moments}")
    assert sum(not finished for _, finished in moments) >= TRIALS // 2
    timed_run(args, {})  # the next collect finishes or clears what the killed one left
    assert current_tables(network) == after_collect
    assert versions_whole(network) == versions_done
    assert not list((network / VERSIONS_DIR).glob(".staging-*")) and not list(network.rglob("*.part"))
