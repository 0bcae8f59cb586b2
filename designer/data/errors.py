"""The one error the data package raises for a user's data or settings."""

from __future__ import annotations


class DataError(Exception):
    """Data that cannot be used: one line naming the file and the row, item or option.

    Raised for unreadable files, text in a numeric column, a single class,
    mismatched lengths, empty folders and bad options, so the command line
    can print it and the GUI can show it without a traceback.
    """
