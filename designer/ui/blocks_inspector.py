"""The inspector of a block's tab: a selected inner layer's editor as on the
design; with nothing selected, what the block is (its ports, its exposed
parameters, where it is used) instead of the project's settings."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel

from designer.document.block_document import BlockDocument
from designer.ui.inspector import Inspector


class BlockInspector(Inspector):
    document: BlockDocument

    def show_selection(self, node_ids: list[str]) -> None:
        if any(nid in self.document.graph for nid in node_ids):
            super().show_selection(node_ids)
            if len(self._selection) == 1:
                self._note_exposed(self._selection[0])
            return
        self._selection = []
        self.multi.setWordWrap(True)
        self.multi.setText(block_summary_html(self.document))
        self._show_page(self.multi)

    def _note_exposed(self, node_id: str) -> None:
        """Say which of the layer's parameters each instance sets (the block's own parameters)."""
        params = self.document.definition.params
        exposed = [(key, param, params[key].default) for param, key in self.document.exposed_as(node_id).items()]
        content = self.node_inspector._content
        if not exposed or content is None or content.layout() is None:
            return
        lines = "; ".join(
            f"<b>{html.escape(param)}</b> is the block parameter <b>{html.escape(key)}</b> (default {html.escape(str(default))})"
            for key, param, default in exposed
        )
        note = QLabel(f"{lines}: each instance gives it its own value, which replaces the one here.", content)
        note.setWordWrap(True)
        note.setStyleSheet("color: #0e7c86; padding: 2px 0;")
        content.layout().insertWidget(1, note)

    def _on_model_changed(self) -> None:
        if not self._selection and self.stack.currentWidget() is self.multi:
            self.multi.setText(block_summary_html(self.document))
            return
        super()._on_model_changed()


def block_summary_html(document: BlockDocument) -> str:
    definition = document.definition
    instances = document.instances() if document.is_open else []
    layers = definition.layer_count
    ports = ", ".join(html.escape(p) for p in definition.input_ids)
    lines = [
        f"<h3 style='margin:0'>Block {html.escape(definition.name)}</h3>",
        f"{layers} layer{'s' if layers != 1 else ''}; inputs: {ports}; output: {html.escape(definition.output_id)}",
    ]
    if definition.params:
        exposed = "".join(
            f"<li><b>{html.escape(key)}</b> = {html.escape(str(e.default))} → {html.escape(', '.join(f'{n}.{p}' for n, p in e.targets))}</li>"
            for key, e in definition.params.items()
        )
        lines.append(f"Block parameters (set on each instance):<ul style='margin:2px'>{exposed}</ul>")
    used = ", ".join(html.escape(i) for i in instances[:12]) + (" …" if len(instances) > 12 else "")
    lines.append(f"Used by {len(instances)} node{'s' if len(instances) != 1 else ''}{': ' + used if instances else ''}.")
    if definition.description:
        lines.append(f"<i>{html.escape(definition.description[:1000])}</i>")
    lines.append(
        "<span style='color:#57606a'>Every edit here changes all instances at once and is one step of Undo (Ctrl+Z). "
        "To change one instance alone, use Edit › Blocks › Make Block Unique on the design.</span>"
    )
    return "<br>".join(lines)
