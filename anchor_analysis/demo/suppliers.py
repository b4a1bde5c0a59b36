"""The demo network's supplier base: firms shared across anchors, written under each anchor's own spellings.

In: the network's seed and the postcode pools of its rings. Out: a pool of invented firms per ring (name, postcode,
company number, size band, VCSE flag, SIC section, popularity), the spelling each anchor's finance system gives a
firm, the supplier register covering the network's largest firms, and the true firm of each (anchor, supplier
name): the truth resolution is measured on, kept outside the published files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.demo.specs import _rng

POOL_SIZES = {"inner_deprived": 160, "inner_other": 700, "region": 700, "elsewhere": 900}
"""Firms per ring in the network's supplier pool."""

_RING_CODES = {"inner_deprived": "D", "inner_other": "P", "region": "R", "elsewhere": "E"}
_FIRST = ("Ashdown", "Barraclough", "Calder", "Denby", "Elland", "Fairburn", "Garforth", "Harewood", "Ilkley",
          "Jarvis", "Kirkstall", "Lofthouse", "Meanwood", "Norcliffe", "Otley", "Pudsey", "Quarry", "Rawdon",
          "Shadwell", "Thorner", "Upton", "Victoria", "Wetherby", "Yeadon", "Aire", "Bramley", "Chapel", "Drighlington",
          "Esholt", "Farsley", "Gildersome", "Horsforth", "Ingram", "Kippax", "Lumb", "Methley", "Newlay", "Oulton",
          "Pennine", "Roundhay", "Scholes", "Temple", "Wharfe", "Armley", "Beeston", "Churwell", "Doncaster", "Emley",
          "Fulneck", "Gledhow", "Headingley", "Hunslet", "Kelham", "Linton", "Marsden", "Northern", "Oakwood",
          "Pontefract", "Rothwell", "Saxton", "Tingley", "Walton", "Whitkirk", "Allerton", "Birstall", "Colton",
          "Dewsbury", "Eccup", "Featherstone", "Guiseley", "Hawksworth", "Holbeck", "Keswick", "Ledston", "Micklefield",
          "Normanton", "Osmondthorpe", "Potternewton", "Riverside", "Sandal", "Tadcaster", "Wortley", "Apex",
          "Beacon", "Crown", "Delta", "Evergreen", "Falcon", "Granite", "Harbour", "Keystone", "Lighthouse",
          "Meridian", "Nimbus", "Orchard", "Phoenix", "Quantum", "Redwood", "Summit", "Trinity", "Vanguard", "Willow")
_TRADES = (
    ("Building Services", "F"), ("Construction", "F"), ("Roofing", "F"), ("Electrical Contractors", "F"),
    ("Civil Engineering", "F"), ("Facilities Management", "N"), ("Cleaning Services", "N"), ("Security", "N"),
    ("Recruitment", "N"), ("Catering", "I"), ("Foods", "C"), ("Engineering", "C"), ("Medical Supplies", "G"),
    ("Laboratory Supplies", "G"), ("Office Supplies", "G"), ("Digital", "J"), ("Software", "J"), ("IT Solutions", "J"),
    ("Consulting", "M"), ("Architects", "M"), ("Surveyors", "M"), ("Legal Services", "M"), ("Energy", "D"),
    ("Water Services", "E"), ("Waste Management", "E"), ("Transport", "H"), ("Coaches", "H"), ("Logistics", "H"),
    ("Training", "P"), ("Learning", "P"), ("Care", "Q"), ("Home Care", "Q"), ("Healthcare", "Q"), ("Print", "C"),
    ("Furniture", "C"), ("Landscapes", "N"), ("Motors", "G"), ("Events", "R"),
)
_VCSE_FORMS = ("Trust", "Foundation", "Community Interest Company", "Charity")
_PUBLIC_BODIES = (
    ("Payments to public bodies", "{place} City Council", "O"), ("Payments to public bodies", "NHS England", "O"),
    ("Payments to public bodies", "Regional Combined Authority", "O"),
    ("Tax and levies", "HM Revenue & Customs", "O"), ("Tax and levies", "Environment Agency", "O"),
    ("Pensions", "Local Government Pension Scheme", "K"), ("Pensions", "NHS Business Services Authority", "O"),
    ("Grants to individuals", "REDACTED PERSONAL DATA", ""),
)
"""The payees of the excluded categories: (category, name, SIC section); grants go to redacted individuals."""


def supplier_pool(seed: int, pools: dict[str, np.ndarray], national: tuple[str, ...]) -> pd.DataFrame:
    """The network's invented firms, per ring, with what a register would say about them.

    Parameters
    ----------
    seed : int
        The network's seed.
    pools : dict of str to array
        Postcodes by ring (``inner_deprived``, ``inner_other``, ``region``, ``elsewhere``).
    national : tuple of str
        National offices' postcodes (half the firms elsewhere have one).

    Returns
    -------
    DataFrame
        ``firm_id, name, ring, postcode, company_number, size_band, vcse, sic_section, popularity``.

    Examples
    --------
    >>> pools = {ring: np.array(["LS1 1AA", "LS2 2BB"]) for ring in POOL_SIZES}
    >>> firms = supplier_pool(7, pools, ("M1 1AE",))
    >>> len(firms), firms["firm_id"].is_unique, firms["name"].is_unique
    (2460, True, True)
    """
    rng = _rng(seed, "supplier pool")
    combos = [(first, trade, sic) for first in _FIRST for trade, sic in _TRADES]
    picks = rng.permutation(len(combos))[: sum(POOL_SIZES.values())]
    rows, start = [], 0
    for ring, size in POOL_SIZES.items():
        for number, pick in enumerate(picks[start:start + size]):
            rows.append(_firm(rng, ring, number, *combos[pick], pools[ring], national))
        start += size
    return pd.DataFrame(rows)


def _firm(rng, ring, number, first, trade, sic, postcodes, national) -> dict:
    """One invented firm of ``ring``: its registered name, postcode and register attributes."""
    vcse = sic in ("Q", "P", "R") and rng.uniform() < 0.35
    form = _VCSE_FORMS[rng.integers(len(_VCSE_FORMS))] if vcse else ("Limited" if rng.uniform() < 0.85 else "PLC")
    postcode = postcodes[rng.integers(len(postcodes))]
    if ring == "elsewhere" and rng.uniform() < 0.5:
        postcode = national[rng.integers(len(national))]
    size = rng.choice(["micro", "small", "medium", "large"], p=[0.35, 0.35, 0.2, 0.1])
    company = form in ("Limited", "PLC", "Community Interest Company")
    return {"firm_id": f"F{_RING_CODES[ring]}{number:04d}", "name": f"{first} {trade} {form}", "ring": ring,
            "postcode": postcode, "company_number": f"{rng.integers(1, 15_000_000):08d}" if company else "",
            "size_band": "large" if form == "PLC" else str(size), "vcse": bool(vcse), "sic_section": sic,
            "popularity": float(rng.pareto(1.1) + 0.02)}


def choose_firms(rng: np.random.Generator, firms: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` distinct firms of a ring for one anchor, popular firms more often (so anchors share them)."""
    weights = firms["popularity"].to_numpy()
    picks = rng.choice(len(firms), size=min(n, len(firms)), replace=False, p=weights / weights.sum())
    return firms.iloc[np.sort(picks)]


def spelling(name: str, style: int, rng: np.random.Generator) -> str:
    """``name`` as a finance system of house ``style`` writes it, with the odd typing slip.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> [spelling("Calder Care & Support Limited", style, rng) for style in range(5)]
    ['Calder Care & Support Limited', 'CALDER CARE AND SUPPORT LTD', 'Calder Care & Support Ltd.',
     'Calder Care & Support (UK) Ltd', 'Calder Care & Support']
    """
    base = name.replace(" Limited", "").replace(" PLC", "")
    suffix = " PLC" if name.endswith(" PLC") else (" Ltd" if name.endswith(" Limited") else "")
    if style == 1:
        text = (base.replace("&", "AND") + (suffix or "")).upper()
    elif style == 2:
        text = base + (suffix + "." if suffix else "")
    elif style == 3:
        text = base + (" (UK)" + suffix if suffix else "")
    elif style == 4:
        text = base[:26].strip()  # truncated by a narrow name field, legal form dropped
    else:
        text = name
    if rng.uniform() < 0.04:  # a typing slip: two neighbouring letters swapped in one word
        words = text.split(" ")
        long = [i for i, word in enumerate(words) if len(word) > 5]
        if long:
            i = long[rng.integers(len(long))]
            j = int(rng.integers(1, len(words[i]) - 2))
            words[i] = words[i][:j] + words[i][j + 1] + words[i][j] + words[i][j + 2:]
            text = " ".join(words)
    return text


def house_style(seed: int, anchor_id: str, year: int) -> int:
    """The spelling style of an anchor's finance system in ``year``: some anchors change system in 2022."""
    rng = _rng(seed, "house style", anchor_id)
    before, after, changes = int(rng.integers(5)), int(rng.integers(5)), rng.uniform() < 0.4
    return after if changes and year >= 2022 else before


def public_payees(place_name: str) -> pd.DataFrame:
    """The payees of the excluded categories, for a place: ``category, firm_id, name, sic_section``."""
    rows = [{"category": category, "firm_id": f"FPB{number:02d}", "name": name.format(place=place_name),
             "sic_section": sic} for number, (category, name, sic) in enumerate(_PUBLIC_BODIES)]
    return pd.DataFrame(rows)


def demo_register(firms: pd.DataFrame, used: pd.DataFrame, payees: pd.DataFrame, share: float = 0.4,
                  sme_share: float | None = None) -> pd.DataFrame:
    """The network's supplier register: the public payees and the firms holding the top ``share`` of spend.

    Parameters
    ----------
    firms : DataFrame
        The pool (:func:`supplier_pool`).
    used : DataFrame
        ``firm_id, amount``: spend per firm across the network's ledgers.
    payees : DataFrame
        :func:`public_payees`.
    share : float, default 0.4
        The share of the used firms the register covers, largest spend first.
    sme_share : float, optional
        The SME share of spend the anchors return: the register's largest firms are ``large`` until the others
        hold about this share of its spend (the rest keep their drawn micro, small or medium band), so the
        register agrees with the returns. Default: the drawn bands.

    Returns
    -------
    DataFrame
        The register in the ``suppliers`` contract's columns (sources and dates included).
    """
    spend = used.groupby("firm_id")["amount"].sum().sort_values(ascending=False, kind="stable")
    covered = spend.index[: int(round(len(spend) * share))]
    chosen = firms.set_index("firm_id").loc[sorted(covered)].reset_index()
    if sme_share is not None:
        ranked = spend.reindex(chosen["firm_id"]).to_numpy()
        order = np.argsort(-ranked, kind="stable")
        before = np.cumsum(ranked[order]) - ranked[order]  # spend of the larger firms before each
        large = np.zeros(len(chosen), dtype=bool)
        large[order] = before < (1 - sme_share) * ranked.sum()
        smaller = chosen["size_band"].replace("large", "medium")
        chosen["size_band"] = np.where(large, "large", smaller)
    register = pd.DataFrame({
        "supplier_key": chosen["firm_id"], "canonical_name": chosen["name"],
        "company_number": chosen["company_number"], "charity_number": "", "postcode": chosen["postcode"],
        "size_band": chosen["size_band"], "vcse": chosen["vcse"].map({True: "true", False: "false"}),
        "sic_section": chosen["sic_section"], "public_body": "false"})
    public = payees[payees["sic_section"] != ""].drop_duplicates("firm_id")
    register = pd.concat([register, pd.DataFrame({
        "supplier_key": public["firm_id"], "canonical_name": public["name"], "company_number": "",
        "charity_number": "", "postcode": "", "size_band": "large", "vcse": "false",
        "sic_section": public["sic_section"], "public_body": "true"})], ignore_index=True)
    for attribute, source in (("company_number", "Companies House"), ("postcode", "Companies House"),
                              ("size_band", "analyst"), ("vcse", "analyst"), ("sic_section", "Companies House"),
                              ("public_body", "analyst")):
        filled = register[attribute].astype("str") != ""
        register[f"{attribute}_source"] = np.where(filled, source + " (SYNTHETIC)", "")
        register[f"{attribute}_date"] = np.where(filled, "2024-06-30", "")
    return register
