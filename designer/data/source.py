"""What a data source is: its declaration (name, options as ``Param``s) and loader.

A source turns checked options into a :class:`Loaded` set of samples; splitting
and normalisation happen afterwards, the same way for every source
(:mod:`designer.data.split`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.preview import Preview
from designer.graph import DataSpec, ParamError, TensorSpec
from designer.graph.analysis import CLASSIFICATION, REGRESSION
from designer.params import Param, check_all

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

GENERATED, BUILTIN, FILE = "generated", "builtin", "file"


@dataclass(frozen=True)
class Request:
    """One use of a source: its checked options, the seed and where relative paths start."""

    source: str
    options: Mapping[str, Any]
    seed: int = 0
    base_dir: Path | None = None

    def path(self, option: str, *, folder: bool = False) -> Path:
        """The file (or folder) an option names, resolved against the project's folder."""
        text = str(self.options.get(option, "")).strip()
        if not text:
            what = "folder" if folder else "file"
            raise DataError(f"{self.source}: no {what} chosen: set option '{option}' to the {what} with the data")
        try:
            path = Path(text).expanduser()
            if not path.is_absolute() and self.base_dir is not None:
                path = self.base_dir / path
            exists, is_dir, is_file = path.exists(), path.is_dir(), path.is_file()
        except (OSError, RuntimeError, ValueError) as exc:  # a name too long, ~user unknown, a NUL
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise DataError(f"{text}: cannot be used as a path ({reason})") from None
        if not exists:
            raise DataError(f"{text}: no such {'folder' if folder else 'file'} (looked for {path})")
        if folder and not is_dir:
            raise DataError(f"{text}: is a file, not a folder with one sub-folder per class")
        if not folder and is_dir:
            raise DataError(f"{text}: is a folder, not a file")
        if not folder and not is_file:  # a pipe or a device: reading it could wait or run forever
            raise DataError(f"{text}: is not a regular file (a pipe or a device?): give a file with the data")
        return path


@dataclass
class Loaded:
    """A source's samples before splitting, and which values the split should normalise.

    ``standardize`` is a boolean mask shaped like one sample (or a single bool
    for all of it): those values are standardised with the mean and standard
    deviation of the training part. ``scale`` has already been applied to
    ``x`` and is recorded so new raw data can be scaled the same way.
    """

    x: np.ndarray
    y: np.ndarray
    spec: DataSpec
    class_names: list[str]
    standardize: np.ndarray | bool = False
    standardize_target: bool = False
    scale: float | None = None
    info: dict[str, Any] = field(default_factory=dict)  # extra normalisation facts: feature names, categories
    notes: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)  # tabular data: a name per input column
    train_per_class: int = 0  # classification: training samples kept per class after the split (0: all)


@dataclass(frozen=True)
class LoadingPlan:
    """How a source's samples will be loaded, known without loading them (the
    Data panel shows it): how many, their decoded size, and whether they are
    read from disk batch by batch (``streamed``) or loaded into memory first."""

    samples: int
    decoded_bytes: int
    streamed: bool
    decodes: bool  # reading a sample decodes a file (images): worker processes can take it on
    noun: str  # what a sample is called: "images", "samples"
    note: str = ""  # why the choice differs from what was asked, if it does


@dataclass(frozen=True)
class Source:
    """A data source the user can pick: declared once, the GUI builds its option editors from ``options``."""

    name: str
    title: str
    description: str  # one line
    kind: str  # "generated" | "builtin" | "file"
    options: tuple[Param, ...]
    loader: Callable[[Request], Loaded]
    # Cheap description (spec and class names) without loading everything; None: load and look.
    describer: Callable[[Request], tuple[DataSpec, list[str]]] | None = None
    # A preview that needs no full load (the first rows of a file); None: built from the loaded samples.
    previewer: Callable[[Request, int | None], Preview] | None = None
    # Sources that can read from disk batch by batch (the option "loading"): how they would load.
    planner: Callable[[Request], LoadingPlan] | None = None

    def check_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The options with defaults filled in and values normalised; DataError names a bad one."""
        if not isinstance(options, Mapping):
            raise DataError(f"{self.name}: options must be a mapping of option names to values")

        def unknown(key: str, known: list[str]) -> DataError:
            return DataError(f"{self.name}: unknown option '{key}' (options: {', '.join(known) or 'none'})")

        try:
            return check_all(self.options, options, unknown)
        except ParamError as exc:
            raise DataError(f"{self.name}: option {exc}") from None

    def request(self, options: Mapping[str, Any], seed: int = 0, base_dir: Path | None = None) -> Request:
        return Request(self.name, self.check_options(options), seed, base_dir)


def classification_spec(shape: tuple[int, ...], classes: int, name: str, dtype: str = "float32") -> DataSpec:
    return DataSpec(TensorSpec(tuple(shape), dtype), CLASSIFICATION, num_classes=classes, name=name)


def regression_spec(shape: tuple[int, ...], target: tuple[int, ...], name: str, dtype: str = "float32") -> DataSpec:
    return DataSpec(TensorSpec(tuple(shape), dtype), REGRESSION, target_shape=tuple(target), name=name)
