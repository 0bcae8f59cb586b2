"""A run's resume state in its folder, one file, ``checkpoint.safetensors``:
the tensors (weights, optimizer moments, generator states) and, as JSON in
its header, the rest (epoch, metrics so far, optimizer settings, the
schedule's state). One file replaced in one rename, so the tensors and the
epoch they belong to never disagree. No pickle: the optimizer's state_dict
is taken apart into tensors and JSON and put back together on reading."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from designer.runs.files import RunFileError, plain_file, replace_quickly
from designer.runs.layout import CHECKPOINT
from designer.train import EpochMetrics
from designer.train.resume import TrainState

CHECKPOINT_FORMAT = "nn-designer-checkpoint"
INFO_KEY = "designer.checkpoint"
MAX_CHECKPOINT_BYTES = 64 * 1024**3
EPOCH_FIELDS = tuple(f.name for f in fields(EpochMetrics))


def write_checkpoint(folder: Path, state: TrainState, extra: dict[str, Any] | None = None) -> None:
    """The state and ``extra`` (the recorder's own, JSON), in one file."""
    from safetensors.torch import save_file

    tensors: dict[str, Any] = {f"model.{k}": v.contiguous() for k, v in state.model.items()}
    if state.best_state is not None:
        tensors.update({f"best.{k}": v.contiguous() for k, v in state.best_state.items()})
    plain_state: dict[str, dict[str, Any]] = {}
    for index, values in state.optimizer.get("state", {}).items():
        for key, value in values.items():
            if hasattr(value, "contiguous"):
                tensors[f"optim.{index}.{key}"] = value.contiguous()
            else:
                plain_state.setdefault(str(index), {})[key] = value
    tensors["shuffle"], tensors["rng"] = state.shuffle.contiguous(), state.rng.contiguous()
    info = {
        "format": CHECKPOINT_FORMAT,
        "epoch": state.epoch,
        "epochs": [asdict(m) for m in state.epochs],
        "param_groups": state.optimizer.get("param_groups", []),
        "optimizer_plain": plain_state,
        "scheduler": state.scheduler,
        "schedule_steps": state.schedule_steps,
        "monitored": state.monitored,
        "best_loss": state.best_loss,
        "best_epoch": state.best_epoch,
        "has_best": state.best_state is not None,
        "threads": state.threads,
        "extra": extra or {},
    }
    header = {INFO_KEY: json.dumps(info)}
    replace_quickly(folder / CHECKPOINT, lambda tmp: save_file(tensors, str(tmp), metadata=header))


def read_checkpoint(folder: Path) -> tuple[TrainState, dict[str, Any]]:
    """The state to resume from and the recorder's own extra; RunFileError when it cannot be used."""
    from safetensors import safe_open

    if plain_file(folder / CHECKPOINT).st_size > MAX_CHECKPOINT_BYTES:
        raise RunFileError(f"{CHECKPOINT} is too large")
    try:
        with safe_open(str(folder / CHECKPOINT), framework="pt") as handle:
            header = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118 - safe_open is not a mapping
        info = json.loads(header.get(INFO_KEY, "null"))
    except Exception as exc:  # safetensors raises its own errors for broken headers
        raise RunFileError(f"{CHECKPOINT} cannot be read ({exc})") from None
    if not isinstance(info, dict) or info.get("format") != CHECKPOINT_FORMAT:
        raise RunFileError(f"{CHECKPOINT} is not a checkpoint")
    try:
        epochs = [EpochMetrics(**{k: row[k] for k in EPOCH_FIELDS}) for row in info["epochs"]]
        model = {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}
        best = {k[5:]: v for k, v in tensors.items() if k.startswith("best.")} if info["has_best"] else None
        state: dict[int, dict[str, Any]] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = value
        for index, values in info["optimizer_plain"].items():
            state.setdefault(int(index), {}).update(values)
        epoch = int(info["epoch"])
        train_state = TrainState(
            epoch=epoch,
            epochs=epochs,
            model=model,
            optimizer={"state": state, "param_groups": info["param_groups"]},
            scheduler=info["scheduler"],
            schedule_steps=int(info["schedule_steps"]),
            shuffle=tensors["shuffle"],
            rng=tensors["rng"],
            monitored=float(info["monitored"]),
            best_loss=float(info["best_loss"]),
            best_epoch=info["best_epoch"],
            best_state=best,
            threads=_threads(info.get("threads")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RunFileError(f"{CHECKPOINT} is incomplete ({exc})") from None
    if not model or epoch < 1 or len(epochs) != epoch or not math.isfinite(train_state.monitored):
        raise RunFileError(f"{CHECKPOINT} does not describe a finished epoch")
    extra = info.get("extra")
    return train_state, extra if isinstance(extra, dict) else {}


def _threads(value: Any) -> int:
    """The CPU threads the run had; 0 (choose again) for anything but a count:
    a hint, not worth refusing the checkpoint for."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 1024 else 0


def remove_checkpoint(folder: Path) -> None:
    (folder / CHECKPOINT).unlink(missing_ok=True)
