"""Benchmark: the annual report run against its floor, and several years with --jobs 2 against --jobs 1.

One year: ``anchor-analysis report --year 2024 --data-dir data/raw/demo --out <tmp> --formats html,pdf`` on the demo
network, in a child process, wall time (best of --repeat runs: the machine may be shared).

Its floor: the same command with ``--notebooks`` pointing at floor notebooks built in a temporary folder, one per
report notebook and with the same name (so the same sections, titles and parameters). A floor notebook computes
nothing: it keeps the report notebook's parameter cell and markdown cells, imports what the real notebook imports
(pandas, geopandas, matplotlib.pyplot, seaborn and the ``anchor_analysis`` modules named in its import statements)
and replays, cell by cell, the outputs the real notebook produced in this benchmark's first run (and copies the
files it saved). So the floor pays for everything but the analysis: starting the CLI, validating the returns,
provenance, one kernel per notebook, the imports, moving the outputs through the kernel, the nbconvert exports of
the same content, the combined report and Chromium printing a PDF of about the same size (both sizes are printed).

Several years: ``--years 2019-2024 --formats html,pdf`` with ``--jobs 1`` and with ``--jobs 2`` (wall time).

Every run also reports its CPU time (user + system of the runner and everything it waited for: kernels, Chromium,
worker processes), so CPU / wall shows how many cores a run kept busy; and the steps the runner prints (notebooks,
HTML, PDF) with the rest (start-up, validation, provenance, moving into place).

Targets: one year <= 1.4x its floor (issue 17; it was 2.0x); --jobs 2 <= 0.65x the wall time of --jobs 1.

    ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public python benchmarks/bench_report.py
    python benchmarks/bench_report.py --repeat 1 --skip-years     # one year and its floor only, one run each
    python benchmarks/bench_report.py --skip-one-year --years-repeat 2   # the --jobs comparison only, best of 2
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_IMPORTS = ["import pandas", "import geopandas", "import matplotlib.pyplot", "import seaborn"]
STEP = re.compile(r"^\[(?P<label>\d{4}/\d{2})\] (?P<step>.+?): (?:ok in|FAILED after) (?P<seconds>[\d.]+) s", re.M)
PDF_PAGES = re.compile(r"\((\d+) pages\)")
FLOOR_RATIO = 1.4  # issue 17: the demo report within 1.4x its floor


# --- running the report ---------------------------------------------------------------------------------------

def report_command() -> list[str]:
    script = Path(sys.executable).with_name("anchor-analysis")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "anchor_analysis.cli"]


def machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux /proc/stat), None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    except (OSError, ValueError, IndexError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_report(arguments: list[str], out: Path, log: Path) -> dict:
    """One ``anchor-analysis report`` in a child process: wall and CPU time (os.wait4), the CPU time other processes
    of the machine took meanwhile, and the steps it printed."""
    shutil.rmtree(out, ignore_errors=True)
    command = [*report_command(), "report", *arguments, "--out", str(out)]
    with open(log, "w", encoding="utf-8") as fh:
        busy = machine_busy()
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        busy = machine_busy() - busy if busy is not None else None
    text = log.read_text(encoding="utf-8")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n".join(text.strip().splitlines()[-25:])
        raise SystemExit(f"report run failed (exit {code}): {' '.join(command)}\n{tail}\nfull log: {log}")
    steps: dict[str, float] = {}
    for match in STEP.finditer(text):
        key = match["step"]
        steps[key] = steps.get(key, 0.0) + float(match["seconds"])
    pages = PDF_PAGES.findall(text)
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "others": max(busy - cpu, 0.0) if busy is not None else None, "steps": steps,
            "out": out, "log": log, "pages": int(pages[0]) if pages else None}


def show(label: str, run: dict) -> None:
    """A run's times. Other processes' CPU time matters on a shared machine: a run they slowed down is not a fair
    measurement (the best run counts)."""
    others = "" if run["others"] is None else f"; other processes {run['others']:.0f} CPU s"
    print(f"  {label}: {run['wall']:6.1f} s  (CPU {run['cpu']:.1f} s, CPU/wall {run['cpu'] / run['wall']:.2f}"
          f"{others})", flush=True)


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall"])


# --- the floor notebooks --------------------------------------------------------------------------------------

def imports_of(source: str) -> list[str]:
    """The top-level import statements of a code cell (cells that are not plain Python are skipped)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]


def floor_notebook(executed: Path, section_dir: Path, folder: Path) -> Path:
    """A floor notebook for one report notebook, from its executed copy: same name, parameter cell and markdown,
    the same imports, and each code cell replaced by a replay of the outputs it produced."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    real = nbformat.read(executed, as_version=4)
    outputs, cells, imports = {}, [], list(BASE_IMPORTS)
    for index, cell in enumerate(real.cells):
        tags = set(cell.metadata.get("tags", []))
        if "injected-parameters" in tags:
            continue
        if cell.cell_type != "code" or "parameters" in tags:
            cells.append(cell)
            continue
        imports += [line for line in imports_of(cell.source) if line not in imports]
        outputs[str(index)] = [dict(o) for o in cell.get("outputs", [])]
        cells.append(new_code_cell(f"_replay({index})", metadata={"tags": sorted(tags)} if tags else {}))
    replay_file = folder / f"{executed.stem}.outputs.json"
    replay_file.write_text(json.dumps(outputs), encoding="utf-8")
    setup = "\n".join([
        *imports,
        "import json as _json",
        "import shutil as _shutil",
        "import sys as _sys",
        "from IPython.display import publish_display_data as _publish",
        "",
        f"_OUTPUTS = _json.loads(open({str(replay_file)!r}, encoding='utf-8').read())",
        "",
        "",
        "def _replay(index):",
        "    for output in _OUTPUTS[str(index)]:",
        "        if output['output_type'] in ('display_data', 'execute_result'):",
        "            _publish(output['data'], output.get('metadata', {}))",
        "        elif output['output_type'] == 'stream':",
        "            (_sys.stdout if output['name'] == 'stdout' else _sys.stderr).write(output['text'])",
        "",
        "",
        f"_shutil.copytree({str(section_dir)!r}, output_dir, dirs_exist_ok=True)",
    ])
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "parameters" in
                      c.metadata.get("tags", [])) + 1
    cells.insert(first_code, new_code_cell(setup, metadata={"tags": ["remove-cell"]}))
    nb = new_notebook(cells=cells, metadata={"kernelspec": real.metadata.get("kernelspec", {}),
                                             "language_info": real.metadata.get("language_info", {})})
    path = folder / executed.name
    nbformat.write(nb, path)
    return path


def build_floor(real_out: Path, year: int, notebooks: list[Path], folder: Path) -> list[Path]:
    from anchor_analysis.reporting import Notebook

    folder.mkdir(parents=True, exist_ok=True)
    year_dir = real_out / str(year)
    return [floor_notebook(year_dir / "notebooks" / nb.name, year_dir / Notebook.from_path(nb).section, folder)
            for nb in notebooks]


# --- what the runs did -----------------------------------------------------------------------------------------

def notebook_timing(executed: Path) -> dict:
    """Papermill's timings of an executed notebook: whole run, its cells, the slowest cells."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    cells = []
    for index, cell in enumerate(nb["cells"]):
        seconds = (cell.get("metadata", {}).get("papermill", {}) or {}).get("duration")
        if cell["cell_type"] == "code" and seconds is not None:
            source = "".join(cell["source"]).strip().splitlines()
            cells.append((float(seconds), index, source[0] if source else ""))
    total = float(nb["metadata"].get("papermill", {}).get("duration") or 0.0)
    return {"total": total, "cells": sum(s for s, _, _ in cells), "slowest": sorted(cells, reverse=True)}


def combined_html(out: Path, year: int) -> Path | None:
    found = sorted((out / str(year) / "report").glob("network-impact-report-*.html"))
    return found[0] if found else None


def print_breakdown(real: dict, floor: dict, year: int, notebooks: list[Path]) -> None:
    print("\nwhere the time goes (best runs; seconds)        report    floor   extra")
    rows = []
    for nb in notebooks:
        r, f = real["steps"].get(nb.name, 0.0), floor["steps"].get(nb.name, 0.0)
        rt = notebook_timing(real["out"] / str(year) / "notebooks" / nb.name)
        ft = notebook_timing(floor["out"] / str(year) / "notebooks" / nb.name)
        rows.append((f"{nb.name}", r, f))
        rows.append(("    kernel, papermill (outside the cells)", r - rt["cells"], f - ft["cells"]))
        rows.append(("    cells", rt["cells"], ft["cells"]))
    for step in ("HTML report", "PDF"):
        rows.append((step, real["steps"].get(step, 0.0), floor["steps"].get(step, 0.0)))
    rest = [run["wall"] - sum(v for k, v in run["steps"].items()) for run in (real, floor)]
    rows.append(("CLI start-up, validation, provenance, moving into place", *rest))
    rows.append(("total (wall)", real["wall"], floor["wall"]))
    rows.append(("CPU (user + system)", real["cpu"], floor["cpu"]))
    for label, r, f in rows:
        print(f"  {label:<56} {r:7.1f} {f:8.1f} {r - f:7.1f}")
    sizes = []
    for run in (real, floor):
        html = combined_html(run["out"], year)
        sizes.append(f"{html.stat().st_size / 2**20:.1f} MB" if html else "?")
    print(f"  combined report: report {sizes[0]}, {real['pages']} pages; floor {sizes[1]}, {floor['pages']} pages")
    slowest = []
    for nb in notebooks:
        timing = notebook_timing(real["out"] / str(year) / "notebooks" / nb.name)
        slowest += [(s, nb.name, i, text) for s, i, text in timing["slowest"]]
    print("\nslowest cells of the report notebooks (papermill's timings, best run)")
    for seconds, name, index, text in sorted(slowest, reverse=True)[:10]:
        print(f"  {seconds:5.1f} s  {name} cell {index:>2}  {text[:70]}")


# --- the two comparisons -----------------------------------------------------------------------------------

def one_year(args: argparse.Namespace, common: list[str], notebooks: list[Path], work: Path) -> tuple[str, bool]:
    reals, floors, floor_notebooks = [], [], []
    for attempt in range(args.repeat):  # alternate, so that a busy spell of the machine hits both
        reals.append(run_report(["--year", str(args.year), *common], work / f"report-{attempt}",
                                work / f"report-{attempt}.log"))
        show(f"one year   run {attempt + 1}", reals[-1])
        if not floor_notebooks:
            floor_notebooks = build_floor(reals[0]["out"], args.year, notebooks, work / "floor-notebooks")
        floors.append(run_report(["--year", str(args.year), *common,
                                  *[x for nb in floor_notebooks for x in ("--notebooks", str(nb))]],
                                 work / f"floor-{attempt}", work / f"floor-{attempt}.log"))
        show(f"floor      run {attempt + 1}", floors[-1])
    real, floor = best(reals), best(floors)
    ratio = real["wall"] / floor["wall"]
    runs = "; ".join(f"{name} " + ", ".join(f"{r['wall']:.1f}" for r in group)
                     for name, group in (("report", reals), ("floor", floors)))
    print(f"\none year ({args.year}, {args.formats}): report {real['wall']:.1f} s, floor {floor['wall']:.1f} s, "
          f"ratio {ratio:.2f}   (runs: {runs})")
    print_breakdown(real, floor, args.year, notebooks)
    return (f"one year <= {FLOOR_RATIO}x its floor ({real['wall']:.1f} s / {floor['wall']:.1f} s = {ratio:.2f}x)",
            ratio <= FLOOR_RATIO)


def several_years(args: argparse.Namespace, common: list[str], work: Path) -> tuple[str, bool]:
    print(f"\n--years {args.years} ({args.formats})", flush=True)
    timed = {}
    for jobs in (1, 2):
        runs = []
        for attempt in range(args.years_repeat):
            runs.append(run_report(["--years", args.years, "--jobs", str(jobs), *common],
                                   work / f"years-jobs{jobs}-{attempt}", work / f"years-jobs{jobs}-{attempt}.log"))
            show(f"--jobs {jobs}   run {attempt + 1}", runs[-1])
        timed[jobs] = best(runs)
    one, two = timed[1], timed[2]
    ratio = two["wall"] / one["wall"]
    print(f"  --jobs 2 / --jobs 1 = {two['wall']:.1f} / {one['wall']:.1f} s = {ratio:.2f} "
          f"(CPU {two['cpu']:.0f} s vs {one['cpu']:.0f} s on {os.cpu_count()} cores: at best "
          f"{two['cpu'] / os.cpu_count() / one['wall']:.2f} with every core busy)")
    return f"--years {args.years}: --jobs 2 <= 0.65x --jobs 1 ({ratio:.2f}x)", ratio <= 0.65


# --- main ------------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--years", default="2019-2024", help="years of the --jobs comparison")
    parser.add_argument("--data-dir", default="data/raw/demo")
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the one-year report and its floor")
    parser.add_argument("--years-repeat", type=int, default=1, help="runs of each --years measurement")
    parser.add_argument("--skip-years", action="store_true", help="leave out the --jobs comparison")
    parser.add_argument("--skip-one-year", action="store_true", help="leave out the one-year report and its floor")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the outputs here (default: temp, removed)")
    args = parser.parse_args()

    os.chdir(ROOT)
    from anchor_analysis.core import PUBLIC_DATA_ENV
    from anchor_analysis.reporting import default_notebooks

    if not os.environ.get(PUBLIC_DATA_ENV):
        print(f"set {PUBLIC_DATA_ENV} (e.g. ../shared/data/public): the report notebooks read the public data")
        return 2
    notebooks = default_notebooks()
    if not notebooks:
        print("no report notebooks in notebooks/")
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="anchor_bench_report_"))
    work.mkdir(parents=True, exist_ok=True)
    common = ["--data-dir", args.data_dir, "--formats", args.formats]
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"notebooks: {', '.join(nb.name for nb in notebooks)}; work in {work}")
    checks = []
    try:
        if not args.skip_one_year:
            checks.append(one_year(args, common, notebooks, work))
        if not args.skip_years:
            checks.append(several_years(args, common, work))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
