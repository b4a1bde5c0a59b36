"""The analyses: functions over validated frames, each returning a new tidy frame.

In: the typed tables of a network (from :mod:`anchor_analysis.contracts` or :mod:`anchor_analysis.derived`) and the
public data. Out: tables with their coverage (who reported), ready to publish through
:mod:`anchor_analysis.publish`.

- :mod:`~anchor_analysis.analysis.progression`: dimension scores, the network overview, trajectories,
  benchmarking, priorities;
- :mod:`~anchor_analysis.analysis.metrics`: network totals with coverage, shares, estimates, year-on-year, carbon;
- :mod:`~anchor_analysis.analysis.baseline`, :mod:`~anchor_analysis.analysis.profile`: the baseline section and
  one anchor beside the network;
- :mod:`~anchor_analysis.analysis.published`: the published figures and their reproduction;
- :mod:`~anchor_analysis.analysis.spend`: supplier ledgers (rings, rules, concentration, leakage, reconciliation);
- :mod:`~anchor_analysis.analysis.geo`: deprivation, priority neighbourhoods, where staff live and spend lands.

Docstrings follow numpydoc; their examples assume ``import pandas as pd`` (as pandas' own do), read the synthetic
demo network in ``data/raw/demo``, and mark the lines that need the real public data ``# doctest: +PUBLIC_DATA``.
"""

from __future__ import annotations


