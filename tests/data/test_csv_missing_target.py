"""An empty target is a missing value like any other: refused with its line,
or left out with option missing = drop; never a class named ''."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.data import DataError, load_data

ROWS = """x,y,label
1.0,2.0,cat
2.0,1.0,dog
3.0,0.5,
4.0,2.5,cat
0.5,3.0,dog
2.5,2.0,NA
"""


def _settings(**options: str) -> dict:
    return {"source": "csv", "options": {"path": "pets.csv", **options}, "validation_split": 0.0}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pets.csv").write_text(ROWS, encoding="utf-8")
    return tmp_path


def test_an_empty_label_is_refused_with_its_line(folder: Path) -> None:
    with pytest.raises(DataError, match=r"^pets.csv: missing values on lines 4, 7 \(column 'label'\): fill them in"):
        load_data(_settings(), base_dir=folder)


def test_rows_without_a_label_are_left_out_not_made_a_class(folder: Path) -> None:
    bundle = load_data(_settings(missing="drop"), base_dir=folder)
    assert bundle.class_names == ["cat", "dog"]
    assert len(bundle.train) == 4 and sorted(bundle.train.y.tolist()) == [0, 0, 1, 1]
    assert bundle.notes == ["pets.csv: left out 2 rows with missing values, on lines 4, 7 (column 'label')"]


def test_a_regression_target_left_empty_is_refused(folder: Path) -> None:
    (folder / "pets.csv").write_text("x,y\n1,0.5\n2,\n3,1.5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"missing values on line 3 \(column 'y'\)"):
        load_data(_settings(task="regression"), base_dir=folder)
