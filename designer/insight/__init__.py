"""Looking inside a network (pure torch, no Qt).

Every node's output for chosen samples, the weights and biases of a node and
of one neuron, activation curves and dead/saturated units, and attributions
(captum). The window and the command line both use this package; it never
imports Qt.

    from designer.insight import Inspector

    inspector = Inspector(project, "net.safetensors")   # compiles once; or weights=None (seeded), a state dict
    outputs = inspector.activations([0, 1, 2])            # {node id: array}, validation samples 0-2
    inspector.parameters("dense1")                        # [ParameterValues("weight", ...), ("bias", ...)]
    inspector.neuron("conv1", 3)                          # channel 3's incoming weights and bias
    inspector.activation_curve("relu1"), inspector.activation_stats("relu1")
    inspector.attribute(5, "integrated-gradients")        # Attribution, with captum's convergence delta
    inspector.set_weights(run.kept_state)                 # new weights, nothing recompiled

``activations()`` and ``attributions()`` are one-call wrappers that build an
Inspector each time; a view that asks repeatedly keeps one Inspector.
Refusals are InsightError subclasses whose message is for the user.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from designer.insight.attribution import Attribution
    from designer.insight.inspector import Samples, Weights
    from designer.project import Project

# Names and the module that holds each: imported on first use, so that the
# window's start (which draws with designer.insight.colors and knows the probes'
# result types) does not load torch through this package.
_LAZY = {
    "SATURATION": "activation_functions",
    "ActivationCurve": "activation_functions",
    "ActivationStats": "activation_functions",
    "METHODS": "attribution",
    "Attribution": "attribution",
    "convolution_nodes": "attribution",
    "DesignNotReady": "errors",
    "InsightError": "errors",
    "NotConvolution": "errors",
    "SampleOutOfRange": "errors",
    "UnknownNode": "errors",
    "Unsupported": "errors",
    "WrongWeights": "errors",
    "Inspector": "inspector",
    "Samples": "inspector",
    "Weights": "inspector",
    "Neuron": "parameters",
    "ParameterValues": "parameters",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def activations(project: Project, weights: Weights = None, samples: Samples = 0) -> dict[str, np.ndarray]:
    """Every node's output for ``samples`` (validation indices or arrays), keyed by node id."""
    from designer.insight.inspector import Inspector

    return Inspector(project, weights).activations(samples)


def attributions(
    project: Project,
    weights: Weights,
    sample: int | np.ndarray,
    method: str = "integrated-gradients",
    target: int | None = None,
    node: str | None = None,
) -> Attribution:
    """One sample's attribution with ``method`` (one of METHODS); ``node`` is Grad-CAM's convolution."""
    from designer.insight.inspector import Inspector

    return Inspector(project, weights).attribute(sample, method, target, node)


__all__ = [
    "METHODS",
    "SATURATION",
    "ActivationCurve",
    "ActivationStats",
    "Attribution",
    "DesignNotReady",
    "InsightError",
    "Inspector",
    "Neuron",
    "NotConvolution",
    "ParameterValues",
    "SampleOutOfRange",
    "Samples",
    "UnknownNode",
    "Unsupported",
    "Weights",
    "WrongWeights",
    "activations",
    "attributions",
    "convolution_nodes",
]
