"""A traced call as the catalog's readers see it (:class:`CallView`), and the
name of the torch function or tensor method it calls."""

from __future__ import annotations

import operator
from typing import Any

from designer.importer.fx_values import Tensor
from designer.layers.mapping import Unmappable

# In-place and reflected operators are the same layer as the plain ones.
_OPERATOR_NAMES = {"iadd": "add", "imul": "mul", "isub": "sub", "itruediv": "truediv"}
MISSING = ...


def function_name(target: Any) -> str | None:
    """``torch.relu``, ``F.relu``, ``operator.add``... -> "relu", "add"; None
    for a function that is not torch's or Python's operator."""
    import torch
    from torch.nn import functional

    name = getattr(target, "__name__", None)
    if not isinstance(name, str):
        return None
    if any(getattr(owner, name, None) is target for owner in (torch, functional, torch.Tensor, torch.nn.functional)):
        return name
    if getattr(operator, name, None) is target:
        return _OPERATOR_NAMES.get(name, name)
    return None


class FxCall:
    """The view of one traced call (see designer.layers.mapping.CallView):
    ``tensors`` are its tensor arguments in order (a list of tensors counts
    as its items); ``rest`` the positional arguments after the first tensor
    or list of tensors."""

    def __init__(
        self,
        function: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        values: dict[Any, Any],
        input_shape: tuple[int, ...],
        output_shape: tuple[int, ...],
    ) -> None:
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.values = values
        self.input_shape = input_shape
        self.output_shape = output_shape
        self.tensors: list[Tensor] = []
        self.number: float | None = None
        self.reversed = False
        first = None
        for index, arg in enumerate(args):
            items = arg if isinstance(arg, (list, tuple)) else [arg]
            found = [self._tensor(item) for item in items if self._tensor(item) is not None]
            if found and first is None:
                first = index
            self.tensors += found
            if isinstance(arg, (int, float)) and not isinstance(arg, bool) and self.number is None:
                self.number, self.reversed = float(arg), first is None
        self.rest = args[first + 1 :] if first is not None else args
        self.tensor_count = len(self.tensors)

    def _tensor(self, item: Any) -> Tensor | None:
        value = self.values.get(item)
        return value if isinstance(value, Tensor) else None

    def arg(self, name: str, position: int, default: Any = MISSING) -> Any:
        if name in self.kwargs:
            value = self.kwargs[name]
        elif position < len(self.rest):
            value = self.rest[position]
        elif default is MISSING:
            raise Unmappable(f"no {name} given")
        else:
            return default
        return self._plain(name, value)

    def _plain(self, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(self._plain(name, item) for item in value)
        if _hashable(value) and value in self.values:
            raise Unmappable(f"its {name} is computed while the model runs")
        return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
