"""A user's NumPy arrays: an ``.npz`` file with ``x`` (one row per sample) and ``y``.

Optional ``class_names`` in the file name the classes. Arrays are loaded
without pickle, so a file cannot run code.
"""

from __future__ import annotations

import zipfile

import numpy as np

from designer.data.errors import DataError
from designer.data.source import CLASSIFICATION, FILE, REGRESSION, Loaded, Request, Source, classification_spec, regression_spec
from designer.params import CHOICE, Param
from designer.params import FILE as FILE_PARAM


def _read(req: Request) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    path = req.path("path")
    label = req.options["path"]
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError:  # neither a zip nor a .npy header: numpy would only try pickle, which is refused
        raise DataError(f"{label}: not a NumPy .npz file: save the arrays with numpy.savez(file, x=..., y=...)") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{label}: cannot be read as a NumPy .npz file ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(f"{label}: holds a single array, not x and y: save both with numpy.savez(file, x=..., y=...)")
    with archive:
        missing = [k for k in ("x", "y") if k not in archive.files]
        if missing:
            found = ", ".join(archive.files) or "none"
            raise DataError(
                f"{label}: no array named {' or '.join(map(repr, missing))} (arrays found: {found}): save with numpy.savez(file, x=..., y=...)"
            )
        try:
            x, y = archive["x"], archive["y"]
            names = [str(n) for n in archive["class_names"]] if "class_names" in archive.files else None
        except (ValueError, OSError, zipfile.BadZipFile) as exc:
            raise _unreadable(label, exc, "an array cannot be read") from None
    return x, y, names


def _unreadable(label: str, exc: Exception, what: str) -> DataError:
    if "pickle" in str(exc):  # object arrays need pickle, which could run code: refused
        return DataError(f"{label}: holds Python objects, which are not loaded for safety: save plain numeric arrays")
    return DataError(f"{label}: {what} ({exc}): save plain arrays with numpy.savez(file, x=..., y=...)")


def _inputs(x: np.ndarray, label: str, wanted: str) -> np.ndarray:
    if x.ndim == 0 or len(x) == 0:
        raise DataError(f"{label}: x holds no samples")
    if x.ndim == 1:
        x = x[:, None]  # one number per sample
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_) or np.iscomplexobj(x):
        raise DataError(f"{label}: x has dtype {x.dtype}: it must hold numbers")
    tokens = wanted == "int64" or wanted == "auto" and np.issubdtype(x.dtype, np.signedinteger)
    if tokens:
        if np.issubdtype(x.dtype, np.floating) and not np.all(np.mod(x, 1) == 0):
            raise DataError(f"{label}: x[{_first(np.mod(x, 1) != 0)}] holds fractions, but token ids must be whole numbers")
        if (x < 0).any():
            raise DataError(f"{label}: x[{_first(x < 0)}] holds a negative token id")
        return x.astype(np.int64)
    x = x.astype(np.float32)
    if not np.isfinite(x).all():
        raise DataError(f"{label}: x[{_first(~np.isfinite(x))}] holds NaN or infinity")
    return x


def _first(bad: np.ndarray) -> int:
    """Index of the first sample with a bad value."""
    return int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])


def _classes(y: np.ndarray, label: str, names: list[str] | None) -> tuple[np.ndarray, list[str]]:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"{label}: y has shape {y.shape}: a classifier needs one class per sample, shape ({len(y)},)")
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.mod(y, 1) == 0):
        raise DataError(f"{label}: y[{_first(np.mod(y, 1) != 0)}] is not a whole number: set option 'task' to 'regression'")
    values, ids = np.unique(y, return_inverse=True)
    if len(values) < 2:
        raise DataError(f"{label}: y has only one class ({values[0]}): a classifier needs at least two")
    ids_are_positions = np.issubdtype(values.dtype, np.number) and np.array_equal(values, np.arange(len(values)))
    if names is not None and ids_are_positions and len(names) == len(values):
        return ids.astype(np.int64), names
    return ids.astype(np.int64), [str(v.item() if hasattr(v, "item") else v) for v in values]


def load_npz(req: Request) -> Loaded:
    x, y, names = _read(req)
    label = req.options["path"]
    x = _inputs(x, label, req.options["inputs"])
    if y.ndim == 0 or len(y) != len(x):
        raise DataError(f"{label}: x has {len(x)} samples but y has {len(y) if y.ndim else 0}: they need one entry per sample")
    task = req.options["task"]
    if task == "auto":
        task = REGRESSION if np.issubdtype(y.dtype, np.floating) else CLASSIFICATION
    name = f"the data in {req.path('path').name}"
    dtype = "int64" if x.dtype == np.int64 else "float32"
    standardize = req.options["normalize"] == "standardize"
    if task == CLASSIFICATION:
        ids, class_names = _classes(y, label, names)
        spec = classification_spec(x.shape[1:], len(class_names), name, dtype)
        return Loaded(x, ids, spec, class_names, standardize=standardize and dtype == "float32")
    if not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
        raise DataError(f"{label}: y has dtype {y.dtype}: regression targets must be numbers (or set option 'task' to 'classification')")
    target = y.astype(np.float32).reshape(len(y), -1) if y.ndim == 1 else y.astype(np.float32)
    if not np.isfinite(target).all():
        raise DataError(f"{label}: y[{_first(~np.isfinite(target))}] holds NaN or infinity")
    spec = regression_spec(x.shape[1:], target.shape[1:], name, dtype)
    return Loaded(x, target, spec, [], standardize=standardize and dtype == "float32", standardize_target=standardize)


SOURCE = Source(
    "npz",
    "NumPy arrays (.npz)",
    "Your own arrays: x with one row per sample and y with a class id or target per sample.",
    FILE,
    (
        Param("path", FILE_PARAM, "", "The .npz file, saved with numpy.savez(file, x=..., y=...).", suffixes=(".npz",)),
        Param(
            "task",
            CHOICE,
            "auto",
            "auto: y of a whole-number, boolean or text type is classes; floating-point y is regression.",
            choices=("auto", CLASSIFICATION, REGRESSION),
        ),
        Param(
            "inputs",
            CHOICE,
            "auto",
            "What x holds: auto treats signed whole numbers as token ids (int64) and anything else as float32.",
            choices=("auto", "float32", "int64"),
        ),
        Param(
            "normalize",
            CHOICE,
            "standardize",
            "standardize: each input value (and a regression target) gets mean 0 and std 1 on the training part; none: as saved.",
            choices=("standardize", "none"),
        ),
    ),
    load_npz,
)
