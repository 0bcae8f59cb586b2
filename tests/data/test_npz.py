"""NumPy .npz files with x and y."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designer.data import DataError, describe_data, load_data, restore_targets


def _npz(tmp_path: Path, **arrays) -> dict:
    np.savez(tmp_path / "arrays.npz", **arrays)
    return {"source": "npz", "options": {"path": "arrays.npz"}, "validation_split": 0.2}


def test_classification_with_class_names(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    settings = _npz(tmp_path, x=rng.normal(size=(50, 3, 4)), y=np.arange(50) % 3, class_names=np.array(["a", "b", "c"]))
    bundle = load_data(settings, base_dir=tmp_path)
    assert bundle.spec.input.shape == (3, 4) and bundle.spec.task == "classification" and bundle.class_names == ["a", "b", "c"]
    assert bundle.train.x.dtype == np.float32 and np.asarray(bundle.normalization["mean"]).shape == (3, 4)
    assert describe_data(settings, base_dir=tmp_path) == bundle.spec


def test_labels_that_are_not_positions_become_class_names(tmp_path: Path) -> None:
    settings = _npz(tmp_path, x=np.ones((6, 2), np.float32), y=np.array([-1, 1, -1, 1, 1, -1]))
    bundle = load_data(settings, base_dir=tmp_path)
    assert bundle.class_names == ["-1", "1"] and set(bundle.train.y) <= {0, 1}


def test_regression_and_token_ids(tmp_path: Path) -> None:
    settings = _npz(tmp_path, x=np.arange(40).reshape(10, 4), y=np.linspace(0, 9, 10) * 100)
    bundle = load_data(settings, base_dir=tmp_path)
    assert bundle.spec.input.dtype == "int64" and bundle.train.x.dtype == np.int64 and "mean" not in bundle.normalization
    assert bundle.spec.task == "regression" and bundle.spec.target_shape == (1,)
    assert restore_targets(bundle.normalization, bundle.train.y).max() > 100
    settings["options"].update(inputs="float32", normalize="none")
    plain = load_data(settings, base_dir=tmp_path)
    assert plain.spec.input.dtype == "float32" and plain.normalization == {} and plain.train.y.max() > 100


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        ({"x": np.ones((5, 2)), "y": np.arange(4)}, "arrays.npz: x has 5 samples but y has 4"),
        ({"x": np.ones((5, 2))}, "arrays.npz: no array named 'y' (arrays found: x)"),
        ({"x": np.ones((4, 2)), "y": np.zeros(4, np.int64)}, "arrays.npz: y has only one class (0)"),
        ({"x": np.array([[1.0], [np.nan], [2.0]]), "y": np.array([0, 1, 0])}, "arrays.npz: x[1] holds NaN or infinity"),
        ({"x": np.array(["a", "b"]), "y": np.array([0, 1])}, "arrays.npz: x has dtype <U1: it must hold numbers"),
        (
            {"x": np.ones((2, 2)), "y": np.array([[0, 1], [1, 0]])},
            "arrays.npz: y has shape (2, 2): a classifier needs one class per sample",
        ),
    ],
)
def test_bad_arrays_get_one_clear_line(tmp_path: Path, arrays: dict, expected: str) -> None:
    settings = _npz(tmp_path, **arrays)
    with pytest.raises(DataError) as info:
        load_data(settings, base_dir=tmp_path)
    assert str(info.value).startswith(expected) and "\n" not in str(info.value)


def test_files_that_are_not_npz(tmp_path: Path) -> None:
    settings = {"source": "npz", "options": {"path": "arrays.npz"}}
    (tmp_path / "arrays.npz").write_text("x,y\n1,2\n")
    with pytest.raises(DataError, match=r"^arrays.npz: .*numpy.savez"):
        load_data(settings, base_dir=tmp_path)
    np.save(tmp_path / "single.npy", np.ones(3))
    (tmp_path / "single.npy").rename(tmp_path / "arrays.npz")
    with pytest.raises(DataError, match=r"^arrays.npz: holds a single array, not x and y"):
        load_data(settings, base_dir=tmp_path)
    np.savez(tmp_path / "arrays.npz", x=np.array([{"a": 1}, {"b": 2}], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DataError, match=r"^arrays.npz: holds Python objects, which are not loaded for safety"):
        load_data(settings, base_dir=tmp_path)
