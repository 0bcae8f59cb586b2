"""The palette's built-in blocks: a row each, by name, from the start; their
definitions are read when a row's tip or block is first needed."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from designer.layers import builtin_blocks
from designer.ui.blocks_palette import BUILTIN
from designer.ui.main_window import MainWindow
from designer.ui.palette import Palette


def _rows(palette: Palette) -> list[str]:
    part = palette.blocks.parts[BUILTIN]
    return [part.child(i).text(0) for i in range(part.childCount())]


def test_the_built_in_rows_are_there_before_their_blocks_are_read(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    palette = Palette(parent)
    assert palette.blocks._builtin is None
    assert _rows(palette) == list(builtin_blocks()) and palette.blocks.parts[BUILTIN].text(0) == f"{BUILTIN} (7)"
    tip = palette.blocks.parts[BUILTIN].child(2).toolTip(0)  # read now
    assert palette.blocks._builtin is not None
    assert tip.startswith("<b>Bottleneck</b> — block of ") and "comes with the designer" in tip
    assert palette.blocks.lookup("builtin:Bottleneck")[0] is builtin_blocks()["Bottleneck"]


def test_a_built_in_block_added_before_any_tip_was_shown(window: MainWindow) -> None:
    window.files.new()
    window.palette.blocks.refresh_builtin()  # as at start: nothing read yet
    node = window.blocks.add_block("builtin:ResidualBlock")
    assert node is not None and "ResidualBlock" in window.document.graph.blocks
    assert window.document.graph.node(node).type == "ResidualBlock"
