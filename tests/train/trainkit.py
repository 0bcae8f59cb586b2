"""Small in-memory data and designs for trainer tests (fast: a few epochs).

A module of its own, not conftest.py: several test folders have a conftest,
and ``from conftest import`` would find whichever was loaded last."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import designer
from designer.compile import CompiledDesign, compile_design
from designer.graph import DataSpec, TensorSpec


@dataclass
class Split:
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class Bundle:
    """The shape of designer.data.DataBundle, built here so trainer tests need no data source."""

    train: Split | None
    validation: Split | None
    test: Split | None
    spec: DataSpec
    class_names: list[str] = field(default_factory=list)


def blobs(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs in 2-D, easy to separate."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.int64)
    x = (rng.normal(0, 0.6, (n, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)).astype(np.float32)
    return x, y


def classification_bundle(n: int = 400, seed: int = 0, flip_validation: bool = False) -> Bundle:
    x, y = blobs(n, seed)
    cut = int(n * 0.75)
    val_y = 1 - y[cut:] if flip_validation else y[cut:]
    spec = DataSpec(TensorSpec((2,)), "classification", num_classes=2, name="blobs")
    return Bundle(Split(x[:cut], y[:cut]), Split(x[cut:], val_y), Split(x[cut:], y[cut:]), spec, ["left", "right"])


def regression_bundle(n: int = 300, seed: int = 0, scale: float = 1.0) -> Bundle:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 3)).astype(np.float32)
    y = (scale * (x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32))).astype(np.float32)
    cut = int(n * 0.8)
    spec = DataSpec(TensorSpec((3,)), "regression", target_shape=(1,), name="linear")
    return Bundle(Split(x[:cut], y[:cut]), Split(x[cut:], y[cut:]), None, spec)


def mlp(inputs: int, outputs: int, hidden: int = 16) -> CompiledDesign:
    g = designer.Graph("tiny mlp")
    x = g.add("Input", shape=[inputs])
    g.sequential(("Linear", {"out_features": hidden}), "ReLU", ("Linear", {"out_features": outputs}), "Output", after=x)
    return compile_design(g)
