"""Keep the garbage collector's full passes short in the window.

By the time the window is made, the process holds hundreds of thousands of
objects that live as long as it does (torch, Qt, numpy, the layer catalog).
A full collection walks every object it tracks and holds the interpreter
while it does: 100-200 ms with the UI thread waiting, a visible stall.
Freezing what exists just before the first window is made (``gc.freeze``) takes it
out of every later pass.

torch comes later: the window's background warm-up imports it (about 450,000
objects) a moment after the window shows. While it does, the collector is
paused (its passes over torch's new objects, none of them garbage, took
20-150 ms each on the warm-up's thread, holding the interpreter the window
needs), and what exists once the warm-up is over is frozen too
(``warming_up``); unfrozen, a full collection took 180-250 ms, landing on any
edit or on a run's update. That also freezes the few window objects of that moment and the
warm-up's own leftovers: a one-time set, kept for the process's life if
they die in a cycle. Nothing is frozen after that: objects of the window's own
(pyqtgraph's parentless menus, a finished run's trainer and module) must stay
collectable, or a closed panel's or an old run's cycles would never be freed.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_frozen = False


def keep_full_collections_short() -> None:
    """Freeze what is loaded so far, once per process, before the first window is made (designer.app does)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


@contextlib.contextmanager
def no_collections() -> Iterator[None]:
    """The collector off for the ``with`` block (much is made, none of it
    garbage worth a pass), then as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def warming_up() -> Iterator[None]:
    """Around the background warm-up (torch imported and run once), if the window
    keeps its collections short (``keep_full_collections_short`` was called):
    no collections while it runs, then what exists is frozen."""
    if not _frozen:
        yield
        return
    with no_collections():
        try:
            yield
        finally:
            gc.freeze()
