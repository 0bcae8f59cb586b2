"""``Inspector``: one design with one set of weights, compiled once, answering
many questions cheaply (every node's output, parameters, neurons, activation
curves and statistics, attributions).

Made for a GUI worker thread: build it once when the Insight panel opens (it
compiles the design and rewrites its forward), call :meth:`set_weights` when a
run keeps new weights (no recompiling), and ask as often as the view needs.
An Inspector is not thread-safe: use it from one thread at a time. Nothing is
hooked into the training module; the Inspector holds its own module on the CPU.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import torch
from torch import nn

from designer.compile import CompiledDesign, CompileError, compile_design
from designer.graph import ERROR
from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.insight import activation_functions, parameters
from designer.insight.errors import DesignNotReady, SampleOutOfRange, UnknownNode, WrongWeights
from designer.insight.intermediates import all_outputs_function, node_variables
from designer.project import Project, ProjectError
from designer.project.weights import load_weights

if TYPE_CHECKING:
    from designer.data import ArrayDataset, DataBundle
    from designer.insight.attribution import Attribution

# None: a fresh initialisation with the project's training seed; an int: with that seed;
# a mapping: a state dict (a run's kept weights); a path: a .safetensors file of this design.
Weights: TypeAlias = int | Mapping[str, torch.Tensor] | str | os.PathLike | None
# Indices into the validation split (one int or several), or model-ready arrays:
# one sample shaped like the Input, or a batch with the batch dimension first.
Samples: TypeAlias = int | Sequence[int] | np.ndarray
PROBE_BATCH = 256  # samples for activation statistics when none are named


class Inspector:
    """Looks inside ``project``'s design holding ``weights`` (see :data:`Weights`).

    ``data`` is the project's loaded data when the caller has it already (the
    window does, from training); otherwise it is loaded on first use of a
    sample index. Raises DesignNotReady when the design has problems and
    WrongWeights when the weights belong to another design.
    """

    def __init__(self, project: Project, weights: Weights = None, data: DataBundle | None = None) -> None:
        self.project = project
        self.graph = project.graph
        errors = [p for p in self.graph.validate() if p.severity == ERROR]
        if errors:
            raise DesignNotReady(_problems_text(errors), errors)
        try:
            self.compiled: CompiledDesign = compile_design(self.graph)
        except CompileError as exc:
            raise DesignNotReady(_problems_text(exc.problems), exc.problems) from None
        self.node_ids: list[str] = self.graph.analyze().order
        self._variables = node_variables(self.compiled, self.graph)
        self._all_outputs = all_outputs_function(self.compiled, self._variables)
        self._inputs = [nid for nid in self.node_ids if self.graph.node(nid).type == INPUT_TYPE]
        self._outputs = [nid for nid in self.node_ids if self.graph.node(nid).type == OUTPUT_TYPE]
        self._data = data
        self.module: nn.Module = self._fresh_module(self._seed(None))
        self.set_weights(weights)

    # ------------------------------------------------------------ weights
    def set_weights(self, weights: Weights) -> None:
        """Hold other weights (same design): cheap, nothing is recompiled."""
        if weights is None or isinstance(weights, int):
            self.module = self._fresh_module(self._seed(weights))
            return
        if isinstance(weights, (str, os.PathLike)):
            try:
                state: Mapping[str, torch.Tensor] = load_weights(Path(weights), self.graph.fingerprint())
            except ProjectError as exc:
                raise WrongWeights(str(exc)) from None
        else:
            state = weights
        try:
            self.module.load_state_dict(dict(state))
        except RuntimeError as exc:
            lines = str(exc).splitlines()
            detail = lines[1].strip() if len(lines) > 1 else str(exc)
            raise WrongWeights(
                f"these weights do not fit the design {self.graph.name!r} ({detail}): they belong to another design"
            ) from None
        self.module.eval()

    # --------------------------------------------------------------- data
    @property
    def data(self) -> DataBundle:
        """The project's data (loaded on first use); DesignNotReady when it cannot be used."""
        if self._data is None:
            from designer.data import DataError
            from designer.train import load_bundle

            try:
                self._data = load_bundle(self.project)
            except DataError as exc:
                raise DesignNotReady(f"the data cannot be used: {exc}") from None
            errors = [p for p in self.graph.validate(self._data.spec) if p.severity == ERROR]
            if errors:
                raise DesignNotReady(_problems_text(errors), errors)
        return self._data

    @property
    def loaded_data(self) -> DataBundle | None:
        """The data if it has been loaded (or given), without loading it."""
        return self._data

    @property
    def split(self) -> ArrayDataset:
        """The validation split: what sample indices point into."""
        return self.data.validation

    def inputs(self, samples: Samples) -> torch.Tensor:
        """The batch for ``samples`` (indices into the validation split, or arrays), typed for the Input."""
        if len(self._inputs) != 1:
            raise SampleOutOfRange(f"{self.graph.name} has {len(self._inputs)} inputs; samples are given for designs with one Input")
        spec = self.graph.analyze().nodes[self._inputs[0]].output
        shape, dtype = (tuple(spec.shape), spec.dtype) if spec is not None else ((), "float32")
        if isinstance(samples, np.ndarray) and samples.dtype != object:
            batch = samples if samples.shape[1:] == shape else samples[None] if samples.shape == shape else None
            if batch is None:
                raise SampleOutOfRange(
                    f"samples of shape {samples.shape} do not fit the input {list(shape)} (one sample, or a batch of them)"
                )
        else:
            indices = [samples] if isinstance(samples, (int, np.integer)) else list(samples)
            batch = self.split.x[self._check_indices(indices)]
        return torch.as_tensor(np.ascontiguousarray(batch), dtype=torch.int64 if dtype.startswith("int") else torch.float32)

    def _check_indices(self, indices: list) -> list[int]:
        count = len(self.split)
        for i in indices:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < count:
                span = f"0 to {count - 1}" if count else "none: set data.validation_split above 0"
                raise SampleOutOfRange(f"sample {i} is out of range: the validation split has {count} samples ({span})")
        return [int(i) for i in indices]

    # -------------------------------------------------------- activations
    def activations(self, samples: Samples) -> dict[str, np.ndarray]:
        """Every node's output for ``samples``, keyed by node id, batch first.

        Parameter-free nodes (ReLU, Flatten, Add...) are included; an Input's
        output is the sample, an Output's is its source's output.
        """
        return {nid: t.detach().float().numpy() if t.is_floating_point() else t.numpy() for nid, t in self.outputs(samples).items()}

    def outputs(self, samples: Samples | torch.Tensor) -> dict[str, torch.Tensor]:
        """As :meth:`activations`, as tensors (no copies)."""
        x = samples if isinstance(samples, torch.Tensor) else self.inputs(samples)
        with torch.no_grad():
            return self._all_outputs(self.module, x)

    # ---------------------------------------------------------- parameters
    def parameters(self, node: str) -> list[parameters.ParameterValues]:
        """The node's weights and biases by PyTorch name; [] for a parameter-free node."""
        return parameters.node_parameters(self.submodule(node))

    def neuron(self, node: str, index: int) -> parameters.Neuron:
        """Incoming weights and bias of unit ``index`` of a Linear or convolution node."""
        return parameters.neuron(node, self.node_type(node), self.submodule(node), index)

    # --------------------------------------------------------- activation layers
    def activation_curve(self, node: str, low: float = -5.0, high: float = 5.0, points: int = 201) -> activation_functions.ActivationCurve:
        """The node's activation function and its derivative over ``[low, high]``."""
        kind = self.node_type(node)
        activation_functions.check_elementwise(node, kind)
        return activation_functions.curve(node, kind, dict(self.graph.node(node).params), self.submodule(node), low, high, points)

    def activation_stats(self, node: str, samples: Samples | None = None) -> activation_functions.ActivationStats:
        """Dead / saturated units of an activation node on a probe batch
        (default: the first PROBE_BATCH validation samples)."""
        kind = self.node_type(node)
        activation_functions.check_elementwise(node, kind)
        if samples is None:
            samples = list(range(min(PROBE_BATCH, len(self.split))))
        source = self.graph.inputs_of(node)[0].source
        received = self.outputs(samples)[source]
        return activation_functions.stats(node, kind, received.float().numpy())

    # --------------------------------------------------------- attributions
    def attribute(
        self, sample: int | np.ndarray, method: str = "integrated-gradients", target: int | None = None, node: str | None = None
    ) -> Attribution:
        """Attribution of one sample's output ``target`` (default: the predicted
        class) to its input; see :mod:`designer.insight.attribution`."""
        from designer.insight.attribution import attribute

        return attribute(self, sample, method, target, node)

    # ------------------------------------------------------------- helpers
    def node_type(self, node: str) -> str:
        if node not in self.graph:
            known = ", ".join(self.node_ids)
            raise UnknownNode(f"there is no node '{node}' in {self.graph.name} (nodes: {known})")
        return self.graph.node(node).type

    def submodule(self, node: str) -> nn.Module | None:
        """The compiled module's layer for ``node`` (None for parameter-free nodes)."""
        self.node_type(node)
        attribute = self.compiled.generated.attributes.get(node)
        return None if attribute is None else getattr(self.module, attribute)

    @property
    def input_node(self) -> str:
        return self._inputs[0]

    @property
    def output_node(self) -> str:
        return self._outputs[0]

    def _seed(self, seed: int | None) -> int:
        return int(self.project.training.get("seed", 0)) if seed is None else int(seed)

    def _fresh_module(self, seed: int) -> nn.Module:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return self.compiled.new_module().eval()


def _problems_text(problems: Sequence) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"the design has problems; fix them first: {first.node or 'design'}: {first.message}{more}"
