"""Trained weights as safetensors (never pickle), tagged with the fingerprint
of the design they belong to, so they are never loaded into a design they do
not fit.

A file is checked before its tensors are read: its header must parse, its
tensors must fit in free memory and, given the module they are for, match its
tensors name for name and shape for shape. A file that fails says which
tensors do not fit, in one line, instead of torch's multi-line error.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.project.atomic import write_atomic
from designer.project.errors import ProjectError
from designer.project.memory import check_memory
from designer.project.messages import one_line

if TYPE_CHECKING:
    import torch

FINGERPRINT_KEY = "designer.fingerprint"
ORDER_KEY = "designer.order"  # the state's first name parts (layers), in the order the module lists them
NAMED_MOST = 3  # tensors named in a message before "and N more"


def save_weights(
    path: str | os.PathLike[str], state: Mapping[str, torch.Tensor], fingerprint: str, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write ``state`` atomically with the design's fingerprint in the header."""
    from safetensors.torch import save_file

    tensors = {name: tensor.detach().to("cpu").contiguous() for name, tensor in state.items()}
    # The file sorts its tensors by type and name, so the graph order (which transfer learning matches by) is kept here.
    order = ",".join(dict.fromkeys(name.partition(".")[0] for name in state))
    header = {**{k: str(v) for k, v in (metadata or {}).items()}, FINGERPRINT_KEY: fingerprint, ORDER_KEY: order}
    target = Path(path)
    write_atomic(target, lambda tmp: save_file(tensors, str(tmp), metadata=header))
    return target


def read_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """The fingerprint stored in a weights file (None if it has none)."""
    return read_metadata(path).get(FINGERPRINT_KEY)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    return _read_header(path)[0]


def _read_header(path: str | os.PathLike[str]) -> tuple[dict[str, str], dict[str, tuple[tuple[int, ...], str]]]:
    """(metadata, {tensor name: (shape, dtype)}) from the file's header, reading no tensor."""
    from safetensors import safe_open

    try:
        if os.path.exists(path) and not os.path.isfile(path):  # a folder, a pipe or a device: opening it may wait forever
            raise ProjectError(one_line(f"{path}: not a weights file (it is not a regular file)"))
        with safe_open(str(path), framework="pt") as handle:
            tensors = {}
            for name in handle.keys():  # noqa: SIM118 - a safetensors handle, not a dict
                piece = handle.get_slice(name)
                tensors[name] = (tuple(piece.get_shape()), str(piece.get_dtype()))
            return dict(handle.metadata() or {}), tensors
    except FileNotFoundError:
        raise ProjectError(one_line(f"{path}: no such weights file")) from None
    except ProjectError:
        raise
    except Exception as exc:  # safetensors raises its own error types (and OSError, TypeError) for corrupt headers
        raise ProjectError(one_line(f"{path}: not a safetensors weights file ({_first_line(exc)})")) from None


def load_weights(
    path: str | os.PathLike[str], fingerprint: str | None = None, expected: Mapping[str, Any] | None = None
) -> dict[str, torch.Tensor]:
    """Read the tensors; with ``fingerprint``, refuse weights of another design;
    with ``expected`` (the state dict of the module they are for), refuse
    tensors that are missing, extra or of another shape, naming them."""
    from safetensors.torch import load_file

    metadata, tensors = _read_header(path)
    if fingerprint is not None and metadata.get(FINGERPRINT_KEY) != fingerprint:
        raise ProjectError(
            one_line(
                f"{path}: these weights were trained for a different version of the design "
                "(layers or parameters changed since): train again, or undo the changes"
            )
        )
    if expected is not None:
        misfits = _misfits(tensors, {name: tuple(t.shape) for name, t in expected.items()})
        if misfits:
            raise ProjectError(one_line(f"{path}: these weights do not fit the design: {misfits}: train it again, or give its own weights"))
    claimed = sum(math.prod(shape) * _itemsize(dtype) for shape, dtype in tensors.values())
    check_memory(claimed, one_line(f"{path}: loading the weights"), ProjectError, "free some memory")
    try:
        return load_file(str(path))
    except Exception as exc:
        raise ProjectError(one_line(f"{path}: cannot read the weights ({_first_line(exc)})")) from None


def misfits(weights: Mapping[str, Any], expected: Mapping[str, Any]) -> str:
    """'' when the tensors ``weights`` has fit the state dict ``expected`` (same
    names, same shapes); else one phrase naming what differs."""
    return _misfits({name: (tuple(t.shape), str(t.dtype)) for name, t in weights.items()}, {name: tuple(t.shape) for name, t in expected.items()})


def _misfits(stored: Mapping[str, tuple[tuple[int, ...], str]], wanted: Mapping[str, tuple[int, ...]]) -> str:
    """'' when ``stored`` has exactly the tensors ``wanted`` names, with their shapes; else what differs."""
    missing = [name for name in wanted if name not in stored]
    extra = [name for name in stored if name not in wanted]
    shapes = [
        f"{name} ({_dims(stored[name][0])} in the file, {_dims(shape)} in the design)"
        for name, shape in wanted.items()
        if name in stored and stored[name][0] != shape
    ]
    parts = [
        f"{label} {_some(names)}"
        for label, names in (("wrong shape:", shapes), ("missing:", missing), ("not in the design:", extra))
        if names
    ]
    return "; ".join(parts)


def _some(names: list[str]) -> str:
    more = f" and {len(names) - NAMED_MOST} more" if len(names) > NAMED_MOST else ""
    return ", ".join(names[:NAMED_MOST]) + more


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) if shape else "a scalar"


_ITEMSIZES = {"F64": 8, "I64": 8, "U64": 8, "C64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2, "I16": 2, "U16": 2}


def _itemsize(dtype: str) -> int:
    return _ITEMSIZES.get(dtype.upper().removeprefix("TORCH."), 1)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
