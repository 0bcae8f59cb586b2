"""Activation layers: the function and its derivative, and what the layer does
with the inputs it really receives (dead and saturated units).

The curve comes from the layer as the catalog writes it: a one-node design
(Input -> the activation, with the node's parameters -> Output) is compiled
and differentiated with autograd, so it is exactly the code training runs.

A unit is one value of a sample's tensor (one feature of a Linear, one
position of one channel of a convolution), followed over the samples of a
probe batch:

- dead (ReLU): its input is never positive, so it outputs 0 and passes no
  gradient for any of these samples. Of feature maps (samples x channels x
  height x width) a channel is dead when none of its positions is ever
  positive: the filter is lost. Single positions that never fire (a border
  the inputs never fill) are said apart, not counted as dead units; the
  probes count the same way;
- saturated (Sigmoid, Tanh): its input lies beyond ``SATURATION[type]`` for
  most (``SATURATED_SHARE``) of the samples, where the derivative is below
  about 7% of its peak, so it barely learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from designer.compile import compile_design
from designer.graph import Graph
from designer.insight.errors import Unsupported
from designer.layers import CATALOG

# Element-wise activations; Softmax and LogSoftmax mix values, so they have no curve.
ELEMENTWISE = ("ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Softplus", "Hardswish")
DYING = ("ReLU",)  # zero for every negative input: a unit can stop for good
from designer.insight.saturation import SATURATED_SHARE, SATURATION  # noqa: E402 - re-exported here


@dataclass(frozen=True)
class ActivationCurve:
    """``y = f(x)`` and ``dy/dx`` over ``x``, for drawing the activation."""

    node: str
    layer_type: str
    x: np.ndarray
    y: np.ndarray
    derivative: np.ndarray
    note: str = ""  # e.g. which slope of a per-channel PReLU is drawn


@dataclass(frozen=True)
class ActivationStats:
    """How the layer's units behave on a probe batch (see the module docstring)."""

    node: str
    layer_type: str
    samples: int
    units: int  # values per sample
    dead: float | None  # share of dead units (ReLU; of feature maps, of channels), else None
    saturated: float | None  # share of saturated units (Sigmoid/Tanh), else None
    threshold: float | None  # the |input| named as saturation
    input_min: float
    input_max: float
    positive: float  # share of all input values above zero
    sentence: str
    maps: tuple[int, int, int] | None = None  # (channels, height, width) when the inputs are feature maps


def check_elementwise(node: str, layer_type: str) -> None:
    if layer_type not in ELEMENTWISE:
        raise Unsupported(f"{node} is a {layer_type}, not an element-wise activation ({', '.join(ELEMENTWISE)})")


def curve(
    node: str, layer_type: str, params: dict, module: nn.Module | None = None, low: float = -5.0, high: float = 5.0, points: int = 201
) -> ActivationCurve:
    """The activation and its derivative over ``[low, high]``.

    ``module`` is the node's own module when it has one (PReLU): its learned
    slope is drawn (for a per-channel PReLU, the median slope, said in ``note``).
    """
    check_elementwise(node, layer_type)
    x = torch.linspace(low, high, points, dtype=torch.float32)
    note = ""
    if module is not None:  # PReLU: the learned slope, not a fresh one
        slopes = module.weight.detach().float().reshape(-1)
        slope = slopes.median()
        function = nn.PReLU(init=float(slope))
        if slopes.numel() > 1:
            note = f"median of {slopes.numel()} per-channel slopes ({float(slopes.min()):.3g} to {float(slopes.max()):.3g})"
    else:
        function = _single_layer_module(layer_type, params, points)
    x.requires_grad_(True)
    y = function(x.unsqueeze(0)).squeeze(0)
    (derivative,) = torch.autograd.grad(y.sum(), x)  # element-wise, so d(sum)/dx_i = f'(x_i)
    return ActivationCurve(node, layer_type, x.detach().numpy(), y.detach().numpy(), derivative.numpy(), note)


def stats(node: str, layer_type: str, inputs: np.ndarray) -> ActivationStats:
    """Dead and saturated units among the layer's inputs ``(samples, ...)``."""
    check_elementwise(node, layer_type)
    values = np.asarray(inputs, dtype=np.float64).reshape(len(inputs), -1)
    samples, units = values.shape
    dead = saturated = threshold = None
    sentence = f"{node}: {units} units on {samples} samples."
    if layer_type in DYING and np.ndim(inputs) == 4 and samples and units:
        dead, sentence = _dead_channels(node, np.asarray(inputs), values)
    elif layer_type in DYING:
        count = int((values.max(axis=0) <= 0).sum()) if samples else 0
        dead = count / units if units else 0.0
        sentence = (
            f"{count} of {units} units of {node} ({dead:.0%}) are dead on these {samples} samples: their input is never positive, "
            "so they output 0 and pass no gradient."
            if count
            else f"No dead units in {node}: each of its {units} units fires on some of these {samples} samples."
        )
    elif layer_type in SATURATION:
        threshold = SATURATION[layer_type]
        share = (np.abs(values) > threshold).mean(axis=0) if samples else np.zeros(units)
        count = int((share > SATURATED_SHARE).sum())
        saturated = count / units if units else 0.0
        sentence = (
            f"{count} of {units} units of {node} ({saturated:.0%}) are saturated: their input is beyond ±{threshold:g} on most of "
            f"these {samples} samples, where the {layer_type} is flat and passes almost no gradient."
            if count
            else f"No saturated units in {node}: inputs stay within ±{threshold:g} on most of these {samples} samples."
        )
    return ActivationStats(
        node,
        layer_type,
        samples,
        units,
        dead,
        saturated,
        threshold,
        float(values.min()) if values.size else 0.0,
        float(values.max()) if values.size else 0.0,
        float((values > 0).mean()) if values.size else 0.0,
        sentence,
        (shape[1], shape[2], shape[3]) if len(shape := np.shape(inputs)) == 4 else None,
    )


def _dead_channels(node: str, maps: np.ndarray, values: np.ndarray) -> tuple[float, str]:
    """The share of dead channels of feature maps ``(samples, C, H, W)`` and the sentence saying so."""
    samples, channels, height, width = maps.shape
    count = int((maps.max(axis=(0, 2, 3)) <= 0).sum())
    positions = int((values.max(axis=0) <= 0).sum())
    if count:
        return count / channels, (
            f"{count} of {channels} channels of {node} ({count / channels:.0%}) are dead on these {samples} samples: their input is "
            f"never positive at any of the {height}x{width} positions, so its feature map is 0 and passes no gradient (the filter is lost)."
        )
    few = (
        f"; {positions} of its {values.shape[1]} single values ({positions / values.shape[1]:.0%}) never fire: "
        "places of a map where these inputs give its filter nothing to find"
        if positions
        else ""
    )
    return 0.0, f"No dead channels in {node}: each of its {channels} feature maps fires somewhere on these {samples} samples{few}."


def _single_layer_module(layer_type: str, params: dict, width: int) -> nn.Module:
    """Input [width] -> the activation with ``params`` -> Output, compiled."""
    graph = Graph(f"{layer_type} curve", CATALOG)
    graph.add("Input", id="x", shape=[width])
    graph.add(layer_type, id="f", **params)
    graph.add("Output", id="y")
    graph.connect("x", "f")
    graph.connect("f", "y")
    return compile_design(graph).new_module().eval()
