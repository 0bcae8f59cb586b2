"""The inside of one block, edited in its own canvas tab.

A ``BlockDocument`` is a Document whose graph is a working copy of one
block definition's inner graph. Every edit the canvas makes there (the same
Document methods as on the design) is applied to the working copy, turned
into a new definition and pushed on the *design's* undo stack as one
definition edit, so every instance changes and one undo takes it back. When
the definition changes from outside (undo, redo, another tab) the working
copy follows it; when the definition goes away the tab is told to close.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from designer.document.block_commands import DesignState, SetBlockDefinitionCommand, restore
from designer.document.document import Document, _Macro
from designer.graph import Analysis, EditError, Graph, TensorSpec
from designer.graph.analysis import INPUT_TYPE
from designer.graph.blocks import BlockDefinition, ExposedParam
from designer.project import Project


def definition_from(graph: Graph, old: BlockDefinition) -> BlockDefinition:
    """The definition ``old`` with ``graph`` as its inside (its name, exposed parameters and description kept)."""
    return BlockDefinition.from_graph(old.name, graph, old.params, old.description)


class BlockDocument(Document):
    closed = Signal()  # the block's definition is gone (undone, renamed away): close its tab

    def __init__(self, design: Document, name: str, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent or design)  # not Document's: the design owns the stack, data and lock
        self.design, self.block_name = design, name
        self._definition = design.graph.blocks[name]
        self.project = Project(self._definition.build_graph(design.graph.catalog))
        self.undo_stack = design.undo_stack
        self.data_spec = None
        self.data_problems = []
        self._lock_reason = ""
        self.start_weights = None
        self.is_open = True
        self._analysed: tuple[Any, Analysis] | None = None
        self._context = self.context()
        design.graph.events.changed.connect(self._on_design_changed)

    def close(self) -> None:
        """Stop following the design (the tab is closing)."""
        if self.is_open:
            self.is_open = False
            self.design.graph.events.changed.disconnect(self._on_design_changed)

    @property
    def definition(self) -> Any:
        return self._definition

    @property
    def title(self) -> str:
        return self.block_name

    def instances(self) -> list[str]:
        """The design's nodes that are instances of this block."""
        return [node.id for node in self.design.graph.nodes if node.type == self.block_name]

    def context(self) -> tuple[str, tuple[TensorSpec, ...], dict[str, Any]] | None:
        """The first instance whose inputs are all known (its id, input shapes and
        block parameters): the inside is shown with the shapes it gets there."""
        graph, analysis = self.design.graph, self.design.analysis()
        ports = len(self._definition.input_ids)
        for node_id in self.instances():
            inputs = tuple(analysis.output_of(edge.source) for edge in graph.inputs_of(node_id))
            if len(inputs) == ports and all(spec is not None for spec in inputs):
                return node_id, inputs, dict(graph.node(node_id).params)  # type: ignore[return-value]
        return None

    def analysis(self) -> Analysis:
        """The inside's shapes and problems, with an instance's input shapes and
        parameters when one is wired (else with the Inputs' own shapes)."""
        context = self.context()
        if context is None:
            return self.graph.analyze()
        key = (self.graph.revision, context[0], context[1], repr(sorted(context[2].items())))
        if self._analysed is None or self._analysed[0] != key:
            inside = definition_from(self.graph, self._definition).build_graph(self.design.graph.catalog)  # the working copy's copy
            with inside.batch():
                inputs = [node.id for node in self.graph.nodes if node.type == INPUT_TYPE]
                for node_id, spec in zip(inputs, context[1]):
                    inside.set_param(node_id, "shape", tuple(spec.shape), check=False)
                    inside.set_param(node_id, "dtype", spec.dtype, check=False)
                for name, exposed in self._definition.params.items():
                    for node_id, param in exposed.targets:
                        if node_id in inside:
                            inside.set_param(node_id, param, context[2].get(name, exposed.default), check=False)
            self._analysed = (key, inside.analyze())
        return self._analysed[1]

    @property
    def describing_data(self) -> bool:
        return False

    def refresh_data_spec(self) -> None:
        """The inside has no data of its own: its Inputs say what comes in."""

    # ------------------------------------------------------------ lock
    @property
    def locked(self) -> bool:
        return self.design.locked

    @property
    def lock_reason(self) -> str:
        return self.design.lock_reason

    def _check_unlocked(self) -> None:
        self.design._check_unlocked()

    # ----------------------------------------------------------- edits
    def push(self, command: QUndoCommand) -> None:
        """Apply ``command`` to the working copy, then push the definition it
        makes onto the design's stack (one undo step, every instance changes).
        A definition the design refuses is taken back and raised as EditError."""
        self._check_unlocked()
        old = self._definition
        command.redo()
        try:
            new = definition_from(self.graph, old)
        except EditError:
            command.undo()
            raise
        if new == old:
            return
        self._definition = new
        try:
            self.design.graph.set_block_definition(self.block_name, new)
        except EditError:
            self._definition = old
            command.undo()
            raise
        self.design.push(SetBlockDefinitionCommand(self.design.graph, self.block_name, old, new, command.text(), done=True))

    # ----------------------------------------------- block parameters
    def expose(self, node_id: str, param: str, name: str) -> None:
        """Make ``node_id``'s ``param`` a parameter of the block named ``name``,
        which each instance sets (one undo step). An existing block parameter of
        that name sets this one too (a residual block's ``channels`` sets both
        convolutions); a new one starts at the layer's value."""
        self.graph.node(node_id)
        params = dict(self._definition.params)
        old = params.get(name)
        if old is not None:
            if (node_id, param) in old.targets:
                return
            params[name] = ExposedParam(old.default, (*old.targets, (node_id, param)))
        else:
            params[name] = ExposedParam(self.graph.node(node_id).params[param], ((node_id, param),))
        self._set_params(params, f"Expose {node_id}.{param} as {self.block_name}.{name}")

    def unexpose(self, name: str) -> None:
        """The block parameter ``name`` is no longer one: its layers keep their own values."""
        params = {key: value for key, value in self._definition.params.items() if key != name}
        if len(params) != len(self._definition.params):
            self._set_params(params, f"Stop exposing {self.block_name}.{name}")

    def exposed_as(self, node_id: str) -> dict[str, str]:
        """The layer's parameters that are block parameters: its param -> the block parameter's name."""
        return {param: key for key, e in self._definition.params.items() for target, param in e.targets if target == node_id}

    def _set_params(self, params: dict[str, ExposedParam], text: str) -> None:
        self.design.set_block_definition(self.block_name, self._definition.with_params(params), text)

    def macro(self, text: str) -> _Macro:
        self._check_unlocked()
        return _Macro(self.undo_stack, text)

    def _on_design_changed(self) -> None:
        definitions = self.design.graph.blocks
        if self.block_name not in definitions:
            self.close()
            self.closed.emit()
            return
        definition = definitions[self.block_name]
        if definition != self._definition:
            self._definition = definition
            restore(self.graph, DesignState.of(definition.build_graph(self.design.graph.catalog)))
        context = self.context()
        if context != self._context:  # the shapes fed to the block changed: the inside's differ
            self._context = context
            self.data_spec_changed.emit()
