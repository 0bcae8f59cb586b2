"""A folder of images with one sub-folder per class (read with Pillow).

Every image is resized to ``size`` (height x width) and made grayscale or RGB,
so a folder of mixed photos becomes one ``(C, H, W)`` input shape. Pixel
values are scaled to [0, 1] by the range of the image's pixel type (255 for
8-bit images, 65535 for 16-bit ones). Listing the folders is enough to
describe the data, so validation never opens an image.

An image's header is read before its pixels: one larger than Pillow's
decompression-bomb limit (a 2 KB PNG can claim 30000 x 30000 pixels), or one
whose pixels would not fit in free memory, is refused before it is decoded.

A folder too big to decode at once (the option ``loading``, see
:func:`designer.data.limits.streams`) is listed, not decoded: its samples are
:class:`designer.data.lazy.LazySamples` over :class:`~designer.data.lazy.ImageFiles`,
decoded (with the same checks) when a batch needs them, by the trainer's
DataLoader workers. A sample of the images is decoded at load to learn the
pixel type that sets the recorded ``scale``, and to fail early on a broken folder.
"""

from __future__ import annotations

import re
import struct
import warnings
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.lazy import ImageFiles, LazySamples
from designer.data.limits import LOAD_COPIES, LOADING, require_memory, streams
from designer.data.preview import IMAGES, Preview
from designer.data.source import FILE, Loaded, LoadingPlan, Request, Source, classification_spec
from designer.graph import DataSpec
from designer.graph.summary import human_bytes
from designer.params import CHOICE, FOLDER, INTS, Param

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
PIXEL_MAX = 255.0
SCALE_SAMPLE = 64  # streamed images decoded at load to learn their pixel type
# Pixel types whose values are not 8-bit, by Pillow mode: the value that means full white.
WIDE_MODES = {"I;16": 65535.0, "I;16L": 65535.0, "I;16B": 65535.0, "I;16N": 65535.0, "I": 65535.0, "F": 1.0}
# What Pillow raises while decoding a damaged or hostile file (beyond OSError and ValueError).
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, KeyError, struct.error, zlib.error)


def class_folders(req: Request) -> list[tuple[str, list[Path]]]:
    """(class name, image files) per sub-folder, sorted; DataError when a class or the folder is empty."""
    folder = req.path("path", folder=True)
    label = req.options["path"]
    try:
        subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        raise DataError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if not subfolders:
        raise DataError(f"{label}: has no sub-folders: put the images of each class in a sub-folder named after the class")
    classes = []
    for sub in subfolders:
        try:
            files = sorted(p for p in sub.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        except OSError as exc:
            raise DataError(f"{label}/{sub.name}: cannot be read ({exc.strerror or exc})") from None
        if not files:
            raise DataError(f"{label}/{sub.name}: no images ({', '.join(SUFFIXES)}) in this class folder: add some or remove the folder")
        classes.append((sub.name, files))
    if len(classes) < 2:
        raise DataError(f"{label}: only one class folder ('{classes[0][0]}'): a classifier needs at least two")
    return classes


def _spec(req: Request, classes: int) -> DataSpec:
    channels = 1 if req.options["mode"] == "grayscale" else 3
    height, width = req.options["size"]
    name = f"the images in {Path(req.options['path']).name or req.options['path']}"
    return classification_spec((channels, height, width), classes, name)


def read_image(path: Path, req: Request, label: str) -> np.ndarray:
    """One image as a float32 ``(C, H, W)`` array in [0, 1]."""
    return read_scaled_image(path, req, label)[0]


def read_scaled_image(path: Path, req: Request, label: str) -> tuple[np.ndarray, float]:
    """One image as a float32 ``(C, H, W)`` array in [0, 1], and the raw value
    that became 1.0 (255 for 8-bit pixels, 65535 for 16-bit ones)."""
    return decode_image(path, tuple(req.options["size"]), req.options["mode"] == "grayscale", label)


def decode_image(path: Path, size: tuple[int, int], grayscale: bool, label: str) -> tuple[np.ndarray, float]:
    """:func:`read_scaled_image` with the options spelled out (``size`` is
    height, width): what a worker process calls to decode a streamed image."""
    from PIL import Image

    height, width = size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # refused below, not printed
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")  # damaged metadata: the pixels may still be fine
            with Image.open(path) as image:
                _check_size(image, label)
                pixels, full = _resized(image, (width, height), grayscale, label)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own check, at open
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        raise DataError(f"{label}: has {int(claimed[1]) if claimed else 0:,} pixels, {_bomb_text()}") from None
    except DECODE_ERRORS as exc:
        detail = (str(exc).strip().splitlines() or [""])[0]
        raise DataError(f"{label}: not an image that can be read ({exc.__class__.__name__}{': ' + detail if detail else ''})") from None
    pixels = pixels[None] if pixels.ndim == 2 else np.moveaxis(pixels, -1, 0)
    return pixels, full


def _bomb_text() -> str:
    from PIL import Image

    return f"more than the limit of {Image.MAX_IMAGE_PIXELS or 0:,} (a decompression bomb?): use a smaller image"


def _check_size(image: Any, label: str) -> None:
    """Refuse an image whose pixels would not fit in free memory (Pillow's open
    has refused those beyond its decompression-bomb limit already)."""
    width, height = image.size
    bands = len(image.getbands())
    require_memory(width * height * max(bands, 1) * 4 * 2, label, f"decoding its {width} x {height} pixels")


def _resized(image: Any, size: tuple[int, int], grayscale: bool, label: str) -> tuple[np.ndarray, float]:
    """The image resized to ``size`` (width, height) as float32 values in [0, 1]:
    H x W for grayscale, H x W x 3 for RGB; and the raw value of full white."""
    from PIL import Image

    full = WIDE_MODES.get(image.mode)
    if full is None:  # 8-bit pixels (palette, RGBA, CMYK... included): Pillow converts them
        converted = image.convert("L" if grayscale else "RGB")
        return np.asarray(converted.resize(size, Image.Resampling.BILINEAR), np.float32) / PIXEL_MAX, PIXEL_MAX
    with np.errstate(all="ignore"):  # NaN pixels are refused below
        raw = np.asarray(image, np.float64)
        low, high = (float(raw.min()), float(raw.max())) if raw.size else (0.0, 0.0)
    if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high > full:
        raise DataError(
            f"{label}: {image.mode} pixel values run from {low:g} to {high:g}, outside 0 to {full:g}: save it as an 8- or 16-bit image"
        )
    plane = Image.fromarray((raw / full).astype(np.float32)).resize(size, Image.Resampling.BILINEAR)  # float32: mode F
    gray = np.clip(np.asarray(plane, np.float32), 0.0, 1.0)
    return (gray if grayscale else np.repeat(gray[:, :, None], 3, axis=2)), full


def _item(req: Request, class_name: str, path: Path) -> str:
    return f"{req.options['path']}/{class_name}/{path.name}"


def load_images(req: Request) -> Loaded:
    classes = class_folders(req)
    spec = _spec(req, len(classes))
    count = sum(len(files) for _, files in classes)
    shape = "x".join(map(str, spec.input.shape))
    decoded = count * spec.input.nbytes
    if streams(req.options["loading"], decoded):
        return _streamed(req, classes, spec)
    require_memory(decoded * LOAD_COPIES, req.options["path"], f"loading {count:,} images of {shape}")
    x = np.empty((count, *spec.input.shape), np.float32)
    y = np.empty(count, np.int64)
    ranges: set[float] = set()
    i = 0
    for k, (name, files) in enumerate(classes):
        for path in files:
            x[i], full = read_scaled_image(path, req, _item(req, name, path))
            y[i] = k
            ranges.add(full)
            i += 1
    notes = [_mixed_note(req, ranges)] if len(ranges) > 1 else []
    scale = 1.0 / ranges.pop() if len(ranges) == 1 else None
    return Loaded(x, y, spec, [c for c, _ in classes], scale=scale, notes=notes)


def _mixed_note(req: Request, ranges: set[float]) -> str:
    depths = ", ".join(f"{v:g}" for v in sorted(ranges))
    return f"{req.options['path']}: the images have different pixel types; each was scaled to [0, 1] by its own full value ({depths})"


def _streamed(req: Request, classes: list[tuple[str, list[Path]]], spec: DataSpec) -> Loaded:
    """The images listed, not decoded: each is decoded when a batch needs it.
    The recorded scale comes from a sample of the images (one per class and
    up to SCALE_SAMPLE in all), which are decoded now so a broken folder fails early."""
    root = req.path("path", folder=True)
    names = tuple(f"{name}/{path.name}" for name, files in classes for path in files)
    y = np.concatenate([np.full(len(files), k, np.int64) for k, (_, files) in enumerate(classes)])
    reader = ImageFiles(
        str(root), str(req.options["path"]), names, tuple(req.options["size"]), req.options["mode"] == "grayscale", decode_image
    )
    starts = np.cumsum([0] + [len(files) for _, files in classes[:-1]])
    sample = np.unique(np.concatenate([starts, np.linspace(0, len(names) - 1, min(SCALE_SAMPLE, len(names))).astype(np.int64)]))
    ranges = {reader.decoded(i)[1] for i in sample.tolist()}
    x = LazySamples(reader)
    notes = [
        f"{req.options['path']}: {len(names):,} images ({human_bytes(x.nbytes)} decoded) are read from disk as batches need them, "
        f"not loaded into memory (data option 'loading': {req.options['loading']})"
    ]
    if len(ranges) > 1:
        notes.append(_mixed_note(req, ranges))
    scale = 1.0 / ranges.pop() if len(ranges) == 1 else None
    return Loaded(x, y, spec, [c for c, _ in classes], scale=scale, notes=notes)  # type: ignore[arg-type]


def plan_images(req: Request) -> LoadingPlan:
    """How the folder would load: listing it is enough."""
    classes = class_folders(req)
    count = sum(len(files) for _, files in classes)
    decoded = count * _spec(req, len(classes)).input.nbytes
    return LoadingPlan(count, decoded, streams(req.options["loading"], decoded), True, "images")


def describe_images(req: Request) -> tuple[DataSpec, list[str]]:
    classes = class_folders(req)
    return _spec(req, len(classes)), [c for c, _ in classes]


def preview_images(req: Request, limit: int | None) -> Preview:
    """A few images, taking turns over the classes; only these are opened."""
    classes = class_folders(req)
    count = limit if limit is not None else 16
    picked: list[tuple[int, Path]] = []
    for rank in range(max(len(files) for _, files in classes)):
        picked.extend((k, files[rank]) for k, (_, files) in enumerate(classes) if rank < len(files))
        if len(picked) >= count:
            break
    picked = picked[:count]
    arrays = [read_image(path, req, _item(req, classes[k][0], path)) for k, path in picked]
    x = np.stack(arrays) if arrays else np.zeros((0, 1, *req.options["size"]), np.float32)
    images = x[:, 0] if x.shape[1] == 1 else np.moveaxis(x, 1, -1)
    total = sum(len(files) for _, files in classes)
    labels = np.asarray([k for k, _ in picked], np.int64)
    return Preview(IMAGES, _spec(req, len(classes)), [c for c, _ in classes], total, x=images, y=labels)


SOURCE = Source(
    "image_folder",
    "Image folder",
    "Your own images, one sub-folder per class (the sub-folder's name is the class name).",
    FILE,
    (
        Param("path", FOLDER, "", "The folder that holds one sub-folder of images per class."),
        Param("size", INTS, (32, 32), "Every image is resized to height x width pixels.", min=1, max=1024, length=2),
        Param("mode", CHOICE, "rgb", "rgb keeps colour (3 channels); grayscale gives 1 channel.", choices=("rgb", "grayscale")),
        LOADING,
    ),
    load_images,
    describe_images,
    preview_images,
    plan_images,
)
