"""What the Training panel does with its recorded runs: delete one (after a
confirmation), resume one, compare two, show them all in a table, sweep
settings, open a run's design on the canvas, export a run as a report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QWidget

from designer.document import Document
from designer.runs import UnreadableRun
from designer.runs.report import write_report
from designer.ui import dialogs
from designer.ui.training.compare import CompareDialog
from designer.ui.training.runs import RunRecord
from designer.ui.training.runs_table import RunsTableDialog
from designer.ui.training.sweep_dialog import SweepDialog

if TYPE_CHECKING:
    from designer.ui.training.controls import TrainingControls
    from designer.ui.training.runs import RunHistory
    from designer.ui.training.runs_list import RunsList

D = TypeVar("D", bound=QDialog)


class TrainingPanel(Protocol):
    """What the actions use of the Training panel (which owns them: no import back)."""

    document: Document | None
    runs_list: RunsList
    controls: TrainingControls
    running_changed: Any

    @property
    def history(self) -> RunHistory | None: ...

    @property
    def running(self) -> bool: ...

    def start(self, resume: RunRecord | None = None) -> bool: ...

    def window(self) -> QWidget: ...


def open_run_design(document: Document, record: RunRecord) -> None:
    """Put ``record``'s design and settings in ``document``: one undo step (Undo brings the current ones back)."""
    snapshot = record.snapshot
    if snapshot is None:
        raise ValueError(f"{record.label} has no design to open")
    with document.macro(f"Open {record.label}'s design"):
        document.remove_nodes(document.graph.node_ids())
        document.paste(snapshot.graph.records(), offset=(0.0, 0.0))
        document.set_settings("training", snapshot.training.as_dict(), f"{record.label}'s training settings")
        # A run without augmentation saved no augment key: it opens with augmentation off, not the current one.
        document.set_settings("data", {"augment": {}, **snapshot.data.as_dict()}, f"{record.label}'s data settings")


class RunActions(QObject):
    """Follows the panel's runs list and acts on what it asks for."""

    def __init__(self, panel: TrainingPanel) -> None:
        super().__init__(panel)  # type: ignore[arg-type]  # the panel is a QWidget
        self.panel = panel
        self.dialogs: list[QDialog] = []  # open comparison and table windows (closed with the panel's document)
        runs = panel.runs_list
        runs.delete_requested.connect(self.delete)
        runs.resume_requested.connect(self.resume)
        runs.compare_requested.connect(self.compare)
        runs.table_requested.connect(self.show_table)
        runs.open_design_requested.connect(self.open_design)
        runs.sweep_requested.connect(self.show_sweep)
        runs.report_requested.connect(self.export_report)
        panel.running_changed.connect(runs.set_running)

    def delete(self, target: RunRecord | UnreadableRun) -> bool:
        """Delete a run's folder once the user agrees; True when it is gone."""
        history = self.panel.history
        if history is None:
            return False
        if isinstance(target, UnreadableRun):
            question = f"Delete {target.id}? It cannot be read ({target.reason}); its folder {target.folder} and everything in it go."
        else:
            where = f" and its folder {target.folder}" if target.folder is not None else ""
            question = f"Delete {target.label} ({target.result_text()}){where}? This cannot be undone."
        if not dialogs.ask_yes_no(self.panel, "Delete run", question):
            return False
        try:
            if isinstance(target, UnreadableRun):
                history.remove_unreadable(target)
            else:
                history.remove(target)
        except OSError as exc:
            self.panel.controls.show_message(f"The run could not be deleted: {exc}", "error")
            return False
        return True

    def resume(self, record: RunRecord) -> bool:
        return self.panel.start(resume=record)

    def compare(self, first: RunRecord, second: RunRecord) -> CompareDialog:
        dialog = CompareDialog(first, second, self.panel.window())
        dialog.open_design_requested.connect(self.open_design)
        return self._show(dialog)

    def show_table(self) -> RunsTableDialog | None:
        history = self.panel.history
        if history is None:
            return None
        dialog = RunsTableDialog(history, self.panel.window())
        dialog.run_chosen.connect(self.panel.runs_list.select)
        return self._show(dialog)

    def show_sweep(self) -> SweepDialog | None:
        panel = self.panel
        if panel.document is None or panel.history is None:
            return None
        dialog = SweepDialog(panel.document, panel.history, panel.window())
        dialog.applied.connect(lambda text: panel.controls.show_message(text, "ok"))
        return self._show(dialog)

    def export_report(self, record: RunRecord, path: str | None = None) -> Path | None:
        """Write ``record`` as a self-contained HTML report (asks where unless ``path`` is given)."""
        suggested = f"{record.snapshot.name if record.snapshot else 'run'} {record.label}.html".replace(" ", "-").lower()
        if record.folder is not None:
            suggested = str(record.folder / "report.html")
        path = path or dialogs.ask_save_path(self.panel, "Export the run as an HTML report", suggested, "HTML files (*.html)")
        if not path:
            return None
        try:
            written = write_report(record, path)
        except OSError as exc:
            self.panel.controls.show_message(f"The report could not be written: {exc}", "error")
            return None
        self.panel.controls.show_message(f"Wrote {record.label}'s report to {written}.", "ok")
        return written

    def open_design(self, record: RunRecord) -> bool:
        document = self.panel.document
        if document is None or record.snapshot is None or self.panel.running:
            return False
        open_run_design(document, record)
        self.panel.controls.show_message(f"Opened {record.label}'s design and settings (Undo brings back the previous ones).", "ok")
        return True

    def close_dialogs(self) -> None:
        for dialog in self.dialogs:
            dialog.close()
        self.dialogs = []

    def _show(self, dialog: D) -> D:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _=0, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        dialog.show()
        return dialog
