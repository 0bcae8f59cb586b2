"""The window keeps full collections short: what lives as long as the process
(torch, once the background warm-up has imported it) is frozen out of the
collector when the window asked for it."""

from __future__ import annotations

import gc
import threading

import pytest

from designer.ui import collector


def test_the_warm_up_freezes_what_exists_only_where_the_window_asked_for_short_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_frozen", False)  # a library user, or a test
    made = [[object()] for _ in range(1000)]  # tracked, made after the last freeze
    before = gc.get_freeze_count()
    collector.freeze_after_warm_up()
    assert gc.get_freeze_count() == before
    monkeypatch.setattr(collector, "_frozen", True)  # the application froze its start-up heap
    collector.freeze_after_warm_up()
    assert gc.get_freeze_count() >= before + len(made)


def test_the_device_warm_up_ends_by_freezing_what_it_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.ui.training import devices

    calls: list[str] = []
    monkeypatch.setattr(devices.DeviceProbe, "warmed", threading.Event())  # the real warm-up's flag is left alone
    monkeypatch.setattr(devices, "detect", lambda: devices.Devices())
    monkeypatch.setattr(devices, "warm_up", lambda: calls.append("warm-up"))
    monkeypatch.setattr(devices, "freeze_after_warm_up", lambda: calls.append("freeze"))
    list(devices.detect_then_warm_up())
    assert calls == ["warm-up", "freeze"]
