"""Benchmark: a finance export taken in through its preset, against the same lines in the ledger contract's shape.

Generates, in a temporary folder, two one-anchor networks (``ledger_only = true``) holding the same --sizes lines
dated April 2023 to March 2025 (suppliers and postcodes as in bench_spend.py, from the real NSPL lookup):

- contract: ``ledger/lines.csv`` in the contract's shape (ISO dates, plain amounts, an ``anchor_id`` column);
- export: ``ledger/local_authority_a/Spend over 500.csv`` as a council publishes it under the Transparency Code:
  two title rows, ``Payment Date`` as DD/MM/YYYY, ``Net Amount`` with £ and thousands commas and credits in
  brackets, ``Supplier Name``, ``Supplier Postcode``, ``Expenses Type``, ``Service Area``, and a Total footer.

For each size and shape, runs ``anchor-analysis process`` (validation, then the classified supplier table) in its own
child process and reports wall time and peak resident memory (``os.wait4``), and checks that both shapes read
exactly the generated lines and pence per financial year.

Targets (issue 19: an export is streamed, never held in memory at once): at the largest size the export's peak
memory is under 1.5 GB and at most 1.25x the contract file's (reading an export adds no memory of its own: what
grows with the lines, in both, is the classified supplier table); its time grows at most in proportion to its lines
(largest / smallest time <= 1.25 x the ratio of lines). The ratio of the export's time to the contract file's is
printed: what reading an export as published costs.

    ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public python benchmarks/bench_exports.py
    python benchmarks/bench_exports.py --sizes 200000 800000     # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_spend import _suppliers  # noqa: E402 - the same supplier base and postcode mix

ANCHOR = "local_authority_a"
BLOCK = 500_000
TARGET_PEAK_MB = 1536
TARGET_PEAK_OVER_CONTRACT = 1.25
TARGET_TIME_SLACK = 1.25


def _block(rng: np.random.Generator, suppliers: dict, n: int) -> dict[str, np.ndarray]:
    """``n`` lines: dates, pence and a supplier each."""
    days = rng.integers(0, 731, n)
    dates = np.datetime64("2023-04-01") + days.astype("timedelta64[D]")
    pence = np.round(rng.lognormal(8.5, 1.6, n)).astype(np.int64)
    pence[rng.random(n) < 0.01] *= -1
    who = rng.integers(0, len(suppliers["id"]), n)
    return {"dates": dates, "pence": pence, "who": who}


def generate(folder: Path, lines: int, postcodes: np.ndarray, seed: int = 2024) -> dict[int, tuple[int, int]]:
    """The two networks of ``lines`` lines each; returns (lines, pence) per financial year, counted as written."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    suppliers = _suppliers(rng, postcodes)
    anchors = "anchor_id,name,sector,joined_year,left_year\n" f"{ANCHOR},Local authority A,local_authority,2018,\n"
    for shape in ("contract", "export"):
        (folder / shape / "ledger" / ANCHOR).mkdir(parents=True)
        (folder / shape / "anchors.csv").write_text(anchors)
        (folder / shape / "network.toml").write_text('name = "bench"\nplace = "leeds"\nledger_only = true\n')
    contract = (folder / "contract" / "ledger" / "lines.csv").open("w", encoding="utf-8", newline="")
    export = (folder / "export" / "ledger" / ANCHOR / "Spend over 500.csv").open("w", encoding="utf-8", newline="")
    export.write("Local authority A,,,,,\nPayments over £500: April 2023 to March 2025,,,,,\n")
    totals: dict[int, list[int]] = {}
    areas = np.array(["Adults and Health", "Children and Families", "City Development", "Resources"], dtype=object)
    for start in range(0, lines, BLOCK):
        b = _block(rng, suppliers, min(BLOCK, lines - start))
        dates = pd.to_datetime(b["dates"])
        amounts = b["pence"] / 100
        frame = pd.DataFrame({"anchor_id": ANCHOR, "payment_date": dates.strftime("%Y-%m-%d"),
                              "amount": [f"{a:.2f}" for a in amounts], "supplier_id": suppliers["id"][b["who"]],
                              "supplier_name": suppliers["name"][b["who"]],
                              "supplier_postcode": suppliers["postcode"][b["who"]],
                              "category": suppliers["category"][b["who"]]})
        frame.to_csv(contract, index=False, header=start == 0, lineterminator="\n")
        published = pd.DataFrame({
            "Payment Date": dates.strftime("%d/%m/%Y"),
            "Net Amount": [f"£{a:,.2f}" if a >= 0 else f"({-a:,.2f})" for a in amounts],
            "Supplier Name": frame["supplier_name"], "Supplier Postcode": frame["supplier_postcode"],
            "Expenses Type": frame["category"], "Service Area": areas[b["who"] % len(areas)]})
        published.to_csv(export, index=False, header=start == 0, lineterminator="\n")
        year = dates.year - (dates.month < 4)
        for y, count, pence in zip(*np.unique(year, return_counts=True),
                                   [int(b["pence"][year == y].sum()) for y in np.unique(year)], strict=True):
            totals.setdefault(int(y), [0, 0])
            totals[int(y)][0] += int(count)
            totals[int(y)][1] += pence
    export.write(f"Total,\"£{sum(p for _, p in totals.values()) / 100:,.2f}\",,,,\n")
    contract.close()
    export.close()
    return {y: (n, p) for y, (n, p) in totals.items()}


def measure(network: Path, processed: Path) -> dict:
    """``anchor-analysis process`` of ``network`` in a child process: wall time, peak memory, reconciliation."""
    script = ("import json, sys\nfrom anchor_analysis.derived import processed_network\n"
              "n = processed_network(sys.argv[1])\nr = n.reconciliation\nread = r[r['item'] == 'read']\n"
              "print(json.dumps({int(y): [int(l), int(round(s * 100))] for y, l, s in "
              "zip(read['year'], read['lines'], read['spend'])}))\n")
    env = {**os.environ, "ANCHOR_ANALYSIS_PROCESSED": str(processed)}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", script, str(network)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    out, err = child.stdout.read(), child.stderr.read()
    if status != 0:
        raise SystemExit(f"{network}: failed\n{err[-3000:]}")
    read = {int(y): tuple(v) for y, v in json.loads(out.strip().splitlines()[-1]).items()}
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "read": read}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 4_000_000])
    args = parser.parse_args()
    from anchor_analysis.public import load_postcode_lookup

    postcodes = load_postcode_lookup(scope="region", columns=["postcode"])["postcode"].to_numpy(dtype=object)
    results, ok = {}, True
    for size in sorted(args.sizes):
        with tempfile.TemporaryDirectory(prefix="bench-exports-") as scratch:
            folder = Path(scratch)
            written = generate(folder, size, postcodes)
            for shape in ("contract", "export"):
                result = measure(folder / shape, folder / f"processed-{shape}")
                agrees = result["read"] == written
                ok &= agrees
                results[(size, shape)] = result
                print(f"{size:>11,} lines  {shape:<8}  {result['seconds']:7.1f} s  {result['peak_mb']:7.0f} MB peak  "
                      f"reconciliation reads the lines written: {'yes' if agrees else 'NO'}", flush=True)
            ratio = results[(size, "export")]["seconds"] / results[(size, "contract")]["seconds"]
            print(f"{'':>11}        export / contract time: {ratio:.2f}x", flush=True)
    small, large = min(args.sizes), max(args.sizes)
    peak = results[(large, "export")]["peak_mb"]
    over = peak / results[(large, "contract")]["peak_mb"]
    for shape in ("contract", "export"):
        growth = results[(large, shape)]["peak_mb"] / results[(small, shape)]["peak_mb"]
        print(f"      {shape} peak grows {growth:.2f}x from {small:,} to {large:,} lines")
    time_ratio = results[(large, "export")]["seconds"] / results[(small, "export")]["seconds"]
    checks = [(f"export peak at {large:,} lines under {TARGET_PEAK_MB} MB", peak < TARGET_PEAK_MB, f"{peak:.0f} MB"),
              (f"export peak at {large:,} lines at most {TARGET_PEAK_OVER_CONTRACT}x the contract file's",
               over <= TARGET_PEAK_OVER_CONTRACT, f"{over:.2f}x"),
              (f"export time grows at most {TARGET_TIME_SLACK} x the lines ({large / small:.1f}x)",
               time_ratio <= TARGET_TIME_SLACK * large / small, f"{time_ratio:.2f}x")]
    for what, passed, value in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {what}: {value}")
        ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
