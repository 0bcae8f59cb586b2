"""How a layer type corresponds to PyTorch and to ONNX, declared with its entry.

The catalog entry already says how a design node becomes PyTorch (its
``constructor`` and ``forward``). These declarations say the way back: which
``torch.nn`` classes, functions and tensor methods are the layer and how
their attributes and arguments give the layer's parameters (the PyTorch
importer), and which ONNX operators are the layer, how their attributes give
the parameters and which of their inputs hold which weights (the ONNX
importer). ``capabilities`` name what the compiler and exporters ask about a
layer type, so no layer name is written outside the catalog.

Pure Python: modules, calls and ONNX nodes are read through the small views
below, which the importers provide; nothing here imports torch or onnx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Params = dict[str, Any]

# Capabilities the compiler, the exporters and the importers ask about.
SEQUENCE = "sequence"  # reads sequences of any length: its weights do not fix the number of steps
RECURRENT = "recurrent"  # a recurrent module: (output, state) tuples, its ``returns`` picks one
ATTENTION = "attention"  # self-attention: traced as torch writes it, its reshapes fix the batch size (designer.compile.onnx_attention)
UNROLLED_BY_TORCH_EXPORT = "unrolled-by-torch-export"  # torch.export unrolls it over the steps
TOKEN_IDS = "token-ids"  # reads int64 ids below its ``num_embeddings``
CONSTANT_AFFINE = "constant-affine"  # x * factor + offset: consecutive ones fold into one
MERGE_SUM = "merge-sum"  # the element-wise sum of its inputs
MERGE_MEAN = "merge-mean"  # the element-wise mean of its inputs
MERGE_PRODUCT = "merge-product"  # the element-wise product of its inputs
PASS_THROUGH_AT_EVALUATION = "pass-through-at-evaluation"  # does nothing in eval mode (dropout): ONNX has no trace of it


class Unmappable(Exception):
    """Raised by a reader: this module, call or operator has no equivalent
    in the layer type; the message says why, for the import report."""


class CallView(Protocol):
    """A traced call of a function or tensor method, for a reader."""

    function: str  # its name: "relu", "flatten", "add"...
    tensor_count: int  # how many tensors it takes
    number: float | None  # an arithmetic operator's number operand (x * 0.5), else None
    reversed: bool  # the number came first (2 - x)

    def arg(self, name: str, position: int, default: Any = ...) -> Any:
        """The argument given by keyword ``name`` or at ``position`` (counted
        after the input tensor, or after the list of tensors), else
        ``default``; raises Unmappable when it is missing or a tensor."""
        ...

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The input's shape, batch first."""
        ...

    @property
    def output_shape(self) -> tuple[int, ...]: ...


class OnnxView(Protocol):
    """An ONNX operator (or a pattern of operators the importer read as one),
    for a reader."""

    op_type: str

    def attr(self, name: str, default: Any = None) -> Any:
        """An attribute's value as plain Python (ints, floats, strings, lists)."""
        ...

    def const(self, index: int) -> Any:
        """A constant input as an array (``.shape``, ``.tolist()``), or None when
        the input is missing or computed."""
        ...

    def input_shape(self, index: int = 0) -> tuple[int, ...]:
        """The shape of a data input, batch first (the batch as -1)."""
        ...

    @property
    def output_shape(self) -> tuple[int, ...]: ...

    @property
    def region(self) -> Any:
        """For a layer read from several operators: what the importer found in
        them (see :class:`RegionFacts`), else None."""
        ...


@dataclass(frozen=True)
class RegionFacts:
    """What the ONNX importer found in a run of operators between one input
    and one output, for a layer made of several operators (attention,
    recurrent layers)."""

    op_counts: Mapping[str, int]
    linears: tuple[tuple[int, int, bool], ...]  # each projection's (in, out, has bias), in order
    norms_eps: tuple[float, ...]  # each LayerNormalization's epsilon, in order
    norm_before_softmax: bool  # a LayerNormalization runs before the attention weights
    outputs_used: tuple[int, ...]  # for a recurrent operator: which of its outputs the run uses
    heads_hints: tuple[int, ...]  # head counts the reshapes suggest, most likely first


@dataclass(frozen=True)
class TorchMapping:
    """The PyTorch forms of a layer type.

    ``modules``: ``torch.nn`` classes that are this layer; ``read`` gives the
    parameters from an instance (default: the attributes named like the
    parameters), and the module's state dict is the node's weights.
    ``functions``: functions of ``torch`` and ``torch.nn.functional`` and
    tensor methods that are this layer; ``call`` gives the parameters from a
    call (default: ``args`` name the parameters the arguments after the input
    set, by position, or by keyword under the same name).
    """

    modules: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    read: Callable[[Any], Params] | None = None
    call: Callable[[CallView], Params] | None = None


@dataclass(frozen=True)
class WeightFrom:
    """Where one tensor of the layer's state dict is in an ONNX operator:
    input ``index`` (or, for a layer read from several operators, the
    ``index``-th projection or norm of the run), changed by ``transform``
    (see the ONNX importer: "", "transpose", "gates ..." reorders, "zeros"
    for a missing bias, "count" for BatchNorm's step counter)."""

    index: int
    transform: str = ""
    part: str = ""  # a region's "linear" or "norm"; "weight" or "bias" of it


@dataclass(frozen=True)
class OnnxMapping:
    """An ONNX operator that is this layer type.

    ``read`` gives the parameters (raising Unmappable with the reason when an
    attribute has no equivalent), or a list of candidate parameter sets the
    importer tries in order against onnxruntime. ``weights`` maps the state
    dict's keys to operator inputs (a callable when the keys depend on the
    parameters). ``region``: the operator anchors several operators that
    together are one layer (recurrent layers, attention); the importer finds
    the run around it and gives ``read`` its facts. ``region_ops`` are the
    operator counts such a run must have.
    """

    op: str
    read: Callable[[OnnxView], Params | list[Params]]
    weights: Mapping[str, WeightFrom] | Callable[[Params], Mapping[str, WeightFrom]] = field(default_factory=dict)
    region: bool = False
    region_ops: Mapping[str, int] = field(default_factory=dict)

    def weight_sources(self, params: Params) -> Mapping[str, WeightFrom]:
        return self.weights(params) if callable(self.weights) else self.weights


def has_tensor(name: str) -> Callable[[Any], bool]:
    """A reader of a bool parameter: whether the module has the tensor ``name`` (bias=True)."""
    return lambda module: getattr(module, name, None) is not None


def require(condition: bool, reason: str) -> None:
    """Raise Unmappable(reason) unless ``condition`` holds."""
    if not condition:
        raise Unmappable(reason)


def single(value: Any) -> Any:
    """A size as the catalog stores it: (3, 3) -> 3, (3, 5) stays, [3] -> 3."""
    if isinstance(value, (list, tuple)):
        items = tuple(int(v) for v in value)
        return items[0] if len(set(items)) == 1 else items
    return value


def onnx_pads(view: OnnxView, n: int) -> Any:
    """ONNX ``pads`` (begin..., end...) as a symmetric padding, or Unmappable."""
    if view.attr("auto_pad", "NOTSET") not in ("NOTSET", "VALID", b"NOTSET", b"VALID"):
        raise Unmappable(f"auto_pad={view.attr('auto_pad')!r}: only explicit padding is supported")
    pads = list(view.attr("pads", [0] * (2 * n)))
    begin, end = pads[:n], pads[n:]
    require(begin == end, f"asymmetric padding {pads}: the designer pads both sides of a dimension alike")
    return single(begin)
