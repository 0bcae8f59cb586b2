"""The Insight panel in the main window: its dock (tabbed with the Training
panel at the bottom), the View menu's toggle (Ctrl+I), the canvas outline of
the node the forward stepper is at, and the results' "open this sample"."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

from designer.document import Document
from designer.ui.canvas.scene import DesignScene
from designer.ui.insight.panel import InsightPanel
from designer.ui.scrolling import scrolling
from designer.ui.training.panel import TrainingPanel
from designer.ui.training.runs import RunRecord

SHARE = 0.48  # of the window's height for the bottom docks when the panel is brought up


class InsightDock(QObject):
    """The panel docked in ``window`` behind ``beside``; it follows ``training``'s runs."""

    node_clicked = Signal(str)
    message = Signal(str)

    def __init__(self, window: QMainWindow, beside: QDockWidget, training: TrainingPanel) -> None:
        super().__init__(window)
        self.window = window
        self.training = training
        self.scene: DesignScene | None = None
        self.panel = InsightPanel(window)
        self.dock = QDockWidget("Insight", window)
        self.dock.setObjectName("insight")
        self.dock.setWidget(scrolling(self.panel))  # squeezed, it scrolls: the canvas keeps its room
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.tabifyDockWidget(beside, self.dock)
        self.dock.hide()  # until asked for: a hidden panel computes nothing
        self.toggle_action = QAction("&Insight", window)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+I"))
        self.toggle_action.setStatusTip("Look inside the network for one sample: outputs, weights, activations, explanations (Ctrl+I)")
        self.toggle_action.setCheckable(True)
        self.toggle_action.triggered.connect(self._on_toggle)
        self.dock.visibilityChanged.connect(lambda _: self.toggle_action.setChecked(not self.dock.isHidden()))
        self.panel.highlighted.connect(self._on_highlighted)
        self.panel.node_clicked.connect(self.node_clicked)
        self.panel.message.connect(self.message)
        training.results.sample_requested.connect(self.open_sample)

    def set_document(self, document: Document, scene: DesignScene) -> None:
        self.scene = scene
        self.panel.set_document(document, self.training.history)

    def show_panel(self) -> None:
        """Bring the panel to the front with room for its views."""
        self.dock.show()
        self.dock.raise_()
        wanted = int(self.window.height() * SHARE)
        if self.dock.height() < wanted - 40:
            self.window.resizeDocks([self.dock], [wanted], Qt.Orientation.Vertical)

    def open_sample(self, record: RunRecord | None, sample: int) -> None:
        """A sample clicked in the Training panel's results: show it here with that run's weights."""
        self.show_panel()
        self.panel.open_sample(sample, record)

    def _on_toggle(self, checked: bool) -> None:
        if checked:
            self.show_panel()
        else:
            self.dock.hide()

    def _on_highlighted(self, node: str | None) -> None:
        if self.scene is not None:
            self.scene.set_highlighted(node)

    def shutdown(self) -> None:
        self.panel.shutdown()
