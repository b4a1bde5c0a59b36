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
    r"""One reason for excluding spend from influenceable spend (a ``[[rule]]`` of the rules TOML).

    A line is excluded by the rule when its category is one of ``categories`` (case and surrounding spaces
    ignored) or matches a ``category_patterns`` entry, or its supplier name matches a ``supplier_patterns`` entry
    (regular expressions, searched case-insensitively).

    Parameters
    ----------
    key : str
        The rule's key (lower-case letters, digits and underscores), e.g. ``"tax"``.
    label : str
        Its name in reports, e.g. "Tax".
    description : str, optional
        What it excludes and why.
    categories : tuple of str, optional
        Category names excluded exactly.
    category_patterns, supplier_patterns : tuple of str, optional
        Regular expressions searched in the category and in the supplier name.

    Examples
    --------
    >>> rule = SpendRule("tax", "Tax", categories=("Tax",), supplier_patterns=(r"\bHMRC\b",))
    >>> rule.matches(pd.Series(["Goods", "Goods"]), pd.Series(["HMRC", "Acme"])).tolist()
    [True, False]
    """

    key: str
    label: str
    description: str = ""
    categories: tuple[str, ...] = ()
    category_patterns: tuple[str, ...] = ()
    supplier_patterns: tuple[str, ...] = ()

    def _compiled(self, patterns: tuple[str, ...]) -> re.Pattern[str] | None:
        """The patterns as one case-insensitive alternation (None for none)."""
        if not patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

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
        wanted = {c.strip().casefold() for c in self.categories}
        compiled = self._compiled(self.category_patterns)
        return np.array([isinstance(c, str) and (c.strip().casefold() in wanted
                                                 or (compiled is not None and compiled.search(c) is not None))
                         for c in categories], dtype=bool)

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
        compiled = self._compiled(self.supplier_patterns)
        if compiled is None:
            return np.zeros(len(names), dtype=bool)
        return np.array([isinstance(n, str) and compiled.search(n) is not None for n in names], dtype=bool)

    def matches(self, category: pd.Series, supplier_name: pd.Series) -> np.ndarray:
        """Boolean array: which (category, supplier_name) pairs this rule excludes.

        Parameters
        ----------
        category, supplier_name : Series
            The lines' categories and supplier names, aligned.

        Returns
        -------
        ndarray of bool
            True where the category or the supplier name is excluded by the rule.

        Examples
        --------
        >>> rule = SpendRule("tax", "Tax", categories=("Tax",), supplier_patterns=(r"\\bHMRC\\b",))
        >>> rule.matches(pd.Series([" tax ", "Goods", None]), pd.Series(["x", "HMRC", None])).tolist()
        [True, True, False]
        """
        return self.category_hits(list(category)) | self.supplier_hits(list(supplier_name))


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
            ``order, key, label, description, categories, category_patterns, supplier_patterns``.

        Examples
        --------
        >>> load_spend_rules().to_frame()[["order", "key", "label"]].head(2).values.tolist()
        [[1, 'pay', 'Pay and payroll'], [2, 'tax', 'Tax']]
        """
        return pd.DataFrame(
            {"order": i + 1, "key": r.key, "label": r.label, "description": r.description,
             "categories": " | ".join(r.categories), "category_patterns": " | ".join(r.category_patterns),
             "supplier_patterns": " | ".join(r.supplier_patterns)}
            for i, r in enumerate(self.rules)
        )


def load_spend_rules(path: str | Path | None = None) -> SpendRules:
    """Load influenceable-spend rules: the kit's ``spend_rules.toml`` by default, or any TOML file of that shape.

    Each ``[[rule]]`` table has ``key`` and ``label``, optionally ``description``, and at least one of
    ``categories``, ``category_patterns`` and ``supplier_patterns`` (lists of strings).

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

    Rules look at ``category`` and ``supplier_name``; a ledger without one of them is treated as having it blank.
    Each distinct (category, supplier name) pair is evaluated once, so this is fast on long ledgers.

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines or the supplier-level table (any columns; ``category`` and ``supplier_name`` are read).
    rules : SpendRules, str or Path, optional
        The rules, a TOML path, or ``None`` for the kit's rules (:func:`load_spend_rules`).

    Returns
    -------
    DataFrame
        A copy of ``ledger`` with ``rule`` (str; missing for influenceable lines) and ``influenceable`` (bool).

    Raises
    ------
    SpendError
        If ``rules`` is a file that cannot be used (see :func:`load_spend_rules`).

    Examples
    --------
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
