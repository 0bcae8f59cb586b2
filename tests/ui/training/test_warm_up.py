"""Work on a worker thread waits for the warm-up: two threads meeting torch's
first-time set-up at once fail ('invalid __array_struct__')."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from designer.ui.training.devices import DeviceProbe, wait_for_warm_up


def test_a_worker_waits_until_the_warm_up_is_over(monkeypatch: pytest.MonkeyPatch) -> None:
    warmed = threading.Event()
    monkeypatch.setattr(DeviceProbe, "_instance", SimpleNamespace(worker=object()))
    monkeypatch.setattr(DeviceProbe, "warmed", warmed)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (wait_for_warm_up(), done.set()))
    thread.start()
    time.sleep(0.2)
    assert not done.is_set()  # still warming up: the work has not begun
    warmed.set()
    thread.join(5)
    assert done.is_set()


def test_without_a_warm_up_nothing_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DeviceProbe, "_instance", None)
    monkeypatch.setattr(DeviceProbe, "warmed", threading.Event())
    thread = threading.Thread(target=wait_for_warm_up)
    thread.start()
    thread.join(5)
    assert not thread.is_alive()
