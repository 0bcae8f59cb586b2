"""One open project: the design, its undo stack and its file.

Every user edit goes through a method here that checks it (raising the
model's typed error, so nothing is pushed) and then pushes one command.
"Modified" is the undo stack's clean state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from designer.data import SOURCES, DataError
from designer.document import commands as cmd
from designer.document.block_edits import BlockEdits
from designer.document.data_spec import DataDescriber
from designer.graph import Analysis, DataSpec, DuplicateIdError, Edge, EditError, Graph, ParamError, Problem
from designer.graph.layout import auto_layout, room_for_insert
from designer.graph.model import Position, check_node_id
from designer.project import Project, load_project, save_project
from designer.project.settings import Settings

if TYPE_CHECKING:
    from designer.train.transfer import TransferReport, WeightsSource


class LockedError(EditError):
    """An edit while the design is locked (a training run is using it); nothing changed."""


class Document(BlockEdits, QObject):
    modified_changed = Signal(bool)
    path_changed = Signal(object)  # Path | None
    settings_changed = Signal(str)  # "name", "description", "training" or "data"
    data_spec_changed = Signal()  # data_spec or data_problems changed: the analysis may differ
    locked_changed = Signal(str)  # the reason the design is locked, "" when it is unlocked
    start_weights_changed = Signal(object)  # WeightsSource | None: what the next runs start from

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project or Project(Graph("untitled"))
        self.undo_stack = QUndoStack(self)
        self.data_spec: DataSpec | None = None  # what the project's data yields, when known
        self.data_problems: list[Problem] = []  # why the data cannot be used, when it cannot
        self._lock_reason = ""
        self.start_weights: WeightsSource | None = None  # loaded into the design: runs start from what fits
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._describer = DataDescriber(self._on_data_described, self)
        self.project.training.changed.connect(partial(self._on_section_changed, "training"))
        self.project.data.changed.connect(partial(self._on_section_changed, "data"))
        self.path_changed.connect(lambda path: self.refresh_data_spec())  # relative data paths start at the project
        self.refresh_data_spec()

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    @classmethod
    def open(cls, path: str | Path, parent: QObject | None = None) -> Document:
        """Raises ProjectError (with the reason) when the file cannot be used."""
        return cls(load_project(path), parent)

    # ------------------------------------------------------------ state
    @property
    def graph(self) -> Graph:
        return self.project.graph

    @property
    def path(self) -> Path | None:
        return self.project.path

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        return self.project.name

    def analysis(self) -> Analysis:
        """Shapes and problems of the design, checked against its data when known."""
        return self.graph.analyze(self.data_spec)

    @property
    def describing_data(self) -> bool:
        """True while the user's data file is being read to describe it."""
        return self._describer.busy

    def refresh_data_spec(self) -> None:
        """Describe the project's data again (at once, or in the background for files)."""
        base = self.project.path.parent if self.project.path is not None else None
        self._describer.describe(self.project.data, base)

    def _on_data_described(self, spec: DataSpec | None, problems: list[Problem]) -> None:
        if spec != self.data_spec or problems != self.data_problems:
            self.data_spec, self.data_problems = spec, problems
            self.data_spec_changed.emit()

    # ------------------------------------------------------------- lock
    @property
    def locked(self) -> bool:
        return bool(self._lock_reason)

    @property
    def lock_reason(self) -> str:
        return self._lock_reason

    def set_locked(self, reason: str | None) -> None:
        """Lock the design (every edit raises LockedError) while ``reason`` holds, e.g.
        a training run uses it; None or "" unlocks. Undo and redo are the caller's
        to disable (the window's undo group)."""
        reason = reason or ""
        if reason != self._lock_reason:
            self._lock_reason = reason
            self.locked_changed.emit(reason)

    def _check_unlocked(self) -> None:
        if self._lock_reason:
            raise LockedError(f"the design is locked: {self._lock_reason}")

    def save(self, path: str | Path | None = None) -> Path:
        """Atomic save; the stack becomes clean. Raises OSError on failure."""
        old = self.project.path
        target = save_project(self.project, path)
        self.undo_stack.setClean()
        if target != old:
            self.path_changed.emit(target)
        return target

    def push(self, command: QUndoCommand) -> None:
        self._check_unlocked()
        self.undo_stack.push(command)

    def macro(self, text: str) -> _Macro:
        """``with document.macro("Paste"):`` groups pushes into one undo step."""
        self._check_unlocked()
        return _Macro(self.undo_stack, text)

    # ------------------------------------------------------------ edits
    def add_node(self, type_name: str, position: Position = (0.0, 0.0), params: Mapping[str, Any] | None = None) -> str:
        command = cmd.AddNodeCommand(self.graph, type_name, params or {}, position)
        self.push(command)
        return command.node_id

    def remove_nodes(self, node_ids: Iterable[str]) -> None:
        ids = [nid for nid in node_ids if nid in self.graph]
        if ids:
            self.push(cmd.RemoveNodesCommand(self.graph, ids))

    def connect(self, source: str, target: str, port: int | None = None) -> Edge:
        port = self.graph.check_connect(source, target, port)
        edge = Edge(source, target, port)
        self.push(cmd.ConnectCommand(self.graph, edge))
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self.graph.inputs_of(edge.target):
            raise EditError(f"there is no edge {edge.source} -> {edge.target}")
        self.push(cmd.DisconnectCommand(self.graph, edge))

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        command = cmd.SetParamCommand(self.graph, node_id, name, value)  # raises ParamError first
        if command.new != command.old or type(command.new) is not type(command.old):
            self.push(command)

    def set_node_training(self, node_ids: Iterable[str], frozen: bool | None = None, lr_factor: float | None = None) -> None:
        """Freeze or unfreeze nodes, or set their learning-rate factor, as one
        undo step; raises ParamError (nothing pushed) for a bad factor."""
        ids = [self.graph.node(nid).id for nid in dict.fromkeys(node_ids)]
        command = cmd.SetNodeTrainingCommand(self.graph, ids, frozen, lr_factor)
        changes = any(
            (frozen is not None and old[0] != frozen) or (command.lr_factor is not None and old[1] != command.lr_factor)
            for old in command.old.values()
        )
        if ids and changes:
            self.push(command)

    def load_start_weights(self, path: str | Path) -> TransferReport:
        """Start the design's runs from the weights in ``path`` where they fit
        (by node name, then by shapes in graph order): one undo step. Returns
        the report against the design as it is now; raises ProjectError when
        the file cannot be read, CompileError when the design has errors, and
        EditError when nothing in the file fits."""
        from designer.compile import compile_design
        from designer.train.transfer import read_source, start_state

        source = read_source(path)
        compiled = compile_design(self.graph)
        _, report = start_state(compiled, source, int(self.project.training["seed"]))
        if not report.loaded:
            raise EditError(f"{source.name}: no layer of the file fits the design (by name or by shapes)")
        self.push(cmd.SetStartWeightsCommand(self, source, f"Load weights from {source.name}"))
        return report

    def clear_start_weights(self) -> None:
        """Runs start from fresh weights again (one undo step)."""
        if self.start_weights is not None:
            self.push(cmd.SetStartWeightsCommand(self, None, "Start from fresh weights"))

    def set_start_weights(self, source: WeightsSource | None) -> None:
        """Called by the undo command only."""
        if source is not self.start_weights:
            self.start_weights = source
            self.start_weights_changed.emit(source)

    def move_nodes(self, old: Mapping[str, Position], new: Mapping[str, Position]) -> None:
        changed = {nid: pos for nid, pos in new.items() if tuple(old[nid]) != tuple(pos)}
        if changed:
            self.push(cmd.MoveNodesCommand(self.graph, {nid: old[nid] for nid in changed}, changed))

    def rename_node(self, old_id: str, new_id: str) -> None:
        if old_id == new_id:
            return
        self.graph.node(old_id)
        check_node_id(new_id)
        if new_id in self.graph:
            raise DuplicateIdError(f"a node '{new_id}' already exists")
        self.push(cmd.RenameNodeCommand(self.graph, old_id, new_id))

    def paste(self, records: Mapping[str, Any], offset: Position = (40.0, 40.0)) -> list[str]:
        if self.brings_blocks(records):
            return self.paste_with_blocks(records, offset)  # the definitions come too: undo takes them away
        for record in records.get("nodes", []):
            self.graph.check_params(record["type"], record.get("params"))  # refuse a bad clipboard up front
        command = cmd.PasteCommand(self.graph, records, offset)
        self.push(command)
        return command.node_ids

    def duplicate(self, node_ids: Iterable[str]) -> list[str]:
        return self.paste(self.graph.records(list(node_ids)), (40.0, 40.0))

    def insert_on_edge(
        self, edge: Edge, type_name: str, position: Position | None = None, params: Mapping[str, Any] | None = None
    ) -> str:
        """Put a new node between the two ends of ``edge``, as one undo step.
        Without ``position`` it goes between them, and when they are too close
        the nodes downstream move right to make room (designer.graph.layout)."""
        moves: dict[str, Position] = {}
        if position is None:
            position, moves = room_for_insert(self.graph, edge)
        with self.macro(f"Insert {type_name}"):
            if moves:
                self.push(cmd.MoveNodesCommand(self.graph, {nid: self.graph.node(nid).position for nid in moves}, moves))
            self.push(cmd.DisconnectCommand(self.graph, edge))
            node_id = self.add_node(type_name, position, params)
            self.push(cmd.ConnectCommand(self.graph, Edge(edge.source, node_id, 0)))
            self.push(cmd.ConnectCommand(self.graph, Edge(node_id, edge.target, edge.port)))
        return node_id

    def splice_node(self, node_id: str, edge: Edge) -> None:
        """Put an existing unconnected node into ``edge`` (dropped onto it)."""
        if self.graph.inputs_of(node_id) or self.graph.outputs_of(node_id) or node_id in (edge.source, edge.target):
            raise EditError(f"{node_id} is already connected: only a free node can be dropped onto an edge")
        spec = self.graph.spec(node_id)
        if spec.max_inputs == 0:
            raise EditError(f"{node_id} ({spec.name}) takes no input")
        with self.macro(f"Insert {node_id}"):
            self.push(cmd.DisconnectCommand(self.graph, edge))
            self.push(cmd.ConnectCommand(self.graph, Edge(edge.source, node_id, 0)))
            self.push(cmd.ConnectCommand(self.graph, Edge(node_id, edge.target, edge.port)))

    def auto_layout(self, room: tuple[float, float] | None = None) -> None:
        """Lay the design out by depth; ``room``: the canvas's size in pixels, to wrap a long design into bands that fit it."""
        new = auto_layout(self.graph, room)
        old = {nid: self.graph.node(nid).position for nid in new}
        changed = {nid: pos for nid, pos in new.items() if old[nid] != pos}
        if changed:
            self.push(cmd.MoveNodesCommand(self.graph, old, changed, "Auto-layout"))

    # --------------------------------------------------------- settings
    def settings(self, section: str) -> Settings:
        """The project's "training" or "data" settings."""
        if section == "training":
            return self.project.training
        if section == "data":
            return self.project.data
        raise KeyError(f"no settings section {section!r}")

    def set_setting(self, section: str, key: str, value: Any) -> None:
        """A training or data setting; raises ParamError (nothing pushed) for a bad value."""
        self.set_settings(section, {key: value})

    def set_settings(self, section: str, values: Mapping[str, Any], text: str = "") -> None:
        """Several settings of one section as one undo step (a data source with its
        options). Every value is checked first: ParamError names the bad one."""
        settings = self.settings(section)
        self._check_data_options(section, values)
        changed = {k: v for k, v in settings.check_many(values).items() if settings[k] != v or type(settings[k]) is not type(v)}
        if changed:
            self.push(cmd.UpdateSettingsCommand(settings, changed, text or f"Set {section} {', '.join(changed)}"))

    def _check_data_options(self, section: str, values: Mapping[str, Any]) -> None:
        """A data source's options are checked against that source's declaration."""
        if section != "data" or "options" not in values:
            return
        source = SOURCES.get(values.get("source", self.project.data["source"]))
        if source is not None and isinstance(values["options"], Mapping):
            try:
                source.check_options(values["options"])
            except DataError as exc:
                raise ParamError("data.options", str(exc)) from None

    def _on_section_changed(self, section: str) -> None:
        self.settings_changed.emit(section)
        if section == "data":
            self.refresh_data_spec()

    def set_name(self, name: str) -> None:
        if name and name != self.graph.name:
            self.push(cmd.SetSettingCommand(lambda: self.graph.name, self._write_name, name, "Rename project"))

    def _write_name(self, name: str) -> None:
        self.graph.name = name
        self.settings_changed.emit("name")

    def set_description(self, text: str) -> None:
        if text != self.project.description:
            self.push(cmd.SetSettingCommand(lambda: self.project.description, self._write_description, text, "Edit description"))

    def _write_description(self, text: str) -> None:
        self.project.description = text
        self.settings_changed.emit("description")


class _Macro:
    def __init__(self, stack: QUndoStack, text: str) -> None:
        self.stack, self.text = stack, text

    def __enter__(self) -> None:
        self.stack.beginMacro(self.text)

    def __exit__(self, *exc: object) -> None:
        self.stack.endMacro()
        if exc[0] is not None:  # a step failed: roll back what the macro did
            self.stack.undo()
