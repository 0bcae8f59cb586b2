"""The layering of DESIGN.md holds: import-linter contracts, and the model
imports without torch or Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_model_and_catalog_import_without_torch_or_qt() -> None:
    code = (
        "import sys, designer, designer.graph, designer.layers, designer.project.files;"
        "bad = [m for m in ('torch', 'PySide6', 'numpy') if m in sys.modules]; print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_document_layer_uses_no_widgets() -> None:
    for path in (ROOT / "designer" / "document").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in getattr(node, "names", [])]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n.startswith("PySide6.QtWidgets") for n in names), path


@pytest.mark.parametrize("package", ["designer.ui", "designer.data"])
def test_no_import_circle_inside_the_package(package: str) -> None:
    """Inside a package the modules are layered too: a circle means two
    modules that cannot be understood (or imported) one without the other.
    Imports under TYPE_CHECKING count: a circle of types is still a circle."""
    graph = grimp.build_graph("designer")
    modules = {m for m in graph.modules if m.startswith(package + ".")}
    imports = nx.DiGraph((m, t) for m in modules for t in graph.find_modules_directly_imported_by(m) if t in modules)
    assert list(nx.simple_cycles(imports)) == []


def test_the_window_imports_without_torch() -> None:
    """The designer shows its window before torch is loaded (the device probe and the
    first run load it in the background); the insight views must not pull it in early."""
    code = "import sys, designer.ui.main_window; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stdout + result.stderr
