"""The Export menu: the model to ONNX or to a standalone PyTorch file, on a
worker thread; the canvas as PNG or SVG.

A model export asks which weights to write, and says which it wrote: the
latest training run's kept weights when they fit the design as it is (the
default right after a run), the weights saved beside the project, or fresh
untrained ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QMenu, QWidget

from designer.document import Document
from designer.project import Project, ProjectError, dumps, loads
from designer.ui import dialogs
from designer.ui.background import run_in_background
from designer.ui.canvas.scene import DesignScene
from designer.ui.training.devices import wait_for_warm_up

if TYPE_CHECKING:
    from designer.compile import OnnxExport, PythonExport


class CanvasWindow(Protocol):
    """What the exports need of the window that shows the document and its
    canvas (the main window), so this module does not import it."""

    document: Document | None
    scene: DesignScene | None

    def show_message(self, text: str) -> None: ...

    def window(self) -> QWidget: ...  # QWidget.window(): the parent of dialogs and of the export's thread

    def latest_run_weights(self) -> tuple[str, dict] | None: ...  # (the run's label, its kept weights) when they fit the design


@dataclass(frozen=True)
class WeightsChoice:
    """Weights an export can write: what the dialog and the message call them, and the tensors (None: fresh ones)."""

    label: str
    described: str
    weights: dict | None


class ExportActions:
    def __init__(self, window: CanvasWindow) -> None:
        self.window = window

    @property
    def _parent(self) -> QWidget:
        return self.window.window()

    def fill_menu(self, menu: QMenu) -> None:
        menu.addAction("&ONNX…", self.export_onnx).setStatusTip("The model as ONNX, checked with onnxruntime")
        menu.addAction("P&ython…", self.export_python).setStatusTip("The model as a PyTorch file that needs only torch")
        menu.addSeparator()
        menu.addAction("Canvas as &PNG…", self.export_png)
        menu.addAction("Canvas as &SVG…", self.export_svg)

    # ------------------------------------------------------------ models
    def _snapshot(self) -> tuple[Project, WeightsChoice] | None:
        """An independent copy of the project (the export runs on another
        thread) and the weights the user chose; None when the user gives up."""
        document = self.window.document
        errors = document.analysis().errors
        if errors:
            problems = "\n".join(f"{p.node or 'design'}: {p.message}" for p in errors[:8])
            dialogs.show_error(self._parent, "Cannot export", f"The design has problems; fix them first:\n{problems}")
            return None
        project = loads(dumps(document.project))
        project.path = document.path
        choices, note = self.weight_choices(project)
        if len(choices) == 1 and not note:  # nothing trained yet: no question with one answer (the status line names the weights)
            return project, choices[0]
        text = "Which weights should the exported model hold?" + (f"<br><span style='color:#57606a'>{note}</span>" if note else "")
        index = dialogs.ask_choice(self._parent, "Export: which weights", text, [c.label for c in choices], 0)
        if index is None:
            return None
        return project, choices[index]

    def weight_choices(self, project: Project) -> tuple[list[WeightsChoice], str]:
        """The weights that fit ``project``'s design, the best first (the latest
        run's, then the saved file's, then fresh ones), and a note on weights
        that exist but no longer fit."""
        choices, notes = [], []
        run = self.window.latest_run_weights()
        if run is not None:
            label, weights = run
            choices.append(WeightsChoice(f"The trained weights of {label} (the latest run)", f"{label}'s trained weights", weights))
        elif self.window.has_run_weights():
            notes.append("This session's runs trained the design before its last changes: their weights no longer fit.")
        from designer.compile import trained_weights  # the compiler: not at start

        try:
            saved = trained_weights(project)
        except ProjectError as exc:
            saved = None
            notes.append(f"The saved weights do not fit the design as it is now ({exc}).")
        if saved is not None and project.weights_path is not None:
            name = project.weights_path.name
            choices.append(WeightsChoice(f"The weights saved beside the project ({name})", f"the saved weights ({name})", saved))
        choices.append(WeightsChoice("Fresh, untrained weights", "fresh untrained weights", None))
        return choices, " ".join(notes)

    def _prepare(self, path: str | None, title: str, suffix: str, file_filter: str) -> tuple[Project, WeightsChoice, str] | None:
        """The project copy, its weights and the target path; None when the
        design cannot be exported or the user cancels."""
        snapshot = self._snapshot()
        if snapshot is None:
            return None
        path = path or dialogs.ask_save_path(self._parent, title, self._suggest(suffix), file_filter)
        return (*snapshot, path) if path else None

    def export_onnx(self, path: str | None = None) -> None:
        prepared = self._prepare(path, "Export ONNX", ".onnx", "ONNX models (*.onnx)")
        if prepared is None:
            return
        project, choice, path = prepared
        from designer.compile import export_onnx  # the compiler and the exporters: not at start

        def work() -> OnnxExport:
            wait_for_warm_up()  # it exports too: two exports at once would share the exporter's global settings
            return export_onnx(project.graph, path, weights=choice.weights)

        def done(result: OnnxExport) -> None:
            check = result.verification
            verified = f"; onnxruntime matches PyTorch (max difference {check.max_abs_diff:.1e})" if check else ""
            # the weights' own words say trained or untrained ("fresh untrained weights", "run 2's trained weights")
            self.window.show_message(f"Exported the model with {choice.described} to {Path(path).name} in {result.seconds:.1f} s{verified}")

        run_in_background(self._parent, "Exporting to ONNX and checking it with onnxruntime…", work, done, self._failed("ONNX"))

    def export_python(self, path: str | None = None) -> None:
        prepared = self._prepare(path, "Export Python", ".py", "Python files (*.py)")
        if prepared is None:
            return
        project, choice, path = prepared
        from designer.compile import export_python  # the compiler: not at start

        def done(result: PythonExport) -> None:
            extra = f" and {choice.described} to {result.weights_path.name}" if result.weights_path else f" ({choice.described})"
            self.window.show_message(f"Exported class {result.class_name} to {result.path.name}{extra}")

        run_in_background(
            self._parent,
            "Writing the PyTorch file…",
            lambda: export_python(project.graph, path, weights=choice.weights),
            done,
            self._failed("Python"),
        )

    def _failed(self, what: str):
        def show(exc: BaseException) -> None:
            dialogs.show_error(self._parent, f"{what} export failed", str(exc))

        return show

    def _suggest(self, suffix: str) -> str:
        return dialogs.beside(self.window.document.path, suffix, "design")

    def export_png(self, path: str | None = None) -> Path | None:
        path = path or dialogs.ask_save_path(self._parent, "Export canvas as PNG", self._suggest(".png"), "PNG images (*.png)")
        if not path:
            return None
        rect = self.window.scene.items_rect()
        scale = 2.0  # sharp on high-density screens and in documents
        image = QImage(QSize(int(rect.width() * scale), int(rect.height() * scale)), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.window.scene.render(painter, QRectF(image.rect()), rect)
        painter.end()
        if not image.save(path):
            dialogs.show_error(self._parent, "Cannot export", f"{path}: the image could not be written")
            return None
        self.window.show_message(f"Exported the canvas to {Path(path).name}")
        return Path(path)

    def export_svg(self, path: str | None = None) -> Path | None:
        path = path or dialogs.ask_save_path(self._parent, "Export canvas as SVG", self._suggest(".svg"), "SVG drawings (*.svg)")
        if not path:
            return None
        from PySide6.QtSvg import QSvgGenerator  # Qt's SVG module loads when first used, not at start

        rect = self.window.scene.items_rect()
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle(self.window.document.title)
        painter = QPainter(generator)
        self.window.scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        if not Path(path).exists():
            dialogs.show_error(self._parent, "Cannot export", f"{path}: the drawing could not be written")
            return None
        self.window.show_message(f"Exported the canvas to {Path(path).name}")
        return Path(path)
