"""Hostile data files (CSV, image folders, NumPy .npz): usable data or one line
naming the file and the place, never a traceback, a hang, silent infinity or
code run from the file. Crafted cases first, then the generators that found
them (HYPOTHESIS_PROFILE=deep for the long run)."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from data_outcome import check_one_line, fresh_folder, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from imagekit import png_claiming
from PIL import Image

from designer.data import DataError, load_data
from designer.project import memory

# ----------------------------------------------------------------- crafted files


def _npz_settings(name: str = "arrays.npz", **options) -> dict:
    return {"source": "npz", "options": {"path": name, **options}, "validation_split": 0.25}


def _refused(settings: dict, base: Path) -> str:
    with pytest.raises(DataError) as info:
        load_data(settings, base_dir=base)
    message = str(info.value)
    check_one_line(message, settings["options"]["path"].split("/")[0])
    return message


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def _npy_claiming(shape: tuple[int, ...], dtype: str = "<f4", payload: bytes = b"\0" * 64) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": dtype, "fortran_order": False, "shape": shape})
    return out.getvalue() + payload


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_npz_with_a_single_class_name_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "arrays.npz", x=np.ones((8, 2)), y=np.arange(8) % 2, class_names=np.array("ab"))
    assert "class_names has shape ()" in _refused(_npz_settings(), tmp_path)


def test_npz_whose_header_claims_48_gb_is_refused_before_allocating(tmp_path: Path) -> None:
    _zip(tmp_path / "arrays.npz", {"x.npy": _npy_claiming((100_000, 120_000)), "y.npy": _npy(np.arange(4))})
    message = _refused(_npz_settings(), tmp_path)
    assert "array 'x' claims shape (100000, 120000)" in message and "44.7 GB" in message


def test_npz_larger_than_free_memory_is_refused_before_allocating(tmp_path: Path, monkeypatch) -> None:
    np.savez_compressed(tmp_path / "arrays.npz", x=np.zeros((2000, 500), np.float32), y=np.arange(2000) % 2)
    monkeypatch.setattr(memory, "available_memory", lambda: 1 << 20)
    message = _refused(_npz_settings(), tmp_path)
    assert "arrays.npz: loading its arrays needs 11.5 MB of memory, more than the 1.0 MB free" in message


def test_npz_never_runs_a_pickle(tmp_path: Path) -> None:
    ran: list[str] = []

    class Payload:
        def __reduce__(self):
            return (ran.append, ("ran",))

    pickled = pickle.dumps(np.array([Payload(), Payload()], dtype=object))
    _zip(tmp_path / "arrays.npz", {"x.npy": _npy_claiming((2,), "|O", pickled), "y.npy": _npy(np.arange(2))})
    assert "holds Python objects" in _refused(_npz_settings(), tmp_path)
    assert ran == []


def _images(root: Path, files: dict[str, Image.Image | bytes]) -> dict:
    for name, image in files.items():
        path = root / "pictures" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(image, bytes):
            path.write_bytes(image)
        else:
            image.save(path)
    return {"source": "image_folder", "options": {"path": "pictures", "size": [8, 8]}, "validation_split": 0.25}


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = io.BytesIO()
    Image.new("1", (30000, 30000)).save(bomb, "PNG", optimize=True)
    assert len(bomb.getvalue()) < 200_000
    settings = _images(tmp_path, {"a/bomb.png": bomb.getvalue(), "a/ok.png": Image.new("L", (4, 4)), "b/ok.png": Image.new("L", (4, 4))})
    message = _refused(settings, tmp_path)
    assert message.startswith("pictures/a/bomb.png: ") and "decompression bomb" in message


def test_image_claiming_more_pixels_than_the_limit_is_refused(tmp_path: Path) -> None:
    settings = _images(tmp_path, {"a/big.png": png_claiming(12000, 9000), "b/ok.png": Image.new("L", (4, 4))})
    message = _refused(settings, tmp_path)
    assert message.startswith("pictures/a/big.png: has 108,000,000 pixels, more than the limit of") and "decompression bomb" in message


def test_sixteen_bit_grayscale_scales_by_its_range(tmp_path: Path) -> None:
    ramp = (np.arange(64 * 64, dtype=np.uint32).reshape(64, 64) * 16).astype(np.uint16)  # 0 .. 65520
    files = {f"{c}/{i}.png": Image.fromarray(ramp) for c in "ab" for i in range(2)}
    settings = _images(tmp_path, files)
    for mode in ("grayscale", "rgb"):
        settings["options"]["mode"] = mode
        bundle = load_data(settings, base_dir=tmp_path)
        x = bundle.train.x
        assert x.shape[1] == (1 if mode == "grayscale" else 3)
        assert 0.0 <= x.min() < 0.1 and 0.9 < x.max() <= 1.0 and 0.4 < x.mean() < 0.6
        assert bundle.normalization["scale"] == pytest.approx(1 / 65535)


def test_mixed_pixel_types_are_each_scaled_and_noted(tmp_path: Path) -> None:
    white16 = Image.fromarray(np.full((4, 4), 65535, np.uint16))
    files = {"a/0.png": Image.new("L", (4, 4), 255), "a/1.png": white16, "b/0.png": Image.new("L", (4, 4), 255), "b/1.png": white16}
    bundle = load_data(_images(tmp_path, files), base_dir=tmp_path)
    assert np.allclose(bundle.train.x, 1.0) and "scale" not in bundle.normalization
    assert any("different pixel types" in note for note in bundle.notes)


def _csv_settings(name: str) -> dict:
    return {"source": "csv", "options": {"path": name}, "validation_split": 0.0}


def _csv(root: Path, text: str) -> dict:
    (root / "table.csv").write_text(text, encoding="utf-8")
    return {"source": "csv", "options": {"path": "table.csv"}, "validation_split": 0.0}


def test_csv_value_beyond_float32_is_named_by_line_and_column(tmp_path: Path) -> None:
    message = _refused(_csv(tmp_path, "a,b,y\n1,2,0\n1e39,3,1\n2,4,0\n"), tmp_path)
    assert message.startswith("table.csv: line 3, column 'a': '1e39' is too large for a 32-bit float")
    message = _refused(_csv(tmp_path, "a,y\n1,2.5\n2,-1e39\n"), tmp_path)
    assert message.startswith("table.csv: line 3, column 'y': '-1e39' is too large")


def test_semicolons_with_decimal_commas_are_numbers(tmp_path: Path) -> None:
    bundle = load_data(_csv(tmp_path, "a;b;label\n1,5;60,5;a\n2,5;70,5;b\n1,5;60,5;a\n2,5;61,5;b\n"), base_dir=tmp_path)
    assert bundle.normalization["features"] == ["a", "b"] and bundle.spec.input.shape == (2,)
    assert bundle.normalization["mean"] == pytest.approx([2.0, 63.25])
    regression = load_data(_csv(tmp_path, "a\tb\ty\n1,5\t1.234,5\t0,25\n2\t2,5\t-,5\n3,0\t3\t1e3\n"), base_dir=tmp_path)
    assert regression.spec.task == "regression" and regression.normalization["target_mean"] == pytest.approx([(0.25 - 0.5 + 1000) / 3])


def test_csv_too_wide_once_one_hot_encoded_is_refused_before_allocating(tmp_path: Path, monkeypatch) -> None:
    header = ",".join(f"c{k}" for k in range(10)) + ",y\n"
    rows = "".join(",".join(f"t{(i * (k + 1)) % 40}" for k in range(10)) + f",{i % 2}\n" for i in range(200))
    settings = _csv(tmp_path, header + rows)
    monkeypatch.setattr(memory, "available_memory", lambda: 500 << 10)
    assert "table.csv: 200 rows of 227 values needs 532.0 KB of memory, more than the 500.0 KB free" in _refused(settings, tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a;b;y\n1,5;2.5;0\n1;2;1\n",
            "table.csv: line 2, column 'a' ('1,5') has a decimal comma but line 2, column 'b' ('2.5') has a decimal point",
        ),
        ('a,b,y\n"1,5",2,0\n"2,5",3,1\n', "table.csv: line 2, column 'a': '1,5' is a number with a decimal comma (or a thousands comma)"),
        ('a,y\n1,0\n"x\ny",1\n2,0\n3,1\n', "table.csv: line 4, column 'a': 'x\\ny' is not a number"),
    ],
)
def test_csv_dialect_that_cannot_be_read_safely_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert _refused(_csv(tmp_path, text), tmp_path).startswith(expected)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_device_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    assert "pipe.csv: is not a regular file (a pipe or a device?)" in _refused(_csv_settings("pipe.csv"), tmp_path)
    if Path("/dev/zero").exists():
        assert "/dev/zero: is not a regular file" in _refused(_npz_settings("/dev/zero"), tmp_path)


@pytest.mark.parametrize("name", ["x" * 5000 + ".csv", "~no-such-user-here/data.csv"])
def test_a_path_that_cannot_be_one_is_one_line(tmp_path: Path, name: str) -> None:
    assert "cannot be used as a path" in _refused(_csv_settings(name), tmp_path)


# ------------------------------------------------------------------ generators

HOSTILE_CELLS = [
    "", " ", "1", "-2.5", "0", "7", "1e39", "-1e39", "3.4e38", "-3.4e38", "1e-50", "nan", "NaN", "inf", "-inf", "Infinity",
    "1,5", "-,5", "1.234,5", "1,000", "0x10", "1_000", "  7 ", "?", "n/a", "a", "b", "é", "\x00", '"', "'", "\n", "\r", "\u2028",
    ";", ",", "\t", "|", "9" * 400, "true", "\ufeff", "\ud800",
]  # fmt: skip
cells = st.one_of(
    st.sampled_from(HOSTILE_CELLS),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(repr),
    st.text(max_size=8),
)


plain_cells = st.one_of(
    st.integers(-5, 5).map(str),
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: f"{v:.3g}"),
    st.sampled_from(["a", "b", "c"]),
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, dict]:
    """A table-like text with hostile cells, separators, quoting, line ends and
    encodings (sometimes just bytes), and the options a project might give.
    Half the tables are plain ones with a few hostile cells, so the path that
    loads is walked as often as the ones that refuse."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=300)), {}
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 5))
    header = draw(st.lists(st.one_of(st.sampled_from(["a", "b", "y", "label", "a"]), st.text(max_size=5)), min_size=width, max_size=width))
    if draw(st.booleans()):
        some = st.one_of(plain_cells, plain_cells, plain_cells, plain_cells, plain_cells, plain_cells, plain_cells, plain_cells, cells)
        rows = draw(st.lists(st.lists(some, min_size=width, max_size=width), min_size=2, max_size=25))
    else:
        rows = draw(st.lists(st.lists(cells, min_size=max(1, width - 1), max_size=width + 1), max_size=25))
    quote = draw(st.booleans())

    def line(row: list[str]) -> str:
        return sep.join(f'"{c.replace(chr(34), chr(34) * 2)}"' if quote or sep in c or '"' in c else c for c in row)

    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(line(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf-8") else "replace")
    options = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "target": st.one_of(st.sampled_from(header), st.text(max_size=4)),
                "features": st.one_of(st.just(",".join(header[:-1])), st.text(max_size=6)),
                "task": st.sampled_from(["auto", "classification", "regression"]),
                "missing": st.sampled_from(["error", "drop"]),
                "delimiter": st.sampled_from(["auto", "comma", "semicolon", "tab"]),
            },
        )
    )
    return data, options


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(csv_files(), st.sampled_from([0.0, 0.2, 0.5]))
def test_generated_csv_files(case: tuple[bytes, dict], validation: float) -> None:
    data, options = case
    with fresh_folder() as root:
        (root / "table.csv").write_bytes(data)
        settings = {"source": "csv", "options": {"path": "table.csv", **options}, "validation_split": validation}
        outcome(settings, root, "table.csv")


NPZ_DTYPES = st.one_of(
    hnp.boolean_dtypes(),
    hnp.integer_dtypes(),
    hnp.unsigned_integer_dtypes(),
    hnp.floating_dtypes(),
    hnp.complex_number_dtypes(),
    hnp.unicode_string_dtypes(max_len=3),
    hnp.byte_string_dtypes(max_len=3),
    hnp.datetime64_dtypes(),
)


def _arrays(first: int) -> st.SearchStrategy[np.ndarray]:
    shapes = st.one_of(
        st.just(()), st.tuples(st.sampled_from([first, 0, 1, first + 1])), hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)
    )
    return hnp.arrays(NPZ_DTYPES, shapes)


EXTREMES = [0.0, 1.0, -1.0, 1e38, -1e38, 3.4e38, 1e39, -1e300, 1e-45, float("nan"), float("inf")]


@st.composite
def plain_npz(draw: st.DrawFn, n: int) -> dict[str, bytes]:
    """Arrays a user would save, now and then with an extreme value in x or y."""
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64, np.uint8, np.float16]))
    x = draw(hnp.arrays(dtype, (n, draw(st.integers(1, 4))), elements=st.integers(0, 100)))
    if draw(st.integers(0, 3)) == 0:
        x = x.astype(np.float64)
        x.flat[draw(st.integers(0, x.size - 1))] = draw(st.sampled_from(EXTREMES))
    if draw(st.booleans()):
        y = np.arange(n) % draw(st.integers(1, 4))
    else:
        y = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.5, -2.0, 1e3, *EXTREMES])))
    members = {"x.npy": _npy(x), "y.npy": _npy(y)}
    if draw(st.booleans()):
        members["class_names.npy"] = _npy(np.array([f"class {k}" for k in range(draw(st.integers(0, 5)))]))
    return members


@st.composite
def npz_files(draw: st.DrawFn) -> bytes:
    """x, y and class_names: half plain, half of random dtypes and shapes; then
    sometimes a header claiming another size, a cut, flipped bytes or no
    archive at all."""
    n = draw(st.integers(1, 12))
    if draw(st.booleans()):
        members = draw(plain_npz(n))
        mutation = draw(st.sampled_from(["none"] * 6 + ["claim", "cut", "flip"]))
    else:
        members = {
            f"{name}.npy": _npy(draw(_arrays(n)))
            for name in draw(st.lists(st.sampled_from(["x", "y", "class_names", "other"]), min_size=1, max_size=4, unique=True))
        }
        mutation = draw(st.sampled_from(["none", "none", "claim", "cut", "flip", "raw", "npy"]))
    if mutation == "claim":
        shape = draw(st.lists(st.integers(0, 2**40), max_size=3).map(tuple))
        members[draw(st.sampled_from(sorted(members)))] = _npy_claiming(shape, draw(st.sampled_from(["<f4", "<i8", "|O", "<U4", "|V3"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = bytearray(out.getvalue())
    if mutation == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "flip":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    elif mutation == "raw":
        data = bytearray(draw(st.binary(max_size=200)))
    elif mutation == "npy":
        data = bytearray(_npy(draw(_arrays(n))))
    return bytes(data)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    npz_files(),
    st.sampled_from(["auto", "classification", "regression"]),
    st.sampled_from(["auto", "float32", "int64"]),
    st.sampled_from(["standardize", "none"]),
)
def test_generated_npz_files(data: bytes, task: str, inputs: str, normalize: str) -> None:
    with fresh_folder() as root:
        (root / "arrays.npz").write_bytes(data)
        outcome(_npz_settings(task=task, inputs=inputs, normalize=normalize), root, "arrays.npz")


IMAGE_MODES = ["1", "L", "P", "RGB", "RGBA", "CMYK", "LA", "I;16", "I", "F", "YCbCr"]
IMAGE_FORMATS = ["PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"]


@st.composite
def image_files(draw: st.DrawFn) -> bytes:
    """An image of a random mode, size, content and format; sometimes cut, with
    flipped bytes, a header claiming another size, or not an image at all."""
    mode = draw(st.sampled_from(IMAGE_MODES))
    size = (draw(st.integers(1, 24)), draw(st.integers(1, 24)))
    image = Image.new(mode, size)
    raw = draw(st.binary(min_size=len(image.tobytes()), max_size=len(image.tobytes())))
    image.frombytes(raw)
    out = io.BytesIO()
    try:
        image.save(out, draw(st.sampled_from(IMAGE_FORMATS)))
    except (OSError, ValueError, KeyError):  # this format cannot hold this mode: try PNG, then TIFF
        out = io.BytesIO()
        image.save(out, "TIFF")
    data = bytearray(out.getvalue())
    mutation = draw(st.sampled_from(["none", "none", "none", "cut", "flip", "claim", "raw"]))
    if mutation == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "flip":
        for _ in range(draw(st.integers(1, 6))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    elif mutation == "claim":
        data = bytearray(png_claiming(draw(st.integers(0, 2**31 - 1)), draw(st.integers(0, 2**31 - 1))))
    elif mutation == "raw":
        data = bytearray(draw(st.binary(max_size=200)))
    return bytes(data)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(image_files(), min_size=1, max_size=3),
    st.lists(image_files(), min_size=0, max_size=2),
    st.sampled_from(["rgb", "grayscale"]),
    st.tuples(st.integers(1, 16), st.integers(1, 16)),
)
def test_generated_image_folders(first: list[bytes], second: list[bytes], mode: str, size: tuple[int, int]) -> None:
    with fresh_folder() as root:
        for name, files in (("a", first), ("b", second)):
            (root / "pictures" / name).mkdir(parents=True)
            for i, data in enumerate(files):
                (root / "pictures" / name / f"{i}.png").write_bytes(data)
        settings = {"source": "image_folder", "options": {"path": "pictures", "mode": mode, "size": list(size)}, "validation_split": 0.0}
        outcome(settings, root, "pictures")
