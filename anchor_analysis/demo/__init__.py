"""The synthetic demo network: a seeded, deterministic generator.

Per-anchor returns of the Leeds Anchor Network are not public. The demo network is **synthetic**: invented,
pseudonymous anchors ("NHS Trust A") on the real Leeds geography, with per-anchor values *solved for* so that the
network aggregates agree, at the published precision, with every figure of design.md section 3 (seeds 000, 001,
003). It lets every notebook and the annual report run end to end; it says nothing about any real organisation.

In: the seed and the public data (the real geography). Out: the network folder, ``data/raw/demo``, written by
:func:`write_demo_network` (``anchor-analysis demo-data``); :class:`DemoNetwork` builds its tables in memory. The
tables that need no geography show the solved targets directly:

>>> import pandas as pd
>>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()), seed=2019)
>>> staff = network.headcounts().query("year == 2023")
>>> int(staff["headcount"].sum()), round(float(staff["staff_in_leeds"].sum() / staff["headcount"].sum()), 3)
(62300, 0.64)

What is solved, and how (each solve acts on per-anchor values, never on outputs):

* 2019/20 progression: 7 of 11 anchors; activity levels are moved one step at a time (a deterministic greedy
  search) until each dimension's network mean of current and ambition is within 0.02 of the published value
  (employment: at chosen points inside the rounding interval, see ``PF_SOLVE_TARGETS_2019``).
* 2019/20 spend: 6 anchors report a spend baseline; their Leeds and West Yorkshire shares are shifted by a common
  offset and a size-related tilt so that both the pooled share and the unweighted mean of shares are 48.0% and
  52.5%. All 11 report total spend, summing to more than GBP 2bn.
* 2023/24 workforce: headcounts are scaled to 62,300; Leeds shares are scaled so 64.0% live in Leeds; residence is
  spread over real LSOAs (population x distance decay from each anchor's site x a deprivation tilt) and the tilt is
  solved so that 12,300 staff live in IMD 2019 national decile 1 LSOAs.
* 2023/24 spend in Leeds: per-anchor Leeds spend is scaled to GBP 511.0m.
* Carbon: per-anchor reduction rates are scaled so that like-for-like scope 1+2 emissions fall by 110,000 t
  between 2019/20 and 2023/24.
"""

from __future__ import annotations

from anchor_analysis.demo.ledgers import (
    LedgerMixin,
)
from anchor_analysis.demo.network import (
    DemoNetwork,
)
from anchor_analysis.demo.specs import (
    ANCHORS,
    ELSEWHERE_NATIONAL_POSTCODES,
    JUNK_POSTCODES,
    LEDGER_CATEGORIES,
    NOT_LIVING_WAGE,
    PF_SOLVE_TARGETS_2019,
    PF_SOLVE_TOLERANCE,
    PROGRESSION_REPORTERS,
    PUBLISHED_2019_OVERVIEW,
    SPEND_BASELINE_2019,
    SYNTHETIC_NOTICE,
    TARGETS,
    UNASSESSED,
    YEARS,
    AnchorSpec,
    DemoGeography,
    is_member,
    largest_remainder,
    load_demo_geography,
)
from anchor_analysis.demo.write import (
    write_demo_network,
)

__all__ = [
    "ANCHORS",
    "AnchorSpec",
    "DemoGeography",
    "ELSEWHERE_NATIONAL_POSTCODES",
    "JUNK_POSTCODES",
    "LEDGER_CATEGORIES",
    "NOT_LIVING_WAGE",
    "PF_SOLVE_TARGETS_2019",
    "PF_SOLVE_TOLERANCE",
    "PROGRESSION_REPORTERS",
    "PUBLISHED_2019_OVERVIEW",
    "SPEND_BASELINE_2019",
    "SYNTHETIC_NOTICE",
    "TARGETS",
    "UNASSESSED",
    "YEARS",
    "is_member",
    "largest_remainder",
    "load_demo_geography",
    "LedgerMixin",
    "DemoNetwork",
    "write_demo_network",
]
