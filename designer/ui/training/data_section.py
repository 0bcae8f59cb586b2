"""The data-source editor: pick a source, set its options (editors generated
from ``Source.options``), the split, and see what the data gives and whether
the design's Input and Output fit it, with an optional preview.

Every change writes through the document (one undo step each: a new source
and its reset options are one step), and the editor redraws from the
document, so the copy in the inspector and the one in the Training panel
always agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from designer.data import SOURCES, Preview, Source
from designer.data.plan import loading_plan
from designer.data.source import LoadingPlan
from designer.document import Document
from designer.document.workers import LatestRequest
from designer.graph import EditError
from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.graph.summary import human_bytes
from designer.graph.tensor import format_dims
from designer.project.settings import DATA
from designer.ui.param_editors import ParamEditor
from designer.ui.scrolling import guard_wheel
from designer.ui.steady_text import SteadyText
from designer.ui.subscriptions import follow
from designer.ui.training.augment_section import AugmentSection
from designer.ui.training.settings_form import SettingsForm

if TYPE_CHECKING:
    from designer.ui.training.data_preview import DataPreview

KIND_TITLES = {"generated": "Generated", "builtin": "Built-in (scikit-learn)", "file": "Your files"}
FIT_CODES = ("data-input", "data-output")
MUTED = "color: #57606a;"


class DataSourceEditor(QWidget):
    """Source, options, split, facts and fit; ``preview=False`` leaves the preview out (the inspector)."""

    refused = Signal(str)  # an edit the settings refused (a bad value, a locked design), with the reason

    def __init__(self, document: Document, parent: QWidget | None = None, preview: bool = True) -> None:
        super().__init__(parent)
        self.document = document
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.source = QComboBox(self)
        self.source.setToolTip("Where the samples come from")
        for kind, title in KIND_TITLES.items():
            sources = [s for s in SOURCES.values() if s.kind == kind]
            if self.source.count():
                self.source.insertSeparator(self.source.count())
            for s in sources:
                self.source.addItem(f"{s.title}", s.name)
                self.source.setItemData(self.source.count() - 1, f"{title}: {s.description}", Qt.ItemDataRole.ToolTipRole)
        self.source.currentIndexChanged.connect(self._on_source_chosen)
        guard_wheel(self.source)  # the wheel scrolls the panel unless the list has the focus
        column.addWidget(self.source)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setStyleSheet(MUTED)
        column.addWidget(self.description)
        self.options_box = QWidget(self)
        self.options_form = QFormLayout(self.options_box)
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.option_editors: dict[str, ParamEditor] = {}
        self._options_for = ""
        column.addWidget(self.options_box)
        self.split = SettingsForm(document, "data", DATA, self)
        column.addWidget(self.split)
        self.split.refused.connect(self.refused)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.facts)
        self.loading = QLabel(self)  # how the samples will be loaded: in memory or read from disk
        self.loading.setWordWrap(True)
        self.loading.setStyleSheet(MUTED)
        self.loading.setVisible(False)
        column.addWidget(self.loading)
        self.fit = SteadyText(self)  # follows every edit of the design: it keeps its room, nothing below it jumps
        column.addWidget(self.fit)
        self.preview: DataPreview | None = None
        self.loader: LatestRequest | None = None  # previews, made off the UI thread
        self.planner: LatestRequest | None = None  # how the data would load (listing a big folder takes a while)
        if preview:
            from designer.ui.training.data_preview import DataPreview, make_preview  # pyqtgraph: not for the inspector's copy

            box = QGroupBox("Preview", self)
            inner = QVBoxLayout(box)
            self.preview = DataPreview(box)
            inner.addWidget(self.preview)
            column.addWidget(box, 1)
            self.loader = LatestRequest(make_preview, "preview-data", self)
            self.loader.succeeded.connect(self._on_preview_loaded)
            self.loader.failed.connect(self._on_preview_failed)
            self.augment = AugmentSection(document, self)  # the Training panel's copy only: the inspector stays short
            self.augment.refused.connect(self.refused)
            column.addWidget(self.augment)
            self.planner = LatestRequest(loading_plan, "plan-data", self)
            self.planner.succeeded.connect(self._on_plan_loaded)
            self.planner.failed.connect(self._on_plan_failed)
        document.settings_changed.connect(self._on_settings_changed)
        document.data_spec_changed.connect(self._on_data_spec_changed)
        follow(self, document.graph.events.changed, self._on_design_changed)
        self.refresh()

    @property
    def current_source(self) -> Source | None:
        return SOURCES.get(self.document.project.data.get("source"))

    # ----------------------------------------------------------- edits
    def _on_source_chosen(self, index: int) -> None:
        name = self.source.itemData(index)
        if name and name != self.document.project.data.get("source"):
            self._write({"source": name, "options": {}}, f"Use the {SOURCES[name].title} data")

    def _on_option_committed(self, name: str, value: Any) -> None:
        options = dict(self.document.project.data.get("options") or {})
        options[name] = list(value) if isinstance(value, tuple) else value
        self._write({"options": options})

    def _write(self, values: dict[str, Any], text: str = "") -> None:
        try:
            self.document.set_settings("data", values, text)
        except EditError as exc:  # shown where the user is looking; the editors go back to the kept values
            self.refresh()
            self.refused.emit(str(exc))

    # --------------------------------------------------------- redraw
    def _on_settings_changed(self, section: str) -> None:
        if section == "data":
            self.refresh()

    def _on_data_spec_changed(self) -> None:
        self._show_facts()

    def _on_design_changed(self) -> None:
        self._show_fit()

    def refresh(self) -> None:
        source = self.current_source
        data = self.document.project.data
        index = self.source.findData(data.get("source"))
        self.source.blockSignals(True)
        self.source.setCurrentIndex(index)
        self.source.blockSignals(False)
        self.description.setText(source.description if source else f"Unknown data source {data.get('source')!r}: choose one above.")
        self._build_options(source)
        options = data.get("options") or {}
        for name, editor in self.option_editors.items():
            editor.base_dir = self.document.path.parent if self.document.path else None
            editor.set_value(options.get(name, editor.param.default))
        self._show_facts()
        if self.loader is not None and self.preview is not None:
            self.preview.show_message("Loading a preview…")
            self.loader.request(dict(data), self.document.path.parent if self.document.path else None)
        if self.planner is not None:
            self.planner.request(dict(data), self.document.path.parent if self.document.path else None)

    def _build_options(self, source: Source | None) -> None:
        name = source.name if source else ""
        if name == self._options_for:
            return
        self._options_for = name
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_editors = {}
        for param in source.options if source else ():
            editor = ParamEditor(param, self.options_box)
            editor.committed.connect(self._on_option_committed)
            label = QLabel(param.name.replace("_", " "), self.options_box)
            label.setToolTip(param.help)
            self.options_form.addRow(label, editor)
            self.option_editors[param.name] = editor
        self.options_box.setVisible(bool(self.option_editors))

    def _show_facts(self) -> None:
        spec, doc = self.document.data_spec, self.document
        if doc.data_problems:
            self.facts.setText("<span style='color:#d73a49'>" + "<br>".join(_escape(p.message) for p in doc.data_problems) + "</span>")
        elif spec is None:
            self.facts.setText(f"<span style='{MUTED}'>Reading the data to see what it gives…</span>" if doc.describing_data else "")
        else:
            shape = format_dims(spec.input.shape)
            gives = f"{spec.num_classes} classes" if spec.task == "classification" else f"targets of shape {format_dims(spec.target_shape)}"
            self.facts.setText(f"<b>Gives</b> inputs of shape {shape} ({spec.input.dtype}) and {gives}.")
        self._show_fit()

    def _show_fit(self) -> None:
        if self.document.data_spec is None:
            self.fit.setText("")
            return
        analysis, graph = self.document.analysis(), self.document.graph
        problems = [p for p in analysis.problems if p.code in FIT_CODES]
        inputs = [n.id for n in graph.nodes if n.type == INPUT_TYPE]
        outputs = [n.id for n in graph.nodes if n.type == OUTPUT_TYPE]
        if problems:
            lines = [f"<b>{p.node}</b>: {_escape(p.message)}" for p in problems]
            self.fit.setText("<span style='color:#d73a49'>The design does not fit this data:<br>" + "<br>".join(lines) + "</span>")
        elif len(inputs) != 1 or len(outputs) != 1:
            self.fit.setText(f"<span style='{MUTED}'>Add one Input and one Output to check the design against this data.</span>")
        elif analysis.output_of(outputs[0]) is None:
            self.fit.setText(f"<span style='{MUTED}'>Wire the design through to its Output to check it against this data.</span>")
        else:  # only now has the data check run on both ends
            self.fit.setText("<span style='color:#2a9467'>The design's Input and Output fit this data.</span>")

    def _on_preview_loaded(self, preview: Preview) -> None:
        if self.preview is None:
            return
        self.preview.show_preview(preview)
        extra = f"{preview.total:,} samples" + (f"; classes: {', '.join(preview.class_names[:12])}" if preview.class_names else "")
        self.preview.setToolTip(extra)

    def _on_plan_loaded(self, plan: LoadingPlan | None) -> None:
        self.loading.setVisible(plan is not None)
        self.loading.setText(loading_text(plan) if plan is not None else "")

    def _on_plan_failed(self, _error: BaseException) -> None:
        self.loading.setVisible(False)  # the facts above say what is wrong with the data

    def _on_preview_failed(self, error: BaseException) -> None:
        if self.preview is not None:
            self.preview.show_message(str(error), error=True)


def loading_text(plan: LoadingPlan) -> str:
    """'20,000 images · 983.0 MB decoded · read from disk batch by batch, 1 worker'."""
    if plan.streamed:
        from designer.train.batches import stream_workers  # the training package: not at start

        workers = stream_workers(plan)
        how = "read from disk batch by batch" + (f", {workers} worker{'s' if workers != 1 else ''} decoding" if workers else "")
    else:
        how = "loaded into memory"
    note = f" ({plan.note})" if plan.note else ""
    return f"{plan.samples:,} {plan.noun} · {human_bytes(plan.decoded_bytes)} decoded · {how}{note}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
