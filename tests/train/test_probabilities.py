"""Class probabilities come from one place, read the way each loss reads the outputs."""

from __future__ import annotations

import numpy as np

from designer.graph import DataSpec, TensorSpec
from designer.train.objective import Objective
from designer.train.predict import class_probabilities

SPEC = DataSpec(TensorSpec((2,)), "classification", num_classes=2)


def test_softmax_over_several_outputs() -> None:
    outputs = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, -10.0]], np.float32)
    p = class_probabilities(outputs, Objective("cross_entropy", DataSpec(TensorSpec((2,)), "classification", num_classes=3)))
    assert np.allclose(p.sum(axis=1), 1.0) and np.allclose(p[0], 1 / 3) and p[1].argmax() == 0


def test_one_output_is_the_probability_of_class_one() -> None:
    logits = np.array([[0.0], [100.0], [-100.0]], np.float32)
    p = class_probabilities(logits, Objective("bce_with_logits", SPEC))
    assert p.shape == (3, 2) and np.allclose(p[:, 1], [0.5, 1.0, 0.0]) and np.allclose(p.sum(axis=1), 1.0)
    scores = np.array([0.25, 1.5, -0.5], np.float32)  # a score, clipped to [0, 1]
    assert np.allclose(class_probabilities(scores, Objective("mse", SPEC))[:, 1], [0.25, 1.0, 0.0])
