"""Image augmentation options: declared in the project's data settings, checked
with one clear message, refused for data that is not images, and drawn
reproducibly from a seed without disturbing the global random state."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from designer.data import DataError, describe_data, load_data
from designer.data.augment import Augmenter, augment_variants, batch_seed, check_augment
from designer.graph import DataSpec, ParamError, TensorSpec
from designer.project import Project, ProjectError, dumps, loads
from designer.project.settings import AUGMENT, data_settings

DIGITS = {"source": "digits", "options": {}}


def image_spec(channels: int = 1, task: str = "classification") -> DataSpec:
    if task == "classification":
        return DataSpec(TensorSpec((channels, 8, 8)), task, num_classes=10, name="pictures")
    return DataSpec(TensorSpec((channels, 8, 8)), task, target_shape=(1,), name="pictures")


def test_augment_is_saved_only_when_set_and_survives_a_round_trip() -> None:
    plain = data_settings(DIGITS)
    assert "augment" not in plain.as_dict() and plain["augment"] == {}
    assert "augment" not in data_settings({**DIGITS, "augment": {}}).as_dict()
    settings = data_settings({**DIGITS, "augment": {"rotate": 10, "hflip": 0.5}})
    assert settings.as_dict()["augment"] == {"hflip": 0.5, "rotate": 10.0}  # declaration order, floats as declared
    from designer.graph import Graph

    text = dumps(Project(Graph("g"), data=settings))
    assert loads(text).data["augment"] == {"hflip": 0.5, "rotate": 10.0}
    settings.update({"augment": {}})
    assert "augment" not in settings.as_dict()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"hflp": 0.5}, "data.augment.hflp: unknown option (known: hflip,"),
        ({"hflip": 2}, "data.augment.hflip: must be a number ≥ 0 and ≤ 1, got 2"),
        ({"crop": 1.5}, "data.augment.crop"),
        ("flip", "data.augment: must be an object of options, got 'flip'"),
    ],
)
def test_a_bad_option_is_refused_with_one_message(value: object, message: str) -> None:
    settings = data_settings(DIGITS)
    with pytest.raises(ParamError) as caught:
        settings.update({"augment": value})
    assert str(caught.value).startswith(message)
    assert "augment" not in settings.as_dict()


def test_a_project_file_with_a_bad_option_is_one_error() -> None:
    from designer.graph import Graph

    text = dumps(Project(Graph("g"), data=data_settings(DIGITS))).replace('"options": {}', '"options": {}, "augment": {"rotate": -3}')
    with pytest.raises(ProjectError, match=r"data\.augment\.rotate: must be a number ≥ 0"):
        loads(text)


@pytest.mark.parametrize(
    ("spec", "options", "message"),
    [
        (DataSpec(TensorSpec((2,)), "classification", num_classes=2, name="spirals"), {"hflip": 0.5}, "augment applies to images"),
        (image_spec(task="regression"), {"mixup": 0.5}, "augment mixup mixes class labels: pictures is not a classification task"),
        (image_spec(1), {"hue": 0.1}, "augment hue changes colours: pictures has grayscale images"),
        (image_spec(1), {"crop": 8}, "augment crop 8 shifts by a whole image of 8x8"),
    ],
)
def test_options_that_cannot_apply_are_refused(spec: DataSpec, options: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        check_augment(options, spec)


def test_options_set_to_zero_are_off_and_apply_to_any_data() -> None:
    spec = DataSpec(TensorSpec((2,)), "classification", num_classes=2, name="spirals")
    assert check_augment({"hflip": 0, "noise": 0.0}, spec) == {}
    assert check_augment(None, spec) == {}


def test_describing_non_image_data_with_augment_is_the_data_problem() -> None:
    with pytest.raises(DataError, match="augment applies to images .* spirals data gives inputs of shape 2 .*: remove the augment options"):
        describe_data({"source": "spirals", "options": {}, "augment": {"hflip": 0.5}})
    assert describe_data({**DIGITS, "augment": {"hflip": 0.5}}).input.shape == (1, 8, 8)
    assert load_data({**DIGITS, "augment": {"rotate": 5, "hflip": 0}}).augment == {"rotate": 5.0}
    assert load_data(DIGITS).augment == {}


def batch(n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, 8, 8, generator=generator), torch.arange(n) % 10


EVERYTHING = {
    "hflip": 0.5,
    "vflip": 0.5,
    "rotate": 15,
    "crop": 2,
    "resized_crop": 0.6,
    "brightness": 0.2,
    "contrast": 0.2,
    "noise": 0.1,
    "cutout": 0.5,
}


def test_the_same_seed_gives_the_same_batch_and_leaves_the_global_random_state_alone() -> None:
    augmenter = Augmenter(EVERYTHING, (1, 8, 8), 10)
    x, y = batch()
    torch.manual_seed(7)
    expected_next = torch.rand(3)
    torch.manual_seed(7)
    first, _ = augmenter(x, y, batch_seed(0, 1, 1))
    assert torch.equal(torch.rand(3), expected_next)  # dropout and shuffling draw as they would without augmentation
    again, _ = augmenter(x, y, batch_seed(0, 1, 1))
    other, _ = augmenter(x, y, batch_seed(0, 1, 2))
    assert first.shape == x.shape and first.dtype == x.dtype
    assert torch.equal(first, again)
    assert not torch.equal(first, other) and not torch.equal(first, x)


def test_batch_seeds_differ_by_seed_epoch_batch_and_process() -> None:
    seeds = {batch_seed(*parts) for parts in [(0, 1, 1), (1, 1, 1), (0, 2, 1), (0, 1, 2), (0, 1, 1, 1)]}
    assert len(seeds) == 5 and all(0 <= s < 2**63 for s in seeds)


def test_a_certain_flip_mirrors_every_image() -> None:
    x, y = batch()
    flipped, labels = Augmenter({"hflip": 1.0}, (1, 8, 8), 10)(x, y, 3)
    assert torch.equal(flipped, x.flip(-1))
    assert torch.equal(labels, y)  # targets stay class ids when nothing mixes


def test_noise_has_the_asked_spread_and_brightness_is_not_clipped() -> None:
    x = torch.full((64, 1, 8, 8), 0.95)
    noisy, _ = Augmenter({"noise": 0.1}, (1, 8, 8), 10)(x, torch.zeros(64, dtype=torch.long), 1)
    assert abs(float((noisy - x).std()) - 0.1) < 0.01
    brighter, _ = Augmenter({"brightness": 0.5}, (1, 8, 8), 10)(x, torch.zeros(64, dtype=torch.long), 1)
    assert float(brighter.max()) > 1.0  # standardised data may run past 1: no clamping


@pytest.mark.parametrize("options", [{"mixup": 1.0}, {"cutmix": 1.0}, {"mixup": 1.0, "cutmix": 1.0}])
def test_mixing_gives_soft_labels_of_the_mixed_images(options: dict) -> None:
    x, y = batch()
    mixed, soft = Augmenter(options, (1, 8, 8), 10)(x, y, 5)
    assert soft.shape == (16, 10) and soft.dtype == torch.float32
    assert torch.allclose(soft.sum(dim=1), torch.ones(16))
    assert not torch.equal(mixed, x)
    assert (soft > 0).sum(dim=1).max() >= 2  # some rows hold two labels


@pytest.mark.parametrize("options", [{"mixup": 1.0}, {"cutmix": 1.0}, {"mixup": 1.0, "cutmix": 1.0}, {"mixup": 0.5, "cutmix": 0.5}])
@pytest.mark.parametrize("seed", [3, 11])
def test_the_label_shares_are_the_shares_of_each_image_in_the_mix(options: dict, seed: int) -> None:
    x = torch.stack([torch.full((1, 8, 8), float(i)) for i in range(6)])  # image i is all i
    mixed, soft = Augmenter(options, (1, 8, 8), 6)(x, torch.arange(6), seed)
    shown = soft @ torch.arange(6, dtype=torch.float32)  # the mean pixel the label shares predict
    assert torch.allclose(mixed.mean(dim=(1, 2, 3)), shown, atol=1e-4)


def test_variants_for_the_preview_are_reproducible() -> None:
    images = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
    first = augment_variants(images, {"rotate": 20, "noise": 0.05}, 6)
    assert first.shape == (6, 4, 1, 8, 8)
    assert np.array_equal(first, augment_variants(images, {"rotate": 20, "noise": 0.05}, 6))
    assert not np.array_equal(first[0], first[1])


def test_the_preview_shows_each_image_then_its_augmented_copies() -> None:
    from designer.data.augment_preview import augment_preview

    shown = augment_preview({**DIGITS, "augment": {"rotate": 20}}, images=3, variants=5)
    assert shown.columns == 6 and shown.images.shape == (18, 8, 8)
    assert shown.captions[:6] == ["0", "", "", "", "", ""]  # the original carries its class
    assert shown.images.min() >= 0.0 and shown.images.max() <= 1.0
    with pytest.raises(DataError, match="applies to images"):
        augment_preview({"source": "spirals", "options": {}, "augment": {"noise": 0.1}})


def test_image_shaped_data_that_is_not_float_is_greyed_as_it_is_refused() -> None:
    from designer.data.augment import unusable

    spec = DataSpec(TensorSpec((3, 8, 8), "int64"), "classification", num_classes=2, name="counts")
    assert set(unusable(spec)) == {param.name for param in AUGMENT}  # every option greyed, with why
    with pytest.raises(DataError, match=r"counts gives inputs of shape 3x8x8 \(int64\)"):
        check_augment({"hflip": 0.5}, spec)
