"""The project's data and training settings: declared once, with types,
defaults, ranges and help, so the loader, the trainer and the inspector all
use the same declaration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designer.graph.errors import ParamError
from designer.params import BOOL, CHOICE, FLOAT, INT, Param, check_all

LOSSES = ("cross_entropy", "bce_with_logits", "mse", "l1", "huber")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SCHEDULES = ("none", "step", "cosine", "one_cycle", "plateau")
DEVICES = ("auto", "cpu", "cuda", "mps")

TRAINING: tuple[Param, ...] = (
    Param(
        "loss",
        CHOICE,
        "cross_entropy",
        "cross_entropy for classes; bce_with_logits for two classes with one output; mse, l1 or huber for regression.",
        choices=LOSSES,
    ),
    Param(
        "optimizer", CHOICE, "adam", "adam is a safe default; sgd with momentum often generalises best with a schedule.", choices=OPTIMIZERS
    ),
    Param(
        "learning_rate", FLOAT, 1e-3, "Step size of each update. Too high diverges; too low crawls.", min=0.0, exclusive_min=True, max=10.0
    ),
    Param("momentum", FLOAT, 0.9, "Momentum for sgd and rmsprop.", min=0.0, max=1.0),
    Param("weight_decay", FLOAT, 0.0, "L2 penalty on the weights (decoupled for adamw).", min=0.0, max=1.0),
    Param("schedule", CHOICE, "none", "How the learning rate changes over training.", choices=SCHEDULES),
    Param("step_size", INT, 10, "step schedule: epochs between decays.", min=1, max=100000),
    Param("gamma", FLOAT, 0.1, "step and plateau schedules: factor applied at each decay.", min=0.0, exclusive_min=True, max=1.0),
    Param("epochs", INT, 20, "Passes over the training data.", min=1, max=100000),
    Param("batch_size", INT, 32, "Samples per update.", min=1, max=1 << 20),
    Param("grad_clip", FLOAT, 0.0, "Clip the gradient norm to this value (0 = off).", min=0.0, max=1e6),
    Param("seed", INT, 0, "Random seed: the same seed on the same device gives the same curve.", min=0, max=2**31 - 1),
    Param("device", CHOICE, "auto", "auto picks CUDA, then Apple MPS, then the CPU.", choices=DEVICES),
    Param(
        "bf16",
        BOOL,
        False,
        "bfloat16 autocast on CUDA (faster on recent GPUs).",
    ),
    Param("early_stopping", BOOL, False, "Stop when the validation loss has not improved for `patience` epochs, keeping the best weights."),
    Param("patience", INT, 5, "Epochs without improvement before early stopping.", min=1, max=100000),
)

DATA: tuple[Param, ...] = (
    Param("validation_split", FLOAT, 0.2, "Share of the samples held out to validate after each epoch.", min=0.0, max=0.9),
    Param("test_split", FLOAT, 0.0, "Share held out for a final test (designer evaluate).", min=0.0, max=0.9),
    Param("seed", INT, 0, "Seed of the split and of generated data.", min=0, max=2**31 - 1),
)
DEFAULT_SOURCE = "spirals"


def defaults(params: tuple[Param, ...]) -> dict[str, Any]:
    return {p.name: p.default for p in params}


def check_settings(params: tuple[Param, ...], values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Defaults merged with ``values``; raises ValueError naming the bad key."""
    try:
        return check_all(params, values, lambda key, known: ValueError(f"{where}.{key}: unknown setting (known: {', '.join(known)})"))
    except ParamError as exc:
        raise ValueError(f"{where}.{exc}") from None
