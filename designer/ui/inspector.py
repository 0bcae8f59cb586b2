"""The inspector: an editor generated from the selected node's catalog
declaration (parameters, inferred arguments read-only, output shape,
parameter count, problems with a button for each quick fix, help); with
nothing selected, the project's settings."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QScrollArea, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from designer.document import Document, QuickFix, fixes_for
from designer.graph import EditError
from designer.graph.model import MAX_LR_FACTOR
from designer.graph.summary import human_count
from designer.ui import style
from designer.ui.param_editors import ERROR_STYLE, ParamEditor, show_value
from designer.ui.severity import SEVERITY_COLOURS
from designer.ui.subscriptions import follow

if TYPE_CHECKING:
    from designer.ui.project_settings import ProjectSettingsPanel


class NodeInspector(QWidget):
    message = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.node_id: str | None = None
        self.editors: dict[str, ParamEditor] = {}
        self.frozen_box: QCheckBox | None = None
        self.factor_field: QLineEdit | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._content: QWidget | None = None

    def show_node(self, node_id: str | None) -> None:
        if node_id != self.node_id or self._content is None:
            self.node_id = node_id
            self._build()
        self.refresh()

    def _build(self) -> None:
        if self._content is not None:
            self._content.deleteLater()
        self.editors = {}
        self._content = content = QWidget(self)
        self._layout.addWidget(content)
        if self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        layer = self.document.graph.catalog.get(node.type)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(f"<b>{layer.name}</b> &nbsp;<span style='color:#eee'>{layer.category}</span>", content)
        title.setStyleSheet(f"background: {style.category_colour(layer.category).name()}; color: white; padding: 6px; border-radius: 4px;")
        column.addWidget(title)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.id_field = QLineEdit(content)
        self.id_field.setToolTip("The node's id: also its attribute name in the generated PyTorch code.")
        self.id_field.editingFinished.connect(self._on_id_edited)
        form.addRow("id", self.id_field)
        for param in layer.params:
            editor = ParamEditor(param, content)
            editor.committed.connect(self._on_param_committed)
            label = QLabel(param.name, content)
            label.setToolTip(param.help)
            form.addRow(label, editor)
            self.editors[param.name] = editor
        if layer.constructor is not None:  # a layer that can have weights: frozen or trainable, and how fast
            self.frozen_box = QCheckBox("frozen", content)
            self.frozen_box.setToolTip(
                "Transfer learning: training leaves this layer's weights (and a BatchNorm's statistics) as they are. "
                "A lock on the node shows it (one undo step)."
            )
            self.frozen_box.toggled.connect(self._on_frozen_toggled)
            form.addRow("training", self.frozen_box)
            self.factor_field = QLineEdit(content)
            self.factor_field.setToolTip(f"This layer learns at the run's learning rate times this factor (0 to {MAX_LR_FACTOR:g}).")
            self.factor_field.editingFinished.connect(self._on_factor_edited)
            form.addRow("lr factor", self.factor_field)
        else:
            self.frozen_box, self.factor_field = None, None
        column.addLayout(form)
        self.inferred = QLabel(content)
        self.inferred.setWordWrap(True)
        self.facts = QLabel(content)
        self.facts.setWordWrap(True)
        self.problems = QLabel(content)
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.fix_box = QWidget(content)  # a button per quick fix of the node's problems
        QVBoxLayout(self.fix_box).setContentsMargins(0, 0, 0, 0)
        self._fixes: list[QuickFix] = []
        help_text = QLabel(layer.help, content)
        help_text.setWordWrap(True)
        help_text.setStyleSheet("color: #57606a; padding-top: 6px;")
        for widget in (self.inferred, self.facts, self.problems, self.fix_box, help_text):
            column.addWidget(widget)
        column.addStretch(1)

    def refresh(self) -> None:
        if self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        info = self.document.analysis().nodes.get(self.node_id)
        self.id_field.setText(node.id)
        self.id_field.setStyleSheet("")
        for name, editor in self.editors.items():
            editor.set_value(node.params.get(name))
        if self.frozen_box is not None and self.factor_field is not None:
            with QSignalBlocker(self.frozen_box):
                self.frozen_box.setChecked(node.frozen)
            self.factor_field.setText(f"{node.lr_factor:g}")
            self.factor_field.setStyleSheet("")
            self.factor_field.setEnabled(not node.frozen)  # a frozen layer does not learn at any rate
        inferred = info.inferred if info else {}
        self.inferred.setText(
            "<b>Inferred from the input</b><br>" + "<br>".join(f"{k} = {show_value(v)}" for k, v in inferred.items()) if inferred else ""
        )
        self.inferred.setVisible(bool(inferred))
        out = info.output.display() if info and info.output else "unknown (fix the problems upstream)"
        count = f"{info.param_count:,}" if info else "?"
        macs = human_count(info.macs) if info else "?"
        self.facts.setText(f"<b>Output</b> {out}<br><b>Parameters</b> {count} &nbsp; <b>MACs</b> {macs}")
        problems = [p for p in self.document.analysis().problems if p.node == self.node_id]
        self.problems.setText("<br>".join(f"<span style='color:{SEVERITY_COLOURS[p.severity]}'>{p.severity}: {p.message}</span>" for p in problems))
        self.problems.setVisible(bool(problems))
        self._show_fixes([fix for p in problems for fix in fixes_for(self.document, p)])

    def _show_fixes(self, fixes: list[QuickFix]) -> None:
        """Buttons for ``fixes``, made again only when their titles change (a fix's closure is kept fresh)."""
        same = [f.title for f in fixes] == [f.title for f in self._fixes]
        self._fixes = fixes
        if same:
            return
        box = self.fix_box.layout()
        while box.count():
            old = box.takeAt(0).widget()
            if old is not None:
                old.deleteLater()  # perhaps the button whose click is being handled
        for index, fix in enumerate(fixes):
            link = QLabel(f"<a href='{index}'>Fix: {html.escape(fix.title)}</a>", self.fix_box)
            link.setWordWrap(True)  # a long fix wraps instead of widening the inspector
            link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
            link.setToolTip("Apply this repair (one undo step)")
            link.linkActivated.connect(lambda href: self._apply_fix(int(href)))
            box.addWidget(link)
        self.fix_box.setVisible(bool(fixes))

    def _apply_fix(self, index: int) -> None:
        if index >= len(self._fixes):
            return
        fix = self._fixes[index]
        try:
            fix.apply()
        except EditError as exc:
            self.message.emit(f"Cannot apply the fix: {exc}")
            return
        self.message.emit(f"Applied: {fix.title}")

    def _on_param_committed(self, name: str, value) -> None:
        if self.node_id is None:
            return
        try:
            self.document.set_param(self.node_id, name, value)
        except EditError as exc:
            self.editors[name].show_error(str(exc))

    def _on_frozen_toggled(self, frozen: bool) -> None:
        if self.node_id is None:
            return
        try:
            self.document.set_node_training([self.node_id], frozen=frozen)
        except EditError as exc:
            self.message.emit(f"Cannot {'freeze' if frozen else 'unfreeze'} {self.node_id}: {exc}")
            self.refresh()

    def _on_factor_edited(self) -> None:
        if self.node_id is None or self.factor_field is None:
            return
        text = self.factor_field.text().strip()
        try:
            self.document.set_node_training([self.node_id], lr_factor=float(text))
        except (EditError, ValueError):
            self.factor_field.setStyleSheet(ERROR_STYLE)
            self.message.emit(f"The learning-rate factor must be a number from 0 to {MAX_LR_FACTOR:g}, not {text!r}")

    def _on_id_edited(self) -> None:
        new = self.id_field.text().strip()
        if self.node_id is None or new == self.node_id:
            return
        try:
            self.document.rename_node(self.node_id, new)
        except EditError as exc:
            self.id_field.setStyleSheet(ERROR_STYLE)
            self.id_field.setToolTip(str(exc))
            self.message.emit(f"Cannot rename: {exc}")
            return
        self.node_id = new


class Inspector(QScrollArea):
    """Switches between the node editor and the project settings."""

    message = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.stack = QStackedWidget(self)
        self.node_inspector = NodeInspector(document, self.stack)
        # The project's settings are built the first time they are shown or asked
        # for: the start page hides the inspector, and the inspector it starts with is
        # replaced, unseen, by the one of the design opened from it.
        self._project_settings: ProjectSettingsPanel | None = None
        self._settings_due = False  # the settings page is what shows, once it is built
        self.multi = QLabel(self.stack)
        self.multi.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.multi.setMargin(10)
        for widget in (self.node_inspector, self.multi):
            self.stack.addWidget(widget)
        self.setWidget(self.stack)
        self.document = document
        self.node_inspector.message.connect(self.message)
        self._selection: list[str] = []
        follow(self, document.graph.events.changed, self._on_model_changed)
        document.data_spec_changed.connect(self._on_model_changed)  # a node's problems may change with the data
        self.show_selection([])

    @property
    def project_settings(self) -> ProjectSettingsPanel:
        """The project's settings page (built now if it was not yet)."""
        if self._project_settings is None:
            from designer.ui.project_settings import ProjectSettingsPanel  # the data and training forms: not at start

            self._project_settings = ProjectSettingsPanel(self.document, self.stack)
            self._project_settings.refused.connect(self.message)
            self.stack.insertWidget(1, self._project_settings)
        return self._project_settings

    def show_selection(self, node_ids: list[str]) -> None:
        self._selection = [nid for nid in node_ids if nid in self.document.graph]
        self._settings_due = False
        if len(self._selection) == 1:
            self.node_inspector.show_node(self._selection[0])
            self._show_page(self.node_inspector)
        elif self._selection:
            analysis = self.document.analysis()
            total = sum(analysis.nodes[nid].param_count for nid in self._selection)
            self.multi.setText(f"<b>{len(self._selection)} nodes selected</b><br>{total:,} parameters")
            self._show_page(self.multi)
        elif self._project_settings is None and not self.isVisible():
            self._settings_due = True  # built and shown with the inspector
        else:
            self.project_settings.refresh()
            self._show_page(self.project_settings)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._settings_due:
            self._settings_due = False
            self.project_settings.refresh()
            self._show_page(self.project_settings)
        super().showEvent(event)

    def _show_page(self, page: QWidget) -> None:
        """Show ``page`` from its top, the scroll area sized to it alone (a stack
        is as tall as its tallest page: a node's editor showed scrolled off, blank)."""
        if self.stack.currentWidget() is page:
            return
        for index in range(self.stack.count()):
            other = self.stack.widget(index)
            policy = QSizePolicy.Policy.Preferred if other is page else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(page)
        self.stack.adjustSize()
        self.verticalScrollBar().setValue(0)

    def _on_model_changed(self) -> None:
        if self._selection and any(nid not in self.document.graph for nid in self._selection):
            return  # the scene's selection signal will follow
        if len(self._selection) == 1:
            self.node_inspector.refresh()
