"""Benchmark: the kit's ledger classification (DuckDB engine) against a plain pandas implementation.

Generates synthetic supplier ledgers (CSV, the realistic input) of 1M and 10M lines into a temporary folder, with
supplier postcodes drawn from the real NSPL lookup, about 25% national postcodes outside the lookup's areas and about
3% blank or junk ones, typed the way finance systems export them (lower case, no space, stray spaces); plus credits
and exact duplicate lines. Then, for each size, runs each measurement in its own child process and reports wall time
(best of --repeat runs: the machine may be shared) and peak resident memory of that child (its VmHWM).

The kit: ``spend.classify_ledger_files(files, "leeds")`` -- the full analysis (postcode normalisation and lookup,
rings, IMD deciles, influenceable rules, exact duplicates, credits, and every summary table).
Plain pandas: read the CSVs, normalise postcodes with string methods, check the format, merge with the lookup, ring
per line, sum by anchor and ring -- the classification alone. Both give identical ring totals (checked).

Targets (issue 4): at 10M lines the kit is at least 3x faster than plain pandas and peaks below 1.5 GB; the kit's
10M time is at most 12x its 1M time.

    ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public python benchmarks/bench_spend.py
    python benchmarks/bench_spend.py --sizes 200000 --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LINES_PER_FILE = 500_000
ANCHORS = ["nhs_trust_a", "nhs_trust_b", "university_a", "university_b", "local_authority_a", "fe_college_a",
           "water_utility_a", "cultural_body_a"]
SUPPLIERS_PER_ANCHOR = 6_000
NATIONAL = ["M1 1AE", "B1 1BB", "EC1A 1BB", "NG1 5FS", "S1 2HE", "M3 3EB", "BS1 4DJ", "L1 8JQ", "CF10 1EP",
            "G2 1DY", "SW1A 2AA", "E14 5AB", "MK9 2FZ", "OX1 2JD", "CB2 1TN", "NE1 7RU", "DH1 3LE", "PR1 2HE"]
JUNK = ["", "N/A", "TBC", "LS99 9ZZ", "LS1", "WF17 0ZZ", "  ", "unknown"]
PUBLIC_NAMES = ["Leeds City Council", "HM Revenue & Customs", "West Yorkshire Pension Fund",
                "Bradford Metropolitan District Council", "West Yorkshire Combined Authority"]


# --- generation ----------------------------------------------------------------------------------------------

def _suppliers(rng: np.random.Generator, postcodes: np.ndarray) -> dict[str, np.ndarray]:
    from anchor_analysis.demo import LEDGER_CATEGORIES

    n = len(ANCHORS) * SUPPLIERS_PER_ANCHOR
    kind = rng.random(n)
    chosen = postcodes[rng.integers(0, len(postcodes), n)].astype(object)
    national = np.array(NATIONAL, dtype=object)[rng.integers(0, len(NATIONAL), n)]
    junk = np.array(JUNK, dtype=object)[rng.integers(0, len(JUNK), n)]
    pc = np.where(kind < 0.72, chosen, np.where(kind < 0.97, national, junk))
    style = rng.random(n)  # as typed: lower case, no space, stray spaces
    pc = np.array([p.lower() if s < 0.15 else p.replace(" ", "") if s < 0.25 else f" {p}  " if s < 0.28 else p
                   for p, s in zip(pc, style, strict=True)], dtype=object)
    names = np.array([f"Supplier {i:05d} Ltd" for i in range(n)], dtype=object)
    public = rng.random(n) < 0.01
    names[public] = np.array(PUBLIC_NAMES, dtype=object)[rng.integers(0, len(PUBLIC_NAMES), public.sum())]
    categories = list(LEDGER_CATEGORIES)
    weights = np.array([LEDGER_CATEGORIES[c][1] for c in categories])
    cats = np.array(categories, dtype=object)[rng.choice(len(categories), n, p=weights / weights.sum())]
    return {"id": np.array([f"SUP{i:06d}" for i in range(n)], dtype=object), "name": names, "postcode": pc,
            "category": cats}


def ledger_blocks(size: int, postcodes: np.ndarray, seed: int = 2024):
    """``size`` ledger lines as Arrow tables of up to LINES_PER_FILE lines, one anchor per table (with the exact
    duplicate lines of the table appended): ``(anchor, number, table)``."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    sup = _suppliers(rng, postcodes)
    tables = {k: pa.array(v, type=pa.string()) for k, v in sup.items()}
    start = np.datetime64("2023-04-01")
    for i in range(0, size, LINES_PER_FILE):
        n = min(LINES_PER_FILE, size - i)
        anchor = i // LINES_PER_FILE % len(ANCHORS)
        # supplier popularity: heavy-tailed within the anchor's supply base
        local = np.minimum((rng.pareto(1.1, n) * 40).astype(np.int64), SUPPLIERS_PER_ANCHOR - 1)
        index = pa.array(anchor * SUPPLIERS_PER_ANCHOR + local)
        amount = np.round(rng.lognormal(6.0, 1.6, n), 2)
        amount[rng.random(n) < 0.01] *= -1  # credit notes
        dates = start + rng.integers(0, 365, n).astype("timedelta64[D]")
        table = pa.table({
            "anchor_id": pa.array(np.full(n, ANCHORS[anchor], dtype=object), type=pa.string()),
            "payment_date": pa.array(dates.astype("datetime64[D]")),
            "amount": pa.array(amount),
            "supplier_id": tables["id"].take(index),
            "supplier_name": tables["name"].take(index),
            "supplier_postcode": tables["postcode"].take(index),
            "category": tables["category"].take(index),
        })
        dups = np.flatnonzero(rng.random(n) < 0.003)  # exact duplicate lines
        yield ANCHORS[anchor], i // LINES_PER_FILE, pa.concat_tables([table, table.take(pa.array(dups))])


def generate(size: int, folder: Path, postcodes: np.ndarray, seed: int = 2024) -> list[Path]:
    """Write ``size`` ledger lines as CSV files of LINES_PER_FILE lines, one anchor per file."""
    import pyarrow.csv as pacsv

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for anchor, number, table in ledger_blocks(size, postcodes, seed):
        path = folder / f"ledger_{anchor}_{number:03d}.csv"
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
        files.append(path)
    return files


# --- the two implementations (run in child processes) --------------------------------------------------------

def run_kit(folder: str) -> dict:
    from anchor_analysis.analysis import spend

    start = time.perf_counter()
    analysis = spend.classify_ledger_files(folder, "leeds", engine="duckdb")
    seconds = time.perf_counter() - start
    # ring totals of all lines (the plain version does not apply the influenceable rules)
    s = analysis.suppliers
    pence = (s["amount"] * 100).round().astype("int64")
    totals = pence.groupby([s["anchor_id"], s["ring"].astype(str)]).sum()
    return {"seconds": seconds, "lines": int(s["lines"].sum()), "totals": {f"{a}|{r}": int(v)
                                                                             for (a, r), v in totals.items()}}


def run_plain(folder: str) -> dict:
    import pandas as pd

    from anchor_analysis import public
    from anchor_analysis.core import POSTCODE_PATTERN, load_place

    start = time.perf_counter()
    place = load_place("leeds")
    lookup = public.load_postcode_lookup("region", columns=["postcode", "postcode_area", "lad24_code"])
    files = sorted(Path(folder).glob("*.csv"))
    df = pd.concat([pd.read_csv(f, dtype={"supplier_id": "str", "supplier_postcode": "str"},
                                keep_default_na=False, na_values=[""]) for f in files], ignore_index=True)
    compact = df["supplier_postcode"].str.replace(r"[ \t\n\r\f\v\u00a0\u2007\u202f]+", "", regex=True).str.upper()
    pc = (compact.str[:-3] + " " + compact.str[-3:]).where(compact.str.len().between(5, 7), compact)
    valid = pc.str.fullmatch(POSTCODE_PATTERN).fillna(False).astype(bool)
    df["pc"] = pc.where(valid)
    df = df.merge(lookup.rename(columns={"postcode": "pc", "postcode_area": "found_area"}), on="pc", how="left")
    found = df["found_area"].notna()
    ring = pd.Series("elsewhere", index=df.index)
    for r in reversed(place.rings):
        ring[df["lad24_code"].isin(r.lad_codes)] = r.key
    area = pc.str.extract(r"^([A-Z]+)", expand=False)
    outside = valid & ~found & ~area.isin(set(lookup["postcode_area"].dropna()))
    ring[(~found | df["lad24_code"].isna()) & ~outside] = "unknown"
    df["ring"] = ring
    df["pence"] = (df["amount"] * 100).round().astype("int64")
    totals = df.groupby(["anchor_id", "ring"])["pence"].sum()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "lines": len(df), "totals": {f"{a}|{r}": int(v) for (a, r), v in totals.items()}}


def own_peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Measured by the child itself: ``ru_maxrss`` from ``os.wait4`` is kept across ``execve`` on Linux, so it counts the
    parent's pages the child had before it started Python (a parent holding 900 MB made every child "peak" at 900 MB).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


def measure(what: str, folder: Path) -> dict:
    """Run one measurement in a child process; its own wall time and peak RSS (measured by the child)."""
    out = folder.parent / f"result_{what}_{folder.name}.json"
    child = subprocess.Popen([sys.executable, __file__, "--child", what, str(folder), str(out)])
    _, status, _ = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"{what} measurement failed (status {status})")
    return json.loads(out.read_text())


# --- main ----------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--plain-repeat", type=int, default=2, help="runs of plain pandas (slow at 10M)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated ledgers here (default: temp)")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, folder, out = args.child
        result = (run_kit if what == "kit" else run_plain)(folder)
        Path(out).write_text(json.dumps({**result, "peak_mb": own_peak_mb()}))
        return 0

    from anchor_analysis import public
    from anchor_analysis.core import PUBLIC_DATA_ENV

    if not os.environ.get(PUBLIC_DATA_ENV):
        print(f"set {PUBLIC_DATA_ENV} (e.g. ../shared/data/public): the benchmark draws postcodes from the real lookup")
        return 2
    postcodes = public.load_postcode_lookup("region", columns=["postcode"])["postcode"].to_numpy(dtype=object)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="anchor_bench_"))
    print(f"machine: {os.cpu_count()} cores; ledgers in {work}")
    rows = []
    try:
        for size in args.sizes:
            folder = work / f"ledger_{size}"
            t0 = time.perf_counter()
            if not folder.exists():
                generate(size, folder, postcodes)
            gen = time.perf_counter() - t0
            mb = sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20
            print(f"\n{size:,} lines: generated in {gen:.1f} s ({mb:,.0f} MB of CSV)", flush=True)
            kits = [measure("kit", folder) for _ in range(args.repeat)]
            plains = [measure("plain", folder) for _ in range(args.plain_repeat)]
            kit = min(kits, key=lambda r: r["seconds"])
            plain = min(plains, key=lambda r: r["seconds"])
            agree = kit["totals"] == plain["totals"] and kit["lines"] == plain["lines"]
            kit_runs = ", ".join(f"{r['seconds']:.1f}" for r in kits)
            plain_runs = ", ".join(f"{r['seconds']:.1f}" for r in plains)
            print(f"  kit   (duckdb) {kit['seconds']:7.2f} s  peak {max(r['peak_mb'] for r in kits):7.0f} MB   "
                  f"runs: {kit_runs} s")
            print(f"  plain (pandas) {plain['seconds']:7.2f} s  peak {max(r['peak_mb'] for r in plains):7.0f} MB   "
                  f"runs: {plain_runs} s")
            print(f"  speed-up {plain['seconds'] / kit['seconds']:.1f}x, memory "
                  f"{max(r['peak_mb'] for r in plains) / max(r['peak_mb'] for r in kits):.1f}x less; "
                  f"ring totals {'agree' if agree else 'DIFFER'} ({kit['lines']:,} lines)", flush=True)
            rows.append({"size": size, "kit": kit["seconds"], "plain": plain["seconds"], "agree": agree,
                         "kit_mb": max(r["peak_mb"] for r in kits), "plain_mb": max(r["peak_mb"] for r in plains)})
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\nsize        kit s   plain s  speed-up   kit MB  plain MB")
    for r in rows:
        print(f"{r['size']:>10,} {r['kit']:7.2f} {r['plain']:9.2f} {r['plain'] / r['kit']:8.1f}x "
              f"{r['kit_mb']:8.0f} {r['plain_mb']:9.0f}")
    checks = []
    by_size = {r["size"]: r for r in rows}
    if 10_000_000 in by_size:
        r = by_size[10_000_000]
        checks.append((f"10M: kit >= 3x faster than plain pandas ({r['plain'] / r['kit']:.1f}x)",
                       r["plain"] / r["kit"] >= 3))
        checks.append((f"10M: kit peak memory < 1.5 GB ({r['kit_mb']:.0f} MB)", r["kit_mb"] < 1536))
        if 1_000_000 in by_size:
            ratio = r["kit"] / by_size[1_000_000]["kit"]
            checks.append((f"10M time <= 12x 1M time ({ratio:.1f}x)", ratio <= 12))
    checks += [(f"{r['size']:,}: kit and plain pandas ring totals agree", r["agree"]) for r in rows]
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
