"""Merges: combine two or more branches (skip connections, multi-branch blocks)."""

from __future__ import annotations

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.graph.tensor import DTYPES, FLOAT, LONG, TensorSpec
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType
from designer.layers.mapping import MERGE_MEAN, MERGE_PRODUCT, MERGE_SUM, OnnxMapping, TorchMapping
from designer.layers.shapes import axis, broadcast
from designer.params import INT, Param


def _dtype(inputs: list[TensorSpec], always_float: bool = False) -> str:
    return FLOAT if always_float or any(x.dtype == FLOAT for x in inputs) else LONG


def _elementwise(name: str, always_float: bool = False):
    def rule(inputs, p) -> Inference:
        return Inference(TensorSpec(broadcast(name, inputs), _dtype(inputs, always_float)))

    return rule


def _concat_rule(inputs, p) -> Inference:
    first = inputs[0]
    if len({x.rank for x in inputs}) > 1:
        raise ShapeError(
            f"Concat gets {' and '.join(x.display() for x in inputs)}: every input needs the same number of dimensions",
            code="concat-mismatch",
        )
    d = axis("Concat", first, p["dim"])
    for position in range(len(first.shape)):
        if position == d:
            continue
        sizes = {x.shape[position] for x in inputs}
        if len(sizes) > 1:
            raise ShapeError(
                f"Concat along dim {p['dim']} gets {' and '.join(x.display() for x in inputs)}: they differ in dim {position + 1} "
                f"({' vs '.join(map(str, sorted(sizes)))}), and only the concatenated dim may differ",
                code="concat-mismatch",
            )
    shape = list(first.shape)
    shape[d] = sum(x.shape[d] for x in inputs)
    return Inference(TensorSpec(tuple(shape), _dtype(inputs)))


def _join(symbol: str):
    return lambda var, attr, args, p: [f"{var} = {f' {symbol} '.join(args)}"]


MERGE_HELP = " Takes two or more inputs; drag more edges onto it to add inputs."

LAYERS = [
    LayerType(
        "Add",
        "Merge",
        "Adds its inputs element-wise (a residual or skip connection). Shapes must match." + MERGE_HELP,
        _elementwise("Add"),
        min_inputs=2,
        max_inputs=None,
        dtypes=DTYPES,
        forward=_join("+"),
        torch=TorchMapping(functions=("add",), call=forms.tensors_only),
        onnx=(OnnxMapping("Add", onnx.tensors_only), OnnxMapping("Sum", onnx.tensors_only)),
        capabilities=frozenset({MERGE_SUM}),
    ),
    LayerType(
        "Multiply",
        "Merge",
        "Multiplies its inputs element-wise (gating); a size-1 dimension broadcasts." + MERGE_HELP,
        _elementwise("Multiply"),
        min_inputs=2,
        max_inputs=None,
        dtypes=DTYPES,
        id_prefix="mul",
        forward=_join("*"),
        torch=TorchMapping(functions=("mul", "multiply"), call=forms.tensors_only),
        onnx=(OnnxMapping("Mul", onnx.tensors_only),),
        capabilities=frozenset({MERGE_PRODUCT}),
    ),
    LayerType(
        "Concat",
        "Merge",
        "Joins its inputs along dim (1 = channels or features); other dimensions must match." + MERGE_HELP,
        _concat_rule,
        params=(Param("dim", INT, 1, "Dimension to join along (PyTorch style: 1 is the first after the batch).", min=-6, max=5),),
        min_inputs=2,
        max_inputs=None,
        dtypes=DTYPES,
        id_prefix="concat",
        forward=lambda var, attr, args, p: [f"{var} = torch.cat([{', '.join(args)}], dim={p['dim']})"],
        torch=TorchMapping(functions=("cat", "concat", "concatenate"), call=forms.concat_call),
        onnx=(OnnxMapping("Concat", onnx.concat),),
        label=lambda p: f"dim {p['dim']}",
    ),
    LayerType(
        "Mean",
        "Merge",
        "Averages its inputs element-wise (an ensemble of branches)." + MERGE_HELP,
        _elementwise("Mean", always_float=True),
        min_inputs=2,
        max_inputs=None,
        dtypes=DTYPES,
        forward=lambda var, attr, args, p: [f"{var} = ({' + '.join(args)}) / {len(args)}"],
        # (a + b) / 2: the importer reads a sum's division by its count as one call on the summed tensors
        torch=TorchMapping(functions=("truediv", "div"), call=forms.mean_of_sum),
        onnx=(OnnxMapping("Mean", onnx.tensors_only),),
        capabilities=frozenset({MERGE_MEAN}),
    ),
]
