"""The Insight panel in the main window: its dock (tabbed with the Training
panel at the bottom), the View menu's toggle (Ctrl+I), the canvas outline of
the node the forward stepper is at, and the results' "open this sample".

The panel (pyqtgraph, numpy and the Training panel's runs behind it) is built
the first time it is shown or asked for (``InsightDock.panel``); until then
the dock holds an empty placeholder, so a window starts without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

from designer.document import Document
from designer.ui.canvas.scene import DesignScene
from designer.ui.docks import build_when_in_view, give_room, give_room_when_chosen, put_in_dock

if TYPE_CHECKING:
    from designer.ui.insight.panel import InsightPanel
    from designer.ui.training.dock import TrainingDock
    from designer.ui.training.panel import TrainingPanel
    from designer.ui.training.runs import RunRecord

SHARE = 0.48  # of the window's height for the bottom docks when the panel is brought up


class InsightDock(QObject):
    """The panel in the window's ``dock`` (tabbed with the Training panel,
    hidden until asked for, a placeholder in it until the panel is first
    shown); it follows ``training``'s runs."""

    node_clicked = Signal(str)
    message = Signal(str)

    def __init__(self, window: QMainWindow, dock: QDockWidget, training: TrainingDock) -> None:
        super().__init__(window)
        self.window = window
        self.training = training
        self.document: Document | None = None
        self.scene: DesignScene | None = None
        self._nodes: list[str] = []  # the canvas selection, for the panel once built
        self._panel: InsightPanel | None = None
        self.dock = dock
        give_room_when_chosen(window, self.dock, SHARE)
        build_when_in_view(self.window, self.dock, lambda: self._panel is not None, self._build_panel)
        self.toggle_action = QAction("&Insight", window)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+I"))
        self.toggle_action.setStatusTip("Look inside the network for one sample: outputs, weights, activations, explanations (Ctrl+I)")
        self.toggle_action.setCheckable(True)
        self.toggle_action.triggered.connect(self._on_toggle)
        self.dock.visibilityChanged.connect(lambda _: self.toggle_action.setChecked(not self.dock.isHidden()))
        training.built.connect(self._on_training_built)
        if training.built_panel is not None:
            self._on_training_built(training.built_panel)

    @property
    def panel(self) -> InsightPanel:
        """The Insight panel, built now if it was not yet."""
        if self._panel is None:
            self._build_panel()
        assert self._panel is not None
        return self._panel

    def _build_panel(self) -> None:
        from designer.ui.insight.panel import InsightPanel  # pyqtgraph, numpy, torch's helpers: not at start

        history = self.training.panel.history if self.document is not None else None  # builds the Training panel too
        panel = self._panel = InsightPanel(self.window)
        put_in_dock(self.dock, panel)
        panel.highlighted.connect(self._on_highlighted)
        panel.node_clicked.connect(self.node_clicked)
        panel.message.connect(self.message)
        if self.document is not None:
            panel.set_document(self.document, history)
            panel.show_nodes(self._nodes)

    def _on_training_built(self, training: TrainingPanel) -> None:
        training.results.sample_requested.connect(self.open_sample)

    def set_document(self, document: Document, scene: DesignScene) -> None:
        self.document, self.scene, self._nodes = document, scene, []
        if self._panel is not None:
            self._panel.set_document(document, self.training.panel.history)

    def show_nodes(self, nodes: list[str]) -> None:
        """Follow the canvas selection (once built, the panel shows these nodes)."""
        self._nodes = list(nodes)
        if self._panel is not None:
            self._panel.show_nodes(self._nodes)

    def show_panel(self) -> None:
        """Bring the panel to the front with room for its views."""
        self.dock.show()
        self.dock.raise_()
        give_room(self.window, self.dock, SHARE)

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
        if self._panel is not None:
            self._panel.shutdown()
