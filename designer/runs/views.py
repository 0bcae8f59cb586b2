"""A run's results views in its folder: ``views.json`` (split, task, class
names, the boundary's extent) and ``views.safetensors`` (the arrays)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from designer.runs.files import RunFileError, dump_json, plain_file, read_json, replace_quickly, replace_text
from designer.runs.layout import MAX_TEXT_BYTES, VIEW_ARRAYS, VIEWS
from designer.runs.outcome import Boundary, ImageSamples, Reconstructions, ResultViews

MAX_ARRAY_BYTES = 256 * 1024 * 1024
_GROUPS = {
    "boundary": (Boundary, ("classes", "confidence", "points", "labels")),
    "images": (ImageSamples, ("images", "true", "predicted", "indices")),
    "reconstructions": (Reconstructions, ("inputs", "outputs", "errors")),
}


def write_views(folder: Path, views: ResultViews) -> None:
    from safetensors.numpy import save_file

    arrays: dict[str, np.ndarray] = {}
    info: dict[str, Any] = {"split": views.split, "task": views.task, "class_names": list(views.class_names)}
    for name in ("confusion", "true_values", "predicted_values"):
        value = getattr(views, name)
        if value is not None:
            arrays[name] = np.ascontiguousarray(value)
    for group, (_, fields) in _GROUPS.items():
        value = getattr(views, group)
        if value is None:
            continue
        info[group] = True
        for field in fields:
            array = getattr(value, field)
            if array is not None:
                if field == "classes" and array.size and array.max() < 256:
                    array = array.astype(np.uint8)  # a class per grid point: a byte each, not eight
                arrays[f"{group}.{field}"] = np.ascontiguousarray(array)
        if group == "boundary":
            info["extent"] = [float(v) for v in value.extent]
    replace_quickly(folder / VIEW_ARRAYS, lambda tmp: save_file(arrays, str(tmp)))
    replace_text(folder / VIEWS, dump_json(info))


def write_weights(path: Path, state: dict, fingerprint: str, metadata: dict[str, str]) -> None:
    """Kept weights as safetensors tagged with the design's fingerprint (as designer.project.weights
    writes them, so load_weights reads them), replaced in one rename."""
    from safetensors.torch import save_file

    from designer.project.weights import FINGERPRINT_KEY

    tensors = {name: tensor.detach().to("cpu").contiguous() for name, tensor in state.items()}
    header = {**{k: str(v) for k, v in metadata.items()}, FINGERPRINT_KEY: fingerprint}
    replace_quickly(path, lambda tmp: save_file(tensors, str(tmp), metadata=header))


def read_views(folder: Path) -> ResultViews | None:
    """The run's views, None when it has none; RunFileError when they cannot be read."""
    if not (folder / VIEWS).exists() and not (folder / VIEW_ARRAYS).exists():
        return None
    from safetensors.numpy import load_file

    info = read_json(folder / VIEWS, MAX_TEXT_BYTES)
    if plain_file(folder / VIEW_ARRAYS).st_size > MAX_ARRAY_BYTES:
        raise RunFileError(f"{VIEW_ARRAYS} is too large")
    try:
        arrays = load_file(str(folder / VIEW_ARRAYS))
    except Exception as exc:  # safetensors raises its own errors for broken headers
        raise RunFileError(f"{VIEW_ARRAYS} cannot be read ({exc})") from None
    names = info.get("class_names")
    if not isinstance(info.get("split"), str) or not isinstance(info.get("task"), str) or not isinstance(names, list):
        raise RunFileError(f"{VIEWS}: split, task or class names missing")
    views = ResultViews(info["split"], info["task"], [str(n) for n in names])
    for name in ("confusion", "true_values", "predicted_values"):
        setattr(views, name, arrays.get(name))
    for group, (kind, fields) in _GROUPS.items():
        if not info.get(group):
            continue
        values = {field: arrays.get(f"{group}.{field}") for field in fields}
        required = [f for f in fields if f != "indices"]
        if any(values[f] is None for f in required):
            raise RunFileError(f"{VIEW_ARRAYS}: the {group} arrays are incomplete")
        if group == "boundary":
            extent = info.get("extent")
            if not (isinstance(extent, list) and len(extent) == 4 and all(isinstance(v, (int, float)) for v in extent)):
                raise RunFileError(f"{VIEWS}: the boundary's extent is missing")
            setattr(views, group, Boundary(tuple(float(v) for v in extent), **values))  # type: ignore[arg-type]
        else:
            setattr(views, group, kind(**values))
    return views
