"""Per-epoch, per-node statistics from the probes, and their CSV file.

One row per node per epoch: the gradient numbers are the mean over the
epoch's sampled steps; the activation numbers come from the epoch-end probe
batch. A value that does not apply (a ReLU has no parameters, a Linear
cannot be dead) is an empty cell.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numpy as np

from designer.insight.probes import ActivationSample, GradientSample
from designer.project.atomic import write_text_atomic


@dataclass(frozen=True)
class LayerRow:
    epoch: int
    node: str
    grad_norm: float
    output_grad_norm: float
    update_ratio: float
    dead_share: float
    saturated_share: float
    output_mean: float
    output_std: float


COLUMNS = tuple(f.name for f in fields(LayerRow))


def layer_rows(gradients: Sequence[GradientSample], activations: Sequence[ActivationSample]) -> list[LayerRow]:
    """Rows for every epoch either probe measured, nodes in forward order."""
    by_epoch: dict[int, list[GradientSample]] = {}
    for sample in gradients:
        by_epoch.setdefault(sample.epoch, []).append(sample)
    acts = {a.epoch: a for a in activations}
    rows: list[LayerRow] = []
    for epoch in sorted(set(by_epoch) | set(acts)):
        grads, act = by_epoch.get(epoch, []), acts.get(epoch)
        nodes = grads[0].nodes if grads else act.nodes  # type: ignore[union-attr]
        with np.errstate(all="ignore"):
            mean_of = {
                name: _mean([getattr(g, name) for g in grads], len(nodes)) for name in ("grad_norm", "output_grad_norm", "update_ratio")
            }
        for i, node in enumerate(nodes):
            j = act.nodes.index(node) if act is not None and node in act.nodes else None
            measured = (
                (act.dead_share[j], act.saturated_share[j], act.mean[j], act.std[j])
                if act is not None and j is not None
                else (math.nan,) * 4
            )
            gradient = (mean_of["grad_norm"][i], mean_of["output_grad_norm"][i], mean_of["update_ratio"][i])
            rows.append(LayerRow(epoch, node, *(float(v) for v in (*gradient, *measured))))
    return rows


def layers_csv(rows: Sequence[LayerRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in astuple(row)])
    return out.getvalue()


def write_layers_csv(path: str | os.PathLike[str], rows: Sequence[LayerRow]) -> Path:
    """The rows as CSV, written atomically (a header only when there are none)."""
    write_text_atomic(path, layers_csv(rows))
    return Path(path)


def _mean(arrays: list[np.ndarray], n: int) -> np.ndarray:
    if not arrays:
        return np.full(n, np.nan)
    stacked = np.stack(arrays)
    known = ~np.isnan(stacked)
    counts = known.sum(0)
    sums = np.where(known, stacked, 0.0).sum(0)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _cell(value: object) -> object:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return value
