"""The model's change events, on psygnal: views subscribe without Qt.

psygnal holds a subscriber that is a bound method weakly, so a view that is
gone is never called and needs no hand-written ``detach()``; the window's
Qt views also cut their subscriptions when Qt destroys them
(``designer.ui.subscriptions.follow``).
"""

from __future__ import annotations

from psygnal import Signal


class GraphEvents:
    """Everything a view needs to follow a graph.

    ``changed`` fires once per edit (once per batch of edits) after the
    fine-grained events, so a view that only redraws summaries can listen to
    it alone.
    """

    node_added = Signal(object)  # (node)
    node_removed = Signal(object)  # (node)
    node_renamed = Signal(str, str)  # (old_id, new_id)
    node_moved = Signal(str, object)  # (node_id, (x, y))
    param_changed = Signal(str, str, object)  # (node_id, name, value)
    training_changed = Signal(str, bool, float)  # (node_id, frozen, lr_factor)
    edge_added = Signal(object)  # (edge)
    edge_removed = Signal(object)  # (edge)
    blocks_changed = Signal()  # () a block definition was added, removed, renamed or edited
    changed = Signal()  # ()
