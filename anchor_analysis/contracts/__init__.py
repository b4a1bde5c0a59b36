"""Data contracts as code: what a network's returns must look like, and the readers that check them.

In: a network folder (``network.toml``, ``anchors``, ``progression``, ``metrics``, ``staff_residence``, ``sites``
as CSV or XLSX, and ``ledger/``: contract-shaped files, and anchors' finance exports in ``ledger/<anchor_id>/``).
Out: validated, typed frames (:class:`~anchor_analysis.contracts.network.Network`) or a
:class:`~anchor_analysis.contracts.report.ValidationReport` naming the file, the row as Excel shows it, the column
(a mapped column by both names), the value and the rule of every failure. Staff postcodes are aggregated to LSOA
counts on read and go no further. Finance exports are read by content (:mod:`~anchor_analysis.contracts.sources`)
through their anchor's column mapping or the preset their header matches (:mod:`~anchor_analysis.contracts.mapping`,
:mod:`~anchor_analysis.contracts.mapping_files`), their amounts and dates as written
(:mod:`~anchor_analysis.contracts.parsing`), title, blank and footer rows dropped and said
(:mod:`~anchor_analysis.contracts.exports`); :func:`~anchor_analysis.contracts.inspection.inspect_ledger` shows how a
file would be read before it is taken in.

>>> network = load_network("data/raw/demo")
>>> network.report.ok, network.anchors["joined_year"].dtype.name, len(network.ledger_files)
(True, 'Int64', 65)
"""

from __future__ import annotations

from anchor_analysis.contracts.exports import (
    ExportReading,
    read_export,
)
from anchor_analysis.contracts.fields import (
    FIELDS,
    KEYS,
    LEVEL_RULE,
    LSOA_PATTERN,
    PRIORITIES,
    TABLES,
    Explain,
    Field,
    Kind,
    convert,
)
from anchor_analysis.contracts.inspection import (
    LedgerInspection,
    inspect_ledger,
)
from anchor_analysis.contracts.ledgers import (
    check_ledger,
    in_contract_shape,
    iter_ledger,
)
from anchor_analysis.contracts.mapping import (
    MAPPED_FIELDS,
    ColumnPlan,
    LedgerMapping,
    Preset,
    load_presets,
    match_preset,
    normalise_header,
    presets,
    resolve_columns,
)
from anchor_analysis.contracts.mapping_files import (
    mapping_from_settings,
    mapping_toml,
    mappings_toml,
    read_mapping_file,
)
from anchor_analysis.contracts.network import (
    Network,
    check_network,
    load_network,
    validate_directory,
)
from anchor_analysis.contracts.parsing import (
    DATE_FORMATS,
    DateReader,
    parse_amounts,
)
from anchor_analysis.contracts.readers import (
    ANCHORS_NOT_CHECKED,
    CP1252_WARNING,
    EMPTY_FILE,
    LEDGER_CHUNK_ROWS,
    LEDGER_DIR,
    NETWORK_FILE,
    OPTIONAL_TABLES,
    READABLE_TABLES,
    REQUIRED_TABLES,
    find_table_file,
    ledger_anchor,
    ledger_files,
)
from anchor_analysis.contracts.report import (
    HEADER_ROW,
    LISTED_PER_FILE,
    STORED_PER_FILE,
    Failure,
    Severity,
    ValidationReport,
    excel_row,
    reading_lines,
)
from anchor_analysis.contracts.schemas import (
    TableContract,
    contract,
    failures_from_pandera,
    table_schema,
)
from anchor_analysis.contracts.sources import (
    file_kind,
    open_source,
)
from anchor_analysis.contracts.tables import (
    postcode_lookup,
    read_table,
)

__all__ = [
    "Failure",
    "HEADER_ROW",
    "LISTED_PER_FILE",
    "STORED_PER_FILE",
    "Severity",
    "ValidationReport",
    "excel_row",
    "Explain",
    "FIELDS",
    "Field",
    "KEYS",
    "Kind",
    "LEVEL_RULE",
    "LSOA_PATTERN",
    "PRIORITIES",
    "TABLES",
    "convert",
    "TableContract",
    "contract",
    "failures_from_pandera",
    "table_schema",
    "ANCHORS_NOT_CHECKED",
    "CP1252_WARNING",
    "EMPTY_FILE",
    "LEDGER_CHUNK_ROWS",
    "LEDGER_DIR",
    "NETWORK_FILE",
    "OPTIONAL_TABLES",
    "READABLE_TABLES",
    "REQUIRED_TABLES",
    "find_table_file",
    "ledger_files",
    "postcode_lookup",
    "read_table",
    "check_ledger",
    "in_contract_shape",
    "iter_ledger",
    "ExportReading",
    "read_export",
    "LedgerInspection",
    "inspect_ledger",
    "MAPPED_FIELDS",
    "ColumnPlan",
    "LedgerMapping",
    "Preset",
    "load_presets",
    "match_preset",
    "normalise_header",
    "presets",
    "resolve_columns",
    "mapping_from_settings",
    "mapping_toml",
    "mappings_toml",
    "read_mapping_file",
    "DATE_FORMATS",
    "DateReader",
    "parse_amounts",
    "reading_lines",
    "file_kind",
    "open_source",
    "ledger_anchor",
    "Network",
    "check_network",
    "load_network",
    "validate_directory",
]
