"""The data package's entry points: the source registry, loading, describing, previewing.

``settings`` is a project's ``data`` section: ``{"source", "options",
"validation_split", "test_split", "seed"}``. Relative file paths in the
options resolve against ``base_dir``, the project's folder.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from designer.data import builtin, csv_file, generated, images, npz, sequences
from designer.data.augment import check_augment
from designer.data.dataset import DataBundle
from designer.data.errors import DataError
from designer.data.preview import Preview, from_loaded
from designer.data.source import Request, Source
from designer.data.split import make_bundle
from designer.graph import ERROR, DataSpec, Problem

# Menu order: quick generated sets first, then scikit-learn's, then the user's own files.
SOURCES: dict[str, Source] = {
    s.name: s for s in (*generated.SOURCES, *sequences.SOURCES, *builtin.SOURCES, csv_file.SOURCE, images.SOURCE, npz.SOURCE)
}
SPLIT_DEFAULTS: dict[str, Any] = {"validation_split": 0.2, "test_split": 0.0, "seed": 0}  # as in the project's data settings
_CACHE_SIZE = 8
_described: OrderedDict[tuple[Any, ...], tuple[DataSpec, list[str]]] = OrderedDict()
_described_lock = threading.Lock()  # the GUI describes files on a worker thread while the CLI or trainer may too


class HasData(Protocol):
    """What :func:`data_spec_for` needs of a project: its data settings and where it is saved."""

    data: Mapping[str, Any]
    path: Path | None


def _request(settings: Mapping[str, Any], base_dir: Path | None) -> tuple[Source, Request]:
    if not isinstance(settings, Mapping):
        raise DataError("data settings must be a mapping with 'source' and 'options'")
    name = settings.get("source")
    if name not in SOURCES:
        raise DataError(f"unknown data source {name!r} (known: {', '.join(SOURCES)})")
    source = SOURCES[name]
    seed = _split_setting(settings, "seed")
    return source, source.request(settings.get("options") or {}, int(seed), base_dir)


def _split_setting(settings: Mapping[str, Any], key: str) -> float:
    value = settings.get(key, SPLIT_DEFAULTS[key])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or key != "seed" and value >= 1:
        allowed = "a whole number ≥ 0" if key == "seed" else "a number ≥ 0 and < 1"
        raise DataError(f"data setting '{key}' must be {allowed}, got {value!r}")
    return value


def load_data(settings: Mapping[str, Any], base_dir: Path | None = None) -> DataBundle:
    """Load, split and normalise the data a project names; raises DataError for bad data or settings."""
    source, req = _request(settings, base_dir)
    loaded = source.loader(req)
    validation, test = _split_setting(settings, "validation_split"), _split_setting(settings, "test_split")
    bundle = make_bundle(loaded, source.name, float(validation), float(test), req.seed)
    bundle.augment = check_augment(settings.get("augment"), bundle.spec)  # the trainer augments the training split with these
    return bundle


def describe(settings: Mapping[str, Any], base_dir: Path | None = None) -> tuple[DataSpec, list[str]]:
    """The spec and class names; cheap for generated and built-in data, cached for files until they change."""
    source, req = _request(settings, base_dir)
    spec, names = source.describer(req) if source.describer is not None else _described_by_loading(source, req, base_dir)
    check_augment(settings.get("augment"), spec)
    return spec, names


def _described_by_loading(source: Source, req: Request, base_dir: Path | None) -> tuple[DataSpec, list[str]]:
    """A source without a describer is loaded; its spec and class names are kept until its file changes."""
    key = (source.name, _freeze(req.options), req.seed, str(base_dir), _stamp(req))
    with _described_lock:
        known = _described.get(key)
        if known is not None:
            _described.move_to_end(key)
    if known is None:
        loaded = source.loader(req)  # outside the lock: reading a big file must not block other callers
        known = (loaded.spec, list(loaded.class_names))
        with _described_lock:
            _described[key] = known
            while len(_described) > _CACHE_SIZE:
                _described.popitem(last=False)
    return known[0], list(known[1])


def describe_data(settings: Mapping[str, Any], base_dir: Path | None = None) -> DataSpec:
    """What the data gives (input shape and dtype, task, classes or target shape), for validation; may raise DataError."""
    return describe(settings, base_dir)[0]


def preview(settings: Mapping[str, Any], base_dir: Path | None = None, limit: int | None = None) -> Preview:
    """A small look at the data for the GUI (see :class:`designer.data.Preview`); ``limit`` caps the items shown."""
    source, req = _request(settings, base_dir)
    if source.previewer is not None:
        return source.previewer(req, limit)
    return from_loaded(source.loader(req), limit)


def data_spec_for(project: HasData) -> DataSpec | None:
    """The spec of a project's data, or None when it cannot be described (see :func:`check_project_data`)."""
    return check_project_data(project)[0]


def check_project_data(project: HasData) -> tuple[DataSpec | None, list[Problem]]:
    """The spec of a project's data, or None and one problem saying why the data cannot be used."""
    base_dir = project.path.parent if project.path is not None else None
    try:
        return describe_data(project.data, base_dir), []
    except DataError as exc:
        return None, [Problem(ERROR, f"the data cannot be used: {exc}", code="data")]


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _stamp(req: Request) -> tuple[Any, ...]:
    """Identifies the version of the file an option names, so an edited file is described afresh."""
    path = req.path("path")
    try:
        info = path.stat()
    except OSError as exc:
        raise DataError(f"{req.options['path']}: cannot be read ({exc.strerror or exc})") from None
    return (str(path.resolve()), info.st_mtime_ns, info.st_size)
