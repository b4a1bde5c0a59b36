"""Benchmark: supplier resolution, its quality on the demo networks' known truth and its speed on the council.

1. Quality. For each demo network, the distinct (anchor, supplier name) variants of its ledgers are resolved
   (:func:`anchor_analysis.analysis.spend.resolution.resolve_suppliers`: cleanco names, rapidfuzz scores blocked on
   name tokens) and compared with the true suppliers the generator recorded outside the network folder
   (``data/truth/<folder>_suppliers.csv``): pairwise precision and recall, at the default link threshold and at
   the thresholds beside it. When Splink is installed (it is not a dependency: ``pip install splink``), the same
   variants are also linked with Splink on DuckDB (name Jaro-Winkler + postcode, blocked on the first and last
   name token, trained by EM) and scored the same way, side by side.
2. Speed. Leeds City Council's 2019/20 transparency ledger (299,541 lines, about 16,000 names, from the public
   data) is resolved; the target is under 60 s on this machine, the time printed as a ratio to it.

Targets (issue 14): precision and recall each at least 0.95 on the demo; the council's year under 60 s.

    ANCHOR_ANALYSIS_PUBLIC_DATA=../shared/data/public python benchmarks/bench_suppliers.py
    python benchmarks/bench_suppliers.py --no-council     # the demo networks only (no public data needed)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from anchor_analysis.analysis.spend.resolution import (
    MatchSettings,
    linkage_quality,
    matching_name,
    name_variants,
    resolve_suppliers,
)

NETWORKS = {"data/raw/demo": "data/truth/demo_suppliers.csv",
            "data/raw/demo-birmingham": "data/truth/demo-birmingham_suppliers.csv",
            "data/raw/demo-west-midlands": "data/truth/demo-west-midlands_suppliers.csv"}
COUNCIL_TARGET_SECONDS = 60.0
QUALITY_TARGET = 0.95


def _variants(folder: str, truth_file: str) -> pd.DataFrame:
    """The network's name variants with their true supplier."""
    files = sorted(Path(folder, "ledger").glob("*.csv"))
    lines = pd.concat([pd.read_csv(path, keep_default_na=False, dtype="str") for path in files])
    truth = pd.read_csv(truth_file, keep_default_na=False, dtype="str")
    return name_variants(lines).merge(truth, on=["anchor_id", "supplier_name"], how="left", validate="1:1")


def _kit(variants: pd.DataFrame, link: float) -> tuple[dict, float]:
    """The kit's resolution at ``link``: its quality and seconds."""
    started = time.perf_counter()
    keys, _ = resolve_suppliers(variants, MatchSettings(link_score=link, review_score=min(80.0, link)))
    seconds = time.perf_counter() - started
    return linkage_quality(keys["supplier_key"], variants["true_supplier"]), seconds


def _splink(variants: pd.DataFrame) -> tuple[dict, float] | None:
    """Splink on DuckDB over the same variants (None when Splink is not installed)."""
    try:
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError:
        return None
    started = time.perf_counter()
    frame = pd.DataFrame({"unique_id": range(len(variants)),
                          "name": matching_name(variants["supplier_name"]).fillna("").to_numpy(),
                          "postcode": variants["supplier_postcode"].replace("", None).to_numpy()})
    frame["first_token"] = frame["name"].str.split().str[0]
    frame["last_token"] = frame["name"].str.split().str[-1]
    settings = SettingsCreator(
        link_type="dedupe_only", blocking_rules_to_generate_predictions=[block_on("first_token"),
                                                                         block_on("last_token")],
        comparisons=[cl.JaroWinklerAtThresholds("name", [0.97, 0.92, 0.85]), cl.ExactMatch("postcode")])
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match([block_on("name")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_token"))
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9).as_pandas_dataframe()
    keyed = frame.merge(clusters[["unique_id", "cluster_id"]], on="unique_id")
    seconds = time.perf_counter() - started
    return linkage_quality(keyed["cluster_id"].astype("str"), variants["true_supplier"].iloc[keyed["unique_id"]]), \
        seconds


def _quality(links: list[float], with_splink: bool) -> bool:
    """Print the quality table; True when the default threshold meets the target on every network."""
    rows, ok = [], True
    default = MatchSettings().link_score
    for folder, truth in NETWORKS.items():
        variants = _variants(folder, truth)
        for link in links:
            quality, seconds = _kit(variants, link)
            rows.append({"network": folder, "method": f"kit (rapidfuzz, link {link:g})", **quality,
                         "seconds": round(seconds, 2)})
            if link == default:
                ok &= quality["precision"] >= QUALITY_TARGET and quality["recall"] >= QUALITY_TARGET
        splink = _splink(variants) if with_splink else None
        if splink is not None:
            rows.append({"network": folder, "method": "Splink (DuckDB, EM, cluster at 0.9)", **splink[0],
                         "seconds": round(splink[1], 2)})
    print(pd.DataFrame(rows).to_string(index=False))
    return ok


def _council() -> bool:
    """Resolve the council's 2019/20 ledger and print the time against the target."""
    from anchor_analysis.analysis.spend.council_suppliers import resolve_council_year
    from anchor_analysis.public import load_spending

    started = time.perf_counter()
    spending = load_spending("basic", ["payment_date", "amount_gbp", "supplier_name", "company_number"])
    read = time.perf_counter() - started
    result = resolve_council_year(2019, spending)
    total = time.perf_counter() - started
    summary = result.summary.set_index("measure")["value"]
    resolve = result.seconds
    print(f"\nLeeds City Council 2019/20: {int(summary['lines']):,} lines, {int(summary['distinct names']):,} names "
          f"-> {int(summary['resolved suppliers']):,} suppliers; {len(result.review):,} borderline pairs")
    print(f"  read the public file {read:.1f} s; resolve {resolve:.1f} s; total {total:.1f} s; "
          f"target {COUNCIL_TARGET_SECONDS:.0f} s: {total / COUNCIL_TARGET_SECONDS:.2f} of it")
    return total < COUNCIL_TARGET_SECONDS


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", default="88,90,92", help="Link thresholds to compare (the default is marked).")
    parser.add_argument("--no-splink", action="store_true", help="Leave Splink out even when it is installed.")
    parser.add_argument("--no-council", action="store_true", help="Leave the council's ledger out.")
    args = parser.parse_args(argv)
    links = sorted({float(x) for x in args.links.split(",")} | {MatchSettings().link_score})
    ok = _quality(links, not args.no_splink)
    print(f"\nprecision and recall at the default link {MatchSettings().link_score:g} "
          f"{'meet' if ok else 'MISS'} the target {QUALITY_TARGET} on every demo network")
    if not args.no_council:
        ok &= _council()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
