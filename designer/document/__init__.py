"""One open project: the design, its undo stack and file path (QtCore/QtGui only)."""
