"""The Problems tab counts its problems in a badge beside its title: red with
errors among them, amber for warnings alone, none without problems; a new
count of as many digits repaints the badge alone, without laying the bottom
panel out again."""

from __future__ import annotations

from helpers import LayoutRequests, problems_badge

from designer.ui.problems_tab import ERROR_BADGE, WARNING_BADGE


def wired_design(window) -> str:
    """Input -> Linear -> Output fitting the spirals data (the default): no
    problem. Returns the Input."""
    doc = window.document
    first = doc.add_node("Input", (0, 0), {"shape": [2]})
    layer = doc.add_node("Linear", (300, 0), {"out_features": 2})
    last = doc.add_node("Output", (600, 0))
    doc.connect(first, layer)
    doc.connect(layer, last)
    return first


def dead_ends(window, count: int) -> list[str]:
    """``count`` Linear layers fed by the Input and going nowhere: a warning each."""
    doc = window.document
    source = next(n.id for n in doc.graph.nodes if n.type == "Input")
    layers = [doc.add_node("Linear", (300 * i, 300), {"out_features": 4}) for i in range(count)]
    for layer in layers:
        doc.connect(source, layer)
    return layers


def test_no_problems_no_badge_and_the_title_stays_plain(window) -> None:
    wired_design(window)
    assert window.document.analysis().problems == []
    assert problems_badge(window) is None and window.bottom_tabs.tabText(0) == "Problems"


def test_the_badge_counts_warnings_in_amber_and_errors_in_red(window, qtbot) -> None:
    wired_design(window)
    dead_ends(window, 2)
    badge = problems_badge(window)
    assert badge is not None and badge.text == "2" and badge.colour == WARNING_BADGE
    assert badge.toolTip() == badge.accessibleName() == "0 errors, 2 warnings" and window._counts.text() == "0 errors, 2 warnings"
    assert window.bottom_tabs.tabText(0) == "Problems"  # the count is in the badge, not the title
    window.document.add_node("Linear", (0, 600), {"out_features": 4})  # fed by nothing: an error
    assert badge.colour == ERROR_BADGE and "1 error," in badge.toolTip()
    window.bottom_tabs.tabBar().repaint()
    assert window.bottom_tabs.tabBar().tabRect(0).contains(badge.geometry())  # inside its tab, beside the title


def test_a_new_count_of_as_many_digits_lays_nothing_out_again(window, qtbot) -> None:
    wired_design(window)
    first, *_ = dead_ends(window, 3)
    qtbot.wait(1)
    badge = problems_badge(window)
    size = badge.size()
    requests = LayoutRequests(window.bottom_tabs)
    window.document.remove_nodes([first])
    qtbot.wait(1)
    assert problems_badge(window) is badge and badge.text == "2" and badge.size() == size
    assert requests.count == 0, "a new title lays the whole tab widget out again"


def test_the_badge_grows_with_its_digits_and_goes_with_the_last_problem(window, qtbot) -> None:
    wired_design(window)
    layers = dead_ends(window, 9)
    narrow = problems_badge(window).width()
    layers += dead_ends(window, 1)
    badge = problems_badge(window)
    assert badge.text == "10" and badge.width() > narrow
    window.bottom_tabs.tabBar().repaint()
    assert window.bottom_tabs.tabBar().tabRect(0).contains(badge.geometry())
    window.document.remove_nodes(layers)
    assert problems_badge(window) is None


def test_the_badge_survives_a_new_design(window, qtbot) -> None:
    wired_design(window)
    dead_ends(window, 1)
    window.files.new()
    wired_design(window)
    assert problems_badge(window) is None
    dead_ends(window, 1)
    assert problems_badge(window) is not None and problems_badge(window).text == "1"
