"""Supplier spend: where an anchor's influenceable spend lands, how concentrated it is, and where it leaks.

A *ledger* is transaction-level supplier spend (design.md section 4): ``anchor_id, payment_date, amount,
supplier_id, supplier_name, supplier_postcode, category``. The analysis runs in four steps, each a function over
DataFrames:

1. :func:`classify_supplier_postcodes` puts every line in a *ring* of the place (``leeds`` inside
   ``west_yorkshire``, then ``elsewhere``; ``unknown`` when the postcode cannot be located) through the ONS postcode
   lookup, with the supplier's LSOA 2021 and IMD decile, and says how each postcode matched (``match_status``).
2. :func:`apply_influenceable_rules` flags each line influenceable or excluded by a rule of
   ``anchor_analysis/data/spend_rules.toml`` (pay, tax, levies, pensions, grants to individuals, public bodies),
   matching the supplier's name and, where a ledger has them, its category, expense type and service area;
   :func:`excluded_by_rule` reports every excluded pound against its rule, and :func:`rule_field_effect` what the
   fields beyond the supplier change.
3. Summaries: :func:`spend_by_ring`, :func:`spend_by_deprivation_decile`, :func:`spend_concentration` (top-N
   suppliers' share, the CLES/Preston top-300 method), :func:`leakage_by_category`, :func:`ledger_summary` (the
   anchor's core spend metrics recomputed from its ledger) and :func:`compare_with_returns`.
4. Large ledgers: :func:`classify_ledger_files` reads many CSV files lazily with DuckDB and returns the same
   :class:`SpendAnalysis` as the pandas path (:func:`analyse_ledger`).

Money is summed in whole pence (amounts are rounded to the penny, half to even), so totals do not depend on the
order of summation and the DuckDB and pandas engines agree to the penny. Credits (negative lines) are kept and net
against their supplier; exact duplicate lines are reported and kept unless ``drop_exact_duplicates=True``.

:func:`council_spend_profile` profiles the Leeds City Council transparency ledger (no postcodes) per financial year.

Suppliers are resolved across anchors once per build (:mod:`~anchor_analysis.analysis.spend.resolution`: name
variants linked to one key; :mod:`~anchor_analysis.analysis.spend.register`: lines keyed and located through the
supplier register); :func:`supplier_tables` gives the analyses on resolved suppliers (shared top suppliers, size
bands, VCSE, sectors and leakage, redacted payees, concentration) and :func:`resolve_council_year` the council's
suppliers of one year resolved, as a worked example.

>>> import pandas as pd
>>> from anchor_analysis.core import load_place
>>> lookup = pd.DataFrame({"postcode": ["LS1 1UR", "BD1 1AA"], "lad24_code": ["E08000035", "E08000032"],
...                        "lsoa21_code": ["E01033010", "E01033690"], "imd2019_decile": [3, 1]})
>>> ledger = pd.DataFrame({"anchor_id": "a", "payment_date": ["2023-04-03", "2023-05-01", "2023-06-01"],
...                        "amount": [100.0, 50.0, 25.0], "supplier_id": ["S1", "S2", "S3"],
...                        "supplier_name": ["Acme Ltd", "Bradford Bolts", "HM Revenue & Customs"],
...                        "supplier_postcode": ["ls11ur", "BD1 1AA", ""], "category": "Goods"})
>>> lines = apply_influenceable_rules(classify_supplier_postcodes(ledger, lookup, load_place("leeds")))
>>> lines[["ring", "match_status", "influenceable", "rule"]].values.tolist()
[['leeds', 'matched', True, nan], ['west_yorkshire', 'matched', True, nan], ['unknown', 'blank', False, 'tax']]
>>> spend_by_ring(lines)[["ring", "spend", "cumulative_spend"]].values.tolist()[:3]
[['leeds', 100.0, 100.0], ['west_yorkshire', 50.0, 150.0], ['elsewhere', 0.0, 150.0]]
"""

from __future__ import annotations

from anchor_analysis.analysis.spend.analysis import (
    SpendAnalysis,
    analyse_ledger,
)
from anchor_analysis.analysis.spend.common import (
    BY,
    DETAIL_COLUMNS,
    EDITION_DECILES,
    IMD_EDITIONS,
    LEDGER_COLUMNS,
    MATCH_STATUSES,
    REQUIRED_LEDGER_COLUMNS,
    SUPPLIER_COLUMNS,
)
from anchor_analysis.analysis.spend.council import (
    ALL_LINES_FROM,
    council_spend_profile,
)
from anchor_analysis.analysis.spend.council_suppliers import (
    COUNCIL_EXAMPLE_YEAR,
    resolve_council_year,
)
from anchor_analysis.analysis.spend.engine import (
    classify_ledger_files,
    classify_ledger_suppliers,
)
from anchor_analysis.analysis.spend.files import (
    read_ledger,
)
from anchor_analysis.analysis.spend.locate import (
    classify_supplier_postcodes,
    prepare_postcode_lookup,
)
from anchor_analysis.analysis.spend.network_suppliers import supplier_tables
from anchor_analysis.analysis.spend.reconciliation import (
    RECONCILIATION_COLUMNS,
    check_reconciliation,
    describe_reconciliation,
    network_reconciliation,
    reconcile_ledgers,
)
from anchor_analysis.analysis.spend.rules import (
    RULE_FIELDS,
    SpendRule,
    SpendRules,
    apply_influenceable_rules,
    load_spend_rules,
    rule_field_effect,
)
from anchor_analysis.analysis.spend.summaries import (
    SUMMARY_METRICS,
    compare_with_returns,
    excluded_by_rule,
    leakage_by_category,
    ledger_summary,
    match_status_summary,
    spend_by_deprivation_decile,
    spend_by_ring,
)
from anchor_analysis.analysis.spend.suppliers import (
    normalise_supplier_name,
    remove_exact_duplicates,
    report_exact_duplicates,
    spend_concentration,
)

__all__ = [
    "RECONCILIATION_COLUMNS",
    "COUNCIL_EXAMPLE_YEAR",
    "resolve_council_year",
    "supplier_tables",
    "check_reconciliation",
    "describe_reconciliation",
    "network_reconciliation",
    "reconcile_ledgers",
    "classify_ledger_suppliers",
    "DETAIL_COLUMNS",
    "EDITION_DECILES",
    "BY",
    "IMD_EDITIONS",
    "LEDGER_COLUMNS",
    "MATCH_STATUSES",
    "REQUIRED_LEDGER_COLUMNS",
    "SUPPLIER_COLUMNS",
    "SpendRule",
    "SpendRules",
    "apply_influenceable_rules",
    "rule_field_effect",
    "RULE_FIELDS",
    "load_spend_rules",
    "classify_supplier_postcodes",
    "prepare_postcode_lookup",
    "normalise_supplier_name",
    "remove_exact_duplicates",
    "report_exact_duplicates",
    "spend_concentration",
    "SUMMARY_METRICS",
    "compare_with_returns",
    "excluded_by_rule",
    "leakage_by_category",
    "ledger_summary",
    "match_status_summary",
    "spend_by_deprivation_decile",
    "spend_by_ring",
    "SpendAnalysis",
    "analyse_ledger",
    "read_ledger",
    "classify_ledger_files",
    "ALL_LINES_FROM",
    "council_spend_profile",
]
