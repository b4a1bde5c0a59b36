"""Leeds City Council transparency spend, one row per payment line.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pandas as pd

from anchor_analysis.public.datasets import PathLike, dataset_path
from anchor_analysis.public.parsers import _check_choice

# --- spending -----------------------------------------------------------------------------------------------

_SPENDING_KEYS = {"basic": "spending_basic", "detailed": "spending_detailed"}
_SPENDING_COLUMNS = {
    "basic": [
        "payment_date",
        "amount_gbp",
        "directorate",
        "supplier_name",
        "company_number",
        "charity_number",
        "source_file_month",
    ],
    "detailed": [
        "body_name",
        "service_label",
        "service_division",
        "expenditure_category",
        "expenditure_type",
        "expenditure_code",
        "payment_date",
        "transaction_number",
        "amount_gbp",
        "capital_or_revenue",
        "supplier_name",
        "irrecoverable_vat_gbp",
        "procurement_card",
        "source_file_month",
    ],
}
_SPENDING_FILE_NAMES = {"amount_gbp": "net_amount_gbp"}  # detailed file's name for the amount
_SPENDING_TEXT = {"company_number", "charity_number", "transaction_number"}
_SPENDING_NUMBERS = {"amount_gbp", "net_amount_gbp", "irrecoverable_vat_gbp"}


@functools.lru_cache(maxsize=4)
def _read_spending(path: str, kind: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """The spending file at ``path`` read with pyarrow: ``columns`` only, with the dtypes of :func:`load_spending`."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    file_names = [_SPENDING_FILE_NAMES.get(c, c) if kind == "detailed" else c for c in columns]
    types: dict[str, pa.DataType] = {}
    for name in file_names:
        if name == "payment_date":
            types[name] = pa.timestamp("s")
        elif name in _SPENDING_NUMBERS:
            types[name] = pa.float64()
        elif name in _SPENDING_TEXT:
            types[name] = pa.string()
        else:  # repetitive text: dictionary-encoded -> pandas category
            types[name] = pa.dictionary(pa.int32(), pa.string())
    options = pacsv.ConvertOptions(column_types=types, include_columns=file_names, strings_can_be_null=True)
    frame = pacsv.read_csv(path, convert_options=options).to_pandas()
    return frame.rename(columns={v: k for k, v in _SPENDING_FILE_NAMES.items()})


def load_spending(
    kind: str = "basic", columns: Sequence[str] | None = None, data_dir: PathLike | None = None
) -> pd.DataFrame:
    """Leeds City Council transparency spend (Data Mill North, via ODI Leeds), one row per payment line.

    Parameters
    ----------
    kind : {"basic", "detailed"}, default "basic"
        ``"basic"``: every monthly file Dec 2010 - Aug 2022, 2,830,020 rows (dataset ``spending_basic``); columns
        ``payment_date, amount_gbp, directorate, supplier_name, company_number, charity_number,
        source_file_month``. ``"detailed"``: the full published columns for Dec 2010 - Dec 2013 and Jun 2020,
        372,237 rows (``spending_detailed``); columns ``body_name, service_label, service_division,
        expenditure_category, expenditure_type, expenditure_code, payment_date, transaction_number,
        amount_gbp`` (published as ``net_amount_gbp``) ``, capital_or_revenue, supplier_name,
        irrecoverable_vat_gbp, procurement_card, source_file_month``.
    columns : sequence of str, optional
        Read only these columns, in this order (faster).
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DataFrame
        One row per payment line; a copy of the cached read.

    Raises
    ------
    ValueError
        An unknown ``kind`` or column.
    PublicDataMissing, PublicDataChecksumError
        The spending file cannot be found, or is not the registered file.

    Notes
    -----
    Dtypes: ``payment_date`` datetime64 (dates), ``amount_gbp`` and ``irrecoverable_vat_gbp`` float64 (net of
    recoverable VAT; negative = credit), ``company_number``, ``charity_number`` (always blank in the source)
    and ``transaction_number`` str, everything else category. Before 2014 only payments over £500 were
    published; filter ``amount_gbp.abs() >= 500`` for a consistent series. Reading all basic columns takes a
    few seconds (cached afterwards).

    Examples
    --------
    >>> spend = load_spending("basic", ["payment_date", "amount_gbp"])  # doctest: +PUBLIC_DATA
    >>> len(spend), spend.dtypes.astype(str).to_dict()  # doctest: +PUBLIC_DATA
    (2830020, {'payment_date': 'datetime64[s]', 'amount_gbp': 'float64'})
    """
    _check_choice(kind, list(_SPENDING_KEYS), "spending kind")
    known = _SPENDING_COLUMNS[kind]
    wanted = tuple(known if columns is None else columns)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValueError(f"unknown {kind} spending column(s) {unknown}; columns are {known}")
    path = dataset_path(_SPENDING_KEYS[kind], data_dir)
    return _read_spending(str(path), kind, wanted).copy()


COUNCIL_COLUMNS = {"payment_date": "Payment Date", "amount_gbp": "Amount", "directorate": "Organisational Unit",
                   "supplier_name": "Beneficiary Name"}
"""The basic spending file's columns under the names the council publishes them by (its June 2020 file's header;
``directorate`` was "Organisational Unit" and ``supplier_name`` "Beneficiary Name", spending/PROVENANCE.md)."""


def write_council_spend(path: PathLike, year: int, data_dir: PathLike | None = None) -> int:
    """Write Leeds City Council's spend of one financial year, as the council publishes it, to a CSV file.

    The lines of the registered basic spending file whose payment date falls in financial year ``year`` (April
    to March), in file order, under the council's own column names (:data:`COUNCIL_COLUMNS`), every cell as the
    file holds it (dates ISO, as ODI Leeds' copy has them; amounts as published). What a new user would save in a
    network's ``ledger/<anchor_id>/`` folder: the kit's worked example of a real finance export.

    Parameters
    ----------
    path : str or path-like
        The CSV file to write (its folder must exist).
    year : int
        The financial year by its starting calendar year (2019 = 2019/20).
    data_dir : str or path-like, optional
        The public data folder; default ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    int
        The lines written.

    Raises
    ------
    PublicDataMissing, PublicDataChecksumError
        The spending file cannot be found, or is not the registered file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spend_2019-20.csv"
    >>> write_council_spend(path, 2019)  # doctest: +PUBLIC_DATA
    299541
    >>> path.read_text(encoding="utf-8").splitlines()[0]  # doctest: +PUBLIC_DATA
    'Payment Date,Amount,Organisational Unit,Beneficiary Name'
    """
    import duckdb

    source = str(dataset_path(_SPENDING_KEYS["basic"], data_dir)).replace("'", "''")
    target = str(path).replace("'", "''")
    columns = ", ".join(f'"{name}" AS "{published}"' for name, published in COUNCIL_COLUMNS.items())
    start, end = f"{int(year)}-04-01", f"{int(year) + 1}-03-31"
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"""COPY (SELECT {columns} FROM read_csv('{source}', header = true, all_varchar = true,
                                                             quote = '"', escape = '"')
                              WHERE payment_date BETWEEN '{start}' AND '{end}')
                        TO '{target}' (HEADER, DELIMITER ',')""")
        return int(con.execute(f"SELECT count(*) FROM read_csv('{target}', header = true, all_varchar = true)"
                               ).fetchone()[0])
