"""Influenceable-spend rules as configuration: every excluded pound is excluded by a named rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from anchor_analysis.core.errors import SpendError

# --- influenceable-spend rules ------------------------------------------------------------------------------

_RULE_KEY = re.compile(r"[a-z][a-z0-9_]*")
RULE_FIELDS = ("category", "expense_type", "service_area", "supplier_name")
"""The ledger fields a rule can look at (the supplier by its name; the others by exact names or patterns)."""
_NAMED_FIELDS = {"category": "categories", "expense_type": "expense_types", "service_area": "service_areas"}
_LISTS = ("categories", "category_patterns", "expense_types", "expense_type_patterns", "service_areas",
          "service_area_patterns", "supplier_patterns")
_RULE_FIELDS = {"key", "label", "description", *_LISTS}


@dataclass(frozen=True)
class SpendRule:
    r"""One reason for excluding spend from influenceable spend (a ``[[rule]]`` of the rules TOML).

    A line is excluded by the rule when its category, expense type or service area is one of the rule's names for
    that field (``categories``, ``expense_types``, ``service_areas``: case and surrounding spaces ignored) or matches
    one of its patterns for it (``category_patterns``, ``expense_type_patterns``, ``service_area_patterns``), or
    its supplier name matches a ``supplier_patterns`` entry (regular expressions, searched case-insensitively).

    Parameters
    ----------
    key : str
        The rule's key (lower-case letters, digits and underscores), e.g. ``"tax"``.
    label : str
        Its name in reports, e.g. "Tax".
    description : str, optional
        What it excludes and why.
    categories, expense_types, service_areas : tuple of str, optional
        Names excluded exactly, in the category, expense type and service area.
    category_patterns, expense_type_patterns, service_area_patterns, supplier_patterns : tuple of str, optional
        Regular expressions searched in the category, expense type, service area and supplier name.

    Examples
    --------
    >>> rule = SpendRule("tax", "Tax", categories=("Tax",), supplier_patterns=(r"\bHMRC\b",))
    >>> rule.matches(pd.Series(["Goods", "Goods"]), pd.Series(["HMRC", "Acme"])).tolist()
    [True, False]
    >>> rule = SpendRule("levies", "Levies", expense_type_patterns=(r"\bprecepts?\b",))
    >>> rule.hits("expense_type", ["Parish Precepts", "Rents", None]).tolist()
    [True, False, False]
    """

    key: str
    label: str
    description: str = ""
    categories: tuple[str, ...] = ()
    category_patterns: tuple[str, ...] = ()
    supplier_patterns: tuple[str, ...] = ()
    expense_types: tuple[str, ...] = ()
    expense_type_patterns: tuple[str, ...] = ()
    service_areas: tuple[str, ...] = ()
    service_area_patterns: tuple[str, ...] = ()

    def _compiled(self, patterns: tuple[str, ...]) -> re.Pattern[str] | None:
        """The patterns as one case-insensitive alternation (None for none)."""
        if not patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    def hits(self, field: str, values: Sequence[object]) -> np.ndarray:
        r"""Which values of a ledger field (text or missing) the rule excludes.

        Parameters
        ----------
        field : {"category", "expense_type", "service_area", "supplier_name"}
            The field the values are of (:data:`RULE_FIELDS`).
        values : sequence
            Its values; anything but text (a missing value) is never excluded.

        Returns
        -------
        ndarray of bool
            One flag per value.

        Examples
        --------
        >>> rule = SpendRule("grants", "Grants", expense_types=("Direct Payments",),
        ...                  service_area_patterns=(r"^welfare\b",))
        >>> rule.hits("expense_type", ["direct payments ", "Rents"]).tolist()
        [True, False]
        >>> rule.hits("service_area", ["Welfare Rights", "Highways"]).tolist()
        [True, False]
        """
        if field not in RULE_FIELDS:
            raise SpendError(f"field must be one of {list(RULE_FIELDS)}, got {field!r}")
        names = getattr(self, _NAMED_FIELDS[field]) if field in _NAMED_FIELDS else ()
        wanted = {name.strip().casefold() for name in names}
        patterns = self.supplier_patterns if field == "supplier_name" else getattr(self, f"{field}_patterns")
        compiled = self._compiled(patterns)
        if not wanted and compiled is None:
            return np.zeros(len(values), dtype=bool)
        return np.array([isinstance(v, str) and (v.strip().casefold() in wanted
                                                 or (compiled is not None and compiled.search(v) is not None))
                         for v in values], dtype=bool)

    def category_hits(self, categories: Sequence[object]) -> np.ndarray:
        r"""Which categories (text or missing) the rule excludes: exact names or category patterns.

        Parameters
        ----------
        categories : sequence
            Category values; anything but text (a missing value) is never excluded.

        Returns
        -------
        ndarray of bool
            One flag per category.

        Examples
        --------
        >>> rule = SpendRule("tax", "Tax", categories=("Tax",), category_patterns=(r"\bVAT\b",))
        >>> rule.category_hits([" tax ", "VAT refund", "Goods", None]).tolist()
        [True, True, False, False]
        """
        return self.hits("category", categories)

    def supplier_hits(self, names: Sequence[object]) -> np.ndarray:
        r"""Which supplier names (text or missing) the rule excludes.

        Parameters
        ----------
        names : sequence
            Supplier names; anything but text (a missing name) is never excluded.

        Returns
        -------
        ndarray of bool
            One flag per name (all False for a rule without supplier patterns).

        Examples
        --------
        >>> SpendRule("tax", "Tax", supplier_patterns=(r"\bHMRC\b",)).supplier_hits(["Pay HMRC", "Acme", None]).tolist()
        [True, False, False]
        """
        return self.hits("supplier_name", names)

    def matches(self, category: pd.Series, supplier_name: pd.Series, expense_type: pd.Series | None = None,
                service_area: pd.Series | None = None) -> np.ndarray:
        """Boolean array: which lines this rule excludes.

        Parameters
        ----------
        category, supplier_name : Series
            The lines' categories and supplier names, aligned.
        expense_type, service_area : Series, optional
            Their expense types and service areas (missing: never excluded by them).

        Returns
        -------
        ndarray of bool
            True where any of the fields is excluded by the rule.

        Examples
        --------
        >>> rule = SpendRule("tax", "Tax", categories=("Tax",), supplier_patterns=(r"\\bHMRC\\b",))
        >>> rule.matches(pd.Series([" tax ", "Goods", None]), pd.Series(["x", "HMRC", None])).tolist()
        [True, True, False]
        """
        hit = self.category_hits(list(category)) | self.supplier_hits(list(supplier_name))
        for field, values in (("expense_type", expense_type), ("service_area", service_area)):
            if values is not None:
                hit |= self.hits(field, list(values))
        return hit


@dataclass(frozen=True)
class SpendRules:
    """An ordered set of exclusion rules; the first rule that matches a line excludes it.

    Parameters
    ----------
    rules : tuple of SpendRule
        The rules, in the order they are tried.
    source : str, default "spend_rules.toml"
        Where they were read from (named in error messages).

    See Also
    --------
    load_spend_rules : The kit's rules, or a TOML file of rules.

    Examples
    --------
    >>> rules = SpendRules((SpendRule("tax", "Tax", categories=("Tax",)), SpendRule("pay", "Pay", categories=("Pay",))))
    >>> rules.keys, rules.label("pay")
    (['tax', 'pay'], 'Pay')
    """

    rules: tuple[SpendRule, ...]
    source: str = "spend_rules.toml"

    @property
    def keys(self) -> list[str]:
        """The rule keys, in order."""
        return [rule.key for rule in self.rules]

    def label(self, key: str) -> str:
        """The label of the rule ``key``.

        Parameters
        ----------
        key : str
            A rule key.

        Returns
        -------
        str

        Raises
        ------
        KeyError
            If there is no such rule (the message lists the keys).

        Examples
        --------
        >>> load_spend_rules().label("public_bodies")
        'Payments to other public bodies'
        """
        for rule in self.rules:
            if rule.key == key:
                return rule.label
        raise KeyError(f"no spend rule {key!r} in {self.source}; rules are {self.keys}")

    def to_frame(self) -> pd.DataFrame:
        """The rules as a table (one row per rule, patterns joined with `` | ``), for reports.

        Returns
        -------
        DataFrame
            ``order, key, label, description`` and one column per list of names or patterns (``categories,
            category_patterns, expense_types, expense_type_patterns, service_areas, service_area_patterns,
            supplier_patterns``).

        Examples
        --------
        >>> load_spend_rules().to_frame()[["order", "key", "label"]].head(2).values.tolist()
        [[1, 'pay', 'Pay and payroll'], [2, 'tax', 'Tax']]
        """
        return pd.DataFrame(
            {"order": i + 1, "key": r.key, "label": r.label, "description": r.description,
             **{name: " | ".join(getattr(r, name)) for name in _LISTS}}
            for i, r in enumerate(self.rules)
        )


def load_spend_rules(path: str | Path | None = None) -> SpendRules:
    """Load influenceable-spend rules: the kit's ``spend_rules.toml`` by default, or any TOML file of that shape.

    Each ``[[rule]]`` table has ``key`` and ``label``, optionally ``description``, and at least one of
    ``categories``, ``category_patterns``, ``expense_types``, ``expense_type_patterns``, ``service_areas``,
    ``service_area_patterns`` and ``supplier_patterns`` (lists of strings).

    Parameters
    ----------
    path : str or Path, optional
        A rules TOML file (default: the kit's).

    Returns
    -------
    SpendRules
        The rules in file order.

    Raises
    ------
    SpendError
        Naming the file and the rule: unreadable TOML, no rules, unknown fields, a missing key or label, a duplicate
        key, a rule with nothing to match, or a pattern that is not a valid regular expression.

    Examples
    --------
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
        for name in _LISTS:
            value = table.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise SpendError(f"{where}: {name!r} must be a list of non-empty strings")
            lists[name] = tuple(value)
        for name in (n for n in _LISTS if n.endswith("_patterns")):
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


def apply_influenceable_rules(ledger: pd.DataFrame, rules: SpendRules | str | Path | None = None, *,
                              fields: Sequence[str] = RULE_FIELDS) -> pd.DataFrame:
    """Flag every line influenceable or excluded, with the key of the first rule that excludes it.

    Rules look at ``category``, ``expense_type``, ``service_area`` and ``supplier_name``; a ledger without one of
    them is treated as having it blank. Each distinct value of each field is evaluated once, so this is fast on
    long ledgers.

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines or the supplier-level table (any columns; the :data:`RULE_FIELDS` it has are read).
    rules : SpendRules, str or Path, optional
        The rules, a TOML path, or ``None`` for the kit's rules (:func:`load_spend_rules`).
    fields : sequence of str, default :data:`RULE_FIELDS`
        The fields the rules may look at (``("supplier_name",)``: as if the ledger had nothing else, to see what
        the others change; :func:`rule_field_effect`).

    Returns
    -------
    DataFrame
        A copy of ``ledger`` with ``rule`` (str; missing for influenceable lines) and ``influenceable`` (bool).

    Raises
    ------
    SpendError
        If ``rules`` is a file that cannot be used (see :func:`load_spend_rules`), or ``fields`` names another
        field.

    Examples
    --------
    >>> lines = pd.DataFrame({"category": ["ICT", "Pensions", "ICT"],
    ...                       "supplier_name": ["Acme", "Acme", "Leeds City Council"]})
    >>> apply_influenceable_rules(lines)[["influenceable", "rule"]].values.tolist()
    [[True, nan], [False, 'pensions'], [False, 'public_bodies']]
    >>> lines = pd.DataFrame({"expense_type": ["Direct Payments", "Rents"], "supplier_name": ["A Person", "Acme"]})
    >>> apply_influenceable_rules(lines)["rule"].tolist()
    ['grants_to_individuals', nan]
    """
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    unknown = [f for f in fields if f not in RULE_FIELDS]
    if unknown:
        raise SpendError(f"fields must be among {list(RULE_FIELDS)}, got {unknown}")
    codes = {}
    for column in fields:
        values = ledger[column] if column in ledger.columns else pd.Series(pd.NA, index=ledger.index, dtype="str")
        code, uniques = pd.factorize(values.astype("str"), use_na_sentinel=True)
        # the extra last entry stands for a missing value (code -1)
        codes[column] = (np.where(code < 0, len(uniques), code), [*np.asarray(uniques, dtype=object).tolist(), None])
    rule = np.full(len(ledger), None, dtype=object)
    for r in rules.rules:
        open_ = pd.isna(rule)
        if not open_.any():
            break
        hit = np.zeros(len(ledger), dtype=bool)
        for column, (code, values) in codes.items():
            hit |= r.hits(column, values)[code]
        rule[hit & open_] = r.key
    out = ledger.copy()
    out["rule"] = pd.Series(rule, index=ledger.index, dtype="str")
    out["influenceable"] = pd.isna(rule)
    return out


def rule_field_effect(ledger: pd.DataFrame, rules: SpendRules | str | Path | None = None, *,
                      base: Sequence[str] = ("supplier_name",), by: Sequence[str] = ()) -> pd.DataFrame:
    """What the fields beyond ``base`` change: pounds excluded by each rule with and without them.

    For a ledger that carries a category, an expense type or a service area (a council's detailed transparency
    files), how much more (or other) spend the rules exclude when they may look at those too, rule by rule.

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines (``amount`` and the :data:`RULE_FIELDS` it has) or the supplier-level table.
    rules : SpendRules, str or Path, optional
        The rules (default: the kit's).
    base : sequence of str, default ``("supplier_name",)``
        The fields of the comparison's first run.
    by : sequence of str, optional
        Groups (e.g. ``("year",)``).

    Returns
    -------
    DataFrame
        ``*by, rule, label, lines_base, spend_base, lines, spend, spend_added`` (GBP): per rule (and
        ``influenceable``, the lines no rule excludes), the lines and net spend with ``base`` only and with every
        field, and the difference.

    Examples
    --------
    >>> lines = pd.DataFrame({"amount": [100.0, 40.0, 7.0], "supplier_name": ["Acme", "A Person", "HMRC"],
    ...                       "expense_type": ["Rents", "Direct Payments", "Rents"]})
    >>> effect = rule_field_effect(lines)
    >>> effect.loc[effect["spend_added"] != 0, ["rule", "spend_base", "spend", "spend_added"]].values.tolist()
    [['grants_to_individuals', 0.0, 40.0, 40.0], ['influenceable', 140.0, 100.0, -40.0]]
    """
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    by = list(by)
    runs = []
    for suffix, fields in (("_base", tuple(base)), ("", RULE_FIELDS)):
        flagged = apply_influenceable_rules(ledger, rules, fields=fields)
        flagged = flagged.assign(rule=flagged["rule"].fillna("influenceable"),
                                 _pence=np.round(flagged["amount"].astype("float64") * 100).astype("int64"),
                                 _lines=flagged["lines"] if "lines" in flagged else 1)
        sums = flagged.groupby([*by, "rule"], dropna=False)[["_lines", "_pence"]].sum()
        runs.append(sums.rename(columns={"_lines": f"lines{suffix}", "_pence": f"pence{suffix}"}))
    keys = [*rules.keys, "influenceable"]
    out = runs[0].join(runs[1], how="outer").fillna(0).astype("int64").reset_index()
    out["order"] = out["rule"].map({key: n for n, key in enumerate(keys)})
    out = out.sort_values([*by, "order"]).reset_index(drop=True)
    out["label"] = out["rule"].map({**{key: rules.label(key) for key in rules.keys},
                                    "influenceable": "Influenceable (no rule)"})
    for suffix in ("_base", ""):
        out[f"spend{suffix}"] = out.pop(f"pence{suffix}") / 100
    out["spend_added"] = (out["spend"] * 100 - out["spend_base"] * 100).round() / 100
    return out[[*by, "rule", "label", "lines_base", "spend_base", "lines", "spend", "spend_added"]]
