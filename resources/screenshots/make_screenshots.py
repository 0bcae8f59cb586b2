"""Render the README's screenshots from the real window, offscreen.

    python resources/screenshots/make_screenshots.py [shot_name ...]

Writes PNG files next to this script. Each shot is a function below; it
builds the main window the way a user would see it and grabs it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
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


def _copy(sample: str) -> Path:
    """A copy of samples/SAMPLE.nnd in a fresh folder: the runs a shot trains are kept
    beside the project, and the samples folder must neither gain them nor show old ones."""
    target = Path(tempfile.mkdtemp()) / f"{sample}.nnd"
    shutil.copyfile(ROOT / "samples" / f"{sample}.nnd", target)
    return target


def _open(app: QApplication, sample: str):
    """A window showing (a copy of) samples/SAMPLE.nnd at the screenshot size."""
    window = _window()
    window.open_file(_copy(sample))
    window.resize(*SIZE)
    _settle(app)
    return window


def _save(app: QApplication, window, name: str) -> Path:
    """Grab the window to NAME next to this script, then close it without asking."""
    _settle(app)
    path = HERE / name
    window.grab().save(str(path))
    _close(window)
    return path


def _close(window) -> None:
    window.document.undo_stack.setClean()
    window.close()


# The window sizes a sample is shown opened at: the first start's (1400x860, see
# MainWindow._fit_first_size), a small laptop's and a full-HD screen's.
OPEN_SIZES = ((1400, 860), (1280, 720), (1920, 1080))
OPEN_SAMPLES = ("digits_cnn", "residual_cnn", "spirals_mlp")


def shot_opened(app: QApplication) -> list[Path]:
    """Samples just opened, as a new user first sees them, at each of OPEN_SIZES
    (the window made at that size, the file opened before it shows, as ``designer FILE`` does)."""
    from designer.ui.main_window import MainWindow

    paths = []
    folder = HERE / "opened"
    folder.mkdir(exist_ok=True)
    for sample in OPEN_SAMPLES:
        for width, height in OPEN_SIZES:
            settings = QSettings(str(Path(tempfile.mkdtemp()) / "screenshots.ini"), QSettings.Format.IniFormat)
            window = MainWindow(settings)
            window.resize(width, height)
            window.open_file(_copy(sample))
            window.show()
            _settle(app)
            path = folder / f"{sample}_{width}x{height}.png"
            window.grab().save(str(path))
            _close(window)
            paths.append(path)
    return paths


def shot_design(app: QApplication) -> Path:
    """The residual CNN open, a node selected, its shapes and summary visible."""
    window = _open(app, "residual_cnn")
    window.view.set_zoom(0.62)
    window.view.centerOn(window.scene.nodes["relu2"].sceneBoundingRect().center())
    window.scene.select_nodes(["conv2"])
    window.bottom_tabs.setCurrentIndex(1)
    return _save(app, window, "design.png")


def shot_problem(app: QApplication) -> Path:
    """A shape conflict: red wires, a badge, the problem listed with its fix."""
    window = _open(app, "residual_cnn")
    window.document.set_param("conv3", "out_channels", 32)
    _settle(app)
    window.view.set_zoom(0.8)
    window.view.centerOn(window.scene.nodes["bn3"].sceneBoundingRect().center())
    window.scene.select_nodes(["add1"])
    return _save(app, window, "problem.png")


def _train(app: QApplication, window, grab_at_epoch: int | None = None, path: Path | None = None) -> None:
    """Train from the Train action; with ``grab_at_epoch``, grab the window to ``path`` mid-run."""
    from PySide6.QtCore import QEventLoop

    panel = window.training.panel
    loop = QEventLoop()
    panel.running_changed.connect(lambda running: None if running else loop.quit())
    panel.start_action.trigger()
    if grab_at_epoch is not None:

        from PySide6.QtCore import QTimer

        asked: list[bool] = []

        def grab(batches, epochs) -> None:
            record = panel.record
            if record is not None and len(record.epochs) >= grab_at_epoch and not asked:
                asked.append(True)
                # The trainer holds (its own pause: the window still shows the run going) while the
                # update's news (gradients, weights), drawn after its curves, reach the window.
                trainer = panel.run.job.trainer
                trainer.pause()
                QTimer.singleShot(300, lambda: (window.grab().save(str(path)), trainer.resume()))

        panel.run.updated.connect(grab)
    loop.exec()
    _settle(app)


def shot_training(app: QApplication) -> Path:
    """The digits CNN training: live curves next to an earlier run, the design locked."""
    window = _open(app, "digits_cnn")
    window.document.set_setting("training", "learning_rate", 0.001)
    window.document.set_setting("training", "schedule", "none")
    _settle(app)
    _train(app, window)  # an earlier run, dimmed on the plots
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    window.training.panel.side.setCurrentIndex(1)  # the settings
    path = HERE / "training.png"
    path.unlink(missing_ok=True)
    _train(app, window, grab_at_epoch=7, path=path)
    _close(window)
    return path


def shot_results(app: QApplication) -> Path:
    """After a run of the spirals MLP: why it ended, the decision boundary, the runs."""
    window = _open(app, "spirals_mlp")
    _train(app, window)
    panel = window.training.panel
    results = panel.results
    while results.outcome is None:
        app.processEvents()
    results.tabs.setCurrentWidget(results.boundary)
    return _save(app, window, "results.png")


def shot_runs_compare(app: QApplication) -> Path:
    """Two runs of the spirals MLP compared: a Dropout dropped onto a wire and a
    layer narrowed between them, and a higher learning rate."""
    window = _open(app, "spirals_mlp")
    document = window.document
    _train(app, window)
    first = window.training.panel.history.latest
    layers = [n.id for n in document.graph.nodes if n.type == "Linear"]
    document.set_param(layers[1], "out_features", max(2, document.graph.node(layers[1]).params["out_features"] // 2))
    last_wire = next(e for e in document.graph.edges if e.target == layers[-1])
    middle = window.scene.edges[last_wire].path().pointAtPercent(0.5)
    window.view.add_layer("Dropout", middle)
    document.set_setting("training", "learning_rate", 2 * document.project.training["learning_rate"])
    _train(app, window)
    panel = window.training.panel
    panel.runs_list.select_two(first, panel.history.latest)
    panel.runs_list.compare_button.click()
    (dialog,) = panel.run_actions.dialogs
    dialog.resize(1500, 860)
    _settle(app)
    path = HERE / "runs_compare.png"
    dialog.grab().save(str(path))
    dialog.close()
    _close(window)
    return path


def shot_gradient_flow(app: QApplication) -> Path:
    """The deep Sigmoid sample after a run with the probes on: the gradient fades
    towards the input on the canvas, amber tags on the starved layers, the legend."""
    window = _open(app, "deep_sigmoid")
    window.document.set_setting("training", "epochs", 5)
    _train(app, window)
    window.document.undo_stack.undo()  # the sample's own epochs again; the flow stays (the design did not change)
    window.view.fit()
    return _save(app, window, "gradient_flow.png")


def _until(app: QApplication, done: Callable[[], bool], seconds: float = 120.0) -> None:
    """Run the event loop until ``done()`` (the Insight panel computes on a worker)."""
    import time

    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    _settle(app)


def _grab(app: QApplication, window, name: str) -> Path:
    """Grab the window to NAME next to this script, leaving it open."""
    _settle(app)
    path = HERE / name
    window.grab().save(str(path))
    return path


def _insight(app: QApplication, sample: str, epochs: int):
    """SAMPLE trained for ``epochs`` epochs, the Insight panel up on that run's weights."""
    window = _open(app, sample)
    window.document.set_setting("training", "epochs", epochs)
    _train(app, window)
    window.document.undo_stack.undo()
    panel = window.insight.panel
    window.insight.show_panel()
    _until(app, lambda: panel.outputs is not None and panel.weights_choice.key[0] == "run")
    window.view.set_zoom(1.0)
    return window, panel


def shot_insight(app: QApplication) -> list[Path]:
    """The trained digits CNN inside: feature maps of conv1 and conv2, Grad-CAM, a forward step."""
    window, panel = _insight(app, "digits_cnn", 10)
    panel.picker.select(4)
    _until(app, lambda: panel.outputs.sample == 4)
    window.scene.select_nodes(["conv1", "conv2"])
    window.view.centerOn(window.scene.nodes["pool1"].sceneBoundingRect().center())
    shots = [_grab(app, window, "insight_feature_maps.png")]
    window.scene.select_nodes(["conv1"])
    panel.explain.method.setCurrentIndex(panel.explain.method.findData("gradcam"))
    panel.tabs.setCurrentWidget(panel.explain)
    _until(app, lambda: panel.explain.attribution is not None and panel.explain.attribution.method == "gradcam")
    shots.append(_grab(app, window, "insight_gradcam.png"))
    window.scene.clearSelection()
    panel.tabs.setCurrentWidget(panel.stepper)
    for _ in range(5):
        panel.stepper.step()
    window.view.centerOn(window.scene.nodes[panel.stepper.node].sceneBoundingRect().center())
    shots.append(_grab(app, window, "insight_forward_step.png"))
    _close(window)
    return shots


def shot_insight_neuron(app: QApplication) -> Path:
    """A hidden neuron of the trained spirals MLP: its incoming weights, bias and what it adds up."""
    window, panel = _insight(app, "spirals_mlp", 40)
    panel.tabs.setCurrentWidget(panel.weights_view)
    linear = [nid for nid in window.document.analysis().order if window.document.graph.node(nid).type == "Linear"][1]
    window.scene.select_nodes([linear])
    window.view.centerOn(window.scene.nodes[linear].sceneBoundingRect().center())
    _until(app, lambda: panel.details is not None and panel.details.node == linear)
    panel.weights_view.unit.setValue(3)
    _until(app, lambda: panel.details.neuron is not None and panel.details.neuron.neuron.index == 3)
    return _save(app, window, "insight_neuron.png")


def shot_neuron_maps(app: QApplication) -> Path:
    """The spirals MLP after training: each hidden unit's output over the input
    plane in its node, the live decision boundary beside the curves."""
    from PySide6.QtCore import Qt

    window = _open(app, "spirals_mlp")
    _train(app, window)
    window.resizeDocks([window.training.dock], [380], Qt.Orientation.Vertical)
    _settle(app)
    window.view.set_zoom(0.78)
    window.view.centerOn(window.scene.nodes["relu1"].sceneBoundingRect().center() + QPointF(40, 95))
    return _save(app, window, "neuron_maps.png")


def shot_backprop(app: QApplication) -> Path:
    """Backpropagation step by step on the trained spirals MLP: the gradient reached relu1."""
    window, panel = _insight(app, "spirals_mlp", 30)
    view = panel.backprop
    panel.tabs.setCurrentWidget(view)
    _until(app, lambda: view.walk is not None)
    view.go(view.stages().index("relu1"))
    window.view.centerOn(window.scene.nodes["relu1"].sceneBoundingRect().center())
    return _save(app, window, "backprop.png")


BLOCK_SIZES = ((1600, 1000), (1280, 720))


def _settle_deleted(app: QApplication) -> None:
    """Settle, and let go of what Qt deletes later (an inspector's old content)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(3):
        _settle(app)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def shot_blocks(app: QApplication) -> list[Path]:
    """The residual network built from one block used four times: the design with
    its blocks collapsed (one selected, its row in the summary opened), and the
    block opened in its own tab, at each of BLOCK_SIZES."""
    paths = []
    for width, height in BLOCK_SIZES:
        window = _window()
        window.open_file(_copy("residual_blocks"))
        window.resize(width, height)
        window.bottom_dock.raise_()
        window.bottom_tabs.setCurrentIndex(1)
        _settle_deleted(app)
        window.resizeDocks([window.bottom_dock], [height // 3], Qt.Orientation.Vertical)
        window.summary.toggle("block2")
        window.scene.select_nodes(["block2"])
        _settle_deleted(app)
        suffix = "" if (width, height) == BLOCK_SIZES[0] else f"_{width}x{height}"
        path = HERE / f"blocks{suffix}.png"
        window.grab().save(str(path))
        page = window.blocks.open_block("block2")
        page.scene.select_nodes(["conv1"])
        _settle_deleted(app)
        page.view.fit(readable=True)
        _settle_deleted(app)
        paths += [path, _save(app, window, f"block_opened{suffix}.png")]
    return paths


SHOTS: list[Callable[[QApplication], Path | list[Path]]] = [
    shot_opened,
    shot_design,
    shot_problem,
    shot_training,
    shot_results,
    shot_runs_compare,
    shot_gradient_flow,
    shot_insight,
    shot_insight_neuron,
    shot_neuron_maps,
    shot_backprop,
    shot_blocks,
]


def main() -> int:
    """Every shot, or only those named: ``make_screenshots.py gradient_flow``."""
    sys.path.insert(0, str(ROOT))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    chosen = set(sys.argv[1:])
    for shot in [s for s in SHOTS if not chosen or s.__name__.removeprefix("shot_") in chosen]:
        made = shot(app)
        for path in made if isinstance(made, list) else [made]:
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
