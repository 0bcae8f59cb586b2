"""The desktop designer's widgets (PySide6, pyqtgraph)."""
