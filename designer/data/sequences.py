"""Generated sequence classification: wave shapes for recurrent designs, token
sequences for Embedding and attention designs.

- ``waves``: each sample is ``length`` steps (shape ``(length, 1)``) of a
  sine, square, sawtooth or triangle wave with a random period, phase and
  amplitude plus Gaussian noise; the class is the wave's shape. A single step
  says little: the shape shows only over several steps, which is what a
  recurrent layer reads.
- ``tokens``: each sample is ``length`` int64 token ids. Ids ``0 .. classes-1``
  are markers, the others filler; the class is the marker that occurs most
  often (always a single winner). The order of the tokens does not matter, so
  a Transformer encoder without positional encoding, followed by mean pooling,
  can solve it: attention and pooling see a bag of tokens, and counting is
  what the task asks.

Drawn from ``numpy.random.default_rng(seed)``, like every generated source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from designer.data.deferred import deferred
from designer.data.source import GENERATED, Loaded, Request, Source, classification_spec
from designer.graph import DataSpec
from designer.params import FLOAT, INT, Param

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

WAVE_NAMES = ("sine", "square", "sawtooth", "triangle")
WAVE_PERIODS = (8.0, 24.0)  # steps per period: at least a full period fits in the default 32 steps
WAVE_AMPLITUDES = (0.5, 1.0)
MOST_MARKERS = 4  # most times a marker occurs before the winner's tie-break
# vocabulary's minimum (10) is above classes' maximum (8): there are always filler ids.


def _wave_shapes(phase: np.ndarray) -> np.ndarray:
    """Every wave shape at ``phase`` (fractions of a period in [0, 1)), each in [-1, 1]: shape (4, *phase.shape)."""
    return np.stack(
        [
            np.sin(2 * np.pi * phase),
            np.where(phase < 0.5, 1.0, -1.0),
            2.0 * phase - 1.0,
            1.0 - 4.0 * np.abs(phase - 0.5),
        ]
    )


def waves(req: Request) -> Loaded:
    n, length, noise = req.options["samples"], req.options["length"], req.options["noise"]
    rng = np.random.default_rng(req.seed)
    y = np.arange(n) % len(WAVE_NAMES)
    rng.shuffle(y)
    period = rng.uniform(*WAVE_PERIODS, (n, 1))
    start = rng.uniform(0.0, 1.0, (n, 1))
    amplitude = rng.uniform(*WAVE_AMPLITUDES, (n, 1))
    phase = (np.arange(length)[None, :] / period + start) % 1.0
    clean = _wave_shapes(phase)[y, np.arange(n)] * amplitude
    x = clean + rng.normal(0.0, noise, (n, length))
    return Loaded(x[:, :, None].astype(np.float32), y.astype(np.int64), _describe_waves(req)[0], list(WAVE_NAMES))


def _describe_waves(req: Request) -> tuple[DataSpec, list[str]]:
    return classification_spec((req.options["length"], 1), len(WAVE_NAMES), "the waves data"), list(WAVE_NAMES)


def _marker_counts(rng: np.random.Generator, n: int, classes: int, most: int) -> np.ndarray:
    """(n, classes) counts of each marker with a single largest one per row."""
    counts = rng.integers(0, most + 1, (n, classes))
    top = counts == counts.max(axis=1, keepdims=True)
    winner = np.argmax(top + 0.5 * rng.random((n, classes)), axis=1)  # a random one of the tied largest
    counts[np.arange(n), winner] += top.sum(axis=1) > 1
    return counts


def tokens(req: Request) -> Loaded:
    n, length = req.options["samples"], req.options["length"]
    classes, vocabulary = req.options["classes"], req.options["vocabulary"]
    rng = np.random.default_rng(req.seed)
    most = min(MOST_MARKERS, length // classes - 1)  # the markers with a tie-break still fit in the sequence
    counts = _marker_counts(rng, n, classes, most)
    x = rng.integers(classes, vocabulary, (n, length))
    for i in range(n):
        markers = np.repeat(np.arange(classes), counts[i])
        x[i, rng.choice(length, len(markers), replace=False)] = markers
    y = counts.argmax(axis=1)
    return Loaded(x.astype(np.int64), y.astype(np.int64), _describe_tokens(req)[0], _token_names(classes))


def _token_names(classes: int) -> list[str]:
    return [f"marker {k}" for k in range(classes)]


def _describe_tokens(req: Request) -> tuple[DataSpec, list[str]]:
    classes = req.options["classes"]
    return classification_spec((req.options["length"],), classes, "the tokens data", dtype="int64"), _token_names(classes)


def _samples(default: int) -> Param:
    return Param("samples", INT, default, "How many samples to generate.", min=10, max=100_000)


SOURCES = (
    Source(
        "waves",
        "Wave shapes",
        "Classify noisy sequences as sine, square, sawtooth or triangle waves (random period, phase, amplitude): for recurrent designs.",
        GENERATED,
        (
            _samples(1000),
            Param("length", INT, 32, "Steps in each sequence; each sample has shape (length, 1).", min=4, max=500),
            Param(
                "noise", FLOAT, 0.1, "Standard deviation of the Gaussian noise on each step (amplitudes are 0.5 to 1).", min=0.0, max=2.0
            ),
        ),
        waves,
        _describe_waves,
    ),
    Source(
        "tokens",
        "Marker tokens",
        "Sequences of int64 token ids; the class is the marker token that occurs most often: for Embedding and attention designs.",
        GENERATED,
        (
            _samples(2000),
            Param("length", INT, 16, "Tokens in each sequence; each sample has shape (length,).", min=8, max=1000),
            Param("classes", INT, 3, "Number of marker tokens (ids 0 to classes - 1), one class each.", min=2, max=8),
            Param("vocabulary", INT, 32, "Number of different token ids; ids from classes up are filler.", min=10, max=100_000),
        ),
        tokens,
        _describe_tokens,
    ),
)
