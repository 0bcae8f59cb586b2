"""Where Sigmoid and Tanh units saturate: one definition for the activation
views and the training probes (no torch, so the probes' module loads light)."""

from __future__ import annotations

# |input| beyond which the derivative is under ~7% of its peak:
# sigmoid'(4) = 0.018 (peak 0.25), tanh'(2) = 0.071 (peak 1).
SATURATION = {"Sigmoid": 4.0, "Tanh": 2.0}
SATURATED_SHARE = 0.5  # saturated on more than half of the samples counts as saturated
