"""Start, Pause/Resume and Stop (the same actions as the toolbar's), a
progress bar with the epoch and batch, the speed and time left, and the
run's message: why it ended, or what went wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QVBoxLayout, QWidget

from designer.ui.training.progress import ProgressClock

ERROR_COLOUR, OK_COLOUR, WARNING_COLOUR, MUTED = "#d73a49", "#2a9467", "#9a6700", "#57606a"


class TrainingControls(QWidget):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        row = QHBoxLayout()
        self.buttons: list[QToolButton] = []
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
            self.buttons.append(button)
        self.progress = QProgressBar(self)
        # Blank until a run starts: Qt's bar shows no text while its value is below
        # its range (-1 at first), and runs opened from disk show their own results.
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        row.addWidget(self.progress, 1)
        column.addLayout(row)
        self.speed = QLabel(self)  # samples/s, time left, device
        self.speed.setStyleSheet(f"color: {MUTED};")
        column.addWidget(self.speed)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it shows file names and data notes as they are
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Room for two lines, always: a message that comes and goes would lay every
        # plot below out again, the longest stall of a run's start and end.
        self.message.setMinimumHeight(2 * self.message.fontMetrics().lineSpacing())
        column.addWidget(self.message)

    def show_progress(self, clock: ProgressClock, device: str) -> None:
        p = clock.position
        # QProgressBar.setValue repaints at once (synchronously); held back, it paints with the rest.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(int(1000 * clock.fraction))
        if p.batches:
            self.progress.setFormat(f"epoch {p.epoch}/{clock.epochs} · batch {p.batch}/{p.batches}")
        self.progress.setUpdatesEnabled(True)
        self.progress.update()
        speed = clock.text()
        self.speed.setText(" · ".join(t for t in (speed, device) if t))

    def show_stage(self, text: str) -> None:
        """Before the first batch (loading the data, compiling) and after the end."""
        self.progress.setFormat(text)

    def start_run(self, text: str) -> None:
        """A new run's first stage, on an empty bar: from the blank one (its
        text shows only with a value) or the last run's full one."""
        self.progress.setValue(0)
        self.progress.setFormat(text)

    def show_message(self, text: str, kind: str = "info") -> None:
        colour = {"error": ERROR_COLOUR, "ok": OK_COLOUR, "warning": WARNING_COLOUR}.get(kind, MUTED)
        self.message.setStyleSheet(f"color: {colour};" + (" font-weight: bold;" if kind == "error" else ""))
        self.message.setText(text)
        self.message.setToolTip(text)
