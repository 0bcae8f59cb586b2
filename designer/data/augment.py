"""Image augmentation of the training split, on the training device, a batch at a time.

A project's ``data.augment`` options (declared in
``designer.project.settings.AUGMENT``; 0 turns one off) become a kornia
pipeline: flips, rotation, shift-crop, resized crop, brightness, contrast,
saturation and hue, Gaussian noise and cutout act on each image; mixup and
cutmix then mix images of the batch, so their targets become soft labels
(each row a mix of two one-hot labels with the mixing weight), which
``designer.train.objective`` takes in place of class ids.

Each batch is augmented from its own seed (:func:`batch_seed`: the run's
seed, the epoch, the batch and the process), with the global random state
set aside while kornia draws: the same seed gives the same augmented batches,
a resumed run the batches it would have had, and the rest of training (dropout,
shuffling) draws exactly as it does without augmentation. Validation and test
data are never augmented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.graph import DataSpec
from designer.graph.analysis import CLASSIFICATION

if TYPE_CHECKING:
    import numpy as np
    import torch
else:
    np = deferred("numpy")

MIXING = ("mixup", "cutmix")
COLOUR_ONLY = ("saturation", "hue")


def active_options(options: Any) -> dict[str, Any]:
    """The options that do something (non-zero), checked, in declaration order; DataError names a bad one."""
    from designer.graph import ParamError
    from designer.project.settings import AUGMENT

    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise DataError(f'augment must be an object of options such as {{"hflip": 0.5}}, got {type(options).__name__}')
    params = {p.name: p for p in AUGMENT}
    unknown = [str(name) for name in options if name not in params]
    if unknown:
        raise DataError(f"augment: unknown option '{unknown[0]}' (options: {', '.join(params)})")
    try:
        checked = {name: params[name].check(value) for name, value in options.items()}
    except ParamError as exc:
        raise DataError(f"augment.{exc}") from None
    return {name: checked[name] for name in params if checked.get(name)}


def check_augment(options: Mapping[str, Any] | None, spec: DataSpec) -> dict[str, Any]:
    """The options that do something, or DataError saying why they cannot apply to this data."""
    active = active_options(options)
    if not active:
        return {}
    shape = tuple(spec.input.shape)
    if not is_image(spec):
        raise DataError(
            f"augment applies to images (channels x height x width, 1 or 3 channels); {spec.name} gives inputs of shape "
            f"{'x'.join(map(str, shape))} ({spec.input.dtype}): remove the augment options"
        )
    mixing = [name for name in MIXING if name in active]
    if mixing and spec.task != CLASSIFICATION:
        raise DataError(f"augment {' and '.join(mixing)} mixes class labels: {spec.name} is not a classification task")
    colour = [name for name in COLOUR_ONLY if name in active]
    if colour and shape[0] != 3:
        raise DataError(f"augment {' and '.join(colour)} changes colours: {spec.name} has grayscale images (use brightness and contrast)")
    height, width = shape[1:]
    if active.get("crop", 0) >= min(height, width):
        raise DataError(
            f"augment crop {active['crop']} shifts by a whole image of {height}x{width}: use fewer pixels than {min(height, width)}"
        )
    return active


def is_image(spec: DataSpec) -> bool:
    """Whether the data's inputs are images the options can change: float32,
    channels (1 or 3) x height x width (the Data panel greys the options
    otherwise, as :func:`check_augment` refuses them)."""
    shape = tuple(spec.input.shape)
    return len(shape) == 3 and shape[0] in (1, 3) and spec.input.dtype == "float32"


def unusable(spec: DataSpec) -> dict[str, str]:
    """Why each option that cannot apply to this data's shape and task cannot (the
    Data panel greys those); :func:`check_augment` refuses them with the full message."""
    from designer.project.settings import AUGMENT

    if not is_image(spec):
        return {param.name: "augmentation applies to images (float32, channels x height x width)" for param in AUGMENT}
    why: dict[str, str] = {}
    if spec.input.shape[0] != 3:
        why.update({name: "for colour images only: these are grayscale" for name in COLOUR_ONLY})
    if spec.task != CLASSIFICATION:
        why.update({name: "mixes class labels: for classification only" for name in MIXING})
    return why


def batch_seed(seed: int, epoch: int, batch: int, rank: int = 0) -> int:
    """The seed of one batch's augmentation, spread over 63 bits (numpy's SeedSequence mixes the parts)."""
    state = np.random.SeedSequence([seed, epoch, batch, rank]).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


class Augmenter:
    """Augments batches of images ``(B, C, H, W)`` with checked options (see :func:`check_augment`)."""

    def __init__(self, options: Mapping[str, Any], image_shape: tuple[int, ...], num_classes: int = 0) -> None:
        import kornia.augmentation as K
        from kornia.augmentation.container import ImageSequential

        self.options = dict(options)
        self.num_classes = num_classes
        o, size = self.options, (int(image_shape[1]), int(image_shape[2]))
        steps: list[Any] = []
        if o.get("hflip"):
            steps.append(K.RandomHorizontalFlip(p=o["hflip"]))
        if o.get("vflip"):
            steps.append(K.RandomVerticalFlip(p=o["vflip"]))
        if o.get("crop"):
            steps.append(K.RandomCrop(size, padding=int(o["crop"])))
        if o.get("resized_crop"):
            steps.append(K.RandomResizedCrop(size, scale=(float(o["resized_crop"]), 1.0)))
        if o.get("rotate"):
            steps.append(K.RandomRotation(float(o["rotate"]), p=1.0))
        if o.get("brightness"):
            steps.append(K.RandomBrightness((1.0 - o["brightness"], 1.0 + o["brightness"]), clip_output=False, p=1.0))
        if o.get("contrast"):
            steps.append(K.RandomContrast((1.0 - o["contrast"], 1.0 + o["contrast"]), clip_output=False, p=1.0))
        if o.get("saturation"):
            steps.append(K.RandomSaturation((1.0 - o["saturation"], 1.0 + o["saturation"]), p=1.0))
        if o.get("hue"):
            steps.append(K.RandomHue((-o["hue"], o["hue"]), p=1.0))
        if o.get("noise"):
            steps.append(K.RandomGaussianNoise(std=float(o["noise"]), p=1.0))
        if o.get("cutout"):
            steps.append(K.RandomErasing(p=o["cutout"]))
        self._images = ImageSequential(*steps) if steps else None
        # Each mix with whether its lambda is the partner's share: mixup's is; cutmix's (as in the
        # CutMix paper) is the share of the image's own pixels left.
        self._mixes: list[tuple[Any, bool]] = []
        if o.get("mixup"):
            self._mixes.append((K.RandomMixUpV2(p=o["mixup"], data_keys=["input", "class"]), True))
        if o.get("cutmix"):
            self._mixes.append((K.RandomCutMixV2(p=o["cutmix"], data_keys=["input", "class"], use_correct_lambda=True), False))

    def __call__(self, x: torch.Tensor, y: torch.Tensor, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The augmented batch and its targets (soft labels ``(B, classes)`` when mixing), drawn from ``seed``."""
        import torch

        devices = [x.device.index or 0] if x.device.type == "cuda" else []
        with torch.no_grad(), torch.random.fork_rng(devices=devices):
            torch.random.default_generator.manual_seed(seed)
            if devices:
                torch.cuda.default_generators[devices[0]].manual_seed(seed)
            if self._images is not None:
                x = self._images(x)
            if self._mixes:
                x, y = self._mix(x, y)
        return x.contiguous(), y

    def _mix(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        import torch

        soft = torch.nn.functional.one_hot(y, self.num_classes).to(x.dtype)
        rows = torch.arange(len(x), device=x.device)
        for mix, lambda_is_partners in self._mixes:
            # Mixing row numbers gives (row, partner, lambda) triples that mix any soft labels, even mixed ones.
            x, pairs = mix(x, rows)
            for triple in pairs.reshape(-1, len(x), 3):  # mixup gives one (B, 3); cutmix one per patch
                first, partner, lam = triple[:, 0].long(), triple[:, 1].long(), triple[:, 2]
                share = (lam if lambda_is_partners else 1 - lam)[:, None]  # a row left alone is paired with itself
                soft = soft[first] * (1 - share) + soft[partner] * share
        return x, soft


def augment_variants(images: np.ndarray, options: Mapping[str, Any], variants: int, seed: int = 0, num_classes: int = 0) -> np.ndarray:
    """``variants`` augmented copies of a few images ``(N, C, H, W)``: an array ``(variants, N, C, H, W)``.

    Each variant is one batch of all the images (so mixup mixes among them),
    drawn from its own seed; the same call gives the same pictures.
    """
    import torch

    x = torch.from_numpy(np.ascontiguousarray(images, np.float32))
    augmenter = Augmenter(options, tuple(x.shape[1:]), num_classes or len(x))
    labels = torch.arange(len(x)) % max(1, augmenter.num_classes)
    out = [augmenter(x, labels, batch_seed(seed, 0, v))[0].numpy() for v in range(variants)]
    return np.stack(out) if out else np.zeros((0, *x.shape), np.float32)
