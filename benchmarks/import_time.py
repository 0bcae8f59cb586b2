"""Importing a model, and opening the imported design in the window.

For a ResNet-18-shaped network (the tests' hand-written one) and a
ResNet-50-shaped one (bottleneck blocks, hundreds of operators), in one
process: torch.onnx.export of the module (what a user did before importing),
then ``from_onnx`` on that file and ``from_module`` on the module (each the
median of repeated runs, after a first untimed one that loads the libraries),
then opening the saved design in the real main window offscreen (scene built,
fit to view, one repaint), as File > Open does after File > Import Model.
Ratios put each import beside the export it undoes, and the imported design's
opening beside that of the residual CNN sample (16 nodes) in the same window.

    python benchmarks/import_time.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import onnx
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "tests" / "importer"))  # the reference networks the tests import

from reference_nets import ResNet18, randomise_statistics  # noqa: E402

from designer.importer import from_module, from_onnx  # noqa: E402


class Bottleneck(nn.Module):
    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        out = planes * 4
        self.conv1, self.bn1 = nn.Conv2d(inplanes, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = nn.Conv2d(planes, out, 1, bias=False), nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


class ResNet50(nn.Module):
    """torchvision's resnet50 layout (3-4-6-3 bottlenecks) at an eighth of the width."""

    def __init__(self, classes: int = 10, width: int = 8) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)
        )
        blocks, inplanes = [], width
        for planes, repeats, stride in [(width, 3, 1), (2 * width, 4, 2), (4 * width, 6, 2), (8 * width, 3, 2)]:
            for index in range(repeats):
                blocks.append(Bottleneck(inplanes, planes, stride if index == 0 else 1))
                inplanes = planes * 4
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1), 1))


def _quiet():
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    return contextlib.redirect_stdout(io.StringIO())


def _median(work, repeat: int, prepare=lambda: None) -> float:
    prepare()
    work()  # the first run loads libraries and fills caches
    samples = []
    for _ in range(repeat):
        prepare()  # untimed
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(name: str, module: nn.Module, example: torch.Tensor, folder: Path, repeat: int, window, app) -> dict:
    onnx_path = folder / f"{name}.onnx"
    with _quiet(), contextlib.redirect_stderr(io.StringIO()):
        started = time.perf_counter()
        torch.onnx.export(module, (example,), str(onnx_path), dynamo=True, verbose=False)
        export_s = time.perf_counter() - started
    imported = from_onnx(onnx_path)
    design = folder / f"{name}.nnd"
    imported.save(design)
    onnx_s = _median(lambda: from_onnx(onnx_path), repeat)
    fx_s = _median(lambda: from_module(module, example), repeat)
    open_s = _median(lambda: _open(window, app, design), repeat, lambda: _empty(window, app))
    sample_s = _median(lambda: _open(window, app, ROOT / "samples" / "residual_cnn.nnd"), repeat, lambda: _empty(window, app))
    return {
        "model": name,
        "onnx_operators": len(onnx.load(str(onnx_path)).graph.node),
        "nodes": len(imported.graph),
        "fx_nodes": len(from_module(module, example).graph),
        "max_difference": imported.max_difference,
        "torch_onnx_export_s": export_s,
        "import_onnx_s": onnx_s,
        "import_module_s": fx_s,
        "open_in_window_s": open_s,
        "open_sample_residual_cnn_s": sample_s,
        "ratio_open_to_sample": open_s / sample_s,
        "ratio_import_onnx_to_export": onnx_s / export_s,
        "ratio_import_module_to_export": fx_s / export_s,
    }


def _empty(window, app) -> None:
    """An empty design, the previous scene torn down (untimed, as in model_scale.py)."""
    from PySide6.QtCore import QEvent

    from designer.document import Document

    window.document.undo_stack.setClean()
    window.set_document(Document())
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def _open(window, app, path: Path) -> None:
    window.files.open_path(str(path), ask=False)
    app.processEvents()
    window.view.viewport().repaint()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from designer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    torch.manual_seed(0)
    models = {
        "resnet18": (randomise_statistics(ResNet18()), torch.randn(2, 3, 64, 64)),
        "resnet50": (randomise_statistics(ResNet50()), torch.randn(2, 3, 64, 64)),
    }
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "designer.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(1400, 860)
        window.show()
        _open(window, app, ROOT / "samples" / "residual_cnn.nnd")  # the window's first design pays for fonts, icons and caches
        rows = [measure(name, module, example, Path(folder), args.repeat, window, app) for name, (module, example) in models.items()]
        window.document.undo_stack.setClean()
        window.close()
    for row in rows:
        print(
            f"{row['model']}: {row['nodes']} nodes from {row['onnx_operators']} ONNX operators ({row['fx_nodes']} from the module); "
            f"torch.onnx.export "
            f"{row['torch_onnx_export_s'] * 1000:.0f} ms; import: ONNX {row['import_onnx_s'] * 1000:.0f} ms "
            f"({row['ratio_import_onnx_to_export']:.2f} of the export), module {row['import_module_s'] * 1000:.0f} ms "
            f"({row['ratio_import_module_to_export']:.2f}); open in the window {row['open_in_window_s'] * 1000:.0f} ms "
            f"({row['ratio_open_to_sample']:.2f} of the residual CNN sample's {row['open_sample_residual_cnn_s'] * 1000:.0f} ms)"
        )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "import_time.json"
    record = {"machine": platform.platform(), "python": platform.python_version(), "torch": torch.__version__, "repeat": args.repeat}
    out.write_text(json.dumps({**record, "rows": rows}, indent=2) + "\n")
    print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
