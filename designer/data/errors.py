"""The one error the data package raises for a user's data or settings."""

from __future__ import annotations

from designer.project.messages import one_line


class DataError(Exception):
    """Data that cannot be used: one line naming the file and the row, item or option.

    Raised for unreadable files, text in a numeric column, a single class,
    mismatched lengths, empty folders, bad options and files whose headers
    claim more than memory holds, so the command line can print it and the
    GUI can show it without a traceback. The message is kept to one printable
    line, whatever the file put into it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))
