"""Data sets bundled with scikit-learn: no download needed (the machine may be offline).

The spec of each follows from its options alone, so describing them costs
nothing; scikit-learn is imported only when the data is really loaded. The
digits can be a classification task (target ``labels``) or a reconstruction
task for autoencoders (target ``images``: each image is its own target).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from designer.data.deferred import deferred
from designer.data.source import BUILTIN, Loaded, Request, Source, classification_spec, regression_spec
from designer.graph import DataSpec
from designer.params import CHOICE, INT, Param

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

DIGITS_MAX = 16.0  # pixel values of the 8x8 digits run from 0 to 16
DIGITS_SHAPE = (1, 8, 8)
LABELS, IMAGES = "labels", "images"
DIGITS_TARGET = Param(
    "target",
    CHOICE,
    LABELS,
    "labels: classify the digit (10 classes); images: reproduce the image itself (regression, target 1x8x8), for autoencoders.",
    choices=(LABELS, IMAGES),
)

ALL_DIGITS = "0-9"
DIGIT_CLASSES = {ALL_DIGITS: tuple(range(10)), "0-4": tuple(range(5)), "5-9": tuple(range(5, 10))}
DIGITS_CLASSES = Param(
    "classes",
    CHOICE,
    ALL_DIGITS,
    "Which digits to use (labels: the classes count from 0 in this order): a network trained on 0-4 can lend its layers to one for 5-9.",
    choices=tuple(DIGIT_CLASSES),
)
DIGITS_LABELLED = Param(
    "labelled_per_class",
    INT,
    0,
    "Training images kept per class (0: all); the rest of the training part goes unused, as when only a few images are labelled. "
    "Validation keeps all of its images.",
    min=0,
    max=1000,
)


def _sklearn(name: str) -> Any:
    from sklearn import datasets

    return getattr(datasets, f"load_{name}")()


def digits(req: Request) -> Loaded:
    bunch = _sklearn("digits")
    digits_kept = DIGIT_CLASSES[req.options.get("classes", ALL_DIGITS)]
    chosen = np.isin(bunch.target, digits_kept)
    x = (bunch.images[chosen][:, None, :, :] / DIGITS_MAX).astype(np.float32)
    spec, names = _describe_digits(req)
    labels = np.searchsorted(np.asarray(digits_kept), bunch.target[chosen]).astype(np.int64)  # 5-9 become 0-4
    y = x.copy() if req.options["target"] == IMAGES else labels
    return Loaded(x, y, spec, names, scale=1.0 / DIGITS_MAX, train_per_class=req.options.get("labelled_per_class", 0))


def _describe_digits(req: Request) -> tuple[DataSpec, list[str]]:
    classes = req.options.get("classes", ALL_DIGITS)
    which = "" if classes == ALL_DIGITS else f" {classes}"
    if req.options["target"] == IMAGES:
        return regression_spec(DIGITS_SHAPE, DIGITS_SHAPE, f"the digits{which} data (images as targets)"), []
    if classes == ALL_DIGITS:
        spec, names = _DESCRIBE["digits"]
        return spec, list(names)
    kept = DIGIT_CLASSES[classes]
    return classification_spec(DIGITS_SHAPE, len(kept), f"the digits{which} data"), [str(d) for d in kept]


def _tabular(name: str) -> Callable[[Request], Loaded]:
    def load(req: Request) -> Loaded:
        bunch = _sklearn(name)
        spec, names = _DESCRIBE[name]
        x = np.asarray(bunch.data, np.float32)
        features = [str(f) for f in bunch.feature_names]
        if spec.task == "regression":
            y = np.asarray(bunch.target, np.float32)[:, None]
            return Loaded(x, y, spec, [], standardize=True, standardize_target=True, feature_names=features)
        y = np.asarray(bunch.target, np.int64)
        return Loaded(x, y, spec, list(names), standardize=True, feature_names=features)

    return load


_DESCRIBE: dict[str, tuple[DataSpec, tuple[str, ...]]] = {
    "digits": (classification_spec(DIGITS_SHAPE, 10, "the digits data"), tuple(str(d) for d in range(10))),
    "iris": (classification_spec((4,), 3, "the iris data"), ("setosa", "versicolor", "virginica")),
    "wine": (classification_spec((13,), 3, "the wine data"), ("class_0", "class_1", "class_2")),
    "breast_cancer": (classification_spec((30,), 2, "the breast cancer data"), ("malignant", "benign")),
    "diabetes": (regression_spec((10,), (1,), "the diabetes data"), ()),
}


def _describer(name: str) -> Callable[[Request], tuple[DataSpec, list[str]]]:
    return lambda req: (_DESCRIBE[name][0], list(_DESCRIBE[name][1]))


def _source(name: str, title: str, description: str, loader: Callable[[Request], Loaded]) -> Source:
    return Source(name, title, description, BUILTIN, (), loader, _describer(name))


SOURCES = (
    Source(
        "digits",
        "Digits (8x8 images)",
        "1,797 handwritten digits 0-9 as 1x8x8 grayscale images, scaled to [0, 1]; the target is the digit or the image itself.",
        BUILTIN,
        (DIGITS_TARGET, DIGITS_CLASSES, DIGITS_LABELLED),
        digits,
        _describe_digits,
    ),
    _source("iris", "Iris", "150 iris flowers, 4 measurements each, 3 species; features standardised.", _tabular("iris")),
    _source("wine", "Wine", "178 wines, 13 chemical measurements, 3 cultivars; features standardised.", _tabular("wine")),
    _source(
        "breast_cancer",
        "Breast cancer",
        "569 tumours, 30 measurements each, malignant or benign; features standardised.",
        _tabular("breast_cancer"),
    ),
    _source(
        "diabetes",
        "Diabetes (regression)",
        "442 patients, 10 measurements, disease progression after a year; features and target standardised.",
        _tabular("diabetes"),
    ),
)
