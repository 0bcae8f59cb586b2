"""The Insight panel's computations, off the UI thread.

One :class:`designer.insight.Inspector` answers every question; it lives in an
:class:`Engine` that the worker threads share under a lock (an Inspector is
not thread-safe, and one request at a time is all a view needs). Each kind of
question (the samples, one sample's outputs, one node's details, an
explanation, the predictions on the whole split) has its own
:class:`~designer.document.workers.LatestRequest`, so a new sample picked
supersedes the last one still waiting, without cancelling the others' kind.

A request carries a :class:`Context`: a snapshot of the project (the worker
never reads the document the user is editing) and the chosen weights. The
engine rebuilds the Inspector only when the design or its data changed, and
swaps weights without recompiling.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from designer.document.workers import LatestRequest
from designer.graph.analysis import OUTPUT_TYPE
from designer.insight.errors import InsightError
from designer.project import Project, dumps, loads
from designer.ui.insight.outputs import thumbnail
from designer.ui.training.devices import wait_for_warm_up, warm_up_first

if TYPE_CHECKING:  # the engine (and torch) load on the engine's thread, with the first question
    import torch

    from designer.insight.activation_functions import ActivationCurve, ActivationStats
    from designer.insight.attribution import Attribution
    from designer.insight.inspector import Inspector
    from designer.insight.parameters import Neuron, ParameterValues

ATTENTION = ("MultiheadAttention",)
THUMBNAILS = 2000  # images kept for the picker's thumbnails
PROBE = 256  # samples an activation node's statistics are taken on


@dataclass(frozen=True)
class WeightsChoice:
    """What the weights menu offers: a seed, a run's kept state dict, or a .safetensors file."""

    label: str
    value: Any  # int | state dict | path
    key: tuple  # identity: ("seed", n), ("run", number), ("file", path)


@dataclass(frozen=True)
class Context:
    """The design as it was when asked (a snapshot) and the weights chosen."""

    project: Project
    weights: WeightsChoice
    key: tuple  # (graph fingerprint, data settings): a new key rebuilds the Inspector

    @classmethod
    def of(cls, project: Project, weights: WeightsChoice) -> Context:
        snapshot = loads(dumps(project))
        snapshot.path = project.path
        return cls(snapshot, weights, (snapshot.graph.fingerprint(), json.dumps(snapshot.data, sort_keys=True, default=str)))


@dataclass
class SampleSet:
    """The validation split as the picker shows it."""

    count: int
    kind: str  # image | points | rows | sequence | tokens
    labels: np.ndarray | None  # true class per sample (classification), else None
    class_names: list[str]
    images: np.ndarray | None = None  # (n, H, W) or (n, H, W, 3) in [0, 1], the first THUMBNAILS
    points: np.ndarray | None = None  # (n, 2) for 2-D inputs
    feature_names: list[str] = field(default_factory=list)
    targets: np.ndarray | None = None  # (n,) a regression's true value per sample, when it is one number

    def class_name(self, k: int | None) -> str:
        if k is None:
            return "-"
        return self.class_names[k] if 0 <= k < len(self.class_names) else str(k)


@dataclass
class SampleOutputs:
    """Every node's output for one sample (batch dimension removed)."""

    sample: int
    order: list[str]  # topological
    types: dict[str, str]
    outputs: dict[str, np.ndarray]
    attention: dict[str, np.ndarray]  # attention node -> (target steps, source steps) weights, heads averaged
    sources: dict[str, list[str]]  # node -> the nodes feeding it
    probabilities: np.ndarray | None  # classifiers: per class
    predicted: int | None
    true: int | None
    class_names: list[str]
    thumbnails: dict[str, np.ndarray]  # node -> a small RGB picture of its output, made on the worker
    target: np.ndarray | None = None  # a regression's true values for the sample, flat (as the output is scaled)

    @property
    def output(self) -> np.ndarray | None:
        """The design's Output node's values."""
        return next((self.outputs[nid] for nid in self.order if self.types.get(nid) == OUTPUT_TYPE), None)


@dataclass
class NeuronView:
    """A unit's incoming weights and bias, and what they make of the chosen sample."""

    neuron: Neuron
    inputs: np.ndarray | None  # Linear: the values the unit receives for the sample
    pre_activation: float | None  # inputs . weights + bias
    activation: tuple[str, float] | None  # (next activation node, its output for this unit)


@dataclass
class ActivationView:
    curve: ActivationCurve
    stats: ActivationStats
    counts: np.ndarray  # histogram of the inputs the layer received
    edges: np.ndarray


@dataclass
class NodeDetails:
    """What the Weights and Activation tabs show of one node; a refusal is a sentence."""

    node: str
    layer_type: str
    parameters: list[ParameterValues]
    neuron: NeuronView | None
    neuron_refusal: str
    units: int  # how many neurons the node has (0: none)
    activation: ActivationView | None
    activation_refusal: str


@dataclass
class Predictions:
    """The chosen weights' predictions on the validation split."""

    predicted: np.ndarray
    misclassified: np.ndarray  # indices
    accuracy: float | None


class Engine:
    """Holds the Inspector between requests (worker threads, one at a time)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._inspector: Inspector | None = None
        self._key: tuple | None = None
        self._weights: tuple | None = None
        self._data: Any = None
        self._data_key: str | None = None

    def inspector(self, context: Context) -> Inspector:
        """The Inspector for ``context`` (call with ``lock`` held)."""
        if self._inspector is None or self._key != context.key:
            self._inspector = self._key = self._weights = None
            data = self._data if self._data_key == context.key[1] else None
            from designer.insight.inspector import Inspector

            self._inspector = Inspector(context.project, context.weights.value, data)
            self._key, self._weights = context.key, context.weights.key
        elif self._weights != context.weights.key:
            self._weights = None
            self._inspector.set_weights(context.weights.value)
            self._weights = context.weights.key
        if self._inspector.loaded_data is None:
            self._inspector.data  # noqa: B018 - loads the data, raising DesignNotReady when it cannot be used
        self._data, self._data_key = self._inspector.loaded_data, context.key[1]
        return self._inspector

    def run(self, context: Context, question: Callable[[Inspector], Any]) -> Any:
        wait_for_warm_up()
        with self.lock:
            return question(self.inspector(context))


# ------------------------------------------------------------------ questions
def sample_set(inspector: Inspector) -> SampleSet:
    split, bundle = inspector.split, inspector.data
    x = split.x
    classification = bundle.spec.task == "classification"
    labels = np.asarray(split.y).astype(int).reshape(len(x)) if classification else None
    y = np.asarray(split.y)
    targets = y.reshape(len(x)).astype(np.float64) if bundle.spec.task == "regression" and y.size == len(x) else None
    names = list(bundle.class_names)
    shape, floating = tuple(x.shape[1:]), np.issubdtype(x.dtype, np.floating)
    if len(shape) == 3 and shape[0] in (1, 3) and floating:
        images = np.asarray(x[:THUMBNAILS], dtype=np.float32)
        images = images[:, 0] if shape[0] == 1 else np.moveaxis(images, 1, -1)
        axes = tuple(range(1, images.ndim))
        lo, hi = images.min(axis=axes, keepdims=True), images.max(axis=axes, keepdims=True)
        return SampleSet(len(x), "image", labels, names, images=(images - lo) / np.maximum(hi - lo, 1e-6), targets=targets)
    if shape == (2,) and floating:
        return SampleSet(len(x), "points", labels, names, points=np.asarray(x, dtype=np.float32), targets=targets)
    kind = "rows" if len(shape) == 1 and floating else "sequence" if len(shape) == 2 else "tokens"
    features = list(bundle.normalization.get("features") or [])
    return SampleSet(len(x), kind, labels, names, feature_names=features, targets=targets)


def sample_outputs(inspector: Inspector, sample: int) -> SampleOutputs:
    import torch

    tensors = inspector.outputs([sample])
    graph = inspector.graph
    outputs = {nid: _numpy(t)[0] for nid, t in tensors.items()}
    attention = {}
    for nid in inspector.node_ids:
        if graph.node(nid).type in ATTENTION:
            x = tensors[graph.inputs_of(nid)[0].source]
            with torch.no_grad():
                _, weights = inspector.submodule(nid)(x, x, x, need_weights=True, average_attn_weights=True)
            attention[nid] = _numpy(weights)[0]
    probabilities, predicted = _probabilities(inspector, outputs[inspector.output_node])
    true = None
    target = None
    if inspector.data.spec.task == "classification":
        true = int(np.asarray(inspector.split.y)[sample])
    elif inspector.data.spec.task == "regression":
        target = np.asarray(inspector.split.y[sample], dtype=np.float64).reshape(-1)
    return SampleOutputs(
        sample,
        list(inspector.node_ids),
        {nid: graph.node(nid).type for nid in inspector.node_ids},
        outputs,
        attention,
        {nid: [e.source for e in graph.inputs_of(nid)] for nid in inspector.node_ids},
        probabilities,
        predicted,
        true,
        list(inspector.data.class_names),
        {nid: thumbnail(values, attention.get(nid)) for nid, values in outputs.items()},
        target,
    )


def node_details(inspector: Inspector, node: str, unit: int, sample: int | None) -> NodeDetails:
    kind = inspector.node_type(node)
    parameters = inspector.parameters(node)
    neuron_view, neuron_refusal, units = None, "", 0
    try:
        inspector.neuron(node, 0)  # refuses a node without units
    except InsightError as exc:
        neuron_refusal = str(exc) if parameters else f"{node} is a {kind}: it has no weights, so no neurons to show"
    else:
        units = _units(inspector, node)
        neuron_view = _neuron_view(inspector, node, min(max(unit, 0), units - 1), sample)
    activation, activation_refusal = None, ""
    try:
        activation = _activation_view(inspector, node)
    except InsightError as exc:
        activation_refusal = str(exc)
    return NodeDetails(node, kind, parameters, neuron_view, neuron_refusal, units, activation, activation_refusal)


def predictions(inspector: Inspector) -> Predictions:
    split = inspector.split
    chunks = []
    for start in range(0, len(split), 512):
        chunks.append(_numpy(inspector.outputs(list(range(start, min(len(split), start + 512))))[inspector.output_node]))
    outputs = np.concatenate(chunks) if chunks else np.zeros((0, 1), np.float32)
    if inspector.data.spec.task != "classification" or not len(outputs):
        return Predictions(np.zeros(0, int), np.zeros(0, int), None)
    probabilities = _class_probabilities(inspector, outputs.reshape(len(outputs), -1))
    predicted = probabilities.argmax(axis=1)
    truth = np.asarray(split.y).astype(int).reshape(-1)
    wrong = np.flatnonzero(predicted != truth)
    return Predictions(predicted, wrong, 1.0 - len(wrong) / len(truth))


def explain(inspector: Inspector, sample: int, method: str, node: str | None, target: int | None) -> Attribution:
    return inspector.attribute(sample, method, target, node if method == "gradcam" else None)


# ------------------------------------------------------------------ helpers
def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().numpy() if t.is_floating_point() else t.detach().numpy()


def _class_probabilities(inspector: Inspector, outputs: np.ndarray) -> np.ndarray:
    from designer.train import Objective
    from designer.train.predict import class_probabilities

    objective = Objective(str(inspector.project.training.get("loss", "cross_entropy")), inspector.data.spec)
    return class_probabilities(outputs, objective)


def _probabilities(inspector: Inspector, output: np.ndarray) -> tuple[np.ndarray | None, int | None]:
    if inspector.data.spec.task != "classification":
        return None, None
    probabilities = _class_probabilities(inspector, output.reshape(1, -1))[0]
    return probabilities, int(probabilities.argmax())


def _units(inspector: Inspector, node: str) -> int:
    module = inspector.submodule(node)
    for name in ("out_features", "out_channels"):
        if hasattr(module, name):
            return int(getattr(module, name))
    return 1


def _neuron_view(inspector: Inspector, node: str, unit: int, sample: int | None) -> NeuronView:
    neuron = inspector.neuron(node, unit)
    if sample is None or inspector.node_type(node) != "Linear":
        return NeuronView(neuron, None, None, None)
    graph = inspector.graph
    tensors = inspector.outputs([sample])
    inputs = _numpy(tensors[graph.inputs_of(node)[0].source])[0].reshape(-1)
    pre = float(inputs @ neuron.weights + (neuron.bias or 0.0)) if inputs.shape == neuron.weights.shape else None
    from designer.insight import activation_functions

    after = [e.target for e in graph.iter_edges() if e.source == node]
    activation = None
    if len(after) == 1 and graph.node(after[0]).type in activation_functions.ELEMENTWISE:
        activation = (after[0], float(_numpy(tensors[after[0]])[0].reshape(-1)[unit]))
    return NeuronView(neuron, inputs if pre is not None else None, pre, activation)


def _activation_view(inspector: Inspector, node: str) -> ActivationView:
    from designer.insight import activation_functions

    kind = inspector.node_type(node)
    activation_functions.check_elementwise(node, kind)
    source = inspector.graph.inputs_of(node)[0].source
    probe = list(range(min(PROBE, len(inspector.split))))
    received = _numpy(inspector.outputs(probe)[source])
    stats = activation_functions.stats(node, kind, received)
    reach = max(abs(stats.input_min), abs(stats.input_max))
    limit = float(min(10.0, max(3.0, np.ceil(reach))))  # the inputs' range, within sensible bounds
    curve = inspector.activation_curve(node, -limit, limit)
    counts, edges = np.histogram(np.clip(received.reshape(-1), -limit, limit), bins=60, range=(-limit, limit))
    return ActivationView(curve, stats, counts, edges)


class InsightRunner(QObject):
    """The panel's requests, each kind answered off the UI thread; only the newest answer of a kind arrives."""

    samples_ready = Signal(object)  # SampleSet
    outputs_ready = Signal(object)  # SampleOutputs
    details_ready = Signal(object)  # NodeDetails
    explained = Signal(object)  # Attribution
    predicted = Signal(object)  # Predictions
    failed = Signal(str, object)  # (kind, exception)

    KINDS = ("samples", "outputs", "details", "explain", "predictions")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = Engine()
        answers: Mapping[str, Signal] = {
            "samples": self.samples_ready,
            "outputs": self.outputs_ready,
            "details": self.details_ready,
            "explain": self.explained,
            "predictions": self.predicted,
        }
        self._requests: dict[str, LatestRequest] = {}
        for kind in self.KINDS:
            request = LatestRequest(self._answer, f"insight {kind}", parent=self)
            request.succeeded.connect(answers[kind].emit)
            request.failed.connect(lambda exc, kind=kind: self.failed.emit(kind, exc))
            self._requests[kind] = request

    def _answer(self, context: Context, question: Callable[[Inspector], Any]) -> Any:
        return self.engine.run(context, question)

    def busy(self, kind: str) -> bool:
        return self._requests[kind].busy

    def _ask(self, kind: str, context: Context, question: Callable[[Inspector], Any]) -> None:
        warm_up_first()  # the engine's thread waits for it: torch's first use is not safe in two threads
        self._requests[kind].request(context, question)

    def ask_samples(self, context: Context) -> None:
        self._ask("samples", context, sample_set)

    def ask_outputs(self, context: Context, sample: int) -> None:
        self._ask("outputs", context, lambda inspector: sample_outputs(inspector, sample))

    def ask_details(self, context: Context, node: str, unit: int, sample: int | None) -> None:
        self._ask("details", context, lambda inspector: node_details(inspector, node, unit, sample))

    def ask_explain(self, context: Context, sample: int, method: str, node: str | None, target: int | None) -> None:
        self._ask("explain", context, lambda inspector: explain(inspector, sample, method, node, target))

    def ask_predictions(self, context: Context) -> None:
        self._ask("predictions", context, predictions)

    def cancel(self) -> None:
        """Drop every request waiting or running (the panel is hidden, or its design changed)."""
        for request in self._requests.values():
            request.cancel()
