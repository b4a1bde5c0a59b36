"""Benchmark: the kit's ledger classification beside the fastest bare engines, at 1M, 10M and 100M lines.

Every figure comes from one run of this script, each measurement in its own child process (wall time, best of
--repeat runs as the machine may be shared, and the child's peak resident memory, VmHWM, which it reads itself),
so the ratios printed are measured side by side.

- **kit**: ``spend.classify_ledger_files(folder, "leeds")``, the full analysis (postcode normalisation and lookup,
  rings, both IMD editions' deciles, influenceable rules, exact duplicates, credits, every summary table), with the
  kit's own DuckDB settings (memory limit, spill folder).
- **polars**: a bare Polars query doing the classification only: read, normalise the postcode, join the lookup,
  ring, sum by anchor and ring (lazy, streaming engine). Its ring totals are checked against the kit's.
- **scan**: DuckDB's plain scan of the same files (count of lines, sum of amounts): the floor of reading them.

1M and 10M lines are CSV files (bench_spend.py's generator: real NSPL postcodes, national and junk ones, credits,
exact duplicates); 100M lines are Parquet, generated once into the cache folder (--cache; the time it took and the
size are printed, and kept in the folder's ``generated.json``).

On a network folder of 10M lines (bench_network.py's: the demo returns, ledgers by anchor and quarter): validation
(``contracts.check_network(..., ledgers=True)``, what ``anchor-analysis validate`` does) against the classification
of the same ledger files; the derived tables built (``derived.processed_network``) and a re-run on the unchanged
folder, which reuses them.

Targets (issue 17): at 10M the kit within 1.2x the bare Polars query and 2.5x the scan, peak under 0.8 GB; at 100M
within 12x the kit's 10M time and under 2 GB peak; validation within 1.5x classification; a re-run on unchanged
inputs within 0.1x of the build.

    ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public python benchmarks/bench_scale.py
    python benchmarks/bench_scale.py --sizes 1000000 --repeat 1 --skip-100m --skip-network   # a quick look
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_spend import ledger_blocks, own_peak_mb, run_kit  # noqa: E402 - the same ledgers and the same kit measurement

ROOT = Path(__file__).resolve().parents[1]
BIG = 100_000_000
LINES_PER_PARQUET = 5_000_000
GB = 1024  # MB


# --- the bare engines (run in child processes) -------------------------------------------------------------------

def _ledger_paths(folder: str) -> tuple[list[str], str]:
    paths = sorted(str(p) for p in Path(folder).iterdir() if p.suffix in (".csv", ".parquet"))
    return paths, "parquet" if paths[0].endswith(".parquet") else "csv"


def run_polars(folder: str) -> dict:
    """The classification alone in Polars: normalise, join the lookup, ring, sum by anchor and ring."""
    import polars as pl

    from anchor_analysis import public
    from anchor_analysis.core import POSTCODE_PATTERN, load_place

    start = time.perf_counter()
    place = load_place("leeds")
    lookup = pl.from_pandas(public.load_postcode_lookup("region", columns=["postcode", "postcode_area",
                                                                          "lad24_code"]))
    areas = lookup["postcode_area"].drop_nulls().unique()
    paths, kind = _ledger_paths(folder)
    if kind == "parquet":
        lines = pl.scan_parquet(paths)
    else:
        text = {c: pl.String for c in ("anchor_id", "supplier_id", "supplier_postcode")}
        lines = pl.scan_csv(paths, schema_overrides=text)
    compact = pl.col("supplier_postcode").str.replace_all(r"[\s\u00a0\u2007\u202f]+", "").str.to_uppercase()
    length = compact.str.len_chars()
    pc = (pl.when(length.is_between(5, 7))
          .then(compact.str.slice(0, length - 3) + " " + compact.str.slice(-3)).otherwise(compact))
    ring = pl.lit("elsewhere")
    for r in reversed(place.rings):
        ring = pl.when(pl.col("lad24_code").is_in(list(r.lad_codes))).then(pl.lit(r.key)).otherwise(ring)
    valid = pl.col("pc").str.contains(f"^(?:{POSTCODE_PATTERN})$").fill_null(False)
    outside = valid & pl.col("found_area").is_null() & ~pl.col("pc").str.extract(r"^([A-Z]+)").is_in(areas.to_list())
    ring = pl.when((pl.col("found_area").is_null() | pl.col("lad24_code").is_null()) & ~outside.fill_null(False)) \
        .then(pl.lit("unknown")).otherwise(ring)
    query = (lines.select("anchor_id", "amount", pc.alias("pc"))
             .join(lookup.lazy().rename({"postcode": "pc", "postcode_area": "found_area"}), on="pc", how="left")
             .with_columns(ring.alias("ring"), (pl.col("amount") * 100).round().cast(pl.Int64).alias("pence"))
             .group_by("anchor_id", "ring").agg(pl.col("pence").sum(), pl.len().alias("lines")))
    totals = query.collect(engine="streaming")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "lines": int(totals["lines"].sum()),
            "totals": {f"{a}|{r}": int(v) for a, r, v in totals.select("anchor_id", "ring", "pence").iter_rows()}}


def run_scan(folder: str) -> dict:
    """DuckDB's plain scan: the count of lines and the sum of amounts."""
    import duckdb

    start = time.perf_counter()
    paths, kind = _ledger_paths(folder)
    reader = f"read_{kind}({paths!r})"
    lines, total = duckdb.sql(f"SELECT count(*), sum(amount) FROM {reader}").fetchall()[0]
    return {"seconds": time.perf_counter() - start, "lines": int(lines), "total": float(total)}


def run_validate(network: str) -> dict:
    """Validation of the network folder, ledgers included (``anchor-analysis validate``)."""
    from anchor_analysis.contracts.network import check_network

    start = time.perf_counter()
    report, _ = check_network(network, ledgers=True)
    return {"seconds": time.perf_counter() - start, "ok": report.ok}


def run_classify(network: str) -> dict:
    """The classification of the network folder's ledger files."""
    return run_kit(str(Path(network) / "ledger"))


def run_process(network: str) -> dict:
    """``processed_network``: builds the derived tables, or reuses them when nothing changed."""
    from anchor_analysis.derived import processed_network

    start = time.perf_counter()
    built = processed_network(network)
    return {"seconds": time.perf_counter() - start, "rebuilt": built.rebuilt, "lines": int(built.ledger["lines"].sum())}


CHILDREN = {"kit": run_kit, "polars": run_polars, "scan": run_scan, "validate": run_validate,
            "classify": run_classify, "process": run_process}


def measure(what: str, folder: Path, work: Path, env: dict | None = None) -> dict:
    """One measurement in a child process: its own result and peak resident memory (the child's VmHWM)."""
    out = work / f"result-{what}-{time.monotonic_ns()}.json"
    child = subprocess.Popen([sys.executable, __file__, "--child", what, str(folder), str(out)],
                             env={**os.environ, **(env or {})})
    _, status, _ = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"{what} measurement on {folder} failed (status {status})")
    result = json.loads(out.read_text())
    out.unlink()
    return result


def best(what: str, folder: Path, work: Path, repeat: int) -> dict:
    runs = [measure(what, folder, work) for _ in range(repeat)]
    chosen = min(runs, key=lambda r: r["seconds"])
    chosen["runs"] = [r["seconds"] for r in runs]
    chosen["peak_mb"] = max(r["peak_mb"] for r in runs)
    return chosen


# --- the ledgers ------------------------------------------------------------------------------------------------

def cache_folder(given: Path | None) -> Path:
    """Where the 100M-line Parquet ledger is kept between runs."""
    if given:
        return given
    from anchor_analysis.core.settings import CACHE_ENV

    base = os.environ.get(CACHE_ENV, "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache" / "anchor-analysis") / "bench"


def parquet_ledger(folder: Path, size: int, postcodes) -> dict:
    """The Parquet ledger of ``size`` lines in ``folder``, generated once (``generated.json`` says how long it
    took); files of LINES_PER_PARQUET lines."""
    import pyarrow.parquet as pq

    record = folder / "generated.json"
    if record.is_file():
        return {**json.loads(record.read_text()), "cached": True}
    shutil.rmtree(folder, ignore_errors=True)
    scratch = folder.with_name(folder.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    start = time.perf_counter()
    writer, number, written = None, 0, 0
    for _, _, table in ledger_blocks(size, postcodes):
        if writer is None or written >= LINES_PER_PARQUET:
            if writer is not None:
                writer.close()
            writer = pq.ParquetWriter(scratch / f"ledger_{number:03d}.parquet", table.schema)
            number, written = number + 1, 0
        writer.write_table(table)
        written += table.num_rows
    writer.close()
    seconds = time.perf_counter() - start
    mb = sum(p.stat().st_size for p in scratch.glob("*.parquet")) / 2**20
    facts = {"lines": size, "files": number, "seconds": round(seconds, 1), "mb": round(mb)}
    (scratch / "generated.json").write_text(json.dumps(facts))
    os.replace(scratch, folder)
    return {**facts, "cached": False}


# --- main -------------------------------------------------------------------------------------------------------

def compare_size(label: str, folder: Path, work: Path, repeat: int) -> dict:
    """The kit, Polars and the scan on one ledger; prints them and returns the figures."""
    kit = best("kit", folder, work, repeat)
    polars = best("polars", folder, work, repeat)
    scan = best("scan", folder, work, repeat)
    agree = kit["totals"] == polars["totals"] and kit["lines"] == polars["lines"] == scan["lines"]
    for name, r in (("kit", kit), ("polars", polars), ("scan", scan)):
        runs = ", ".join(f"{s:.1f}" for s in r["runs"])
        print(f"  {name:<7} {r['seconds']:7.2f} s  peak {r['peak_mb']:6.0f} MB   runs: {runs} s")
    print(f"  kit / polars {kit['seconds'] / polars['seconds']:.2f}x, "
          f"kit / scan {kit['seconds'] / scan['seconds']:.2f}x;"
          f" ring totals {'agree' if agree else 'DIFFER'} ({kit['lines']:,} lines)", flush=True)
    return {"label": label, "kit": kit, "polars": polars, "scan": scan, "agree": agree}


def network_figures(work: Path, lines: int, postcodes, repeat: int) -> dict:
    """Validation, classification, the derived build and its re-run on a network folder of ``lines`` lines."""
    from bench_network import generate as generate_network

    network = work / "network"
    t0 = time.perf_counter()
    generate_network(network, lines, postcodes)
    print(f"\nnetwork folder of {lines:,} ledger lines (demo returns, files by anchor and quarter): generated in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    validate = best("validate", network, work, 1)
    classify = best("classify", network, work, repeat)
    env = {"ANCHOR_ANALYSIS_PROCESSED": str(work / "processed")}
    build = measure("process", network, work, env)
    rerun = measure("process", network, work, env)
    print(f"  validation      {validate['seconds']:7.2f} s  peak {validate['peak_mb']:6.0f} MB "
          f"(valid: {validate['ok']})")
    print(f"  classification  {classify['seconds']:7.2f} s  peak {classify['peak_mb']:6.0f} MB")
    print(f"  derived build   {build['seconds']:7.2f} s  peak {build['peak_mb']:6.0f} MB (rebuilt: {build['rebuilt']})")
    print(f"  re-run          {rerun['seconds']:7.2f} s  peak {rerun['peak_mb']:6.0f} MB (rebuilt: {rerun['rebuilt']})")
    return {"validate": validate, "classify": classify, "build": build, "rerun": rerun}


def checks(sizes: dict, big: dict | None, net: dict | None) -> list[tuple[str, bool]]:
    out = []
    if "10M" in sizes:
        r = sizes["10M"]
        k, p, s = r["kit"], r["polars"], r["scan"]
        out += [(f"10M: kit within 1.2x bare Polars ({k['seconds']:.2f} / {p['seconds']:.2f} s = "
                 f"{k['seconds'] / p['seconds']:.2f}x)", k["seconds"] <= 1.2 * p["seconds"]),
                (f"10M: kit within 2.5x DuckDB's scan ({k['seconds']:.2f} / {s['seconds']:.2f} s = "
                 f"{k['seconds'] / s['seconds']:.2f}x)", k["seconds"] <= 2.5 * s["seconds"]),
                (f"10M: kit peak under 0.8 GB ({k['peak_mb']:.0f} MB = {k['peak_mb'] / (0.8 * GB):.2f}x the target)",
                 k["peak_mb"] < 0.8 * GB)]
        if big:
            b = big["kit"]
            out += [(f"100M: kit within 12x its 10M time ({b['seconds']:.1f} / {k['seconds']:.2f} s = "
                     f"{b['seconds'] / k['seconds']:.1f}x)", b["seconds"] <= 12 * k["seconds"]),
                    (f"100M: kit peak under 2 GB ({b['peak_mb']:.0f} MB = {b['peak_mb'] / (2 * GB):.2f}x the target)",
                     b["peak_mb"] < 2 * GB)]
    if big:
        out.append((f"100M: kit / bare Polars {big['kit']['seconds'] / big['polars']['seconds']:.2f}x, "
                    f"kit / scan {big['kit']['seconds'] / big['scan']['seconds']:.2f}x (printed, no target)", True))
    out += [(f"{r['label']}: kit, Polars and the scan agree on lines (and kit and Polars on ring totals)", r["agree"])
            for r in [*sizes.values(), *([big] if big else [])]]
    if net:
        v, c, b, r = (net[k]["seconds"] for k in ("validate", "classify", "build", "rerun"))
        out += [(f"network: validation within 1.5x classification ({v:.1f} / {c:.1f} s = {v / c:.2f}x)", v <= 1.5 * c),
                (f"network: re-run on unchanged inputs within 0.1x the build ({r:.2f} / {b:.1f} s = {r / b:.3f}x)",
                 r <= 0.1 * b and not net["rerun"]["rebuilt"])]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000], help="CSV ledgers")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement; the fastest counts")
    parser.add_argument("--cache", type=Path, default=None, help="where the 100M-line Parquet ledger is kept")
    parser.add_argument("--skip-100m", action="store_true")
    parser.add_argument("--skip-network", action="store_true")
    parser.add_argument("--network-lines", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated CSV ledgers here (default: temp)")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, folder, out = args.child
        Path(out).write_text(json.dumps({**CHILDREN[what](folder), "peak_mb": own_peak_mb()}))
        return 0

    from anchor_analysis import public
    from anchor_analysis.core import PUBLIC_DATA_ENV

    if not os.environ.get(PUBLIC_DATA_ENV):
        print(f"set {PUBLIC_DATA_ENV} (e.g. ../shared/data/public): the ledgers draw postcodes from the real lookup")
        return 2
    from bench_spend import generate

    postcodes = public.load_postcode_lookup("region", columns=["postcode"])["postcode"].to_numpy(dtype=object)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="anchor_bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; work in {work}")
    sizes, big, net = {}, None, None
    try:
        for size in args.sizes:
            label = f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size:,}"
            folder = work / f"ledger_{size}"
            t0 = time.perf_counter()
            if not folder.exists():
                generate(size, folder, postcodes)
            mb = sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20
            print(f"\n{label} lines, CSV: generated in {time.perf_counter() - t0:.1f} s ({mb:,.0f} MB)", flush=True)
            sizes[label] = compare_size(label, folder, work, args.repeat)
        if not args.skip_100m:
            folder = cache_folder(args.cache) / f"ledger_{BIG}_parquet"
            facts = parquet_ledger(folder, BIG, postcodes)
            print(f"\n100M lines, Parquet in {folder}: {facts['files']} files, {facts['mb']:,} MB, generated in "
                  f"{facts['seconds']:.0f} s{' (earlier, cached)' if facts['cached'] else ''}", flush=True)
            big = compare_size("100M", folder, work, 1)
        if not args.skip_network:
            net = network_figures(work, args.network_lines, postcodes, args.repeat)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    results = checks(sizes, big, net)
    print()
    for label, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
