"""Supplier resolution: the name variants of the anchors' ledgers linked to one supplier key each.

Names are normalised (case, punctuation, card and web clutter, legal suffixes through ``cleanco``), then linked:
the same normalised name, the same company number, or a fuzzy name score (``rapidfuzz``) at or above the link
threshold between names that share a blocking token. A fuzzy pair between the review and the link thresholds, or
one whose postcodes differ, is borderline: it goes to the review table, and an analyst's decision on it (kept in
the review file) links or separates the two. Linked variants form one supplier (connected components); its key is
the register's, else ``CH-`` and its company number, else ``N-`` and a digest of its smallest normalised name, so
the same inputs give the same keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from cleanco import basename
from rapidfuzz import fuzz, process
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from anchor_analysis.analysis.spend.suppliers import normalise_supplier_name
from anchor_analysis.core.errors import SpendError

REDACTED_KEY = "(redacted)"
"""The key of payees withheld or redacted in the ledger ("REDACTED PERSONAL DATA"): a line of their own."""
NO_SUPPLIER_KEY = "(no supplier)"
"""The key of lines without a supplier name."""

_REDACTED = r"^(?:REDACTED|WITHHELD)\b|\bREDACTED$|^PERSONAL DATA$"
PUBLIC_BODY_NAME = (r"\b(?:COUNCIL|MBC|METROPOLITAN BOROUGH|NHS|CCG|POLICE|FIRE (?:AND|&) RESCUE|"
                    r"COMBINED AUTHORITY|SECRETARY OF STATE|HM REVENUE|HMRC|DEPARTMENT FOR|ENVIRONMENT AGENCY|"
                    r"PENSION (?:FUND|SCHEME)|P (?:AND|&) CC|BUSINESS SERVICES AUTHORITY)\b")
"""Names of public bodies (councils, the NHS, police, fire, combined authorities, government, public pensions):
how the kit recognises a public-body payee by name when the register does not say."""
_FILLER_TOKENS = ("UK", "GB", "U K", "THE")
_SCORERS = {"token_sort_ratio": fuzz.token_sort_ratio, "ratio": fuzz.ratio, "token_set_ratio": fuzz.token_set_ratio,
            "WRatio": fuzz.WRatio}


@dataclass(frozen=True)
class MatchSettings:
    """How names are linked: the thresholds are configuration (``network.toml``'s ``[suppliers]`` table).

    Parameters
    ----------
    link_score : float, default 92
        A fuzzy score (0-100) at or above which two names are the same supplier.
    review_score : float, default 80
        A score at or above which (and below ``link_score``) a pair is borderline and goes to review.
    scorer : str, default "token_sort_ratio"
        The ``rapidfuzz.fuzz`` scorer: ``token_sort_ratio`` (word order ignored), ``ratio``, ``token_set_ratio``
        or ``WRatio``.
    max_block : int, default 4000
        Blocking tokens shared by more names than this are too common to block on (their names are still blocked
        on their other tokens).

    Examples
    --------
    >>> MatchSettings.from_mapping({"link_score": 92}).link_score
    92.0
    >>> MatchSettings.from_mapping({"link_scor": 92})
    Traceback (most recent call last):
    anchor_analysis.core.errors.SupplierMatchingError: unknown [suppliers] setting 'link_scor': expected one of
    link_score, review_score, scorer, max_block
    """

    link_score: float = 92.0
    review_score: float = 80.0
    scorer: str = "token_sort_ratio"
    max_block: int = 4000

    def __post_init__(self):
        """Check the thresholds and the scorer."""
        from anchor_analysis.core.errors import SupplierMatchingError

        if not 0 <= self.review_score <= self.link_score <= 100:
            raise SupplierMatchingError(f"review_score and link_score must satisfy 0 <= review_score <= link_score "
                                        f"<= 100, got {self.review_score} and {self.link_score}")
        if self.scorer not in _SCORERS:
            raise SupplierMatchingError(f"scorer must be one of {', '.join(_SCORERS)}, got {self.scorer!r}")

    @classmethod
    def from_mapping(cls, settings: Mapping | None) -> MatchSettings:
        """Settings from ``network.toml``'s ``[suppliers]`` table (missing keys take the defaults)."""
        from anchor_analysis.core.errors import SupplierMatchingError

        names = [f.name for f in fields(cls)]
        for key in settings or {}:
            if key not in names:
                raise SupplierMatchingError(f"unknown [suppliers] setting {key!r}: expected one of {', '.join(names)}")
        kinds = {"link_score": float, "review_score": float, "scorer": str, "max_block": int}
        return cls(**{key: kinds[key](value) for key, value in (settings or {}).items()})


def matching_name(names: pd.Series) -> pd.Series:
    """Supplier names reduced to what identifies the firm: the name resolution links on.

    Upper case; card and payment references (``AMAZON.CO.UK*J146A4UU5``, tokens of 5 or more characters with a
    digit) and web clutter (``WWW.``, ``.CO.UK``) dropped;
    ``&`` -> ``AND``; punctuation dropped; legal suffixes (``LTD``, ``LIMITED``, ``PLC``, ``CIC``: ``cleanco``) and
    filler (``THE``, ``UK``) dropped. Blank names and placeholders become missing.

    Parameters
    ----------
    names : Series
        Supplier names as written.

    Returns
    -------
    Series
        The matching names (str, or missing), on the same index.

    Examples
    --------
    >>> matching_name(pd.Series(["ACME (UK) LTD.", "Acme Limited", "The Acme Co. plc", "Www.Cromwell.Co.Uk",
    ...                          "Amazon.Co.Uk*j146a4uu5", " ", "#N/A"])).tolist()
    ['ACME', 'ACME', 'ACME', 'CROMWELL', 'AMAZON', nan, nan]
    """
    distinct = pd.Series(names.dropna().astype("str").unique(), dtype="str")
    text = distinct.str.upper().str.replace(r"\*\s*[A-Z0-9]*\d[A-Z0-9]*\b", " ", regex=True)
    text = text.str.replace(r"\b(?=[A-Z0-9]*\d)[A-Z0-9]{5,}\b", " ", regex=True)  # references, not names
    text = text.str.replace(r"^WWW\.|\.(CO\.UK|COM|ORG\.UK|ORG|NET|UK)\b", " ", regex=True)
    text = normalise_supplier_name(text)
    text = text.where(text.isna(), text.fillna("").map(_without_suffixes))
    text = text.where(text.fillna("") != "")
    return names.map(dict(zip(distinct, text, strict=True))).astype("str")


def _without_suffixes(name: str) -> str:
    """``name`` without legal suffixes (cleanco, twice: "LTD LTD") and filler tokens."""
    base = basename(basename(name)).upper()
    tokens = [t for t in base.split() if t not in _FILLER_TOKENS] or base.split()
    return " ".join(tokens).strip()


def public_body_by_name(names: pd.Series) -> pd.Series:
    """Whether each name is a public body's (:data:`PUBLIC_BODY_NAME`; "Council for Voluntary Service" is not).

    Examples
    --------
    >>> names = pd.Series(["Kirklees Council", "Leeds Community Healthcare Nhs Trust", "P & Cc For West Yorkshire",
    ...                    "Mears Limited", "Voluntary Action Council for X"])
    >>> public_body_by_name(names).tolist()
    [True, True, True, False, False]
    """
    upper = names.astype("str").str.upper()
    voluntary = upper.str.contains(r"\bVOLUNTARY\b|\bCOUNCIL FOR\b", regex=True, na=False)
    return (upper.str.contains(PUBLIC_BODY_NAME, regex=True, na=False) & ~voluntary).astype(bool)


def resolve_suppliers(variants: pd.DataFrame, settings: MatchSettings | None = None,
                      register: pd.DataFrame | None = None, decisions: pd.DataFrame | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link supplier name variants to one supplier key each.

    Parameters
    ----------
    variants : DataFrame
        One row per distinct variant: ``supplier_name`` and optionally ``company_number`` and
        ``supplier_postcode`` (a variant's usual postcode).
    settings : MatchSettings, optional
        The thresholds; default :class:`MatchSettings`.
    register : DataFrame, optional
        The supplier register (contract ``suppliers``): a variant whose company number, name or alias is the
        register's takes its key.
    decisions : DataFrame, optional
        Analysts' decisions on borderline pairs: ``name_a, name_b, decision`` (``same`` or ``different``).

    Returns
    -------
    keys : DataFrame
        ``variants`` with ``matching_name, supplier_key, match_score`` (100 for an exact, company-number or register
        match; the linking score for a fuzzy one).
    review : DataFrame
        The borderline pairs: ``name_a, name_b, score, postcode_a, postcode_b, decision`` (the decision kept, or
        blank), by score.

    Examples
    --------
    >>> variants = pd.DataFrame({"supplier_name": ["ACME LTD", "Acme Limited", "ACME (UK) LTD.", "Acme Buildres",
    ...                                            "Acme Builders Ltd", "Zeta Care"]})
    >>> keys, review = resolve_suppliers(variants)
    >>> keys.groupby("supplier_key", sort=False)["supplier_name"].apply(list).tolist()
    [['ACME LTD', 'Acme Limited', 'ACME (UK) LTD.'], ['Acme Buildres', 'Acme Builders Ltd'], ['Zeta Care']]
    >>> keys["match_score"].round(1).tolist()
    [100.0, 100.0, 100.0, 92.3, 92.3, 100.0]
    """
    settings = settings or MatchSettings()
    frame = _variant_frame(variants)
    pairs = _scored_pairs(frame, settings)
    review = _review_pairs(frame, pairs, settings, decisions)
    linked = _linked_pairs(frame, pairs, settings, decisions)
    frame["_component"] = _components(frame, linked)
    frame["match_score"] = _match_scores(frame, linked)
    frame["supplier_key"] = _keys(frame, register)
    special = _special_key(frame)
    frame["supplier_key"] = special.fillna(frame["supplier_key"])
    frame.loc[special.notna(), "match_score"] = 100.0
    return frame.drop(columns=["_component", "_cn", "_pc"]), review


def _variant_frame(variants: pd.DataFrame) -> pd.DataFrame:
    """The variants with their matching name, company number and postcode as text (blank = missing)."""
    if "supplier_name" not in variants:
        raise SpendError("variants need a supplier_name column")
    frame = variants.reset_index(drop=True).copy()
    frame["matching_name"] = matching_name(frame["supplier_name"])
    for column, short in (("company_number", "_cn"), ("supplier_postcode", "_pc")):
        values = frame[column].astype("str").str.strip().str.upper() if column in frame else \
            pd.Series(pd.NA, index=frame.index, dtype="str")
        frame[short] = values.where(values.fillna("") != "")
    return frame


def _scored_pairs(frame: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    """Distinct matching names scored against the names sharing a blocking token: ``a, b, score`` (name pairs)."""
    names = pd.Series(sorted(frame["matching_name"].dropna().unique()))
    tokens = names.str.split().explode()
    counts = tokens.value_counts()
    usable = tokens[tokens.map(counts).le(settings.max_block) & (tokens.str.len() > 1)]
    scorer = _SCORERS[settings.scorer]
    found = []
    for _, members in usable.groupby(usable, sort=True):
        index = np.unique(members.index.to_numpy())
        if len(index) < 2:
            continue
        block = names.iloc[index].tolist()
        scores = process.cdist(block, block, scorer=scorer, score_cutoff=settings.review_score, workers=1)
        a, b = np.nonzero(np.triu(scores, k=1))
        found.append(pd.DataFrame({"a": index[a], "b": index[b], "score": scores[a, b].astype("float64")}))
    pairs = pd.concat(found, ignore_index=True) if found else pd.DataFrame({"a": [0], "b": [0], "score": [0.0]})[:0]
    pairs = pairs.drop_duplicates(["a", "b"]).sort_values(["a", "b"], ignore_index=True)
    return pd.DataFrame({"a": names.to_numpy()[pairs["a"].to_numpy(dtype="int64")],
                         "b": names.to_numpy()[pairs["b"].to_numpy(dtype="int64")],
                         "score": pairs["score"].round(2).to_numpy()})


def _name_sets(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per matching name, the set of ``column``'s values its variants carry."""
    known = frame.dropna(subset=["matching_name", column])
    return known.groupby("matching_name")[column].agg(frozenset)


def _conflicts(pairs: pd.DataFrame, sets: pd.Series) -> pd.Series:
    """Pairs whose names both carry values of a column and share none (two company numbers: two firms)."""
    a = pairs["a"].map(sets)
    b = pairs["b"].map(sets)
    return pd.Series([isinstance(x, frozenset) and isinstance(y, frozenset) and not (x & y)
                      for x, y in zip(a, b, strict=True)], index=pairs.index, dtype="bool")


def _decided(pairs: pd.DataFrame, decisions: pd.DataFrame | None) -> pd.Series:
    """The analyst's decision on each pair (``same``, ``different`` or missing), whichever way round it was made."""
    if decisions is None or decisions.empty:
        return pd.Series(pd.NA, index=pairs.index, dtype="str")
    from anchor_analysis.core.errors import SupplierMatchingError

    made = decisions.dropna(subset=["decision"])
    made = made[made["decision"].astype("str").str.strip() != ""]
    choice = made["decision"].astype("str").str.strip().str.lower()
    if not choice.isin(["same", "different"]).all():
        bad = made.loc[~choice.isin(["same", "different"]), "decision"].iloc[0]
        raise SupplierMatchingError(f"a review decision must be 'same' or 'different' (or blank), got {bad!r}")
    lookup = {}
    for a, b, decision in zip(made["name_a"].astype("str"), made["name_b"].astype("str"), choice, strict=True):
        lookup[(a, b)] = lookup[(b, a)] = decision
    return pd.Series([lookup.get((a, b), pd.NA) for a, b in zip(pairs["a"], pairs["b"], strict=True)],
                     index=pairs.index, dtype="str")


def _borderline(frame: pd.DataFrame, pairs: pd.DataFrame, settings: MatchSettings) -> tuple[pd.Series, pd.Series]:
    """(pairs to review, pairs linked without review): postcode-conflicting links are reviewed, firms never linked."""
    firms = _conflicts(pairs, _name_sets(frame, "_cn"))
    places = _conflicts(pairs, _name_sets(frame, "_pc"))
    strong = pairs["score"] >= settings.link_score
    review = ~firms & (~strong | places)
    return review, ~firms & strong & ~places


def _review_pairs(frame: pd.DataFrame, pairs: pd.DataFrame, settings: MatchSettings,
                  decisions: pd.DataFrame | None) -> pd.DataFrame:
    """The borderline pairs with the decisions kept, by score then names."""
    review, _ = _borderline(frame, pairs, settings)
    out = pairs[review].rename(columns={"a": "name_a", "b": "name_b"}).copy()
    example = frame.dropna(subset=["matching_name"]).drop_duplicates("matching_name").set_index("matching_name")
    for side in ("a", "b"):
        out[f"variant_{side}"] = out[f"name_{side}"].map(example["supplier_name"]).astype("str")
        out[f"postcode_{side}"] = out[f"name_{side}"].map(example["_pc"]).astype("str")
    out["decision"] = _decided(pairs[review], decisions).to_numpy()
    out = out.sort_values(["score", "name_a", "name_b"], ascending=[False, True, True], kind="stable")
    return out[["name_a", "name_b", "score", "variant_a", "variant_b", "postcode_a", "postcode_b",
                "decision"]].reset_index(drop=True)


def _linked_pairs(frame: pd.DataFrame, pairs: pd.DataFrame, settings: MatchSettings,
                  decisions: pd.DataFrame | None) -> pd.DataFrame:
    """The fuzzy pairs that link: strong and unconflicted, or decided ``same``; never those decided ``different``."""
    _, linked = _borderline(frame, pairs, settings)
    decision = _decided(pairs, decisions)
    keep = (linked | (decision == "same").fillna(False)) & ~(decision == "different").fillna(False)
    return pairs[keep.astype(bool)]


def _components(frame: pd.DataFrame, linked: pd.DataFrame) -> np.ndarray:
    """Each variant's component: variants sharing a matching name, a company number or a fuzzy link."""
    n = len(frame)
    only_number = _name_sets(frame, "_cn").map(lambda s: next(iter(s)) if len(s) == 1 else "")
    number = frame["_cn"].fillna(frame["matching_name"].map(only_number).astype("str")).fillna("")
    name_node = frame["matching_name"].fillna("(none)") + "|" + number
    codes = {node: n + i for i, node in enumerate(sorted(name_node.unique()))}
    first_node = {}
    for node in sorted(codes):
        first_node.setdefault(node.rsplit("|", 1)[0], codes[node])
    numbers = sorted(frame["_cn"].dropna().unique())
    number_codes = {cn: n + len(codes) + i for i, cn in enumerate(numbers)}
    rows = np.arange(n)
    has_number = frame["_cn"].notna().to_numpy()
    sources = np.concatenate([rows, rows[has_number], [first_node[a] for a in linked["a"]]]).astype("int64")
    targets = np.concatenate([name_node.map(codes).to_numpy(dtype="int64"),
                              frame.loc[has_number, "_cn"].map(number_codes).to_numpy(dtype="int64"),
                              [first_node[b] for b in linked["b"]]]).astype("int64")
    size = n + len(codes) + len(number_codes)
    graph = coo_matrix((np.ones(len(sources)), (sources, targets)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    return labels[:n]


def _match_scores(frame: pd.DataFrame, linked: pd.DataFrame) -> pd.Series:
    """100 for a variant joined by name or company number alone; else the best fuzzy score that joined its name."""
    best = pd.concat([linked[["a", "score"]].rename(columns={"a": "name"}),
                      linked[["b", "score"]].rename(columns={"b": "name"})]).groupby("name")["score"].max()
    return frame["matching_name"].map(best).fillna(100.0).astype("float64")


def _keys(frame: pd.DataFrame, register: pd.DataFrame | None) -> pd.Series:
    """Each component's key: the register's, else ``CH-`` + its smallest company number, else ``N-`` + a digest."""
    digest = frame["matching_name"].fillna("").map(lambda name: "N-" + hashlib.sha1(name.encode()).hexdigest()[:10])
    own = ("CH-" + frame["_cn"]).fillna(digest)
    by_number = ("CH-" + frame["_cn"]).notna()
    ranked = frame.assign(_own=own, _rank=np.where(by_number, 0, 1)).sort_values(["_component", "_rank", "_own"])
    keys = frame["_component"].map(ranked.drop_duplicates("_component").set_index("_component")["_own"])
    if register is not None and len(register):
        known = _register_hits(frame, register)
        hit = frame.assign(_key=known).dropna(subset=["_key"]).sort_values(["_component", "_key"])
        registered = frame["_component"].map(hit.drop_duplicates("_component").set_index("_component")["_key"])
        keys = registered.fillna(keys)
    return keys.astype("str")


def _register_hits(frame: pd.DataFrame, register: pd.DataFrame) -> pd.Series:
    """The register key each variant's company number, or else matching name (canonical name or alias), is."""
    names = register[["supplier_key", "canonical_name"]].rename(columns={"canonical_name": "name"})
    if "aliases" in register:
        aliases = register[["supplier_key", "aliases"]].dropna()
        aliases = aliases.assign(name=aliases["aliases"].astype("str").str.split("|")).explode("name")
        names = pd.concat([names, aliases[["supplier_key", "name"]]], ignore_index=True)
    names = names.assign(matching=matching_name(names["name"])).dropna(subset=["matching"])
    by_name = names.sort_values("supplier_key").drop_duplicates("matching").set_index("matching")["supplier_key"]
    hits = frame["matching_name"].map(by_name)
    if "company_number" in register:
        numbers = register.dropna(subset=["company_number"])
        by_number = numbers.assign(cn=numbers["company_number"].astype("str").str.upper()) \
            .drop_duplicates("cn").set_index("cn")["supplier_key"]
        hits = frame["_cn"].map(by_number).astype("str").fillna(hits)
    return hits


def _special_key(frame: pd.DataFrame) -> pd.Series:
    """The key of redacted payees and of lines without a name (missing for every other variant)."""
    raw = frame["supplier_name"].astype("str").str.upper().str.strip()
    redacted = raw.str.contains(_REDACTED, regex=True, na=False)
    out = pd.Series(pd.NA, index=frame.index, dtype="str")
    out[frame["matching_name"].isna()] = NO_SUPPLIER_KEY
    out[redacted] = REDACTED_KEY
    return out


def linkage_quality(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision and recall of a resolution against the truth.

    A pair of variants is *found* when both carry the same predicted key, *true* when both have the same true
    supplier. Precision = pairs found and true / pairs found; recall = pairs found and true / pairs true.

    Parameters
    ----------
    predicted, truth : Series
        The predicted key and the true supplier of each variant (same index).

    Returns
    -------
    dict
        ``precision``, ``recall``, ``variants``, ``true_suppliers``, ``predicted_suppliers``.

    Examples
    --------
    >>> linkage_quality(pd.Series(["k1", "k1", "k1", "k2"]), pd.Series(["a", "a", "b", "b"]))
    {'precision': 0.3333, 'recall': 0.5, 'variants': 4, 'true_suppliers': 2, 'predicted_suppliers': 2}
    """
    frame = pd.DataFrame({"predicted": predicted.to_numpy(), "truth": truth.to_numpy()})

    def pairs(groups: list[str]) -> int:
        sizes = frame.groupby(groups).size().to_numpy(dtype="int64")
        return int((sizes * (sizes - 1) // 2).sum())

    both, found, true = pairs(["predicted", "truth"]), pairs(["predicted"]), pairs(["truth"])
    return {"precision": round(both / found, 4) if found else 1.0, "recall": round(both / true, 4) if true else 1.0,
            "variants": len(frame), "true_suppliers": int(frame["truth"].nunique()),
            "predicted_suppliers": int(frame["predicted"].nunique())}


def name_variants(lines: pd.DataFrame, by: tuple[str, ...] = ("anchor_id",)) -> pd.DataFrame:
    """The distinct supplier name variants of ledger lines (or supplier-level rows), with their usual postcode.

    Parameters
    ----------
    lines : DataFrame
        ``supplier_name`` with ``by``, optionally ``company_number``, ``supplier_postcode`` and ``amount``.
    by : tuple of str, default ``("anchor_id",)``
        The columns a variant is distinct within besides its name (and company number).

    Returns
    -------
    DataFrame
        ``*by, supplier_name, company_number, supplier_postcode`` (the most frequent non-blank postcode, ties to
        the smallest), sorted.

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "supplier_name": ["Acme", "Acme", "Acme", "Bolt"],
    ...                       "supplier_postcode": ["LS1 1AA", "", "LS1 1AA", ""]})
    >>> name_variants(lines).values.tolist()
    [['a', 'Acme', '', 'LS1 1AA'], ['a', 'Bolt', '', '']]
    """
    frame = lines.copy()
    for column in ("supplier_name", "company_number", "supplier_postcode"):
        text = frame[column].astype("str").str.strip() if column in frame else pd.Series("", index=frame.index)
        frame[column] = text.fillna("").astype("str")
    keys = [*by, "supplier_name", "company_number"]
    located = frame[frame["supplier_postcode"] != ""]
    usual = (located.groupby([*keys, "supplier_postcode"]).size().rename("n").reset_index()
             .sort_values([*keys, "n", "supplier_postcode"], ascending=[True] * len(keys) + [False, True])
             .drop_duplicates(keys))
    variants = frame[keys].drop_duplicates().merge(usual[[*keys, "supplier_postcode"]], on=keys, how="left")
    variants["supplier_postcode"] = variants["supplier_postcode"].fillna("")
    return variants.sort_values(keys, kind="stable", ignore_index=True)
