"""The DuckDB engine: ledgers too big for memory classified in one streaming pass.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.analysis import SpendAnalysis, _finalise_suppliers, analyse_ledger
from anchor_analysis.analysis.spend.common import DETAIL_COLUMNS, EDITION_DECILES, LEDGER_COLUMNS
from anchor_analysis.analysis.spend.files import _check_header, _resolve_paths, ledger_file_kind, read_ledger
from anchor_analysis.analysis.spend.locate import (
    _check_edition,
    _load_lookup,
    _postcode_pattern,
    prepare_postcode_lookup,
)
from anchor_analysis.analysis.spend.rules import SpendRules, load_spend_rules
from anchor_analysis.core.errors import SpendError
from anchor_analysis.core.places import ELSEWHERE, UNKNOWN, Place, load_place

# --- DuckDB engine --------------------------------------------------------------------------------------------

MEMORY_LIMIT = "500MB"
"""DuckDB's memory cap for a classification; beyond it DuckDB spills to a temporary folder. Chosen with
benchmarks/bench_scale.py: at 10M lines 500MB cost no measurable time against 1GB and took the peak of the whole
process from about 1.03 GB to 0.75 GB; 100M lines (Parquet) ran in the same 0.76 GB."""

# Mirrors anchor_analysis.core.normalise_postcode: the same space characters, only a-z uppercased.
_SQL_SPACES = r"[ \t\n\r\f\x{0B}\x{00A0}\x{2007}\x{202F}]+"
_SQL_UPPER = "translate({}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"


def _sql_normalised_postcode(column: str) -> str:
    """SQL twin of :func:`anchor_analysis.core.normalise_postcode` for ``column``."""
    compact = _SQL_UPPER.format(f"regexp_replace({column}, '{_SQL_SPACES}', '', 'g')")
    tidied = _SQL_UPPER.format(f"trim(regexp_replace({column}, '{_SQL_SPACES}', ' ', 'g'), ' ')")
    return (f"CASE WHEN {column} IS NULL OR {compact} = '' THEN NULL "
            f"WHEN length({compact}) BETWEEN 5 AND 7 "
            f"THEN left({compact}, length({compact}) - 3) || ' ' || right({compact}, 3) "
            f"ELSE {tidied} END")


def _sql_str(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def _sql_list(values: Iterable[str]) -> str:
    """A SQL list literal of strings."""
    return "[" + ", ".join(_sql_str(v) for v in values) + "]"


def _sql_year(column: str) -> str:
    """SQL of the financial year (April-March) of a date column."""
    return f"CAST(year({column}) - CASE WHEN month({column}) < 4 THEN 1 ELSE 0 END AS BIGINT)"


def _connect(memory_limit: str | None, threads: int | None, temp_dir: str):
    """A DuckDB connection with the memory limit, threads and spill folder asked for."""
    import duckdb

    config: dict[str, Any] = {"preserve_insertion_order": False, "temp_directory": temp_dir}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = int(threads)
    return duckdb.connect(config=config)


_KEYS = "anchor_id, supplier_id, supplier_name, supplier_postcode, category"
"""The text columns that identify a supplier-level row (with the financial year), the details aside."""


def _keys(details: Sequence[str]) -> str:
    """The key columns of a pass whose files carry ``details`` (of :data:`DETAIL_COLUMNS`).

    Detail columns no file has are left out of the grouping (all blank, they would only slow it) and added as blank
    columns afterwards.
    """
    return ", ".join([_KEYS, *details])


def _duckdb_suppliers(
    files: list[Path], prepared: pd.DataFrame, place: Place, *, outside_lookup: str, drop_exact_duplicates: bool,
    memory_limit: str | None, threads: int | None, exact_duplicates: bool = False,
) -> pd.DataFrame:
    """Supplier-level table of many ledger files in one DuckDB pass (see :func:`classify_ledger_files`)."""
    import duckdb
    import pyarrow as pa

    by_header: dict[tuple[str, tuple[str, ...]], list[Path]] = {}
    for path in files:
        by_header.setdefault((ledger_file_kind(path), tuple(_check_header(path))), []).append(path)
    details = [c for c in DETAIL_COLUMNS if any(c in header for _, header in by_header)]
    with tempfile.TemporaryDirectory(prefix="anchor_spend_duckdb_") as temp_dir:
        con = _connect(memory_limit, threads, temp_dir)
        try:
            if not _build_grain(con, by_header, exact_duplicates, _keys(details)):
                con.close()  # a 64-bit hash collision: redo it exactly (never seen)
                return _duckdb_suppliers(files, prepared, place, outside_lookup=outside_lookup,
                                         drop_exact_duplicates=drop_exact_duplicates, memory_limit=memory_limit,
                                         threads=threads, exact_duplicates=True)
            con.register("pc_lookup", pa.Table.from_pandas(prepared, preserve_index=False))
            areas = pd.DataFrame({"area": sorted(set(prepared["postcode_area"].dropna()))})
            con.register("pc_areas", pa.Table.from_pandas(areas, preserve_index=False))
            extra = [c for c in EDITION_DECILES if c in prepared.columns]
            result = con.sql(_classified_sql(extra, drop_exact_duplicates, outside_lookup, details)).to_arrow_table()
        except duckdb.Error as exc:
            raise SpendError(f"reading the ledger files failed: {exc}") from exc
        finally:
            con.close()
    table = result if isinstance(result, pa.Table) else result.read_all()
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


def _source_sql(by_header: dict[tuple[str, tuple[str, ...]], list[Path]], with_file: bool) -> str:
    """Every line of every file, as text under the contract's column names.

    One reader per kind of file (CSV, gzip CSV, Parquet: by content, whatever the name) and header layout. CSV
    columns are read as text under the header's (trimmed) names, so nothing is sniffed or guessed ("007" stays
    "007"); Parquet columns keep their types and are cast to text (dates come out ISO); layouts are stacked by column
    name.
    """
    parts = []
    for (kind, header), paths in by_header.items():
        names = _sql_list(str(p) for p in paths)
        if kind == "Parquet":
            reader = f"read_parquet({names}{', filename = true' if with_file else ''})"
            wanted = [f'CAST("{c}" AS VARCHAR) AS {c}' if c in header else f"CAST(NULL AS VARCHAR) AS {c}"
                      for c in LEDGER_COLUMNS]
        else:
            columns = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in header) + "}"
            reader = (f"read_csv({names}, header = true, columns = {columns}, "
                      f"delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
                      f"compression = '{'gzip' if kind == 'gzip CSV' else 'none'}'"
                      f"{', filename = true' if with_file else ''})")
            wanted = [f'"{c}"' if c in header else f"CAST(NULL AS VARCHAR) AS {c}" for c in LEDGER_COLUMNS]
        parts.append(f"SELECT {', '.join(wanted)}{', filename' if with_file else ''} FROM {reader}")
    return "(" + " UNION ALL ".join(parts) + ")"


def _build_grain(con, by_header: dict[tuple[str, tuple[str, ...]], list[Path]], exact_duplicates: bool,
                keys: str) -> bool:
    """Create the temporary table ``grain`` (supplier-level sums, credits, duplicates) in one scan of the lines.

    Raises :class:`SpendError` naming the unreadable values; returns False when the hashed grain met a hash
    collision (the caller then builds it exactly).
    """
    import duckdb

    con.execute(f"""
        CREATE TEMP VIEW ledger_lines AS
        SELECT {keys}, TRY_CAST(TRY_CAST(payment_date AS TIMESTAMP) AS DATE) AS d, TRY_CAST(amount AS DOUBLE) AS a
        FROM {_source_sql(by_header, False)}""")
    typed = f"""SELECT {keys}, d AS payment_date, {_sql_year('d')} AS year,
                       CAST(round_even(a * 100, 0) AS BIGINT) AS p, hash({keys}) AS hk
                FROM ledger_lines"""
    grain = _exact_grain_sql(typed, keys) if exact_duplicates else _hashed_grain_sql(typed, keys)
    with_file = _source_sql(by_header, True)
    try:
        con.execute(f"CREATE TEMP TABLE grain AS {grain}")
    except (duckdb.ConversionException, duckdb.InvalidInputException):
        # DuckDB pushes the casts into the CSV reader, which then fails on the first bad value
        _raise_bad_values(con, with_file)
        raise
    if con.execute("SELECT coalesce(sum(bad_lines), 0) FROM grain").fetchall()[0][0]:
        _raise_bad_values(con, with_file)
    if exact_duplicates:
        return True
    distinct_keys, distinct_hashes = con.execute(
        f"SELECT count(*), count(DISTINCT hk) FROM (SELECT DISTINCT {keys}, hk FROM grain)").fetchall()[0]
    return distinct_keys == distinct_hashes


def _classified_sql(extra: list[str], drop_exact_duplicates: bool, outside_lookup: str, details: Sequence[str]
                    ) -> str:
    """The grain joined to its located postcodes: every distinct raw postcode normalised and matched once.

    ``extra``: further lookup columns carried through (each edition's IMD decile); ``details``: the detail columns
    the grain has (the others come out blank).
    """
    detail_columns = ", ".join(f"g.{c}" if c in details else f"CAST(NULL AS VARCHAR) AS {c}" for c in DETAIL_COLUMNS)
    normalised = _sql_normalised_postcode("raw")
    pattern = _postcode_pattern().replace("'", "''")
    keep = "1" if drop_exact_duplicates else "0"
    lookup_extra = "".join(f", l.{c}" for c in extra)
    grain_extra = "".join(f", x.{c}" for c in extra)
    return f"""
        WITH raw_postcodes AS (SELECT DISTINCT supplier_postcode AS raw FROM grain),
        norm AS (SELECT raw, {normalised} AS postcode_normalised FROM raw_postcodes),
        valid AS (SELECT raw, postcode_normalised,
                         coalesce(regexp_full_match(postcode_normalised, '{pattern}'), false) AS ok
                  FROM norm),
        located AS (
            SELECT v.raw, v.postcode_normalised,
                   CASE WHEN v.ok THEN regexp_extract(v.postcode_normalised, '^([A-Z]+)', 1) END AS postcode_area,
                   CASE WHEN v.postcode_normalised IS NULL THEN 'blank'
                        WHEN NOT v.ok THEN 'malformed'
                        WHEN l.postcode IS NOT NULL AND l.lad_code IS NOT NULL THEN 'matched'
                        WHEN l.postcode IS NOT NULL THEN 'unlocated'
                        WHEN regexp_extract(v.postcode_normalised, '^([A-Z]+)', 1)
                             NOT IN (SELECT area FROM pc_areas) THEN 'outside_lookup_area'
                        ELSE 'not_found' END AS match_status,
                   l.lad_code, l.lsoa21_code, l.imd_decile, l.ring AS lookup_ring{lookup_extra}
            FROM valid v LEFT JOIN pc_lookup l ON v.ok AND l.postcode = v.postcode_normalised)
        SELECT g.anchor_id, g.year, g.supplier_id, g.supplier_name, g.supplier_postcode, g.category,
               {detail_columns},
               g.n - {keep} * g.dup_n AS lines, g.pence - {keep} * g.dup_pence AS pence,
               g.credit_n - {keep} * g.dup_credit_n AS credit_lines,
               g.credit_pence - {keep} * g.dup_credit_pence AS credit_pence,
               g.dup_n AS duplicate_lines, g.dup_pence AS duplicate_pence,
               x.postcode_normalised, x.postcode_area, x.match_status, x.lad_code, x.lsoa21_code,
               x.imd_decile{grain_extra},
               CASE WHEN x.match_status = 'matched' THEN x.lookup_ring
                    WHEN x.match_status = 'outside_lookup_area' THEN '{outside_lookup}'
                    ELSE '{UNKNOWN}' END AS ring
        FROM grain g LEFT JOIN located x ON g.supplier_postcode IS NOT DISTINCT FROM x.raw"""


def _hashed_grain_sql(typed: str, keys: str) -> str:
    """Supplier-level sums, credits and exact duplicates from ONE scan of the lines (GROUPING SETS).

    Set 1 groups lines by supplier (the text columns and the financial year, plus ``hk``, a 64-bit hash of the text
    columns); set 2 groups them by (``hk``, date, pence), so a group of n > 1 lines is n - 1 exact duplicates. Only
    the few set-2 groups that matter (duplicates, credits, unreadable values) are kept and joined back to their
    supplier by ``hk``; the caller checks that ``hk`` is one-to-one on suppliers, so nothing rests on the hash.
    """
    return f"""
        WITH typed AS ({typed}),
        agg AS (
            SELECT {keys}, year, hk, payment_date, p, GROUPING(anchor_id) AS gid, count(*) AS n, sum(p) AS pence
            FROM typed
            GROUP BY GROUPING SETS (({keys}, year, hk), (hk, payment_date, p))),
        kept AS (SELECT * FROM agg WHERE gid = 0 OR n > 1 OR p < 0 OR p IS NULL OR payment_date IS NULL),
        line_groups AS (
            SELECT hk, {_sql_year('payment_date')} AS year,
                   coalesce(sum(n) FILTER (WHERE p IS NULL OR payment_date IS NULL), 0) AS bad_lines,
                   coalesce(sum(n) FILTER (WHERE p < 0), 0) AS credit_n,
                   coalesce(sum(n * p) FILTER (WHERE p < 0), 0) AS credit_pence,
                   coalesce(sum(n - 1), 0) AS dup_n, coalesce(sum((n - 1) * p), 0) AS dup_pence,
                   coalesce(sum(n - 1) FILTER (WHERE p < 0), 0) AS dup_credit_n,
                   coalesce(sum((n - 1) * p) FILTER (WHERE p < 0), 0) AS dup_credit_pence
            FROM kept WHERE gid = 1 GROUP BY ALL)
        SELECT k.{keys.replace(', ', ', k.')}, k.year, k.hk, k.n, k.pence,
               coalesce(l.credit_n, 0) AS credit_n, coalesce(l.credit_pence, 0) AS credit_pence,
               coalesce(l.bad_lines, 0) AS bad_lines,
               coalesce(l.dup_n, 0) AS dup_n, coalesce(l.dup_pence, 0) AS dup_pence,
               coalesce(l.dup_credit_n, 0) AS dup_credit_n, coalesce(l.dup_credit_pence, 0) AS dup_credit_pence
        FROM kept k LEFT JOIN line_groups l ON k.hk = l.hk AND k.year IS NOT DISTINCT FROM l.year
        WHERE k.gid = 0"""


def _exact_grain_sql(typed: str, keys: str) -> str:
    """Supplier-level sums with exact duplicates found by grouping on every column (slower, no hashing)."""
    return f"""
        WITH typed AS ({typed}),
        copies AS (SELECT {keys}, year, payment_date, p, count(*) AS n,
                          count(*) FILTER (WHERE p IS NULL OR payment_date IS NULL) AS bad_lines
                   FROM typed GROUP BY ALL)
        SELECT {keys}, year, hash({keys}) AS hk, sum(n) AS n, sum(n * p) AS pence,
               coalesce(sum(n) FILTER (WHERE p < 0), 0) AS credit_n,
               coalesce(sum(n * p) FILTER (WHERE p < 0), 0) AS credit_pence, sum(bad_lines) AS bad_lines,
               sum(n - 1) AS dup_n, sum((n - 1) * p) AS dup_pence,
               coalesce(sum(n - 1) FILTER (WHERE p < 0), 0) AS dup_credit_n,
               coalesce(sum((n - 1) * p) FILTER (WHERE p < 0), 0) AS dup_credit_pence
        FROM copies GROUP BY {keys}, year"""


def _raise_bad_values(con, source_with_file: str) -> None:
    """Raise a :class:`SpendError` naming the files and values of lines whose date or amount cannot be read."""
    bad_date = "TRY_CAST(TRY_CAST(payment_date AS TIMESTAMP) AS DATE) IS NULL"
    bad_amount = "TRY_CAST(amount AS DOUBLE) IS NULL"
    rows = con.execute(f"""
        SELECT filename, payment_date, amount, {bad_date}, {bad_amount}
        FROM {source_with_file} WHERE {bad_date} OR {bad_amount} LIMIT 5""").fetchall()
    total = con.execute(f"SELECT count(*) FROM {source_with_file} WHERE {bad_date} OR {bad_amount}").fetchall()[0][0]
    if not total:
        return
    examples = "; ".join(
        f"{Path(f).name}: " + ", ".join(([f"payment_date {d!r}"] if bd else []) + ([f"amount {a!r}"] if ba else []))
        for f, d, a, bd, ba in rows)
    raise SpendError(f"{total} ledger line(s) have a payment_date that is not an ISO date (YYYY-MM-DD) or an amount "
                     f"that is not a number (blank included), e.g. {examples}; read_ledger() names the rows")


def classify_ledger_files(
    paths: str | Path | Iterable[str | Path],
    place: str | Place = "leeds",
    *,
    engine: str = "duckdb",
    lookup: pd.DataFrame | None = None,
    imd_edition: int = 2019,
    rules: SpendRules | str | Path | None = None,
    imd: pd.DataFrame | None = None,
    outside_lookup: str = ELSEWHERE,
    drop_exact_duplicates: bool = False,
    top_n: Sequence[int] = (10, 50, 300),
    memory_limit: str | None = MEMORY_LIMIT,
    threads: int | None = None,
    data_dir: Any = None,
) -> SpendAnalysis:
    """The whole spend analysis of ledger CSV files too big for memory: a :class:`SpendAnalysis`.

    Files may order their columns differently and carry extra ones. ``engine="duckdb"`` (default) reads all files in
    one streaming DuckDB pass: text kept as text, postcodes normalised in SQL and joined to the lookup (registered as
    an Arrow table), lines summed per supplier in SQL, with exact duplicates and credits counted in the same pass;
    only the supplier-level table (thousands of rows) comes back to pandas for the rules and the summaries.
    ``engine="pandas"`` reads the files with :func:`read_ledger` and runs :func:`analyse_ledger`; both engines give
    identical tables.

    Parameters
    ----------
    paths : str, Path or iterable of them
        A file, a folder (every ``*.csv`` / ``*.csv.gz`` in it), a glob (``"ledger/*_2023.csv"``) or a list.
    place : str or Place, default "leeds"
        The place whose rings classify the suppliers.
    engine : {"duckdb", "pandas"}, default "duckdb"
        How the files are read and summed.
    lookup : DataFrame, optional
        A postcode lookup (default the place's: ``public.load_postcode_lookup("region", place=place)``).
    imd_edition : int, default 2019
        The IMD edition of ``imd_decile``: 2019 or 2025.
    rules : SpendRules, str or Path, optional
        The influenceable-spend rules (default: the kit's).
    imd : DataFrame, optional
        Deciles per LSOA 2021 replacing the lookup's (see :func:`prepare_postcode_lookup`).
    outside_lookup : {"elsewhere", "unknown"}, default "elsewhere"
        The ring of a well-formed postcode of an area the lookup does not cover.
    drop_exact_duplicates : bool, default False
        Keep only the first copy of exact duplicate lines (they are reported either way).
    top_n : sequence of int, default ``(10, 50, 300)``
        The sizes of the top supplier groups.
    memory_limit : str or None, default MEMORY_LIMIT
        DuckDB's memory cap (it spills to a temporary folder beyond it); ``None``: DuckDB's default.
    threads : int, optional
        DuckDB's threads (default: every core).
    data_dir : path, optional
        The public data folder of the default lookup (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    SpendAnalysis

    Raises
    ------
    SpendError
        If no file is found, a file lacks a ledger column or holds a date or amount that cannot be read, or an
        argument cannot be used.

    Examples
    --------
    >>> ledger_file = "data/raw/demo/ledger/fe_college_a_2023.csv"
    >>> analysis = classify_ledger_files(ledger_file)  # doctest: +PUBLIC_DATA
    >>> summary = analysis.summary.set_index("metric")["value"]  # doctest: +PUBLIC_DATA
    >>> summary[["lines", "influenceable_spend", "spend_leeds", "duplicate_lines"]].tolist()  # doctest: +PUBLIC_DATA
    [239.0, 16139966.0, 8362076.0, 3.0]
    >>> pandas = classify_ledger_files(ledger_file, engine="pandas")  # doctest: +PUBLIC_DATA
    >>> pandas.summary.equals(analysis.summary)  # doctest: +PUBLIC_DATA
    True
    """
    place = load_place(place)
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    edition = _check_edition(imd_edition)
    if outside_lookup not in (ELSEWHERE, UNKNOWN):
        raise SpendError(f"outside_lookup must be {ELSEWHERE!r} or {UNKNOWN!r}, got {outside_lookup!r}")
    files = _resolve_paths(paths)
    lookup = _load_lookup(lookup, place, data_dir)
    if engine == "pandas":
        return analyse_ledger(read_ledger(files), place, lookup, edition, rules=rules, imd=imd,
                              outside_lookup=outside_lookup, drop_exact_duplicates=drop_exact_duplicates, top_n=top_n)
    if engine != "duckdb":
        raise SpendError(f"engine must be 'duckdb' or 'pandas', got {engine!r}")
    suppliers = classify_ledger_suppliers(files, place, lookup=lookup, imd_edition=edition, rules=rules, imd=imd,
                                          outside_lookup=outside_lookup, drop_exact_duplicates=drop_exact_duplicates,
                                          memory_limit=memory_limit, threads=threads)
    return SpendAnalysis(suppliers, place, edition, rules, "duckdb", drop_exact_duplicates, top_n=tuple(top_n))


def classify_ledger_suppliers(
    files: Iterable[str | Path], place: str | Place = "leeds", *, lookup: pd.DataFrame | None = None,
    imd_edition: int = 2019, rules: SpendRules | str | Path | None = None, imd: pd.DataFrame | None = None,
    outside_lookup: str = ELSEWHERE, drop_exact_duplicates: bool = False, memory_limit: str | None = MEMORY_LIMIT,
    threads: int | None = None, data_dir: Any = None,
) -> pd.DataFrame:
    """The classified supplier-level table of ledger files, in one streaming DuckDB pass (no summaries).

    What :func:`classify_ledger_files` summarises, and what
    :func:`~anchor_analysis.derived.processed_network` keeps as a network's ``ledger``.

    Parameters
    ----------
    files : iterable of str or Path
        The ledger files (not folders or globs).
    place : str or Place, default "leeds"
        The place whose rings classify the suppliers.
    lookup : DataFrame, optional
        A postcode lookup (default the place's: ``public.load_postcode_lookup("region", place=place)``).
    imd_edition : int, default 2019
        The IMD edition of ``imd_decile``: 2019 or 2025.
    rules : SpendRules, str or Path, optional
        The influenceable-spend rules (default: the kit's).
    imd : DataFrame, optional
        Deciles per LSOA 2021 replacing the lookup's.
    outside_lookup : {"elsewhere", "unknown"}, default "elsewhere"
        The ring of a well-formed postcode of an area the lookup does not cover.
    drop_exact_duplicates : bool, default False
        Keep only the first copy of exact duplicate lines in ``lines`` and ``amount``.
    memory_limit : str or None, default MEMORY_LIMIT
        DuckDB's memory cap (it spills to a temporary folder beyond it).
    threads : int, optional
        DuckDB's threads (default: every core).
    data_dir : path, optional
        The public data folder of the default lookup.

    Returns
    -------
    DataFrame
        One row per anchor, financial year (of the payment date), supplier as written, postcode and category, with
        ``lines``, ``amount``, credits, exact duplicates, the classification of the postcode (ring, LSOA 2021,
        ``imd_decile`` of ``imd_edition``, and each edition's decile where the lookup has them) and the
        influenceable-spend rule.

    Raises
    ------
    SpendError
        As :func:`classify_ledger_files`.

    Examples
    --------
    >>> suppliers = classify_ledger_suppliers(["data/raw/demo/ledger/fe_college_a_2023.csv"])  # doctest: +PUBLIC_DATA
    >>> len(suppliers), int(suppliers["lines"].sum()), float(suppliers["amount"].sum())  # doctest: +PUBLIC_DATA
    (204, 239, 31646993.0)
    """
    place = load_place(place)
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    if outside_lookup not in (ELSEWHERE, UNKNOWN):
        raise SpendError(f"outside_lookup must be {ELSEWHERE!r} or {UNKNOWN!r}, got {outside_lookup!r}")
    prepared = prepare_postcode_lookup(_load_lookup(lookup, place, data_dir), place, _check_edition(imd_edition), imd)
    suppliers = _duckdb_suppliers([Path(f) for f in files], prepared, place, outside_lookup=outside_lookup,
                                  drop_exact_duplicates=drop_exact_duplicates, memory_limit=memory_limit,
                                  threads=threads)
    return _finalise_suppliers(suppliers, place, rules)
