"""The per-layer gradient plot stays readable when small: its log axis labels
only 1, 2 and 5 times a power of ten, so less than a decade of range does not
print 0.04 ... 0.09 on top of each other."""

from __future__ import annotations

import math

from designer.ui.training.gradient_plot import GradientPlot


def test_log_ticks_are_labelled_at_1_2_and_5_only(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    axis = plot.plot.getAxis("left")
    values = [math.log10(v) for v in (0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3)]
    labels = axis.logTickStrings(values, 1.0, 0.1)
    assert [bool(text) for text in labels] == [False, True, False, False, False, False, True, True, False]
    assert labels[1] == "0.05" and labels[6] == "0.1"
