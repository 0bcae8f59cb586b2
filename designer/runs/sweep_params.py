"""What a sweep varies: training settings (``training.learning_rate``) and node
parameters (``conv1.out_channels``), each over listed values or a range.

The forms of ``NAME=SPEC``::

    8,16,32          these values (numbers, true/false or names)
    log:1e-4:1e-1    a float spread evenly over the decades (log-uniform)
    float:0:0.5      a float in a range (uniform)
    int:8:64[:8]     a whole number in a range (every 8th)
    5                one value: set for every trial, not searched

Every value a sweep could try is checked against the setting's or the
layer's declaration before the first trial, so a typo is one clear message
and never a failed trial an hour in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.graph.errors import EditError
from designer.project import Project, dumps, loads
from designer.project.settings import TRAINING

CHOICE, FLOAT, LOG, INT = "choice", "float", "log", "int"
MAX_GRID = 10_000  # combinations a grid may have


class SweepError(ValueError):
    """A sweep that cannot run as asked: the message says what to change."""


@dataclass(frozen=True)
class SweepParam:
    name: str  # training.NAME or NODE.PARAM
    kind: str
    choices: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    step: int | None = None

    @property
    def fixed(self) -> bool:
        return self.kind == CHOICE and len(self.choices) == 1

    def suggest(self, trial: Any) -> Any:
        """The value an Optuna trial picks."""
        if self.kind == CHOICE:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == INT:
            return trial.suggest_int(self.name, int(self.low), int(self.high), step=self.step or 1)
        return trial.suggest_float(self.name, self.low, self.high, log=self.kind == LOG)

    def grid(self) -> list[Any]:
        """Every value, for a grid search (listed values and whole-number ranges only)."""
        if self.kind == CHOICE:
            return list(self.choices)
        if self.kind == INT:
            return list(range(int(self.low), int(self.high) + 1, self.step or 1))
        raise SweepError(f"{self.name}: a grid needs listed values or a whole-number range, not a {self.kind} range")

    def samples(self) -> list[Any]:
        """Values to check before the sweep: the listed ones, or the ends of the range."""
        if self.kind == CHOICE:
            return list(self.choices)
        if self.kind == INT:
            return [int(self.low), int(self.high)]
        return [self.low, self.high, self.low + 0.37 * (self.high - self.low)]  # a fraction too: a whole-number setting refuses it

    def text(self) -> str:
        if self.kind == CHOICE:
            return f"{self.name}={','.join(str(c) for c in self.choices)}"
        return f"{self.name}={self.kind}:{self.low:g}:{self.high:g}" + (f":{self.step}" if self.step else "")


def parse_param(text: str) -> SweepParam:
    """One ``NAME=SPEC`` (see the module docstring); SweepError when it does not parse."""
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec or "." not in name:
        raise SweepError(f"--param {text!r}: write NAME=VALUES, e.g. training.learning_rate=log:1e-4:1e-1 or conv1.out_channels=8,16,32")
    head, colon, rest = spec.partition(":")
    if colon and head in (FLOAT, LOG, INT):
        parts = rest.split(":")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise SweepError(f"--param {text!r}: the range's ends must be numbers") from None
        if len(numbers) not in (2, 3) or (len(numbers) == 3 and head != INT):
            raise SweepError(f"--param {text!r}: write {head}:LOW:HIGH" + ("[:STEP]" if head == INT else ""))
        low, high = numbers[0], numbers[1]
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise SweepError(f"--param {text!r}: the range needs LOW below HIGH")
        if head == LOG and low <= 0:
            raise SweepError(f"--param {text!r}: a log range must stay above 0")
        if head == INT:
            if not all(float(n).is_integer() for n in numbers):
                raise SweepError(f"--param {text!r}: an int range takes whole numbers")
            step = int(numbers[2]) if len(numbers) == 3 else None
            if step is not None and step < 1:
                raise SweepError(f"--param {text!r}: the step must be at least 1")
            return SweepParam(name, INT, low=int(low), high=int(high), step=step)
        return SweepParam(name, head, low=low, high=high)
    choices = tuple(_value(v.strip()) for v in spec.split(","))
    if any(c == "" for c in choices):
        raise SweepError(f"--param {text!r}: an empty value in the list")
    if len(set(map(repr, choices))) != len(choices):
        raise SweepError(f"--param {text!r}: a value is listed twice")
    return SweepParam(name, CHOICE, choices=choices)


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            break
        return value
    return text


def check_params(project: Project, params: list[SweepParam]) -> None:
    """Every value the sweep could try fits its setting or layer; SweepError naming the first that does not."""
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise SweepError(f"{next(n for n in names if names.count(n) > 1)} is given twice")
    training = {p.name for p in TRAINING}
    for param in params:
        section, _, key = param.name.partition(".")
        if section == "training":
            if key not in training:
                raise SweepError(f"{param.name}: no such training setting (known: {', '.join(sorted(training))})")
        elif section not in project.graph:
            raise SweepError(f"{param.name}: the design has no node {section!r} (nodes: {', '.join(project.graph.node_ids())})")
        else:
            spec = project.graph.spec(section)
            known = list(spec.param_names())
            if key not in known:
                raise SweepError(f"{param.name}: a {spec.name} has no parameter {key!r} (known: {', '.join(known) or 'none'})")
        for value in param.samples():
            apply_params(project, {param.name: value})


def apply_params(project: Project, values: Mapping[str, Any]) -> Project:
    """A copy of ``project`` with ``values`` set; SweepError when one does not fit."""
    variant = loads(dumps(project))
    variant.path = project.path
    training = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("training.")}
    try:
        if training:
            variant.training.update(training)
        for name, value in values.items():
            node, _, key = name.partition(".")
            if node != "training":
                variant.graph.set_param(node, key, value)
    except (EditError, ValueError, KeyError) as exc:
        raise SweepError(f"{', '.join(f'{k}={v}' for k, v in values.items())}: {exc}") from None
    return variant


def grid_size(params: list[SweepParam]) -> int:
    return math.prod(len(p.grid()) for p in params if not p.fixed)
