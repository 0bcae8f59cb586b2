"""The memory layout a design trains in: channels-last for convolution designs
where it was measured to win.

On the CPU (oneDNN) a 2-D convolution, its pooling and its batch norm run
faster on NHWC tensors: the digits CNN's training step took 1.28x less time
with fused Adam in both cases (``benchmarks/train_throughput.py``), because
max_pool2d alone went from about 217 to 34 us. The weights keep their values,
only their strides change; every copy the trainer hands out (best state,
checkpoints) is made contiguous again, so files and users never see the
layout. On CUDA channels-last pays with reduced precision (tensor cores), so
it is used there only for bf16 runs; MPS keeps the default layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def channels_last_wins(module: torch.nn.Module, device: torch.device, bf16: bool = False) -> bool:
    """Whether ``module`` trains faster in channels-last on ``device``: it has a
    2-D convolution, and the device is the CPU or a CUDA GPU running bf16."""
    from torch import nn

    if device.type == "cpu" or (device.type == "cuda" and bf16):
        return any(isinstance(m, nn.Conv2d) for m in module.modules())
    return False


def in_training_layout(module: torch.nn.Module, device: torch.device, bf16: bool = False) -> torch.nn.Module:
    """``module`` with its 4-D weights in the layout that trains fastest on ``device``."""
    import torch

    if channels_last_wins(module, device, bf16):
        return module.to(memory_format=torch.channels_last)
    return module


def plain_copy(tensor: torch.Tensor) -> torch.Tensor:
    """A detached CPU copy in the default (contiguous) layout, as safetensors
    and every reader of a state dict expect."""
    import torch

    return tensor.detach().to("cpu", copy=True, memory_format=torch.contiguous_format)


def plain_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The module's state dict as plain CPU copies (see :func:`plain_copy`)."""
    return {name: plain_copy(tensor) for name, tensor in module.state_dict().items()}
