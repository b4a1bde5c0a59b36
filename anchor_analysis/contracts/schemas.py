"""Table contracts (design.md section 4) as pandera schemas, built for a place.

A table is read as text, converted column by column (:func:`~anchor_analysis.contracts.fields.convert`: lossless
only, so "3.0" becomes 3 but "3.5" stays a failure), then checked against its pandera schema (:func:`contract`).
Both steps report :class:`~anchor_analysis.contracts.report.Failure` objects that quote the cell as typed.

Rules that need another table (the anchor exists, it was a member of the network that year) see the
``anchors`` frame given to :func:`contract`; without it they are not checked.

>>> schema = table_schema("progression", "leeds")
>>> sorted(schema.columns)[:3]
['activity', 'ambition', 'anchor_id']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from anchor_analysis.contracts.fields import (
    _CONVERSION_RULES,
    _DTYPES,
    CHARITY_NUMBER_PATTERN,
    COMPANY_NUMBER_PATTERN,
    FIELDS,
    KEYS,
    LEVEL_RULE,
    LSOA_PATTERN,
    PRIORITIES,
    RESPONDENT_TYPES,
    SIC_SECTIONS,
    SIZE_BANDS,
    TABLES,
    Explain,
    Field,
)
from anchor_analysis.contracts.report import HEADER_ROW, Failure, excel_row
from anchor_analysis.core.definitions import metric_definitions, sectors
from anchor_analysis.core.framework import LEVELS, load_framework
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.postcodes import POSTCODE_PATTERN
from anchor_analysis.core.years import financial_year, fy_label


def failures_from_pandera(
    errors: object,
    *,
    file: str,
    raw: pd.DataFrame,
    rules: Mapping[str, tuple[str | None, object]],
    skip_cells: set[tuple[int, str]] = frozenset(),
) -> list[Failure]:
    """Translate a pandera ``SchemaErrors`` into :class:`Failure` objects the user can act on.

    Pandera's own checks (blank cells, data types, uniqueness, missing columns) are worded for people who never
    heard of pandera; a frame check lists each failing row once.

    Parameters
    ----------
    errors : SchemaErrors
        What a lazy ``schema.validate(frame, lazy=True)`` raised.
    file : str
        The file name the failures name.
    raw : DataFrame
        The frame of cell texts as read (same index as the validated frame), so failures show the value as typed,
        not as converted.
    rules : mapping of str to tuple of (str or None, object)
        A pandera check name -> ``(column, rule)``: rule is either the rule text or a function ``(index) -> list
        of texts`` for messages that depend on the row; column is the column a frame-wide check reports against
        (None: use pandera's).
    skip_cells : set of tuple of (int, str), optional
        Cells (row position, column) that already failed to convert; pandera's "missing value" there would repeat
        that.

    Returns
    -------
    list of Failure
        One per failing cell (or per whole-table problem), rows numbered as Excel shows them.

    Examples
    --------
    >>> import pandera.pandas as pa
    >>> from pandera.errors import SchemaErrors
    >>> frame = pd.DataFrame({"count": pd.array([3, -1, None], dtype="Int64")})
    >>> raw = pd.DataFrame({"count": ["3", "-1", ""]})
    >>> schema = pa.DataFrameSchema({"count": pa.Column("Int64", pa.Check(lambda s: s >= 0, name="non_negative"))})
    >>> try:
    ...     schema.validate(frame, lazy=True)
    ... except SchemaErrors as errors:
    ...     failures = failures_from_pandera(errors, file="staff.csv", raw=raw,
    ...                                      rules={"non_negative": (None, "count must not be negative")})
    >>> for failure in failures:
    ...     print(failure.describe())
    staff.csv row 4, column 'count': must not be blank
    staff.csv row 3, column 'count': value '-1': count must not be negative
    """
    failures = []
    for error in errors.schema_errors:
        check_name = _check_name(error)
        column, rule = rules.get(check_name, (None, None))
        if column is None:
            column = getattr(error, "column_name", None)
        cases = error.failure_cases
        if not isinstance(cases, pd.DataFrame) or "index" not in cases:
            # Whole-table problems (a missing column, a check that could not run) have no data row.
            if check_name == "column_in_dataframe":
                failures.append(Failure(file, HEADER_ROW, str(cases), None, "required column is missing"))
            else:
                failures.append(Failure(file, None, column, None, _builtin_rule(check_name)))
            continue
        positions = dict.fromkeys(cases["index"].dropna().tolist())  # frame checks list a row per column
        positions = [p for p in positions if (p, column) not in skip_cells]
        if not positions:
            continue
        if rule is None:
            texts = [_builtin_rule(check_name)] * len(positions)
        elif callable(rule):
            texts = rule(pd.Index(positions))
        else:
            texts = [rule] * len(positions)
        # One lookup per check, not per row: a broken ledger can fail on every one of a million rows.
        values = raw[column].reindex(positions) if column in raw.columns else pd.Series(None, index=positions)
        for position, value, text in zip(positions, values.tolist(), texts, strict=True):
            shown = None if value is None or pd.isna(value) or str(value).strip() == "" else str(value)
            failures.append(Failure(file, excel_row(position), column, shown, text))
    return failures


def _check_name(error: object) -> str:
    """The name of the pandera check behind one schema error (``"unknown"`` when it has none)."""
    check = getattr(error, "check", None)
    if check is None:
        return "unknown"
    if isinstance(check, str):
        return check
    return getattr(check, "name", None) or str(check)


def _builtin_rule(check_name: str) -> str:
    """The rule text of one of pandera's own checks, or of a check without rule text."""
    # pandera's own checks, worded for people who never heard of pandera.
    if check_name == "not_nullable":
        return "must not be blank"
    if check_name == "column_in_dataframe":
        return "required column is missing"
    if check_name.startswith("dtype("):
        return f"has the wrong data type (expected {check_name[6:-1].strip(chr(39))})"
    if check_name == "field_uniqueness":
        return "values must be unique"
    return f"failed check {check_name}"


@dataclass
class TableContract:
    """A table's fields, its pandera schema and the words for each of the schema's checks.

    Build one with :func:`contract`.

    Parameters
    ----------
    table : str
        The contract's name, one of :data:`~anchor_analysis.contracts.fields.TABLES`.
    fields : tuple of Field
        Its columns.
    schema : DataFrameSchema
        The pandera schema of the converted (typed) table.
    rules : dict, optional
        The pandera check name -> (column reported, rule text or explainer); column None = the checked column.

    Examples
    --------
    >>> progression = contract("progression", "leeds")
    >>> progression.required_columns
    ['year', 'anchor_id', 'dimension', 'activity', 'current', 'ambition']
    >>> sorted(progression.rules)[:3]
    ['activity_in_dimension', 'ambition_at_least_current', 'known_activity']
    """

    table: str
    fields: tuple[Field, ...]
    schema: pa.DataFrameSchema
    rules: dict[str, tuple[str | None, str | Explain]] = field(default_factory=dict)
    """pandera check name -> (column reported, rule text or explainer); column None = the checked column."""

    @property
    def columns(self) -> list[str]:
        """Every column of the contract, in order (optional ones included)."""
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        """The columns a file must have."""
        return [f.name for f in self.fields if f.required]

    def failures(self, frame: pd.DataFrame, *, file: str, raw: pd.DataFrame | None = None,
                 skip_cells: Iterable[tuple[int, str]] = ()) -> list[Failure]:
        """Check a converted frame against the schema.

        Parameters
        ----------
        frame : DataFrame
            The converted (typed) table (:func:`~anchor_analysis.contracts.fields.convert`).
        file : str
            The file name the failures name.
        raw : DataFrame, optional
            The cell texts as read (same index), so failures quote the values as typed; default ``frame``.
        skip_cells : iterable of tuple of (int, str), optional
            Cells (row position, column) that failed to convert and are reported already.

        Returns
        -------
        list of Failure
            Every broken rule (empty when the frame is valid).

        Examples
        --------
        >>> from anchor_analysis.contracts.fields import convert
        >>> raw = pd.DataFrame({"year": ["2023", "2023"], "anchor_id": ["a", "a"],
        ...                     "dimension": ["procurement", "procurement"],
        ...                     "activity": ["local_supply_chains", "local_supply_chains"],
        ...                     "current": ["3", "2"], "ambition": ["2", "4"]})
        >>> typed, _, bad_cells = convert(raw, "progression", file="progression.csv")
        >>> failures = contract("progression").failures(typed, file="progression.csv", raw=raw, skip_cells=bad_cells)
        >>> for failure in failures:
        ...     print(failure.describe())
        progression.csv row 2, column 'ambition': value '2': ambition must not be below current (3)
        progression.csv row 3, column 'activity': value 'local_supply_chains': duplicate of row 2: year, anchor_id
        and activity must be unique together
        """
        try:
            self.schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            bound = {name: (column, _bind(rule, frame)) for name, (column, rule) in self.rules.items()}
            return failures_from_pandera(errors, file=file, raw=frame if raw is None else raw, rules=bound,
                                         skip_cells=set(skip_cells))
        return []


def _bind(rule: str | Explain, frame: pd.DataFrame) -> str | Callable[[pd.Index], list[str]]:
    """A rule for :func:`failures_from_pandera`: rule text as it is, an explainer bound to ``frame``."""
    if isinstance(rule, str):
        return rule
    return lambda index: rule(frame, index)


def table_schema(table: str, place: str | Place = "leeds", anchors: pd.DataFrame | None = None
                 ) -> pa.DataFrameSchema:
    """The pandera schema of a converted (typed) table.

    Parameters
    ----------
    table : str
        The contract's name, one of :data:`~anchor_analysis.contracts.fields.TABLES`.
    place : str or Place, default "leeds"
        The place whose years, metrics and rings the rules use.
    anchors : DataFrame, optional
        The converted anchors table, for the cross-table rules (see :func:`contract`).

    Returns
    -------
    DataFrameSchema
        ``contract(table, place, anchors).schema``.

    Examples
    --------
    >>> schema = table_schema("metrics")
    >>> schema.name, list(schema.columns)
    ('metrics', ['year', 'anchor_id', 'metric', 'value', 'unit'])
    """
    return contract(table, place, anchors).schema


def contract(table: str, place: str | Place = "leeds", anchors: pd.DataFrame | None = None,
             columns: Sequence[str] | None = None) -> TableContract:
    """The contract of ``table`` for ``place``.

    Parameters
    ----------
    table : str
        The contract's name, one of :data:`~anchor_analysis.contracts.fields.TABLES`.
    place : str or Place, default "leeds"
        The place whose years (``first_year`` to ``last_year``), metrics and rings the rules use.
    anchors : DataFrame, optional
        The converted anchors table, for the cross-table rules (anchor exists, was a member that year); without
        it they are not checked.
    columns : sequence of str, optional
        The columns actually present; checks needing an absent column are left out, so one missing column is
        reported once instead of breaking every rule that uses it. Default: every column of the contract.

    Returns
    -------
    TableContract
        The fields, the pandera schema and the words of each check.

    Raises
    ------
    ValueError
        ``table`` is not a contract.
    ConfigError
        The place cannot be loaded.

    Examples
    --------
    >>> sorted(contract("progression", columns=["year", "anchor_id", "dimension", "activity", "current"]).rules)
    ['activity_in_dimension', 'known_activity', 'known_dimension', 'level_range', 'unique_key', 'year_in_range']
    >>> anchors = pd.DataFrame({"anchor_id": ["a"], "joined_year": pd.array([2024], dtype="Int64"),
    ...                         "left_year": pd.array([None], dtype="Int64")})
    >>> "member_that_year" in contract("metrics", "leeds", anchors).rules
    True
    >>> contract("budget")
    Traceback (most recent call last):
    ValueError: unknown table 'budget': choose one of ('anchors', 'progression', 'metrics', 'staff_residence',
    'staff_residence_postcodes', 'sites', 'ledger', 'local_spend_survey', 'commitments', 'suppliers')
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}: choose one of {TABLES}")
    place = load_place(place)
    fields = FIELDS[table]
    present = set(columns) if columns is not None else {f.name for f in fields}
    builder = _Builder(present)

    if table not in ("anchors", "suppliers"):
        builder.column_check("year", "year_in_range", lambda s: s.between(place.first_year, place.last_year),
                             _year_range_rule(place, "year"))
    if table == "anchors":
        _anchors_checks(builder, place)
    elif table == "progression":
        _progression_checks(builder)
    elif table == "metrics":
        _metrics_checks(builder, place)
    elif table == "staff_residence":
        builder.column_check("lsoa_code", "lsoa_format", lambda s: s.str.fullmatch(LSOA_PATTERN),
                             "lsoa_code must be an LSOA code like E01011264")
        builder.column_check("count", "count_non_negative", lambda s: s >= 0,
                             f"count {_CONVERSION_RULES['count']}")
    elif table in ("staff_residence_postcodes", "sites"):
        builder.column_check("postcode", "postcode_format", lambda s: s.str.fullmatch(POSTCODE_PATTERN),
                             "not a valid UK postcode")
    elif table == "local_spend_survey":
        _survey_checks(builder)
    elif table == "commitments":
        _commitments_checks(builder, place)
    elif table == "suppliers":
        _suppliers_checks(builder)
    elif table == "ledger":
        builder.column_check("payment_date", "payment_in_range",
                             lambda s: financial_year(s).between(place.first_year, place.last_year),
                             f"payment_date must fall in financial years {fy_label(place.first_year)} to "
                             f"{fy_label(place.last_year)}")
    if table in KEYS:
        builder.unique_key(KEYS[table])
    if anchors is not None and table not in ("anchors", "suppliers"):
        _cross_table_checks(builder, table, place, anchors)

    schema_columns = {
        f.name: pa.Column(_DTYPES[f.kind], checks=builder.checks_by_column.get(f.name, []),
                          nullable=f.nullable, required=f.required)
        for f in fields if f.name in present
    }
    schema = pa.DataFrameSchema(schema_columns, checks=builder.frame_checks, name=table, strict=False)
    return TableContract(table, fields, schema, builder.rules)


class _Builder:
    """Collects pandera checks together with the rule text each one reports."""

    def __init__(self, present: set[str]):
        """Start with no checks; ``present`` are the columns the table has."""
        self.present = present
        self.checks_by_column: dict[str, list[pa.Check]] = {}
        self.frame_checks: list[pa.Check] = []
        self.rules: dict[str, tuple[str | None, str | Explain]] = {}

    def column_check(self, column: str, name: str, fn: Callable[[pd.Series], pd.Series], rule: str | Explain
                     ) -> None:
        """A check of one column (left out when the column is absent)."""
        if column in self.present:
            self.checks_by_column.setdefault(column, []).append(pa.Check(fn, name=name))
            self.rules[name] = (None, rule)

    def frame_check(self, needs: Sequence[str], report_column: str, name: str,
                    fn: Callable[[pd.DataFrame], pd.Series], rule: str | Explain) -> None:
        """A check across columns; rows where it cannot be decided (a blank or unconverted cell) pass."""
        if set(needs) <= self.present:
            self.frame_checks.append(pa.Check(lambda frame: fn(frame).fillna(True).astype(bool), name=name))
            self.rules[name] = (report_column, rule)

    def unique_key(self, keys: Sequence[str]) -> None:
        """A check that ``keys`` identify a row; a repeat names the row it repeats."""
        keys = list(keys)

        def first_seen(frame: pd.DataFrame) -> pd.Series:
            positions = pd.Series(frame.index, index=frame.index)
            return positions.groupby([frame[k] for k in keys], dropna=False).transform("min")

        def is_first(frame: pd.DataFrame) -> pd.Series:
            complete = frame[keys].notna().all(axis=1)
            return ~(frame.duplicated(subset=keys, keep="first") & complete)

        def explain(frame: pd.DataFrame, index: pd.Index) -> list[str]:
            together = f"{', '.join(keys[:-1])} and {keys[-1]} must be unique together" if len(keys) > 1 \
                else f"{keys[0]} must be unique"
            return [f"duplicate of row {excel_row(first)}: {together}"
                    for first in first_seen(frame).reindex(index).tolist()]

        self.frame_check(keys, keys[-1], "unique_key", is_first, explain)


def _year_range_rule(place: Place, column: str) -> str:
    """The rule text of a year outside the place's financial years."""
    return f"{column} must be between {fy_label(place.first_year)} and {fy_label(place.last_year)} " \
           f"(place '{place.key}')"


def _anchors_checks(builder: _Builder, place: Place) -> None:
    """The anchors table's rules: known sector, years in range, left after joined."""
    known = sectors()
    builder.column_check("sector", "known_sector", lambda s: s.isin(list(known)),
                         f"sector must be one of {', '.join(known)}")
    for column in ("joined_year", "left_year"):
        builder.column_check(column, f"{column}_in_range",
                             lambda s: s.between(place.first_year, place.last_year),
                             _year_range_rule(place, column))
    builder.frame_check(("joined_year", "left_year"), "left_year", "left_after_joined",
                        lambda f: f["joined_year"] <= f["left_year"],
                        "left_year must not be before joined_year")


def _progression_checks(builder: _Builder) -> None:
    """The progression table's rules: framework dimensions and activities, levels, ambition, priority."""
    framework = load_framework()
    dimension_of = framework.activities.set_index("activity")["dimension"]
    builder.column_check("dimension", "known_dimension", lambda s: s.isin(framework.dimension_keys),
                         f"dimension must be one of {', '.join(framework.dimension_keys)}")
    builder.column_check("activity", "known_activity", lambda s: s.isin(list(dimension_of.index)),
                         "activity is not in the Progression Framework "
                         "(see anchor_analysis/data/framework.toml)")
    for column in ("current", "ambition"):
        builder.column_check(column, "level_range", lambda s: s.isin(list(LEVELS)), LEVEL_RULE)

    def in_own_dimension(frame: pd.DataFrame) -> pd.Series:
        expected = frame["activity"].map(dimension_of)
        undecided = expected.isna() | ~frame["dimension"].isin(framework.dimension_keys)  # reported already
        return (expected == frame["dimension"]) | undecided

    def wrong_dimension(frame: pd.DataFrame, index: pd.Index) -> list[str]:
        return _per_distinct(frame.loc[index, ["activity", "dimension"]], lambda activity, dimension: (
            f"activity '{activity}' belongs to dimension '{dimension_of[activity]}', not '{dimension}'"))

    builder.frame_check(("dimension", "activity"), "activity", "activity_in_dimension", in_own_dimension,
                        wrong_dimension)
    builder.frame_check(("current", "ambition"), "ambition", "ambition_at_least_current",
                        lambda f: (f["ambition"] >= f["current"]) | ~f["current"].isin(list(LEVELS))
                        | ~f["ambition"].isin(list(LEVELS)),
                        lambda f, index: [f"ambition must not be below current ({current})"
                                          for current in f.loc[index, "current"].tolist()])
    builder.column_check("priority", "known_priority", lambda s: s.isin(PRIORITIES),
                         f"priority must be {', '.join(PRIORITIES)} or blank")


def _metrics_checks(builder: _Builder, place: Place) -> None:
    """The metrics table's rules: known metric, its unit, a value of its kind."""
    definitions = metric_definitions(place)
    builder.column_check("metric", "known_metric", lambda s: s.isin(list(definitions.index)),
                         "unknown metric (see anchor_analysis/data/definitions.toml for metrics and units)")

    def unit_matches(frame: pd.DataFrame) -> pd.Series:
        expected = frame["metric"].map(definitions["unit"])
        return (frame["unit"] == expected) | expected.isna()

    builder.frame_check(("metric", "unit"), "unit", "unit_of_metric", unit_matches,
                        lambda f, index: _per_distinct(f.loc[index, ["metric"]], lambda metric: (
                            f"unit of {metric} must be '{definitions.at[metric, 'unit']}'")))

    def value_fits_kind(frame: pd.DataFrame) -> pd.Series:
        kind = frame["metric"].map(definitions["kind"])
        value = frame["value"]
        whole = value == value.round()
        return ((kind == "count") & (value >= 0) & whole) | ((kind == "flag") & value.isin([0, 1])) \
            | (kind.isin(["money", "emissions", "area"]) & (value >= 0)) | kind.isna()

    def explain_kind(frame: pd.DataFrame, index: pd.Index) -> list[str]:
        texts = {"count": "is a count: value must be a non-negative whole number",
                 "flag": "is a flag: value must be 0 or 1"}
        return _per_distinct(frame.loc[index, ["metric"]], lambda metric: (
            f"{metric} {texts.get(definitions.at[metric, 'kind'], 'value must be a non-negative number')}"))

    builder.frame_check(("metric", "value"), "value", "value_of_kind", value_fits_kind, explain_kind)


def _survey_checks(builder: _Builder) -> None:
    """The local spend survey's rules: a known respondent type, a share of spending 0-1, a positive weight."""
    builder.column_check("respondent_type", "known_respondent_type", lambda s: s.isin(RESPONDENT_TYPES),
                         f"respondent_type must be one of {', '.join(RESPONDENT_TYPES)}")
    builder.column_check("local_share", "share_range", lambda s: s.between(0, 1),
                         "local_share is the share of the respondent's spending made locally: a number 0-1")
    builder.column_check("weight", "weight_positive", lambda s: s > 0,
                         "weight must be a number above 0 (1 for an unweighted survey)")


COMMITMENT_KINDS = ("metric", "dimension")
"""What a commitment tracks: metrics of the catalogue, or Progression Framework dimensions (several added, " + ")."""


def _commitments_checks(builder: _Builder, place: Place) -> None:
    """The commitments table's rules: its kind, measures the kit knows, years in range, a target after the baseline."""
    known = {"metric": set(metric_definitions(place).index), "dimension": set(load_framework().dimension_keys)}
    builder.column_check("kind", "known_kind", lambda s: s.isin(COMMITMENT_KINDS),
                         f"kind must be one of {', '.join(COMMITMENT_KINDS)}")
    for column in ("baseline_year", "target_year"):
        builder.column_check(column, f"{column}_in_range", lambda s: s.between(place.first_year, place.last_year),
                             _year_range_rule(place, column))

    def unknown_parts(kind: str, measure: str) -> list[str]:
        return [part.strip() for part in str(measure).split("+") if part.strip() not in known.get(kind, set())]

    def measures_known(frame: pd.DataFrame) -> pd.Series:
        return pd.Series([not unknown_parts(k, m) or k not in known for k, m in zip(frame["kind"], frame["measure"],
                                                                                 strict=True)], index=frame.index)

    builder.frame_check(("kind", "measure"), "measure", "known_measure", measures_known,
                        lambda f, index: _per_distinct(f.loc[index, ["kind", "measure"]], lambda kind, measure: (
                            f"unknown {kind} {', '.join(repr(p) for p in unknown_parts(kind, measure))}: a measure is "
                            f"one {kind} or several joined by ' + ' (see anchor_analysis/data/"
                            f"{'definitions' if kind == 'metric' else 'framework'}.toml)")))
    builder.frame_check(("baseline_year", "target_year"), "target_year", "target_after_baseline",
                        lambda f: f["target_year"] > f["baseline_year"], "target_year must be after baseline_year")
    for column in ("baseline_value", "target_value"):
        builder.frame_check(("kind", column), column, f"{column}_is_level",
                            lambda f, c=column: (f["kind"] != "dimension") | f[c].isna() | f[c].between(1, 4),
                            f"{column} of a dimension must be a level between 1 and 4")


def _suppliers_checks(builder: _Builder) -> None:
    """The supplier register's rules: identifiers of the right form, size bands and SIC sections from their lists."""
    builder.column_check("company_number", "company_number_form",
                         lambda s: s.str.upper().str.fullmatch(COMPANY_NUMBER_PATTERN),
                         "company_number must be a Companies House number of 8 characters: 8 digits (00012345, "
                         "leading zeros kept) or 2 letters and 6 digits (SC123456)")
    builder.column_check("charity_number", "charity_number_form",
                         lambda s: s.str.upper().str.fullmatch(CHARITY_NUMBER_PATTERN),
                         "charity_number must be a registered charity number: 6-7 digits (1012345, a linked "
                         "charity 1012345-1), SC and 6 digits (Scotland) or NIC and 6 digits (Northern Ireland)")
    builder.column_check("size_band", "known_size_band", lambda s: s.str.lower().isin(SIZE_BANDS),
                         f"size_band must be one of {', '.join(SIZE_BANDS)} (PPN 001: SMEs have fewer than 250 "
                         "staff and turnover up to £44m or balance sheet up to £38m)")
    builder.column_check("sic_section", "known_sic_section", lambda s: s.str.upper().isin(SIC_SECTIONS),
                         "sic_section must be a SIC 2007 section letter A to U")
    builder.column_check("postcode", "postcode_format", lambda s: s.str.fullmatch(POSTCODE_PATTERN),
                         "not a valid UK postcode")


def _cross_table_checks(builder: _Builder, table: str, place: Place, anchors: pd.DataFrame) -> None:
    """The rules that need the anchors table: the anchor is listed and was a member in the row's year."""
    spans = anchors.drop_duplicates("anchor_id").set_index("anchor_id")[["joined_year", "left_year"]]
    builder.column_check("anchor_id", "known_anchor", lambda s: s.isin(list(spans.index)),
                         "anchor_id is not listed in the anchors table")
    if table == "sites":
        return  # sites have no year

    def year_of(frame: pd.DataFrame) -> pd.Series:
        return financial_year(frame["payment_date"]) if table == "ledger" else frame["year"]

    def is_member(frame: pd.DataFrame) -> pd.Series:
        year = year_of(frame)
        joined = frame["anchor_id"].map(spans["joined_year"]).astype("Int64")
        left = frame["anchor_id"].map(spans["left_year"]).astype("Int64")
        member = (joined <= year) & (left.isna() | (year < left))
        # Unknown anchors and out-of-range years have their own rule; do not report them twice.
        undecided = joined.isna() | ~year.between(place.first_year, place.last_year)
        return member.fillna(True) | undecided.fillna(True)

    def explain(anchor_id: str, year: int) -> str:
        joined, left = spans.at[anchor_id, "joined_year"], spans.at[anchor_id, "left_year"]
        last = "" if pd.isna(left) else fy_label(left - 1)
        span = f"{fy_label(joined)} to {last}" if last else f"{fy_label(joined)} onwards"
        return (f"anchor was not a network member in {fy_label(year)} (member {span}, "
                "see joined_year/left_year in the anchors table)")

    def explain_rows(frame: pd.DataFrame, index: pd.Index) -> list[str]:
        rows = pd.DataFrame({"anchor_id": frame.loc[index, "anchor_id"], "year": year_of(frame.loc[index])})
        return _per_distinct(rows, explain)

    needs = ("anchor_id", "payment_date") if table == "ledger" else ("anchor_id", "year")
    builder.frame_check(needs, "anchor_id", "member_that_year", is_member, explain_rows)


def _per_distinct(rows: pd.DataFrame, make_text: Callable[..., str]) -> list[str]:
    """``make_text(*row)`` for each row, computed once per distinct row: failures repeat, ledgers are long."""
    records = list(rows.itertuples(index=False, name=None))
    texts = {record: make_text(*record) for record in dict.fromkeys(records)}
    return [texts[record] for record in records]
