"""Weights and biases of a node, and of one neuron, as numpy arrays.

Parameters keep their PyTorch names (``weight``, ``bias``, an LSTM's
``weight_ih_l0``...), so what the designer shows matches ``state_dict()`` and
the exported code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from designer.insight.errors import Unsupported

# Layers with one unit per output feature or channel, and where that unit's
# incoming weights sit in ``weight``: dimension 0 (Linear, convolutions) or 1
# (transposed convolutions store ``in x out/groups x kernel``).
NEURON_AXIS = {"Linear": 0, "Conv1d": 0, "Conv2d": 0, "Conv3d": 0, "ConvTranspose1d": 1, "ConvTranspose2d": 1, "ConvTranspose3d": 1}


@dataclass(frozen=True)
class ParameterValues:
    """One named parameter of a node: ``values`` has the parameter's shape."""

    name: str
    values: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    @property
    def flat(self) -> np.ndarray:
        """All values in one 1-D array, ready for a histogram."""
        return self.values.reshape(-1)

    def histogram(self, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
        """(counts, bin edges) of the values, as ``numpy.histogram`` gives them."""
        return np.histogram(self.flat, bins=bins)


@dataclass(frozen=True)
class Neuron:
    """Unit ``index`` of a Linear (output feature) or convolution (output channel).

    ``weights`` are its incoming weights: ``(in_features,)`` for a Linear,
    ``(in_channels / groups, *kernel)`` for a convolution; ``bias`` is None
    when the layer has none.
    """

    node: str
    index: int
    weights: np.ndarray
    bias: float | None

    @property
    def fan_in(self) -> int:
        return int(self.weights.size)


def node_parameters(module: nn.Module | None) -> list[ParameterValues]:
    """The parameters of a node's module, by PyTorch name; [] for a parameter-free node."""
    if module is None:
        return []
    return [ParameterValues(name, _numpy(p)) for name, p in module.named_parameters()]


def neuron(node: str, node_type: str, module: nn.Module | None, index: int) -> Neuron:
    """Incoming weights and bias of unit ``index``; Unsupported for layers without units."""
    axis = NEURON_AXIS.get(node_type)
    if axis is None or module is None:
        kinds = ", ".join(sorted(NEURON_AXIS))
        raise Unsupported(f"{node} is a {node_type}: neurons are shown for {kinds} layers")
    weight = _numpy(module.weight)
    units = weight.shape[axis] * (getattr(module, "groups", 1) if axis == 1 else 1)
    if not 0 <= index < units:
        raise Unsupported(f"{node} has {units} units (0 to {units - 1}); there is no unit {index}")
    if axis == 0:
        incoming = weight[index]
    else:  # transposed convolution: out channel k of group g is column k % (out/groups) of that group's rows
        per_group = weight.shape[1]
        rows = weight.shape[0] // getattr(module, "groups", 1)
        group = index // per_group
        incoming = weight[group * rows : (group + 1) * rows, index % per_group]
    bias = getattr(module, "bias", None)
    return Neuron(node, index, incoming.copy(), None if bias is None else float(bias.detach()[index]))


def _numpy(tensor) -> np.ndarray:
    return tensor.detach().to("cpu").float().numpy().copy()
