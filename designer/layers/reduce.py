"""Reductions over chosen dimensions: the mean or the maximum over steps,
positions or features (sequence pooling without Permute + GlobalAvgPool)."""

from __future__ import annotations

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.graph.tensor import DTYPES, FLOAT, TensorSpec
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType
from designer.layers.mapping import OnnxMapping, TorchMapping
from designer.layers.shapes import axis
from designer.params import BOOL, INTS, Param

CATEGORY = "Convolution and pooling"


def _check_dims(dims: tuple[int, ...]) -> str | None:
    if len(set(dims)) != len(dims):
        return f"{list(dims)} names a dimension twice: list each dimension once"
    return None


def reduced_axes(name: str, x: TensorSpec, dims: tuple[int, ...]) -> list[int]:
    """The per-sample axes ``dims`` names (PyTorch dims, batch is 0), each once."""
    axes = [axis(name, x, d, "dims") for d in dims]
    if len(set(axes)) != len(axes):
        raise ShapeError(f"{name}: dims {list(dims)} name the same dimension twice for {x.display()}: list each dimension once", code="dim")
    return axes


def _rule(name: str, keep_dtype: bool):
    def rule(inputs, p) -> Inference:
        x = inputs[0]
        axes = set(reduced_axes(name, x, p["dims"]))
        if p["keepdim"]:
            shape = tuple(1 if i in axes else size for i, size in enumerate(x.shape))
        else:
            shape = tuple(size for i, size in enumerate(x.shape) if i not in axes)
        return Inference(TensorSpec(shape, x.dtype if keep_dtype else FLOAT))

    return rule


def _forward(method: str):
    def forward(var: str, attr: str, args: list[str], p) -> list[str]:
        dims = p["dims"]
        dim = str(dims[0]) if len(dims) == 1 else f"({', '.join(map(str, dims))})"
        keep = ", keepdim=True" if p["keepdim"] else ""
        return [f"{var} = {args[0]}.{method}(dim={dim}{keep})"]

    return forward


def _params(what: str) -> tuple[Param, ...]:
    return (
        Param(
            "dims",
            INTS,
            (1,),
            f"Dimensions to take the {what} over (PyTorch style: 1 is the first after the batch; -1 the last).",
            min=-6,
            max=5,
            min_length=1,
            max_length=5,
            extra=_check_dims,
        ),
        Param("keepdim", BOOL, False, "Keep each reduced dimension with size 1 instead of removing it."),
    )


def _label(p) -> str:
    return "dims " + ",".join(map(str, p["dims"]))


LAYERS = [
    LayerType(
        "ReduceMean",
        CATEGORY,
        "Averages over the chosen dimensions, e.g. dims [1] averages a sequence over its steps (N x L x E becomes N x E), "
        "dims [2, 3] averages an image over its positions.",
        _rule("ReduceMean", keep_dtype=False),
        params=_params("mean"),
        id_prefix="mean",
        forward=_forward("mean"),
        label=_label,
        torch=TorchMapping(functions=("mean",), call=forms.reduce_call),
        onnx=(OnnxMapping("ReduceMean", onnx.reduce),),
    ),
    LayerType(
        "ReduceMax",
        CATEGORY,
        "Keeps the largest value over the chosen dimensions, e.g. dims [1] max-pools a sequence over its steps.",
        _rule("ReduceMax", keep_dtype=True),
        params=_params("maximum"),
        id_prefix="max",
        dtypes=DTYPES,
        forward=_forward("amax"),
        label=_label,
        torch=TorchMapping(functions=("amax",), call=forms.reduce_call),
        onnx=(OnnxMapping("ReduceMax", onnx.reduce),),
    ),
]
