"""A run as one self-contained HTML file: the design's picture, the
settings, the curves, the confusion matrix or predicted-against-true plot
(the decision boundary and misclassified samples where the run has them),
per-layer statistics when recorded, and what the data was. Pictures are
inline SVG or embedded PNG: the file opens anywhere, offline, alone."""

from __future__ import annotations

import base64
import csv
import io
import os
from html import escape
from pathlib import Path

import numpy as np

from designer.project.atomic import write_text_atomic
from designer.runs import svg
from designer.runs.files import RunFileError, read_text
from designer.runs.formatting import duration_text, metric_text, value_text, when_text
from designer.runs.layout import LAYERS
from designer.runs.outcome import Boundary, ImageSamples, ResultViews
from designer.runs.record import RunRecord

CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
PAGE_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:1180px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin-bottom:2px} h2{font-size:16px;margin-top:28px;border-bottom:1px solid #e6e8eb;padding-bottom:4px}
.muted{color:#57606a} table{border-collapse:collapse;margin:6px 0} td,th{border:1px solid #e6e8eb;padding:3px 8px;text-align:right}
th{background:#f6f8fa} td.name,th.name{text-align:left} .row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.status{font-weight:600} .failed{color:#d73a49} .finished{color:#2a9467} img{image-rendering:pixelated;border:1px solid #e6e8eb}
"""


def write_report(record: RunRecord, path: str | os.PathLike[str]) -> Path:
    """Write ``record`` as an HTML report at ``path`` (atomically); returns the path."""
    write_text_atomic(path, report_html(record))
    return Path(path)


def report_html(record: RunRecord) -> str:
    name = record.snapshot.name if record.snapshot is not None else "design"
    views = record.outcome.views if record.outcome is not None else None
    notes = [*record.notes, *(record.outcome.notes if record.outcome is not None else [])]
    sections = [
        _header(record, name),
        _design(record),
        _settings(record),
        _curves(record),
        _results(record, views),
        _layers(record),
        _data(record, views),
    ]
    if notes:
        sections.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(name)} · {escape(record.label)}</title><style>{PAGE_STYLE}{svg.STYLE}</style></head><body>"
        + "".join(sections)
        + "<p class='muted'>Written by the neural network designer from the run's record.</p></body></html>\n"
    )


def _header(record: RunRecord, name: str) -> str:
    best = record.best
    result = f"best {metric_text(record.metric_name, record.best_metric)} at epoch {best.epoch}" if best else "no epoch finished"
    status = record.status.replace("_", " ")
    return (
        f"<h1>{escape(name)} — {escape(record.label)}</h1>"
        f"<p><span class='status {escape(record.status)}'>{escape(status)}</span>: {escape(record.message)}<br>"
        f"{escape(result)} · {len(record.epochs)} epochs in {duration_text(record.seconds)} · {escape(record.device or 'device unknown')}"
        f" · started {when_text(record.created)} · {escape(record.origin)} · {escape(record.id or 'not saved')}</p>"
    )


def _design(record: RunRecord) -> str:
    if record.snapshot is None:
        return ""
    from designer.layers import CATALOG

    graph = record.snapshot.graph
    categories = {n.type: CATALOG.get(n.type).category for n in graph.nodes if n.type in CATALOG}
    summary = f"{len(graph)} nodes · fingerprint {escape(record.fingerprint)}"
    return f"<h2>Design</h2><p class='muted'>{summary}</p>" + svg.design(graph.records(), categories)


def _settings(record: RunRecord) -> str:
    rows = "".join(f"<tr><td class='name'>{escape(k)}</td><td>{escape(value_text(v))}</td></tr>" for k, v in sorted(record.settings.items()))
    sweep = ""
    if record.sweep:
        tried = "".join(f"<tr><td class='name'>{escape(k)}</td><td>{escape(value_text(v))}</td></tr>" for k, v in record.sweep.get("params", {}).items())
        sweep = f"<div><b>Sweep {escape(str(record.sweep.get('study')))}, trial {record.sweep.get('trial')}</b><table>{tried}</table></div>"
    return f"<h2>Training settings</h2><div class='row'><table>{rows}</table>{sweep}</div>"


def _curves(record: RunRecord) -> str:
    if not record.epochs and not len(record.batch_x):
        return "<h2>Curves</h2><p class='muted'>No batch finished.</p>"
    loss = [
        svg.Series(record.batch_x.view(), record.batch_smooth.view(), "#2f80ed", "training loss (smoothed)"),
        svg.Series(*record.epoch_array("val_loss"), "#e8710a", "validation loss", dashed=True, dots=True),
    ]
    scale = 100.0 if record.metric_name == "accuracy" else 1.0
    unit = "accuracy %" if record.metric_name == "accuracy" else "MAE"
    x_train, y_train = record.epoch_array("train_metric")
    x_val, y_val = record.epoch_array("val_metric")
    metric = [
        svg.Series(x_train, y_train * scale, "#2f80ed", f"training {unit}", dashed=True, dots=True),
        svg.Series(x_val, y_val * scale, "#e8710a", f"validation {unit}", dots=True),
    ]
    lr = [svg.Series(*record.epoch_array("lr"), "#687a2a", "learning rate", dots=True)]
    return (
        "<h2>Curves</h2><div class='row'>"
        + svg.line_chart(loss, "Loss", "epoch", "loss")
        + svg.line_chart(metric, unit.capitalize(), "epoch", unit)
        + svg.line_chart(lr, "Learning rate", "epoch", "lr", height=180)
        + "</div>"
    )


def _results(record: RunRecord, views: ResultViews | None) -> str:
    if views is None:
        return "<h2>Results</h2><p class='muted'>No results views: the run kept no weights.</p>"
    parts = [f"<h2>Results on the {escape(views.split)} split</h2><div class='row'>"]
    if views.confusion is not None:
        parts.append(_confusion(views.confusion, views.class_names))
    if views.boundary is not None:
        parts.append(f"<div><b>Decision boundary</b><br>{_png(_boundary_image(views.boundary), 'decision boundary')}</div>")
    if views.true_values is not None and views.predicted_values is not None:
        parts.append(svg.scatter(views.true_values, views.predicted_values, "Predicted against true"))
    if views.images is not None:
        parts.append(f"<div><b>Samples, misclassified first</b><br>{_png(_sample_grid(views.images), 'samples')}</div>")
    if views.reconstructions is not None:
        found = views.reconstructions
        pairs = np.stack([image for pair in zip(found.inputs, found.outputs) for image in pair])
        parts.append(f"<div><b>Reconstructions, worst first</b><br>{_png(_tiles(pairs, 2 * 6), 'reconstructions')}</div>")
    parts.append("</div>")
    return "".join(parts)


def _confusion(matrix: np.ndarray, names: list[str]) -> str:
    matrix = np.asarray(matrix)
    labels = [names[k] if k < len(names) else str(k) for k in range(len(matrix))]
    totals = matrix.sum(axis=1, keepdims=True).clip(min=1)
    head = "".join(f"<th>{escape(label)}</th>" for label in labels)
    rows = []
    for i, label in enumerate(labels):
        cells = []
        for j in range(len(labels)):
            share = matrix[i, j] / totals[i, 0]
            colour = f"rgba(47,128,237,{0.08 + 0.8 * share:.2f})" if i == j else f"rgba(215,58,73,{0.7 * share:.2f})"
            cells.append(f"<td style='background:{colour}'>{int(matrix[i, j])}</td>")
        rows.append(f"<tr><th class='name'>{escape(label)}</th>{''.join(cells)}</tr>")
    accuracy = np.trace(matrix) / max(matrix.sum(), 1)
    return (
        f"<div><b>Confusion matrix</b> <span class='muted'>(rows: true class; columns: predicted) · {100 * accuracy:.1f}% right</span>"
        f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table></div>"
    )


def _layers(record: RunRecord) -> str:
    if record.folder is None or not (record.folder / LAYERS).exists():
        return ""
    try:
        rows = list(csv.DictReader(io.StringIO(read_text(record.folder / LAYERS))))
    except (RunFileError, csv.Error) as exc:
        return f"<h2>Per-layer statistics</h2><p class='muted'>cannot be read: {escape(str(exc))}</p>"
    if not rows or "epoch" not in rows[0]:
        return ""
    last = max(int(r["epoch"]) for r in rows if r["epoch"].isdigit())
    columns = [c for c in rows[0] if c not in ("epoch", "node")]
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(
        f"<tr><td class='name'>{escape(r['node'])}</td>" + "".join(f"<td>{escape(r[c] or '–')}</td>" for c in columns) + "</tr>"
        for r in rows
        if r["epoch"] == str(last)
    )
    return f"<h2>Per-layer statistics, epoch {last}</h2><table><tr><th class='name'>node</th>{head}</tr>{body}</table>"


def _data(record: RunRecord, views: ResultViews | None) -> str:
    data = dict(record.data)
    options = data.pop("options", {}) or {}
    rows = [(k, v) for k, v in sorted(data.items())] + [(f"options.{k}", v) for k, v in sorted(options.items())]
    if views is not None:
        if views.class_names:
            rows.append(("classes", ", ".join(views.class_names)))
        counted = int(views.confusion.sum()) if views.confusion is not None else len(views.true_values) if views.true_values is not None else None
        if counted is not None:
            rows.append((f"{views.split} samples", counted))
    body = "".join(f"<tr><td class='name'>{escape(str(k))}</td><td>{escape(value_text(v))}</td></tr>" for k, v in rows)
    return f"<h2>Data</h2><table>{body}</table>"


# ------------------------------------------------------------------ pictures
def _png(image: np.ndarray, alt: str) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='{escape(alt)}' src='data:image/png;base64,{data}'>"


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _boundary_image(boundary: Boundary, scale: int = 2) -> np.ndarray:
    """Each grid cell in its class's colour, paler where the network is unsure; the points on top."""
    palette = np.stack([_rgb(c) for c in CLASS_COLOURS])
    colours = palette[boundary.classes % len(palette)]
    strength = (0.25 + 0.55 * boundary.confidence)[..., None]
    image = (255 * (1 - strength) + colours * strength)[::-1]  # row 0 is the bottom of the plane
    image = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    x0, x1, y0, y1 = boundary.extent
    height, width = image.shape[:2]
    for (x, y), label in zip(boundary.points, boundary.labels):
        col = int((x - x0) / (x1 - x0) * (width - 1))
        row = int((1 - (y - y0) / (y1 - y0)) * (height - 1))
        image[max(row - 2, 0) : row + 3, max(col - 2, 0) : col + 3] = palette[int(label) % len(palette)] * 0.8
    return image.clip(0, 255).astype(np.uint8)


def _sample_grid(samples: ImageSamples) -> np.ndarray:
    return _tiles(samples.images, 8)


def _tiles(images: np.ndarray, columns: int, scale: int = 4, gap: int = 2) -> np.ndarray:
    images = np.clip(np.asarray(images, dtype=np.float64), 0, 1)
    if images.ndim == 3:
        images = np.repeat(images[..., None], 3, axis=-1)
    count, height, width = images.shape[:3]
    rows = -(-count // columns)
    sheet = np.full((rows * (height * scale + gap), columns * (width * scale + gap), 3), 255.0)
    for k in range(count):
        r, c = divmod(k, columns)
        tile = np.repeat(np.repeat(images[k], scale, axis=0), scale, axis=1) * 255
        sheet[r * (height * scale + gap) : r * (height * scale + gap) + height * scale, c * (width * scale + gap) : c * (width * scale + gap) + width * scale] = tile
    return sheet.astype(np.uint8)

