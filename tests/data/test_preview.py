"""Previews: points, curves, sequences, images and tables, small and as loaded."""

from __future__ import annotations

import numpy as np
import pytest

from designer.data import load_data, preview


def test_points_are_raw_coordinates_with_labels() -> None:
    shown = preview({"source": "spirals"}, limit=100)
    assert shown.kind == "points" and shown.x.shape == (100, 2) and shown.y.shape == (100,) and shown.total == 1000
    assert shown.class_names == ["class 0", "class 1"] and shown.label(0) in shown.class_names
    assert np.abs(shown.x).max() < 1.5


def test_curve_and_series() -> None:
    curve = preview({"source": "curve"})
    assert curve.kind == "curve" and curve.x.shape == curve.y.shape == (500,)
    series = preview({"source": "sine", "options": {"length": 12}}, limit=3)
    assert series.kind == "series" and series.x.shape == (3, 12) and series.y.shape == (3, 1)
    assert series.label(0) == f"{series.y[0, 0]:.3g}"


def test_digits_show_every_class_first() -> None:
    shown = preview({"source": "digits"}, limit=10)
    assert shown.kind == "images" and shown.x.shape == (10, 8, 8) and sorted(shown.y.tolist()) == list(range(10))
    assert shown.x.min() >= 0.0 and shown.x.max() <= 1.0


@pytest.mark.parametrize("name", ["iris", "diabetes"])
def test_tabular_builtins_are_tables(name: str) -> None:
    shown = preview({"source": name}, limit=5)
    spec = load_data({"source": name}).spec
    assert shown.kind == "table" and len(shown.rows) == 5 and len(shown.columns) == spec.input.shape[0] + 1
    assert all(len(row) == len(shown.columns) for row in shown.rows)
    assert shown.columns[-1] == ("class" if spec.task == "classification" else "target")
