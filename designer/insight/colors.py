"""The one diverging colour scale for signed values (weights, activations,
attributions): negative blue, zero white, positive red, as TensorFlow
Playground uses one scale everywhere so a user learns it once.

Plain numpy, so the window (pyqtgraph) and the pictures (matplotlib) share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from designer.data.deferred import deferred

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")  # the canvas imports this module at start; numpy comes with the first colours

NEGATIVE = (33, 102, 172)  # blue
ZERO = (255, 255, 255)  # white
POSITIVE = (178, 24, 43)  # red
# (position in [0, 1], RGB): -limit at 0, zero at 0.5, +limit at 1
STOPS = ((0.0, NEGATIVE), (0.5, ZERO), (1.0, POSITIVE))


def symmetric_limit(values: np.ndarray) -> float:
    """The largest magnitude, so zero sits in the middle of the scale (1 for all zeros)."""
    peak = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    return peak if peak > 0 else 1.0


def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """``values`` -> uint8 RGB (``values.shape + (3,)``) on the scale from -limit to +limit."""
    limit = symmetric_limit(values) if limit is None else limit
    t = np.clip(np.asarray(values, np.float64) / limit, -1.0, 1.0)
    low, mid, high = (np.array(c, np.float64) for c in (NEGATIVE, ZERO, POSITIVE))
    a = np.abs(t)[..., None]
    edge = np.where(t[..., None] < 0, low, high)
    return np.rint(mid + (edge - mid) * a).astype(np.uint8)


def matplotlib_colormap():
    """The scale as a matplotlib colormap (matplotlib is imported only here)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("designer_diverging", [(p, tuple(c / 255 for c in rgb)) for p, rgb in STOPS])
