"""What differs between two designs: nodes added and removed, nodes renamed,
parameters changed, inputs rewired. Pure code over the project files'
records (no Qt, no torch), so the window's diff view, ``designer runs
--compare`` and the HTML report say the same thing.

Nodes are matched by id. A node that vanished under one id and appeared
under another with the same type and parameters counts as renamed, not as
one removed and one added. Wiring is compared after renames: an input of a
node fed from somewhere else (or no longer fed) makes that node rewired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from designer.graph import Graph

ADDED, REMOVED, CHANGED, REWIRED, RENAMED = "added", "removed", "changed", "rewired", "renamed"


@dataclass(frozen=True)
class ParamChange:
    name: str
    old: Any
    new: Any

    def text(self) -> str:
        return f"{self.name} {_shown(self.old)} → {_shown(self.new)}"


@dataclass(frozen=True)
class Wire:
    """An input of ``target`` (port ``port``) fed from ``source``."""

    source: str
    target: str
    port: int

    def text(self) -> str:
        return f"{self.source} → {self.target}" + (f" (input {self.port + 1})" if self.port else "")


@dataclass
class DesignDiff:
    """From design ``a`` to design ``b``; node ids are ``b``'s, except for removed nodes (``a``'s)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # a's id -> b's id
    changed: dict[str, list[ParamChange]] = field(default_factory=dict)  # b's id -> its changes
    wires_added: list[Wire] = field(default_factory=list)  # in b's ids
    wires_removed: list[Wire] = field(default_factory=list)  # in a's ids
    types: dict[str, str] = field(default_factory=dict)  # every node id of a and b -> its type
    nodes_b: list[str] = field(default_factory=list)

    @property
    def rewired(self) -> list[str]:
        """Nodes in both designs (ids of b) whose inputs changed."""
        hit = {w.target for w in self.wires_added} | {self.renamed.get(w.target, w.target) for w in self.wires_removed}
        added = set(self.added)
        return [n for n in self.nodes_b if n in hit and n not in added]

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed or self.wires_added or self.wires_removed)

    def status(self, node_id: str) -> str | None:
        """How ``node_id`` of b differs: added, changed, renamed, rewired, or None."""
        return self._statuses.get(node_id)

    @cached_property
    def _statuses(self) -> dict[str, str]:
        """Each differing node of b and how, the first of added, changed, renamed, rewired; made
        once, as a diff is read, not changed, once made (asked node by node, the lists made a
        drawing of two 10,000-node designs' diff take 7 s)."""
        statuses = dict.fromkeys(self.rewired, REWIRED)
        statuses |= dict.fromkeys(self.renamed.values(), RENAMED)
        statuses |= dict.fromkeys(self.changed, CHANGED)
        statuses |= dict.fromkeys(self.added, ADDED)
        return statuses

    def lines(self) -> list[str]:
        """One line per difference, nodes first."""
        if self.same:
            return ["the designs are the same"]
        out = [f"added {n} ({self.types.get(n, '?')})" for n in self.added]
        out += [f"removed {n} ({self.types.get(n, '?')})" for n in self.removed]
        out += [f"renamed {old} → {new}" for old, new in self.renamed.items()]
        for node, changes in self.changed.items():
            out.append(f"changed {node}: " + ", ".join(c.text() for c in changes))
        out += [f"wired {w.text()}" for w in self.wires_added]
        out += [f"unwired {w.text()}" for w in self.wires_removed]
        return out


def diff_designs(a: Graph, b: Graph) -> DesignDiff:
    """The differences from ``a`` to ``b`` (see the module docstring)."""
    return diff_records(a.records(), b.records())


def diff_records(a: Mapping[str, Any], b: Mapping[str, Any]) -> DesignDiff:
    """The same from two ``Graph.records()`` (the project file's nodes and edges)."""
    nodes_a = {n["id"]: n for n in a.get("nodes", [])}
    nodes_b = {n["id"]: n for n in b.get("nodes", [])}
    types = {**{k: n["type"] for k, n in nodes_a.items()}, **{k: n["type"] for k, n in nodes_b.items()}}
    diff = DesignDiff(types=types, nodes_b=list(nodes_b))
    gone = [n for n in nodes_a if n not in nodes_b]
    new = [n for n in nodes_b if n not in nodes_a]
    new_of_type: dict[str, list[str]] = {}  # the candidates for a rename, by type, in b's order
    for node_id in new:
        new_of_type.setdefault(nodes_b[node_id]["type"], []).append(node_id)
    for old in gone:  # a node under a new name: same type and parameters
        candidates = new_of_type.get(nodes_a[old]["type"], [])
        match = next((n for n in candidates if _same_node(nodes_a[old], nodes_b[n])), None)
        if match is not None:
            diff.renamed[old] = match
            candidates.remove(match)
    renamed_to = set(diff.renamed.values())
    diff.removed = [n for n in gone if n not in diff.renamed]
    diff.added = [n for n in new if n not in renamed_to]
    for node_id, node in nodes_b.items():
        before = nodes_a.get(node_id)
        if before is None:  # added, or renamed (the same parameters under a new id)
            continue
        changes = _param_changes(before, node)
        if changes:
            diff.changed[node_id] = changes
    rename = diff.renamed
    wires_a = {Wire(rename.get(e["source"], e["source"]), rename.get(e["target"], e["target"]), e.get("port", 0)) for e in a.get("edges", [])}
    wires_b = {Wire(e["source"], e["target"], e.get("port", 0)) for e in b.get("edges", [])}
    back = {new_id: old_id for old_id, new_id in rename.items()}
    diff.wires_added = sorted(wires_b - wires_a, key=_wire_key)
    diff.wires_removed = sorted(
        (Wire(back.get(w.source, w.source), back.get(w.target, w.target), w.port) for w in wires_a - wires_b), key=_wire_key
    )
    return diff


def _same_node(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a["type"] == b["type"] and a.get("params", {}) == b.get("params", {})


def _param_changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ParamChange]:
    changes = [ParamChange("type", a["type"], b["type"])] if a["type"] != b["type"] else []
    pa, pb = a.get("params", {}), b.get("params", {})
    for name in sorted(set(pa) | set(pb)):
        if pa.get(name) != pb.get(name):
            changes.append(ParamChange(name, pa.get(name), pb.get(name)))
    return changes


def _wire_key(wire: Wire) -> tuple[str, int, str]:
    return wire.target, wire.port, wire.source


def _shown(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
