"""A user's CSV: columns chosen, numbers standardised, texts one-hot, and bad rows named by line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designer.data import DataError, describe_data, load_data, preview

PEOPLE = """age,colour,height,label
30,red,1.80,tall
25,blue,1.60,short
40,red,1.75,tall
35,green,1.55,short
28,blue,1.90,tall
50,green,1.50,short
"""


def _csv(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _settings(**options) -> dict:
    return {"source": "csv", "options": {"path": "people.csv", **options}, "validation_split": 0.0}


def test_one_hot_for_text_and_standardised_numbers(tmp_path: Path) -> None:
    _csv(tmp_path, PEOPLE)
    bundle = load_data(_settings(), base_dir=tmp_path)
    norm = bundle.normalization
    assert norm["features"] == ["age", "colour=blue", "colour=green", "colour=red", "height"]
    assert norm["categories"] == {"colour": ["blue", "green", "red"]} and norm["target"] == "label"
    assert bundle.spec.task == "classification" and bundle.spec.input.shape == (5,) and bundle.class_names == ["short", "tall"]
    assert bundle.spec.name == "the data in people.csv"
    x = bundle.train.x
    onehot = x[:, 1:4]
    assert set(np.unique(onehot)) == {0.0, 1.0} and np.all(onehot.sum(axis=1) == 1)  # one-hot columns are not scaled
    assert np.allclose(x[:, [0, 4]].mean(axis=0), 0, atol=1e-6) and np.allclose(x[:, [0, 4]].std(axis=0), 1, atol=1e-5)
    assert norm["mean"][1:4] == [0, 0, 0] and norm["std"][1:4] == [1, 1, 1]
    assert describe_data(_settings(), base_dir=tmp_path) == bundle.spec


def test_chosen_target_and_features_and_regression(tmp_path: Path) -> None:
    _csv(tmp_path, PEOPLE)
    bundle = load_data(_settings(target="height", features="age, colour"), base_dir=tmp_path)
    assert bundle.spec.task == "regression" and bundle.spec.target_shape == (1,) and bundle.spec.input.shape == (4,)
    assert bundle.normalization["features"][0] == "age" and "target_mean" in bundle.normalization
    classes = load_data(_settings(target="age", task="classification", features="height"), base_dir=tmp_path)
    assert classes.class_names == ["25", "28", "30", "35", "40", "50"]


def test_whole_number_target_with_few_values_is_classes_and_semicolons_are_guessed(tmp_path: Path) -> None:
    _csv(tmp_path, "a;b;y\n1.5;2;0\n2.5;3;1\n3.5;1;2\n0.5;2;1\n", name="semi.csv")
    spec = describe_data({"source": "csv", "options": {"path": "semi.csv"}}, base_dir=tmp_path)
    assert spec.task == "classification" and spec.num_classes == 3 and spec.input.shape == (2,)
    many = "".join(f"{i};{i * 3}\n" for i in range(30))
    _csv(tmp_path, "a;y\n" + many, name="many.csv")
    assert describe_data({"source": "csv", "options": {"path": "many.csv"}}, base_dir=tmp_path).task == "regression"


def test_missing_values_are_reported_with_line_numbers(tmp_path: Path) -> None:
    _csv(tmp_path, PEOPLE.replace("25,blue", "25,").replace("35,green,1.55", "35,green,NA"))
    with pytest.raises(
        DataError, match=r"^people.csv: missing values on lines 3, 5 \(columns 'colour', 'height'\): .*'missing' to 'drop'$"
    ):
        load_data(_settings(), base_dir=tmp_path)
    bundle = load_data(_settings(missing="drop"), base_dir=tmp_path)
    assert len(bundle.train) == 4
    assert bundle.notes == ["people.csv: left out 2 rows with missing values, on lines 3, 5 (columns 'colour', 'height')"]


def test_missing_values_in_unused_columns_do_not_matter(tmp_path: Path) -> None:
    _csv(tmp_path, PEOPLE.replace("25,blue", "25,"))
    assert len(load_data(_settings(features="age,height"), base_dir=tmp_path).train) == 6


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        (PEOPLE.replace("1.60", "tall-ish"), {}, "people.csv: line 3, column 'height': 'tall-ish' is not a number"),
        (PEOPLE.replace("short", "tall"), {}, "people.csv: column 'label' has only one class ('tall'): a classifier needs at least two"),
        (PEOPLE.replace("40,red,1.75,tall", "40,red,1.75"), {}, "people.csv: line 4: 3 values but the header has 4 columns"),
        ("age,label\n", {}, "people.csv: no data rows"),
        (PEOPLE, {"target": "weight"}, "people.csv: option 'target': no column 'weight' (columns: age, colour, height, label)"),
        (PEOPLE, {"features": "age,shoe"}, "people.csv: option 'features': no column 'shoe'"),
        (PEOPLE, {"features": "age,label"}, "people.csv: option 'features': 'label' is the target column"),
        (PEOPLE, {"target": "colour", "task": "regression"}, "people.csv: line 2, column 'colour': 'red' is not a number"),
        ("a,a,y\n1,2,3\n", {}, "people.csv: line 1: column 'a' appears twice in the header"),
    ],
)
def test_bad_csv_gets_one_line_naming_file_and_row(tmp_path: Path, text: str, options: dict, expected: str) -> None:
    _csv(tmp_path, text)
    with pytest.raises(DataError) as info:
        load_data(_settings(**options), base_dir=tmp_path)
    assert str(info.value).startswith(expected) and "\n" not in str(info.value)


def test_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_bytes(b"age,label\n1,\xff\xfe\n")
    with pytest.raises(DataError, match=r"^people.csv: line 2: not UTF-8 text \(byte 12\)"):
        load_data(_settings(), base_dir=tmp_path)
    (tmp_path / "people.csv").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    with pytest.raises(DataError, match=r"^people.csv: is a binary file"):
        load_data(_settings(), base_dir=tmp_path)
    with pytest.raises(DataError, match=r"^nowhere.csv: no such file \(looked for "):
        load_data(_settings(path="nowhere.csv"), base_dir=tmp_path)
    with pytest.raises(DataError, match=r"^csv: no file chosen: set option 'path'"):
        load_data({"source": "csv"})


def test_too_many_texts_to_one_hot(tmp_path: Path) -> None:
    rows = "".join(f"person{i},{i % 2}\n" for i in range(60))
    _csv(tmp_path, "name,y\n" + rows)
    with pytest.raises(DataError, match="column 'name' has 60 different texts, too many to one-hot encode"):
        load_data(_settings(), base_dir=tmp_path)


def test_describe_follows_an_edited_file(tmp_path: Path) -> None:
    path = _csv(tmp_path, PEOPLE)
    assert describe_data(_settings(), base_dir=tmp_path).num_classes == 2
    path.write_text(PEOPLE + "45,red,1.70,medium\n")
    assert describe_data(_settings(), base_dir=tmp_path).num_classes == 3


def test_preview_shows_the_first_rows_as_written(tmp_path: Path) -> None:
    _csv(tmp_path, PEOPLE)
    shown = preview(_settings(target="nothing yet"), base_dir=tmp_path, limit=3)
    assert shown.kind == "table" and shown.total == 6 and shown.spec is None
    assert shown.columns == ["age", "colour", "height", "label"] and shown.rows[0] == ["30", "red", "1.80", "tall"] and len(shown.rows) == 3
