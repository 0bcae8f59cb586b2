"""The Data panel says how the data will load: how many samples, their decoded
size, and whether they are loaded into memory or read from disk."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from designer.data.source import LoadingPlan
from designer.ui.training.data_section import loading_text


def test_the_loading_line_follows_the_loading_option(window, qtbot, tiny: Path) -> None:
    for k, name in enumerate(("cat", "dog")):
        (tiny.parent / "pets" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (4, 4), (80 * k, 10 * i, 0)).save(tiny.parent / "pets" / name / f"{i}.png")
    window.open_file(tiny)
    editor = window.training.panel.data_editor
    assert not editor.loading.isVisibleTo(editor)  # generated data: always in memory, nothing to say
    window.document.set_settings("data", {"source": "image_folder", "options": {"path": "pets", "size": [8, 8]}})
    qtbot.waitUntil(lambda: editor.loading.isVisibleTo(editor), timeout=20_000)
    assert editor.loading.text() == "6 images · 4.5 KB decoded · loaded into memory"
    assert "loading" in editor.option_editors
    editor.option_editors["loading"].committed.emit("loading", "stream")  # what the editor sends when the user picks it
    assert window.document.project.data["options"]["loading"] == "stream"
    qtbot.waitUntil(lambda: "read from disk" in editor.loading.text(), timeout=20_000)


def test_the_loading_line_counts_the_workers_that_decode() -> None:
    plan = LoadingPlan(60_000, 1_200_000_000, True, True, "images")
    assert loading_text(plan).startswith("60,000 images · 1.1 GB decoded · read from disk batch by batch")
    mapped = LoadingPlan(250_000, 1 << 30, True, False, "samples")
    assert loading_text(mapped) == "250,000 samples · 1.0 GB decoded · read from disk batch by batch"
    compressed = LoadingPlan(10, 80, False, False, "samples", "x is compressed, so it is loaded into memory")
    assert loading_text(compressed) == "10 samples · 80 B decoded · loaded into memory (x is compressed, so it is loaded into memory)"
