"""The loss and the metric of one task, and the targets each loss expects.

Classification data gives class ids; ``cross_entropy`` takes them as they
are, ``bce_with_logits`` takes them as 0/1 (one output) or one-hot (one output
per class), and the regression losses take them one-hot. The metric is the
accuracy for classification and the mean absolute error for regression.

A batch mixed by augmentation (mixup, cutmix) has soft labels instead of class
ids: float rows ``(B, classes)`` that sum to 1. Every loss takes them where it
takes one-hot rows (cross_entropy as class probabilities), and the accuracy
counts a prediction right when it names the label with the larger share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from designer.graph import DataSpec
from designer.train.errors import TrainError

if TYPE_CHECKING:
    import torch

CLASSIFICATION, REGRESSION = "classification", "regression"
CLASS_LOSSES = ("cross_entropy", "bce_with_logits")


class Objective:
    """Loss function plus metric for ``loss`` on data described by ``spec``."""

    def __init__(self, loss: str, spec: DataSpec) -> None:
        from torch import nn

        if spec.task == REGRESSION and loss in CLASS_LOSSES:
            raise TrainError(f"loss {loss} needs class labels, but {spec.name} is a regression task: use mse, l1 or huber")
        self.name = loss
        self.spec = spec
        self.classification = spec.task == CLASSIFICATION
        self.metric_name = "accuracy" if self.classification else "mae"
        functions = {
            "cross_entropy": nn.CrossEntropyLoss,
            "bce_with_logits": nn.BCEWithLogitsLoss,
            "mse": nn.MSELoss,
            "l1": nn.L1Loss,
            "huber": nn.HuberLoss,
        }
        self._function = functions[loss]()

    def loss(self, output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The mean loss of a batch."""
        return self._function(output, self._targets(output, y))

    def metric_sum(self, output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Correct predictions (classification) or summed per-sample mean
        absolute error (regression), as a device tensor: no sync."""
        if self.classification:
            return (self.predicted(output) == (y.argmax(dim=1) if _soft(y) else y)).sum()
        error = (output.float() - y.reshape(output.shape)).abs()
        return error.reshape(len(error), -1).mean(dim=1).sum()

    def predicted(self, output: torch.Tensor) -> torch.Tensor:
        """Class ids from raw outputs (classification only)."""
        if output.ndim == 1 or output.shape[1] == 1:
            return (output.reshape(len(output)) > (0.0 if self.name == "bce_with_logits" else 0.5)).long()
        return output.argmax(dim=1)

    def _targets(self, output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        import torch

        if not self.classification:
            return y.reshape(output.shape).to(output.dtype)
        if self.name == "cross_entropy":
            return y.to(output.dtype) if _soft(y) else y
        if _soft(y) and output.ndim == 2 and output.shape[1] == y.shape[1]:
            return y.to(output.dtype)
        if _soft(y) and (output.ndim == 1 or (output.ndim == 2 and output.shape[1] == 1)):
            return y[:, 1].reshape(output.shape).to(output.dtype)  # the share of class 1
        if output.ndim == 1 or (output.ndim == 2 and output.shape[1] == 1):
            return y.reshape(output.shape).to(output.dtype)
        if output.ndim == 2 and output.shape[1] == self.spec.num_classes:
            return torch.nn.functional.one_hot(y, self.spec.num_classes).to(output.dtype)
        shape = "x".join(map(str, output.shape[1:]))
        raise TrainError(
            f"loss {self.name} needs one output (two classes) or one per class ({self.spec.num_classes}); "
            f"the design's output is {shape}: change the last layer or use cross_entropy"
        )


def _soft(y: torch.Tensor) -> bool:
    """True for soft labels (a mixed batch's class shares) rather than class ids."""
    return y.is_floating_point() and y.ndim == 2
