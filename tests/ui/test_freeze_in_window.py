"""Freezing a node in the window: the inspector's check box and factor field
are one undo step each, and the canvas shows a lock on a frozen node."""

from __future__ import annotations

from paths import sample
from PySide6.QtCore import Qt

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
    count = panel.model().rowCount()
    last = [[panel.text(r, c) for c in (0, 3)] for r in range(count - 2, count)]
    assert last == [["trainable", "8,906"], ["frozen", "4,800"]]
    assert panel.text(1, 1) == "Conv2d (frozen)"
    assert panel.model().data(panel.model().index(count - 1, 0), Qt.ItemDataRole.FontRole).bold()  # the totals in bold


def shown_summary(qtbot):
    """The digits CNN's summary table, shown."""
    from designer.ui.summary_panel import SummaryPanel

    document = Document.open(sample("digits_cnn"))
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return document, panel


def test_the_summary_shown_keeps_its_columns_fitted_as_the_design_changes(qtbot) -> None:
    """The columns are fitted once per refresh (the header kept fitting them at every
    item, so an edit of a big design with the summary in front took minutes)."""
    document, panel = shown_summary(qtbot)
    document.set_param("conv1", "out_channels", 65536)
    row = next(r for r in range(panel.model().rowCount()) if panel.text(r, 0) == "conv1")
    shown = panel.text(row, 2)
    assert "65536" in shown
    assert panel.columnWidth(2) >= panel.fontMetrics().horizontalAdvance(shown)


def test_an_edit_remakes_only_the_summary_rows_it_changes(qtbot) -> None:
    """A parameter's edit changes its row and the totals: the view is told of
    those rows alone, and the user's selection stays (remaking every row took
    most of a second at 10,000 nodes)."""
    document, panel = shown_summary(qtbot)
    model = panel.model()
    rows = {panel.text(r, 0): r for r in range(model.rowCount())}
    panel.selectRow(rows["pool1"])
    told: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: told.append((first.row(), last.row())))
    model.modelReset.connect(lambda: told.append((-1, -1)))
    document.set_param("dense1", "bias", False)
    assert told and all(first <= last for first, last in told) and not any(first <= rows["pool1"] <= last for first, last in told)
    assert panel.selectionModel().selectedRows()[0].row() == rows["pool1"] and panel.currentIndex().row() == rows["pool1"]
    assert panel.text(rows["dense1"], 3) == "8,192" and panel.text(model.rowCount() - 1, 0) == "total"


def test_a_delete_and_its_undo_move_the_rows_after_it_and_keep_the_rest(qtbot) -> None:
    """A deleted layer's row is removed and the undo puts it back in its place;
    the rows before it are not remade, the columns stay fitted."""
    document, panel = shown_summary(qtbot)
    model = panel.model()
    before = [tuple(panel.text(r, c) for c in range(6)) for r in range(model.rowCount())]
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    document.remove_nodes(["pool1"])
    names = [panel.text(r, 0) for r in range(model.rowCount())]
    assert "pool1" not in names and len(names) == len(before) - 1
    assert [panel.text(r, 0) for r in range(3)] == [row[0] for row in before[:3]]  # the rows before it, as they were
    document.undo_stack.undo()
    assert [tuple(panel.text(r, c) for c in range(6)) for r in range(model.rowCount())] == before and not resets
    for column in range(6):
        widest = max(panel.fontMetrics().horizontalAdvance(panel.text(r, column)) for r in range(model.rowCount() - 1))
        assert panel.columnWidth(column) >= widest


def test_the_summary_rows_are_a_line_of_text_high(qtbot) -> None:
    """Qt's default row of 30 pixels showed three rows of the summary in a 1280x720 window."""
    document, panel = shown_summary(qtbot)
    line = panel.fontMetrics().height()
    assert line <= panel.rowHeight(0) <= line + 8 and panel.rowHeight(0) == panel.rowHeight(panel.model().rowCount() - 1)
