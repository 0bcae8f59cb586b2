"""Export as Python: the file is the generated source, runs standalone with
only torch, and loads the trained weights written beside it."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from paths import sample
from safetensors.torch import load_file

from designer.compile import compile_design, export_module, export_python, generate, random_inputs, signature
from designer.project import load_project
from designer.project.weights import read_fingerprint

# Runs the exported file as a script, then lists the packages it pulled in besides torch.
STANDALONE = """
import runpy, sys
runpy.run_path(sys.argv[1], run_name="__main__")
print(sorted(m for m in ("designer", "safetensors", "onnx", "onnxruntime") if m in sys.modules))
"""


def test_exported_file_runs_in_a_fresh_interpreter_with_only_torch(tmp_path: Path) -> None:
    graph = load_project(sample("digits_cnn")).graph
    target = tmp_path / "digits.py"
    export_python(graph, target)
    result = subprocess.run(
        [sys.executable, "-I", "-c", STANDALONE, str(target)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["(2, 10)", "[]"]


def test_exported_file_is_the_generated_source_plus_a_main_block(tmp_path: Path) -> None:
    graph = load_project(sample("residual_cnn")).graph
    result = export_python(graph, tmp_path / "net.py")
    text = result.path.read_text()
    assert text.startswith(generate(graph).source)
    assert 'if __name__ == "__main__":' in text and result.weights_path is None
    assert result.class_name == "ResidualCNN"


def test_weights_are_written_beside_it_and_loaded_when_run(tmp_path: Path) -> None:
    graph = load_project(sample("sine_lstm")).graph
    compiled = compile_design(graph)
    torch.manual_seed(3)
    weights = compiled.new_module().state_dict()
    result = export_python(graph, tmp_path / "sine.py", weights=weights)
    assert result.weights_path == tmp_path / "sine.safetensors"
    assert read_fingerprint(result.weights_path) == graph.fingerprint()
    assert 'load_file(Path(__file__).with_name("sine.safetensors"))' in result.path.read_text()

    spec = importlib.util.spec_from_file_location("exported_sine", result.path)
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)  # type: ignore[union-attr]
    model = exported.SineLSTM()
    model.load_state_dict(load_file(result.weights_path))
    reference = export_module(compiled, weights)
    (x,) = random_inputs(signature(graph, compiled.generated), batch=4)
    with torch.no_grad():
        assert torch.equal(model.eval()(x), reference(x))

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(result.path), run_name="__main__")
    assert out.getvalue().strip() == "(2, 1)"


def test_weights_that_do_not_fit_are_refused_before_writing(tmp_path: Path) -> None:
    from designer.project import ProjectError

    graph = load_project(sample("spirals_mlp")).graph
    with pytest.raises(ProjectError, match="do not fit"):  # a weights mistake, named tensor by tensor
        export_python(graph, tmp_path / "x.py", weights={"dense1.weight": torch.zeros(2, 2)})
    assert not list(tmp_path.iterdir())
