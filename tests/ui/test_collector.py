"""The window keeps full collections short: while the background warm-up
imports torch the collector is paused, and what exists then is frozen out of
it, when the window asked for it."""

from __future__ import annotations

import gc
import threading

import pytest

from designer.ui import collector


def test_the_warm_up_pauses_the_collector_then_freezes_only_where_the_window_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_frozen", False)  # a library user, or a test
    before = gc.get_freeze_count()
    with collector.warming_up():
        assert gc.isenabled()
        made = [[object()] for _ in range(1000)]  # tracked, made after the last freeze
    assert gc.get_freeze_count() == before
    monkeypatch.setattr(collector, "_frozen", True)  # the application froze its start-up heap
    with collector.warming_up():
        assert not gc.isenabled()  # torch's import makes no garbage worth a pass
    assert gc.isenabled() and gc.get_freeze_count() >= before + len(made)


def test_a_failing_warm_up_still_gives_the_collector_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_frozen", True)
    with pytest.raises(RuntimeError), collector.warming_up():
        raise RuntimeError("no torch")
    assert gc.isenabled()


def test_the_device_warm_up_runs_inside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.ui.training import devices

    calls: list[str] = []

    class Watched:
        def __enter__(self) -> None:
            calls.append("paused")

        def __exit__(self, *exc: object) -> None:
            calls.append("frozen")

    monkeypatch.setattr(devices.DeviceProbe, "warmed", threading.Event())  # the real warm-up's flag is left alone
    monkeypatch.setattr(devices, "detect", lambda: calls.append("detect") or devices.Devices())
    monkeypatch.setattr(devices, "warm_up", lambda: calls.append("warm-up"))
    monkeypatch.setattr(devices, "warming_up", Watched)
    list(devices.detect_then_warm_up())
    assert calls == ["paused", "detect", "warm-up", "frozen"] and devices.DeviceProbe.warmed.is_set()
