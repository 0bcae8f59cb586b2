"""A picture of an attribution, written as PNG with matplotlib's Agg canvas.

Images: the image, and the attribution as a heat map over it; tabular data:
one signed bar per feature; sequences: the input over time above a signed
bar per step. Signed values use the one diverging scale
(:mod:`designer.insight.colors`), centred on zero. Only ``matplotlib.figure``
and the Agg canvas are used (no pyplot), so drawing changes no global
backend of a process that also runs a window.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from designer.insight.attribution import IMAGE, SEQUENCE, TABULAR, TOKENS, Attribution
from designer.insight.colors import diverging_rgb, matplotlib_colormap, symmetric_limit

METHOD_TITLES = {
    "saliency": "saliency (input gradient)",
    "integrated-gradients": "integrated gradients",
    "occlusion": "occlusion",
    "gradcam": "Grad-CAM",
}
MAX_BARS = 40  # more features than this: the largest ones by magnitude


def title(result: Attribution, design: str) -> str:
    where = f"sample {result.sample}" if result.sample is not None else "the sample"
    method = METHOD_TITLES[result.method] + (f" on {result.node}" if result.node else "")
    answer = f"predicted {result.class_name(result.predicted)}, true {result.class_name(result.true)}"
    if result.predicted is None:
        answer = f"output {float(result.output[result.target]):.4g}" + (
            f", true {result.class_name(result.true)}" if result.true is not None else ""
        )
    return f"{design}: {method}, {where}\n{answer}; explaining output {result.class_name(result.target)}"


def write_png(result: Attribution, design: str, path: str | os.PathLike[str]) -> Path:
    """Draw ``result`` and write it to ``path`` (PNG); returns the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4.8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    if result.kind == IMAGE:
        _image(figure, result)
    elif result.kind in (SEQUENCE, TOKENS):
        _sequence(figure, result)
    else:
        _bars(figure, result)
    figure.suptitle(title(result, design), fontsize=11)
    target = Path(path)
    figure.savefig(target, format="png")
    return target


def _image(figure, result: Attribution) -> None:
    picture = _displayable(result.input)
    heat = result.by_position
    limit = symmetric_limit(heat)
    left, right = figure.subplots(1, 2)
    left.imshow(picture, cmap="gray" if picture.ndim == 2 else None, interpolation="nearest")
    left.set_title("input")
    right.imshow(_grey(picture), cmap="gray", interpolation="nearest")
    shown = right.imshow(heat, cmap=matplotlib_colormap(), vmin=-limit, vmax=limit, alpha=0.6, interpolation="bilinear")
    right.set_title("attribution over the input")
    for axes in (left, right):
        axes.set_xticks([])
        axes.set_yticks([])
    figure.colorbar(shown, ax=right, shrink=0.8, label="negative · zero · positive")


def _sequence(figure, result: Attribution) -> None:
    values = result.by_position
    steps = np.arange(len(values))
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(1, 1.3))
    series = result.input if result.kind == TOKENS else result.input.reshape(len(values), -1)
    if result.kind == TOKENS:
        top.step(steps, series, where="mid", color="0.3")
        top.set_ylabel("token id")
    else:
        top.plot(steps, series, color="0.3", linewidth=1.2)
        top.set_ylabel("input")
    limit = symmetric_limit(values)
    bottom.bar(steps, values, color=diverging_rgb(values, limit) / 255.0, edgecolor="0.4", linewidth=0.4)
    bottom.axhline(0, color="0.5", linewidth=0.8)
    bottom.set_ylabel("attribution")
    bottom.set_xlabel("time step")


def _bars(figure, result: Attribution) -> None:
    values = result.by_position.reshape(-1)
    names = result.feature_names if result.kind == TABULAR and result.feature_names else [f"feature {i}" for i in range(len(values))]
    order = np.arange(len(values))
    axes = figure.subplots(1, 1)
    if len(values) > MAX_BARS:
        order = np.sort(np.argsort(-np.abs(values))[:MAX_BARS])
        axes.set_title(f"the {MAX_BARS} largest of {len(values)} features", fontsize=9)
    shown = values[order]
    limit = symmetric_limit(values)
    rows = np.arange(len(order))
    axes.barh(rows, shown, color=diverging_rgb(shown, limit) / 255.0, edgecolor="0.4", linewidth=0.4)
    axes.set_yticks(rows, [names[i] for i in order], fontsize=7 if len(order) > 20 else 9)
    axes.invert_yaxis()
    axes.axvline(0, color="0.5", linewidth=0.8)
    axes.set_xlabel("attribution (negative pushes the output down, positive up)")


def _displayable(sample: np.ndarray) -> np.ndarray:
    """A C x H x W sample as H x W x 3 (three channels) or H x W (else: the channels' mean), scaled to [0, 1]."""
    channels = sample.shape[0]
    picture = np.moveaxis(sample, 0, -1) if channels == 3 else sample[0] if channels == 1 else sample.mean(axis=0)
    low, high = float(picture.min()), float(picture.max())
    return (picture - low) / (high - low) if high > low else np.zeros_like(picture)


def _grey(picture: np.ndarray) -> np.ndarray:
    return picture if picture.ndim == 2 else picture.mean(axis=-1)
