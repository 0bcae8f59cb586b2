"""Weights of an imported layer: the tensors the catalog's WeightFrom
declarations point at, changed into torch's layout, checked against the
shapes the layer's own module has."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from designer.layers import LayerType, build_module
from designer.layers.mapping import OnnxMapping, Unmappable, WeightFrom


@dataclass
class Parts:
    """The operators of a layer read from several: its projections (weight in
    torch's (out, in) layout, bias or None), LayerNormalizations (scale, bias
    or None) and recurrent operators, each in order."""

    linears: list[tuple[Any, Any]] = field(default_factory=list)
    norms: list[tuple[Any, Any]] = field(default_factory=list)
    recurrents: list[Any] = field(default_factory=list)  # views of the recurrent operators


def empty_module(layer: LayerType, params: dict[str, Any], inferred: dict[str, Any]) -> Any:
    """The layer's torch module (fresh weights), whose state dict says which tensors it needs."""
    return build_module(layer, params, inferred)


def layer_weights(mapping: OnnxMapping, params: dict[str, Any], view: Any, module: Any, parts: Parts | None = None) -> dict[str, Any]:
    """The module's state dict filled from the ONNX tensors; Unmappable when one is missing or does not fit."""
    import numpy as np
    import torch

    if module is None:
        return {}
    needed = module.state_dict()
    sources = mapping.weight_sources(params)
    weights: dict[str, Any] = {}
    for key, expected in needed.items():
        source = sources.get(key)
        if source is None:
            raise Unmappable(f"the ONNX operator has nothing for the layer's {key}")
        array = _fetch(source, view, parts)
        if array is None:
            if source.transform in ("gemm-bias",) or key.endswith("bias"):
                array = np.zeros(tuple(expected.shape), dtype=np.float32)  # a bias left out of the file is zero
            else:
                raise Unmappable(f"its {key} is computed, not stored")
        array = np.asarray(array)
        if array.size != expected.numel():
            raise Unmappable(f"its {key} has {array.size} values where the layer needs {tuple(expected.shape)}")
        weights[key] = torch.from_numpy(np.array(array).reshape(tuple(expected.shape))).to(
            expected.dtype
        )  # a copy: the file's arrays are read-only
    return weights


def _fetch(source: WeightFrom, view: Any, parts: Parts | None) -> Any:
    import numpy as np

    kind, _, position = source.part.partition(":")
    transform = source.transform.split()
    if transform and transform[0] == "count":
        return np.zeros((), dtype=np.int64)
    if kind == "":
        return _transform(view.const(source.index), transform, view)
    if parts is None:
        raise Unmappable("its weights are spread over several operators")
    k = int(position)
    if kind == "linear":
        if transform and transform[0] == "in-proj":
            chosen = parts.linears[: len(parts.linears) + k] if k < 0 else parts.linears[:k]
            pieces = [linear[source.index - 1] for linear in chosen]
            if any(piece is None for piece in pieces):
                return None
            return np.concatenate(pieces, axis=0)
        return parts.linears[k][source.index - 1]
    if kind == "norm":
        return parts.norms[k][source.index - 1]
    if kind == "recurrent":
        member = parts.recurrents[k]
        return _transform(member.const(source.index), transform, member)
    raise Unmappable(f"unknown part {source.part!r}")


def _transform(array: Any, transform: list[str], view: Any) -> Any:
    import numpy as np

    if array is None or not transform:
        return array
    name = transform[0]
    if name == "gemm-weight":
        weight = array if view.attr("transB", 0) else array.T
        return weight * float(view.attr("alpha", 1.0))
    if name == "gemm-bias":
        return np.reshape(array * float(view.attr("beta", 1.0)), (-1,))
    if name == "flatten":
        return np.reshape(array, (-1,))
    if name == "gates":
        return _gates(array, transform[1], int(transform[2]), transform[3] if len(transform) > 3 else "")
    raise Unmappable(f"unknown weight transform {name!r}")


def _gates(array: Any, order: str, direction: int, half: str) -> Any:
    """One direction of an ONNX recurrent weight, its gate blocks in torch's
    order (``iofc>ifco``: ONNX stores input, output, forget, cell; torch
    input, forget, cell, output)."""
    import numpy as np

    values = array[direction]
    if half:
        middle = values.shape[0] // 2
        values = values[:middle] if half == "first-half" else values[middle:]
    if ">" not in order:
        return values
    source, target = order.split(">")
    blocks = dict(zip(source, np.split(values, len(source), axis=0)))
    return np.concatenate([blocks[gate] for gate in target], axis=0)
