"""Benchmark: the annual report on a network with a national-size ledger folder, whose files are named by anchor and
quarter and span two financial years.

Builds a network in a temporary folder: the demo network's returns (anchors, progression, metrics, staff residence,
sites) with its ledgers replaced by --lines generated lines (postcodes from the real NSPL lookup, as in
bench_spend.py) dated from April 2023 to March 2025 and written one file per anchor and calendar quarter
(``<anchor>-2024-Q1.csv``: no file is named after a financial year). Then runs, in a child process,

    anchor-analysis report --years 2023-2024 --formats html --notebooks 01 02 03 04

and measures its wall time and its peak memory: the largest single process (the runner or a kernel, from
os.wait4) and the peak of the whole process tree together (sampled from /proc every 0.2 s). Afterwards it checks,
for each year, that the baseline section's reconciliation reads exactly the generated lines dated in that year,
that the baseline's spend in the place equals the priority neighbourhoods section's spend by ward, and that the
anchor profile's spend by ring equals the baseline's rows for that anchor.

Target (issue "One house"): the report peaks under 2 GB (the whole tree) and the year totals agree.

Then the annual report (``--years 2024``, the same notebooks, HTML) on the big network against the same report on
the demo network plus one classification of the big network's ledger files (bench_scale.py's measurement, in a
child process). Targets (issue 17): within 1.5x of (demo report + one classification), and under 1.5 GB (the whole
process tree).

    ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public python benchmarks/bench_network.py
    python benchmarks/bench_network.py --lines 1000000        # a quick look
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_spend import ANCHORS, _suppliers  # noqa: E402 - the same supplier base and postcode mix

NOTEBOOKS = ["01_baseline", "02_progression_review", "03_priority_neighbourhoods", "04_anchor_profile"]
YEARS = (2023, 2024)
LINES_PER_BLOCK = 1_000_000
TARGET_PEAK_MB = 2048
ANNUAL_RATIO = 1.5  # issue 17: the annual report on the 10M network within 1.5x (demo report + one classification)
ANNUAL_PEAK_MB = 1536  # and under 1.5 GB


def generate(folder: Path, lines: int, postcodes: np.ndarray, seed: int = 2024) -> dict[int, tuple[int, int]]:
    """The demo returns plus generated ledgers; returns (lines, pence) per financial year, counted as written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    shutil.copytree(ROOT / "data" / "raw" / "demo", folder, ignore=shutil.ignore_patterns("ledger"))
    (folder / "ledger").mkdir()
    rng = np.random.default_rng(seed)
    sup = _suppliers(rng, postcodes)
    columns = {k: pa.array(v, type=pa.string()) for k, v in sup.items()}
    per_year: dict[int, list[int]] = {y: [0, 0] for y in YEARS}
    writers: dict[str, pacsv.CSVWriter] = {}
    start, days = np.datetime64("2023-04-01"), 731
    for block in range(0, lines, LINES_PER_BLOCK):
        n = min(LINES_PER_BLOCK, lines - block)
        anchor = rng.integers(0, len(ANCHORS), n)
        local = np.minimum((rng.pareto(1.1, n) * 40).astype(np.int64), 5_999)
        amount = np.round(rng.lognormal(6.0, 1.6, n), 2)
        amount[rng.random(n) < 0.01] *= -1
        dates = start + rng.integers(0, days, n).astype("timedelta64[D]")
        table = pa.table({
            "anchor_id": pa.array(np.array(ANCHORS, dtype=object)[anchor], type=pa.string()),
            "payment_date": pa.array(dates.astype("datetime64[D]")), "amount": pa.array(amount),
            "supplier_id": columns["id"].take(pa.array(anchor * 6_000 + local)),
            "supplier_name": columns["name"].take(pa.array(anchor * 6_000 + local)),
            "supplier_postcode": columns["postcode"].take(pa.array(anchor * 6_000 + local)),
            "category": columns["category"].take(pa.array(anchor * 6_000 + local)),
        })
        calendar = dates.astype("datetime64[M]").astype(int)
        year, month = calendar // 12 + 1970, calendar % 12 + 1
        fy = year - (month < 4)
        pence = np.round(amount * 100).astype(np.int64)
        for y in YEARS:
            per_year[y][0] += int((fy == y).sum())
            per_year[y][1] += int(pence[fy == y].sum())
        quarter = year * 10 + (month - 1) // 3 + 1
        keys = pa.array(np.array(ANCHORS, dtype=object)[anchor] + "-" + (quarter // 10).astype(str) + "-Q"
                        + (quarter % 10).astype(str))
        for key in pc.unique(keys).to_pylist():
            part = table.filter(pc.equal(keys, key))
            if key not in writers:
                writers[key] = pacsv.CSVWriter(folder / "ledger" / f"{key}.csv", part.schema,
                                               write_options=pacsv.WriteOptions(quoting_style="needed"))
            writers[key].write_table(part)
    for writer in writers.values():
        writer.close()
    return {y: (v[0], v[1]) for y, v in per_year.items()}


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total / 2**20


def run_report(network: Path, out: Path, log: Path, years: str = f"{YEARS[0]}-{YEARS[-1]}") -> dict:
    """The report in a child process: wall time, the largest single process and the peak of the process tree."""
    script = Path(sys.executable).with_name("anchor-analysis")
    command = [str(script), "report", "--years", years, "--formats", "html", "--data-dir",
               str(network), "--out", str(out)]
    for name in NOTEBOOKS:
        command += ["--notebooks", str(ROOT / "notebooks" / f"{name}.ipynb")]
    peak = [0.0]
    started = time.perf_counter()
    from anchor_analysis.core.settings import PROCESSED_ENV

    env = {**os.environ, PROCESSED_ENV: str(out.parent / "processed")}  # the derived tables go with the work folder
    with log.open("w") as handle:
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=env)

        def sample() -> None:
            while child.poll() is None:
                peak[0] = max(peak[0], _tree_rss_mb(child.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = status
        sampler.join()
    return {"status": status, "seconds": time.perf_counter() - started, "largest_mb": usage.ru_maxrss / 1024,
            "tree_mb": peak[0]}


def check_totals(out: Path, written: dict[int, tuple[int, int]]) -> list[tuple[str, bool, str]]:
    """The year totals of the sections and the profile, against what was written."""
    import pandas as pd

    checks = []
    for year in YEARS:
        base, nbh, prof = (out / str(year) / s / "tables" for s in ("baseline", "neighbourhoods", "anchor_profile"))
        rec = pd.read_csv(base / "ledger_reconciliation.csv")
        read = rec[rec["item"] == "read"]
        lines, pence = written[year]
        got = (int(read["lines"].sum()), int(round(read["spend"].sum() * 100)))
        checks.append((f"{year}: reconciliation reads the lines dated in the year", got == (lines, pence),
                       f"{got[0]:,} lines, £{got[1] / 100:,.2f} (written {lines:,}, £{pence / 100:,.2f})"))
        rings = pd.read_csv(base / "ledger_by_ring.csv")
        in_place = rings.loc[rings["ring"] == "leeds", "spend"].sum()
        wards = pd.read_csv(nbh / "spend_by_ward.csv")["spend"].sum()
        checks.append((f"{year}: section 1 in Leeds = section 3 by ward", abs(in_place - wards) < 0.05,
                       f"£{in_place:,.2f} and £{wards:,.2f}"))
        own = pd.read_csv(prof / "anchor_spend_by_ring.csv")["spend"].to_numpy()
        theirs = rings.loc[rings["anchor_id"] == "nhs_trust_a", "spend"].to_numpy()
        same = len(own) == len(theirs) and bool(np.allclose(own, theirs, atol=0.005))
        checks.append((f"{year}: profile spend by ring = section 1's rows", same, f"£{own.sum():,.2f}"))
    return checks


def annual_against_demo(work: Path) -> list[tuple[str, bool, str]]:
    """The annual report (one year) on the big network against the same report on the demo network plus one
    classification of the big network's ledger files: what the report costs beyond reading the ledgers once."""
    from bench_scale import measure

    year = str(YEARS[-1])
    # its own derived-tables folder (beside its outputs): the big network's ledgers are classified in this run, as
    # the demo report plus one classification it is set against
    big = run_report(work / "network", work / "annual" / "outputs", work / "annual.log", years=year)
    demo = run_report(ROOT / "data" / "raw" / "demo", work / "annual-demo" / "outputs", work / "annual-demo.log",
                      years=year)
    classify = measure("classify", work / "network", work)
    if big["status"] or demo["status"]:
        return [("annual report runs", False, f"status {big['status']} (10M) and {demo['status']} (demo)")]
    floor = demo["seconds"] + classify["seconds"]
    ratio = big["seconds"] / floor
    print(f"annual report ({year}, four notebooks, HTML): {big['seconds']:.0f} s on the big network, peak "
          f"{big['tree_mb']:,.0f} MB; demo report {demo['seconds']:.0f} s + one classification "
          f"{classify['seconds']:.1f} s = {floor:.0f} s")
    return [("annual report within 1.5x (demo report + one classification)", ratio <= ANNUAL_RATIO,
             f"{big['seconds']:.0f} / {floor:.0f} s = {ratio:.2f}x"),
            (f"annual report peak under {ANNUAL_PEAK_MB:,} MB", big["tree_mb"] < ANNUAL_PEAK_MB,
             f"{big['tree_mb']:,.0f} MB = {big['tree_mb'] / ANNUAL_PEAK_MB:.2f}x the target")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the network and outputs here")
    parser.add_argument("--skip-annual", action="store_true",
                        help="leave out the one-year report against the demo report plus one classification")
    parser.add_argument("--annual-only", action="store_true", help="only the one-year report against the demo's")
    args = parser.parse_args()
    from anchor_analysis import public
    from anchor_analysis.core.settings import PUBLIC_DATA_ENV

    if not os.environ.get(PUBLIC_DATA_ENV):
        print(f"set {PUBLIC_DATA_ENV} (e.g. ../shared/data/public): the ledgers use postcodes of the real lookup")
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="anchor_bench_network_"))
    try:
        postcodes = public.load_postcode_lookup("region", columns=["postcode"])["postcode"].to_numpy(dtype=object)
        t0 = time.perf_counter()
        written = generate(work / "network", args.lines, postcodes)
        files = list((work / "network" / "ledger").glob("*.csv"))
        mb = sum(p.stat().st_size for p in files) / 2**20
        print(f"{args.lines:,} ledger lines in {len(files)} files ({mb:,.0f} MB), generated in "
              f"{time.perf_counter() - t0:.0f} s")
        if args.annual_only:
            checks = annual_against_demo(work)
            for label, passed, detail in checks:
                print(f"  {'PASS' if passed else 'FAIL'}  {label}: {detail}")
            return 0 if all(passed for _, passed, _ in checks) else 1
        run = run_report(work / "network", work / "outputs", work / "report.log")
        if run["status"]:
            print((work / "report.log").read_text()[-3000:])
            print("FAIL: the report run failed")
            return 1
        print(f"report --years 2023-2024, four notebooks: {run['seconds']:.0f} s; peak {run['tree_mb']:,.0f} MB "
              f"(whole process tree), largest single process {run['largest_mb']:,.0f} MB")
        ok = run["tree_mb"] < TARGET_PEAK_MB
        print(f"  {'PASS' if ok else 'FAIL'}  peak under {TARGET_PEAK_MB:,} MB: ratio "
              f"{run['tree_mb'] / TARGET_PEAK_MB:.2f}")
        checks = check_totals(work / "outputs", written)
        if not args.skip_annual:
            checks += annual_against_demo(work)
        for label, passed, detail in checks:
            print(f"  {'PASS' if passed else 'FAIL'}  {label}: {detail}")
            ok &= passed
        return 0 if ok else 1
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
