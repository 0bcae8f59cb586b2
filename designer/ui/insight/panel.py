"""The Insight panel: look inside the network for one validation sample.

On the left the weights (initialised with the project's seed, a run of the
Training panel that kept weights, or a .safetensors file) and the sample
picker; on the right the tabs: every node's Outputs, a node's Weights and
neurons, an Activation layer's curve and inputs, Explain (attributions),
and Forward step.

Everything is computed by an InsightRunner off the UI thread, and only while
the panel is visible: hidden, it drops its requests and remembers what went
stale, so an idle panel costs a training run nothing. Refusals (a design
with problems, Grad-CAM without a convolution, neurons of a ReLU) are one
sentence in the place of the view, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from designer.document import Document
from designer.graph import ERROR
from designer.insight.errors import InsightError, WrongWeights
from designer.ui.insight.activation import ActivationPanel
from designer.ui.insight.backprop_view import BackpropView
from designer.ui.insight.explain import ExplainView
from designer.ui.insight.outputs import probability_text, regression_text
from designer.ui.insight.overview import OutputsTab
from designer.ui.insight.runner import Context, InsightRunner, NodeDetails, Predictions, SampleOutputs, SampleSet, WeightsChoice
from designer.ui.insight.samples import SamplePicker
from designer.ui.insight.stepper import ForwardStepper
from designer.ui.insight.weights import WeightsView
from designer.ui.insight.weights_menu import WeightsMenu
from designer.ui.subscriptions import follow
from designer.ui.training.runs import RunHistory, RunRecord

if TYPE_CHECKING:
    from designer.insight.attribution import Attribution

REFRESH_DELAY_MS = 250  # after an edit, so a burst of edits asks once
ERROR_STYLE = "color: #d73a49;"


class InsightPanel(QWidget):
    highlighted = Signal(object)  # node id to outline on the canvas, or None
    node_clicked = Signal(str)  # a node chosen in the panel: the window selects it on the canvas
    outputs_shown = Signal(int)  # every node's output for this sample is drawn
    message = Signal(str)  # for the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.history: RunHistory | None = None
        self.runner = InsightRunner(self)
        self._context: Context | None = None
        self._stale = True  # something changed while hidden (or nothing was asked yet)
        self.samples: SampleSet | None = None
        self.outputs: SampleOutputs | None = None
        self.details: NodeDetails | None = None
        self.predictions: Predictions | None = None
        self.sample: int | None = None
        self.nodes: list[str] = []
        self.unit = 0
        self._follower: QObject | None = None  # follows the document's graph until replaced
        self._build()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.runner.samples_ready.connect(self._on_samples)
        self.runner.outputs_ready.connect(self._on_outputs)
        self.runner.details_ready.connect(self._on_details)
        self.runner.explained.connect(self._on_explained)
        self.runner.predicted.connect(self._on_predictions)
        self.runner.failed.connect(self._on_failed)

    def _build(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        split = QSplitter(self)
        side = QWidget(split)
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Weights", side))
        self.weights = WeightsMenu(side)
        self.weights.project = lambda: self.document.path if self.document is not None else None
        row.addWidget(self.weights, 1)
        side_column.addLayout(row)
        self.picker = SamplePicker(side)
        side_column.addWidget(self.picker, 1)
        main = QWidget(split)
        main_column = QVBoxLayout(main)
        main_column.setContentsMargins(0, 0, 0, 0)
        self.headline = QLabel(main)
        self.headline.setWordWrap(True)
        main_column.addWidget(self.headline)
        self.problem = QLabel(main)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()
        main_column.addWidget(self.problem)
        self.tabs = QTabWidget(main)
        self.outputs_tab = OutputsTab(self.tabs)
        self.weights_view = WeightsView(self.tabs)
        self.activation = ActivationPanel(self.tabs)
        self.explain = ExplainView(self.tabs)
        self.stepper = ForwardStepper(self.tabs)
        self.tabs.addTab(self.outputs_tab, "Outputs")
        self.tabs.addTab(self.weights_view, "Weights")
        self.tabs.addTab(self.activation, "Activation")
        self.tabs.addTab(self.explain, "Explain")
        self.tabs.addTab(self.stepper, "Forward step")
        self.backprop = BackpropView(self.runner.engine.run, self.tabs)  # the gradient back, node by node
        self.tabs.addTab(self.backprop, "Backprop")
        main_column.addWidget(self.tabs, 1)
        split.addWidget(side)
        split.addWidget(main)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 1000])
        layout.addWidget(split)
        self.weights.chosen.connect(self._on_weights_chosen)
        self.picker.sample_chosen.connect(self._on_sample_chosen)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.weights_view.unit_changed.connect(self._on_unit_changed)
        self.explain.request_changed.connect(self._ask_explain)
        # The canvas outlines the node of the stepping tab in front: another tab in front drops it,
        # and each stepping tab brings back its own (an outline stayed on the Outputs tab).
        self._outlines: dict[QWidget, str | None] = {}
        for stepping in (self.stepper, self.backprop):
            stepping.highlighted.connect(lambda node, view=stepping: self._on_outline(view, node))
        self.outputs_tab.node_clicked.connect(self.node_clicked)

    def _on_outline(self, view: QWidget, node: str | None) -> None:
        self._outlines[view] = node
        if self.tabs.currentWidget() is view:
            self.highlighted.emit(node)

    def _on_tab_changed(self, _index: int) -> None:
        self.highlighted.emit(self._outlines.get(self.tabs.currentWidget()))
        self._ask_for_tab()

    # ------------------------------------------------------------ following
    def set_document(self, document: Document | None, history: RunHistory | None) -> None:
        """Look at ``document`` with the runs of ``history`` (the Training panel's)."""
        self.runner.cancel()
        if self.document is not None:
            for signal, slot in self._document_signals(self.document):
                signal.disconnect(slot)
        self.document = document
        self._set_history(history)
        self.samples = self.outputs = self.details = self.predictions = None
        self.sample, self.nodes = None, []
        self._context = None
        self.weights.fill(self._seed(), history.runs if history is not None else [])
        self._clear_views("")
        if self._follower is not None:
            self._follower.deleteLater()  # its subscription to the old graph ends with it
            self._follower = None
        if document is not None:
            self._follower = QObject(self)
            follow(self._follower, document.graph.events.changed, self._on_design_changed)
            for signal, slot in self._document_signals(document):
                signal.connect(slot)
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _document_signals(self, document: Document) -> list:
        return [(document.settings_changed, self._on_settings_changed), (document.data_spec_changed, self._on_design_changed)]

    def _set_history(self, history: RunHistory | None) -> None:
        if self.history is not None:
            self.history.run_changed.disconnect(self._on_run_changed)
            self.history.run_removed.disconnect(self._on_run_removed)
        self.history = history
        if history is not None:
            history.run_changed.connect(self._on_run_changed)
            history.run_removed.connect(self._on_run_removed)

    def _on_design_changed(self, *_: object) -> None:
        self._context = None
        self.runner.cancel()
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()

    def _on_settings_changed(self, section: str) -> None:
        if section in ("data", "training"):
            if section == "training":
                self.weights.relabel_seed(self._seed())
            self._on_design_changed()

    # ------------------------------------------------------------ weights
    def _seed(self) -> int:
        return int(self.document.project.training.get("seed", 0)) if self.document is not None else 0

    @property
    def weights_choice(self) -> WeightsChoice:
        return self.weights.choice

    def choose_run(self, record: RunRecord) -> bool:
        """Look at ``record``'s kept weights (False when it kept none)."""
        return self.weights.choose_run(record)

    def load_weights_file(self, path: str | Path) -> None:
        """Look at the weights of a .safetensors file (one that does not fit says so; nothing is lost)."""
        self.weights.load_file(path)

    def _on_weights_chosen(self, choice: WeightsChoice) -> None:
        self._context = None
        self.predictions = None
        self.picker.set_predictions(None, None)
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _on_run_changed(self, record: RunRecord) -> None:
        self.weights.add_run(record)

    def _on_run_removed(self, record: RunRecord) -> None:
        self.weights.remove_run(record)

    # ------------------------------------------------------------ asking
    def context(self) -> Context | None:
        """The snapshot and weights requests carry; None (with the reason shown) when the design cannot run."""
        document = self.document
        if document is None:
            return None
        if self._context is None:
            errors = [p for p in document.data_problems + document.analysis().problems if p.severity == ERROR]
            if errors:
                first = errors[0]
                where = f"{first.node}: " if first.node else ""
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                self._show_problem(f"Fix the design's problems first: {where}{first.message}{more}")
                return None
            self._context = Context.of(document.project, self.weights_choice)
        return self._context

    def refresh(self) -> None:
        """Ask for everything the visible views need (nothing while hidden)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._show_problem("")
        context = self.context()
        if context is None:
            self.runner.cancel()
            self._clear_views("")
            return
        self.headline.setText("Loading the data and the weights…")
        self.runner.ask_samples(context)
        if context.weights.key[0] != "seed":
            self.runner.ask_predictions(context)

    def _on_sample_chosen(self, sample: int) -> None:
        self.sample = sample
        self._ask_outputs()
        self._ask_for_tab()

    def open_sample(self, sample: int, record: RunRecord | None = None) -> None:
        """Show ``sample`` of the validation split (with ``record``'s weights): the results' grid opens samples here."""
        if record is not None:
            self.choose_run(record)
        self.sample = sample
        if self.samples is not None and 0 <= sample < self.samples.count:
            self.picker.select(sample)
        elif self.isVisible() and self._stale:
            self.refresh()

    def show_nodes(self, nodes: list[str]) -> None:
        """Follow the canvas selection: the nodes whose output, weights or activation to show."""
        order = self.document.analysis().order if self.document is not None else []
        nodes = [n for n in order if n in set(nodes)]  # shallow to deep, however they were selected
        if nodes == self.nodes:
            return
        self.nodes = nodes
        self.unit = 0
        self.outputs_tab.show_nodes(nodes)
        if nodes:
            self.explain.choose_node(nodes[0])
        self._ask_for_tab()

    def _ask_outputs(self) -> None:
        context = self.context()
        if context is not None and self.sample is not None and self.isVisible():
            self.runner.ask_outputs(context, self.sample)

    def _ask_for_tab(self) -> None:
        if not self.isVisible():
            self._stale = True
            return
        current = self.tabs.currentWidget()
        if current in (self.weights_view, self.activation):
            self._ask_details()
        elif current is self.explain:
            self._ask_explain()
        elif current is self.backprop and self.sample is not None and (context := self.context()) is not None:
            self.backprop.ask(context, self.sample)

    def _ask_details(self) -> None:
        context = self.context()
        if context is None or not self.isVisible():
            return
        if not self.nodes:
            self.weights_view.clear("Select a node on the canvas to see its weights and neurons.")
            self.activation.clear("Select an activation node (ReLU, Sigmoid, Tanh…) on the canvas.")
            return
        self.runner.ask_details(context, self.nodes[0], self.unit, self.sample)

    def _on_unit_changed(self, unit: int) -> None:
        self.unit = unit
        self._ask_details()

    def _ask_explain(self) -> None:
        context = self.context()
        if context is None or self.sample is None or not self.isVisible() or self.tabs.currentWidget() is not self.explain:
            return
        self.explain.title.setText("Explaining…")
        self.runner.ask_explain(context, self.sample, self.explain.method_key, self.explain.gradcam_node, self.explain.target_class)

    # ------------------------------------------------------------ answers
    def _on_samples(self, samples: SampleSet) -> None:
        self.samples = samples
        self.picker.set_samples(samples)
        if self.predictions is not None:
            self.picker.set_predictions(self.predictions.predicted, self.predictions.accuracy)
        convs = convolution_nodes_of(self.document)
        self.explain.set_choices(convs, samples.class_names)
        if samples.count == 0:
            self._show_problem("The validation split is empty: set the data's validation split above 0 to pick samples.")
            return
        wanted = self.sample if self.sample is not None and self.sample < samples.count else 0
        self.sample = None
        self.picker.select(wanted)

    def _on_outputs(self, outputs: SampleOutputs) -> None:
        self.outputs = outputs
        verdict = probability_text(outputs.probabilities, outputs.class_names, outputs.predicted, outputs.true)
        verdict = verdict or regression_text(outputs.output, outputs.target)
        self.headline.setText(f"Sample {outputs.sample} with {self.weights_choice.label}" + (f": {verdict}" if verdict else ""))
        self.outputs_tab.set_outputs(outputs)
        self.stepper.set_outputs(outputs)
        self.outputs_shown.emit(outputs.sample)

    def _on_details(self, details: NodeDetails) -> None:
        self.details = details
        self.weights_view.show_details(details)
        if details.activation is not None:
            self.activation.show_view(details.activation)
        else:
            self.activation.clear(details.activation_refusal)

    def _on_explained(self, found: Attribution) -> None:
        self.explain.show_attribution(found)

    def _on_predictions(self, predictions: Predictions) -> None:
        self.predictions = predictions
        self.picker.set_predictions(predictions.predicted, predictions.accuracy)

    def _on_failed(self, kind: str, error: BaseException) -> None:
        text = str(error) if isinstance(error, InsightError) else f"{type(error).__name__}: {error}"
        sentence = text[:1].upper() + text[1:]
        if kind == "details":
            self.weights_view.clear(sentence)
            self.activation.clear(sentence)
        elif kind == "explain":
            self.explain.clear(sentence)
        elif isinstance(error, WrongWeights):
            self._reject_weights(sentence)
        else:
            if "problems" in text and "fix them first" in text:
                sentence = "Fix the design's problems first: " + text.split("fix them first: ", 1)[1]
            self._show_problem(sentence)
            self.headline.setText("")

    def _reject_weights(self, sentence: str) -> None:
        """Weights that do not fit: say so, and go back to the initialised ones (nothing else changes)."""
        self.weights.reject()
        self._show_problem(sentence)

    # ------------------------------------------------------------ showing
    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        if text:
            self.message.emit(text)

    def _clear_views(self, message: str) -> None:
        self.outputs = None
        self.headline.setText(message)
        self.outputs_tab.set_outputs(None)
        self.stepper.set_outputs(None)
        self.weights_view.clear("Select a node on the canvas to see its weights and neurons.")
        self.activation.clear("Select an activation node (ReLU, Sigmoid, Tanh…) on the canvas.")
        self.explain.clear("")
        self.backprop.clear("")
        self.picker.set_samples(None)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self.runner.cancel()
        self.backprop.cancel()
        self._refresh_timer.stop()
        self.stepper.stop()
        self._stale = True

    def shutdown(self) -> None:
        """Drop every request and join the threads (the window closes or the document goes)."""
        from designer.document.workers import stop_all

        self.runner.cancel()
        self.backprop.cancel()
        self.stepper.stop()
        stop_all(owner=self.runner)
        stop_all(owner=self.backprop)


def convolution_nodes_of(document: Document | None) -> list[str]:
    """The design's convolutions in topological order (Grad-CAM's choices), from the model."""
    if document is None:
        return []
    from designer.insight.attribution import CONVOLUTIONS  # the engine loads torch: only when asked

    graph = document.graph
    return [nid for nid in document.analysis().order if graph.node(nid).type in CONVOLUTIONS]
