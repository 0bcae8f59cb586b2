"""The training worker without a window: metrics arrive batched on the UI
thread, the run's end carries its results views, controls work from the UI
thread, and the pieces it is built from behave."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import numpy as np
from trainingkit import diverging_project, tiny_project

from designer.document.workers import running_workers, stop_all
from designer.project import load_project
from designer.train import FAILED, FINISHED, STOPPED, BatchReport, Callback, EpochMetrics
from designer.ui.training import worker
from designer.ui.training.progress import ProgressClock, format_duration
from designer.ui.training.runs import RunHistory, Series
from designer.ui.training.worker import MetricsBuffer, TrainingRun


def _run(qtbot, path: Path, **training: object) -> tuple[TrainingRun, list[tuple[list, list]]]:
    project = load_project(path)
    project.training.update(training)
    run = TrainingRun(project)
    updates: list[tuple[list, list]] = []
    run.updated.connect(lambda batches, epochs: updates.append((batches, epochs)))
    with qtbot.waitSignal(run.ended, timeout=60_000):
        run.start()
    assert run.wait(10_000)
    return run, updates


def test_a_run_reports_every_batch_and_epoch_in_batches(qtbot, tiny) -> None:
    run, updates = _run(qtbot, tiny, epochs=3)
    batches = [loss for reports, _ in updates for r in reports for loss in r.losses]
    epochs = [m for _, metrics in updates for m in metrics]
    assert len(batches) == 3 * 5 and [m.epoch for m in epochs] == [1, 2, 3]
    assert len(updates) < len(batches)  # batched, not one signal per batch
    outcome = run.outcome
    assert outcome.status == FINISHED and outcome.metric_name == "accuracy"
    views = outcome.views
    assert views.confusion.sum() == 40 and views.confusion.shape == (2, 2)  # the validation split
    assert views.boundary.classes.shape == (160, 160) and len(views.boundary.points) == 40
    assert not TrainingRun.live


class _SlowBatches(Callback):
    """Makes each batch take a while, so a run lasts several flush intervals."""

    def on_batch_end(self, step) -> None:
        time.sleep(0.025)


def test_updates_are_spaced_at_least_a_flush_apart(qtbot, tiny, monkeypatch) -> None:
    monkeypatch.setattr(worker, "FLUSH_MS", 100)
    monkeypatch.setattr(worker, "BUDGET", 1e9)  # the interval stays at FLUSH_MS however slow the redraw
    project = load_project(tiny)
    project.training["epochs"] = 4  # 20 batches of 25 ms or more: at least half a second
    run = TrainingRun(project, watchers=[lambda publish: _SlowBatches()])
    run.interval_ms = 100
    times: list[float] = []
    run.updated.connect(lambda b, e: times.append(time.perf_counter()))
    with qtbot.waitSignal(run.ended, timeout=60_000):
        run.start()
    run.wait()
    gaps = np.diff(times[:-1])  # the last update is the final flush at the end
    assert len(gaps) >= 2 and gaps.min() > 0.08


def test_stop_from_the_ui_thread_keeps_the_weights(qtbot, tiny) -> None:
    project = load_project(tiny)
    project.training["epochs"] = 200
    run = TrainingRun(project)
    run.updated.connect(lambda batches, epochs: run.stop())
    with qtbot.waitSignal(run.ended, timeout=60_000):
        run.start()
    run.wait()
    assert run.outcome.status == STOPPED and run.outcome.result.kept_state is not None


def test_a_stop_before_the_job_begins_still_ends_the_run(qtbot, tiny) -> None:
    # On a busy machine Stop can come before the worker's thread starts the job:
    # the worker reports `cancelled` instead of a result, and the run must still end.
    run = TrainingRun(load_project(tiny))
    run.worker.cancel()
    with qtbot.waitSignal(run.ended, timeout=60_000) as ended:
        run.start()
    run.wait()
    assert ended.args[0].status == STOPPED and not run.running


def test_quitting_stops_a_run_and_delivers_its_end(qtbot, tiny) -> None:
    project = load_project(tiny)
    project.training["epochs"] = 200
    run = TrainingRun(project)
    ended: list[object] = []
    run.ended.connect(ended.append)
    frozen = gc.get_freeze_count()
    with qtbot.waitSignal(run.updated, timeout=60_000):
        run.start()
    assert [w.name for w in running_workers()] == ["training"]
    assert stop_all(30) == []  # what the application does as it quits
    assert ended == [run.outcome] and run.outcome.status == STOPPED and run.outcome.result.kept_state is not None
    assert not TrainingRun.live and not running_workers()
    # A run neither freezes the collector (the count would grow) nor thaws it (it would drop to 0);
    # frozen objects freed by their reference count are all that leaves.
    assert 0.9 * frozen < gc.get_freeze_count() <= frozen


def test_a_diverging_run_fails_with_its_reason(qtbot, tmp_path) -> None:
    run, _ = _run(qtbot, diverging_project(tmp_path / "bad.nnd"))
    outcome = run.outcome
    assert outcome.status == FAILED and "loss became" in outcome.message and "learning rate (10)" in outcome.message
    assert outcome.views is None


def test_data_and_design_errors_end_the_run_with_a_message(qtbot, tmp_path) -> None:
    run, _ = _run(qtbot, tiny_project(tmp_path / "a.nnd"), epochs=1)
    project = load_project(tiny_project(tmp_path / "b.nnd"))
    project.data = {"source": "csv", "options": {"path": "missing.csv"}}
    failed = TrainingRun(project)
    with qtbot.waitSignal(failed.ended, timeout=30_000):
        failed.start()
    failed.wait()
    assert failed.outcome.status == FAILED and failed.outcome.message.startswith("the data cannot be used: missing.csv")
    project = load_project(tmp_path / "a.nnd")
    project.graph.set_param("dense2", "out_features", 5)
    wrong = TrainingRun(project)
    with qtbot.waitSignal(wrong.ended, timeout=30_000):
        wrong.start()
    wrong.wait()
    assert wrong.outcome.status == FAILED and wrong.outcome.message.startswith("the design has errors: output1: ")


def test_metrics_buffer_tells_only_when_it_was_empty() -> None:
    buffer = MetricsBuffer()
    report = BatchReport(1, 1, 5, (0.5,), 32, 0.5, 0.6)
    assert buffer.add(report) and not buffer.add(report)
    assert buffer.pending_batches() == 2
    batches, epochs = buffer.drain()
    assert len(batches) == 2 and epochs == [] and buffer.add(EpochMetrics(1, 0.5, 0.4, 0.7, 0.8, "accuracy", 1e-3, 1.0, 100.0))


def test_series_grows_without_losing_values() -> None:
    series = Series(capacity=2)
    for chunk in ([1.0], [2.0, 3.0], list(range(4, 100))):
        series.extend(chunk)
    assert series.view().tolist() == [float(v) for v in range(1, 100)]


def test_run_record_places_batches_on_the_epoch_axis_and_smooths(qapp) -> None:
    record = RunHistory().new_run({"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 2, "seed": 0}, "spirals", "f")
    record.add_batches([BatchReport(1, 2, 4, (1.0, 1.0), 64, 1.0, 0.5), BatchReport(1, 4, 4, (3.0, 3.0), 128, 2.0, 0.5)])
    assert record.batch_x.view().tolist() == [0.25, 0.5, 0.75, 1.0]
    smooth = record.batch_smooth.view()
    assert smooth[0] == 1.0 and smooth[1] == 1.0 and 1.0 < smooth[3] < 3.0  # starts at the first loss, lags behind jumps
    assert "adam lr 0.01" in record.settings_text() and record.result_text() == "running"


def test_progress_clock_reads_speed_and_time_left() -> None:
    clock = ProgressClock(epochs=2, train_samples=100)
    clock.feed([BatchReport(1, 1, 4, (1.0,), 25, 1.0, 0.5)], now=10.0)
    clock.feed([BatchReport(1, 3, 4, (1.0,), 75, 1.0, 0.5)], now=11.0)
    assert clock.samples_per_second == 50.0 and clock.seconds_left == 2.5
    assert abs(clock.fraction - 0.375) < 1e-9 and "50 samples/s" in clock.text() and format_duration(3725) == "1:02:05"


def test_an_autoencoder_run_shows_reconstructions_worst_first(qtbot, tmp_path: Path) -> None:
    from paths import sample

    from designer.ui.training.results import ResultsView

    project = load_project(sample("digits_autoencoder"))
    project.path = tmp_path / "auto.nnd"
    project.training.update({"epochs": 1, "device": "cpu"})
    run = TrainingRun(project)
    with qtbot.waitSignal(run.ended, timeout=60_000):
        run.start()
    assert run.wait(10_000)
    views = run.outcome.views
    found = views.reconstructions
    assert found is not None and views.true_values is None  # no pixel-by-pixel scatter
    assert found.inputs.shape[1:] == (8, 8) and found.inputs.shape == found.outputs.shape
    assert list(found.errors) == sorted(found.errors, reverse=True)
    record = RunHistory().new_run(project.training, "digits", project.graph.fingerprint())
    record.status, record.outcome = run.outcome.status, run.outcome
    results = ResultsView()
    qtbot.addWidget(results)
    results.show_run(record)
    assert results.tabs.tabText(results.tabs.currentIndex()) == "Reconstructions"
    assert len(results.reconstructions.tiles) == 2 * len(found.errors)



def test_a_design_too_big_for_memory_fails_before_its_module_is_built(qtbot, tmp_path: Path, monkeypatch) -> None:
    """A million units feeding 20,000 (20 billion weights, 80 GB) with 4 GB free: the run ends at
    once with the estimate, nothing allocated (whatever memory the machine running the test has)."""
    import designer
    from designer.project import Project, save_project
    from designer.train import memory

    monkeypatch.setattr(memory, "free_memory", lambda device: 4 << 30)

    graph = designer.Graph("too big")
    x = graph.add("Input", shape=[2])
    wide = {"out_features": 1 << 20}
    graph.sequential(("Linear", wide), ("Linear", {"out_features": 20_000}), ("Linear", {"out_features": 2}), "Output", after=x)
    project = Project(graph)
    project.data = {"source": "spirals", "options": {"samples": 100}, "validation_split": 0.2, "test_split": 0.0, "seed": 0}
    project.training.update({"epochs": 1, "device": "cpu"})
    run, _ = _run(qtbot, save_project(project, tmp_path / "huge.nnd"))
    message = run.outcome.result.message
    assert run.outcome.status == FAILED and "out of CPU memory" in message and "dense2" in message


def test_a_run_that_waits_for_the_warm_up_says_so_then_loads_its_data(qtbot, tiny, monkeypatch) -> None:
    import threading
    from types import SimpleNamespace

    from designer.ui.training.devices import DeviceProbe

    warmed = threading.Event()
    monkeypatch.setattr(DeviceProbe, "_instance", SimpleNamespace(worker=object(), start=lambda: None))  # warming up
    monkeypatch.setattr(DeviceProbe, "warmed", warmed)
    run = TrainingRun(load_project(tiny))
    stages: list[str] = []
    run.staged.connect(stages.append)
    run.start()
    qtbot.waitUntil(lambda: stages == [worker.LOADING_TORCH], timeout=10_000)
    assert run.running  # still waiting: no batch has run
    with qtbot.waitSignal(run.ended, timeout=60_000):
        warmed.set()
    assert run.wait(10_000)
    assert stages == [worker.LOADING_TORCH, worker.LOADING_DATA] and run.outcome.status == FINISHED


def test_a_run_after_the_warm_up_goes_straight_to_its_data(qtbot, tiny, monkeypatch) -> None:
    import threading
    from types import SimpleNamespace

    from designer.ui.training.devices import DeviceProbe

    warmed = threading.Event()
    warmed.set()
    monkeypatch.setattr(DeviceProbe, "_instance", SimpleNamespace(worker=object(), start=lambda: None))
    monkeypatch.setattr(DeviceProbe, "warmed", warmed)
    run = TrainingRun(load_project(tiny))
    stages: list[str] = []
    run.staged.connect(stages.append)
    with qtbot.waitSignal(run.ended, timeout=60_000):
        run.start()
    assert run.wait(10_000)
    assert stages == []  # the panel's own first stage, loading the data, stands
