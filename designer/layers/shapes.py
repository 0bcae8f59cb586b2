"""Helpers shared by the shape rules: rank checks and output-size arithmetic.

Every check raises :class:`ShapeError` with the layer, what it needs, what it
got and how to fix it. The arithmetic follows PyTorch's own formulas.
"""

from __future__ import annotations

from math import prod

from designer.graph.errors import ShapeError
from designer.graph.tensor import TensorSpec, format_dims


def need_rank(layer: str, x: TensorSpec, ranks: tuple[int, ...], layout: str, fix: str) -> None:
    """``ranks`` count the batch dimension, as PyTorch does (Conv2d: 4)."""
    if x.rank not in ranks:
        wanted = " or ".join(f"{r}-D" for r in ranks)
        raise ShapeError(f"{layer} needs a {wanted} input ({layout}), got {x.display()}: {fix}", code="rank")


def need_a_dimension(layer: str, x: TensorSpec) -> None:
    """The input has at least one dimension per sample (a reduction over every
    dimension leaves a single value per sample, which a Linear cannot take)."""
    if x.rank < 2:
        raise ShapeError(
            f"{layer} needs at least one dimension per sample, got {x.display()} (one value per sample): "
            "reduce fewer dimensions before it, or keep them (keepdim)",
            code="rank",
        )


def axis(layer: str, x: TensorSpec, dim: int, param: str = "dim") -> int:
    """Normalise a PyTorch dim (batch is 0) to a per-sample index; refuses the batch."""
    rank = x.rank
    if not -rank <= dim < rank:
        raise ShapeError(f"{layer}: {param}={dim} is out of range for {x.display()} (use -{rank} to {rank - 1})", code="dim")
    full = dim % rank
    if full == 0:
        raise ShapeError(
            f"{layer}: {param}={dim} is the batch dimension, which would mix samples: use {param}=1 or a negative dim", code="batch-dim"
        )
    return full - 1


def conv_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pool_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def spatial_fit(layer: str, sizes: tuple[int, ...], kernel: tuple[int, ...], padding: tuple[int, ...], dilation: tuple[int, ...]) -> None:
    """The dilated kernel must fit inside the padded input."""
    for s, k, p, d in zip(sizes, kernel, padding, dilation):
        if s + 2 * p < d * (k - 1) + 1:
            effective = tuple(d_ * (k_ - 1) + 1 for k_, d_ in zip(kernel, dilation))
            raise ShapeError(
                f"{layer}: the {format_dims(effective)} kernel does not fit the {format_dims(sizes)} input"
                f" (padding {format_dims(padding)}): use a smaller kernel_size, add padding, or remove a pooling layer before it",
                code="too-small",
            )


def broadcast(layer: str, inputs: list[TensorSpec]) -> tuple[int, ...]:
    """PyTorch broadcasting for inputs of equal rank (sizes equal, or 1)."""
    if len({x.rank for x in inputs}) > 1:
        raise ShapeError(
            f"{layer} gets {' and '.join(x.display() for x in inputs)}: different ranks would broadcast the batch"
            " against a feature dimension. Reshape the smaller input to the same number of dimensions",
            code="batch-dim",
        )
    result = []
    for sizes in zip(*(x.shape for x in inputs)):
        distinct = set(sizes) - {1}
        if len(distinct) > 1:
            message, code = _mismatch_message(layer, inputs, " and ".join(x.display() for x in inputs))
            raise ShapeError(message, code=code)
        result.append(distinct.pop() if distinct else 1)
    return tuple(result)


def _mismatch_message(layer: str, inputs: list[TensorSpec], shapes: str) -> tuple[str, str]:
    """The message, and the code "channel-mismatch" when a 1x1 projection would fix it."""
    if inputs[0].rank == 4 and len({x.shape[1:] for x in inputs}) == 1:
        channels = sorted({x.shape[0] for x in inputs})
        return (
            f"{layer} gets {shapes}: the channels differ ({' vs '.join(map(str, channels))}). "
            "Insert a 1x1 Conv2d projection on one branch so the channels match",
            "channel-mismatch",
        )
    return f"{layer} gets {shapes}, which do not match: every input needs the same shape (or size 1 to broadcast)", "merge-mismatch"


def numel(shape: tuple[int, ...]) -> int:
    return prod(shape)
