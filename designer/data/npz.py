"""A user's NumPy arrays: an ``.npz`` file with ``x`` (one row per sample) and
``y``, or ``x`` alone in a ``.npy`` file with ``y`` in another (option ``targets``).

Optional ``class_names`` in the file name the classes. Arrays are loaded
without pickle, so a file cannot run code. Each array's header is read first:
its claimed size must be what the file holds and must fit in free memory
before anything is allocated.

Big data (the option ``loading``, see :func:`designer.data.limits.streams`)
is not loaded: ``x`` is memory-mapped where it lies in the file, and its rows
are read as batches need them. That works when ``x`` is stored uncompressed
(``numpy.savez``): its bytes are a plain ``.npy`` block at a known offset in
the zip. A compressed ``x`` (``numpy.savez_compressed``) is loaded into memory
instead, with a note saying how to stream it: extracting it to a cache would
cost a full copy on disk and a full read every time the file changes, and
saving it uncompressed once is the user's cheaper fix. Either way every value
is checked when the file is loaded (in chunks, for a mapped ``x``).
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.lazy import LazySamples, MappedArray
from designer.data.limits import LOAD_COPIES, LOADING, as_float32, require_memory, streams
from designer.data.source import (
    CLASSIFICATION,
    FILE,
    REGRESSION,
    Loaded,
    LoadingPlan,
    Request,
    Source,
    classification_spec,
    regression_spec,
)
from designer.graph.summary import human_bytes
from designer.params import CHOICE, Param
from designer.params import FILE as FILE_PARAM

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

NPY_MAGIC, ZIP_MAGIC = b"\x93NUMPY", b"PK"
ARRAYS = ("x", "y", "class_names")
SAVE_HINT = "save the arrays with numpy.savez(file, x=..., y=...)"
# What zipfile, zlib and numpy's .npy reader raise for a damaged archive or member.
ARCHIVE_ERRORS = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, RuntimeError)
CHECK_CHUNK = 32 << 20  # bytes of a mapped x checked at a time
LOCAL_HEADER = struct.Struct("<4s22xHH")  # a zip member's local header: signature ... name length, extra length


def _read(req: Request) -> tuple[np.ndarray, np.ndarray, list[str] | None, MappedArray | None, list[str]]:
    """x (a memory map when it is read from disk), y, class names, x's map, notes."""
    path = req.path("path")
    label = req.options["path"]
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(NPY_MAGIC))
    except OSError as exc:
        raise DataError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if head.startswith(NPY_MAGIC):
        if not str(req.options["targets"]).strip():
            raise DataError(
                f"{label}: holds a single array, not x and y: save both with numpy.savez(file, x=..., y=...), "
                "or set option 'targets' to the .npy file with y"
            )
        return _read_npy(req, path, label)
    if not head.startswith(ZIP_MAGIC):
        raise DataError(f"{label}: not a NumPy .npz file: {SAVE_HINT}")
    notes: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = _members(archive)
            missing = [k for k in ("x", "y") if k not in members]
            if missing:
                found = ", ".join(members) or "none"
                raise DataError(f"{label}: no array named {' or '.join(map(repr, missing))} (arrays found: {found}): {SAVE_HINT}")
            wanted = [k for k in ARRAYS if k in members]
            claimed = {k: _claimed_bytes(archive, members[k], label, k) for k in wanted}
            mapped = _mapped_x(archive, path, req.options, label, notes)
            in_memory = [k for k in wanted if not (k == "x" and mapped is not None)]
            require_memory(sum(claimed[k] for k in in_memory) * LOAD_COPIES, label, "loading its arrays")
            arrays = {k: _array(archive, members[k]) for k in in_memory}
    except ARCHIVE_ERRORS as exc:
        raise _unreadable(label, exc, "cannot be read as a NumPy .npz file") from None
    names = _class_names(arrays["class_names"], label) if "class_names" in arrays else None
    x = mapped.mapped() if mapped is not None else arrays["x"]
    return x, arrays["y"], names, mapped, notes


def _read_npy(req: Request, path: Path, label: str) -> tuple[np.ndarray, np.ndarray, None, MappedArray | None, list[str]]:
    """x from a ``.npy`` file (memory-mapped when it is read from disk), y from the ``.npy`` file option ``targets`` names."""
    notes: list[str] = []
    targets, targets_label = req.path("targets"), req.options["targets"]
    try:
        x_shape, x_dtype, x_offset, fortran = _npy_layout(path, label, "x")
        y_shape, y_dtype, _, _ = _npy_layout(targets, targets_label, "y")
        tokens = _tokens(req.options["inputs"], x_dtype)
        decoded = _decoded_bytes(x_shape, tokens)
        mapped = None
        if x_shape and decoded and streams(req.options["loading"], decoded):
            mapped = _mapped(path, x_offset, x_shape, x_dtype, fortran, tokens, label, notes)
        in_memory = math.prod(y_shape) * y_dtype.itemsize + (0 if mapped else math.prod(x_shape) * x_dtype.itemsize)
        require_memory(in_memory * LOAD_COPIES, label, "loading its arrays")
        x = mapped.mapped() if mapped is not None else np.load(path, allow_pickle=False)
        y = np.load(targets, allow_pickle=False)
    except ARCHIVE_ERRORS as exc:
        raise _unreadable(label, exc, "cannot be read as a NumPy .npy file") from None
    return x, y, None, mapped, notes


def _npy_layout(path: Path, label: str, name: str) -> tuple[tuple[int, ...], np.dtype, int, bool]:
    """(shape, dtype, offset of the data, Fortran order) of a ``.npy`` file; DataError
    when it is not one, holds Python objects or claims more than the file holds."""
    with open(path, "rb") as handle:
        if not handle.read(len(NPY_MAGIC)).startswith(NPY_MAGIC):
            raise DataError(f"{label}: not a NumPy .npy file: save {name} with numpy.save(file, {name})")
        handle.seek(0)
        shape, fortran, dtype = _npy_header(handle)
        offset = handle.tell()
        held = max(0, handle.seek(0, 2) - offset)
    _claimed(label, name, tuple(shape), dtype, held)
    return tuple(shape), dtype, offset, bool(fortran)


def _tokens(inputs: str, dtype: np.dtype) -> bool:
    """Whether x of ``dtype`` becomes int64 token ids (``inputs``: the option of that name)."""
    return inputs == "int64" or inputs == "auto" and np.issubdtype(dtype, np.signedinteger)


def _decoded_bytes(shape: tuple[int, ...], tokens: bool) -> int:
    """What x takes once converted: int64 token ids or float32 values."""
    return math.prod(shape) * (8 if tokens else 4)


def _mapped_x(archive: zipfile.ZipFile, path: Path, options: dict[str, Any], label: str, notes: list[str]) -> MappedArray | None:
    """x memory-mapped in place when the option ``loading`` says to read it from
    disk and the archive stores it uncompressed; else None (it is loaded)."""
    info = _members(archive)["x"]
    with archive.open(info) as member:
        shape, dtype = _header(member)
    tokens = _tokens(options["inputs"], dtype)
    decoded = _decoded_bytes(shape, tokens)
    if not shape or decoded == 0 or dtype.hasobject or not streams(options["loading"], decoded):
        return None
    with open(path, "rb") as handle:
        signature, name_length, extra_length = LOCAL_HEADER.unpack(_at(handle, info.header_offset, LOCAL_HEADER.size))
        stored = info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1 and signature == b"PK\x03\x04"
        if stored:
            handle.seek(info.header_offset + LOCAL_HEADER.size + name_length + extra_length)
            _, fortran, _ = _npy_header(handle)
            offset = handle.tell()
    if not stored:
        notes.append(
            f"{label}: x is compressed, so it was loaded into memory: save it with numpy.savez (not savez_compressed) "
            "to read it from disk batch by batch"
        )
        return None
    return _mapped(path, offset, shape, dtype, fortran, tokens, label, notes)


def _mapped(
    path: Path, offset: int, shape: tuple[int, ...], dtype: np.dtype, fortran: bool, tokens: bool, label: str, notes: list[str]
) -> MappedArray:
    """x read from disk where it lies, and the note that says so."""
    kind = "int64" if tokens else "float32"
    notes.append(
        f"{label}: x ({human_bytes(_decoded_bytes(shape, tokens))} as {kind}) is read from disk as batches need it, not loaded into memory"
    )
    return MappedArray(str(path), offset, tuple(shape), dtype.str, bool(fortran), kind)


def plan_npz(req: Request) -> LoadingPlan:
    """How the file would load: x's header and how the file stores it are enough."""
    path, label = req.path("path"), req.options["path"]
    notes: list[str] = []
    try:
        with open(path, "rb") as handle:
            alone = handle.read(len(NPY_MAGIC)).startswith(NPY_MAGIC)
        if alone:  # a .npy file: always mappable
            shape, dtype, _, _ = _npy_layout(path, label, "x")
            decoded = _decoded_bytes(shape, _tokens(req.options["inputs"], dtype))
            streamed = bool(shape) and decoded > 0 and streams(req.options["loading"], decoded)
        else:
            with zipfile.ZipFile(path) as archive:
                info = _members(archive).get("x")
                if info is None:
                    raise DataError(f"{label}: no array named 'x': {SAVE_HINT}")
                with archive.open(info) as member:
                    shape, dtype = _header(member)
                streamed = _mapped_x(archive, path, req.options, label, notes) is not None
            decoded = _decoded_bytes(shape, _tokens(req.options["inputs"], dtype))
    except ARCHIVE_ERRORS as exc:
        raise _unreadable(label, exc, "cannot be read as a NumPy file") from None
    compressed = "x is compressed, so it is loaded into memory" if not streamed and notes else ""
    return LoadingPlan(shape[0] if shape else 1, decoded, streamed, False, "samples", compressed)


def _at(handle: IO[bytes], offset: int, size: int) -> bytes:
    handle.seek(offset)
    block = handle.read(size)
    if len(block) < size:
        raise EOFError("the archive ends inside a member's header")
    return block


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's arrays by name (``x.npy`` is ``x``, as numpy.load names it)."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        members.setdefault(name, info)
    return members


def _header(handle: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from a .npy header; ValueError when it is not one."""
    shape, _, dtype = _npy_header(handle)
    return tuple(shape), dtype


def _npy_header(handle: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, Fortran order, dtype) from the .npy header at the handle's position, which it leaves at the data."""
    version = np.lib.format.read_magic(handle)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    return read(handle)


def _claimed_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, name: str) -> int:
    """What the array's header says it takes; DataError when the file cannot hold
    that much or the array holds Python objects."""
    with archive.open(info) as handle:
        shape, dtype = _header(handle)
        offset = handle.tell()
    return _claimed(label, name, shape, dtype, max(0, info.file_size - offset))


def _claimed(label: str, name: str, shape: tuple[int, ...], dtype: np.dtype, held: int) -> int:
    """The bytes an array of ``shape`` and ``dtype`` takes; DataError when it holds
    Python objects or takes more than the ``held`` bytes the file has for it."""
    if dtype.hasobject:
        raise _objects(label)
    claimed = math.prod(shape) * dtype.itemsize
    if claimed > held:
        raise DataError(
            f"{label}: array '{name}' claims shape {shape} of {dtype} ({human_bytes(claimed)}), "
            f"but the file holds {human_bytes(held)} for it: the file is damaged or was cut short"
        )
    return claimed


def _objects(label: str) -> DataError:
    return DataError(f"{label}: holds Python objects, which are not loaded for safety: save plain numeric arrays")


def _array(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    with archive.open(info) as handle:
        return np.lib.format.read_array(handle, allow_pickle=False)


def _class_names(names: np.ndarray, label: str) -> list[str]:
    if names.ndim != 1:
        raise DataError(f"{label}: class_names has shape {names.shape}: save one name per class, as a list (a 1-D array)")
    if not (names.dtype.kind in "USiub" or np.issubdtype(names.dtype, np.number)):
        raise DataError(f"{label}: class_names has dtype {names.dtype}: save the names as text")
    return [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n) for n in names.tolist()]


def _unreadable(label: str, exc: Exception, what: str) -> DataError:
    if "pickle" in str(exc):  # object arrays need pickle, which could run code: refused
        return _objects(label)
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return DataError(f"{label}: {what} ({detail}): {SAVE_HINT}")


def _inputs(x: np.ndarray, label: str, wanted: str, mapped: MappedArray | None = None) -> np.ndarray | LazySamples:
    """x checked and converted to float32 or int64 token ids; a mapped x is
    checked chunk by chunk and comes back unread, as :class:`LazySamples`."""
    if x.ndim == 0 or len(x) == 0:
        raise DataError(f"{label}: x holds no samples")
    if x.ndim == 1:
        x = x[:, None]  # one number per sample
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_) or np.iscomplexobj(x):
        raise DataError(f"{label}: x has dtype {x.dtype}: it must hold numbers")
    if x.size == 0:
        raise DataError(f"{label}: x has shape {x.shape}: each sample holds no values")
    tokens = _tokens(wanted, x.dtype)
    if mapped is None:
        return _values(x, label, tokens)
    step = max(1, CHECK_CHUNK // max(1, x[0].nbytes))
    for start in range(0, len(x), step):
        _values(np.asarray(x[start : start + step]), label, tokens, start)
    return LazySamples(replace(mapped, dtype="int64" if tokens else "float32"))


def _values(x: np.ndarray, label: str, tokens: bool, base: int = 0) -> np.ndarray:
    """Samples ``base``, ``base + 1``, ... of x, checked and converted (messages count from ``base``)."""
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        raise DataError(f"{label}: x[{base + _first(~np.isfinite(x))}] holds NaN or infinity")
    if tokens:
        if np.issubdtype(x.dtype, np.floating) and not np.all(np.mod(x, 1) == 0):
            raise DataError(f"{label}: x[{base + _first(np.mod(x, 1) != 0)}] holds fractions, but token ids must be whole numbers")
        if (x < 0).any():
            raise DataError(f"{label}: x[{base + _first(x < 0)}] holds a negative token id")
        if float(x.max()) >= 2.0**63:
            raise DataError(f"{label}: x[{base + _first(x >= 2**63)}] holds a token id too large for int64")
        return x.astype(np.int64)
    return as_float32(x, label, lambda index: f"x[{base + index[0]}]")


def _first(bad: np.ndarray) -> int:
    """Index of the first sample with a bad value."""
    return int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])


def _classes(y: np.ndarray, label: str, names: list[str] | None) -> tuple[np.ndarray, list[str]]:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"{label}: y has shape {y.shape}: a classifier needs one class per sample, shape ({len(y)},)")
    if y.dtype.kind not in "biufUS":
        raise DataError(f"{label}: y has dtype {y.dtype}: classes must be whole numbers, booleans or text")
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        raise DataError(f"{label}: y[{_first(~np.isfinite(y))}] holds NaN or infinity")
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.mod(y, 1) == 0):
        raise DataError(f"{label}: y[{_first(np.mod(y, 1) != 0)}] is not a whole number: set option 'task' to 'regression'")
    values, ids = np.unique(y, return_inverse=True)
    if len(values) < 2:
        raise DataError(f"{label}: y has only one class ({values[0]}): a classifier needs at least two")
    ids_are_positions = np.issubdtype(values.dtype, np.number) and np.array_equal(values, np.arange(len(values)))
    if names is not None and ids_are_positions and len(names) == len(values):
        return ids.astype(np.int64), names
    return ids.astype(np.int64), [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values.tolist()]


def load_npz(req: Request) -> Loaded:
    raw, y, names, mapped, notes = _read(req)
    label = req.options["path"]
    x = _inputs(raw, label, req.options["inputs"], mapped)
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
        return Loaded(x, ids, spec, class_names, standardize=standardize and dtype == "float32", notes=notes)  # type: ignore[arg-type]
    if not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
        raise DataError(f"{label}: y has dtype {y.dtype}: regression targets must be numbers (or set option 'task' to 'classification')")
    if y.size == 0:
        raise DataError(f"{label}: y has shape {y.shape}: each sample's target holds no values")
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        raise DataError(f"{label}: y[{_first(~np.isfinite(y))}] holds NaN or infinity")
    target = as_float32(y.reshape(len(y), -1) if y.ndim == 1 else y, label, lambda index: f"y[{index[0]}]")
    spec = regression_spec(x.shape[1:], target.shape[1:], name, dtype)
    return Loaded(x, target, spec, [], standardize=standardize and dtype == "float32", standardize_target=standardize, notes=notes)  # type: ignore[arg-type]


SOURCE = Source(
    "npz",
    "NumPy arrays (.npz)",
    "Your own arrays: x with one row per sample and y with a class id or target per sample.",
    FILE,
    (
        Param(
            "path",
            FILE_PARAM,
            "",
            "The .npz file, saved with numpy.savez(file, x=..., y=...); or a .npy file with x alone (then set targets).",
            suffixes=(".npz", ".npy"),
        ),
        Param("targets", FILE_PARAM, "", "Only for x saved alone as .npy: the .npy file with y.", suffixes=(".npy",)),
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
        LOADING,
    ),
    load_npz,
    planner=plan_npz,
)
