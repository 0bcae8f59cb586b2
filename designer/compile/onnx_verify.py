"""Check an exported ONNX model: onnx.checker (full check, with shape
inference), then onnxruntime against torch on random inputs at several batch
sizes (and sequence lengths, where those may vary)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from designer.compile.errors import VerificationError
from designer.compile.signature import Signature, random_inputs

if TYPE_CHECKING:
    from torch import nn

TOLERANCE = 1e-4  # largest absolute difference allowed between onnxruntime and torch
BATCHES = (1, 5)  # neither is the batch of 2 the model was exported with


@dataclass(frozen=True)
class Case:
    batch: int
    sequence: int | None
    max_abs_diff: float


@dataclass(frozen=True)
class Verification:
    cases: tuple[Case, ...]
    tolerance: float
    seconds: float

    @property
    def max_abs_diff(self) -> float:
        return max(c.max_abs_diff for c in self.cases)

    def describe(self) -> str:
        batches = ", ".join(str(b) for b in sorted({c.batch for c in self.cases}))
        lengths = sorted({c.sequence for c in self.cases if c.sequence is not None})
        where = f"batch {batches}" + (f"; sequence length {', '.join(map(str, lengths))}" if lengths else "")
        return (
            f"onnx.checker (full check) passed; onnxruntime matches torch within {self.tolerance:g}, "
            f"max absolute difference {self.max_abs_diff:.3g} ({where})"
        )


def cases_for(sig: Signature) -> list[tuple[int, int | None]]:
    """(batch, sequence length) pairs to compare at."""
    return [(b, None) for b in BATCHES] + [(3, n) for n in sig.other_lengths]


def verify_onnx(model: Any, module: nn.Module, sig: Signature, tolerance: float = TOLERANCE) -> Verification:
    """Raises VerificationError when the checker refuses the model or
    onnxruntime's outputs differ from the module's by more than ``tolerance``."""
    import numpy as np
    import onnx
    import onnxruntime
    import torch

    start = time.perf_counter()
    try:
        onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as exc:
        raise VerificationError(f"onnx.checker refuses the exported model: {_first_line(exc)}") from None
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only; they are raised as exceptions anyway
    try:
        session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types (Fail, InvalidGraph, ...)
        raise VerificationError(f"onnxruntime cannot load the exported model: {_first_line(exc)}") from None
    results = []
    for seed, (batch, sequence) in enumerate(cases_for(sig)):
        inputs = random_inputs(sig, batch, sequence, seed=seed)
        with torch.no_grad():
            expected = module(*inputs)
        expected = expected if isinstance(expected, tuple) else (expected,)
        feed = {port.name: tensor.numpy() for port, tensor in zip(sig.inputs, inputs)}
        try:
            got = session.run([port.name for port in sig.outputs], feed)
        except Exception as exc:
            raise VerificationError(f"onnxruntime fails at batch {batch}{_at(sequence)}: {_first_line(exc)}") from None
        worst = 0.0
        for port, want, have in zip(sig.outputs, expected, got):
            want = want.numpy()
            if have.shape != want.shape:
                raise VerificationError(
                    f"onnxruntime gives {port.name} the shape {have.shape}, torch {want.shape} (batch {batch}{_at(sequence)})"
                )
            worst = max(worst, _max_abs_diff(np, want, have))
        if worst > tolerance:
            raise VerificationError(
                f"onnxruntime's output differs from torch's by {worst:.3g}, more than {tolerance:g} (batch {batch}{_at(sequence)})"
            )
        results.append(Case(batch, sequence, worst))
    return Verification(tuple(results), tolerance, time.perf_counter() - start)


def _max_abs_diff(np: Any, want: Any, have: Any) -> float:
    """NaN must sit in the same places in both; elsewhere the largest difference."""
    want, have = want.astype(np.float64), have.astype(np.float64)
    nan = np.isnan(want)
    if (nan != np.isnan(have)).any():
        return float("inf")
    diff = np.abs(want[~nan] - have[~nan])
    return float(diff.max()) if diff.size else 0.0


def _at(sequence: int | None) -> str:
    return f", sequence length {sequence}" if sequence is not None else ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
