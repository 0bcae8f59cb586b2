"""The installed Qt binding keeps Python's reference counts intact.

PySide6 6.12.0 under Python 3.11 released a reference to None on every call
of a method returning void, so a long session aborted with "deallocating
None". Thousands of calls here must leave None's count where it was.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QGraphicsPathItem


def test_void_calls_keep_none_alive(qapp) -> None:
    item = QGraphicsPathItem()
    before = sys.getrefcount(None)
    for _ in range(2000):
        item.update()
        item.setToolTip("x")
        item.prepareGeometryChange()
    assert sys.getrefcount(None) - before > -100
