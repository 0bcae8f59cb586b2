"""Render the README's screenshots from the real window, offscreen.

    python resources/screenshots/make_screenshots.py

Writes PNG files next to this script. Each shot is a function below; it
builds the main window the way a user would see it and grabs it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SIZE = (1500, 900)


def _window():
    from designer.ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "screenshots.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    return window


def _settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def shot_design(app: QApplication) -> Path:
    """The residual CNN open, a node selected, its shapes and summary visible."""
    window = _window()
    window.open_file(ROOT / "samples" / "residual_cnn.nnd")
    window.resize(*SIZE)
    _settle(app)
    window.view.set_zoom(0.62)
    window.view.centerOn(window.scene.nodes["relu2"].sceneBoundingRect().center())
    window.scene.select_nodes(["conv2"])
    window.bottom_tabs.setCurrentIndex(1)
    _settle(app)
    path = HERE / "design.png"
    window.grab().save(str(path))
    window.document.undo_stack.setClean()
    window.close()
    return path


def shot_problem(app: QApplication) -> Path:
    """A shape conflict: red wires, a badge, the problem listed with its fix."""
    window = _window()
    window.open_file(ROOT / "samples" / "residual_cnn.nnd")
    window.resize(*SIZE)
    window.document.set_param("conv3", "out_channels", 32)
    _settle(app)
    window.view.set_zoom(0.8)
    window.view.centerOn(window.scene.nodes["bn3"].sceneBoundingRect().center())
    window.scene.select_nodes(["add1"])
    _settle(app)
    path = HERE / "problem.png"
    window.grab().save(str(path))
    window.document.undo_stack.setClean()
    window.close()
    return path


SHOTS: list[Callable[[QApplication], Path]] = [shot_design, shot_problem]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    for shot in SHOTS:
        print(shot(app).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
