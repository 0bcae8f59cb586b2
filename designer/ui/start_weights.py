"""Train > Load Weights into Design…: start the design's runs from another
network's weights where they fit (transfer learning), with a report of which
node got weights from where and which kept their initialisation, and why.

The weights stay with the open design for this session (one undo step each
way); the project file never holds weights.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

from designer.graph import EditError
from designer.project import ProjectError
from designer.ui import dialogs

if TYPE_CHECKING:
    from designer.train.transfer import TransferReport

WEIGHTS_FILTER = "Weights (*.safetensors);;All files (*)"


class StartWeightsActions:
    """The window's two actions: load weights into the design, and go back to fresh weights."""

    def __init__(self, window: QMainWindow) -> None:  # the designer's MainWindow (not imported: it imports this module)
        self.window = window

    def load(self, path: str | None = None) -> TransferReport | None:
        """Ask for a weights file (unless ``path``), load what fits and show the report."""
        document = self.window.document
        if document is None:
            return None
        path = path or dialogs.ask_open_file(
            self.window, "Load weights into the design", str(dialogs.folder_of(document.path)), WEIGHTS_FILTER
        )
        if not path:
            return None
        from designer.compile import CompileError  # the compiler loads with the first use, not with the window

        try:
            report = document.load_start_weights(path)
        except (ProjectError, CompileError, EditError) as exc:
            dialogs.show_error(self.window, "Cannot load the weights", str(exc))
            return None
        self.window.show_message(f"Runs now start from {document.start_weights.name}: {report.headline()}")  # type: ignore[union-attr]
        dialogs.show_text(self.window, "Weights loaded into the design", report_html(report, document.start_weights.name))  # type: ignore[union-attr]
        return report

    def clear(self) -> None:
        document = self.window.document
        if document is not None and document.start_weights is not None:
            document.clear_start_weights()
            self.window.show_message("Runs start from fresh weights again")


def report_html(report: TransferReport, name: str) -> str:
    """The report as a table: node, where its weights came from or why it kept its initialisation."""
    rows = "".join(
        f"<tr><td><b>{html.escape(n.node)}</b></td><td>"
        + (f"loaded from {html.escape(n.source)} ({html.escape(n.reason)})" if n.status == "loaded" else f"kept its initialisation: {html.escape(n.reason)}")
        + "</td></tr>"
        for n in report.nodes
    )
    unused = f"<p>Not used from the file: {html.escape(', '.join(report.unused))}</p>" if report.unused else ""
    return (
        f"<p><b>{html.escape(name)}</b>: {html.escape(report.headline())}. The next runs start from these weights "
        "(Train &gt; Start from Fresh Weights, or Undo, goes back).</p>"
        f"<table cellspacing='6'>{rows}</table>{unused}"
    )
