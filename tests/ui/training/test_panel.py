"""The Training panel in the real window: live curves, controls, the lock,
results, saving and exporting, earlier runs, failures."""

from __future__ import annotations

import csv
import gc
import weakref
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from trainingkit import diverging_project, tiny_project

from designer.document import LockedError
from designer.project import load_project, save_project
from designer.project.weights import load_weights
from designer.train import FAILED, FINISHED, STOPPED
from designer.ui import dialogs
from designer.ui.training.worker import TrainingRun


def _train(window, qtbot, timeout: int = 60_000):
    """Start from the Train action and wait for the end; the run's record."""
    panel = window.training.panel
    with qtbot.waitSignal(panel.running_changed, timeout=timeout, check_params_cb=lambda running: not running):
        window.training.panel.start_action.trigger()
    return panel.history.latest


def _points(item) -> int:
    x, _ = item.getData()
    return 0 if x is None else len(x)


def test_curves_have_a_point_per_batch_and_per_epoch(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    plots = window.training.panel.plots
    assert not plots.curves and plots.empty.text().startswith("No runs yet: Train (F5)")
    assert not plots.empty.isHidden()  # said over the empty plots, not bare axes
    record = _train(window, qtbot)
    assert plots.empty.isHidden()
    assert record.status == FINISHED and record.device == "CPU, 1 thread"  # the threads it trained with
    curves = window.training.panel.plots.curves[record.number]
    assert _points(curves.raw) == _points(curves.smooth) == 2 * 5  # 2 epochs of 5 batches
    assert _points(curves.val) == _points(curves.val_metric) == _points(curves.lr) == 2
    x, _ = curves.val.getData()
    assert x.tolist() == [1.0, 2.0]
    controls = window.training.panel.controls
    assert controls.progress.value() == 1000 and "finished 2 epochs" in controls.message.text()
    assert controls.speed.text().endswith("samples/s · CPU, 1 thread")
    results = window.training.panel.results
    qtbot.waitUntil(lambda: results.outcome is record.outcome)
    assert "Finished" in results.summary.text() and "Best epoch" in results.summary.text()
    visible = [results.tabs.tabText(i) for i in range(results.tabs.count()) if results.tabs.isTabVisible(i)]
    assert visible == ["Decision boundary", "Confusion matrix"]
    assert results.confusion.rowCount() == 2 and results.confusion.verticalHeaderItem(0).text() == "class 0"


def test_the_design_is_locked_while_training_and_says_so(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    window.document.set_setting("training", "epochs", 500)
    panel = window.training.panel
    with qtbot.waitSignal(panel.run.updated if panel.run else panel.running_changed, timeout=30_000):
        panel.start_action.trigger()
    doc = window.document
    assert doc.locked and window.training.banner.isVisible() and "is training" in window.training.banner.label.text()
    assert not window.view.isInteractive() and not window.palette.isEnabled() and not window.inspector.isEnabled()
    assert not window.undo_action.isEnabled() and not window.delete_action.isEnabled() and not panel.start_action.isEnabled()
    try:
        doc.add_node("ReLU")
        raise AssertionError("an edit went through while training")
    except LockedError as exc:
        assert "is training" in str(exc)
    assert len(doc.graph) == 5 and not doc.undo_stack.canRedo()
    with qtbot.waitSignal(panel.running_changed, timeout=30_000):
        panel.stop_action.trigger()
    assert not doc.locked and not window.training.banner.isVisible() and window.view.isInteractive()
    assert window.undo_action.isEnabled() and panel.start_action.isEnabled()
    doc.add_node("ReLU")  # editing works again


def test_stop_ends_within_one_batch_and_keeps_the_weights(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    window.document.set_setting("training", "epochs", 500)
    panel = window.training.panel
    seen: dict[str, int] = {}

    def stop_on_first_update(batches, epochs) -> None:
        if not seen:
            trainer = panel.run.job.trainer
            panel.stop_action.trigger()
            seen["epoch"], seen["batch"] = trainer.position  # running when the stop was asked for

    panel.start_action.trigger()
    panel.run.updated.connect(stop_on_first_update)
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    record = panel.history.latest
    assert record.status == STOPPED
    x = record.batch_x.view()  # epochs: a batch at (epoch - 1) + batch / batches
    per_epoch = round(1 / x[0])
    running = (seen["epoch"] - 1) * per_epoch + seen["batch"]
    assert len(x) in (running - 1, running, running + 1)  # every batch done shown, at most one more after the stop
    assert x[-1] <= (running + 1) / per_epoch + 1e-9
    assert record.outcome.result.kept_state is not None
    qtbot.waitUntil(lambda: panel.results.save_button.isEnabled())
    assert panel.save_weights()
    weights = tiny.with_suffix(".safetensors")
    state = load_weights(weights, load_project(tiny).graph.fingerprint())
    assert set(state) == set(record.outcome.result.kept_state)
    assert tiny.with_name("tiny.metrics.csv").exists() and "Saved" in panel.controls.message.text()


def test_pause_holds_the_run_and_resume_finishes_it(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    window.document.set_setting("training", "epochs", 6)
    panel = window.training.panel
    panel.start_action.trigger()
    panel.pause_action.trigger()
    assert panel.pause_action.isChecked() and panel.pause_action.text() == "Resume" and panel.run.paused
    qtbot.wait(300)
    assert panel.running and len(panel.history.latest.epochs) < 6
    with qtbot.waitSignal(panel.running_changed, timeout=30_000):
        panel.pause_action.trigger()
    assert panel.history.latest.status == FINISHED and not panel.pause_action.isChecked()


def test_a_diverging_run_shows_its_message_and_the_window_stays_usable(window, qtbot, tmp_path) -> None:
    window.open_file(diverging_project(tmp_path / "bad.nnd"))
    record = _train(window, qtbot)
    panel = window.training.panel
    assert record.status == FAILED
    message = panel.controls.message
    assert message.isVisible() and "loss became" in message.text() and "learning rate (10)" in message.text()
    assert "d73a49" in message.styleSheet()  # shown as an error
    qtbot.waitUntil(lambda: panel.results.outcome is record.outcome)
    assert "Failed" in panel.results.summary.text() and "No weights were kept" in panel.results.summary.text()
    assert not window.document.locked and panel.start_action.isEnabled() and not panel.results.save_button.isEnabled()
    window.document.set_setting("training", "learning_rate", 0.01)  # the window still takes edits; the next run trains
    assert _train(window, qtbot).status == FINISHED


def test_a_second_run_keeps_the_first_ones_curves_dimmed(window, qtbot, tiny, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, question: True)  # Delete asks first
    window.open_file(tiny)
    first = _train(window, qtbot)
    window.document.set_setting("training", "learning_rate", 0.05)
    second = _train(window, qtbot)
    plots = window.training.panel.plots
    assert [r.number for r in plots.history.runs] == [1, 2]
    old, new = plots.curves[first.number], plots.curves[second.number]
    assert _points(old.smooth) == 10 and old.smooth.isVisible() and not old.current and new.current
    assert old.smooth.opts["pen"].color().alpha() < new.smooth.opts["pen"].color().alpha()
    assert "lr 0.01" in first.settings_text() and "lr 0.05" in second.settings_text()
    runs = window.training.panel.runs_list
    assert runs.list.count() == 2 and "Run 2" in runs.list.item(0).text()
    runs.history.set_hidden(first, True)
    assert not old.smooth.isVisible()
    runs.select(first)
    runs.delete_button.click()
    assert first.number not in plots.curves and runs.list.count() == 1
    path = plots.export_csv(str(tmp_path / "curves.csv"))
    rows = list(csv.DictReader(path.open()))
    assert {r["run"] for r in rows} == {"2"} and sum(r["kind"] == "epoch" for r in rows) == 2
    png = plots.export_png(str(tmp_path / "curves.png"))
    assert png.stat().st_size > 5000


def test_crosshair_reads_the_values_under_the_mouse_and_log_scale(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    record = _train(window, qtbot)
    plots = window.training.panel.plots
    vb = plots.loss.vb
    inside = vb.mapViewToScene(QPointF(1.5, float(np.mean(vb.viewRange()[1]))))
    plots._on_mouse_moved((inside,))
    text = plots.readout.text()
    assert f"{record.label}</b> epoch 1.5" in text and "loss" in text and "val loss" in text and "accuracy" in text
    # On every plot shown (the learning-rate plot only shows while a schedule changes the rate).
    shown = [line for plot, line in zip((plots.loss, plots.metric_plot, plots.lr), plots.crosshair) if plot.isVisible()]
    assert len(shown) >= 2 and all(line.isVisible() and abs(line.value() - 1.5) < 0.05 for line in shown)
    plots._on_mouse_moved((QPointF(-1000, -1000),))
    assert not any(line.isVisible() for line in plots.crosshair)
    plots.log_scale.setChecked(True)
    low, high = plots.loss.vb.viewRange()[1]
    assert high < 1.0 and plots.loss.ctrl.logYCheck.isChecked()  # log10 of losses below 10


def test_runs_stay_with_their_project_in_the_session(window, qtbot, tiny, tmp_path) -> None:
    window.open_file(tiny)
    _train(window, qtbot)
    window.open_file(tiny_project(tmp_path / "other.nnd"))
    assert window.training.panel.history.runs == []
    window.open_file(tiny)
    assert [r.number for r in window.training.panel.history.runs] == [1]


def test_opening_another_design_stops_the_run(window, qtbot, tiny, tmp_path) -> None:
    window.open_file(tiny)
    window.document.set_setting("training", "epochs", 500)
    panel = window.training.panel
    panel.start_action.trigger()
    old = window.document
    window.open_file(tiny_project(tmp_path / "other.nnd"))
    assert not panel.running and not old.locked and not window.document.locked
    window.open_file(tiny)
    assert window.training.panel.history.latest.status == STOPPED


def test_export_the_trained_model_to_onnx(window, qtbot, tiny, tmp_path) -> None:
    window.open_file(tiny)
    _train(window, qtbot)
    panel = window.training.panel
    qtbot.waitUntil(lambda: panel.results.export_button.isEnabled())
    job = panel.export_onnx(str(tmp_path / "tiny.onnx"))
    assert job is not None
    qtbot.waitUntil(lambda: "Exported the trained model" in panel.controls.message.text(), timeout=120_000)
    assert (tmp_path / "tiny.onnx").stat().st_size > 500 and "onnxruntime matches" in panel.controls.message.text()


def test_the_save_dialogs_offer_files_beside_the_project(window, qtbot, tiny, monkeypatch) -> None:
    """Exported models and curves go beside the design, not into the folder the designer was started from."""
    window.open_file(tiny)
    panel = window.training.panel
    _train(window, qtbot)
    offered: list[str] = []
    monkeypatch.setattr(dialogs, "ask_save_path", lambda parent, title, suggested, *a: offered.append(suggested))
    panel.export_onnx()
    panel.plots.export_png()
    panel.plots.export_csv()
    assert offered == [str(tiny.with_suffix(".onnx")), str(tiny.with_suffix("")) + "-curves.png", str(tiny.with_suffix("")) + "-curves.csv"]


def test_saving_weights_after_the_design_changed_is_refused(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    _train(window, qtbot)
    window.document.set_param("dense1", "out_features", 8)
    panel = window.training.panel
    assert not panel.save_weights() and "no longer fit" in panel.controls.message.text()
    assert not tiny.with_suffix(".safetensors").exists()


def test_a_design_with_problems_does_not_start(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    window.document.set_param("dense2", "out_features", 5)
    panel = window.training.panel
    assert not window.training.start()
    assert "Fix the design's problems first" in panel.controls.message.text() and "output1" in panel.controls.message.text()
    assert not window.document.locked and panel.history.runs == []


def test_status_bar_shows_the_device(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    assert window.training.device_label.text().lower().startswith("device: cpu")  # "cpu" until the probe answers, then "CPU, N threads"
    seen: list[str] = []
    window.training.panel.device_changed.connect(seen.append)
    _train(window, qtbot)
    assert seen[0] == "CPU" and window.training.device_label.text().startswith("Device: ")


def test_the_results_of_regression_and_images(window, qtbot, tmp_path) -> None:
    import designer
    from designer.project import Project, save_project

    graph = designer.Graph("tiny regression")
    x = graph.add("Input", shape=[1])
    graph.sequential(("Linear", {"out_features": 8}), "Tanh", ("Linear", {"out_features": 1}), "Output", after=x)
    project = Project(graph)
    project.data = {"source": "curve", "options": {"samples": 100}, "validation_split": 0.2, "test_split": 0.0, "seed": 0}
    project.training.update({"loss": "mse", "epochs": 2, "device": "cpu"})
    window.open_file(save_project(project, tmp_path / "curve.nnd"))
    record = _train(window, qtbot)
    results = window.training.panel.results
    qtbot.waitUntil(lambda: results.outcome is record.outcome)
    assert record.outcome.views.true_values.shape == (20,)
    assert [results.tabs.tabText(i) for i in range(results.tabs.count()) if results.tabs.isTabVisible(i)] == ["Predicted vs true"]
    assert "MAE" in results.summary.text()

    graph = designer.Graph("tiny digits")
    x = graph.add("Input", shape=[1, 8, 8])
    graph.sequential("Flatten", ("Linear", {"out_features": 10}), "Output", after=x)
    project = Project(graph)
    project.data = {"source": "digits", "options": {}, "validation_split": 0.1, "test_split": 0.0, "seed": 0}
    # Trained well enough that fewer than 24 validation digits are wrong: the grid shows both kinds.
    project.training.update({"epochs": 8, "batch_size": 128, "learning_rate": 0.01, "device": "cpu"})
    window.open_file(save_project(project, tmp_path / "digits.nnd"))
    record = _train(window, qtbot)
    qtbot.waitUntil(lambda: results.outcome is record.outcome)
    images = record.outcome.views.images
    wrong = images.true != images.predicted
    confusion = record.outcome.views.confusion
    assert len(images.images) == 24 and 0 < wrong.sum() == confusion.sum() - np.trace(confusion) < 24
    assert (np.diff(wrong.astype(int)) <= 0).all()  # every misclassified digit first, then right ones
    assert len(results.samples.tiles) == 24
    assert "Samples" in [results.tabs.tabText(i) for i in range(results.tabs.count()) if results.tabs.isTabVisible(i)]
    QApplication.processEvents()


def test_designer_file_train_starts_training_at_once(qtbot, settings, tiny, monkeypatch) -> None:
    from designer import app as app_module
    from designer.ui import main_window

    windows: list = []
    real = main_window.MainWindow

    def make_window(*args, **kwargs):
        window = real(settings, *args[1:], **kwargs)
        windows.append(window)
        qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
        return window

    monkeypatch.setattr(main_window, "MainWindow", make_window)
    qapp = QApplication.instance()
    name, organization = qapp.applicationName(), qapp.organizationName()

    def quit_when_running() -> None:
        window = windows[0]
        if window.training.panel.running or window.training.panel.history.runs:
            window.training.panel.shutdown()
            qapp.exit(0)  # at once (quit() posts an event that would end the next test's event loop)
        else:
            QTimer.singleShot(20, quit_when_running)

    from PySide6.QtCore import QTimer

    QTimer.singleShot(20, quit_when_running)
    try:
        assert app_module.run(str(tiny), train=True) == 0
    finally:
        qapp.setApplicationName(name)
        qapp.setOrganizationName(organization)
    assert windows[0].training.panel.history.runs, "no run started"
    assert Path(windows[0].document.path) == tiny


def test_what_loading_the_data_did_is_said_at_the_start_and_with_the_results(window, qtbot, tmp_path) -> None:
    """A CSV's rows with missing values left out (data option missing = drop): the
    command line prints it, the window says it beside the run and in its results."""
    rows = [f"{0.1 * i:.1f},{0.2 * i:.1f},{'ab'[i % 2]}" for i in range(40)]
    rows[3], rows[7] = "0.3,,a", ",0.7,b"
    (tmp_path / "points.csv").write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    project = load_project(tiny_project(tmp_path / "points.nnd"))
    project.data = {"source": "csv", "options": {"path": "points.csv", "missing": "drop"}, "validation_split": 0.2, "seed": 0}
    save_project(project, tmp_path / "points.nnd")
    window.open_file(tmp_path / "points.nnd")
    panel = window.training.panel
    said: list[str] = []
    with qtbot.waitSignal(panel.running_changed, timeout=60_000, check_params_cb=lambda running: not running):
        panel.start_action.trigger()
        panel.run.prepared.connect(lambda info: said.append(panel.controls.message.text()))
    note = "points.csv: left out 2 rows with missing values, on lines 5, 9"
    assert said and said[0].startswith(note)
    results = panel.results
    qtbot.waitUntil(lambda: results.outcome is panel.history.latest.outcome)
    assert note in results.summary.text()


def test_a_finished_run_lets_go_of_its_trainer_model_and_data(window, qtbot, tiny) -> None:
    """The record keeps what is shown and saved; the run object, with its trainer,
    module and data, goes once its thread is over (every run used to stay alive)."""
    window.open_file(tiny)
    panel = window.training.panel
    jobs = []
    for _ in range(2):
        with qtbot.waitSignal(panel.running_changed, timeout=60_000, check_params_cb=lambda running: not running):
            panel.start_action.trigger()
            jobs.append(weakref.ref(panel.run.job))
    assert panel.history.latest.outcome.result.kept_state is not None  # what Save Weights needs stays

    def gone() -> bool:
        gc.collect()
        return not panel.findChildren(TrainingRun) and all(job() is None for job in jobs)

    qtbot.waitUntil(gone, timeout=5000)


def test_the_run_message_shows_a_note_as_text_even_with_markup_in_a_file_name(window) -> None:
    """A data note names the user's file: '<b>' in a name is text, not formatting."""
    controls = window.training.panel.controls
    controls.show_message("<b>points</b>.csv: left out 2 rows with missing values")
    assert controls.message.textFormat() == Qt.TextFormat.PlainText
    assert controls.message.text().startswith("<b>points</b>.csv")
