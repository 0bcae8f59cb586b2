"""The Training panel in the main window: its dock (tabbed with the problems
at the bottom), the Train menu and toolbar actions, the device in the status
bar, and the banner over the canvas while a run trains.

The rule while training: the design is locked. The document refuses every
edit, and the window makes it plain: this dock's banner across the top of the
canvas (with a Stop button); the window itself, on the same locked_changed,
stops the canvas taking edits, disables the palette, the inspector and its
edit actions, and turns undo/redo off until the run ends. Restarting on every edit was the other choice; locking keeps a run's
curves, weights and design in step, and a user who wants to change course
presses Stop (the weights so far are kept), edits, and trains again.

The panel itself (its plots need pyqtgraph and numpy) is built the first time
it is needed: its tab shown, a run started, or ``TrainingDock.panel`` asked
for. Until then the dock holds an empty placeholder and the window has the
Train, Pause and Stop actions already (designer.ui.training.actions), so a
window starts without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFrame, QGraphicsView, QHBoxLayout, QLabel, QMainWindow, QMenu, QToolButton, QWidget

from designer.document import Document
from designer.ui.canvas.scene import DesignScene
from designer.ui.docks import build_when_in_view, give_room, give_room_when_chosen, put_in_dock
from designer.ui.training.actions import TrainingActions
from designer.ui.training.devices import DeviceProbe, Devices

if TYPE_CHECKING:
    from designer.ui.training.panel import TrainingPanel

STARTUP_DELAY_MS = 800  # the device probe starts this long after the window is first shown
SHARE_WHILE_TRAINING = 0.5  # of the window's height for the bottom docks while a run trains


class LockBanner(QFrame):
    """Across the top of the canvas while the design is locked."""

    def __init__(self, view: QWidget, stop: QAction) -> None:
        super().__init__(view)
        self.setObjectName("lock_banner")
        self.setStyleSheet(
            "#lock_banner { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; }"
            "QLabel { color: #3b2300; background: transparent; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel(self)
        row.addWidget(self.label, 1)
        button = QToolButton(self)
        button.setDefaultAction(stop)
        row.addWidget(button)
        view.installEventFilter(self)
        self.hide()

    def show_reason(self, reason: str) -> None:
        self.label.setText(f"<b>Design locked</b> — {reason}. Edits are off until the run ends; Stop keeps the weights so far.")
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        view = self.parentWidget()
        width = min(view.width() - 24, max(420, self.sizeHint().width()))
        self.setGeometry((view.width() - width) // 2, 10, width, self.sizeHint().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


class TrainingDock(QObject):
    """The Training panel docked in ``window``, tabbed behind ``beside``; its
    banner covers ``canvas`` while the document is locked. The window disables
    its own edits on the same lock (MainWindow.edit_actions)."""

    message = Signal(str)  # for the status bar
    built = Signal(object)  # the TrainingPanel, just built (the Insight panel follows its runs)

    def __init__(
        self,
        window: QMainWindow,
        canvas: QWidget,
        dock: QDockWidget,
        save_project: Callable[[], bool],
        run_actions: TrainingActions,
        device_label: QLabel,
    ) -> None:
        """``dock``, ``run_actions`` and ``device_label`` are the window's, made with
        its frame (the dock tabbed with the problems, a placeholder in it until the
        panel is built; the label in the status bar)."""
        super().__init__(window)
        self.window = window
        self.canvas = canvas
        self.document: Document | None = None
        self.scene: DesignScene | None = None
        self._save_project = save_project
        self._panel: TrainingPanel | None = None
        self.run_actions = run_actions
        self.actions = list(self.run_actions)
        self.run_actions.pause.setEnabled(False)  # nothing runs before the panel is built
        self.run_actions.stop.setEnabled(False)
        self.run_actions.start.triggered.connect(self._on_first_start)
        self.dock = dock  # the panel replaces its placeholder when first needed
        build_when_in_view(self.window, self.dock, lambda: self._panel is not None, self._build_panel)
        give_room_when_chosen(window, self.dock, SHARE_WHILE_TRAINING)
        self.device_label = device_label
        self.device_label.setToolTip("The device a run trains on (the project's device setting; auto picks CUDA, then MPS, then the CPU)")
        self.banner = LockBanner(canvas, self.run_actions.stop)
        probe = DeviceProbe.shared()
        probe.found.connect(self._on_devices_found)
        if window.isVisible():  # built after the window was first painted (a start on the start page)
            QTimer.singleShot(STARTUP_DELAY_MS, self, probe.start)
        else:
            window.installEventFilter(self)  # the probe (it imports torch) starts only once the window is shown
        self._devices: Devices | None = probe.devices
        self._show_device("")

    @property
    def panel(self) -> TrainingPanel:
        """The Training panel, built now if it was not yet."""
        if self._panel is None:
            self._build_panel()
        assert self._panel is not None
        return self._panel

    @property
    def built_panel(self) -> TrainingPanel | None:
        """The Training panel if it was built, without building it."""
        return self._panel

    def _build_panel(self) -> None:
        from designer.ui.training.panel import TrainingPanel  # pyqtgraph, numpy, the compiler: not at start

        self.run_actions.start.triggered.disconnect(self._on_first_start)
        panel = self._panel = TrainingPanel(self.window, save_project=self._save_project, actions=self.run_actions)
        put_in_dock(self.dock, panel)
        panel.running_changed.connect(self._on_running_changed)
        panel.device_changed.connect(self._on_device_changed)
        panel.message.connect(self.message)
        panel.plane_mapped.connect(lambda maps: _show_unit_maps(self.canvas, maps))
        panel.start_action.triggered.connect(lambda: self.show_panel())  # after the panel's own start
        if self.document is not None:
            panel.set_document(self.document)
            panel.live.set_scene(self.scene)  # gradient flow and training warnings on this canvas
        self.built.emit(panel)

    def _on_first_start(self) -> None:
        """Train (F5, the toolbar, the menu) before the panel was built: build it and start."""
        if self._panel is None:
            self.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Show:
            self.window.removeEventFilter(self)
            QTimer.singleShot(STARTUP_DELAY_MS, self, DeviceProbe.shared().start)
        return False

    def fill_menu(self, menu: QMenu, before: QAction | None = None) -> None:
        """Train, Pause, Stop and the panel's entry, at the end of ``menu`` or
        before its action ``before`` (then a separator after them)."""
        menu.insertActions(before, self.actions)
        menu.insertSeparator(before)
        menu.insertAction(before, self.dock.toggleViewAction())
        if before is not None:
            menu.insertSeparator(before)

    def set_document(self, document: Document, scene: DesignScene | None = None) -> None:
        """Follow ``document``, shown on ``scene`` (the panel's probes draw on it)."""
        if self.document is not None:
            self.document.locked_changed.disconnect(self._on_locked_changed)
            self.document.settings_changed.disconnect(self._on_settings_changed)
        if self._panel is not None:
            self._panel.set_document(document)
            self._panel.live.set_scene(scene)
        else:
            self.run_actions.start.setEnabled(True)  # as the panel would once it has a document
        self.document, self.scene = document, scene
        document.locked_changed.connect(self._on_locked_changed)
        document.settings_changed.connect(self._on_settings_changed)
        self._on_locked_changed(document.lock_reason)
        self._show_device("")

    def start(self) -> bool:
        """Train, with the panel in view (its message says why when a run cannot start)."""
        started = self.panel.start()
        self.show_panel()
        return started

    def show_panel(self) -> None:
        """Bring the panel to the front with room for the curves."""
        self.dock.show()
        self.dock.raise_()
        give_room(self.window, self.dock, SHARE_WHILE_TRAINING)

    def shutdown(self) -> None:
        if self._panel is not None:
            self._panel.shutdown()

    # ------------------------------------------------------------ handlers
    def _on_locked_changed(self, reason: str) -> None:
        if reason:
            self.banner.show_reason(reason)
        else:
            self.banner.hide()

    def _on_running_changed(self, running: bool) -> None:
        if not running:
            self._show_device("")

    def _on_device_changed(self, device: str) -> None:
        self._show_device(device)

    def _on_devices_found(self, devices: Devices) -> None:
        self._devices = devices
        self._show_device("")

    def _on_settings_changed(self, section: str) -> None:
        if section == "training":
            self._show_device("")

    def _show_device(self, running_on: str) -> None:
        if running_on:
            self.device_label.setText(f"Training on {running_on}")
            return
        if self._panel is not None and self._panel.running:
            return
        wanted = self.document.project.training.get("device", "auto") if self.document else "auto"
        if self._devices is None:
            self.device_label.setText(f"Device: {wanted}")
        else:
            self.device_label.setText(f"Device: {self._devices.label(wanted)}")


def _show_unit_maps(canvas: QWidget, maps: object) -> None:
    """The canvas draws a run's hidden-unit maps in its nodes (designer.ui.canvas.unit_maps)."""
    from designer.ui.training.live_boundary import PlanePictures

    scene = canvas.scene() if isinstance(canvas, QGraphicsView) else None
    if isinstance(scene, DesignScene) and isinstance(maps, PlanePictures):
        scene.show_plane_maps(maps.maps, maps.tiles)
