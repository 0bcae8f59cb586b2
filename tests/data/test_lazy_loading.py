"""Data read from disk batch by batch: image folders decoded on demand, npz x
memory-mapped, the automatic choice and the plan the Data panel shows."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from imagekit import png_claiming
from PIL import Image

from designer.data import DataError, limits, load_data, npz, split
from designer.data.lazy import LazySamples
from designer.data.plan import loading_plan


def _folder(root: Path, per_class: int = 6) -> dict:
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (root / "pets" / name).mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.integers(0, 255, (5, 7, 3), dtype=np.uint8)).save(root / "pets" / name / f"{i}.png")
    return {"source": "image_folder", "options": {"path": "pets", "size": [6, 4]}, "validation_split": 0.25, "test_split": 0.2}


def _with(settings: dict, **options) -> dict:
    return {**settings, "options": {**settings["options"], **options}}


def test_a_streamed_folder_gives_the_same_samples_as_a_loaded_one(tmp_path: Path) -> None:
    settings = _folder(tmp_path)
    loaded, streamed = (load_data(_with(settings, loading=mode), tmp_path) for mode in ("memory", "stream"))
    assert not loaded.train.streamed and streamed.train.streamed and isinstance(streamed.train.x, LazySamples)
    for part in ("train", "validation", "test"):
        a, b = getattr(loaded, part), getattr(streamed, part)
        assert b.x.shape == a.x.shape and b.x.dtype == np.float32 and b.x.nbytes == a.x.nbytes
        assert np.array_equal(b.x[np.arange(len(b.x))], a.x) and np.array_equal(b.y, a.y)
    assert streamed.normalization == loaded.normalization == {"scale": 1 / 255}
    assert streamed.class_names == ["cat", "dog"] and "read from disk as batches need them" in streamed.notes[0]


def test_lazy_samples_index_like_an_array_and_pickle_without_pixels(tmp_path: Path) -> None:
    x = load_data(_with(_folder(tmp_path), loading="stream"), tmp_path).train.x
    whole = x[:]
    assert np.array_equal(x[-1], whole[-1]) and np.array_equal(x[2:5], whole[2:5])
    assert np.array_equal(x[np.array([True, False] * (len(x) // 2))], whole[::2])
    assert np.array_equal(x[np.array([3, 0, 3])], whole[[3, 0, 3]]) and np.array_equal(np.asarray(x), whole)
    with pytest.raises(IndexError):
        x[np.array([len(x)])]
    assert len(pickle.dumps(x)) < whole.nbytes and np.array_equal(pickle.loads(pickle.dumps(x))[:], whole)


def test_auto_streams_only_data_bigger_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _folder(tmp_path)
    assert not load_data(settings, tmp_path).train.streamed
    plan = loading_plan(settings, tmp_path)
    assert plan is not None and (plan.samples, plan.decoded_bytes, plan.streamed, plan.noun) == (12, 12 * 3 * 6 * 4 * 4, False, "images")
    monkeypatch.setattr(limits, "MEMORY_LIMIT", 1000)
    assert load_data(settings, tmp_path).train.streamed and loading_plan(settings, tmp_path).streamed
    assert not load_data(_with(settings, loading="memory"), tmp_path).train.streamed
    assert loading_plan({"source": "spirals"}) is None


def test_a_streamed_folder_too_big_for_memory_loads_anyway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.project import memory

    settings = _folder(tmp_path)
    monkeypatch.setattr(memory, "available_memory", lambda: 2000)
    with pytest.raises(DataError, match="pets: loading 12 images of 3x6x4 needs"):
        load_data(_with(settings, loading="memory"), tmp_path)
    assert load_data(settings, tmp_path).train.streamed  # auto: read from disk instead


def test_a_damaged_image_is_named_when_its_batch_is_read(tmp_path: Path) -> None:
    settings = _folder(tmp_path, per_class=80)  # the load decodes a sample of 64; this one is not in it
    (tmp_path / "pets" / "dog" / "7.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    bundle = load_data(_with(settings, loading="stream"), tmp_path)
    with pytest.raises(DataError, match=r"^pets/dog/7.png: not an image that can be read"):
        for part in (bundle.train, bundle.validation, bundle.test):
            part.x[:]


# ----------------------------------------------------------------- npz


def _npz(tmp_path: Path, save=np.savez, **arrays) -> dict:
    save(tmp_path / "arrays.npz", **arrays)
    return {"source": "npz", "options": {"path": "arrays.npz", "loading": "stream"}, "validation_split": 0.2}


@pytest.mark.parametrize(
    "x",
    [
        np.random.default_rng(0).normal(size=(60, 3, 4)),
        np.random.default_rng(1).integers(0, 9, (60, 5)),
        np.asfortranarray(np.random.default_rng(2).normal(size=(60, 6))).astype(">f8"),
        np.arange(60, dtype=np.int16),
    ],
    ids=["float64", "tokens", "fortran-big-endian", "one-number"],
)
def test_an_uncompressed_x_is_memory_mapped_with_the_same_values(tmp_path: Path, x: np.ndarray) -> None:
    settings = _npz(tmp_path, x=x, y=np.arange(60) % 3)
    streamed = load_data(settings, tmp_path)
    loaded = load_data(_with(settings, loading="memory"), tmp_path)
    assert streamed.train.streamed and not loaded.train.streamed and "not loaded into memory" in streamed.notes[0]
    for part in ("train", "validation"):
        a, b = getattr(loaded, part), getattr(streamed, part)
        assert b.x.dtype == a.x.dtype and b.x.shape == a.x.shape and np.array_equal(b.x[:], a.x)
    assert streamed.normalization == loaded.normalization
    assert pickle.loads(pickle.dumps(streamed.train.x)).reader._map == []  # a worker maps the file itself


def test_a_compressed_x_is_loaded_and_the_note_says_how_to_stream_it(tmp_path: Path) -> None:
    settings = _npz(tmp_path, np.savez_compressed, x=np.ones((10, 2)), y=np.arange(10) % 2)
    bundle = load_data(settings, tmp_path)
    assert not bundle.train.streamed and "numpy.savez (not savez_compressed)" in bundle.notes[0]
    assert loading_plan(settings, tmp_path).note == "x is compressed, so it is loaded into memory"


def test_a_mapped_x_is_checked_chunk_by_chunk_with_the_right_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(npz, "CHECK_CHUNK", 64)  # 8 samples of 2 float32 values per chunk
    x = np.ones((50, 2), np.float32)
    x[37, 1] = np.nan
    with pytest.raises(DataError, match=r"^arrays.npz: x\[37\] holds NaN or infinity$"):
        load_data(_npz(tmp_path, x=x, y=np.arange(50) % 2), tmp_path)
    tokens = np.arange(100).reshape(50, 2)
    tokens[41, 0] = -3
    with pytest.raises(DataError, match=r"x\[41\] holds a negative token id"):
        load_data(_npz(tmp_path, x=tokens, y=np.arange(50) % 2), tmp_path)


def test_standardisation_of_streamed_data_uses_a_sample_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "STATS_SAMPLE", 20)
    rng = np.random.default_rng(0)
    bundle = load_data(_npz(tmp_path, x=rng.normal(5, 2, size=(200, 3)), y=np.arange(200) % 2), tmp_path)
    assert any("mean and std of 20 random training samples" in note for note in bundle.notes)
    values = bundle.train.x[:]
    assert np.abs(values.mean(axis=0)).max() < 0.8 and np.abs(values.std(axis=0) - 1).max() < 0.5


def test_x_alone_in_a_npy_file_with_targets_beside_it(tmp_path: Path) -> None:
    x = np.random.default_rng(0).normal(size=(40, 5))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.arange(40) % 2)
    settings = {"source": "npz", "options": {"path": "x.npy", "targets": "y.npy", "loading": "stream"}}
    streamed, loaded = load_data(settings, tmp_path), load_data(_with(settings, loading="memory"), tmp_path)
    assert streamed.train.streamed and not loaded.train.streamed and np.array_equal(streamed.train.x[:], loaded.train.x)
    assert loading_plan(settings, tmp_path).streamed
    with pytest.raises(DataError, match="holds a single array, not x and y: .* set option 'targets'"):
        load_data({"source": "npz", "options": {"path": "x.npy"}}, tmp_path)
    (tmp_path / "cut.npy").write_bytes((tmp_path / "x.npy").read_bytes()[:300])
    with pytest.raises(DataError, match=r"^cut.npy: array 'x' claims shape \(40, 5\) of float64"):
        load_data(_with(settings, path="cut.npy"), tmp_path)


def test_a_streamed_image_gets_the_same_header_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.project import memory

    settings = _with(_folder(tmp_path, per_class=80), loading="stream")
    bundle = load_data(settings, tmp_path)  # listed while every file is fine
    (tmp_path / "pets" / "dog" / "7.png").write_bytes(png_claiming(12000, 9000))
    with pytest.raises(DataError, match=r"^pets/dog/7.png: has 108,000,000 pixels, more than the limit of .*decompression bomb"):
        for part in (bundle.train, bundle.validation, bundle.test):
            part.x[:]
    (tmp_path / "pets" / "dog" / "7.png").write_bytes(png_claiming(9000, 9000))
    monkeypatch.setattr(memory, "available_memory", lambda: 100 << 20)
    with pytest.raises(DataError, match=r"^pets/dog/7.png: decoding its 9000 x 9000 pixels needs"):
        for part in (bundle.train, bundle.validation, bundle.test):
            part.x[:]
