"""The one diverging scale: blue below zero, white at zero, red above."""

from __future__ import annotations

import numpy as np

from designer.insight.colors import NEGATIVE, POSITIVE, ZERO, diverging_rgb, matplotlib_colormap


def test_scale_is_centred_on_zero():
    rgb = diverging_rgb(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    assert tuple(rgb[0]) == NEGATIVE and tuple(rgb[2]) == ZERO and tuple(rgb[4]) == POSITIVE
    assert rgb[1, 2] > rgb[1, 0] and rgb[3, 0] > rgb[3, 2]  # half-way: bluish, reddish
    assert tuple(diverging_rgb(np.zeros(3))[0]) == ZERO


def test_matplotlib_uses_the_same_stops():
    cmap = matplotlib_colormap()
    assert np.allclose(np.array(cmap(0.0)[:3]) * 255, NEGATIVE, atol=1)
    assert np.allclose(np.array(cmap(1.0)[:3]) * 255, POSITIVE, atol=1)
