"""The one error a project file can raise when it cannot be used."""


class ProjectError(Exception):
    """A project or weights file cannot be read; the message names what and where."""
