"""Readers of the catalog's PyTorch forms: a ``torch.nn`` module or a traced
call -> the layer's parameters (see :mod:`designer.layers.mapping`).

Each reader raises :class:`Unmappable` with the reason when the module or
call does something the layer type cannot express. Modules are read by their
attributes only (duck typing): nothing here imports torch.
"""

from __future__ import annotations

from math import prod
from typing import Any

from designer.layers.mapping import CallView, Params, has_tensor, require, single


def attributes(module: Any, names: tuple[str, ...], **special: Any) -> Params:
    """``names`` read as the module's attributes of the same names, then
    ``special`` (name -> reader of the module) for those stored otherwise."""
    params = {name: getattr(module, name) for name in names}
    params.update({name: reader(module) for name, reader in special.items()})
    return params


# ------------------------------------------------------------------ modules
def linear(module: Any) -> Params:
    return attributes(module, ("out_features",), bias=has_tensor("bias"))


def flatten_module(module: Any) -> Params:
    require(
        module.start_dim == 1 and module.end_dim == -1,
        f"Flatten(start_dim={module.start_dim}, end_dim={module.end_dim}) keeps more than the batch",
    )
    return {}


def dropout(module: Any) -> Params:
    return {"p": float(module.p)}


def embedding(module: Any) -> Params:
    require(module.max_norm is None, "max_norm renormalises vectors while looking them up")
    require(not module.sparse, "sparse gradients")
    require(not module.scale_grad_by_freq, "scale_grad_by_freq")
    return attributes(module, ("num_embeddings", "embedding_dim", "padding_idx"))


def conv(module: Any) -> Params:
    require(module.padding_mode == "zeros", f"padding_mode={module.padding_mode!r}: the designer pads with zeros")
    padding = module.padding if isinstance(module.padding, str) else single(module.padding)
    params = {
        "out_channels": module.out_channels,
        "kernel_size": single(module.kernel_size),
        "stride": single(module.stride),
        "padding": padding,
        "dilation": single(module.dilation),
        "groups": module.groups,
        "bias": module.bias is not None,
    }
    if hasattr(module, "output_padding") and type(module).__name__.startswith("ConvTranspose"):
        params["output_padding"] = single(module.output_padding)
    return params


def pool(module: Any) -> Params:
    require(not getattr(module, "return_indices", False), "return_indices=True gives a second output")
    require(getattr(module, "divisor_override", None) is None, "divisor_override")
    kernel = single(module.kernel_size)
    stride = single(module.stride) if module.stride is not None else None
    params = {
        "kernel_size": kernel,
        "stride": None if stride == kernel else stride,
        "padding": single(module.padding),
        "ceil_mode": bool(module.ceil_mode),
    }
    if hasattr(module, "dilation"):
        params["dilation"] = single(module.dilation)
    if hasattr(module, "count_include_pad"):
        params["count_include_pad"] = bool(module.count_include_pad)
    return params


def adaptive_pool(module: Any) -> Params:
    size = module.output_size
    require(size is not None and all(s is not None for s in (size if isinstance(size, tuple) else (size,))), "an output size of None")
    return {"output_size": single(size)}


def upsample(module: Any) -> Params:
    require(module.size is None, "a fixed output size (the designer's Upsample takes a scale_factor)")
    return _upsample(module.scale_factor, module.mode, module.align_corners)


def _upsample(scale: Any, mode: str, align_corners: Any) -> Params:
    require(scale is not None, "no scale_factor")
    scales = set(scale) if isinstance(scale, (list, tuple)) else {scale}
    require(len(scales) == 1, f"scale factors {scale} differ by dimension")
    require(not align_corners, "align_corners=True")
    return {"scale_factor": float(scales.pop()), "mode": mode}


def batchnorm(module: Any) -> Params:
    require(module.track_running_stats, "track_running_stats=False")
    require(module.momentum is not None, "momentum=None (a cumulative average)")
    return attributes(module, ("eps", "momentum", "affine"))


def layernorm(module: Any) -> Params:
    return {
        "normalized_dims": len(module.normalized_shape),
        "eps": module.eps,
        "elementwise_affine": module.elementwise_affine,
        "bias": module.bias is not None if module.elementwise_affine else True,
    }


def groupnorm(module: Any) -> Params:
    return attributes(module, ("num_groups", "eps", "affine"))


def prelu(module: Any) -> Params:
    return {"per_channel": module.num_parameters > 1}


def recurrent(module: Any) -> Params:
    require(module.batch_first, "batch_first=False: the designer's recurrent layers read batch-first sequences")
    require(getattr(module, "proj_size", 0) == 0, "proj_size")
    params = attributes(module, ("hidden_size", "num_layers", "bidirectional", "bias"), dropout=lambda m: float(m.dropout))
    if module.mode.startswith("RNN_"):
        params["nonlinearity"] = module.nonlinearity
    return params


def attention(module: Any) -> Params:
    require(module.batch_first, "batch_first=False: the designer's attention reads batch-first sequences")
    require(module._qkv_same_embed_dim, "separate key and value sizes (kdim, vdim)")
    require(module.bias_k is None and not module.add_zero_attn, "add_bias_kv or add_zero_attn")
    return {"num_heads": module.num_heads, "dropout": float(module.dropout), "bias": module.in_proj_bias is not None}


def encoder_layer(module: Any) -> Params:
    attention(module.self_attn)
    kind = getattr(module, "activation_relu_or_gelu", 0)
    require(kind in (1, 2), "an activation other than relu or gelu")
    return {
        "nhead": module.self_attn.num_heads,
        "dim_feedforward": module.linear1.out_features,
        "dropout": float(module.dropout.p),
        "activation": "relu" if kind == 1 else "gelu",
        "norm_first": bool(module.norm_first),
        "layer_norm_eps": float(module.norm1.eps),
        "bias": module.linear1.bias is not None,
    }


# -------------------------------------------------------------------- calls
def dims_of(call: CallView, rank: int, value: Any) -> tuple[int, ...]:
    """A dim or dims argument as a tuple of dims counted from 0 (the batch)."""
    dims = (value,) if isinstance(value, int) else tuple(value)
    return tuple(d % rank for d in dims)


def flatten_call(call: CallView) -> Params:
    rank = len(call.input_shape)
    if call.function == "flatten":
        start, end = call.arg("start_dim", 0, 0), call.arg("end_dim", 1, -1)
        require(start % rank == 1 and end % rank == rank - 1, f"flatten({start}, {end}) keeps more than the batch")
        return {}
    require(len(call.output_shape) == 2 and rank > 2, "not a flattening")
    require(call.output_shape[0] == call.input_shape[0], "it folds values into the batch dimension")
    return {}


def reshape_call(call: CallView) -> Params:
    require(call.output_shape[:1] == call.input_shape[:1], "it changes the batch dimension")
    require(prod(call.output_shape) == prod(call.input_shape), "not a reshape")
    return {"shape": list(call.output_shape[1:])}


def permute_call(call: CallView) -> Params:
    rank = len(call.input_shape)
    if call.function in ("transpose", "swapaxes", "swapdims"):
        first, second = call.arg("dim0", 0) % rank, call.arg("dim1", 1) % rank
        dims = list(range(rank))
        dims[first], dims[second] = dims[second], dims[first]
    else:
        value = call.arg("dims", 0)
        if not isinstance(value, (list, tuple)):  # x.permute(0, 2, 1)
            value = [value, *(call.arg("dims", i) for i in range(1, rank))]
        dims = [d % rank for d in value]
    require(dims[0] == 0, "it moves the batch dimension")
    return {"dims": dims}


def reduce_call(call: CallView) -> Params:
    rank = len(call.input_shape)
    dims = dims_of(call, rank, call.arg("dim", 0))
    require(0 not in dims, "it reduces over the batch dimension")
    return {"dims": [d for d in dims], "keepdim": bool(call.arg("keepdim", 1, False))}


def global_pool_call(call: CallView) -> Params:
    rank = len(call.input_shape)
    dims = sorted(dims_of(call, rank, call.arg("dim", 0)))
    require(rank in (3, 4) and dims == list(range(2, rank)), "not a mean over all positions")
    require(not call.arg("keepdim", 1, False), "keepdim=True")
    return {}


def interpolate_call(call: CallView) -> Params:
    require(call.arg("size", 0, None) is None, "a fixed output size")
    return _upsample(call.arg("scale_factor", 1, None), call.arg("mode", 2, "nearest"), call.arg("align_corners", 3, None))


def dim_call(call: CallView) -> Params:
    dim = call.arg("dim", 0, None)
    require(dim is not None, "no dim given")
    return {"dim": dim}


def scale_call(call: CallView) -> Params:
    require(call.tensor_count == 1 and call.number is not None, "not a tensor and a number")
    n = float(call.number)
    if call.function in ("mul", "multiply"):
        return {"factor": n}
    if call.function == "add":
        return {"offset": n}
    if call.function in ("sub", "subtract"):
        return {"factor": -1.0, "offset": n} if call.reversed else {"offset": -n}
    require(not call.reversed and n != 0, "it divides a number by a tensor")
    return {"factor": 1.0 / n}


def tensors_only(call: CallView) -> Params:
    require(call.number is None and call.tensor_count >= 2, "not an operation between tensors")
    return {}


def mean_of_sum(call: CallView) -> Params:
    require(call.tensor_count >= 2 and call.number == call.tensor_count, "not a sum divided by its number of terms")
    return {}


def concat_call(call: CallView) -> Params:
    rank = len(call.input_shape)
    dim = call.arg("dim", 0, 0)
    require(dim % rank != 0, "it concatenates along the batch dimension")
    return {"dim": dim}
