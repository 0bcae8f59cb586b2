"""A CSV file bigger than the sample describe and preview read: the description
(from the start of the file and the columns it needs) matches what loading gives,
and the preview shows the first rows without reading the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.data import DataError, csv_file, describe, load_data, preview
from designer.data import csv_read as reader

COLOURS = ["red", "green", "blue"]


def _rows(count: int, late: str = "") -> str:
    lines = [f"{i % 7},{(i * 0.37) % 5:.2f},{COLOURS[i % 3]},{i % 2}" for i in range(count)]
    return "a,b,colour,label\n" + "\n".join(lines) + "\n" + late


@pytest.fixture
def small_sample(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(csv_file, "SAMPLE_BYTES", 2000)
    return 2000


def _settings(**options: str) -> dict:
    return {"source": "csv", "options": {"path": "big.csv", **options}, "validation_split": 0.0}


def test_description_of_a_big_file_matches_its_load(tmp_path: Path, small_sample: int) -> None:
    (tmp_path / "big.csv").write_text(_rows(400, late="1,2.5,violet,2\n"))  # a category and a class only after the sample
    assert (tmp_path / "big.csv").stat().st_size > small_sample
    spec, classes = describe(_settings(), tmp_path)
    bundle = load_data(_settings(), tmp_path)
    assert spec == bundle.spec and classes == bundle.class_names == ["0", "1", "2"]
    assert spec.input.shape == (6,)  # a, b and four colours one-hot


def test_description_of_a_big_file_reads_only_the_columns_it_needs(tmp_path: Path, small_sample: int, monkeypatch) -> None:
    (tmp_path / "big.csv").write_text(_rows(400))
    asked: list[object] = []
    real = reader.read_table

    def spy(*args, **kwargs):
        asked.append((kwargs.get("sample"), kwargs.get("only")))
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_file, "read_table", spy)
    spec, _ = describe(_settings(target="label"), tmp_path)
    assert spec.input.shape == (5,)
    assert asked == [(small_sample, None), (None, (["a", "b", "colour", "label"], ["colour", "label"]))]


def test_a_ragged_row_after_the_sample_is_still_named(tmp_path: Path, small_sample: int) -> None:
    (tmp_path / "big.csv").write_text(_rows(400, late="1,2\n"))
    with pytest.raises(DataError, match=r"^big.csv: line 402: 2 values but the header has 4 columns$"):
        describe(_settings(), tmp_path)


def test_preview_of_a_big_file_reads_its_start(tmp_path: Path, small_sample: int, monkeypatch) -> None:
    (tmp_path / "big.csv").write_text(_rows(400, late="1,2\n"))  # a ragged row the preview never reads
    shown = preview(_settings(), tmp_path, limit=3)
    assert shown.columns == ["a", "b", "colour", "label"] and shown.rows[0] == ["0", "0.00", "red", "0"] and len(shown.rows) == 3
    assert shown.total == 401  # line ends after the header


def test_the_window_describes_a_csv_file_off_its_thread() -> None:
    from designer.document.data_spec import needs_reading

    assert needs_reading({"source": "csv", "options": {"path": "big.csv"}})
    assert not needs_reading({"source": "iris", "options": {}})
