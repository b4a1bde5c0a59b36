"""The kit's colours stay apart for colour-blind readers: every pair of series colours, the trend charts' colours
and the sequential colour map, checked under simulated protanopia, deuteranopia and tritanopia.

Simulation: Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color vision
deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied to linear sRGB; distances are CIE76 Delta E in CIELAB
(D65). A Delta E of about 10 is an obvious difference on screen and in print.
"""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest

from anchor_analysis.figures import sparkline
from anchor_analysis.figures.style import AMBITION_COLOUR, CURRENT_COLOUR, PALETTE, SEQUENTIAL_CMAP

SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SERIES_MIN_DELTA_E = 15.0
"""Every two series colours (figures also give each series its own marker and line style)."""


def _linear(colour: str) -> np.ndarray:
    srgb = np.array(matplotlib.colors.to_rgb(colour))
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour: str, simulation: str) -> np.ndarray:
    """The CIELAB colour a reader with ``simulation``'s vision sees."""
    return _lab(np.clip(SIMULATIONS[simulation] @ _linear(colour), 0, 1))


def closest_pair(colours, simulation: str) -> float:
    return min(float(np.linalg.norm(seen(a, simulation) - seen(b, simulation)))
               for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_series_colours_stay_apart(simulation):
    assert closest_pair(PALETTE, simulation) >= SERIES_MIN_DELTA_E


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_current_and_ambition_and_the_trend_charts_are_far_apart(simulation):
    assert closest_pair((CURRENT_COLOUR, AMBITION_COLOUR), simulation) >= 40
    trend = (sparkline.VALUES_COLOUR, sparkline.PROJECTION_COLOUR, sparkline.PATH_COLOUR)
    assert closest_pair(trend, simulation) >= SERIES_MIN_DELTA_E


def test_the_check_catches_a_red_green_pair():
    """The control: pure red and green are far apart for most readers and close to one another under
    deuteranopia, which is why the kit does not use them."""
    assert closest_pair(("#d62728", "#2ca02c"), "normal") > 60
    assert closest_pair(("#d62728", "#2ca02c"), "deuteranopia") < SERIES_MIN_DELTA_E


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_the_sequential_map_gets_lighter_all_the_way(simulation):
    colours = matplotlib.colormaps[SEQUENTIAL_CMAP](np.linspace(0, 1, 11))
    lightness = [seen(matplotlib.colors.to_hex(c), simulation)[0] for c in colours]
    assert all(b > a for a, b in itertools.pairwise(lightness))


def test_status_colours_of_the_summary_are_readable_on_white():
    """The commitments' status text (each also has a shape) meets WCAG's 4.5:1 contrast for text."""
    import re

    from anchor_analysis.reporting.combined import REPORT_CSS

    def luminance(colour: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(colour))

    statuses = dict(re.findall(r"td\.status-([a-z-]+) \{ color: (#[0-9a-f]{6}); \}", REPORT_CSS))
    assert set(statuses) == {"on-track", "at-risk", "off-track"}
    assert all((1.05) / (luminance(c) + 0.05) >= 4.5 for c in statuses.values())
