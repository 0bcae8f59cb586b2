"""Self-attention the TorchScript exporter can trace with any batch and length.

torch's ``nn.MultiheadAttention`` reshapes its heads with sizes it multiplies
in Python (``bsz * num_heads``); tracing records the product as a constant,
so the TorchScript exporter's model only runs at the example's batch size
and sequence length (onnxruntime refuses any other at a Reshape). While the
fast exporter traces, :func:`traceable_attention` gives each attention layer
of the module a forward of the same arithmetic (the packed input projection
split into its three parts, scaled dot products, a softmax, the output
projection) whose reshapes split and join only the last dimension
(``unflatten``/``flatten``), which the exporter writes with sizes read from
the tensor at run time. It covers the forms the designer generates (self-
or cross-attention without masks or returned weights, in eval mode); any
other call goes to torch's own forward. The model is verified against the
untouched module afterwards, as every export is.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from torch import nn


@contextlib.contextmanager
def traceable_attention(module: nn.Module) -> Iterator[None]:
    """Inside the block, the attention layers of ``module`` that the traceable
    form covers use it; afterwards their own forward again."""
    from torch import nn

    swapped = []
    for layer in module.modules():
        if isinstance(layer, nn.MultiheadAttention) and _covered(layer) and "forward" not in vars(layer):
            layer.forward = types.MethodType(_traceable_forward, layer)
            swapped.append(layer)
    try:
        yield
    finally:
        for layer in swapped:
            del layer.forward


def _covered(layer: nn.MultiheadAttention) -> bool:
    """One packed input projection, no extra key/value biases or zero attention."""
    return bool(layer._qkv_same_embed_dim) and layer.bias_k is None and layer.bias_v is None and not layer.add_zero_attn


def _traceable_forward(
    self: nn.MultiheadAttention,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    key_padding_mask: torch.Tensor | None = None,
    need_weights: bool = True,
    attn_mask: torch.Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[torch.Tensor, Any]:
    import torch
    import torch.nn.functional as F
    from torch import nn

    plain = key_padding_mask is None and attn_mask is None and not need_weights and not is_causal
    if not plain or query.dim() != 3 or (self.training and self.dropout > 0):
        return nn.MultiheadAttention.forward(
            self, query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal
        )
    if not self.batch_first:
        query, key, value = (t.transpose(0, 1) for t in (query, key, value))
    weights = self.in_proj_weight.chunk(3)
    biases = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None, None, None)
    heads = (self.num_heads, self.head_dim)
    # batch x heads x steps x head_dim, each from its own third of the projection
    q, k, v = (F.linear(x, w, b).unflatten(-1, heads).transpose(1, 2) for x, w, b in zip((query, key, value), weights, biases))
    scores = torch.softmax(q @ k.transpose(-2, -1) * self.head_dim**-0.5, dim=-1)
    out = F.linear((scores @ v).transpose(1, 2).flatten(-2), self.out_proj.weight, self.out_proj.bias)
    return (out if self.batch_first else out.transpose(0, 1)), None
