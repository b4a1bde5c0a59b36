"""Supplier spend: where an anchor's influenceable spend lands, how concentrated it is, and where it leaks.

A *ledger* is transaction-level supplier spend (design.md section 4): ``anchor_id, payment_date, amount,
supplier_id, supplier_name, supplier_postcode, category``. The analysis runs in four steps, each a function over
DataFrames:

1. :func:`classify_supplier_postcodes` puts every line in a *ring* of the place (``leeds`` inside
   ``west_yorkshire``, then ``elsewhere``; ``unknown`` when the postcode cannot be located) through the ONS postcode
   lookup, with the supplier's LSOA 2021 and IMD decile, and says how each postcode matched (``match_status``).
2. :func:`apply_influenceable_rules` flags each line influenceable or excluded by a rule of
   ``anchor_analysis/data/spend_rules.toml`` (pay, tax, levies, pensions, grants to individuals, public bodies);
   :func:`excluded_by_rule` reports every excluded pound against its rule.
3. Summaries: :func:`spend_by_ring`, :func:`spend_by_deprivation_decile`, :func:`spend_concentration` (top-N
   suppliers' share, the CLES/Preston top-300 method), :func:`leakage_by_category`, :func:`ledger_summary` (the
   anchor's core spend metrics recomputed from its ledger) and :func:`compare_with_returns`.
4. Large ledgers: :func:`classify_ledger_files` reads many CSV files lazily with DuckDB and returns the same
   :class:`SpendAnalysis` as the pandas path (:func:`analyse_ledger`).

Money is summed in whole pence (amounts are rounded to the penny, half to even), so totals do not depend on the
order of summation and the DuckDB and pandas engines agree to the penny. Credits (negative lines) are kept and net
against their supplier; exact duplicate lines are reported and kept unless ``drop_exact_duplicates=True``.

:func:`council_spend_profile` profiles the Leeds City Council transparency ledger (no postcodes) per financial year.

>>> import pandas as pd
>>> from anchor_analysis.config import load_place
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

import csv
import gzip
import re
import tempfile
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import ELSEWHERE, UNKNOWN, Place, fy_label, load_place

# --- vocabulary ---------------------------------------------------------------------------------------------

LEDGER_COLUMNS = ("anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
                  "category")
"""Columns of a ledger file (design.md section 4). ``supplier_id`` or ``supplier_name`` may be absent, not both."""

REQUIRED_LEDGER_COLUMNS = ("anchor_id", "payment_date", "amount", "supplier_postcode", "category")

MATCH_STATUSES = ("matched", "outside_lookup_area", "not_found", "unlocated", "malformed", "blank")
"""How a supplier postcode was located, best first.

``matched``: in the lookup with a local authority. ``outside_lookup_area``: a well-formed postcode of a postcode area
the lookup does not cover at all (e.g. ``M1 1AE`` with a lookup of LS/BD/WF/HX/HD/HG/YO): counted as
``elsewhere`` by default. ``not_found``: well-formed, in a covered area, but not in the lookup (mistyped or invented,
e.g. ``LS99 9ZZ``). ``unlocated``: in the lookup but without a geography (NSPL's non-geographic postcodes).
``malformed``: not a postcode format (``LS1``, ``N/A``). ``blank``: empty. All but the first two are ``unknown``.
"""

SUPPLIER_COLUMNS = ("anchor_id", "year", "supplier_id", "supplier_name", "supplier_postcode", "category")
"""Keys of the supplier-level table (:attr:`SpendAnalysis.suppliers`): one row per anchor, financial year,
supplier and category as written in the ledger."""

BY = ("anchor_id", "year")
"""Default grouping of every summary: one row (set) per anchor and financial year."""

_CLASSIFICATION_COLUMNS = ("postcode_normalised", "postcode_area", "match_status", "lad_code", "ring",
                           "lsoa21_code", "imd_decile")
IMD_EDITIONS = (2019, 2025)
_NO_CATEGORY = "(no category)"


class SpendError(ValueError):
    """A ledger, lookup or rule set that the spend analysis cannot use; the message says what to fix."""


# --- influenceable-spend rules ------------------------------------------------------------------------------

_RULE_KEY = re.compile(r"[a-z][a-z0-9_]*")
_RULE_FIELDS = {"key", "label", "description", "categories", "category_patterns", "supplier_patterns"}


@dataclass(frozen=True)
class SpendRule:
    """One reason for excluding spend from influenceable spend (a ``[[rule]]`` of the rules TOML)."""

    key: str
    label: str
    description: str = ""
    categories: tuple[str, ...] = ()
    category_patterns: tuple[str, ...] = ()
    supplier_patterns: tuple[str, ...] = ()

    def _compiled(self, patterns: tuple[str, ...]) -> re.Pattern[str] | None:
        if not patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    def category_hits(self, categories: Sequence[object]) -> np.ndarray:
        """Which categories (text or missing) the rule excludes: exact names or category patterns."""
        wanted = {c.strip().casefold() for c in self.categories}
        compiled = self._compiled(self.category_patterns)
        return np.array([isinstance(c, str) and (c.strip().casefold() in wanted
                                                 or (compiled is not None and compiled.search(c) is not None))
                         for c in categories], dtype=bool)

    def supplier_hits(self, names: Sequence[object]) -> np.ndarray:
        """Which supplier names (text or missing) the rule excludes."""
        compiled = self._compiled(self.supplier_patterns)
        if compiled is None:
            return np.zeros(len(names), dtype=bool)
        return np.array([isinstance(n, str) and compiled.search(n) is not None for n in names], dtype=bool)

    def matches(self, category: pd.Series, supplier_name: pd.Series) -> np.ndarray:
        """Boolean array: which (category, supplier_name) pairs this rule excludes.

        >>> rule = SpendRule("tax", "Tax", categories=("Tax",), supplier_patterns=(r"\\bHMRC\\b",))
        >>> rule.matches(pd.Series([" tax ", "Goods", None]), pd.Series(["x", "HMRC", None])).tolist()
        [True, True, False]
        """
        return self.category_hits(list(category)) | self.supplier_hits(list(supplier_name))


@dataclass(frozen=True)
class SpendRules:
    """An ordered set of exclusion rules; the first rule that matches a line excludes it."""

    rules: tuple[SpendRule, ...]
    source: str = "spend_rules.toml"

    @property
    def keys(self) -> list[str]:
        return [rule.key for rule in self.rules]

    def label(self, key: str) -> str:
        for rule in self.rules:
            if rule.key == key:
                return rule.label
        raise KeyError(f"no spend rule {key!r} in {self.source}; rules are {self.keys}")

    def to_frame(self) -> pd.DataFrame:
        """The rules as a table (one row per rule, patterns joined with `` | ``), for reports."""
        return pd.DataFrame(
            {"order": i + 1, "key": r.key, "label": r.label, "description": r.description,
             "categories": " | ".join(r.categories), "category_patterns": " | ".join(r.category_patterns),
             "supplier_patterns": " | ".join(r.supplier_patterns)}
            for i, r in enumerate(self.rules)
        )


def load_spend_rules(path: str | Path | None = None) -> SpendRules:
    """Load influenceable-spend rules: the kit's ``spend_rules.toml`` by default, or any TOML file of that shape.

    Errors name the file and the rule: unknown fields, a missing key or label, a duplicate key, a rule with nothing
    to match, or a pattern that is not a valid regular expression.

    >>> rules = load_spend_rules()
    >>> rules.keys
    ['pay', 'tax', 'levies', 'pensions', 'grants_to_individuals', 'public_bodies']
    >>> rules.label("public_bodies")
    'Payments to other public bodies'
    """
    if path is None:
        text = (resources.files("anchor_analysis") / "data" / "spend_rules.toml").read_text(encoding="utf-8")
        source = "spend_rules.toml"
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SpendError(f"cannot read spend rules {source}: {exc}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpendError(f"{source}: not valid TOML ({exc})") from exc
    tables = raw.get("rule")
    if not isinstance(tables, list) or not tables:
        raise SpendError(f"{source}: no [[rule]] tables found; each rule needs key, label and something to match")
    rules, seen = [], set()
    for number, table in enumerate(tables, start=1):
        where = f"{source}, rule {number}" + (f" ({table.get('key')!r})" if isinstance(table, dict) else "")
        unknown = sorted(set(table) - _RULE_FIELDS)
        if unknown:
            raise SpendError(f"{where}: unknown field(s) {unknown}; allowed are {sorted(_RULE_FIELDS)}")
        key, label = table.get("key"), table.get("label")
        if not isinstance(key, str) or not _RULE_KEY.fullmatch(key):
            raise SpendError(f"{where}: 'key' must be lower-case letters, digits and underscores, got {key!r}")
        if key in seen:
            raise SpendError(f"{where}: duplicate rule key {key!r}")
        if not isinstance(label, str) or not label.strip():
            raise SpendError(f"{where}: 'label' is required")
        lists = {}
        for name in ("categories", "category_patterns", "supplier_patterns"):
            value = table.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise SpendError(f"{where}: {name!r} must be a list of non-empty strings")
            lists[name] = tuple(value)
        for name in ("category_patterns", "supplier_patterns"):
            for pattern in lists[name]:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise SpendError(f"{where}: {name} entry {pattern!r} is not a regular expression ({exc})") from exc
        if not any(lists.values()):
            raise SpendError(f"{where}: the rule matches nothing (give categories or patterns)")
        seen.add(key)
        rules.append(SpendRule(key, label.strip(), str(table.get("description", "")).strip(), **lists))
    return SpendRules(tuple(rules), source)


def apply_influenceable_rules(ledger: pd.DataFrame, rules: SpendRules | str | Path | None = None) -> pd.DataFrame:
    """Flag every line influenceable or excluded, with the key of the first rule that excludes it.

    Adds ``influenceable`` (bool) and ``rule`` (str; missing for influenceable lines). Rules look at ``category`` and
    ``supplier_name``; a ledger without one of them is treated as having it blank. ``rules`` is a
    :class:`SpendRules`, a TOML path, or ``None`` for the kit's rules. Each distinct (category, supplier name) pair
    is evaluated once, so this is fast on long ledgers.

    >>> lines = pd.DataFrame({"category": ["ICT", "Pensions", "ICT"],
    ...                       "supplier_name": ["Acme", "Acme", "Leeds City Council"]})
    >>> apply_influenceable_rules(lines)[["influenceable", "rule"]].values.tolist()
    [[True, nan], [False, 'pensions'], [False, 'public_bodies']]
    """
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    codes = {}
    for column in ("category", "supplier_name"):
        values = ledger[column] if column in ledger.columns else pd.Series(pd.NA, index=ledger.index, dtype="str")
        code, uniques = pd.factorize(values.astype("str"), use_na_sentinel=True)
        # the extra last entry stands for a missing value (code -1)
        codes[column] = (np.where(code < 0, len(uniques), code), [*np.asarray(uniques, dtype=object).tolist(), None])
    rule = np.full(len(ledger), None, dtype=object)
    for r in rules.rules:
        open_ = pd.isna(rule)
        if not open_.any():
            break
        cat_code, cat_values = codes["category"]
        sup_code, sup_values = codes["supplier_name"]
        hit = r.category_hits(cat_values)[cat_code] | r.supplier_hits(sup_values)[sup_code]
        rule[hit & open_] = r.key
    out = ledger.copy()
    out["rule"] = pd.Series(rule, index=ledger.index, dtype="str")
    out["influenceable"] = pd.isna(rule)
    return out


# --- the postcode lookup ------------------------------------------------------------------------------------

def _ring_of_lad(place: Place) -> dict[str, str]:
    ring_of: dict[str, str] = {}
    for ring in reversed(place.rings):  # innermost ring last, so it wins
        for lad in ring.lad_codes:
            ring_of[lad] = ring.key
    return ring_of


def _ring_dtype(place: Place) -> pd.CategoricalDtype:
    return pd.CategoricalDtype([*place.ring_keys, UNKNOWN], ordered=True)


_STATUS_DTYPE = pd.CategoricalDtype(list(MATCH_STATUSES), ordered=True)


def _check_edition(imd_edition: int) -> int:
    if int(imd_edition) not in IMD_EDITIONS:
        raise SpendError(f"imd_edition must be one of {list(IMD_EDITIONS)}, got {imd_edition!r}")
    return int(imd_edition)


def prepare_postcode_lookup(
    lookup: pd.DataFrame, place: str | Place = "leeds", imd_edition: int = 2019, imd: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Reduce a postcode lookup to what classification needs: one row per normalised postcode.

    ``lookup`` needs ``postcode`` (normalised "LS1 1UR" form), ``lad24_code`` and ``lsoa21_code``, plus
    ``imd<edition>_decile`` unless ``imd`` is given; ``postcode_area`` is derived when absent. ``imd`` (optional)
    gives deciles per LSOA 2021 (``lsoa21_code, imd_decile``, e.g. :func:`anchor_analysis.public.imd_for_lsoa21`),
    replacing the lookup's own column (which leaves IMD 2019 blank where several 2011 LSOAs merged).

    Returns ``postcode, postcode_area, lad_code, lsoa21_code, imd_decile`` (Int64) and ``ring``.
    Raises :class:`SpendError` if a column is missing, a postcode repeats, or the lookup has no postcode at all in
    the place's own local authority (it would silently call every local supplier "elsewhere").
    """
    place = load_place(place)
    edition = _check_edition(imd_edition)
    decile_column = f"imd{edition}_decile"
    needed = ["postcode", "lad24_code", "lsoa21_code"] + ([] if imd is not None else [decile_column])
    missing = [c for c in needed if c not in lookup.columns]
    if missing:
        raise SpendError(f"the postcode lookup lacks column(s) {missing}; it has {list(lookup.columns)}")
    out = pd.DataFrame({
        "postcode": lookup["postcode"].astype("str").to_numpy(),
        "lad_code": lookup["lad24_code"].astype("str").to_numpy(),
        "lsoa21_code": lookup["lsoa21_code"].astype("str").to_numpy(),
    })
    if "postcode_area" in lookup.columns:
        out["postcode_area"] = lookup["postcode_area"].astype("str").to_numpy()
    else:
        out["postcode_area"] = out["postcode"].str.extract(r"^([A-Z]+)", expand=False)
    if imd is not None:
        if not {"lsoa21_code", "imd_decile"} <= set(imd.columns):
            raise SpendError(f"imd must have columns lsoa21_code and imd_decile; it has {list(imd.columns)}")
        unique = imd.drop_duplicates("lsoa21_code")
        deciles = pd.Series(pd.to_numeric(unique["imd_decile"]).to_numpy(), index=unique["lsoa21_code"].astype("str"))
        out["imd_decile"] = out["lsoa21_code"].map(deciles).astype("Int64")
    else:
        out["imd_decile"] = pd.to_numeric(lookup[decile_column]).astype("Int64").to_numpy()
    out = out[out["postcode"].notna()]
    repeated = out["postcode"][out["postcode"].duplicated()]
    if len(repeated):
        raise SpendError(f"the postcode lookup repeats {len(repeated)} postcode(s), e.g. {repeated.iloc[0]!r}")
    inner = place.rings[0]
    if not out["lad_code"].isin(inner.lad_codes).any():
        raise SpendError(f"the postcode lookup has no postcode in {inner.label} ({', '.join(inner.lad_codes)}): "
                         "use a lookup covering the place, e.g. public.load_postcode_lookup('region')")
    ring_of = _ring_of_lad(place)
    ring = out["lad_code"].map(ring_of).astype("str")
    out["ring"] = ring.where(ring.notna(), np.where(out["lad_code"].isna(), UNKNOWN, ELSEWHERE))
    return out[["postcode", "postcode_area", "lad_code", "lsoa21_code", "imd_decile", "ring"]].reset_index(drop=True)


def _load_lookup(lookup: pd.DataFrame | None, data_dir: Any = None) -> pd.DataFrame:
    if lookup is not None:
        return lookup
    from . import public

    return public.load_postcode_lookup("region", data_dir=data_dir)


# --- classification -----------------------------------------------------------------------------------------

def _postcode_pattern() -> str:
    from .postcodes import POSTCODE_PATTERN

    return POSTCODE_PATTERN


def classify_supplier_postcodes(
    ledger: pd.DataFrame,
    lookup: pd.DataFrame | None = None,
    place: str | Place = "leeds",
    imd_edition: int = 2019,
    *,
    imd: pd.DataFrame | None = None,
    outside_lookup: str = ELSEWHERE,
    postcode_column: str = "supplier_postcode",
) -> pd.DataFrame:
    """Locate every line's supplier postcode: ring of the place, LSOA 2021 and IMD decile.

    Postcodes are normalised first (:func:`anchor_analysis.postcodes.normalise_postcodes`: ``"ls11ur"`` ->
    ``"LS1 1UR"``). Adds columns

    - ``postcode_normalised`` (str), ``postcode_area`` (str: the letters of the outward code, for valid postcodes)
    - ``match_status``: one of :data:`MATCH_STATUSES` (ordered categorical)
    - ``lad_code``, ``lsoa21_code`` (str): the supplier's local authority (LAD 2024) and LSOA 2021
    - ``ring``: the innermost ring of the place whose LADs include the supplier's, else ``elsewhere``; ``unknown``
      for blank, malformed, not-found and unlocated postcodes (ordered categorical: rings, elsewhere, unknown)
    - ``imd_decile`` (Int64): national IMD decile of the supplier's LSOA in edition ``imd_edition`` (1 = most
      deprived 10%); deciles of different editions are never comparable.

    Postcodes of areas the lookup does not cover at all (``M1 1AE`` when the lookup holds LS, BD, WF, HX, HD, HG
    and YO) get ``match_status="outside_lookup_area"`` and the ring ``outside_lookup`` (``elsewhere`` by default,
    or ``unknown``). That is right when the place's rings lie wholly inside the covered areas: Leeds LA does (LS, BD,
    WF), but West Yorkshire also has OL14 (Todmorden, Calderdale), so keep such suppliers in mind or use a wider
    lookup. ``lookup`` defaults to ``public.load_postcode_lookup("region")``.

    >>> import pandas as pd
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
    ...                        "imd2019_decile": [3]})
    >>> lines = pd.DataFrame({"supplier_postcode": ["ls1 1ur", "M1 1AE", "LS99 9ZZ", "LS1", None]})
    >>> classify_supplier_postcodes(lines, lookup)[["match_status", "ring"]].astype(str).values.tolist()
    [['matched', 'leeds'], ['outside_lookup_area', 'elsewhere'], ['not_found', 'unknown'], \
['malformed', 'unknown'], ['blank', 'unknown']]
    """
    place = load_place(place)
    if outside_lookup not in (ELSEWHERE, UNKNOWN):
        raise SpendError(f"outside_lookup must be {ELSEWHERE!r} or {UNKNOWN!r}, got {outside_lookup!r}")
    if postcode_column not in ledger.columns:
        raise SpendError(f"the ledger has no {postcode_column!r} column; it has {list(ledger.columns)}")
    prepared = prepare_postcode_lookup(_load_lookup(lookup), place, imd_edition, imd)
    codes, distinct = pd.factorize(ledger[postcode_column].astype("str"), use_na_sentinel=True)
    located = _locate(pd.Series(np.asarray(distinct, dtype=object), dtype="str"), prepared, place, outside_lookup)
    # row len(distinct) of `located` is the blank row that missing postcodes (code -1) point to
    take = np.where(codes < 0, len(distinct), codes)
    out = ledger.copy()
    for column in _CLASSIFICATION_COLUMNS:
        out[column] = located[column].take(take).to_numpy()
        out[column] = out[column].astype(located[column].dtype)
    return out


def _locate(raw: pd.Series, prepared: pd.DataFrame, place: Place, outside_lookup: str) -> pd.DataFrame:
    """Classification of each distinct raw postcode, plus a final row for a missing one."""
    from .postcodes import normalise_postcodes

    raw = pd.concat([raw, pd.Series([pd.NA], dtype="str")], ignore_index=True)
    normalised = normalise_postcodes(raw)
    valid = normalised.str.fullmatch(_postcode_pattern()).fillna(False).astype(bool)
    area = normalised.str.extract(r"^([A-Z]+)", expand=False).where(valid)
    found = prepared.set_index("postcode")
    key = normalised.where(valid)
    # a hash lookup: pandas 3's isin on a str column converts each of the ~270,000 lookup postcodes one by one
    in_lookup = found.index.unique().get_indexer(key) >= 0
    has_lad = key.map(found["lad_code"]).notna().to_numpy()
    covered = area.isin(set(prepared["postcode_area"].dropna())).to_numpy()
    status = np.select(
        [normalised.isna().to_numpy(), ~valid.to_numpy(), in_lookup & has_lad, in_lookup, ~covered],
        ["blank", "malformed", "matched", "unlocated", "outside_lookup_area"],
        default="not_found",
    )
    matched = pd.Series(status == "matched")
    key = key.where(in_lookup)

    def from_lookup(column: str) -> pd.Series:
        return key.map(found[column])

    ring = from_lookup("ring").where(matched, UNKNOWN)
    ring = ring.where(pd.Series(status != "outside_lookup_area"), outside_lookup)
    return pd.DataFrame({
        "postcode_normalised": normalised.astype("str"),
        "postcode_area": area.astype("str"),
        "match_status": pd.Categorical(status, dtype=_STATUS_DTYPE),
        "lad_code": from_lookup("lad_code").astype("str"),
        "ring": pd.Categorical(ring.astype(object), dtype=_ring_dtype(place)),
        "lsoa21_code": from_lookup("lsoa21_code").astype("str"),
        "imd_decile": from_lookup("imd_decile").astype("Int64"),
    })


# --- exact duplicates ---------------------------------------------------------------------------------------

def _present(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c in frame.columns]


def report_exact_duplicates(ledger: pd.DataFrame, by: Sequence[str] = BY) -> pd.DataFrame:
    """Exact duplicate lines per group: lines identical in every ledger column (amount to the penny).

    Every copy after the first counts: ``duplicate_lines`` and ``duplicate_spend`` (GBP). They are reported, not
    dropped; :func:`remove_exact_duplicates` drops them if the analyst decides they are errors (a genuine repeat
    payment looks the same, so the kit never decides this on its own).

    >>> lines = pd.DataFrame({"anchor_id": "a", "payment_date": "2023-05-01", "amount": [10.0, 10.0, 10.0, 5.0],
    ...                       "supplier_id": "S1", "supplier_name": "X", "supplier_postcode": "", "category": "C"})
    >>> report_exact_duplicates(lines).values.tolist()
    [['a', 2023, 2, 20.0]]
    """
    frame = _with_year(ledger)
    keys = _present(frame, LEDGER_COLUMNS)
    work = frame[keys].copy()
    work["amount"] = _pence(frame["amount"])
    copies = work.groupby(keys, dropna=False, sort=False).size().rename("n").reset_index()
    copies = copies[copies["n"] > 1]
    copies["year"] = _financial_year(copies["payment_date"])
    copies["duplicate_lines"] = copies["n"] - 1
    copies["duplicate_pence"] = copies["duplicate_lines"] * copies["amount"]
    by = list(by)
    groups = frame[by].drop_duplicates().sort_values(by).reset_index(drop=True) if by else pd.DataFrame(index=[0])
    sums = copies.groupby(by, dropna=False)[["duplicate_lines", "duplicate_pence"]].sum() if by else \
        copies[["duplicate_lines", "duplicate_pence"]].sum().to_frame().T
    out = groups.merge(sums.reset_index(), on=by, how="left") if by else sums.reset_index(drop=True)
    out["duplicate_lines"] = out["duplicate_lines"].fillna(0).astype("int64")
    out["duplicate_spend"] = out.pop("duplicate_pence").fillna(0).astype("int64") / 100
    return out.reset_index(drop=True)


def remove_exact_duplicates(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger without exact duplicate lines, keeping the first copy of each (see report_exact_duplicates)."""
    keys = _present(ledger, LEDGER_COLUMNS)
    work = ledger[keys].copy()
    work["amount"] = _pence(ledger["amount"])
    return ledger[~work.duplicated(keep="first")]


# --- helpers for the summaries ------------------------------------------------------------------------------

def _pence(amount: pd.Series) -> np.ndarray:
    values = pd.to_numeric(amount, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(values).any():
        raise SpendError("amount has missing or non-numeric values; fix the ledger before summarising")
    return np.round(values * 100).astype(np.int64)


def _financial_year(dates: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(dates, format="ISO8601") if not pd.api.types.is_datetime64_any_dtype(dates) else dates
    return (parsed.dt.year - (parsed.dt.month < 4).astype("int64")).astype("int64")


def _with_year(frame: pd.DataFrame) -> pd.DataFrame:
    if "year" in frame.columns or "payment_date" not in frame.columns:
        return frame
    out = frame.copy()
    out["year"] = _financial_year(frame["payment_date"])
    return out


def _lines(frame: pd.DataFrame) -> np.ndarray:
    return frame["lines"].to_numpy(dtype="int64") if "lines" in frame.columns else np.ones(len(frame), "int64")


def _need(frame: pd.DataFrame, columns: Sequence[str], hint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SpendError(f"missing column(s) {missing}: {hint}")


_NEED_RING = "classify the ledger first (classify_supplier_postcodes)"
_NEED_RULES = "flag influenceable lines first (apply_influenceable_rules)"


def _prepared(frame: pd.DataFrame, by: Sequence[str], *, ring: bool = True) -> pd.DataFrame:
    """Copy with year, pence and lines columns, checked for what the summaries need."""
    frame = _with_year(frame)
    if ring:
        _need(frame, ["ring"], _NEED_RING)
    _need(frame, ["influenceable"], _NEED_RULES)
    _need(frame, list(by), "group by columns that exist (by=...)")
    out = frame.copy()
    out["_pence"] = _pence(frame["amount"])
    out["_lines"] = _lines(frame)
    return out


def _ring_order(frame: pd.DataFrame, place: str | Place | None) -> list[str]:
    """Ring keys innermost first, then elsewhere and unknown."""
    if place is not None:
        return [*load_place(place).ring_keys, UNKNOWN]
    if isinstance(frame["ring"].dtype, pd.CategoricalDtype):
        return [str(c) for c in frame["ring"].cat.categories]
    raise SpendError("the ring column is not categorical: pass place=... so the rings can be ordered")


def _groups(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if not by:
        return pd.DataFrame(index=[0])
    return frame[by].drop_duplicates().sort_values(by, na_position="last").reset_index(drop=True)


def _sum_by(frame: pd.DataFrame, keys: list[str], values: Sequence[str] = ("_pence", "_lines")) -> pd.DataFrame:
    if not keys:
        return frame[list(values)].sum().to_frame().T.astype("int64")
    return frame.groupby(keys, dropna=False, observed=True, sort=False)[list(values)].sum().reset_index()


def _grid(groups: pd.DataFrame, by: list[str], column: str, values: Sequence[Any]) -> pd.DataFrame:
    """Every group crossed with every value of ``column`` (so zero rows are reported, not missing)."""
    grid = groups.merge(pd.DataFrame({column: list(values)}), how="cross")
    return grid[[*by, column]]


def _money(pence: pd.Series) -> pd.Series:
    return pence.fillna(0).astype("int64") / 100


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole != 0)).astype("float64")


# --- summaries ------------------------------------------------------------------------------------------------

def excluded_by_rule(
    classified: pd.DataFrame, rules: SpendRules | str | Path | None = None, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Every excluded pound, by rule: ``*by, rule, label, lines, spend`` (one row per rule, zeros included).

    Per group, ``spend`` over the rules plus influenceable spend equals the ledger's total (net) spend.

    >>> lines = apply_influenceable_rules(pd.DataFrame({"anchor_id": "a", "year": 2023, "amount": [5.0, 7.0, 2.0],
    ...     "category": ["Pensions", "ICT", "Pensions"], "supplier_name": "X"}))
    >>> excluded_by_rule(lines).query("lines > 0").values.tolist()
    [['a', 2023, 'pensions', 'Pensions', 2, 7.0]]
    """
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    by = list(by)
    frame = _prepared(classified, by, ring=False)
    unknown = sorted(set(frame["rule"].dropna()) - set(rules.keys))
    if unknown:
        raise SpendError(f"lines were excluded by rule(s) {unknown} that are not in {rules.source}")
    sums = _sum_by(frame[~frame["influenceable"]], [*by, "rule"])
    out = _grid(_groups(frame, by), by, "rule", rules.keys).merge(sums, on=[*by, "rule"], how="left")
    out["label"] = out["rule"].map(dict(zip(rules.keys, [r.label for r in rules.rules], strict=True)))
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["spend"] = _money(out["_pence"])
    return out[[*by, "rule", "label", "lines", "spend"]]


def spend_by_ring(
    classified: pd.DataFrame, place: str | Place | None = None, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Net influenceable spend per ring: ``*by, ring, lines, spend, share, cumulative_spend, cumulative_share``.

    ``ring`` is the supplier's innermost ring (``leeds``, ``west_yorkshire`` = West Yorkshire outside Leeds,
    ``elsewhere``, ``unknown``); ``cumulative_spend`` adds the inner rings (spend in West Yorkshire including
    Leeds), as the core metrics do. ``share`` is of all influenceable spend in the group, unknown included.
    """
    by = list(by)
    frame = _prepared(classified, by)
    frame = frame[frame["influenceable"]]
    order = _ring_order(classified, place)
    frame = frame.assign(ring=frame["ring"].astype("str"))
    sums = _sum_by(frame, [*by, "ring"])
    out = _grid(_groups(_with_year(classified), by), by, "ring", order).merge(sums, on=[*by, "ring"], how="left")
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["spend"] = _money(out["_pence"])
    out["_pence"] = out["_pence"].fillna(0).astype("int64")
    located = out["ring"] != UNKNOWN
    out["_cum"] = out["_pence"].where(located, 0)
    if by:
        total = out.groupby(by, sort=False, dropna=False)["_pence"].transform("sum")
        cumulative = out.groupby(by, sort=False, dropna=False)["_cum"].cumsum()
    else:
        total = pd.Series(out["_pence"].sum(), index=out.index)
        cumulative = out["_cum"].cumsum()
    out["share"] = _share(out["_pence"], total)
    out["cumulative_spend"] = (cumulative / 100).where(located)
    out["cumulative_share"] = _share(cumulative, total).where(located)
    out["ring"] = pd.Categorical(out["ring"], categories=order, ordered=True)
    return out[[*by, "ring", "lines", "spend", "share", "cumulative_spend", "cumulative_share"]]


def _ring_set(order: list[str], within: str | None) -> list[str]:
    """Ring keys inside ``within`` (cumulative): ``within="west_yorkshire"`` -> ``["leeds", "west_yorkshire"]``."""
    rings = order[: order.index(ELSEWHERE)]
    if within is None:
        return [r for r in order if r != UNKNOWN]
    if within not in rings:
        raise SpendError(f"unknown ring {within!r}; rings are {rings} (or None for all located suppliers)")
    return rings[: rings.index(within) + 1]


def spend_by_deprivation_decile(
    classified: pd.DataFrame, place: str | Place | None = None, *, within: str | None = None,
    by: Sequence[str] = BY,
) -> pd.DataFrame:
    """Net influenceable spend by the IMD decile of the supplier's LSOA: ``*by, imd_decile, lines, spend, share``.

    Deciles 1 (most deprived 10% nationally) to 10 are all listed, then a row with a missing decile for spend whose
    supplier has no decile (unknown or outside the lookup, or an LSOA without one in that edition). ``within`` keeps
    suppliers inside one ring of the place (``"leeds"``: Leeds suppliers only; ``None``: every supplier); ``share``
    is of the influenceable spend in that scope.
    """
    by = list(by)
    frame = _prepared(classified, by)
    _need(frame, ["imd_decile"], _NEED_RING)
    order = _ring_order(classified, place)
    scope = _ring_set(order, within) if within is not None else order
    frame = frame[frame["influenceable"] & frame["ring"].astype("str").isin(scope)]
    frame = frame.assign(_decile=frame["imd_decile"].fillna(0).astype("int64"))
    sums = _sum_by(frame, [*by, "_decile"])
    deciles = list(range(1, 11)) + [0]
    out = _grid(_groups(_with_year(classified), by), by, "_decile", deciles).merge(sums, on=[*by, "_decile"],
                                                                                   how="left")
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["_pence"] = out["_pence"].fillna(0).astype("int64")
    out["spend"] = out["_pence"] / 100
    total = out.groupby(by, sort=False, dropna=False)["_pence"].transform("sum") if by else out["_pence"].sum()
    out["share"] = _share(out["_pence"], pd.Series(total, index=out.index))
    out["imd_decile"] = out["_decile"].astype("Int64").where(out["_decile"] > 0)
    return out[[*by, "imd_decile", "lines", "spend", "share"]]


_PLACEHOLDER_NAMES = ("N A", "NA", "NULL", "NONE", "NAN", "UNKNOWN")
"""Normalised names that are placeholders for a missing name ("#N/A", "N/A", "null"), not suppliers."""


def normalise_supplier_name(names: pd.Series) -> pd.Series:
    """Supplier names reduced for matching: upper case, ``&`` -> ``AND``, punctuation dropped, spaces collapsed,
    ``LIMITED`` -> ``LTD`` and ``PUBLIC LIMITED COMPANY`` -> ``PLC`` at the end, a leading ``THE`` dropped.
    Blank names and placeholders ("#N/A", "N/A", "null", "unknown") become missing.

    >>> names = pd.Series(["The Acme Co. Limited", "ACME CO LTD", " ", "A & B (Leeds) plc", "#N/A"])
    >>> normalise_supplier_name(names).tolist()
    ['ACME CO LTD', 'ACME CO LTD', nan, 'A AND B LEEDS PLC', nan]
    """
    text = names.astype("str").str.upper()
    text = text.str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True)
    text = text.str.replace(r" +", " ", regex=True).str.strip(" ")
    text = text.str.replace(r"^THE ", "", regex=True)
    text = text.str.replace(r" PUBLIC LIMITED COMPANY$", " PLC", regex=True)
    text = text.str.replace(r" LIMITED$", " LTD", regex=True)
    return text.where(~text.fillna("").isin(["", *_PLACEHOLDER_NAMES])).astype("str")


def _supplier_keys(frame: pd.DataFrame, supplier_key: str) -> pd.Series:
    names = normalise_supplier_name(frame["supplier_name"]) if "supplier_name" in frame else None
    if supplier_key == "supplier_name":
        if names is None:
            raise SpendError("supplier_key='supplier_name' needs a supplier_name column")
        return ("name:" + names).fillna("(no supplier)")
    if supplier_key not in frame.columns:
        raise SpendError(f"no {supplier_key!r} column to identify suppliers by")
    ids = frame[supplier_key].astype("str").str.strip()
    ids = ("id:" + ids).where(ids.fillna("") != "")
    if names is not None:
        ids = ids.fillna("name:" + names)
    return ids.fillna("(no supplier)")


def spend_concentration(
    classified: pd.DataFrame, top_n: Sequence[int] = (10, 50, 300), by: Sequence[str] = BY,
    supplier_key: str = "supplier_id",
) -> pd.DataFrame:
    """How concentrated net influenceable spend is: the top-N suppliers' share (CLES "Preston method": top 300).

    Suppliers are identified by ``supplier_key`` (``supplier_id``; lines without one fall back to the normalised
    supplier name; ``"supplier_name"`` matches suppliers by name, e.g. across anchors with ``by=("year",)``).
    Credits net against their supplier before ranking. Returns ``*by, top_n, suppliers`` (with any influenceable
    line), ``top_spend, total_spend, share`` (top_spend / total_spend; when a group has fewer than N suppliers,
    all of them are counted, so the share is 1).

    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "supplier_id": ["A", "B", "C", "D", "D"],
    ...                       "amount": [50.0, 30.0, 15.0, 10.0, -5.0], "influenceable": True})
    >>> spend_concentration(lines, top_n=(1, 2))[["top_n", "top_spend", "share"]].to_dict("list")
    {'top_n': [1, 2], 'top_spend': [50.0, 80.0], 'share': [0.5, 0.8]}
    """
    by = list(by)
    sizes = sorted({int(n) for n in top_n})
    if not sizes or sizes[0] < 1:
        raise SpendError(f"top_n must be positive whole numbers, got {top_n!r}")
    frame = _prepared(classified, by, ring=False)
    frame = frame[frame["influenceable"]]
    frame = frame.assign(_supplier=_supplier_keys(frame, supplier_key))
    net = _sum_by(frame, [*by, "_supplier"], ("_pence",))
    net = net.sort_values([*by, "_pence", "_supplier"], ascending=[True] * len(by) + [False, True],
                          na_position="last", kind="stable")
    net["_rank"] = net.groupby(by, sort=False, dropna=False).cumcount() + 1 if by else np.arange(1, len(net) + 1)
    groups = _groups(_with_year(classified), by)
    totals = _sum_by(net.assign(_suppliers=1), by, ("_pence", "_suppliers"))
    base = groups.merge(totals, on=by, how="left") if by else totals
    parts = []
    for n in sizes:
        top = _sum_by(net[net["_rank"] <= n].rename(columns={"_pence": "_top"}), by, ("_top",))
        part = base.merge(top, on=by, how="left") if by else base.assign(_top=top["_top"].sum())
        parts.append(part.assign(top_n=n))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values([*by, "top_n"], na_position="last", kind="stable").reset_index(drop=True)
    total = out["_pence"].fillna(0).astype("int64")
    top = out["_top"].fillna(0).astype("int64")
    out["suppliers"] = out["_suppliers"].fillna(0).astype("int64")
    out["top_spend"] = top / 100
    out["total_spend"] = total / 100
    out["share"] = _share(top, total)
    out["top_n"] = out["top_n"].astype("int64")
    return out[[*by, "top_n", "suppliers", "top_spend", "total_spend", "share"]]


def leakage_by_category(
    classified: pd.DataFrame, place: str | Place | None = None, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Where each category's net influenceable spend goes: how much leaks out of the place and the region.

    Columns ``*by, category, lines, spend, unknown_spend, located_spend, spend_in_place, spend_in_region,
    spend_outside_place, spend_outside_region, share_outside_place, share_outside_region``. The place is the
    innermost ring and the region the outermost ring of the place (Leeds, West Yorkshire). Shares are of *located*
    spend (suppliers with a known ring), so a category with many junk postcodes is not mistaken for a local one;
    ``unknown_spend`` says how much could not be located. Rows are sorted by spend outside the place, largest
    first, within each group.
    """
    by = list(by)
    frame = _prepared(classified, by)
    order = _ring_order(classified, place)
    rings = order[: order.index(ELSEWHERE)]
    frame = frame[frame["influenceable"]]
    ring = frame["ring"].astype("str")
    category = frame["category"].astype("str").fillna(_NO_CATEGORY) if "category" in frame else _NO_CATEGORY
    frame = frame.assign(
        category=category,
        _unknown=np.where(ring == UNKNOWN, frame["_pence"], 0),
        _place=np.where(ring == rings[0], frame["_pence"], 0),
        _region=np.where(ring.isin(rings), frame["_pence"], 0),
    )
    out = _sum_by(frame, [*by, "category"], ("_pence", "_lines", "_unknown", "_place", "_region"))
    located = out["_pence"] - out["_unknown"]
    out["lines"] = out["_lines"].astype("int64")
    out["spend"] = out["_pence"] / 100
    out["unknown_spend"] = out["_unknown"] / 100
    out["located_spend"] = located / 100
    out["spend_in_place"] = out["_place"] / 100
    out["spend_in_region"] = out["_region"] / 100
    out["spend_outside_place"] = (located - out["_place"]) / 100
    out["spend_outside_region"] = (located - out["_region"]) / 100
    out["share_outside_place"] = _share(located - out["_place"], located)
    out["share_outside_region"] = _share(located - out["_region"], located)
    out = out.sort_values([*by, "spend_outside_place", "category"], ascending=[True] * len(by) + [False, True],
                          na_position="last", kind="stable")
    columns = [*by, "category", "lines", "spend", "unknown_spend", "located_spend", "spend_in_place",
               "spend_in_region", "spend_outside_place", "spend_outside_region", "share_outside_place",
               "share_outside_region"]
    return out[columns].reset_index(drop=True)


SUMMARY_METRICS = ("lines", "total_spend", "influenceable_spend", "excluded_spend", "spend_{ring}",
                   "spend_elsewhere", "spend_unknown", "spend_most_deprived", "credit_spend", "duplicate_lines",
                   "duplicate_spend")
"""Metrics of :func:`ledger_summary`; ``spend_{ring}`` is expanded per ring of the place (cumulative)."""


def ledger_summary(
    classified: pd.DataFrame, place: str | Place | None = None, *, deprived_within: str | None = "place",
    by: Sequence[str] = ("year", "anchor_id"),
) -> pd.DataFrame:
    """The core spend metrics recomputed from a ledger, long form like ``metrics.csv``: ``*by, metric, value, unit``.

    Metrics (GBP unless said): ``lines`` (unit ``lines``), ``total_spend`` (all lines, net), ``influenceable_spend``,
    ``excluded_spend``, ``spend_<ring>`` for each ring of the place, *cumulative* (``spend_west_yorkshire`` includes
    Leeds, as in the returns), ``spend_elsewhere``, ``spend_unknown`` (influenceable spend whose supplier could not
    be located: blank, junk or unknown postcodes), ``spend_most_deprived`` (suppliers in LSOAs of national IMD
    decile 1 of the classification's edition, inside ``deprived_within``: ``"place"`` = the innermost ring, a ring
    key, or ``None`` for any located supplier), ``credit_spend`` (negative lines, already netted into the others),
    and, for tables that carry them, ``duplicate_lines`` and ``duplicate_spend`` (exact duplicates).
    """
    by = list(by)
    frame = _prepared(classified, by)
    _need(frame, ["imd_decile"], _NEED_RING)
    order = _ring_order(classified, place)
    rings = order[: order.index(ELSEWHERE)]
    within = _ring_set(order, rings[0] if deprived_within == "place" else deprived_within)
    ring = frame["ring"].astype("str")
    infl = frame["influenceable"].to_numpy(dtype=bool)
    pence = frame["_pence"].to_numpy()
    if "credit_amount" in frame.columns:
        credit = _pence(frame["credit_amount"])
    else:
        credit = np.where(pence < 0, pence, 0)
    columns: dict[str, Any] = {
        "lines": frame["_lines"], "total_spend": pence, "influenceable_spend": np.where(infl, pence, 0),
        "excluded_spend": np.where(infl, 0, pence),
    }
    for i, r in enumerate(rings):
        columns[f"spend_{r}"] = np.where(infl & ring.isin(rings[: i + 1]), pence, 0)
    columns["spend_elsewhere"] = np.where(infl & (ring == ELSEWHERE), pence, 0)
    columns["spend_unknown"] = np.where(infl & (ring == UNKNOWN), pence, 0)
    deprived = (frame["imd_decile"] == 1).fillna(False).to_numpy(dtype=bool) & ring.isin(within).to_numpy()
    columns["spend_most_deprived"] = np.where(infl & deprived, pence, 0)
    columns["credit_spend"] = credit
    if "duplicate_lines" in frame.columns:
        columns["duplicate_lines"] = frame["duplicate_lines"].to_numpy(dtype="int64")
        columns["duplicate_spend"] = _pence(frame["duplicate_amount"])
    work = pd.DataFrame({c: frame[c] for c in by}) if by else pd.DataFrame(index=frame.index)
    for name, values in columns.items():
        work[name] = np.asarray(values, dtype="int64")
    metrics = list(columns)
    sums = work.groupby(by, dropna=False, sort=False)[metrics].sum().reset_index() if by else \
        work[metrics].sum().to_frame().T
    sums = _groups(_with_year(classified), by).merge(sums, on=by, how="left") if by else sums
    long = sums.melt(id_vars=by, value_vars=metrics, var_name="metric", value_name="_raw")
    count_metric = long["metric"].isin(["lines", "duplicate_lines"])
    long["_raw"] = long["_raw"].fillna(0).astype("int64")
    long["value"] = np.where(count_metric, long["_raw"], long["_raw"] / 100).astype("float64")
    long["unit"] = np.where(count_metric, "lines", "GBP")
    long["metric"] = pd.Categorical(long["metric"], categories=metrics, ordered=True)
    long = long.sort_values([*by, "metric"], kind="stable").reset_index(drop=True)
    long["metric"] = long["metric"].astype("str")
    return long[[*by, "metric", "value", "unit"]]


def compare_with_returns(ledger_summary: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Ledger-derived metrics beside the anchors' own returns, where both exist.

    ``ledger_summary`` as from :func:`ledger_summary`; ``metrics`` in ``metrics.csv`` form (``year, anchor_id,
    metric, value``; values may be text). Returns ``year, anchor_id, metric, ledger, returned, difference``
    (ledger - returned, GBP) and ``difference_pct`` (difference as a percentage of the return; missing when the
    return is zero). Typical causes of a difference: supplier postcodes that could not be located (see
    ``spend_unknown``), a different influenceable-spend definition, or a different IMD edition.
    """
    keys = ["year", "anchor_id", "metric"]
    _need(ledger_summary, [*keys, "value"], "pass the output of ledger_summary")
    _need(metrics, [*keys, "value"], "pass a metrics table (year, anchor_id, metric, value, unit)")
    left = ledger_summary[[*keys, "value"]].rename(columns={"value": "ledger"})
    right = metrics[[*keys, "value"]].rename(columns={"value": "returned"}).copy()
    right["returned"] = pd.to_numeric(right["returned"], errors="coerce")
    for frame in (left, right):
        frame["year"] = frame["year"].astype("int64")
        frame["anchor_id"] = frame["anchor_id"].astype("str")
        frame["metric"] = frame["metric"].astype("str")
    out = left.merge(right.dropna(subset=["returned"]), on=keys, how="inner")
    out["difference"] = out["ledger"] - out["returned"]
    out["difference_pct"] = _share(out["difference"], out["returned"]) * 100
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def match_status_summary(classified: pd.DataFrame, by: Sequence[str] = BY) -> pd.DataFrame:
    """Lines and spend per postcode match status: ``*by, match_status, lines, spend, influenceable_spend``."""
    by = list(by)
    frame = _prepared(classified, by, ring=False)
    _need(frame, ["match_status"], _NEED_RING)
    frame = frame.assign(match_status=frame["match_status"].astype("str"),
                         _infl=np.where(frame["influenceable"], frame["_pence"], 0))
    sums = _sum_by(frame, [*by, "match_status"], ("_pence", "_lines", "_infl"))
    out = _grid(_groups(_with_year(classified), by), by, "match_status", MATCH_STATUSES)
    out = out.merge(sums, on=[*by, "match_status"], how="left")
    out["lines"] = out["_lines"].fillna(0).astype("int64")
    out["spend"] = _money(out["_pence"])
    out["influenceable_spend"] = _money(out["_infl"])
    out["match_status"] = pd.Categorical(out["match_status"], dtype=_STATUS_DTYPE)
    return out[[*by, "match_status", "lines", "spend", "influenceable_spend"]]


# --- the whole analysis ---------------------------------------------------------------------------------------

@dataclass
class SpendAnalysis:
    """Every spend table for a set of ledgers (from :func:`analyse_ledger` or :func:`classify_ledger_files`).

    ``suppliers`` is the classified supplier-level table (one row per :data:`SUPPLIER_COLUMNS` combination, with
    ``lines, amount, credit_lines, credit_amount, duplicate_lines, duplicate_amount``, the classification columns
    and ``influenceable, rule``); every other table is computed from it per anchor and financial year.
    """

    suppliers: pd.DataFrame
    place: Place
    imd_edition: int
    rules: SpendRules
    engine: str
    drop_exact_duplicates: bool
    by_ring: pd.DataFrame = field(init=False)
    by_decile: pd.DataFrame = field(init=False)
    concentration: pd.DataFrame = field(init=False)
    leakage: pd.DataFrame = field(init=False)
    summary: pd.DataFrame = field(init=False)
    excluded: pd.DataFrame = field(init=False)
    match_status: pd.DataFrame = field(init=False)
    duplicates: pd.DataFrame = field(init=False)
    top_n: tuple[int, ...] = (10, 50, 300)

    def __post_init__(self) -> None:
        s, place = self.suppliers, self.place
        self.by_ring = spend_by_ring(s, place)
        self.by_decile = spend_by_deprivation_decile(s, place)
        self.concentration = spend_concentration(s, self.top_n)
        self.leakage = leakage_by_category(s, place)
        self.summary = ledger_summary(s, place)
        self.excluded = excluded_by_rule(s, self.rules)
        self.match_status = match_status_summary(s)
        dup = s.assign(_dup=_pence(s["duplicate_amount"])).groupby(list(BY), dropna=False)
        dup = dup[["duplicate_lines", "_dup"]].sum().reset_index()
        self.duplicates = pd.DataFrame({
            "anchor_id": dup["anchor_id"], "year": dup["year"],
            "duplicate_lines": dup["duplicate_lines"].astype("int64"),
            "duplicate_spend": dup["_dup"].astype("int64") / 100, "dropped": self.drop_exact_duplicates,
        })

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (``suppliers``, ``by_ring``, ``by_decile``, ``concentration``, ``leakage``,
        ``summary``, ``excluded``, ``match_status``, ``duplicates``)."""
        names = ("suppliers", "by_ring", "by_decile", "concentration", "leakage", "summary", "excluded",
                 "match_status", "duplicates")
        return {name: getattr(self, name) for name in names}


def _finalise_suppliers(frame: pd.DataFrame, place: Place, rules: SpendRules) -> pd.DataFrame:
    """Common column order, dtypes and row order of the supplier table, whichever engine built it."""
    frame = apply_influenceable_rules(frame, rules)
    out = pd.DataFrame(index=frame.index)
    for column in ("anchor_id",):
        out[column] = frame[column].astype("str")
    out["year"] = frame["year"].astype("int64")
    for column in ("supplier_id", "supplier_name", "supplier_postcode", "category"):
        out[column] = frame[column].astype("str")
    for column in ("lines", "credit_lines", "duplicate_lines"):
        out[column] = frame[column].astype("int64")
    for column in ("amount", "credit_amount", "duplicate_amount"):
        out[column] = frame[column.replace("amount", "pence")].astype("int64") / 100
    for column in ("postcode_normalised", "postcode_area", "lad_code", "lsoa21_code"):
        out[column] = frame[column].astype("str")
    out["match_status"] = pd.Categorical(frame["match_status"].astype("str"), dtype=_STATUS_DTYPE)
    out["ring"] = pd.Categorical(frame["ring"].astype("str"), dtype=_ring_dtype(place))
    out["imd_decile"] = frame["imd_decile"].astype("Int64")
    out["influenceable"] = frame["influenceable"].astype(bool)
    out["rule"] = frame["rule"].astype("str")
    columns = [*SUPPLIER_COLUMNS, "lines", "amount", "credit_lines", "credit_amount", "duplicate_lines",
               "duplicate_amount", *_CLASSIFICATION_COLUMNS, "influenceable", "rule"]
    out = out[columns].sort_values(list(SUPPLIER_COLUMNS), na_position="last", kind="stable")
    return out.reset_index(drop=True)


def _pandas_suppliers(ledger: pd.DataFrame, drop_exact_duplicates: bool) -> pd.DataFrame:
    """Supplier-level sums of a line-level ledger, with exact-duplicate and credit counts (pence)."""
    lines = ledger.copy()
    for column in ("supplier_id", "supplier_name"):
        if column not in lines.columns:
            lines[column] = pd.Series(pd.NA, index=lines.index, dtype="str")
    lines["p"] = _pence(lines["amount"])
    lines["year"] = _financial_year(lines["payment_date"])
    lines["payment_date"] = pd.to_datetime(lines["payment_date"], format="ISO8601").dt.normalize()
    text = ["anchor_id", "supplier_id", "supplier_name", "supplier_postcode", "category"]
    for column in text:
        lines[column] = lines[column].astype("str")
    copies = lines.groupby([*text, "year", "payment_date", "p"], dropna=False, sort=False).size().rename("n")
    copies = copies.reset_index()
    kept = 1 if drop_exact_duplicates else copies["n"]
    copies["lines"] = kept
    copies["pence"] = kept * copies["p"]
    credit = copies["p"] < 0
    copies["credit_lines"] = np.where(credit, kept, 0)
    copies["credit_pence"] = np.where(credit, kept * copies["p"], 0)
    copies["duplicate_lines"] = copies["n"] - 1
    copies["duplicate_pence"] = (copies["n"] - 1) * copies["p"]
    measures = ["lines", "pence", "credit_lines", "credit_pence", "duplicate_lines", "duplicate_pence"]
    grouped = copies.groupby(list(SUPPLIER_COLUMNS), dropna=False, sort=False)[measures].sum()
    return grouped.reset_index()


def analyse_ledger(
    ledger: pd.DataFrame,
    place: str | Place = "leeds",
    lookup: pd.DataFrame | None = None,
    imd_edition: int = 2019,
    *,
    rules: SpendRules | str | Path | None = None,
    imd: pd.DataFrame | None = None,
    outside_lookup: str = ELSEWHERE,
    drop_exact_duplicates: bool = False,
    top_n: Sequence[int] = (10, 50, 300),
) -> SpendAnalysis:
    """The whole spend analysis of an in-memory, line-level ledger (pandas engine); see :class:`SpendAnalysis`.

    ``drop_exact_duplicates=False`` (default) keeps exact duplicate lines in every total and reports them
    (``duplicates`` table, ``duplicate_lines``/``duplicate_spend`` metrics); ``True`` keeps only the first copy.
    """
    place = load_place(place)
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    _check_ledger_frame(ledger, "the ledger")
    suppliers = _pandas_suppliers(ledger, drop_exact_duplicates)
    suppliers = classify_supplier_postcodes(suppliers, _load_lookup(lookup), place, imd_edition, imd=imd,
                                            outside_lookup=outside_lookup)
    suppliers = _finalise_suppliers(suppliers, place, rules)
    return SpendAnalysis(suppliers, place, _check_edition(imd_edition), rules, "pandas", drop_exact_duplicates,
                         top_n=tuple(top_n))


# --- reading ledger files -------------------------------------------------------------------------------------

def _resolve_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Ledger files from a file, a folder (its ``*.csv`` and ``*.csv.gz``), a glob pattern, or a list of those."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += sorted([*path.glob("*.csv"), *path.glob("*.csv.gz")])
        elif any(ch in str(item) for ch in "*?["):
            found += sorted(Path(p) for p in _glob(str(item)))
        elif path.is_file():
            found.append(path)
        else:
            raise SpendError(f"ledger file or folder not found: {item}")
    if not found:
        raise SpendError(f"no ledger files (*.csv, *.csv.gz) found in {paths}")
    return found


def _glob(pattern: str) -> list[str]:
    import glob

    return glob.glob(pattern)


def _read_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise SpendError(f"{path}: empty file (no header row)")
    return [h.strip() for h in header]


def _check_header(path: Path) -> list[str]:
    header = _read_header(path)
    missing = [c for c in REQUIRED_LEDGER_COLUMNS if c not in header]
    if not ({"supplier_id", "supplier_name"} & set(header)):
        missing.append("supplier_id or supplier_name")
    if missing:
        raise SpendError(f"{path}: missing ledger column(s) {missing}; a ledger has columns {list(LEDGER_COLUMNS)}")
    return header


def _check_ledger_frame(ledger: pd.DataFrame, what: str) -> None:
    missing = [c for c in REQUIRED_LEDGER_COLUMNS if c not in ledger.columns]
    if not ({"supplier_id", "supplier_name"} & set(ledger.columns)):
        missing.append("supplier_id or supplier_name")
    if missing:
        raise SpendError(f"{what}: missing ledger column(s) {missing}; a ledger has columns {list(LEDGER_COLUMNS)}")


def read_ledger(paths: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Read ledger CSV files with pandas (for ledgers that fit in memory): the :data:`LEDGER_COLUMNS`.

    Text stays text (``"N/A"`` is a value, not missing; only empty fields are missing), ``amount`` becomes
    float64 and ``payment_date`` datetime64. Errors name the file and the row as Excel shows it (header = row 1).
    """
    frames = []
    for path in _resolve_paths(paths):
        _check_header(path)
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8-sig")
        raw.columns = [c.strip() for c in raw.columns]
        frame = pd.DataFrame({c: raw[c] if c in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
                              for c in LEDGER_COLUMNS})
        amount = pd.to_numeric(frame["amount"], errors="coerce")
        dates = pd.to_datetime(frame["payment_date"], format="ISO8601", errors="coerce")
        dates = dates.where(frame["payment_date"].str.match(r"\s*\d{4}-\d{1,2}-\d{1,2}").fillna(False).astype(bool))
        for column, parsed, rule in (("amount", amount, "a number"),
                                     ("payment_date", dates, "an ISO date (YYYY-MM-DD)")):
            bad = parsed.isna()
            if bad.any():
                rows = [f"row {i + 2} ({frame[column].iloc[i]!r})" for i in np.flatnonzero(bad.to_numpy())[:5]]
                raise SpendError(f"{path}: {int(bad.sum())} {column} value(s) are not {rule}: {', '.join(rows)}")
        frame["amount"] = amount.astype("float64")
        frame["payment_date"] = dates
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# --- DuckDB engine --------------------------------------------------------------------------------------------

# Mirrors anchor_analysis.postcodes.normalise_postcode: the same space characters, only a-z uppercased.
_SQL_SPACES = r"[ \t\n\r\f\x{0B}\x{00A0}\x{2007}\x{202F}]+"
_SQL_UPPER = "translate({}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"


def _sql_normalised_postcode(column: str) -> str:
    compact = _SQL_UPPER.format(f"regexp_replace({column}, '{_SQL_SPACES}', '', 'g')")
    tidied = _SQL_UPPER.format(f"trim(regexp_replace({column}, '{_SQL_SPACES}', ' ', 'g'), ' ')")
    return (f"CASE WHEN {column} IS NULL OR {compact} = '' THEN NULL "
            f"WHEN length({compact}) BETWEEN 5 AND 7 "
            f"THEN left({compact}, length({compact}) - 3) || ' ' || right({compact}, 3) "
            f"ELSE {tidied} END")


def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _sql_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_sql_str(v) for v in values) + "]"


def _sql_year(column: str) -> str:
    return f"CAST(year({column}) - CASE WHEN month({column}) < 4 THEN 1 ELSE 0 END AS BIGINT)"


def _connect(memory_limit: str | None, threads: int | None, temp_dir: str):
    import duckdb

    config: dict[str, Any] = {"preserve_insertion_order": False, "temp_directory": temp_dir}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = int(threads)
    return duckdb.connect(config=config)


def _duckdb_suppliers(
    files: list[Path], prepared: pd.DataFrame, place: Place, *, outside_lookup: str, drop_exact_duplicates: bool,
    memory_limit: str | None, threads: int | None, exact_duplicates: bool = False,
) -> pd.DataFrame:
    """Supplier-level table of many ledger files in one DuckDB pass (see :func:`classify_ledger_files`)."""
    import duckdb
    import pyarrow as pa

    by_header: dict[tuple[str, ...], list[Path]] = {}
    for path in files:
        by_header.setdefault(tuple(_check_header(path)), []).append(path)

    def source(with_file: bool) -> str:
        # one read_csv per header layout, every column read as text under the header's (trimmed) names, so nothing
        # is sniffed or guessed ("007" stays "007"); layouts are stacked by column name
        parts = []
        for header, paths in by_header.items():
            columns = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in header) + "}"
            reader = (f"read_csv({_sql_list(str(p) for p in paths)}, header = true, columns = {columns}, "
                      f"delim = ',', quote = '\"', escape = '\"', auto_detect = false"
                      f"{', filename = true' if with_file else ''})")
            wanted = [f'"{c}"' if c in header else f"CAST(NULL AS VARCHAR) AS {c}" for c in LEDGER_COLUMNS]
            parts.append(f"SELECT {', '.join(wanted)}{', filename' if with_file else ''} FROM {reader}")
        return "(" + " UNION ALL ".join(parts) + ")"

    keys = "anchor_id, supplier_id, supplier_name, supplier_postcode, category"
    with tempfile.TemporaryDirectory(prefix="anchor_spend_duckdb_") as temp_dir:
        con = _connect(memory_limit, threads, temp_dir)
        try:
            lines = f"""
                SELECT {keys},
                       TRY_CAST(TRY_CAST(payment_date AS TIMESTAMP) AS DATE) AS d,
                       TRY_CAST(amount AS DOUBLE) AS a
                FROM {source(False)}"""
            con.execute(f"CREATE TEMP VIEW ledger_lines AS {lines}")
            typed = f"""SELECT {keys}, d AS payment_date, {_sql_year('d')} AS year,
                               CAST(round_even(a * 100, 0) AS BIGINT) AS p,
                               hash({keys}) AS hk
                        FROM ledger_lines"""
            if exact_duplicates:
                grain = _exact_grain_sql(typed, keys)
            else:
                grain = _hashed_grain_sql(typed, keys)
            with_file = source(True)
            try:
                con.execute(f"CREATE TEMP TABLE grain AS {grain}")
            except (duckdb.ConversionException, duckdb.InvalidInputException):
                # DuckDB pushes the casts into the CSV reader, which then fails on the first bad value
                _raise_bad_values(con, with_file)
                raise
            bad = con.execute("SELECT coalesce(sum(bad_lines), 0) FROM grain").fetchall()[0][0]
            if bad:
                _raise_bad_values(con, with_file)
            if not exact_duplicates:
                distinct_keys, distinct_hashes = con.execute(
                    f"SELECT count(*), count(DISTINCT hk) FROM (SELECT DISTINCT {keys}, hk FROM grain)").fetchall()[0]
                if distinct_keys != distinct_hashes:  # a 64-bit hash collision: redo it exactly (never seen)
                    con.close()
                    return _duckdb_suppliers(files, prepared, place, outside_lookup=outside_lookup,
                                             drop_exact_duplicates=drop_exact_duplicates, memory_limit=memory_limit,
                                             threads=threads, exact_duplicates=True)
            con.register("pc_lookup", pa.Table.from_pandas(prepared, preserve_index=False))
            areas = pd.DataFrame({"area": sorted(set(prepared["postcode_area"].dropna()))})
            con.register("pc_areas", pa.Table.from_pandas(areas, preserve_index=False))
            normalised = _sql_normalised_postcode("raw")
            pattern = _postcode_pattern().replace("'", "''")
            keep = "1" if drop_exact_duplicates else "0"
            query = f"""
                WITH raw_postcodes AS (SELECT DISTINCT supplier_postcode AS raw FROM grain),
                norm AS (SELECT raw, {normalised} AS postcode_normalised FROM raw_postcodes),
                valid AS (SELECT raw, postcode_normalised,
                                 coalesce(regexp_full_match(postcode_normalised, '{pattern}'), false) AS ok
                          FROM norm),
                located AS (
                    SELECT v.raw, v.postcode_normalised,
                           CASE WHEN v.ok THEN regexp_extract(v.postcode_normalised, '^([A-Z]+)', 1) END
                               AS postcode_area,
                           CASE WHEN v.postcode_normalised IS NULL THEN 'blank'
                                WHEN NOT v.ok THEN 'malformed'
                                WHEN l.postcode IS NOT NULL AND l.lad_code IS NOT NULL THEN 'matched'
                                WHEN l.postcode IS NOT NULL THEN 'unlocated'
                                WHEN regexp_extract(v.postcode_normalised, '^([A-Z]+)', 1)
                                     NOT IN (SELECT area FROM pc_areas) THEN 'outside_lookup_area'
                                ELSE 'not_found' END AS match_status,
                           l.lad_code, l.lsoa21_code, l.imd_decile, l.ring AS lookup_ring
                    FROM valid v LEFT JOIN pc_lookup l ON v.ok AND l.postcode = v.postcode_normalised)
                SELECT g.anchor_id, g.year, g.supplier_id, g.supplier_name, g.supplier_postcode, g.category,
                       g.n - {keep} * g.dup_n AS lines, g.pence - {keep} * g.dup_pence AS pence,
                       g.credit_n - {keep} * g.dup_credit_n AS credit_lines,
                       g.credit_pence - {keep} * g.dup_credit_pence AS credit_pence,
                       g.dup_n AS duplicate_lines, g.dup_pence AS duplicate_pence,
                       x.postcode_normalised, x.postcode_area, x.match_status, x.lad_code, x.lsoa21_code,
                       x.imd_decile,
                       CASE WHEN x.match_status = 'matched' THEN x.lookup_ring
                            WHEN x.match_status = 'outside_lookup_area' THEN '{outside_lookup}'
                            ELSE '{UNKNOWN}' END AS ring
                FROM grain g LEFT JOIN located x ON g.supplier_postcode IS NOT DISTINCT FROM x.raw"""
            result = con.sql(query).to_arrow_table()
        except duckdb.Error as exc:
            raise SpendError(f"reading the ledger files failed: {exc}") from exc
        finally:
            con.close()
    table = result if isinstance(result, pa.Table) else result.read_all()
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


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
    memory_limit: str | None = "1GB",
    threads: int | None = None,
    data_dir: Any = None,
) -> SpendAnalysis:
    """The whole spend analysis of ledger CSV files too big for memory: a :class:`SpendAnalysis`.

    ``paths``: a file, a folder (every ``*.csv`` / ``*.csv.gz`` in it), a glob (``"ledger/*_2023.csv"``) or a list.
    Files may order their columns differently and carry extra ones. ``engine="duckdb"`` (default) reads all files in
    one streaming DuckDB pass: text kept as text, postcodes normalised in SQL and joined to the lookup (registered
    as an Arrow table), lines summed per supplier in SQL, with exact duplicates and credits counted in the same
    pass; only the supplier-level table (thousands of rows) comes back to pandas for the rules and the summaries.
    ``engine="pandas"`` reads the files with :func:`read_ledger` and runs :func:`analyse_ledger`; both engines
    give identical tables. ``memory_limit`` caps DuckDB's memory (it spills to a temporary folder beyond it);
    ``threads`` defaults to every core. ``lookup`` defaults to ``public.load_postcode_lookup("region")``.

    >>> analysis = classify_ledger_files("data/raw/demo/ledger", "leeds")  # doctest: +SKIP
    >>> analysis.summary.query("metric == 'spend_leeds'").head()          # doctest: +SKIP
    """
    place = load_place(place)
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    edition = _check_edition(imd_edition)
    if outside_lookup not in (ELSEWHERE, UNKNOWN):
        raise SpendError(f"outside_lookup must be {ELSEWHERE!r} or {UNKNOWN!r}, got {outside_lookup!r}")
    files = _resolve_paths(paths)
    lookup = _load_lookup(lookup, data_dir)
    if engine == "pandas":
        return analyse_ledger(read_ledger(files), place, lookup, edition, rules=rules, imd=imd,
                              outside_lookup=outside_lookup, drop_exact_duplicates=drop_exact_duplicates, top_n=top_n)
    if engine != "duckdb":
        raise SpendError(f"engine must be 'duckdb' or 'pandas', got {engine!r}")
    prepared = prepare_postcode_lookup(lookup, place, edition, imd)
    suppliers = _duckdb_suppliers(files, prepared, place, outside_lookup=outside_lookup,
                                  drop_exact_duplicates=drop_exact_duplicates, memory_limit=memory_limit,
                                  threads=threads)
    suppliers = _finalise_suppliers(suppliers, place, rules)
    return SpendAnalysis(suppliers, place, edition, rules, "duckdb", drop_exact_duplicates, top_n=tuple(top_n))


# --- the council's transparency ledger ------------------------------------------------------------------------

ALL_LINES_FROM = "2014-01"
"""First monthly file in which Leeds City Council published all transactions (before: only lines over GBP 500)."""

_REDACTED = r"^\s*REDACTED\b"
_REDACTED_PERSONAL = r"^\s*REDACTED\s+PERSONAL\s+DATA\s*$"


def _sql_supplier_name(column: str) -> str:
    """SQL twin of :func:`normalise_supplier_name`."""
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
) -> pd.DataFrame:
    """Profile of a council transparency ledger per financial year (April-March by ``payment_date``), in DuckDB.

    ``spending``: a frame like ``public.load_spending("basic")`` (``payment_date, amount_gbp, supplier_name`` and
    optionally ``source_file_month``), a CSV path (``.csv`` or ``.csv.gz``), or ``None`` for the registered Leeds
    City Council file (``public.dataset_path("spending_basic")``).

    One row per financial year: ``year, fy`` ("2014/15"), ``months_published`` (distinct publication months whose
    month falls in the year, when ``source_file_month`` is known), ``lines, total_gbp, suppliers`` (distinct
    normalised names, redacted and blank names excluded), ``top_<n>_share`` (net spend of the top-``n`` suppliers
    by net spend / total net spend), ``redacted_lines, redacted_gbp`` (names starting "REDACTED"), of which
    ``redacted_personal_lines, redacted_personal_gbp`` ("REDACTED PERSONAL DATA"), ``lines_under_threshold,
    gbp_under_threshold, share_lines_under_threshold`` (|amount| < ``threshold``), then the consistent series over
    lines with |amount| >= ``threshold``: ``lines_over_threshold, total_gbp_over_threshold,
    suppliers_over_threshold, top_<n>_share_over_threshold``; and ``threshold_note``.

    Why the consistent series: until ``all_lines_from`` (Leeds: January 2014) only payments over GBP 500 were
    published; afterwards all transactions were, so lines under GBP 500 jump from under 15% to about two thirds and
    totals and supplier counts are not comparable across the change without the filter.

    ``cache``: the profile of the registered file (``spending=None``) is computed once and kept with
    :func:`anchor_analysis.public.cached_derived_table`, keyed on the file's SHA-256, the arguments and this
    module's code; every year of an annual run shows the same profile, so it is not recomputed for each.

    >>> profile = council_spend_profile()  # doctest: +SKIP
    >>> shares = profile.set_index("fy")["share_lines_under_threshold"]  # doctest: +SKIP
    >>> shares.loc[["2012/13", "2014/15"]].round(2).tolist()  # doctest: +SKIP
    [0.07, 0.69]
    """
    if spending is None and cache:
        from . import public

        path = public.dataset_path("spending_basic", data_dir)  # verified against the registry
        key = (int(top_n), float(threshold), str(all_lines_from), public.code_digest(__file__))
        return public.cached_derived_table(
            "council_spend_profile", ["spending_basic"], key,
            lambda: council_spend_profile(path, top_n=top_n, threshold=threshold, all_lines_from=all_lines_from,
                                          threads=threads, cache=False))

    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect(config={"threads": int(threads)} if threads else {})
    try:
        if isinstance(spending, pd.DataFrame):
            _need(spending, ["payment_date", "amount_gbp", "supplier_name"], "pass public.load_spending('basic')")
            frame = spending[[c for c in ("payment_date", "amount_gbp", "supplier_name", "source_file_month")
                              if c in spending.columns]]
            con.register("spending_input", frame)
            source = "spending_input"
            has_month = "source_file_month" in frame.columns
        else:
            if spending is None:
                from . import public

                path = public.dataset_path("spending_basic", data_dir)
            else:
                path = Path(spending)
                if not path.is_file():
                    raise SpendError(f"spending file not found: {path}")
            header = _read_header(Path(path))
            missing = [c for c in ("payment_date", "amount_gbp", "supplier_name") if c not in header]
            if missing:
                raise SpendError(f"{path}: missing column(s) {missing}")
            has_month = "source_file_month" in header
            columns = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in header) + "}"
            source = (f"read_csv('{str(path).replace(chr(39), chr(39) * 2)}', header = true, columns = {columns}, "
                      "delim = ',', quote = '\"', escape = '\"', auto_detect = false)")
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
        base = con.execute("""
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
        tops = con.execute(f"""
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
        months = con.execute(f"""
            SELECT {_sql_year("CAST(source_month || '-01' AS DATE)")} AS year,
                   count(DISTINCT source_month) AS months_published,
                   min(source_month) AS first_month, max(source_month) AS last_month
            FROM lines WHERE source_month IS NOT NULL GROUP BY ALL""").df() if has_month else None
    except duckdb.Error as exc:
        raise SpendError(f"profiling the spending ledger failed: {exc}") from exc
    finally:
        con.close()
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
    result.attrs["seconds"] = time.perf_counter() - t0
    return result


def _threshold_note(year: int, months: pd.Series | None, all_lines_from: str, threshold: float) -> str:
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
