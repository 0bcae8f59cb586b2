"""The start page: samples as cards, recent designs, one click to a sample."""

from __future__ import annotations

from paths import SAMPLES, sample
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from designer.ui import dialogs
from designer.ui.start_page import find_samples, render_thumbnail


def test_every_sample_is_a_card(window) -> None:
    window.show_start_page()
    page = window.start_page
    assert window.central.currentWidget() is page and not window.palette_dock.isVisible()
    assert sorted(card.sample.path for card in page.cards) == sorted(SAMPLES)
    assert all(card.sample.summary for card in page.cards)


def test_clicking_a_card_opens_the_sample_on_the_canvas(window) -> None:
    window.show_start_page()
    card = next(c for c in window.start_page.cards if c.sample.path.stem == "digits_cnn")
    QTest.mouseClick(card, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(20, 20))
    assert window.document.title == "Digits CNN"
    assert window.central.currentWidget() is window.view and window.palette_dock.isVisible()


def test_recent_designs_are_listed(window, tmp_path) -> None:
    window.open_file(sample("spirals_mlp"))
    window.show_start_page()
    texts = [w.text() for w in window.start_page.findChildren(type(window._status)) if "spirals_mlp.nnd" in w.text()]
    assert texts


def test_new_from_the_start_page_shows_the_empty_canvas(window) -> None:
    window.show_start_page()
    window.start_page.new_requested.emit()
    assert window.central.currentWidget() is window.view and len(window.document.graph) == 0


def test_thumbnail_draws_the_design(qapp) -> None:
    image = render_thumbnail(sample("residual_cnn")).toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)}
    assert len(colours) > 5  # more than the background: the nodes are drawn


def test_samples_come_in_teaching_order() -> None:
    stems = [s.path.stem for s in find_samples()]
    assert stems.index("spirals_mlp") < stems.index("digits_cnn") < stems.index("residual_cnn")


def test_help_guide_opens(window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_text", lambda parent, title, html: shown.append(html))
    window.show_guide()
    assert shown and "Overfitting" in shown[0] and "Epoch" in shown[0]


def test_the_guide_explains_what_the_views_inside_show_and_names_tabs_that_exist(window) -> None:
    import re

    from designer.ui.help import GUIDE_HTML

    for idea in ("Gradient", "Backpropagation", "Vanishing and exploding gradients", "Dead units", "Feature map", "Attribution"):
        assert f"<b>{idea}.</b>" in GUIDE_HTML
    named = set(re.findall(r"Insight's\s+(\w+)\s+tab", GUIDE_HTML))
    panel = window.insight.panel
    tabs = {panel.tabs.tabText(i) for i in range(panel.tabs.count())}
    assert named == {"Backprop", "Weights", "Explain"} and named <= tabs


def test_a_panel_closed_before_the_start_page_stays_closed_when_a_design_opens_from_it(window) -> None:
    """The start page hides the panels; the canvas brings back the ones the user had, not all."""
    window.open_file(sample("xor_mlp"))
    window.inspector_dock.close()
    window.show_start_page()
    assert not window.palette_dock.isVisible()
    window.start_page.file_chosen.emit(str(sample("spirals_mlp")))
    assert window.palette_dock.isVisible() and window.bottom_dock.isVisible()
    assert not window.inspector_dock.isVisible()


def test_the_cards_fill_as_many_columns_as_the_width_holds(qtbot) -> None:
    """Each card is 300 pixels and a gap wide; the page wraps them to its width,
    and a narrow window gets one column rather than cards cut off."""
    from designer.ui.start_page import StartPage

    page = StartPage([])
    qtbot.addWidget(page)
    page.show()
    for width, columns in ((1500, 4), (1200, 3), (800, 2), (500, 1)):
        page.resize(width, 700)
        qtbot.wait(10)
        rows = {page.grid.getItemPosition(page.grid.indexOf(card))[1] for card in page.cards}
        assert len(rows) == columns, width
        right = max(card.geometry().right() for card in page.cards)
        assert right <= page.viewport().width() or width == 500
