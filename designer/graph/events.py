"""A minimal observer: views subscribe to the model's events without Qt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Event:
    """A named event with subscribers, called in subscription order."""

    __slots__ = ("name", "_callbacks")

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)


class GraphEvents:
    """Everything a view needs to follow a graph.

    ``changed`` fires once per edit (once per batch of edits) after the
    fine-grained events, so a view that only redraws summaries can listen to
    it alone.
    """

    def __init__(self) -> None:
        self.node_added = Event("node_added")  # (node)
        self.node_removed = Event("node_removed")  # (node)
        self.node_renamed = Event("node_renamed")  # (old_id, new_id)
        self.node_moved = Event("node_moved")  # (node_id, (x, y))
        self.param_changed = Event("param_changed")  # (node_id, name, value)
        self.edge_added = Event("edge_added")  # (edge)
        self.edge_removed = Event("edge_removed")  # (edge)
        self.changed = Event("changed")  # ()
