"""Keep the garbage collector's full passes short in the window.

By the time the window is made, the process holds hundreds of thousands of
objects that live as long as it does (torch, Qt, numpy, the layer catalog).
A full collection walks every object it tracks and holds the interpreter
while it does: 100-200 ms with the UI thread waiting, a visible stall.
Freezing what exists just before the first window is made (``gc.freeze``) takes it
out of every later pass. Nothing is frozen later: objects of the window's own
(pyqtgraph's parentless menus among them) must stay collectable, or a closed
panel's cycles would never be freed.
"""

from __future__ import annotations

import gc

_frozen = False


def keep_full_collections_short() -> None:
    """Freeze what is loaded so far, once per process, before the first window is made (designer.app does)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
