"""Which devices this machine really has, for the device list and the status bar.

Asking means importing torch (over a second), so the answer is found once,
on a worker thread (``detect_then_warm_up``); until then the list shows the
plain names. The same worker then warms up the training stack (its imports
and one step of a tiny model): importing a module holds the GIL for tens of
milliseconds at a time, and done during the first run instead it stalled the
UI thread for over 100 ms. Quitting cancels it at that boundary.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from designer.document.workers import Worker
from designer.ui.collector import warming_up


@dataclass(frozen=True)
class Devices:
    cuda: str | None = None  # the GPU's name when PyTorch sees one
    mps: bool = False
    cpu_threads: int = 1

    @property
    def auto(self) -> str:
        """What ``auto`` picks here (the trainer's order: CUDA, MPS, CPU)."""
        return "cuda" if self.cuda else "mps" if self.mps else "cpu"

    def available(self, name: str) -> bool:
        return name in ("auto", "cpu") or (name == "cuda" and self.cuda is not None) or (name == "mps" and self.mps)

    def label(self, name: str) -> str:
        """A device choice as the list shows it."""
        if name == "auto":
            return f"auto: {self.describe(self.auto)}"
        if not self.available(name):
            return f"{name} (not available here)"
        return self.describe(name)

    def describe(self, name: str) -> str:
        if name == "cuda" and self.cuda:
            return f"CUDA: {self.cuda}"
        if name == "mps":
            return "Apple MPS"
        return f"CPU, {self.cpu_threads} thread{'s' if self.cpu_threads != 1 else ''}"


def warm_up() -> None:
    """Import what a run needs and take one training step on a tiny generated data set (CPU),
    with the probes a run in the window carries: their first use imports torch.fx and
    traces, which holds the interpreter for a quarter of a second and would stall the
    window in the user's first run instead of here. Then export that model to ONNX and
    verify it, so the exporter and onnxruntime are loaded before the user's first export.
    torch.export (onnxscript, sympy: about 2 s) is left to the rare design the fast
    exporter does not take (an opset below 18 or above 20, a model that fails to verify)."""
    import sklearn.datasets  # noqa: F401 - the built-in data sets load through it

    from designer.compile import export_onnx
    from designer.data import load_data
    from designer.graph import Graph
    from designer.insight.playground import PlaneProbe
    from designer.insight.probes import ProbeBudget, WeightHistogramProbe
    from designer.insight.watch import TrainingWatch
    from designer.project import Project
    from designer.train import Trainer, TrainSettings, prepare

    graph = Graph("warm-up")
    x = graph.add("Input", shape=[2])
    graph.sequential(("Linear", {"out_features": 4}), "ReLU", ("Linear", {"out_features": 2}), "Output", after=x)
    bundle = load_data({"source": "xor", "options": {"samples": 64}})
    settings = TrainSettings.from_mapping({"epochs": 1, "batch_size": 32, "device": "cpu"})
    probes = [TrainingWatch(graph, every=1, budget=ProbeBudget(None)), WeightHistogramProbe(), PlaneProbe(graph)]
    Trainer(prepare(Project(graph), bundle), bundle, settings, probes).run()
    export_onnx(graph)  # the fast exporter, which every sample takes at the default opset


def detect() -> Devices:
    """Ask PyTorch (slow the first time: it imports torch)."""
    import torch

    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    return Devices(cuda, bool(mps), torch.get_num_threads())


def detect_then_warm_up() -> Iterator[Devices]:
    """Yield the devices, then warm up; never raises (a worker's generator)."""
    try:
        with warming_up():  # detect() imports torch: the collector is paused from there (a hung CUDA probe would keep it so)
            try:
                found = detect()
            except Exception:  # a broken CUDA driver must not take the window down: the CPU is always there
                found = Devices()
            try:
                yield found
                warm_up()
            except Exception:  # only an optimisation: a run reports its own errors
                pass
    finally:
        DeviceProbe.warmed.set()


def warm_up_first() -> None:
    """On the UI thread, before handing torch work to a worker: start the warm-up
    now if it has not started (``designer FILE --train`` trains before its timer),
    so that the worker's ``wait_for_warm_up`` has something to wait for."""
    DeviceProbe.shared().start()


def warm_up_pending() -> bool:
    """Whether a worker's ``wait_for_warm_up`` would wait now."""
    probe = DeviceProbe._instance
    return probe is not None and probe.worker is not None and not DeviceProbe.warmed.is_set()


def wait_for_warm_up(timeout: float = 120.0) -> None:
    """On a worker thread, before touching torch: let a warm-up in progress finish.
    Two threads meeting torch's first-time set-up at once (its numpy bridge,
    torch.fx's lazy imports) fail with errors such as 'invalid __array_struct__';
    ``designer FILE --train`` starts a run while the warm-up is still going."""
    if warm_up_pending() and threading.current_thread() is not threading.main_thread():
        DeviceProbe.warmed.wait(timeout)


class DeviceProbe(QObject):
    """Finds the devices once per process, in the background; ``found`` carries them."""

    found = Signal(object)  # Devices
    _instance: DeviceProbe | None = None
    _result: Devices | None = None
    warmed = threading.Event()  # set once the warm-up is over (benchmarks wait for it)

    def __init__(self) -> None:
        super().__init__()
        self.worker: Worker | None = None

    @classmethod
    def shared(cls) -> DeviceProbe:
        if cls._instance is None:
            cls._instance = DeviceProbe()
        return cls._instance

    def start(self) -> None:
        """Detect (and warm up) once per process, in the background."""
        if self.worker is None:
            self.worker = Worker(detect_then_warm_up, "detect-devices", parent=self)
            self.worker.progressed.connect(self._on_found)
            self.worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the probe's thread (tests; the application's quit does it with ``stop_all``)."""
        return self.worker is None or self.worker.wait(timeout)

    @property
    def devices(self) -> Devices | None:
        return DeviceProbe._result

    def _on_found(self, devices: Devices) -> None:
        DeviceProbe._result = devices
        self.found.emit(devices)
