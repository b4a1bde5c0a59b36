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
