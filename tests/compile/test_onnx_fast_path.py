"""The fast exporter (TorchScript) writes a design wherever its model verifies,
with the same names, dimensions and results as torch.export's, attention
included (with any batch and length); opsets outside 18..20, a failure or a
model that does not verify fall back to torch.export, and the result says
which exporter wrote the file."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
from layer_designs import layer_design
from paths import SAMPLES

from designer.compile import ExportError, VerificationError, compile_design, export_onnx
from designer.compile import onnx_export as onnx_export_module
from designer.compile.signature import random_inputs
from designer.graph import Graph
from designer.project import load_project


def _dims(value) -> list[int | str]:
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


def _exporter(model) -> str:
    return {p.key: p.value for p in model.metadata_props}["designer.exporter"]


def _run(model, inputs) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {i.name: x.numpy() for i, x in zip(model.graph.input, inputs)})


def _sample(stem: str) -> Graph:
    return load_project(next(p for p in SAMPLES if p.stem == stem)).graph


@pytest.mark.parametrize("stem", ["digits_cnn", "waves_gru", "tokens_transformer"])
def test_the_fast_path_gives_what_torch_export_gives(stem: str) -> None:
    graph = _sample(stem)
    fast = export_onnx(graph)
    slow = export_onnx(graph, exporter="torch.export", verify=False)
    assert fast.exporter == _exporter(fast.model) == "torchscript" and fast.verification is not None
    assert [i.name for i in fast.model.graph.input] == [i.name for i in slow.model.graph.input]
    assert [o.name for o in fast.model.graph.output] == [o.name for o in slow.model.graph.output]
    assert [_dims(v) for v in (*fast.model.graph.input, *fast.model.graph.output)] == [
        _dims(v) for v in (*slow.model.graph.input, *slow.model.graph.output)
    ]
    assert fast.model.opset_import[0].version == slow.model.opset_import[0].version == 20
    inputs = random_inputs(fast.signature, 3, fast.signature.other_lengths[0] if fast.signature.other_lengths else None, seed=4)
    for got, want in zip(_run(fast.model, inputs), _run(slow.model, inputs)):
        assert np.abs(got - want).max() <= 1e-5


def test_other_opsets_take_torch_export() -> None:
    assert export_onnx(layer_design("Linear"), opset=17, verify=False).exporter == "torch.export"
    assert export_onnx(layer_design("Linear"), opset=21, verify=False).exporter == "torch.export"
    assert export_onnx(layer_design("Linear"), opset=18, verify=False).exporter == "torchscript"


def test_a_fast_model_that_does_not_verify_is_exported_again(monkeypatch: pytest.MonkeyPatch) -> None:
    verify = onnx_export_module.verify_onnx
    checked: list[str] = []

    def refuse_torchscript(model, module, sig):
        checked.append(_exporter(model))
        if checked[-1] == "torchscript":
            raise VerificationError("onnxruntime fails at batch 1")
        return verify(model, module, sig)

    monkeypatch.setattr(onnx_export_module, "verify_onnx", refuse_torchscript)
    result = export_onnx(layer_design("Conv2d"))
    assert checked == ["torchscript", "torch.export"]
    assert result.exporter == _exporter(result.model) == "torch.export" and result.verification is not None


def test_a_fast_export_that_fails_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args):
        raise RuntimeError("no symbolic for this operator")

    monkeypatch.setattr(onnx_export_module, "_with_torchscript", fail)
    assert export_onnx(layer_design("Linear")).exporter == "torch.export"


def test_a_forced_fast_export_names_the_failing_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = layer_design("Linear")
    lines = {n: line for line, n in compile_design(graph).generated.line_nodes.items()}

    def fail(module, *args):
        filename = type(module).forward.__code__.co_filename
        raise RuntimeError(f'no symbolic\n  File "{filename}", line {lines["dense1"]}, in forward')

    monkeypatch.setattr(onnx_export_module, "_with_torchscript", fail)
    with pytest.raises(ExportError) as caught:
        export_onnx(graph, exporter="torchscript")
    assert str(caught.value) == "dense1 (Linear) cannot be exported to ONNX: no symbolic" and caught.value.node == "dense1"


def test_an_unknown_exporter_is_refused() -> None:
    with pytest.raises(ValueError, match="exporter must be"):
        export_onnx(layer_design("Linear"), exporter="onnxscript")
