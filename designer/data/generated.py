"""Generated data: 2-D classification toys, a sine-wave sequence task, a noisy curve.

Everything is drawn from ``numpy.random.default_rng(seed)``, so the same seed
and options give the same samples on every machine. Coordinates stay near
[-1, 1], so no normalisation is applied and the points can be drawn as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from designer.data.deferred import deferred
from designer.data.source import GENERATED, Loaded, Request, Source, classification_spec, regression_spec
from designer.graph import DataSpec
from designer.params import FLOAT, INT, Param

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

SPIRAL_TURNS = 1.5  # turns of each arm: enough to need a hidden layer or two, not so many that 2x64 units struggle


def _samples(default: int) -> Param:
    return Param("samples", INT, default, "How many samples to generate.", min=10, max=100_000)


def _classes(default: int, most: int) -> Param:
    return Param("classes", INT, default, "Number of classes.", min=2, max=most)


def _data_name(source: str) -> str:
    return "the XOR data" if source == "xor" else f"the {source} data"


def _names(classes: int) -> list[str]:
    return [f"class {k}" for k in range(classes)]


def _points(req: Request, x: np.ndarray, y: np.ndarray, classes: int) -> Loaded:
    spec = classification_spec((2,), classes, _data_name(req.source))
    return Loaded(x.astype(np.float32), y.astype(np.int64), spec, _names(classes), feature_names=["x1", "x2"])


def _balanced_labels(rng: np.random.Generator, n: int, classes: int) -> np.ndarray:
    y = np.arange(n) % classes
    rng.shuffle(y)
    return y


def spirals(req: Request) -> Loaded:
    n, k, noise = req.options["samples"], req.options["classes"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    y = _balanced_labels(rng, n, k)
    t = np.sqrt(rng.uniform(0.0, 1.0, n))  # sqrt: even density along each arm, not crowded at the centre
    radius = 0.05 + 0.95 * t
    angle = t * SPIRAL_TURNS * 2 * np.pi + y * 2 * np.pi / k
    gap = 0.95 / (k * SPIRAL_TURNS)  # distance between neighbouring arms
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1) + rng.normal(0.0, noise * gap, (n, 2))
    return _points(req, x, y, k)


def moons(req: Request) -> Loaded:
    n, noise = req.options["samples"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    y = _balanced_labels(rng, n, 2)
    angle = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where(y[:, None] == 0, upper, lower) - np.array([0.5, 0.25])  # centred on the origin
    return _points(req, x + rng.normal(0.0, noise, (n, 2)), y, 2)


def circles(req: Request) -> Loaded:
    n, noise, factor = req.options["samples"], req.options["noise"], req.options["factor"]
    rng = np.random.default_rng(req.seed)
    y = _balanced_labels(rng, n, 2)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _points(req, x + rng.normal(0.0, noise, (n, 2)), y, 2)


def xor(req: Request) -> Loaded:
    n, noise = req.options["samples"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(np.int64)  # class 1 in the quadrants where the signs differ
    return _points(req, x + rng.normal(0.0, noise, (n, 2)), y, 2)


def blobs(req: Request) -> Loaded:
    n, k, noise = req.options["samples"], req.options["classes"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    y = _balanced_labels(rng, n, k)
    angle = 2 * np.pi * np.arange(k) / k  # centres evenly on the unit circle: distinct for every k
    centres = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _points(req, centres[y] + rng.normal(0.0, noise, (n, 2)), y, k)


def sine(req: Request) -> Loaded:
    n, length, noise = req.options["samples"], req.options["length"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    omega = rng.uniform(0.15, 0.6, (n, 1))  # periods of about 10 to 40 steps
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    steps = np.arange(length + 1)[None, :]
    wave = np.sin(omega * steps + phase)
    x = wave[:, :length] + rng.normal(0.0, noise, (n, length))
    y = wave[:, length:]  # the clean next value: the model learns to see through the noise
    return Loaded(x[:, :, None].astype(np.float32), y.astype(np.float32), _describe_sine(req)[0], [])


def curve(req: Request) -> Loaded:
    n, noise = req.options["samples"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    x = rng.uniform(-1.0, 1.0, (n, 1))
    y = np.sin(1.5 * np.pi * x) + 0.5 * x + rng.normal(0.0, noise, (n, 1))
    spec = regression_spec((1,), (1,), "the curve data")
    return Loaded(x.astype(np.float32), y.astype(np.float32), spec, [], feature_names=["x"])


def _describe_points(req: Request) -> tuple[DataSpec, list[str]]:
    classes = req.options.get("classes", 2)
    return classification_spec((2,), classes, _data_name(req.source)), _names(classes)


def _describe_sine(req: Request) -> tuple[DataSpec, list[str]]:
    return regression_spec((req.options["length"], 1), (1,), "the sine data"), []


def _describe_curve(req: Request) -> tuple[DataSpec, list[str]]:
    return regression_spec((1,), (1,), "the curve data"), []


def _noise(default: float, help: str, most: float = 2.0) -> Param:
    return Param("noise", FLOAT, default, help, min=0.0, max=most)


SOURCES = (
    Source(
        "spirals",
        "Spirals",
        "Interleaved 2-D spiral arms, one class per arm: needs a hidden layer or two.",
        GENERATED,
        (
            _samples(1000),
            _noise(0.1, "Gaussian jitter, as a fraction of the distance between neighbouring arms (0.1 is easy, 0.3 is hard).", 1.0),
            _classes(2, 6),
        ),
        spirals,
        _describe_points,
    ),
    Source(
        "moons",
        "Moons",
        "Two interleaved half circles in 2-D.",
        GENERATED,
        (_samples(1000), _noise(0.1, "Standard deviation of the Gaussian jitter (the moons have radius 1).")),
        moons,
        _describe_points,
    ),
    Source(
        "circles",
        "Circles",
        "A ring around a smaller ring in 2-D: not separable by a straight line.",
        GENERATED,
        (
            _samples(1000),
            _noise(0.05, "Standard deviation of the Gaussian jitter (the outer ring has radius 1)."),
            Param("factor", FLOAT, 0.5, "Radius of the inner ring relative to the outer one.", min=0.0, exclusive_min=True, max=0.99),
        ),
        circles,
        _describe_points,
    ),
    Source(
        "xor",
        "XOR",
        "Points in the square [-1, 1]², labelled by whether the signs of x1 and x2 differ.",
        GENERATED,
        (_samples(1000), _noise(0.05, "Standard deviation of the Gaussian jitter added after labelling.")),
        xor,
        _describe_points,
    ),
    Source(
        "blobs",
        "Gaussian blobs",
        "Gaussian clusters in 2-D, one per class, centred on the unit circle.",
        GENERATED,
        (_samples(1000), _noise(0.3, "Standard deviation of each blob (neighbouring centres are about 1 apart)."), _classes(3, 10)),
        blobs,
        _describe_points,
    ),
    Source(
        "sine",
        "Sine-wave sequences",
        "Predict the next value of a noisy sine wave from the previous `length` steps: for recurrent designs.",
        GENERATED,
        (
            _samples(1000),
            Param("length", INT, 32, "Steps in each input sequence; each sample has shape (length, 1).", min=2, max=500),
            _noise(0.05, "Standard deviation of the Gaussian noise on the input steps (the wave has amplitude 1)."),
        ),
        sine,
        _describe_sine,
    ),
    Source(
        "curve",
        "Noisy curve",
        "1-D regression: y = sin(1.5πx) + x/2 plus noise, for x in [-1, 1].",
        GENERATED,
        (_samples(500), _noise(0.1, "Standard deviation of the Gaussian noise on y.")),
        curve,
        _describe_curve,
    ),
)
