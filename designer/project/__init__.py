"""Project files: schema, versioned load/save, migrations, atomic writes."""

from designer.project.errors import ProjectError
from designer.project.files import FORMAT, SUFFIX, VERSION, dumps, load_project, loads, save_project
from designer.project.model import Project

__all__ = ["FORMAT", "SUFFIX", "VERSION", "Project", "ProjectError", "dumps", "load_project", "loads", "save_project"]
