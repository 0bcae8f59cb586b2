"""The project's ``training`` settings as one typed, checked object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from designer.project.settings import TRAINING, check_settings
from designer.train.errors import TrainError


@dataclass(frozen=True)
class TrainSettings:
    """One field per ``TRAINING`` declaration; defaults and ranges live there."""

    loss: str
    optimizer: str
    learning_rate: float
    momentum: float
    weight_decay: float
    schedule: str
    step_size: int
    gamma: float
    epochs: int
    batch_size: int
    grad_clip: float
    seed: int
    device: str
    threads: int
    bf16: bool
    early_stopping: bool
    patience: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None = None, **overrides: Any) -> TrainSettings:
        """Defaults, then ``values`` (a project's ``training``), then the non-None
        ``overrides``; raises TrainError naming a bad or unknown setting."""
        merged = {**(values or {}), **{k: v for k, v in overrides.items() if v is not None}}
        try:
            return cls(**check_settings(TRAINING, merged, "training"))
        except ValueError as exc:
            raise TrainError(str(exc)) from None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
