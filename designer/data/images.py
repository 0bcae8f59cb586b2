"""A folder of images with one sub-folder per class (read with Pillow).

Every image is resized to ``size`` (height x width) and made grayscale or RGB,
so a folder of mixed photos becomes one ``(C, H, W)`` input shape. Pixel
values are scaled to [0, 1]. Listing the folders is enough to describe the
data, so validation never opens an image.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from designer.data.errors import DataError
from designer.data.preview import IMAGES, Preview
from designer.data.source import FILE, Loaded, Request, Source, classification_spec
from designer.graph import DataSpec
from designer.params import CHOICE, FOLDER, INTS, Param

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
PIXEL_MAX = 255.0


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
        files = sorted(p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
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
    from PIL import Image, UnidentifiedImageError

    height, width = req.options["size"]
    try:
        with Image.open(path) as image:
            image = image.convert("L" if req.options["mode"] == "grayscale" else "RGB")
            pixels = np.asarray(image.resize((width, height), Image.Resampling.BILINEAR), np.float32)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"{label}: not an image that can be read ({exc.__class__.__name__})") from None
    pixels = pixels[None] if pixels.ndim == 2 else np.moveaxis(pixels, -1, 0)
    return pixels / PIXEL_MAX


def _item(req: Request, class_name: str, path: Path) -> str:
    return f"{req.options['path']}/{class_name}/{path.name}"


def load_images(req: Request) -> Loaded:
    classes = class_folders(req)
    x: list[np.ndarray] = []
    y: list[int] = []
    for k, (name, files) in enumerate(classes):
        for path in files:
            x.append(read_image(path, req, _item(req, name, path)))
            y.append(k)
    spec = _spec(req, len(classes))
    return Loaded(np.stack(x).astype(np.float32), np.asarray(y, np.int64), spec, [c for c, _ in classes], scale=1.0 / PIXEL_MAX)


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
    ),
    load_images,
    describe_images,
    preview_images,
)
