"""The project's data and training settings: declared once, with types,
defaults, ranges, help and when each applies, so the loader, the trainer,
the command line and the window all use the same declaration.

A project holds each section as a :class:`Settings` object: a mapping whose
values are checked when they are set (one ``ParamError`` with the reason, as
for a node's parameters) and whose ``changed`` event names the keys that
changed. The document's undo commands call ``Settings.update``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from psygnal import Signal

from designer.graph.errors import ParamError
from designer.graph.messages import short_repr, shown_name
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
    Param("seed", INT, 0, "Random seed: the same seed on the same device (and CPU threads) gives the same curve.", min=0, max=2**31 - 1),
    Param("device", CHOICE, "auto", "auto picks CUDA, then Apple MPS, then the CPU.", choices=DEVICES),
    Param(
        "threads",
        INT,
        0,
        "CPU threads for training; 0 picks one for a small design (more only slow it down), torch's default for a large one, "
        "and times the ones between on this machine (set a number to repeat a run bit for bit).",
        min=0,
        max=1024,
    ),
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

# Image augmentation of the training split (designer.data.augment applies it;
# 0 turns an option off). Saved only when some option is set.
_CHANCE = {"min": 0.0, "max": 1.0}
AUGMENT: tuple[Param, ...] = (
    Param("hflip", FLOAT, 0.0, "Chance of mirroring an image left to right.", **_CHANCE),
    Param("vflip", FLOAT, 0.0, "Chance of flipping an image upside down.", **_CHANCE),
    Param("rotate", FLOAT, 0.0, "Largest rotation in degrees, either way (10: -10 to +10).", min=0.0, max=180.0),
    Param("crop", INT, 0, "Shift by up to this many pixels: pad the image by it, then crop its size at a random place.", min=0, max=256),
    Param(
        "resized_crop",
        FLOAT,
        0.0,
        "Crop a random part of at least this share of the area and resize it back (0: off; 0.5 to 0.9 is usual).",
        **_CHANCE,
    ),
    Param("brightness", FLOAT, 0.0, "Largest change of brightness, added to every pixel (0.2: -0.2 to +0.2).", min=0.0, max=1.0),
    Param("contrast", FLOAT, 0.0, "Largest change of contrast, a factor on every pixel (0.2: x0.8 to x1.2).", min=0.0, max=1.0),
    Param("saturation", FLOAT, 0.0, "Colour images: largest change of saturation (0.2: x0.8 to x1.2).", min=0.0, max=1.0),
    Param("hue", FLOAT, 0.0, "Colour images: largest shift of hue, as a share of the colour wheel (at most 0.5).", min=0.0, max=0.5),
    Param("noise", FLOAT, 0.0, "Standard deviation of Gaussian noise added to every pixel.", min=0.0, max=10.0),
    Param("cutout", FLOAT, 0.0, "Chance of erasing a random rectangle (2% to 33% of the image) to zero.", **_CHANCE),
    Param(
        "mixup",
        FLOAT,
        0.0,
        "Classification: chance a batch is mixed, each image blended with another and the loss with the same weight.",
        **_CHANCE,
    ),
    Param(
        "cutmix",
        FLOAT,
        0.0,
        "Classification: chance a batch gets patches pasted from other images, the loss mixed by the patch's area.",
        **_CHANCE,
    ),
)


@dataclass(frozen=True)
class Applies:
    """When a setting is used, given all the settings of its section, and why not otherwise."""

    when: Callable[[Mapping[str, Any]], bool]
    reason: str


TRAINING_APPLIES: dict[str, Applies] = {
    "momentum": Applies(lambda s: s["optimizer"] in ("sgd", "rmsprop"), "used by sgd and rmsprop only"),
    "step_size": Applies(lambda s: s["schedule"] == "step", "used by the step schedule only"),
    "gamma": Applies(lambda s: s["schedule"] in ("step", "plateau"), "used by the step and plateau schedules only"),
    "patience": Applies(
        lambda s: bool(s["early_stopping"]) or s["schedule"] == "plateau", "used by early stopping and the plateau schedule"
    ),
    "bf16": Applies(lambda s: s["device"] in ("auto", "cuda"), "bfloat16 applies to CUDA GPUs only"),
}

# Command-line flags that override a training setting for one run: flag -> setting.
# Their type, choices and help come from the setting's declaration.
TRAINING_FLAGS: dict[str, str] = {
    "--epochs": "epochs",
    "--batch-size": "batch_size",
    "--lr": "learning_rate",
    "--device": "device",
    "--threads": "threads",
}


def defaults(params: tuple[Param, ...]) -> dict[str, Any]:
    return {p.name: p.default for p in params}


def check_settings(params: tuple[Param, ...], values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Defaults merged with ``values``; raises ValueError naming the bad key."""
    try:
        return check_all(
            params, values, lambda key, known: ValueError(f"{where}.{shown_name(key)}: unknown setting (known: {', '.join(known)})")
        )
    except ParamError as exc:
        raise ValueError(f"{where}.{exc}") from None


def training_param(name: str) -> Param:
    """The declaration of the training setting ``name``."""
    return next(p for p in TRAINING if p.name == name)


class Settings(Mapping[str, Any]):
    """One section of a project's settings, checked when set and evented.

    ``params`` declares the section's keys (all always present, defaults
    filled in). ``free`` names further keys with only a type (the data
    section's ``source`` name and ``options`` object, whose depth the data
    package checks, since only it knows each source's options). ``nested``
    names keys holding an object of declared options (the data section's
    ``augment``): each option is checked, and the key is present, iterated and
    saved only while some option is set (reading it otherwise gives ``{}``),
    so files that never set it stay as they were.
    """

    changed = Signal(tuple)  # the keys whose values changed

    def __init__(
        self,
        section: str,
        params: tuple[Param, ...],
        values: Mapping[str, Any] | None = None,
        *,
        applies: Mapping[str, Applies] | None = None,
        free: Mapping[str, tuple[type, Any]] | None = None,
        nested: Mapping[str, tuple[Param, ...]] | None = None,
    ) -> None:
        self.section = section
        self.params = params
        self._applies = dict(applies or {})
        self._free = dict(free or {})
        self._nested = dict(nested or {})
        self._values: dict[str, Any] = {name: copy.deepcopy(default) for name, (_, default) in self._free.items()}
        self._values.update(self.check_many(values or {}, merge=True))
        for key in self._nested:
            if not self._values.get(key, True):
                del self._values[key]  # an empty object is the same as none: not kept, not saved

    # ------------------------------------------------------------ reading
    def __getitem__(self, key: str) -> Any:
        if key in self._nested and key not in self._values:
            return {}
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Settings({self.section!r}, {self._values!r})"

    def as_dict(self) -> dict[str, Any]:
        """A deep copy of the values, for saving and for snapshots."""
        return copy.deepcopy(self._values)

    def unused_reason(self, key: str) -> str:
        """Why ``key`` has no effect with the current values ("" when it is used)."""
        rule = self._applies.get(key)
        return "" if rule is None or rule.when(self._values) else rule.reason

    # ------------------------------------------------------------ checking
    def check(self, key: str, value: Any) -> Any:
        """The normalised value, or ParamError naming ``section.key`` and why."""
        if key in self._free:
            kind, _ = self._free[key]
            if not isinstance(value, kind):
                raise ParamError(f"{self.section}.{key}", f"must be {'a name' if kind is str else 'an object'}, got {short_repr(value)}")
            return copy.deepcopy(value)
        if key in self._nested:
            return self._check_nested(key, value)
        try:
            return check_all(self.params, {key: value}, self._unknown)[key]
        except ParamError as exc:
            raise ParamError(f"{self.section}.{exc.param}", exc.reason) from None

    def check_many(self, values: Mapping[str, Any], *, merge: bool = False) -> dict[str, Any]:
        """``values`` normalised (with the defaults when ``merge``); the first bad one raises."""
        checked = {p.name: copy.deepcopy(p.default) for p in self.params} if merge else {}
        for key, value in values.items():
            checked[key] = self.check(key, value)
        return checked

    def _unknown(self, key: str, known: list[str]) -> ParamError:
        return ParamError(shown_name(key), f"unknown setting (known: {', '.join(known + list(self._free) + list(self._nested))})")

    def _check_nested(self, key: str, value: Any) -> dict[str, Any]:
        """The options given (no defaults filled in), each checked, in declaration order."""
        where = f"{self.section}.{key}"
        if not isinstance(value, Mapping):
            raise ParamError(where, f"must be an object of options, got {short_repr(value)}")
        params = {p.name: p for p in self._nested[key]}
        for name in value:
            if name not in params:
                raise ParamError(f"{where}.{shown_name(name)}", f"unknown option (known: {', '.join(params)})")
        checked: dict[str, Any] = {}
        for name, param in params.items():
            if name in value:
                try:
                    checked[name] = param.check(value[name])
                except ParamError as exc:
                    raise ParamError(f"{where}.{exc.param}", exc.reason) from None
        return checked

    # ------------------------------------------------------------ writing
    def set(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setitem__(self, key: str, value: Any) -> None:
        """``settings["epochs"] = 4``: checked like ``set`` (a script's edit; the window undoes through commands)."""
        self.set(key, value)

    def update(self, values: Mapping[str, Any]) -> None:
        """Check every value first (nothing changes when one is refused), then
        write them and emit ``changed`` once with the keys that changed."""
        checked = self.check_many(values)
        keys = tuple(k for k, v in checked.items() if self[k] != v or type(self[k]) is not type(v))
        for key in keys:
            if key in self._nested and not checked[key]:
                self._values.pop(key, None)
            else:
                self._values[key] = checked[key]
        if keys:
            self.changed.emit(keys)


def training_settings(values: Mapping[str, Any] | None = None) -> Settings:
    return Settings("training", TRAINING, values, applies=TRAINING_APPLIES)


def data_settings(values: Mapping[str, Any] | None = None) -> Settings:
    return Settings("data", DATA, values, free={"source": (str, DEFAULT_SOURCE), "options": (dict, {})}, nested={"augment": AUGMENT})
