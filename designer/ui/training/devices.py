"""Which devices this machine really has, for the device list and the status bar.

Asking means importing torch (over a second), so the answer is found once,
on a background thread, and delivered with a queued signal; until then the
list shows the plain names. The same thread then warms up the training
stack (its imports and one step of a tiny model): importing a module holds
the GIL for tens of milliseconds at a time, and done during the first run
instead it stalled the UI thread for over 100 ms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


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
    """Import what a run needs and take one training step on a tiny generated data set (CPU)."""
    import sklearn.datasets  # noqa: F401 - the built-in data sets load through it

    from designer.data import load_data
    from designer.graph import Graph
    from designer.project import Project
    from designer.train import Trainer, TrainSettings, prepare

    graph = Graph("warm-up")
    x = graph.add("Input", shape=[2])
    graph.sequential(("Linear", {"out_features": 4}), "ReLU", ("Linear", {"out_features": 2}), "Output", after=x)
    bundle = load_data({"source": "xor", "options": {"samples": 64}})
    settings = TrainSettings.from_mapping({"epochs": 1, "batch_size": 32, "device": "cpu"})
    Trainer(prepare(Project(graph), bundle), bundle, settings).run()


def detect() -> Devices:
    """Ask PyTorch (slow the first time: it imports torch)."""
    import torch

    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    return Devices(cuda, bool(mps), torch.get_num_threads())


class DeviceProbe(QObject):
    """Finds the devices once per process, in the background; ``found`` carries them."""

    found = Signal(object)  # Devices
    _instance: DeviceProbe | None = None
    _result: Devices | None = None
    _started = False
    warmed = threading.Event()  # set once the warm-up is over (benchmarks wait for it)

    @classmethod
    def shared(cls) -> DeviceProbe:
        if cls._instance is None:
            cls._instance = DeviceProbe()
        return cls._instance

    def start(self) -> None:
        """Detect (and warm up) once per process, in the background."""
        if not self._started:
            DeviceProbe._started = True
            threading.Thread(target=self._detect, name="detect-devices", daemon=True).start()

    @property
    def devices(self) -> Devices | None:
        return DeviceProbe._result

    def _detect(self) -> None:
        try:
            result = detect()
        except Exception:  # a broken CUDA driver must not take the window down: the CPU is always there
            result = Devices()
        DeviceProbe._result = result
        self.found.emit(result)
        try:
            warm_up()
        except Exception:  # only an optimisation: a run reports its own errors
            pass
        finally:
            DeviceProbe.warmed.set()
