"""A network's derived tables: its returns validated and typed, and every ledger line classified, kept as
Parquet so each is built once and read by everything after.

In: a network folder of raw returns (``data/raw/<network>``, never modified) and the public data. Out:
``data/processed/<network>/<key>/`` (Parquet tables and a manifest, keyed by the checksums of every input file, the
place and the kit's version and code; written atomically; safe to delete) and, through
:func:`~anchor_analysis.derived.network.processed_network`, a
:class:`~anchor_analysis.derived.network.ProcessedNetwork`: the typed tables, the classified supplier-level ledger
table (each line in the financial year of its payment date, whatever its file is called) with its reconciliation,
and the spend analysis of any year. Every notebook, the anchor profile, the reproduction and the report run read a
network this way, so a report classifies each ledger line once.
"""

from __future__ import annotations

from anchor_analysis.derived.network import ProcessedNetwork, processed_network
from anchor_analysis.derived.store import processed_root

__all__ = ["ProcessedNetwork", "processed_network", "processed_root"]
