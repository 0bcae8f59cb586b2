"""Which parts of one input made the network give its answer: captum's
saliency, integrated gradients, occlusion and Grad-CAM.

Every method explains one output value, ``target``: by default the predicted
class (the largest output) of a classifier and the first output of a
regression. Outputs with more than one value per sample (an image) are
flattened, so ``target`` indexes the flattened output. Signed values:
positive pushed the target up, negative pushed it down (Grad-CAM is
non-negative, as its ReLU makes it).

What a view shows, :attr:`Attribution.by_position`: one value per feature for
tabular inputs, per time step for sequences (summed over features), per pixel
for images (summed over channels; Grad-CAM upsampled from its convolution to
the image size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from designer.insight.errors import InsightError, NotConvolution, Unsupported

if TYPE_CHECKING:
    from designer.insight.inspector import Inspector

METHODS = ("saliency", "integrated-gradients", "occlusion", "gradcam")
CONVOLUTIONS = ("Conv1d", "Conv2d", "Conv3d")
IG_STEPS = 64  # captum's default is 50; a few more keep the convergence delta small on ReLU networks
TABULAR, SEQUENCE, TOKENS, IMAGE, TENSOR = "tabular", "sequence", "tokens", "image", "tensor"


@dataclass(frozen=True)
class Attribution:
    """One sample's attribution; ``values`` is shaped like the sample (Grad-CAM:
    like the sample's spatial dimensions)."""

    method: str
    target: int
    predicted: int | None  # the largest output (classifiers); None for one output value
    true: int | None  # the sample's class when it comes from the validation split of a classifier
    values: np.ndarray
    input: np.ndarray  # the sample as the network saw it
    kind: str  # tabular | sequence | tokens | image | tensor
    output: np.ndarray  # the network's (flattened) output for the sample
    sample: int | None = None  # index into the validation split, when given as one
    node: str | None = None  # Grad-CAM's convolution
    delta: float | None = None  # integrated gradients: captum's convergence delta
    feature_names: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)

    @property
    def by_position(self) -> np.ndarray:
        """Per feature (tabular), per step (sequence, tokens), per pixel (image)."""
        if self.method == "gradcam" or self.kind in (TABULAR, TOKENS):
            return self.values
        if self.kind == SEQUENCE:
            return self.values.sum(axis=-1)
        if self.kind == IMAGE:
            return self.values.sum(axis=0)
        return self.values.reshape(-1)

    def class_name(self, index: int | None) -> str:
        if index is None:
            return "-"
        return self.class_names[index] if 0 <= index < len(self.class_names) else str(index)


def attribute(inspector: Inspector, sample: int | np.ndarray, method: str, target: int | None, node: str | None) -> Attribution:
    """See :meth:`Inspector.attribute`; raises an InsightError subclass for a request that does not apply."""
    from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Occlusion, Saliency

    if method not in METHODS:
        raise Unsupported(f"unknown attribution method '{method}' (methods: {', '.join(METHODS)})")
    if node is not None and method != "gradcam":
        raise Unsupported(f"a node goes with gradcam only; {method} attributes to the input")
    conv = _gradcam_node(inspector, node) if method == "gradcam" else None
    index = int(sample) if isinstance(sample, (int, np.integer)) else None
    x = inspector.inputs(index if index is not None else sample)
    if len(x) != 1:
        raise Unsupported(f"attributions explain one sample at a time, not {len(x)}")
    kind = input_kind(tuple(x.shape[1:]), x.dtype)
    module = inspector.module

    def forward(inputs: torch.Tensor) -> torch.Tensor:
        out = module(inputs)
        out = out[0] if isinstance(out, tuple) else out
        return out.reshape(len(out), -1)

    with torch.no_grad():
        output = forward(x)[0]
    task = _task(inspector)
    predicted = int(output.argmax()) if output.numel() > 1 and task != "regression" else None
    chosen = _target(target, predicted, output.numel())
    if kind == TOKENS and method in ("saliency", "integrated-gradients"):
        others = "occlusion or gradcam" if convolution_nodes(inspector) else "occlusion"  # gradcam needs a convolution
        raise Unsupported(f"{method} needs gradients of the input, and token ids have none: use {others}")
    delta = None
    with torch.enable_grad():
        if method == "saliency":
            values = Saliency(forward).attribute(x.clone().requires_grad_(True), target=chosen, abs=False)
        elif method == "integrated-gradients":
            values, deltas = IntegratedGradients(forward).attribute(
                x, baselines=torch.zeros_like(x), target=chosen, n_steps=IG_STEPS, return_convergence_delta=True
            )
            delta = float(deltas.abs().max())
        elif method == "occlusion":
            window, strides = occlusion_window(kind, tuple(x.shape[1:]))
            values = Occlusion(forward).attribute(x, sliding_window_shapes=window, strides=strides, baselines=0, target=chosen)
        else:
            layer = inspector.submodule(conv)  # type: ignore[arg-type]
            cam = LayerGradCam(forward, layer).attribute(x, target=chosen, relu_attributions=True)
            spatial = tuple(x.shape[2:]) if kind == IMAGE else tuple(x.shape[-1:])
            if cam.dim() - 2 != len(spatial):
                raise NotConvolution(
                    f"{conv}'s maps have {cam.dim() - 2} spatial dimensions and the input {len(spatial)}: pick another convolution"
                )
            mode = {1: "linear", 2: "bilinear", 3: "trilinear"}[len(spatial)]
            values = LayerAttribution.interpolate(cam, spatial, interpolate_mode=mode)[:, 0]
    return Attribution(
        method=method,
        target=chosen,
        predicted=predicted,
        true=_true_class(inspector, index, task),
        values=values[0].detach().float().numpy(),
        input=x[0].numpy(),
        kind=kind,
        output=output.numpy(),
        sample=index,
        node=conv,
        delta=delta,
        feature_names=_feature_names(inspector, kind, x.shape[-1]),
        class_names=_class_names(inspector),
    )


def input_kind(shape: tuple[int, ...], dtype: torch.dtype) -> str:
    """How one sample of this shape is shown: tabular (F), sequence (T x F), tokens, image (C x H x W)."""
    if not dtype.is_floating_point:
        return TOKENS if len(shape) == 1 else TENSOR
    return {1: TABULAR, 2: SEQUENCE, 3: IMAGE}.get(len(shape), TENSOR)


def occlusion_window(kind: str, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(window, strides) for occlusion: a square patch of a quarter of the
    image side over all channels, a sixteenth of a sequence over all features,
    one feature or token at a time."""
    if kind == IMAGE:
        side = max(1, min(shape[1:]) // 4)
        return (shape[0], side, side), (shape[0], max(1, side // 2), max(1, side // 2))
    if kind == SEQUENCE:
        steps = max(1, shape[0] // 16)
        return (steps, shape[1]), (steps, shape[1])
    return tuple(1 for _ in shape), tuple(1 for _ in shape)


def convolution_nodes(inspector: Inspector) -> list[str]:
    """The design's convolution nodes in topological order (Grad-CAM's choices)."""
    return [nid for nid in inspector.node_ids if inspector.graph.node(nid).type in CONVOLUTIONS]


def _gradcam_node(inspector: Inspector, node: str | None) -> str:
    convs = convolution_nodes(inspector)
    if node is None:
        if not convs:
            raise NotConvolution(f"gradcam needs a convolution, and {inspector.graph.name} has none: use another method")
        return convs[-1]
    kind = inspector.node_type(node)
    if node not in convs:
        choices = f" (convolutions: {', '.join(convs)})" if convs else ""
        raise NotConvolution(f"gradcam needs a convolution node; {node} is a {kind}{choices}")
    return node


def _target(target: int | None, predicted: int | None, width: int) -> int:
    if target is None:
        return predicted if predicted is not None else 0
    if isinstance(target, bool) or not 0 <= int(target) < width:
        raise Unsupported(f"target {target} is out of range: the output has {width} values (0 to {width - 1})")
    return int(target)


def _task(inspector: Inspector) -> str | None:
    try:
        return inspector.data.spec.task
    except InsightError:  # raw arrays without usable data: judge from the output alone
        return None


def _true_class(inspector: Inspector, index: int | None, task: str | None) -> int | None:
    if index is None or task != "classification":
        return None
    return int(inspector.split.y[index])


def _feature_names(inspector: Inspector, kind: str, width: int) -> list[str]:
    if kind != TABULAR or inspector.loaded_data is None:
        return []
    names = inspector.data.normalization.get("features") or []
    return list(names) if len(names) == width else []


def _class_names(inspector: Inspector) -> list[str]:
    return list(inspector.loaded_data.class_names) if inspector.loaded_data is not None else []
