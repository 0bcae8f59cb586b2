"""Convolutions, pooling and upsampling (1-D over channels x length, 2-D over
channels x height x width)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from math import prod
from typing import Any

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.graph.tensor import TensorSpec, format_dims
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType, torch_call
from designer.layers.mapping import OnnxMapping, TorchMapping
from designer.layers.shapes import conv_size, need_rank, pool_size, spatial_fit
from designer.params import BOOL, CHOICE, FLOAT, INT, PADDING, SIZE, Param

LAYOUT = {1: "N x channels x length", 2: "N x channels x height x width"}
FIX = {
    1: "Conv1d and pooling read sequences as channels x length; add a Reshape or Permute before it",
    2: "images need channels x height x width; add a Reshape (e.g. shape [1, 8, 8]) before it",
}
# The widest padding a kernel can use: its dilated size (1024 x 1023 + 1) on each side.
MAX_PADDING = 1 << 20
CONV_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True}


def _conv_params(n: int, transposed: bool = False) -> tuple[Param, ...]:
    padding = (
        Param("padding", SIZE, 0, "Zeros removed from each side of the output (transposed convolution).", min=0, max=MAX_PADDING, length=n)
        if transposed
        else Param(
            "padding", PADDING, 0, "Zeros added on each side; 'same' keeps the size (stride 1 only).", min=0, max=MAX_PADDING, length=n
        )
    )
    extra = (
        (
            Param(
                "output_padding", SIZE, 0, "Extra size added to one side of the output, to reach an exact size.", min=0, max=1023, length=n
            ),
        )
        if transposed
        else ()
    )
    return (
        Param("out_channels", INT, 16, "Number of filters (output channels).", min=1, max=1 << 16),
        Param("kernel_size", SIZE, 3, "Size of each filter, e.g. 3 or 3x5.", min=1, max=1024, length=n),
        Param("stride", SIZE, 1, "Step between filter positions; 2 halves the size.", min=1, max=1024, length=n),
        padding,
        *extra,
        Param("dilation", SIZE, 1, "Spacing between filter taps (a wider view with the same weights).", min=1, max=1024, length=n),
        Param("groups", INT, 1, "Split channels into groups that do not mix; in and out channels must divide by it.", min=1, max=1 << 16),
        Param("bias", BOOL, True, "Learn an additive bias per output channel."),
    )


def _check_groups(name: str, c: int, out_c: int, groups: int) -> None:
    if c % groups or out_c % groups:
        raise ShapeError(
            f"{name}: groups={groups} must divide both the input channels ({c}) and out_channels ({out_c}): choose a divisor of both",
            code="groups",
        )


def _conv_rule(n: int, name: str):
    def rule(inputs, p) -> Inference:
        x = inputs[0]
        need_rank(name, x, (n + 2,), LAYOUT[n], FIX[n])
        c, sizes = x.shape[0], x.shape[1:]
        out_c, groups = p["out_channels"], p["groups"]
        _check_groups(name, c, out_c, groups)
        k, s, d = expand(p["kernel_size"], n), expand(p["stride"], n), expand(p["dilation"], n)
        if p["padding"] == "same":
            if any(v != 1 for v in s):
                raise ShapeError(
                    f"{name}: padding='same' works only with stride 1: set stride to 1 or give padding as a number", code="param"
                )
            out_sizes = sizes
        else:
            pad = (0,) * n if p["padding"] == "valid" else expand(p["padding"], n)
            spatial_fit(name, sizes, k, pad, d)
            out_sizes = tuple(conv_size(*args) for args in zip(sizes, k, s, pad, d))
        per_out = (c // groups) * prod(k)
        params = out_c * per_out + (out_c if p["bias"] else 0)
        return Inference(TensorSpec((out_c, *out_sizes)), {"in_channels": c}, params, out_c * prod(out_sizes) * per_out)

    return rule


def _conv_transpose_rule(inputs, p) -> Inference:
    name, n = "ConvTranspose2d", 2
    x = inputs[0]
    need_rank(name, x, (4,), LAYOUT[n], FIX[n])
    c, sizes = x.shape[0], x.shape[1:]
    out_c, groups = p["out_channels"], p["groups"]
    _check_groups(name, c, out_c, groups)
    k, s, d = expand(p["kernel_size"], n), expand(p["stride"], n), expand(p["dilation"], n)
    pad, extra = expand(p["padding"], n), expand(p["output_padding"], n)
    for op, st, di in zip(extra, s, d):
        if op >= st and op >= di:
            raise ShapeError(
                f"{name}: output_padding {show_size(p['output_padding'])} must be smaller than the stride or the dilation", code="param"
            )
    out_sizes = tuple((i - 1) * st - 2 * pa + di * (kk - 1) + op + 1 for i, st, pa, di, kk, op in zip(sizes, s, pad, d, k, extra))
    if min(out_sizes) < 1:
        raise ShapeError(
            f"{name}: the output would be {format_dims(out_sizes)}, which is empty: reduce padding or enlarge the kernel",
            code="empty-output",
        )
    per_in = (out_c // groups) * prod(k)
    params = c * per_in + (out_c if p["bias"] else 0)
    return Inference(TensorSpec((out_c, *out_sizes)), {"in_channels": c}, params, x.numel * per_in)


def _conv_constructor(name: str):
    def constructor(p, i):
        keywords = {k: v for k, v in p.items() if k not in ("out_channels", "kernel_size")}
        return torch_call(
            f"nn.{name}",
            i["in_channels"],
            p["out_channels"],
            kernel_size=p["kernel_size"],
            defaults={**CONV_DEFAULTS, "output_padding": 0},
            **keywords,
        )

    return constructor


def _spatial(value, n: int) -> str:
    """Kernel sizes as the user reads them: 3 -> '3x3' for 2-D layers."""
    return show_size(expand(value, n)) if n > 1 else show_size(value)


def _conv_label(n: int):
    def label(p) -> str:
        text = f"{p['out_channels']}, {_spatial(p['kernel_size'], n)}"
        if p["stride"] != 1:
            text += f", stride {show_size(p['stride'])}"
        return text

    return label


def _pool_params(n: int, dilation: bool, avg: bool) -> tuple[Param, ...]:
    params = [
        Param("kernel_size", SIZE, 2, "Size of the pooling window.", min=1, max=1024, length=n),
        Param("stride", SIZE, None, "Step between windows.", min=1, max=1024, length=n, optional=True, none_means="same as kernel_size"),
        Param("padding", SIZE, 0, "Padding on each side; at most half the kernel size.", min=0, max=512, length=n),
    ]
    if dilation:
        params.append(Param("dilation", SIZE, 1, "Spacing between window taps.", min=1, max=1024, length=n))
    params.append(Param("ceil_mode", BOOL, False, "Round the output size up instead of down (keeps a partial last window)."))
    if avg:
        params.append(Param("count_include_pad", BOOL, True, "Count padding zeros in the average."))
    return tuple(params)


def _pool_rule(n: int, name: str):
    def rule(inputs, p) -> Inference:
        x = inputs[0]
        need_rank(name, x, (n + 2,), LAYOUT[n], FIX[n])
        c, sizes = x.shape[0], x.shape[1:]
        k = expand(p["kernel_size"], n)
        s = expand(p["stride"], n) if p["stride"] is not None else k
        pad = expand(p["padding"], n)
        d = expand(p.get("dilation", 1), n)
        if any(pa > kk // 2 for pa, kk in zip(pad, k)):
            raise ShapeError(
                f"{name}: padding {show_size(p['padding'])} is more than half the kernel size {show_size(p['kernel_size'])}: lower padding",
                code="param",
            )
        out_sizes = tuple(pool_size(*args, p["ceil_mode"]) for args in zip(sizes, k, s, pad, d))
        if min(out_sizes) < 1:
            raise ShapeError(
                f"{name}: the {show_size(p['kernel_size'])} window does not fit the {format_dims(sizes)} input: "
                "use a smaller kernel_size, or remove an earlier pooling layer",
                code="too-small",
            )
        return Inference(TensorSpec((c, *out_sizes), x.dtype))

    return rule


def _pool_constructor(name: str, defaults: dict):
    return lambda p, i: torch_call(f"nn.{name}", p["kernel_size"], defaults=defaults, **{k: v for k, v in p.items() if k != "kernel_size"})


POOL_DEFAULTS = {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, "count_include_pad": True}


def _adaptive_rule(inputs, p) -> Inference:
    x = inputs[0]
    need_rank("AdaptiveAvgPool2d", x, (4,), LAYOUT[2], FIX[2])
    return Inference(TensorSpec((x.shape[0], *expand(p["output_size"], 2))))


def _global_rule(inputs, p) -> Inference:
    x = inputs[0]
    need_rank(
        "GlobalAvgPool",
        x,
        (3, 4),
        "N x channels x length, or N x channels x height x width",
        "it averages each channel over its spatial positions",
    )
    return Inference(TensorSpec((x.shape[0],)))


UPSAMPLE_RANKS = {"nearest": (3, 4), "nearest-exact": (3, 4), "linear": (3,), "bilinear": (4,), "bicubic": (4,)}


def _upsample_rule(inputs, p) -> Inference:
    x = inputs[0]
    mode = p["mode"]
    ranks = UPSAMPLE_RANKS[mode]
    layouts = {3: "N x channels x length", 4: "N x channels x height x width"}
    need_rank(
        "Upsample", x, ranks, " or ".join(layouts[r] for r in ranks), f"mode '{mode}' needs that layout; choose another mode or reshape"
    )
    sizes = tuple(math.floor(s * p["scale_factor"]) for s in x.shape[1:])
    if min(sizes) < 1:
        raise ShapeError(
            f"Upsample: scale_factor {p['scale_factor']:g} shrinks {format_dims(x.shape[1:])} to nothing: use a larger scale_factor",
            code="too-small",
        )
    return Inference(TensorSpec((x.shape[0], *sizes)))


LAYERS = [
    LayerType(
        "Conv1d",
        "Convolution and pooling",
        "Slides out_channels learned filters along a sequence (channels x length). in_channels comes from the input.",
        _conv_rule(1, "Conv1d"),
        params=_conv_params(1),
        id_prefix="conv",
        constructor=_conv_constructor("Conv1d"),
        label=_conv_label(1),
        torch=TorchMapping(modules=("Conv1d",), read=forms.conv),
        onnx=(OnnxMapping("Conv", onnx.conv(1), onnx.CONV_WEIGHTS),),
    ),
    LayerType(
        "Conv2d",
        "Convolution and pooling",
        "Slides out_channels learned filters over an image (channels x height x width). in_channels comes from the input.",
        _conv_rule(2, "Conv2d"),
        params=_conv_params(2),
        id_prefix="conv",
        constructor=_conv_constructor("Conv2d"),
        label=_conv_label(2),
        torch=TorchMapping(modules=("Conv2d",), read=forms.conv),
        onnx=(OnnxMapping("Conv", onnx.conv(2), onnx.CONV_WEIGHTS),),
    ),
    LayerType(
        "ConvTranspose2d",
        "Convolution and pooling",
        "Transposed convolution: learned upsampling, e.g. stride 2 doubles height and width (decoders, autoencoders).",
        _conv_transpose_rule,
        params=_conv_params(2, transposed=True),
        id_prefix="deconv",
        constructor=_conv_constructor("ConvTranspose2d"),
        label=_conv_label(2),
        torch=TorchMapping(modules=("ConvTranspose2d",), read=forms.conv),
        onnx=(OnnxMapping("ConvTranspose", onnx.conv_transpose, onnx.CONV_WEIGHTS),),
    ),
    LayerType(
        "MaxPool1d",
        "Convolution and pooling",
        "Keeps the largest value in each window along the length.",
        _pool_rule(1, "MaxPool1d"),
        params=_pool_params(1, dilation=True, avg=False),
        id_prefix="pool",
        constructor=_pool_constructor("MaxPool1d", POOL_DEFAULTS),
        torch=TorchMapping(modules=("MaxPool1d",), read=forms.pool),
        onnx=(OnnxMapping("MaxPool", onnx.max_pool(1)),),
        label=lambda p: show_size(p["kernel_size"]),
    ),
    LayerType(
        "MaxPool2d",
        "Convolution and pooling",
        "Keeps the largest value in each window; 2x2 halves height and width.",
        _pool_rule(2, "MaxPool2d"),
        params=_pool_params(2, dilation=True, avg=False),
        id_prefix="pool",
        constructor=_pool_constructor("MaxPool2d", POOL_DEFAULTS),
        torch=TorchMapping(modules=("MaxPool2d",), read=forms.pool),
        onnx=(OnnxMapping("MaxPool", onnx.max_pool(2)),),
        label=lambda p: _spatial(p["kernel_size"], 2),
    ),
    LayerType(
        "AvgPool2d",
        "Convolution and pooling",
        "Averages each window; 2x2 halves height and width.",
        _pool_rule(2, "AvgPool2d"),
        params=_pool_params(2, dilation=False, avg=True),
        id_prefix="pool",
        constructor=_pool_constructor("AvgPool2d", POOL_DEFAULTS),
        torch=TorchMapping(modules=("AvgPool2d",), read=forms.pool),
        onnx=(OnnxMapping("AveragePool", onnx.avg_pool),),
        label=lambda p: _spatial(p["kernel_size"], 2),
    ),
    LayerType(
        "AdaptiveAvgPool2d",
        "Convolution and pooling",
        "Averages to a fixed output size whatever the input size.",
        _adaptive_rule,
        params=(Param("output_size", SIZE, 1, "Height and width of the output, e.g. 1 or 4x4.", min=1, max=4096, length=2),),
        id_prefix="pool",
        constructor=lambda p, i: torch_call("nn.AdaptiveAvgPool2d", p["output_size"]),
        torch=TorchMapping(
            modules=("AdaptiveAvgPool2d",), functions=("adaptive_avg_pool2d",), args=("output_size",), read=forms.adaptive_pool
        ),
        onnx=(OnnxMapping("GlobalAveragePool", onnx.global_average_pool), OnnxMapping("ReduceMean", onnx.adaptive_mean)),
        label=lambda p: _spatial(p["output_size"], 2),
    ),
    LayerType(
        "GlobalAvgPool",
        "Convolution and pooling",
        "Averages each channel over all positions and flattens: N x C x H x W becomes N x C. The usual head of a CNN.",
        _global_rule,
        id_prefix="gap",
        forward=lambda var, attr, args, p: [f"{var} = {args[0]}.flatten(2).mean(dim=2)"],
        torch=TorchMapping(functions=("mean",), call=forms.global_pool_call),
        onnx=(OnnxMapping("ReduceMean", onnx.global_mean),),
    ),
    LayerType(
        "Upsample",
        "Convolution and pooling",
        "Enlarges by scale_factor without learning (nearest, nearest-exact, linear, bilinear or bicubic).",
        _upsample_rule,
        params=(
            Param("scale_factor", FLOAT, 2.0, "Size multiplier, e.g. 2 doubles height and width.", min=0.0, exclusive_min=True, max=64.0),
            Param(
                "mode",
                CHOICE,
                "nearest",
                "nearest copies values; nearest-exact copies the nearest pixel centre (as image libraries do); "
                "linear (1-D), bilinear and bicubic (2-D) interpolate.",
                choices=tuple(UPSAMPLE_RANKS),
            ),
        ),
        id_prefix="up",
        constructor=lambda p, i: torch_call("nn.Upsample", scale_factor=p["scale_factor"], mode=p["mode"]),
        torch=TorchMapping(modules=("Upsample",), functions=("interpolate",), read=forms.upsample, call=forms.interpolate_call),
        onnx=(OnnxMapping("Resize", onnx.resize),),
        label=lambda p: f"x{p['scale_factor']:g} {p['mode']}",
    ),
]


def expand(value: int | Sequence[int], n: int) -> tuple[int, ...]:
    """A size parameter as a tuple of ``n`` ints (3 -> (3, 3))."""
    return (value,) * n if isinstance(value, int) else tuple(value)


def show_size(value: Any) -> str:
    """3 -> '3', (3, 5) -> '3x5'."""
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)
