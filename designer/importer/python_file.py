"""A model class in a Python file -> a design. This runs the file: the user
chose it (``designer import model.py --class NAME``); opening a project never
runs code."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from designer.graph import FLOAT, LONG
from designer.importer.errors import ModelImportError
from designer.importer.from_torch import from_module
from designer.importer.result import ImportedDesign

EXAMPLE_BATCH = 2
_counter = itertools.count(1)


def load_module(path: str | os.PathLike[str], class_name: str, arguments: str | None = None) -> Any:
    """Run the file and make ``class_name(**arguments)`` (arguments as a JSON
    object, or a JSON list for positional ones)."""
    source = Path(path)
    if not source.is_file():
        raise ModelImportError("no such file")
    kwargs, positional = _arguments(arguments)
    module_name = f"designer_imported_{next(_counter)}_{source.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, source)
    if spec is None or spec.loader is None:
        raise ModelImportError("not a Python file")
    code = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = code  # dataclasses and pickling look the module up by name
    # Running it must not write into the user's folder (a __pycache__ beside the file).
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(code)
    except Exception as exc:  # the user's file failed: say where, in one line
        raise ModelImportError(f"running it failed: {type(exc).__name__}: {_first_line(exc)}") from None
    finally:
        sys.dont_write_bytecode = writes_bytecode
    cls = getattr(code, class_name, None)
    if not isinstance(cls, type):
        classes = sorted(name for name, value in vars(code).items() if isinstance(value, type) and _is_module_class(value))
        raise ModelImportError(f"no class {class_name} in the file (its nn.Module classes: {', '.join(classes) or 'none'})")
    if not _is_module_class(cls):
        raise ModelImportError(f"{class_name} is not a torch.nn.Module")
    try:
        return cls(*positional, **kwargs)
    except Exception as exc:
        raise ModelImportError(f"{class_name}({_shown(arguments)}) failed: {type(exc).__name__}: {_first_line(exc)}") from None


def example_inputs(shapes: Sequence[Sequence[int]], dtypes: Sequence[str] | None = None) -> tuple[Any, ...]:
    """One batch per input: random floats, or token ids 0 and 1 for int64 inputs."""
    import torch

    dtypes = list(dtypes or [FLOAT] * len(shapes))
    if len(dtypes) != len(shapes):
        raise ModelImportError(f"{len(shapes)} input shapes but {len(dtypes)} dtypes: give one dtype per input")
    generator = torch.Generator().manual_seed(0)
    batches = []
    for shape, dtype in zip(shapes, dtypes):
        if dtype == LONG:
            batches.append(torch.randint(0, 2, (EXAMPLE_BATCH, *shape), generator=generator))
        elif dtype == FLOAT:
            batches.append(torch.randn(EXAMPLE_BATCH, *shape, generator=generator))
        else:
            raise ModelImportError(f"input dtype {dtype!r}: use float32 or int64")
    return tuple(batches)


def import_python_file(
    path: str | os.PathLike[str],
    class_name: str,
    input_shapes: Sequence[Sequence[int]],
    *,
    dtypes: Sequence[str] | None = None,
    arguments: str | None = None,
    weights: str | os.PathLike[str] | None = None,
    partial: bool = False,
) -> ImportedDesign:
    """Run ``path``, build ``class_name`` and import it with ``from_module``;
    ``weights`` (a safetensors file of its state dict) replace its fresh ones."""
    module = load_module(path, class_name, arguments)
    if weights is not None:
        _load_weights(module, weights)
    result = from_module(module, example_inputs(input_shapes, dtypes), name=class_name, partial=partial)
    result.source = f"{Path(path).name} (class {class_name})"
    return result


def _load_weights(module: Any, path: str | os.PathLike[str]) -> None:
    from safetensors.torch import load_file

    try:
        state = load_file(str(path))
    except Exception as exc:  # safetensors raises its own errors for missing and corrupt files
        raise ModelImportError(f"{path}: cannot read the weights ({_first_line(exc)})") from None
    try:
        module.load_state_dict(state)
    except RuntimeError as exc:
        raise ModelImportError(f"{path}: the weights do not fit the class ({_first_line(exc)})") from None


def _arguments(text: str | None) -> tuple[dict[str, Any], list[Any]]:
    if not text:
        return {}, []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelImportError(
            f"--args is not JSON ({exc.msg} at character {exc.pos}): give an object such as '{{\"classes\": 10}}'"
        ) from None
    if isinstance(value, dict):
        return value, []
    if isinstance(value, list):
        return {}, value
    raise ModelImportError("--args must be a JSON object (keyword arguments) or a list (positional ones)")


def _is_module_class(value: type) -> bool:
    from torch import nn

    return issubclass(value, nn.Module)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _shown(arguments: str | None) -> str:
    return arguments or ""
