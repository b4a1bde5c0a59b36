"""Synthetic demo networks: a seeded, deterministic generator driven by a targets file per network.

Per-anchor returns of real anchor networks are not public. A demo network is **synthetic**: invented, pseudonymous
anchors ("NHS Trust A") on a real place's geography, with per-anchor values *solved for* so that the network
aggregates agree, at the published precision, with the published figures its targets file names. It lets every
notebook and the annual report run end to end; it says nothing about any real organisation.

In: a targets file (``anchor_analysis/data/demo/<network>.toml``, with its anchors CSV beside it:
:func:`load_demo_targets`), the seed and the public data (the real geography). Out: the network folder, written by
:func:`write_demo_network` (``anchor-analysis demo-data --network <network>``); :class:`DemoNetwork` builds its
tables in memory. Three networks ship:

* ``leeds`` (``data/raw/demo``): 14 anchors on the Leeds geography, agreeing with every figure of design.md section 3
  (seeds 000, 001, 003);
* ``birmingham`` (``data/raw/demo-birmingham``): the Birmingham Anchor Network of seed 004, Table 1: six public
  bodies of over 250 staff and GBP 5m annual spend, established 2019, on Birmingham's geography;
* ``west_midlands`` (``data/raw/demo-west-midlands``): about 60 anchors across the seven West Midlands Combined
  Authority authorities, agreeing with seed 004's baseline and its coverage notes.

The tables that need no geography show the solved targets directly:

>>> import pandas as pd
>>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()), seed=2019)
>>> staff = network.headcounts().query("year == 2023")
>>> int(staff["headcount"].sum()), round(float(staff["staff_in_leeds"].sum() / staff["headcount"].sum()), 3)
(62300, 0.64)

What can be solved, and how (each solve acts on per-anchor values, never on outputs; a network solves the targets
its file names):

* progression overview (Leeds 2019/20: 7 of 11 anchors): activity levels are moved one step at a time (a
  deterministic greedy search) until each dimension's network mean of current and ambition is within a tolerance of
  the published value;
* spend baseline (Leeds 2019/20: 6 anchors report where spend lands): their place and region shares are shifted by a
  common offset and a size-related tilt so that both the pooled share and the unweighted mean of shares hit the
  published ones; a floor or an exact total for total spend;
* workforce: headcounts scaled to an exact total, the shares living in the place scaled to a published share; staff
  spread over real LSOAs (population x distance decay from each anchor's site x a deprivation tilt), the tilt solved
  so that a published number of staff live in IMD 2019 national decile 1 LSOAs;
* spend in the place or the region scaled to a published amount;
* carbon: reduction rates scaled to a like-for-like fall, or emissions scaled to a total exact to the kilogram;
* land: areas scaled to a total exact to the tenth of a hectare.
"""

from __future__ import annotations

from anchor_analysis.demo.ledgers import (
    LedgerMixin,
)
from anchor_analysis.demo.network import (
    DemoNetwork,
)
from anchor_analysis.demo.progression import (
    ProgressionMixin,
)
from anchor_analysis.demo.specs import (
    LEDGER_CATEGORIES,
    AnchorSpec,
    DemoGeography,
    is_member,
    largest_remainder,
    load_anchor_specs,
    load_demo_geography,
)
from anchor_analysis.demo.spend import (
    SpendMixin,
)
from anchor_analysis.demo.targets import (
    TARGET_KINDS,
    DemoTargets,
    available_demo_networks,
    load_demo_targets,
)
from anchor_analysis.demo.workforce import (
    WorkforceMixin,
)
from anchor_analysis.demo.write import (
    write_demo_network,
)

__all__ = [
    "AnchorSpec",
    "DemoGeography",
    "LEDGER_CATEGORIES",
    "TARGET_KINDS",
    "is_member",
    "largest_remainder",
    "load_anchor_specs",
    "load_demo_geography",
    "DemoTargets",
    "available_demo_networks",
    "load_demo_targets",
    "LedgerMixin",
    "ProgressionMixin",
    "SpendMixin",
    "WorkforceMixin",
    "DemoNetwork",
    "write_demo_network",
]
