"""The Training panel: data and settings on the left, the controls and live
curves in the middle, the runs and the chosen run's results on the right.

A run trains a snapshot of the project on a worker thread (worker.py). While
it runs the design is locked (Document.set_locked): every edit is refused and
the window says so on the canvas; the lock lifts when the run ends, however
it ends. Each run is recorded beside the project (designer.runs) as it goes;
the weights a run kept also stay with its record in this session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from designer.compile import OnnxExport, export_onnx
from designer.document import Document
from designer.document.workers import Worker
from designer.graph import ERROR
from designer.insight import diagnosis
from designer.insight.playground import PlaneProbe, plane_reason
from designer.project import Project
from designer.project.settings import TRAINING
from designer.runs import RunStore, load_resume
from designer.runs.files import RunFileError
from designer.runs.formatting import duration_text
from designer.runs.outcome import RunOutcome
from designer.runs.recorder import Recording
from designer.train import FAILED, STOPPED, BatchReport, EpochMetrics, output_paths, save_results
from designer.train.freezing import frozen_fresh
from designer.ui import dialogs
from designer.ui.background import run_in_background
from designer.ui.training.actions import TrainingActions, training_actions
from designer.ui.training.controls import TrainingControls
from designer.ui.training.data_section import DataSourceEditor
from designer.ui.training.live_boundary import LiveBoundary, PlanePictures, plane_pictures
from designer.ui.training.live_watch import LiveWatch
from designer.ui.training.plots import TrainingPlots
from designer.ui.training.progress import ProgressClock
from designer.ui.training.results import ResultsView
from designer.ui.training.run_actions import RunActions
from designer.ui.training.runs import RunHistory, RunRecord
from designer.ui.training.runs_list import RunsList
from designer.ui.training.settings_form import SettingsForm
from designer.ui.training.worker import LOADING_DATA, RunInfo, RunWatcher, TrainingRun

RESULTS_DELAY_MS = 15
PLANE = "plane"  # the kind of news a run's PlaneProbe publishes


def _scrolled(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class TrainingPanel(QWidget):
    running_changed = Signal(bool)
    device_changed = Signal(str)  # the running run's device, "" when none runs
    message = Signal(str)  # for the status bar
    plane_mapped = Signal(object)  # a run's newest PlanePictures (2-D designs): the canvas draws its unit maps

    def __init__(
        self, parent: QWidget | None = None, save_project: Callable[[], bool] | None = None, actions: TrainingActions | None = None
    ) -> None:
        """``save_project`` saves an untitled project (the window's Save As) so
        weights can be saved beside it; without it they cannot be."""
        super().__init__(parent)
        self.document: Document | None = None
        self.run: TrainingRun | None = None
        self.record: RunRecord | None = None  # the record of the run in progress
        self._frozen_fresh = ""  # what the run's frozen nodes that started from fresh weights are (they stay random)
        self.clock: ProgressClock | None = None
        self._save_project = save_project or (lambda: False)
        self._histories: dict[object, RunHistory] = {}
        self._export: Worker | None = None  # an ONNX export in progress
        self._results_pending = False
        self.plane_maps = True  # map the input plane of 2-D designs while training (the live boundary, the unit maps)
        # the window's Train, Pause and Stop when it made them before this panel (designer.ui.training.dock)
        self.start_action, self.pause_action, self.stop_action = actions or training_actions(self)
        self.start_action.triggered.connect(lambda: self.start())
        self.pause_action.toggled.connect(self._on_pause_toggled)
        self.stop_action.triggered.connect(lambda: self.stop())
        self._build()
        self._update_actions()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.side = QTabWidget(self.splitter)
        centre = QWidget(self.splitter)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        self.controls = TrainingControls([self.start_action, self.pause_action, self.stop_action], centre)
        self.plots = TrainingPlots(centre)
        centre_layout.addWidget(self.controls)
        self.curves = curves = QSplitter(Qt.Orientation.Horizontal, centre)
        curves.addWidget(self.plots)
        self.live_boundary = LiveBoundary(curves)  # shown for a 2-D design (see _fit_boundary_column)
        self.live_boundary.hide()
        self._boundary_unsized = False
        self._boundary_check = QTimer(self)  # after edits, once: whether the design still maps its plane
        self._boundary_check.setSingleShot(True)
        self._boundary_check.timeout.connect(self._fit_boundary_column)
        curves.addWidget(self.live_boundary)
        curves.setStretchFactor(0, 3)
        curves.setStretchFactor(1, 1)  # the loss curves keep the larger part as the window grows
        centre_layout.addWidget(curves, 1)
        self.live = LiveWatch(self.plots.loss, self)  # probes on the run: gradient flow, warnings, gradients, weights
        right = QSplitter(Qt.Orientation.Vertical, self.splitter)
        self.runs_list = RunsList(right)
        self.results = ResultsView(right)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 3)
        right.setSizes([120, 320])
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 700, 420])
        self.splitter.insertWidget(2, self.live.views)  # beside the curves
        self.splitter.setStretchFactor(2, 1)
        layout.addWidget(self.splitter)
        self.runs_list.run_selected.connect(self._on_run_selected)
        self.run_actions = RunActions(self)  # delete, resume, compare, the runs table, open a run's design
        self.results.save_requested.connect(self.save_weights)
        self.results.export_requested.connect(self.export_onnx)
        self.data_editor: DataSourceEditor | None = None
        self.settings_form: SettingsForm | None = None

    # ------------------------------------------------------------ document
    def set_document(self, document: Document | None) -> None:
        """Follow ``document`` (a run of the old one is stopped first)."""
        if self.document is not None:
            self.shutdown()
            self.document.path_changed.disconnect(self._on_path_changed)
            self.document.undo_stack.indexChanged.disconnect(self._boundary_check.start)
            for editor in (self.data_editor, self.settings_form):
                if editor is not None:
                    editor.deleteLater()  # they follow the old document until they are gone
        self.side.clear()
        self.run_actions.close_dialogs()
        self.data_editor = self.settings_form = None
        self.document = document
        if document is None:
            return
        self.data_editor = DataSourceEditor(document, self)
        self.settings_form = SettingsForm(document, "training", TRAINING, self)
        for editor in (self.data_editor, self.settings_form):
            editor.refused.connect(lambda reason: self.controls.show_message(reason, "error"))
        self.side.addTab(_scrolled(self.data_editor, self), "Data")
        self.side.addTab(_scrolled(self.settings_form, self), "Settings")
        document.path_changed.connect(self._on_path_changed)
        history = self._histories.get(self._key(document))
        if history is None:
            history = self._histories[self._key(document)] = RunHistory(self, RunStore.of(document.path) if document.path else None)
        else:
            history.refresh()  # runs other processes recorded meanwhile
        self.plots.set_history(history)
        self.plots.project_path = document.path
        self.runs_list.set_history(history)
        document.undo_stack.indexChanged.connect(self._boundary_check.start)
        self._boundary_check.start()
        self._update_actions()

    def _fit_boundary_column(self) -> None:
        """Give the live boundary its column while the design maps its plane (a 2-D
        design), and take it away when it does not: decided when the design opens
        or changes, never during a run, where laying the curves out again stalled
        the window (50-60 ms of the UI thread at the first pictures)."""
        if self.document is None or self.running:
            return
        wanted = plane_reason(self.document.graph) is None
        if wanted == self.live_boundary.isHidden():
            self.live_boundary.setVisible(wanted)
            if wanted:
                self._size_boundary_column()

    def _size_boundary_column(self) -> None:
        """About square, the loss curves keep the larger part (once the panel has a size)."""
        total = sum(self.curves.sizes())
        if total <= 0 or self.curves.height() <= 0:
            self._boundary_unsized = True  # sized when the panel is first laid out (showEvent)
            return
        self._boundary_unsized = False
        side = min(total // 3, self.curves.height() + 60)
        self.curves.setSizes([total - side, side])

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._boundary_unsized:
            QTimer.singleShot(0, self, self._size_boundary_column)  # once the layout has given the splitter its size

    def _key(self, document: Document) -> object:
        """Runs belong to a project file (so reopening it in this session finds them), or to an untitled document."""
        return str(document.path.resolve()) if document.path else document

    def _on_path_changed(self, path: object) -> None:
        history = self.history
        if self.document is not None and history is not None:
            self._histories = {k: h for k, h in self._histories.items() if h is not history}
            self._histories[self._key(self.document)] = history
            if self.document.path is not None:
                history.set_store(RunStore.of(self.document.path))  # new runs go beside the file
            self.plots.project_path = self.document.path

    @property
    def history(self) -> RunHistory | None:
        return self.plots.history

    @property
    def running(self) -> bool:
        return self.run is not None and self.run.running

    # ------------------------------------------------------------- control
    def start(self, resume: RunRecord | None = None) -> bool:
        """Start a run of the current design, or continue ``resume`` (a stopped
        or crashed run) from its checkpoint; False (with the reason shown) when it cannot."""
        document, history = self.document, self.history
        if document is None or history is None or self.running:
            return False
        if resume is not None:
            return self._resume(resume)
        errors = [p for p in document.data_problems + document.analysis().problems if p.severity == ERROR]
        if errors:
            first = errors[0]
            where = f"{first.node}: " if first.node else ""
            self.controls.show_message(f"Fix the design's problems first ({len(errors)}): {where}{first.message}", "error")
            return False
        record, snapshot = history.start_run(document.project)
        recording = Recording(history.store, record.stored_copy(), snapshot) if record.folder is not None else None
        return self._launch(record, snapshot, recording)

    def _resume(self, record: RunRecord) -> bool:
        """Continue ``record`` with its own design and settings from its last checkpoint."""
        history = self.history
        if not record.resumable or history is None or history.store is None or record.snapshot is None:
            self.controls.show_message(f"{record.label} cannot be resumed: only a stopped or crashed run with a checkpoint can.", "error")
            return False
        try:
            state, extra = load_resume(record.folder)
        except RunFileError as exc:
            self.controls.show_message(f"{record.label} cannot be resumed: {exc}", "error")
            return False
        snapshot = record.snapshot
        snapshot.path = self.document.path
        record.truncate(state.epoch)
        record.status, record.message, record.outcome = "running", "", None
        history.resumed(record)
        self.plots.update_run(record)
        recording = Recording(history.store, record.stored_copy(), snapshot, state, extra)
        return self._launch(record, snapshot, recording)

    def _launch(self, record: RunRecord, snapshot: Project, recording: Recording | None) -> bool:
        document = self.document
        self.record = record
        if self._boundary_check.isActive():  # an edit a moment ago: decide now, before the run draws
            self._boundary_check.stop()
            self._fit_boundary_column()
        plane = self._plane_watchers(snapshot)
        watchers = [*self.live.watchers(snapshot.graph), *plane]
        start = document.start_weights if document is not None else None  # weights loaded into the design
        self.run = TrainingRun(snapshot, self, watchers=watchers, recording=recording, start=start)
        self.run.prepared.connect(self._on_prepared)
        self.run.staged.connect(self.controls.show_stage)
        self.run.updated.connect(self._on_updated)
        self.run.observed.connect(self._on_plane_observed)
        self.live_boundary.reset(mapped=bool(plane))
        self.run.ended.connect(self._on_ended)
        # Once its thread is over the run goes, and with it its trainer, module and data: the
        # record keeps what is shown and saved (kept around, every run held its whole trainer).
        self.run.worker.finished.connect(self.run.deleteLater)
        self.live.attach(self.run, record)
        document.set_locked(f"{record.label} is training")
        self.controls.start_run(LOADING_DATA)
        # Frozen layers that start from fresh weights never learn: said at the start and at the end.
        self._frozen_fresh = frozen_fresh(snapshot.graph) if start is None else ""
        if self._frozen_fresh:
            self.controls.show_message(f"{self._frozen_fresh}: Train > Load Weights into Design… first, or unfreeze them", "warning")
        else:
            self.controls.show_message("")
        self.run.start()
        self._update_actions()
        self.running_changed.emit(True)
        self.message.emit(f"Training {record.label}…")
        return True

    def stop(self) -> None:
        if self.running:
            self.run.stop()
            self.controls.show_stage("stopping before the next batch…")

    def _on_pause_toggled(self, paused: bool) -> None:
        if not self.running:
            return
        if paused:
            self.run.pause()
            self.controls.show_stage(self.controls.progress.format() + " · paused")
        else:
            self.run.resume()
        self.pause_action.setText("Resume" if paused else "Pause")

    def shutdown(self, timeout_ms: int = 60_000) -> None:
        """Stop a run and wait for its thread (before the document goes, or the window closes)."""
        run = self.run
        if run is not None and run.running:
            run.stop()
            run.resume()
            run.wait(timeout_ms)  # delivers the run's end
        if self._export is not None:
            self._export.wait(timeout_ms / 1000)

    # -------------------------------------------------------- run signals
    def _on_prepared(self, info: RunInfo) -> None:
        if self.record is None:
            return
        self.record.device = info.device
        self.record.metric_name = info.metric_name
        self.clock = ProgressClock(info.settings.epochs, info.train_samples)
        self.controls.show_stage(f"epoch 1/{info.settings.epochs} · starting")
        if info.notes:  # what loading the data did that the user should know (the results repeat it)
            self.controls.show_message("; ".join(info.notes))
        self.controls.speed.setText(info.device)
        self.device_changed.emit(info.device)
        self.history.changed(self.record)

    def _on_updated(self, batches: list[BatchReport], epochs: list[EpochMetrics]) -> None:
        record = self.record
        if record is None:
            return
        record.add_batches(batches)
        record.add_epochs(epochs)
        self.plots.update_run(record)
        if self.clock is not None:
            self.clock.feed(batches)
            self.controls.show_progress(self.clock, record.device)
            if self.run is not None and self.run.paused:
                self.controls.show_stage(self.controls.progress.format() + " · paused")
        if epochs:
            self.history.changed(record)

    def _plane_watchers(self, snapshot: Project) -> list[RunWatcher]:
        """A PlaneProbe for a design on 2-D data (the live boundary and the unit maps), unless turned off."""
        if not self.plane_maps or plane_reason(snapshot.graph) is not None:
            return []
        graph = snapshot.graph
        return [lambda publish: PlaneProbe(graph, lambda maps: publish(PLANE, plane_pictures(maps)))]

    def _on_plane_observed(self, news: list[tuple[str, object]]) -> None:
        maps = [item for kind, item in news if kind == PLANE]
        if maps:
            self._on_plane_mapped(maps[-1])  # only the newest is drawn

    def _on_plane_mapped(self, pictures: PlanePictures) -> None:
        if self.live_boundary.isHidden():  # a resumed run of an earlier 2-D design
            self.live_boundary.show()
            self._size_boundary_column()
        self.live_boundary.show_maps(pictures.maps, pictures.boundary)
        self.plane_mapped.emit(pictures)

    def _on_ended(self, outcome: RunOutcome) -> None:
        record, self.run = self.record, None
        self.record = None
        if self.document is not None:
            self.document.set_locked(None)
        if record is not None:
            record.status, record.message = outcome.status, outcome.message
            record.best_epoch = outcome.result.best_epoch
            record.metric_name = outcome.metric_name
            record.device = outcome.device or record.device  # with the CPU threads the run chose
            record.outcome = outcome
            if self.history is not None and record in self.history.runs:
                self.history.ended(record)
                self.runs_list.select(record)
            self.plots.update_run(record)
        failed = outcome.status == FAILED
        self.controls.show_stage(outcome.status.replace("_", " "))
        if record is not None and record.epochs:
            seconds = sum(m.seconds for m in record.epochs)
            rate = sum(m.samples_per_second for m in record.epochs) / len(record.epochs)
            self.controls.speed.setText(
                f"{len(record.epochs)} epochs in {duration_text(seconds)} · {rate:,.0f} samples/s · {record.device}"
            )
        caveats = [self._frozen_fresh] if self._frozen_fresh else []
        if self.live.problems:  # a run that "finished" at chance: say why where the user looks first (the list beside says more)
            caveats.append(f"watching found {diagnosis.summary(self.live.problems)}")
        if caveats and not failed:
            self.controls.show_message("; ".join([outcome.message, *caveats]), "warning")
        else:
            self.controls.show_message(outcome.message, "error" if failed else "info" if outcome.status == STOPPED else "ok")
        self.pause_action.setChecked(False)
        self._update_actions()
        self.running_changed.emit(False)
        self.device_changed.emit("")
        self.message.emit(f"{record.label if record else 'The run'}: {outcome.message}")

    def _on_run_selected(self, record: RunRecord | None) -> None:
        # Drawn a moment later, once: a run's end already has the curves and controls to redraw,
        # and input waiting meanwhile gets its turn in between.
        if not self._results_pending:
            self._results_pending = True
            QTimer.singleShot(RESULTS_DELAY_MS, self, self._show_results)
        self._update_actions()

    def _show_results(self) -> None:
        self._results_pending = False
        self.results.show_run(self.runs_list.selected)

    def _update_actions(self) -> None:
        running = self.running
        self.start_action.setEnabled(self.document is not None and not running)
        self.pause_action.setEnabled(running)
        self.stop_action.setEnabled(running)
        if not running:
            self.pause_action.setText("Pause")
        chosen = self.runs_list.selected
        kept = chosen is not None and chosen.kept_state is not None
        self.results.set_actions_enabled(kept, kept and (self._export is None))

    # ----------------------------------------------------- save and export
    def _chosen_weights(self) -> RunRecord | None:
        chosen = self.runs_list.selected
        if chosen is None or chosen.kept_state is None:
            return None
        return chosen

    def save_weights(self) -> bool:
        """Write the chosen run's kept weights beside the project (NAME.safetensors, NAME.metrics.csv)."""
        record, document = self._chosen_weights(), self.document
        if record is None or document is None:
            return False
        if document.graph.fingerprint() != record.fingerprint:
            self.controls.show_message(
                f"The design has changed since {record.label}: its weights no longer fit it. Train again to save.", "error"
            )
            return False
        if document.path is None and not self._save_project():
            self.controls.show_message("Save the project first: the weights are saved beside it.", "error")
            return False
        outcome = record.outcome
        written = save_results(document.project, outcome.result, output_paths(document.project), outcome.metric_name)
        self.controls.show_message(f"Saved {record.label}'s weights to {written.name} beside the project.", "ok")
        self.message.emit(f"Saved the weights to {written.name}")
        return True

    def export_onnx(self, path: str | None = None) -> Worker | None:
        """Export the chosen run's model with its kept weights to ONNX, checked
        against PyTorch, on a worker thread (the run's own snapshot of the
        design, so the weights fit it even if the design changed since)."""
        record = self._chosen_weights()
        if record is None or self._export is not None:
            return None
        suggested = dialogs.beside(self.document.path if self.document else None, ".onnx", "model")
        path = path or dialogs.ask_save_path(self, "Export the trained model to ONNX", suggested, "ONNX models (*.onnx)")
        if not path:
            return None
        graph, weights = record.snapshot.graph, record.kept_state

        def work() -> OnnxExport:
            return export_onnx(graph, path, weights=weights)

        self.controls.show_message(f"Exporting {record.label} to ONNX…")
        self._export_path = Path(path)
        self._export = run_in_background(self, "Exporting the trained model to ONNX…", work, self._on_exported, self._on_export_failed)
        self._update_actions()
        return self._export

    def _on_exported(self, result: OnnxExport) -> None:
        self._export = None
        check = result.verification
        verified = f"; onnxruntime matches PyTorch (max difference {check.max_abs_diff:.1e})" if check else ""
        self.controls.show_message(f"Exported the trained model to {self._export_path.name}{verified}.", "ok")
        self._update_actions()

    def _on_export_failed(self, exc: BaseException) -> None:
        self._export = None
        self.controls.show_message(f"The ONNX export failed: {exc}", "error")
        self._update_actions()
