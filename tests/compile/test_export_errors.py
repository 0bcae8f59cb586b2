"""An export failure names the layer behind it and the innermost reason in
one line, however the exporter reports it; a traceback from elsewhere is
never taken for a line of the design."""

from __future__ import annotations

import pytest
from layer_designs import layer_design

from designer.compile import ExportError, compile_design, export_onnx
from designer.compile import onnx_export as onnx_export_module


def _raise_at(filename: str, line: int) -> BaseException:
    """An exception whose innermost frame is ``filename`` at ``line``."""
    code = compile("\n" * (line - 1) + "raise ValueError('inside')", filename, "exec")
    try:
        exec(code, {})  # noqa: S102 - a fixed statement, placed at a chosen line
    except ValueError as exc:
        return exc
    raise AssertionError("not raised")


def test_a_frame_of_the_generated_source_names_its_node_and_no_other_file_does() -> None:
    compiled = compile_design(layer_design("Linear"))
    line, node = next(iter(compiled.generated.line_nodes.items()))
    assert compiled.node_for_error(_raise_at(compiled.filename, line)) == node
    assert compiled.node_for_error(_raise_at("elsewhere.py", line)) is None


def test_a_failure_quoting_a_generated_line_names_its_node(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = layer_design("Linear")
    lines = {n: line for line, n in compile_design(graph).generated.line_nodes.items()}

    def fail(module, *args):
        filename = type(module).forward.__code__.co_filename
        raise RuntimeError(f'cannot trace this\n  File "{filename}", line {lines["dense1"]}, in forward')

    monkeypatch.setattr(onnx_export_module, "_with_torch_export", fail)
    with pytest.raises(ExportError) as caught:
        export_onnx(graph, verify=False, exporter="torch.export")
    assert str(caught.value) == "dense1 (Linear) cannot be exported to ONNX: cannot trace this" and caught.value.node == "dense1"


def test_a_failure_without_a_message_is_named_by_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args):
        raise RuntimeError()

    monkeypatch.setattr(onnx_export_module, "_with_torch_export", fail)
    with pytest.raises(ExportError) as caught:
        export_onnx(layer_design("Linear"), verify=False, exporter="torch.export")
    assert str(caught.value) == "the design cannot be exported to ONNX: RuntimeError" and caught.value.node is None


def test_the_innermost_cause_is_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args):
        try:
            raise ValueError("aten::weird_op has no translation\nmore detail")
        except ValueError as inner:
            raise RuntimeError("export failed") from inner

    monkeypatch.setattr(onnx_export_module, "_with_torch_export", fail)
    with pytest.raises(ExportError, match=r"^the design cannot be exported to ONNX: aten::weird_op has no translation$"):
        export_onnx(layer_design("Linear"), verify=False, exporter="torch.export")
