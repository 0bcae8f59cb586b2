"""Freezing a node in the window: the inspector's check box and factor field
are one undo step each, and the canvas shows a lock on a frozen node."""

from __future__ import annotations

from paths import sample

from designer.document import Document
from designer.ui.canvas.scene import DesignScene
from designer.ui.inspector import Inspector


def test_the_inspector_freezes_a_node_and_the_canvas_shows_the_lock(qtbot) -> None:
    document = Document.open(sample("digits_cnn"))
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    scene = DesignScene(document)
    inspector.show_selection(["conv1"])
    page = inspector.node_inspector
    page.frozen_box.setChecked(True)
    assert document.graph.node("conv1").frozen and document.undo_stack.count() == 1
    assert scene.nodes["conv1"].frozen and "frozen" in scene.nodes["conv1"].toolTip()
    assert not page.factor_field.isEnabled()  # a frozen layer learns at no rate
    document.undo_stack.undo()
    assert not scene.nodes["conv1"].frozen and not page.frozen_box.isChecked()
    page.factor_field.setText("0.1")
    page.factor_field.editingFinished.emit()
    assert document.graph.node("conv1").lr_factor == 0.1 and "0.1 x the run's learning rate" in scene.nodes["conv1"].toolTip()
    with qtbot.waitSignal(inspector.message) as said:
        page.factor_field.setText("fast")
        page.factor_field.editingFinished.emit()
    assert "must be a number" in said.args[0] and document.graph.node("conv1").lr_factor == 0.1
    scene.clear()


def test_a_layer_without_weights_has_no_training_fields(qtbot) -> None:
    document = Document.open(sample("digits_cnn"))
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.show_selection(["relu1"])
    assert inspector.node_inspector.frozen_box is None


def test_the_summary_table_counts_trainable_and_frozen_parameters(qtbot) -> None:
    from designer.ui.summary_panel import SummaryPanel

    document = Document.open(sample("digits_cnn"))
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    document.set_node_training(["conv1", "conv2"], frozen=True)
    panel.refresh()
    last = [[panel.item(r, c).text() for c in (0, 3)] for r in range(panel.rowCount() - 2, panel.rowCount())]
    assert last == [["trainable", "8,906"], ["frozen", "4,800"]]
    assert panel.item(1, 1).text() == "Conv2d (frozen)"


def test_the_summary_shown_keeps_its_columns_fitted_as_the_design_changes(qtbot) -> None:
    """The columns are fitted once per refresh (the header kept fitting them at every
    item, so an edit of a big design with the summary in front took minutes)."""
    from designer.ui.summary_panel import SummaryPanel

    document = Document.open(sample("digits_cnn"))
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    document.set_param("conv1", "out_channels", 65536)
    row = next(r for r in range(panel.rowCount()) if panel.item(r, 0).text() == "conv1")
    shown = panel.item(row, 2).text()
    assert "65536" in shown
    assert panel.columnWidth(2) >= panel.fontMetrics().horizontalAdvance(shown)


def test_an_edit_remakes_only_the_summary_rows_it_changes(qtbot) -> None:
    """A parameter's edit changes its row and the totals: the other rows stay as they
    were (with the user's selection), not remade (which took most of a second at 10,000 nodes)."""
    from designer.ui.summary_panel import SummaryPanel

    document = Document.open(sample("digits_cnn"))
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    rows = {panel.item(r, 0).text(): r for r in range(panel.rowCount())}
    panel.selectRow(rows["pool1"])
    kept = panel.item(rows["pool1"], 2)
    document.set_param("dense1", "bias", False)
    assert panel.item(rows["pool1"], 2) is kept and panel.selectedItems() and panel.currentRow() == rows["pool1"]
    assert panel.item(rows["dense1"], 3).text() == "8,192" and panel.item(panel.rowCount() - 1, 0).text() == "total"
