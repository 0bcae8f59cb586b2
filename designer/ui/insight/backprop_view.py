"""Backpropagation, step by step, for the chosen sample (the Backprop tab).

Next walks the stages a teacher narrates: the forward pass (the prediction;
the Forward step tab shows every node's output), the loss, then the
gradient flowing back one node per click from the Output to the Input (the
canvas outlines the node; the view draws its output gradient, with its shape
and norm), and last the update one step of gradient descent makes to a chosen
weight or bias: old value, gradient, learning rate (the project's), new value,
and the sample's loss after the step. The numbers come from
:func:`designer.insight.backprop.backprop_walk`, computed off the UI thread;
the weights are never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from designer.document.workers import LatestRequest
from designer.insight.errors import InsightError
from designer.ui.insight.outputs import TensorView
from designer.ui.insight.runner import Context
from designer.ui.training.devices import warm_up_first

if TYPE_CHECKING:
    from designer.insight.backprop import BackpropWalk, ParameterUpdate
    from designer.insight.inspector import Inspector

FORWARD, LOSS, UPDATE = "forward", "loss", "update"
Ask = Callable[[Context, Callable[[Any], Any]], Any]  # runs a question on the panel's Inspector


class BackpropView(QWidget):
    """The Backprop tab; ``highlighted`` names the node to outline on the canvas (None: none)."""

    highlighted = Signal(object)
    walked = Signal(object)  # a new BackpropWalk arrived

    def __init__(self, ask: Ask, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.walk: BackpropWalk | None = None
        self.stage = -1  # index into stages(); -1 before the first Next
        self.update_shown: ParameterUpdate | None = None
        self._request = LatestRequest(
            lambda context, sample: ask(context, lambda ins: _walk(ins, sample)), "insight backprop", self
        )
        self._request.succeeded.connect(self.show_walk)
        self._request.failed.connect(lambda exc: self.clear(str(exc) if isinstance(exc, InsightError) else f"the walk failed: {exc}"))
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("◀ Back", self)
        self.next_button = QPushButton("Next ▶", self)
        self.reset_button = QPushButton("Start over", self)
        self.next_button.setToolTip("Forward, the loss, then backward one node per click, then the update")
        for button in (self.back_button, self.next_button, self.reset_button):
            buttons.addWidget(button)
        self.stage_label = QLabel(self)
        buttons.addWidget(self.stage_label, 1)
        column.addLayout(buttons)
        self.text = QLabel("Choose a sample to follow its gradient back through the network.", self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.text)
        self.picture = TensorView(self)
        column.addWidget(self.picture, 1)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Update of", self))
        self.node_box = QComboBox(self)
        self.param_box = QComboBox(self)
        self.index_box = QSpinBox(self)
        self.index_box.setToolTip("Which element of the parameter (flat index, row by row)")
        chooser.addWidget(self.node_box)
        chooser.addWidget(self.param_box)
        chooser.addWidget(QLabel("element", self))
        chooser.addWidget(self.index_box)
        chooser.addStretch(1)
        column.addLayout(chooser)
        self.back_button.clicked.connect(lambda: self.go(self.stage - 1))
        self.next_button.clicked.connect(lambda: self.go(self.stage + 1))
        self.reset_button.clicked.connect(lambda: self.go(-1))
        self.node_box.currentTextChanged.connect(self._on_node_chosen)
        self.param_box.currentTextChanged.connect(self._on_param_chosen)
        self.index_box.valueChanged.connect(lambda _: self._refresh_update())
        self._enable()

    # ------------------------------------------------------------ asking
    def ask(self, context: Context, sample: int) -> None:
        """Walk ``sample`` with the context's weights (off the UI thread)."""
        if self.walk is None or self.walk.sample != sample:
            self.text.setText(f"Following sample {sample} forward and back…")
        warm_up_first()
        self._request.request(context, sample)

    def cancel(self) -> None:
        self._request.cancel()

    def clear(self, message: str = "") -> None:
        self.walk = None
        self.stage = -1
        self.text.setText(message)
        self.picture.clear()
        self.node_box.clear()
        self.highlighted.emit(None)
        self._enable()

    def show_walk(self, walk: BackpropWalk) -> None:
        same_design = self.walk is not None and self.walk.forward == walk.forward
        self.walk = walk
        nodes = [g.node for g in reversed(walk.backward) if walk.parameter_names(g.node)]
        if [self.node_box.itemText(i) for i in range(self.node_box.count())] != nodes:
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.addItems(nodes)
            self.node_box.blockSignals(False)
            self._on_node_chosen(self.node_box.currentText())
        self.go(self.stage if same_design else -1)
        self.walked.emit(walk)

    # ------------------------------------------------------------ stages
    def stages(self) -> list[str]:
        """forward, loss, one per node (Output to Input), update."""
        return [FORWARD, LOSS, *(g.node for g in self.walk.backward), UPDATE] if self.walk is not None else []

    def go(self, stage: int) -> None:
        stages = self.stages()
        self.stage = max(-1, min(stage, len(stages) - 1))
        self._enable()
        walk = self.walk
        if walk is None:
            return
        if self.stage < 0:
            self.stage_label.setText("")
            self.text.setText(f"Sample {walk.sample}: press Next to run it forward, then follow the gradient back.")
            self.picture.clear()
            self.highlighted.emit(None)
            return
        name = stages[self.stage]
        self.stage_label.setText(f"step {self.stage + 1} of {len(stages)}")
        if name == FORWARD:
            self._show_forward(walk)
        elif name == LOSS:
            self._show_loss(walk)
        elif name == UPDATE:
            self._show_update(walk)
        else:
            self._show_gradient(walk, name)

    def _show_forward(self, walk: BackpropWalk) -> None:
        self.highlighted.emit(walk.forward[-1])
        path = " → ".join(walk.forward)
        self.text.setText(
            f"<b>Forward</b>: sample {walk.sample} flows {path} (the Forward step tab shows each node's output).<br>"
            f"The output is {_values(walk.prediction)}; the target is {_values(np.asarray(walk.target))}."
        )
        self.picture.show_output("the output", walk.prediction)

    def _show_loss(self, walk: BackpropWalk) -> None:
        self.highlighted.emit(None)
        self.text.setText(
            f"<b>Loss</b> ({walk.loss_name}) of the output against the target: <b>{walk.loss:.4g}</b>.<br>"
            "Backpropagation now asks, node by node from the output back: how much would the loss change "
            "if this node's output changed a little? That is the node's output gradient dL/d(output)."
        )
        self.picture.clear()

    def _show_gradient(self, walk: BackpropWalk, node: str) -> None:
        self.highlighted.emit(node)
        step = walk.gradient_of(node)
        shape = "×".join(str(s) for s in step.shape) or "scalar"
        if step.gradient is None:
            self.text.setText(
                f"<b>Backward</b> at <b>{node}</b> ({step.type}): no gradient reaches it (its values are not differentiable)."
            )
            self.picture.clear()
            return
        self.text.setText(
            f"<b>Backward</b> at <b>{node}</b> ({step.type}): dL/d(output) has shape [{shape}], norm <b>{step.norm:.4g}</b>; "
            f"largest part {_values(step.gradient.reshape(-1)[np.argmax(np.abs(step.gradient))].reshape(1))}.<br>"
            "Red: raising that value would raise the loss; blue: it would lower it."
        )
        self.picture.show_output(f"dL/d({node})", step.gradient)

    def _show_update(self, walk: BackpropWalk) -> None:
        self.highlighted.emit(self.node_box.currentText() or None)
        self._refresh_update()

    def _refresh_update(self) -> None:
        walk = self.walk
        stages = self.stages()
        if walk is None or not stages or self.stage != len(stages) - 1:
            return
        node, param = self.node_box.currentText(), self.param_box.currentText()
        if not node or not param:
            self.text.setText("<b>Update</b>: this design has no trainable parameter on the way back.")
            return
        shape = walk.parameter_shape(node, param)
        index = tuple(int(i) for i in np.unravel_index(self.index_box.value(), shape))
        update = self.update_shown = walk.update(node, param, index)
        where = ", ".join(map(str, index))
        self.text.setText(
            f"<b>Update</b> of {node}.{param}[{where}] by one step of gradient descent, w ← w − lr × dL/dw:<br>"
            f"old <b>{update.old:.6g}</b> − lr <b>{update.learning_rate:g}</b> × gradient <b>{update.gradient:.6g}</b> "
            f"= new <b>{update.new:.6g}</b><br>"
            f"With every weight and bias stepped so, the sample's loss goes from {walk.loss:.4g} to <b>{walk.loss_after:.4g}</b>. "
            "(The project's optimizer may step differently; the weights themselves are not changed.)"
        )
        self.picture.clear()

    def _on_node_chosen(self, node: str) -> None:
        self.param_box.blockSignals(True)
        self.param_box.clear()
        if self.walk is not None and node:
            self.param_box.addItems(self.walk.parameter_names(node))
        self.param_box.blockSignals(False)
        self._on_param_chosen(self.param_box.currentText())
        if self.walk is not None and self.stage == len(self.stages()) - 1:
            self.highlighted.emit(node or None)

    def _on_param_chosen(self, param: str) -> None:
        node = self.node_box.currentText()
        size = int(np.prod(self.walk.parameter_shape(node, param))) if self.walk is not None and node and param else 1
        self.index_box.setRange(0, max(0, size - 1))
        self._refresh_update()

    def _enable(self) -> None:
        count = len(self.stages())
        self.back_button.setEnabled(self.walk is not None and self.stage >= 0)
        self.next_button.setEnabled(self.walk is not None and self.stage < count - 1)
        self.reset_button.setEnabled(self.walk is not None and self.stage >= 0)


def _values(values: np.ndarray) -> str:
    flat = np.asarray(values).reshape(-1)
    shown = ", ".join(f"{float(v):.4g}" for v in flat[:8])
    return f"[{shown}{', …' if flat.size > 8 else ''}]"


def _walk(inspector: Inspector, sample: int) -> BackpropWalk:
    """On the engine's thread: the engine (and torch) load with the first walk."""
    from designer.insight.backprop import backprop_walk

    return backprop_walk(inspector, sample)
