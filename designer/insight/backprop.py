"""Backpropagation for one sample, step by step: the teaching view's numbers.

``backprop_walk(inspector, sample)`` runs one validation sample forward (every
node's output), computes its loss with the project's loss function, and takes
the gradient of that loss with respect to every node's output in one
``torch.autograd.grad`` call over the intermediates, listed in reverse
topological order: the order in which the chain rule carries the gradient
back from the loss to the input. It then takes one plain gradient-descent
step, ``w <- w - lr * dL/dw`` for every parameter, on a copy of the module
(the Inspector's weights, and the project's, are not changed), and runs the
sample again for the loss after the step.

``walk.update(node, param, index)`` reads one parameter element's part of
that step: old value, gradient, learning rate, new value.

The module runs in eval mode, as the Inspector holds it: dropout is off and
batch norm uses its running statistics, so the walk is deterministic (a
training step would see a dropout mask and batch statistics).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from designer.insight.errors import Unsupported
from designer.insight.inspector import Inspector


@dataclass(frozen=True)
class NodeGradient:
    """One node on the way back: its output and the loss's gradient with respect to it."""

    node: str
    type: str
    output: np.ndarray  # the node's output for the sample (batch dimension dropped)
    gradient: np.ndarray | None  # dL/d(output), same shape; None where no gradient flows (token ids)

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.gradient)) if self.gradient is not None else 0.0

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.output.shape)


@dataclass(frozen=True)
class ParameterUpdate:
    """One parameter element's part of the gradient-descent step."""

    node: str
    param: str  # "weight", "bias"...
    index: tuple[int, ...]
    old: float
    gradient: float
    learning_rate: float

    @property
    def new(self) -> float:
        return self.old - self.learning_rate * self.gradient


@dataclass(frozen=True)
class BackpropWalk:
    """Forward, loss, backward node by node, and one step of gradient descent for one sample."""

    sample: int
    target: int | float | np.ndarray
    prediction: np.ndarray  # the Output node's values
    forward: list[str]  # node ids in topological order
    backward: list[NodeGradient]  # reverse topological order: the loss's gradient reaching each node
    loss: float
    learning_rate: float
    loss_after: float  # the sample's loss after one step w <- w - lr * grad
    loss_name: str
    # node id -> {param name: (old values, gradients)} on the CPU
    parameters: dict[str, dict[str, tuple[torch.Tensor, torch.Tensor]]] = field(repr=False, default_factory=dict)

    def gradient_of(self, node: str) -> NodeGradient:
        for item in self.backward:
            if item.node == node:
                return item
        raise KeyError(node)

    def parameter_names(self, node: str) -> list[str]:
        """The node's trainable parameters that received a gradient ([] for ReLU...)."""
        return list(self.parameters.get(node, {}))

    def parameter_shape(self, node: str, param: str) -> tuple[int, ...]:
        return tuple(self._parameter(node, param)[0].shape)

    def update(self, node: str, param: str, index: int | tuple[int, ...]) -> ParameterUpdate:
        """``param`` of ``node`` at ``index``: old value, gradient, learning rate, new value."""
        old, grad = self._parameter(node, param)
        where = (index,) if isinstance(index, int) else tuple(index)
        if len(where) != old.ndim or any(not 0 <= i < n for i, n in zip(where, old.shape)):
            raise Unsupported(f"{node}.{param} is {list(old.shape)}: index {list(where)} is outside it")
        return ParameterUpdate(node, param, where, float(old[where]), float(grad[where]), self.learning_rate)

    def _parameter(self, node: str, param: str) -> tuple[torch.Tensor, torch.Tensor]:
        found = self.parameters.get(node, {})
        if param not in found:
            have = ", ".join(found) or "none"
            raise Unsupported(f"{node} has no trainable parameter {param!r} (it has: {have})")
        return found[param]


def backprop_walk(inspector: Inspector, sample: int, learning_rate: float | None = None) -> BackpropWalk:
    """The walk for validation sample ``sample``; ``learning_rate`` defaults to the
    project's training setting. Raises Unsupported for a design with several
    Inputs or Outputs; nodes no gradient reaches (token ids) get None."""
    from designer.train.objective import Objective

    if len(inspector._inputs) != 1 or len(inspector._outputs) != 1:
        raise Unsupported("the backpropagation walk needs a design with one Input and one Output")
    lr = float(inspector.project.training.get("learning_rate", 0.01) if learning_rate is None else learning_rate)
    loss_name = str(inspector.project.training.get("loss", "cross_entropy"))
    objective = Objective(loss_name, inspector.data.spec)
    x = inspector.inputs(sample)
    y = torch.as_tensor(inspector.split.y[[sample]])
    module = copy.deepcopy(inspector.module).eval()
    params = dict(module.named_parameters())

    if x.is_floating_point():
        x.requires_grad_(True)
    outputs = inspector._all_outputs(module, x)
    loss = objective.loss(outputs[inspector.output_node], y)
    order = list(outputs)  # the rewritten forward returns them in topological order
    tracked = [nid for nid in order if outputs[nid].requires_grad]
    wanted = [outputs[nid] for nid in tracked] + list(params.values())
    grads = torch.autograd.grad(loss, wanted, allow_unused=True)
    node_grads = dict(zip(tracked, grads[: len(tracked)]))
    param_grads = dict(zip(params, grads[len(tracked) :]))

    backward = [
        NodeGradient(
            nid,
            inspector.node_type(nid),
            _sample_array(outputs[nid]),
            _sample_array(node_grads[nid]) if node_grads.get(nid) is not None else None,
        )
        for nid in reversed(order)
    ]
    by_node = _parameters_by_node(inspector, params, param_grads)
    with torch.no_grad():
        for name, p in params.items():
            g = param_grads[name]
            if g is not None:
                p -= lr * g
        loss_after = float(objective.loss(module(x.detach()), y))
    target = inspector.split.y[sample]
    return BackpropWalk(
        sample=int(sample),
        target=target.item() if np.ndim(target) == 0 else np.asarray(target),
        prediction=_sample_array(outputs[inspector.output_node]),
        forward=order,
        backward=backward,
        loss=float(loss.detach()),
        learning_rate=lr,
        loss_after=loss_after,
        loss_name=loss_name,
        parameters=by_node,
    )


def _sample_array(tensor: torch.Tensor) -> np.ndarray:
    values = tensor.detach()[0]
    return values.float().numpy() if values.is_floating_point() else values.numpy()


def _parameters_by_node(
    inspector: Inspector, params: dict[str, torch.Tensor], grads: dict[str, torch.Tensor | None]
) -> dict[str, dict[str, tuple[torch.Tensor, torch.Tensor]]]:
    """PyTorch parameter names (``dense1.weight``) grouped under their node (``dense1``: ``weight``)."""
    node_of = {attr: nid for nid, attr in inspector.compiled.generated.attributes.items()}
    found: dict[str, dict[str, tuple[torch.Tensor, torch.Tensor]]] = {}
    for name, value in params.items():
        grad = grads.get(name)
        attr, _, rest = name.partition(".")
        if grad is None or attr not in node_of:
            continue
        found.setdefault(node_of[attr], {})[rest] = (value.detach().clone(), grad.detach().clone())
    return found
