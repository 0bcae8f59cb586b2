"""Every generated and built-in source loads with its defaults, yields its declared spec, and is seeded."""

from __future__ import annotations

import numpy as np
import pytest

from designer.data import SOURCES, DataError, describe, describe_data, load_data
from designer.params import Param

READY = [name for name, source in SOURCES.items() if source.kind != "file"]


def test_registry_declares_every_source() -> None:
    assert list(SOURCES)[:3] == ["spirals", "moons", "circles"]
    assert {"sine", "digits", "iris", "wine", "breast_cancer", "diabetes", "csv", "image_folder", "npz"} <= set(SOURCES)
    for name, source in SOURCES.items():
        assert source.name == name and source.title and source.kind in ("generated", "builtin", "file")
        assert source.description and "\n" not in source.description
        for option in source.options:
            assert isinstance(option, Param) and option.help
            assert option.check(option.default) is not None


@pytest.mark.parametrize("name", READY)
def test_loads_with_defaults_and_yields_declared_spec(name: str) -> None:
    bundle = load_data({"source": name})
    spec = describe_data({"source": name})
    assert bundle.spec == spec and bundle.source == name
    for part in (bundle.train, bundle.validation):
        assert part.x.shape[1:] == spec.input.shape and part.x.dtype == np.dtype(spec.input.dtype)
        if spec.task == "classification":
            assert part.y.dtype == np.int64 and part.y.shape == (len(part),)
            assert part.y.min() >= 0 and part.y.max() < spec.num_classes
        else:
            assert part.y.dtype == np.float32 and part.y.shape == (len(part), *spec.target_shape)
        assert np.isfinite(part.x).all()
    assert len(bundle.class_names) == (spec.num_classes if spec.task == "classification" else 0)
    assert describe({"source": name})[1] == bundle.class_names
    assert bundle.test is None


@pytest.mark.parametrize("name", [n for n in READY if SOURCES[n].kind == "generated"])
def test_generated_data_is_seeded(name: str) -> None:
    first = load_data({"source": name, "seed": 3})
    again = load_data({"source": name, "seed": 3})
    other = load_data({"source": name, "seed": 4})
    assert np.array_equal(first.train.x, again.train.x) and np.array_equal(first.train.y, again.train.y)
    assert not np.array_equal(first.train.x, other.train.x)


def test_sklearn_data_matches_its_declaration() -> None:
    from sklearn import datasets

    for name in ("iris", "wine", "breast_cancer", "digits"):
        bunch = getattr(datasets, f"load_{name}")()
        assert describe({"source": name})[1] == [str(n) for n in bunch.target_names]


def test_options_change_the_spec() -> None:
    sine = describe_data({"source": "sine", "options": {"length": 10}})
    assert sine.input.shape == (10, 1) and sine.target_shape == (1,)
    bundle = load_data({"source": "sine", "options": {"length": 10, "samples": 50}})
    assert bundle.train.x.shape[1:] == (10, 1) and len(bundle.train) + len(bundle.validation) == 50
    spirals = load_data({"source": "spirals", "options": {"classes": 4, "samples": 200}})
    assert spirals.spec.num_classes == 4 and set(spirals.train.y) == {0, 1, 2, 3}


def test_sine_target_is_the_next_value() -> None:
    bundle = load_data({"source": "sine", "options": {"noise": 0.0, "samples": 20, "length": 40}})
    x, y = bundle.train.x[:, :, 0], bundle.train.y[:, 0]
    # a clean sine obeys s[t+1] = 2 cos(w) s[t] - s[t-1]; recover 2 cos(w) from the sequence and extrapolate
    k = (x[:, 2] + x[:, 0]) / np.where(np.abs(x[:, 1]) > 1e-3, x[:, 1], np.nan)
    predicted = k * x[:, -1] - x[:, -2]
    ok = np.isfinite(predicted)
    assert ok.sum() >= 10 and np.allclose(predicted[ok], y[ok], atol=1e-3)


def test_noise_option_spreads_the_points() -> None:
    calm = load_data({"source": "circles", "options": {"noise": 0.0}, "validation_split": 0.0})
    radius = np.linalg.norm(calm.train.x, axis=1)
    assert np.allclose(np.sort(np.unique(radius.round(4))), [0.5, 1.0])


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"source": "mnist"}, "unknown data source 'mnist' (known: spirals, moons"),
        ({"source": "spirals", "options": {"colour": 1}}, "spirals: unknown option 'colour' (options: samples, noise, classes)"),
        ({"source": "spirals", "options": {"noise": "lots"}}, "spirals: option noise: must be a number"),
        ({"source": "sine", "options": {"length": 1}}, "sine: option length: must be a whole number ≥ 2"),
        ({"source": "iris", "options": {"samples": 5}}, "iris: unknown option 'samples' (options: none)"),
        ({"source": "iris", "validation_split": 0.6, "test_split": 0.4}, "leave nothing to train on"),
        ({"source": "iris", "validation_split": "half"}, "data setting 'validation_split' must be a number"),
    ],
)
def test_bad_settings_get_one_clear_line(settings: dict, expected: str) -> None:
    with pytest.raises(DataError) as info:
        load_data(settings)
    assert expected in str(info.value) and "\n" not in str(info.value)
