"""The digits by class (0-4 or 5-9, labels counting from 0) and with only a few labelled training images per class."""

from __future__ import annotations

import numpy as np
import pytest

from designer.data import load_data
from designer.data.errors import DataError
from designer.project.settings import data_settings


def bundle(**options):
    return load_data(data_settings({"source": "digits", "options": options, "validation_split": 0.5}))


def test_the_digits_5_to_9_are_five_classes_named_after_their_digits() -> None:
    data = bundle(classes="5-9")
    assert data.class_names == ["5", "6", "7", "8", "9"] and data.spec.num_classes == 5
    assert set(np.unique(data.train.y)) == set(range(5))
    assert len(data.train) + len(data.validation) == 896  # scikit-learn's images of the digits 5-9


def test_a_few_labelled_images_per_class_leave_validation_whole() -> None:
    full, few = bundle(classes="0-4"), bundle(classes="0-4", labelled_per_class=3)
    assert np.bincount(few.train.y).tolist() == [3] * 5
    assert np.array_equal(few.validation.y, full.validation.y)


def test_a_bad_class_choice_is_one_line() -> None:
    with pytest.raises(DataError, match="classes"):
        bundle(classes="1-3")
