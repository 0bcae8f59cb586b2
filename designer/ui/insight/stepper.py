"""Forward propagation, one node at a time: Step walks the graph in
topological order from the Input to the Output, the canvas highlights the
node, and the view shows what it received and the tensor it passes on
(shape and values), so a teacher can narrate the data flowing to the
prediction. Back goes a step back; Play steps on its own."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.ui.insight.outputs import TensorView, probability_text
from designer.ui.insight.runner import SampleOutputs

PLAY_MS = 900  # between steps while playing
SHOWN_VALUES = 8


def values_text(values: np.ndarray) -> str:
    """The first few values, so the numbers themselves are seen too."""
    flat = values.reshape(-1)
    head = ", ".join(f"{v:.3g}" for v in flat[:SHOWN_VALUES].astype(np.float64))
    more = f", … ({flat.size} values)" if flat.size > SHOWN_VALUES else ""
    return f"[{head}{more}]"


def _shape(values: np.ndarray) -> str:
    return "[" + ", ".join(str(s) for s in values.shape) + "]"


class ForwardStepper(QWidget):
    """The Forward step tab; ``highlighted`` names the node to outline on the canvas (None: none)."""

    highlighted = Signal(object)  # node id | None
    position_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.back_button = QPushButton("◀ Back", self)
        self.step_button = QPushButton("Step ▶", self)
        self.play_button = QPushButton("Play", self)
        self.play_button.setCheckable(True)
        self.reset_button = QPushButton("Reset", self)
        for button, tip in (
            (self.back_button, "One node back"),
            (self.step_button, "On to the next node in topological order"),
            (self.play_button, "Step through the nodes on its own"),
            (self.reset_button, "Back to before the Input"),
        ):
            button.setToolTip(tip)
            row.addWidget(button)
        self.where = QLabel(self)
        row.addWidget(self.where, 1)
        column.addLayout(row)
        self.narration = QLabel("Pick a sample, then Step to follow it through the network.", self)
        self.narration.setWordWrap(True)
        column.addWidget(self.narration)
        self.tensor = TensorView(self)
        column.addWidget(self.tensor, 1)
        self.values = QLabel(self)
        self.values.setWordWrap(True)
        column.addWidget(self.values)
        self.outputs: SampleOutputs | None = None
        self.position = -1  # index into outputs.order; -1: before the Input
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_MS)
        self.timer.timeout.connect(self._on_tick)
        self.back_button.clicked.connect(self.back)
        self.step_button.clicked.connect(self.step)
        self.play_button.toggled.connect(self._on_play)
        self.reset_button.clicked.connect(self.reset)
        self._update_buttons()

    @property
    def node(self) -> str | None:
        if self.outputs is None or not 0 <= self.position < len(self.outputs.order):
            return None
        return self.outputs.order[self.position]

    def set_outputs(self, outputs: SampleOutputs | None) -> None:
        """A new sample (or weights): the walk keeps its place and shows the new values."""
        same_design = outputs is not None and self.outputs is not None and outputs.order == self.outputs.order
        self.outputs = outputs
        if not same_design:
            self.position = -1
        self._show()

    def step(self) -> None:
        if self.outputs is not None and self.position < len(self.outputs.order) - 1:
            self.position += 1
            self._show()
        if self.outputs is None or self.position >= len(self.outputs.order) - 1:
            self.play_button.setChecked(False)

    def back(self) -> None:
        if self.position > -1:
            self.position -= 1
            self._show()

    def reset(self) -> None:
        self.play_button.setChecked(False)
        self.position = -1
        self._show()

    def stop(self) -> None:
        """Stop playing and drop the canvas highlight (the panel was hidden)."""
        self.play_button.setChecked(False)
        self.highlighted.emit(None)

    def _on_play(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            if self.outputs is not None and self.position >= len(self.outputs.order) - 1:
                self.position = -1
            self.timer.start()
            self.step()
        else:
            self.timer.stop()

    def _on_tick(self) -> None:
        self.step()

    def _show(self) -> None:
        outputs, node = self.outputs, self.node
        self._update_buttons()
        self.highlighted.emit(node)
        self.position_changed.emit(self.position)
        if outputs is None:
            self.where.setText("")
            self.tensor.clear()
            self.values.setText("")
            return
        total = len(outputs.order)
        if node is None:
            self.where.setText(f"0 of {total}")
            self.narration.setText(f"Sample {outputs.sample} waits at the Input. Step to send it through the {total} nodes.")
            self.tensor.clear()
            self.values.setText("")
            return
        values = outputs.outputs[node]
        kind = outputs.types[node]
        self.where.setText(f"step {self.position + 1} of {total}")
        sources = outputs.sources.get(node, [])
        received = " and ".join(f"{s} {_shape(outputs.outputs[s])}" for s in sources)
        if kind == INPUT_TYPE:
            text = f"<b>{node}</b> (Input) holds sample {outputs.sample}: a tensor of shape {_shape(values)}."
        elif kind == OUTPUT_TYPE:
            text = f"<b>{node}</b> (Output) hands on what {received} gives: {_shape(values)}."
            verdict = probability_text(outputs.probabilities, outputs.class_names, outputs.predicted, outputs.true)
            if verdict:
                text += f" The network's answer: {verdict}."
        else:
            text = f"<b>{node}</b> ({kind}) receives {received or 'nothing'} and passes on {_shape(values)}."
        self.narration.setText(text)
        last = kind == OUTPUT_TYPE and outputs.probabilities is not None
        self.tensor.show_output(
            f"{node} ({kind})",
            values,
            attention=outputs.attention.get(node),
            probabilities=outputs.probabilities if last else None,
            class_names=outputs.class_names,
            predicted=outputs.predicted,
            true=outputs.true,
        )
        self.values.setText(f"values: {values_text(values)}")

    def _update_buttons(self) -> None:
        total = len(self.outputs.order) if self.outputs is not None else 0
        self.back_button.setEnabled(self.position > -1)
        self.step_button.setEnabled(self.position < total - 1)
        self.play_button.setEnabled(total > 0)
        self.reset_button.setEnabled(self.position > -1)
