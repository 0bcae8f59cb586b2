"""Render the README's screenshot of an imported model, offscreen.

    python resources/screenshots/make_import_screenshot.py

The tests' ResNet-18-shaped network is exported by torch.onnx.export,
imported as File > Import Model does (``designer.importer.from_onnx``, saved
beside the file) and opened in the real window, whose grab is written as
imported_resnet18.png next to this script.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import tempfile
import warnings
from pathlib import Path

from make_screenshots import HERE, ROOT, SIZE, _save, _settle, _window  # the README shots' window and helpers
from PySide6.QtWidgets import QApplication  # noqa: E402 - make_screenshots chooses the Qt platform first

sys.path.insert(0, str(ROOT / "tests" / "importer"))  # the hand-written reference networks

NAME = "imported_resnet18.png"


def main() -> int:
    import torch
    from reference_nets import ResNet18, randomise_statistics

    from designer.importer import from_onnx

    app = QApplication.instance() or QApplication(sys.argv[:1])
    torch.manual_seed(0)
    folder = Path(tempfile.mkdtemp())
    logging.disable(logging.WARNING)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(randomise_statistics(ResNet18()), (torch.randn(2, 3, 64, 64),), str(folder / "resnet18.onnx"), dynamo=True)
    imported = from_onnx(folder / "resnet18.onnx")
    imported.save(folder / "resnet18.nnd")
    window = _window()
    window.open_file(folder / "resnet18.nnd")
    window.resize(*SIZE)
    _settle(app)
    window.scene.select_nodes(["layer1_0_out"])  # a residual block's Add, named after its line: out = out + identity
    _settle(app)
    print(_save(app, window, NAME).relative_to(HERE.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
