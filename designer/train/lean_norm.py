"""BatchNorm layers' training forward without the Python torch runs around it.

``nn.BatchNorm2d.forward`` checks its input, works out its averaging factor
and adds one to its ``num_batches_tracked`` on every call before the kernel.
Measured in a training step, after the convolutions have filled the caches,
every small operation costs 10-25 us: for the residual CNN's five BatchNorm
layers that came to 85 us of a 3.1 ms step, 50 us of them the five adds of one.
During a run, :class:`LeanNorms` gives each plain BatchNorm layer (1d, 2d, 3d,
keeping running statistics with a momentum) a forward that calls
``torch.batch_norm`` as torch's does in training mode and counts its calls in
Python; :meth:`LeanNorms.settle`, after each forward, adds them to the
layers' ``num_batches_tracked``, which are views of one tensor: one add for
all of them when each ran once. Everything else goes through torch's own
forward: evaluation mode, an input torch would refuse (its message stays
torch's), a momentum of None (its average reads the count), a subclass. The
weights and buffers are bit-identical to torch's forward (tested).
"""

from __future__ import annotations

from types import MethodType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

INPUT_DIMS = {"BatchNorm1d": (2, 3), "BatchNorm2d": (4,), "BatchNorm3d": (5,)}


class LeanNorms:
    """The lean forward on ``module``'s plain BatchNorm layers until :meth:`restore` (None: no layers)."""

    def __init__(self, module: torch.nn.Module | None) -> None:
        import torch
        from torch import nn

        kinds = {getattr(nn, name): dims for name, dims in INPUT_DIMS.items()}
        self.layers = [
            layer
            for layer in (module.modules() if module is not None else ())
            if type(layer) in kinds and layer.track_running_stats and layer.momentum is not None and layer.num_batches_tracked is not None
        ]
        self.calls = [0] * len(self.layers)
        self._counts: Any = None
        self._views: list[torch.Tensor] = []
        if not self.layers or len({(layer.num_batches_tracked.device, layer.num_batches_tracked.dtype) for layer in self.layers}) != 1:
            self.layers, self.calls = [], []
            return
        self._counts = torch.stack([layer.num_batches_tracked.detach() for layer in self.layers])
        self._views = list(self._counts.unbind())
        for index, (layer, view) in enumerate(zip(self.layers, self._views, strict=True)):
            layer._buffers["num_batches_tracked"] = view
            layer.forward = MethodType(_lean_forward(index, self.calls, kinds[type(layer)]), layer)

    def settle(self) -> None:
        """Add the calls since the last settle to the layers' counts."""
        calls = self.calls
        if not calls or not any(calls):
            return
        if all(count == 1 for count in calls):
            self._counts.add_(1)
        else:
            for view, count in zip(self._views, calls, strict=True):
                if count:
                    view.add_(count)
        calls[:] = [0] * len(calls)

    def restore(self) -> None:
        """torch's forward and each layer's own count tensor back."""
        self.settle()
        for layer, view in zip(self.layers, self._views, strict=True):
            layer.__dict__.pop("forward", None)
            layer._buffers["num_batches_tracked"] = view.clone()
        self.layers, self.calls, self._views, self._counts = [], [], [], None


def _lean_forward(index: int, calls: list[int], dims: tuple[int, ...]) -> Any:
    import torch

    def forward(layer: torch.nn.modules.batchnorm._BatchNorm, input: torch.Tensor) -> torch.Tensor:
        # torch's checks, kept where they can fail: the dimensions, and a batch of one value per channel
        if not layer.training or input.dim() not in dims or input.shape[0] < 2:
            return type(layer).forward(layer, input)  # adds to the count itself (a view: settle stays right)
        calls[index] += 1
        return torch.batch_norm(
            input, layer.weight, layer.bias, layer.running_mean, layer.running_var, True, layer.momentum, layer.eps, torch.backends.cudnn.enabled
        )

    return forward
