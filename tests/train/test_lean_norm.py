"""BatchNorm layers train through a lean forward during a run
(designer.train.lean_norm): weights, running statistics and counts
bit-identical to torch's forward, torch's forward wherever the lean one does
not apply, everything as before once restored."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from designer.train.lean_norm import LeanNorms


class Net(nn.Module):
    """Every kind of BatchNorm the lean forward takes, and ones it leaves to torch."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bn2d = nn.BatchNorm2d(4)
        self.shared = nn.BatchNorm2d(4)  # called twice a forward
        self.cumulative = nn.BatchNorm2d(4, momentum=None)  # its average reads the count: torch's forward
        self.plain = nn.BatchNorm2d(4, affine=False)
        self.untracked = nn.BatchNorm2d(4, track_running_stats=False)
        self.bn3d = nn.BatchNorm3d(4)
        self.bn1d = nn.BatchNorm1d(4)
        self.dense = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.bn2d(self.conv(x)))
        h = self.shared(self.shared(h))
        h = self.untracked(self.plain(self.cumulative(h)))
        h = self.bn3d(h.unsqueeze(2)).squeeze(2)
        return self.dense(self.bn1d(h.mean(dim=(2, 3))))


def chain() -> nn.Module:
    """Each BatchNorm layer once a forward: one add settles them all."""
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(36, 3)
    )


def train(lean: bool, steps: int = 5, make=Net) -> tuple[nn.Module, LeanNorms | None]:
    torch.manual_seed(0)
    net = make().to(memory_format=torch.channels_last)
    norms = LeanNorms(net) if lean else None
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    data = torch.Generator().manual_seed(1)
    for _ in range(steps):
        x = torch.randn(6, 2, 5, 5, generator=data)
        out = net(x)
        if norms is not None:
            norms.settle()
        optimizer.zero_grad()
        out.square().mean().backward()
        optimizer.step()
    net.eval()
    net(torch.randn(2, 2, 5, 5, generator=data))  # evaluation changes no statistics either way
    return net, norms


def test_training_through_the_lean_forward_is_bit_identical_to_torchs() -> None:
    plain, _ = train(lean=False)
    lean, norms = train(lean=True)
    assert {type(layer).__name__ for layer in norms.layers} == {"BatchNorm1d", "BatchNorm2d", "BatchNorm3d"}
    assert lean.cumulative not in norms.layers and lean.untracked not in norms.layers
    expected = plain.state_dict()
    for name, tensor in lean.state_dict().items():
        assert torch.equal(tensor, expected[name]), name
    assert int(lean.shared.num_batches_tracked) == 10 and int(lean.bn2d.num_batches_tracked) == 5


def test_layers_that_each_ran_once_are_counted_with_one_add(monkeypatch) -> None:
    plain, _ = train(lean=False, make=chain)
    adds = []
    original = torch.Tensor.add_
    monkeypatch.setattr(torch.Tensor, "add_", lambda self, *a, **k: (adds.append((self.dtype, self.dim())), original(self, *a, **k))[1])
    lean, norms = train(lean=True, make=chain)
    monkeypatch.undo()
    assert all(torch.equal(a, b) for a, b in zip(plain.state_dict().values(), lean.state_dict().values(), strict=True))
    counted = [dims for dtype, dims in adds if dtype == torch.int64]
    assert counted == [1] * 5  # the counts tensor of both layers, once a step; no layer's own add
    assert [int(layer.num_batches_tracked) for layer in norms.layers] == [5, 5]


def test_restored_layers_have_torchs_forward_and_counts_of_their_own() -> None:
    lean, norms = train(lean=True)
    norms.restore()
    counts = [layer.num_batches_tracked for layer in (lean.bn2d, lean.shared, lean.bn1d)]
    assert len({count.untyped_storage().data_ptr() for count in counts}) == 3
    assert [int(c) for c in counts] == [5, 10, 5]
    assert all("forward" not in layer.__dict__ for layer in lean.modules())
    norms.restore()  # twice is harmless


def test_torchs_message_for_a_batch_of_one_value_per_channel_stays() -> None:
    layer = nn.BatchNorm1d(3)
    LeanNorms(layer)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        layer(torch.randn(1, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        layer(torch.randn(4, 3, 2, 2))


def test_a_run_counts_every_batch_and_hands_back_torchs_forward() -> None:
    from pathlib import Path

    from designer.project import load_project
    from designer.train import Trainer, TrainSettings, load_bundle, prepare

    project = load_project(Path(__file__).resolve().parents[2] / "samples" / "residual_cnn.nnd")
    bundle = load_bundle(project)
    trainer = Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training, epochs=1, device="cpu", threads=1))
    result = trainer.run()
    assert result.ok
    batches = -(-len(bundle.train) // 32)
    norms = [layer for layer in trainer.module.modules() if isinstance(layer, nn.BatchNorm2d)]
    assert len(norms) == 5 and all(int(layer.num_batches_tracked) == batches for layer in norms)
    assert all(int(result.last_state[f"bn{i}.num_batches_tracked"]) == batches for i in range(1, 6))
    assert all("forward" not in layer.__dict__ for layer in norms)
