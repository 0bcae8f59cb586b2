"""The reference architectures through both importers: exported by
torch.onnx.export at opsets 17 and 20 and imported, and imported from the
module with torch.fx; each design checks clean, computes the module's
outputs within 1e-5, trains an epoch from the imported weights on generated
data and exports to ONNX again, verified."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from reference_nets import reference_nets

from designer.compile import export_onnx
from designer.data import load_data
from designer.importer import ImportedDesign, from_module
from designer.importer.onnx_import import from_onnx
from designer.train import FINISHED, Trainer, TrainSettings, prepare

NETS = reference_nets()
OPSETS = (17, 20)


@pytest.fixture(scope="module")
def onnx_files(tmp_path_factory) -> dict[tuple[str, int], Path]:
    folder = tmp_path_factory.mktemp("reference")
    files = {}
    for name, (module, example) in NETS.items():
        for opset in OPSETS:
            path = folder / f"{name}_{opset}.onnx"
            with _quiet():
                torch.onnx.export(module, (example,), str(path), opset_version=opset, dynamo=True, verbose=False)
            files[name, opset] = path
    return files


@contextlib.contextmanager
def _quiet():
    """torch.onnx's notes on converting opsets are not the test's business."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


def _check(imported: ImportedDesign, name: str) -> None:
    module, example = NETS[name]
    assert imported.graph.validate() == [], imported.graph.validate()[:3]
    assert imported.max_difference is not None and imported.max_difference <= 1e-5
    from design_compare import outputs

    with torch.no_grad():
        expected = module(example)
    assert torch.allclose(outputs(imported.graph, imported.weights, (example,)), expected, atol=1e-5)


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("name", list(NETS))
def test_onnx_export_of_the_module_imports_and_computes_the_same(name: str, opset: int, onnx_files) -> None:
    imported = from_onnx(onnx_files[name, opset])
    _check(imported, name)


@pytest.mark.parametrize("name", list(NETS))
def test_module_imports_through_fx_then_trains_and_exports(name: str, tmp_path: Path) -> None:
    module, example = NETS[name]
    imported = from_module(module, example)
    _check(imported, name)
    _train_one_epoch(imported, example, tmp_path)
    with _quiet():
        result = export_onnx(imported.graph, tmp_path / "again.onnx", weights=imported.weights)
    assert result.verification is not None and result.verification.max_abs_diff < 1e-4


def test_resnet_keeps_its_block_names_and_depthwise_convolutions_keep_their_groups() -> None:
    resnet = from_module(*NETS["resnet18"])
    ids = {n.id: n.type for n in resnet.graph.nodes}
    assert ids["layer2_0_downsample_0"] == "Conv2d" and ids["layer4_1_bn2"] == "BatchNorm2d" and ids["fc"] == "Linear"
    mobilenet = from_module(*NETS["mobilenet_v2"])
    depthwise = [n for n in mobilenet.graph.nodes if n.type == "Conv2d" and n.params["groups"] > 1]
    assert depthwise and all(n.params["groups"] == n.params["out_channels"] for n in depthwise)
    assert any(n.type == "ReLU6" for n in mobilenet.graph.nodes)


def _train_one_epoch(imported: ImportedDesign, example: torch.Tensor, folder: Path) -> None:
    """Generated data of the design's input shape, classes as many as its outputs."""
    rng = np.random.default_rng(0)
    samples, classes = 32, imported.graph.shapes()[next(n.id for n in imported.graph.nodes if n.type == "Output")].shape[-1]
    shape = tuple(example.shape[1:])
    x = rng.integers(0, 2, (samples, *shape)) if example.dtype == torch.int64 else rng.standard_normal((samples, *shape)).astype(np.float32)
    np.savez(folder / "data.npz", x=x, y=np.arange(samples) % classes)
    project = imported.project()
    project.path = folder / "imported.nnd"
    project.data = {"source": "npz", "options": {"path": "data.npz", "normalize": "none"}, "validation_split": 0.25}
    bundle = load_data(project.data, folder)
    settings = TrainSettings.from_mapping(project.training, epochs=1, batch_size=8, device="cpu")
    result = Trainer(prepare(project, bundle), bundle, settings, initial_state=imported.weights).run()
    assert result.status == FINISHED, result.message
