"""Qt views following the model's psygnal events for exactly as long as they live.

psygnal already holds a bound-method subscriber weakly; a Qt view's Python
object can outlive its C++ widget, though (a parent deleted it while Python
still refers to it), and calling into a deleted widget fails. ``follow`` also
cuts the subscription when Qt destroys the view, so no view needs a
``detach()`` and a closed one is never called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psygnal import SignalInstance
from PySide6.QtCore import QObject


def follow(owner: QObject, signal: SignalInstance, slot: Callable[..., Any]) -> None:
    """Call ``slot`` on each emission of ``signal`` until ``owner`` is destroyed."""
    signal.connect(slot)
    owner.destroyed.connect(lambda *_: signal.disconnect(slot, missing_ok=True))
