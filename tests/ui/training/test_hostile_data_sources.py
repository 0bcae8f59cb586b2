"""The window stays up for hostile data files: each is one problem in the data
section's preview and the problems list (or is read as it should be), and no
run starts on it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from trainingkit import tiny_project

WAIT_MS = 20_000


def _npz_zero_d_names(folder: Path) -> dict:
    np.savez(folder / "names.npz", x=np.ones((8, 2)), y=np.arange(8) % 2, class_names=np.array("ab"))
    return {"source": "npz", "options": {"path": "names.npz"}}


def _npz_claiming_48_gb(folder: Path) -> dict:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (100_000, 120_000)})
    y = io.BytesIO()
    np.save(y, np.arange(4))
    with zipfile.ZipFile(folder / "huge.npz", "w") as archive:
        archive.writestr("x.npy", header.getvalue() + b"\0" * 64)
        archive.writestr("y.npy", y.getvalue())
    return {"source": "npz", "options": {"path": "huge.npz"}}


def _bomb_folder(folder: Path) -> dict:
    for name in ("a", "b"):
        (folder / "bomb" / name).mkdir(parents=True)
        Image.new("L", (4, 4)).save(folder / "bomb" / name / "ok.png")
    Image.new("1", (30000, 30000)).save(folder / "bomb" / "a" / "bomb.png", optimize=True)
    return {"source": "image_folder", "options": {"path": "bomb", "size": [8, 8]}}


def _csv_beyond_float32(folder: Path) -> dict:
    (folder / "big.csv").write_text("a,b,y\n1,2,0\n1e39,3,1\n2,4,0\n3,5,1\n")
    return {"source": "csv", "options": {"path": "big.csv"}}


def _csv_binary(folder: Path) -> dict:
    (folder / "noise.csv").write_bytes(bytes(range(256)) * 4)
    return {"source": "csv", "options": {"path": "noise.csv"}}


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_npz_zero_d_names, "names.npz: class_names has shape ()"),
        (_npz_claiming_48_gb, "huge.npz: array 'x' claims shape (100000, 120000)"),
        (_bomb_folder, "bomb/a/bomb.png: has 900,000,000 pixels"),
        (_csv_beyond_float32, "big.csv: line 3, column 'a': '1e39' is too large for a 32-bit float"),
        (_csv_binary, "noise.csv: is a binary file"),
    ],
)
def test_a_hostile_data_file_is_one_problem_and_the_window_stays(
    window, qtbot, tmp_path: Path, make: Callable[[Path], dict], said: str
) -> None:
    window.open_file(tiny_project(tmp_path / "tiny.nnd"))
    doc, editor = window.document, window.training.panel.data_editor
    doc.set_settings("data", make(tmp_path))
    if "bomb" not in said:  # an image folder is described by listing it: its images are opened for the preview and the run
        qtbot.waitUntil(lambda: bool(doc.data_problems), timeout=WAIT_MS)
        assert doc.data_spec is None and said in doc.data_problems[0].message
        assert window.problems.topLevelItem(0).text(2).startswith("the data cannot be used")
    qtbot.waitUntil(lambda: editor.preview.kind in ("error", "table"), timeout=WAIT_MS)
    if editor.preview.kind == "error":
        assert said in editor.preview.message.text()
    assert not window.training.start() and window.isVisible()


def test_sixteen_bit_images_and_decimal_commas_are_read_in_the_window(window, qtbot, tmp_path: Path) -> None:
    window.open_file(tiny_project(tmp_path / "tiny.nnd"))
    doc, editor = window.document, window.training.panel.data_editor
    (tmp_path / "semi.csv").write_text("a;b;label\n1,5;60,5;a\n2,5;70,5;b\n1,5;60,5;a\n2,5;61,5;b\n", encoding="utf-8")
    doc.set_settings("data", {"source": "csv", "options": {"path": "semi.csv"}})
    qtbot.waitUntil(lambda: doc.data_spec is not None and doc.data_spec.input.shape == (2,), timeout=WAIT_MS)
    ramp = (np.arange(16 * 16, dtype=np.uint32).reshape(16, 16) * 256).astype(np.uint16)
    for name in ("dark", "light"):
        (tmp_path / "depth" / name).mkdir(parents=True)
        Image.fromarray(ramp).save(tmp_path / "depth" / name / "0.png")
    doc.set_settings("data", {"source": "image_folder", "options": {"path": "depth", "size": [8, 8], "mode": "grayscale"}})
    qtbot.waitUntil(lambda: editor.preview.kind == "images", timeout=WAIT_MS)
    shown = editor.preview.images.tiles
    assert shown and not doc.data_problems
