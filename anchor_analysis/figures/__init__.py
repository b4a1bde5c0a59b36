"""Figures in one house style: every figure titled, sourced (tagged SYNTHETIC when the data are) and readable in
greyscale; PNG and SVG written byte-identically on every re-run.

In: analysis tables. Out: matplotlib figures, saved with :func:`~anchor_analysis.figures.style.save_figure` or
shown in a notebook with :func:`~anchor_analysis.figures.style.show_figure`.

- :mod:`~anchor_analysis.figures.style`: palette, rc, finishing and saving;
- :mod:`~anchor_analysis.figures.progression`, :mod:`~anchor_analysis.figures.metrics`: the report's charts;
- :mod:`~anchor_analysis.figures.maps`: A4 maps with scale bar, north arrow, legend and attribution.
"""

from __future__ import annotations


