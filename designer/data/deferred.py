"""A module imported when first used, not when the data layer is imported.

NumPy and pyarrow take about a tenth of a second to import; the window needs
the data sources' declarations (names, options) at start, but their arrays
only once data is read, on a worker thread. A data module writes

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = deferred("numpy")

and uses ``np`` as before: the first attribute read imports the module (the
import system's own lock makes that safe from any thread), and each name read
is kept on the stand-in, so later reads cost what a module's do.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class DeferredModule:
    """Stands for the module ``name`` until an attribute of it is read."""

    def __init__(self, name: str) -> None:
        self._deferred_name = name

    def __getattr__(self, attribute: str) -> Any:  # only for names not kept yet
        if attribute == "_deferred_name":  # a copy being made has none yet: no module to ask
            raise AttributeError(attribute)
        value = getattr(self._deferred_module(), attribute)
        setattr(self, attribute, value)
        return value

    def _deferred_module(self) -> ModuleType:
        """The real module, imported now if it was not yet."""
        return importlib.import_module(self._deferred_name)

    def __reduce__(self) -> tuple[Any, tuple[str]]:  # copied or pickled: a stand-in for the same module
        return deferred, (self._deferred_name,)

    def __repr__(self) -> str:
        return f"<deferred module {self._deferred_name!r}>"


def deferred(name: str) -> Any:
    """A stand-in for ``import name``: the import happens at the first attribute read."""
    return DeferredModule(name)
