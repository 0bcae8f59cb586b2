"""An image folder with one sub-folder per class, with tiny generated PNGs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from designer.data import DataError, describe_data, load_data, preview


def _folder(root: Path, classes: dict[str, int], size: tuple[int, int] = (6, 4)) -> Path:
    folder = root / "pets"
    for k, (name, count) in enumerate(classes.items()):
        (folder / name).mkdir(parents=True)
        for i in range(count):
            colour = (40 * k, 200 - 10 * i, 100)
            Image.new("RGB", size, colour).save(folder / name / f"{i}.png")
    return folder


def _settings(**options) -> dict:
    return {"source": "image_folder", "options": {"path": "pets", **options}, "validation_split": 0.25}


def test_loads_resized_rgb_images_with_class_names(tmp_path: Path) -> None:
    _folder(tmp_path, {"cat": 4, "dog": 4})
    (tmp_path / "pets" / "cat" / "notes.txt").write_text("not an image, ignored")
    bundle = load_data(_settings(size=[8, 5]), base_dir=tmp_path)
    assert bundle.class_names == ["cat", "dog"] and bundle.spec.input.shape == (3, 8, 5) and bundle.spec.num_classes == 2
    assert len(bundle.train) == 6 and len(bundle.validation) == 2 and set(bundle.validation.y) == {0, 1}
    assert bundle.train.x.dtype == np.float32 and bundle.train.x.min() >= 0.0 and bundle.train.x.max() <= 1.0
    assert bundle.normalization == {"scale": 1 / 255}
    assert describe_data(_settings(size=[8, 5]), base_dir=tmp_path) == bundle.spec
    assert bundle.spec.name == "the images in pets"


def test_grayscale_gives_one_channel(tmp_path: Path) -> None:
    _folder(tmp_path, {"a": 2, "b": 2, "c": 2})
    bundle = load_data(_settings(mode="grayscale", size=[4, 4]), base_dir=tmp_path)
    assert bundle.train.x.shape[1:] == (1, 4, 4) and bundle.spec.num_classes == 3


def test_preview_takes_turns_over_the_classes(tmp_path: Path) -> None:
    _folder(tmp_path, {"cat": 3, "dog": 3})
    shown = preview(_settings(size=[4, 4]), base_dir=tmp_path, limit=4)
    assert shown.kind == "images" and shown.x.shape == (4, 4, 4, 3) and shown.y.tolist() == [0, 1, 0, 1]
    assert shown.total == 6 and [shown.label(i) for i in range(2)] == ["cat", "dog"]


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ({}, "pets: has no sub-folders: put the images of each class in a sub-folder named after the class"),
        ({"cat": 2}, "pets: only one class folder ('cat'): a classifier needs at least two"),
        ({"cat": 2, "dog": 0}, "pets/dog: no images (.png"),
    ],
)
def test_bad_folders_get_one_clear_line(tmp_path: Path, classes: dict[str, int], expected: str) -> None:
    _folder(tmp_path, classes)
    (tmp_path / "pets").mkdir(exist_ok=True)
    with pytest.raises(DataError) as info:
        describe_data(_settings(), base_dir=tmp_path)
    assert str(info.value).startswith(expected)


def test_unreadable_image_is_named(tmp_path: Path) -> None:
    _folder(tmp_path, {"cat": 2, "dog": 2})
    (tmp_path / "pets" / "dog" / "broken.png").write_bytes(b"not really a png")
    with pytest.raises(DataError, match=r"^pets/dog/broken.png: not an image that can be read"):
        load_data(_settings(), base_dir=tmp_path)


def test_missing_folder_and_file_instead_of_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^pets: no such folder"):
        load_data(_settings(), base_dir=tmp_path)
    (tmp_path / "pets").write_text("")
    with pytest.raises(DataError, match=r"^pets: is a file, not a folder"):
        load_data(_settings(), base_dir=tmp_path)
