"""The spirals sample's promise: a 2x64 ReLU MLP learns the default spirals to >95% validation accuracy.

Plain torch, with the sample's training settings (30 epochs, Adam at 0.01,
batch 32), so the check does not depend on the trainer.
"""

from __future__ import annotations

import pytest
import torch

from designer.data import load_data


@pytest.fixture
def one_thread():
    """Tiny batches: threads only add overhead (and the suite runs on two cores)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_spirals_are_learnable_by_a_small_mlp(one_thread) -> None:
    seed = 0
    bundle = load_data({"source": "spirals", "options": {"samples": 1000}, "seed": seed})
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, bundle.spec.num_classes)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.from_numpy(bundle.train.x), torch.from_numpy(bundle.train.y)
    for _ in range(30):
        order = torch.randperm(len(x))
        for start in range(0, len(x), 32):
            batch = order[start : start + 32]
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(torch.from_numpy(bundle.validation.x)).argmax(dim=1).numpy()
    accuracy = (predicted == bundle.validation.y).mean()
    assert accuracy > 0.95, accuracy
