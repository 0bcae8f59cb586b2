"""One open project: the design, its undo stack and file path (QtCore/QtGui only).

The undo commands call model methods only; the model's events redraw the views.
"""

from designer.document.document import Document, LockedError
from designer.document.quickfix import QuickFix, fixes_for

__all__ = ["Document", "LockedError", "QuickFix", "fixes_for"]
