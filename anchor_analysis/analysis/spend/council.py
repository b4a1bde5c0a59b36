"""Profiling a council's transparency ledger (no postcodes) per financial year.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import _need, _share
from anchor_analysis.analysis.spend.engine import _sql_year
from anchor_analysis.analysis.spend.files import _read_header
from anchor_analysis.analysis.spend.suppliers import _PLACEHOLDER_NAMES
from anchor_analysis.core.errors import SpendError
from anchor_analysis.core.years import fy_label

# --- the council's transparency ledger ------------------------------------------------------------------------

ALL_LINES_FROM = "2014-01"
"""First monthly file in which Leeds City Council published all transactions (before: only lines over GBP 500)."""

_REDACTED = r"^\s*REDACTED\b"
_REDACTED_PERSONAL = r"^\s*REDACTED\s+PERSONAL\s+DATA\s*$"


def _sql_supplier_name(column: str) -> str:
    """SQL twin of :func:`~anchor_analysis.analysis.spend.suppliers.normalise_supplier_name`."""
    text = f"upper({column})"
    text = f"replace({text}, '&', ' AND ')"
    text = f"regexp_replace({text}, '[^A-Z0-9 ]+', ' ', 'g')"
    text = f"trim(regexp_replace({text}, ' +', ' ', 'g'), ' ')"
    text = f"regexp_replace({text}, '^THE ', '')"
    text = f"regexp_replace({text}, ' PUBLIC LIMITED COMPANY$', ' PLC')"
    text = f"regexp_replace({text}, ' LIMITED$', ' LTD')"
    text = f"regexp_replace({text}, '^({'|'.join(_PLACEHOLDER_NAMES)})$', '')"
    return f"nullif({text}, '')"


def council_spend_profile(
    spending: pd.DataFrame | str | Path | None = None,
    *,
    top_n: int = 300,
    threshold: float = 500.0,
    all_lines_from: str = ALL_LINES_FROM,
    data_dir: Any = None,
    threads: int | None = None,
    cache: bool = True,
    dataset: str = "spending_basic",
) -> pd.DataFrame:
    """Profile of a council transparency ledger per financial year (April-March by ``payment_date``), in DuckDB.

    Why the consistent series: until ``all_lines_from`` (Leeds: January 2014) only payments over GBP 500 were
    published; afterwards all transactions were, so lines under GBP 500 jump from under 15% to about two thirds and
    totals and supplier counts are not comparable across the change without the filter.

    Parameters
    ----------
    spending : DataFrame, str, Path or None, optional
        A frame like ``public.load_spending("basic")`` (``payment_date, amount_gbp, supplier_name`` and optionally
        ``source_file_month``), a CSV path (``.csv`` or ``.csv.gz``), or ``None`` for the registered file
        ``dataset`` (default Leeds City Council's, ``public.dataset_path("spending_basic")``).
    top_n : int, default 300
        The size of the top supplier group.
    threshold : float, default 500.0
        The publication threshold (GBP) of the consistent series.
    all_lines_from : str, default :data:`ALL_LINES_FROM`
        The first monthly file (``"YYYY-MM"``) with all transactions, for ``threshold_note``.
    data_dir : path, optional
        The public data folder of the registered file (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    threads : int, optional
        DuckDB's threads (default: every core).
    cache : bool, default True
        The profile of the registered file (``spending=None``) is computed once and kept with
        :func:`anchor_analysis.public.cached_derived_table`, keyed on the file's SHA-256, the arguments and this
        module's code; every year of an annual run shows the same profile, so it is not recomputed for each.
    dataset : str, default "spending_basic"
        The registered council spending file read when ``spending`` is ``None`` (a place's
        ``[datasets] council_spending``).

    Returns
    -------
    DataFrame
        One row per financial year: ``year, fy`` ("2014/15"), ``months_published`` (distinct publication months
        whose month falls in the year, when ``source_file_month`` is known), ``lines, total_gbp, suppliers``
        (distinct normalised names, redacted and blank names excluded), ``top_<n>_share`` (net spend of the top-``n``
        suppliers by net spend / total net spend), ``redacted_lines, redacted_gbp`` (names starting "REDACTED"), of
        which ``redacted_personal_lines, redacted_personal_gbp`` ("REDACTED PERSONAL DATA"),
        ``lines_under_threshold, gbp_under_threshold, share_lines_under_threshold`` (|amount| < ``threshold``), then
        the consistent series over lines with |amount| >= ``threshold``: ``lines_over_threshold,
        total_gbp_over_threshold, suppliers_over_threshold, top_<n>_share_over_threshold``; and ``threshold_note``.

    Raises
    ------
    SpendError
        If the file is not found, lacks a column, or cannot be read.
    PublicDataMissing
        If ``spending`` is ``None`` and the registered file is not available.

    Examples
    --------
    >>> spending = pd.DataFrame({"payment_date": ["2023-04-03", "2023-06-30", "2024-01-15", "2024-04-01"],
    ...                          "amount_gbp": [1200.0, 80.0, 650.0, 40.0],
    ...                          "supplier_name": ["Acme Ltd", "ACME LIMITED", "REDACTED PERSONAL DATA", "Bolts & Co"]})
    >>> profile = council_spend_profile(spending, top_n=1).set_index("fy")
    >>> profile["lines"].tolist(), profile["suppliers"].tolist(), profile["lines_over_threshold"].tolist()
    ([3, 1], [1, 1], [2, 0])
    >>> profile["redacted_personal_gbp"].tolist(), profile["top_1_share_over_threshold"].round(3).tolist()
    ([650.0, 0.0], [0.649, nan])
    >>> profile.at["2023/24", "threshold_note"]
    'all transactions published'
    >>> profile = council_spend_profile()  # the registered Leeds file, cached  # doctest: +PUBLIC_DATA
    >>> shares = profile.set_index("fy")["share_lines_under_threshold"]  # doctest: +PUBLIC_DATA
    >>> shares.loc[["2012/13", "2014/15"]].round(2).tolist()  # doctest: +PUBLIC_DATA
    [0.07, 0.69]
    """
    if spending is None and cache:
        return _cached_profile(top_n, threshold, all_lines_from, data_dir, threads, dataset)

    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect(config={"threads": int(threads)} if threads else {})
    try:
        source, has_month = _open_source(con, spending, data_dir, dataset)
        _stage_lines(con, source, has_month, threshold)
        base = _year_totals(con)
        tops = _top_supplier_totals(con, top_n)
        months = _publication_months(con) if has_month else None
    except duckdb.Error as exc:
        raise SpendError(f"profiling the spending ledger failed: {exc}") from exc
    finally:
        con.close()
    result = _profile_frame(base, tops, months, top_n, threshold, all_lines_from)
    result.attrs["seconds"] = time.perf_counter() - t0
    return result


def _cached_profile(top_n: int, threshold: float, all_lines_from: str, data_dir: Any,
                    threads: int | None, dataset: str) -> pd.DataFrame:
    """The profile of the registered file, from the derived-table cache (computed and kept there the first time)."""
    from anchor_analysis import public

    path = public.dataset_path(dataset, data_dir)  # verified against the registry
    key = (int(top_n), float(threshold), str(all_lines_from), public.code_digest(__file__))
    return public.cached_derived_table(
        "council_spend_profile", [dataset], key,
        lambda: council_spend_profile(path, top_n=top_n, threshold=threshold, all_lines_from=all_lines_from,
                                      threads=threads, cache=False))


def _open_source(con: Any, spending: pd.DataFrame | str | Path | None, data_dir: Any,
                 dataset: str) -> tuple[str, bool]:
    """What ``con`` selects the ledger from (a registered frame or a ``read_csv``), and if it has months."""
    if isinstance(spending, pd.DataFrame):
        _need(spending, ["payment_date", "amount_gbp", "supplier_name"], "pass public.load_spending('basic')")
        frame = spending[[c for c in ("payment_date", "amount_gbp", "supplier_name", "source_file_month")
                          if c in spending.columns]]
        con.register("spending_input", frame)
        return "spending_input", "source_file_month" in frame.columns
    return _csv_source(spending, data_dir, dataset)


def _csv_source(spending: str | Path | None, data_dir: Any, dataset: str = "spending_basic") -> tuple[str, bool]:
    """A ``read_csv`` of the ledger file (every column as text), and whether it has ``source_file_month``."""
    if spending is None:
        from anchor_analysis import public

        path = public.dataset_path(dataset, data_dir)
    else:
        path = Path(spending)
        if not path.is_file():
            raise SpendError(f"spending file not found: {path}")
    header = _read_header(Path(path))
    missing = [c for c in ("payment_date", "amount_gbp", "supplier_name") if c not in header]
    if missing:
        raise SpendError(f"{path}: missing column(s) {missing}")
    columns = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in header) + "}"
    source = (f"read_csv('{str(path).replace(chr(39), chr(39) * 2)}', header = true, columns = {columns}, "
              "delim = ',', quote = '\"', escape = '\"', auto_detect = false)")
    return source, "source_file_month" in header


def _stage_lines(con: Any, source: str, has_month: bool, threshold: float) -> None:
    """Temp table ``lines``: each payment's year, pence, band, redaction flags and normalised supplier."""
    month = "CAST(source_file_month AS VARCHAR)" if has_month else "NULL"
    con.execute(f"""
        CREATE TEMP TABLE s AS
        SELECT CAST(payment_date AS DATE) AS d, CAST(amount_gbp AS DOUBLE) AS a,
               CAST(supplier_name AS VARCHAR) AS name, {month} AS source_month
        FROM {source}""")
    # names are few (tens of thousands) and lines many: normalise each distinct name once
    con.execute(f"""
        CREATE TEMP TABLE names AS
        SELECT name, {_sql_supplier_name("name")} AS supplier,
               coalesce(regexp_matches(upper(name), '{_REDACTED}'), false) AS redacted,
               coalesce(regexp_matches(upper(name), '{_REDACTED_PERSONAL}'), false) AS personal
        FROM (SELECT DISTINCT name FROM s)""")
    con.execute(f"""
        CREATE TEMP TABLE lines AS
        SELECT {_sql_year('d')} AS year, CAST(round_even(a * 100, 0) AS BIGINT) AS p,
               abs(a) < {float(threshold)} AS under,
               coalesce(n.redacted, false) AS redacted, coalesce(n.personal, false) AS personal,
               n.supplier, s.source_month
        FROM s LEFT JOIN names n ON s.name = n.name""")


def _year_totals(con: Any) -> pd.DataFrame:
    """Per year: lines, pence and distinct suppliers, overall, redacted, under and over the threshold."""
    return con.execute("""
        SELECT year, count(*) AS lines, sum(p) AS total_p,
               count(DISTINCT supplier) FILTER (WHERE NOT redacted) AS suppliers,
               count(*) FILTER (WHERE redacted) AS redacted_lines,
               coalesce(sum(p) FILTER (WHERE redacted), 0) AS redacted_p,
               count(*) FILTER (WHERE personal) AS redacted_personal_lines,
               coalesce(sum(p) FILTER (WHERE personal), 0) AS redacted_personal_p,
               count(*) FILTER (WHERE under) AS lines_under,
               coalesce(sum(p) FILTER (WHERE under), 0) AS under_p,
               count(*) FILTER (WHERE NOT under) AS lines_over,
               coalesce(sum(p) FILTER (WHERE NOT under), 0) AS over_p,
               count(DISTINCT supplier) FILTER (WHERE NOT redacted AND NOT under) AS suppliers_over
        FROM lines GROUP BY year""").df()


def _top_supplier_totals(con: Any, top_n: int) -> pd.DataFrame:
    """Per year and band (``all``, ``over`` the threshold): net pence of the top-``top_n`` suppliers by net spend."""
    return con.execute(f"""
        WITH nets AS (
            SELECT year, band, supplier, sum(p) AS net
            FROM (SELECT year, supplier, p, 'all' AS band FROM lines WHERE NOT redacted AND supplier IS NOT NULL
                  UNION ALL
                  SELECT year, supplier, p, 'over' AS band FROM lines
                  WHERE NOT redacted AND supplier IS NOT NULL AND NOT under)
            GROUP BY ALL),
        ranked AS (SELECT *, row_number() OVER (PARTITION BY year, band ORDER BY net DESC, supplier) AS rn
                   FROM nets)
        SELECT year, band, sum(net) AS top_p FROM ranked WHERE rn <= {int(top_n)} GROUP BY ALL""").df()


def _publication_months(con: Any) -> pd.DataFrame:
    """Per year of the publication month: distinct monthly files, and the first and last of them."""
    return con.execute(f"""
        SELECT {_sql_year("CAST(source_month || '-01' AS DATE)")} AS year,
               count(DISTINCT source_month) AS months_published,
               min(source_month) AS first_month, max(source_month) AS last_month
        FROM lines WHERE source_month IS NOT NULL GROUP BY ALL""").df()


def _profile_frame(base: pd.DataFrame, tops: pd.DataFrame, months: pd.DataFrame | None, top_n: int,
                   threshold: float, all_lines_from: str) -> pd.DataFrame:
    """The profile's columns, one row per year, from the three SQL passes (pence turned into GBP)."""
    out = base.sort_values("year").reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    top = tops.pivot(index="year", columns="band", values="top_p").reindex(out["year"])
    n = int(top_n)
    result = pd.DataFrame({"year": out["year"], "fy": out["year"].map(fy_label)})
    if months is not None:
        months = months.set_index("year").reindex(out["year"])
        result["months_published"] = months["months_published"].fillna(0).astype("int64").to_numpy()
    result["lines"] = out["lines"].astype("int64")
    result["total_gbp"] = out["total_p"].astype("int64") / 100
    result["suppliers"] = out["suppliers"].astype("int64")
    result[f"top_{n}_share"] = _share(pd.Series(top.get("all", pd.Series(np.nan, index=top.index)).to_numpy()),
                                      out["total_p"])
    result["redacted_lines"] = out["redacted_lines"].astype("int64")
    result["redacted_gbp"] = out["redacted_p"].astype("int64") / 100
    result["redacted_personal_lines"] = out["redacted_personal_lines"].astype("int64")
    result["redacted_personal_gbp"] = out["redacted_personal_p"].astype("int64") / 100
    result["lines_under_threshold"] = out["lines_under"].astype("int64")
    result["gbp_under_threshold"] = out["under_p"].astype("int64") / 100
    result["share_lines_under_threshold"] = _share(out["lines_under"], out["lines"])
    result["lines_over_threshold"] = out["lines_over"].astype("int64")
    result["total_gbp_over_threshold"] = out["over_p"].astype("int64") / 100
    result["suppliers_over_threshold"] = out["suppliers_over"].astype("int64")
    result[f"top_{n}_share_over_threshold"] = _share(
        pd.Series(top.get("over", pd.Series(np.nan, index=top.index)).to_numpy()), out["over_p"])
    result["threshold_note"] = [
        _threshold_note(year, months.loc[year] if months is not None else None, all_lines_from, threshold)
        for year in out["year"]]
    return result


def _threshold_note(year: int, months: pd.Series | None, all_lines_from: str, threshold: float) -> str:
    """The year's note on what was published (threshold, or all transactions) and whether the year is partial."""
    amount = f"GBP {threshold:,.0f}"
    start, end = f"{year}-04", f"{year + 1}-03"
    if months is not None and not pd.isna(months["first_month"]):
        start, end = str(months["first_month"]), str(months["last_month"])
    if end < all_lines_from:
        note = f"only payments over {amount} published: compare years with the *_over_threshold columns"
    elif start >= all_lines_from:
        note = "all transactions published"
    else:
        note = (f"publication threshold changed in {all_lines_from}: payments over {amount} only before, all "
                "transactions from then; compare years with the *_over_threshold columns")
    if months is not None and not pd.isna(months["months_published"]) and months["months_published"] < 12:
        note += f"; partial year ({int(months['months_published'])} of 12 monthly files)"
    return note
