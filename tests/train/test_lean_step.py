"""The trainer's direct fused update (designer.train.lean_step) gives exactly
what the optimizer's own step gives, takes the direct path where it applies
and the optimizer's step wherever something changed."""

from __future__ import annotations

import types

import pytest
import torch

from designer.train import TrainSettings
from designer.train.freezing import FACTOR_KEY
from designer.train.lean_step import LeanStep
from designer.train.optim import Schedule, make_optimizer


def small_net(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(256, 3)
    )


def groups_of(net: torch.nn.Module, frozen_first: bool) -> list[dict]:
    """Two groups with rate factors, as transfer learning makes them; optionally
    the first layer frozen (parameters without gradients)."""
    if frozen_first:
        for p in net[0].parameters():
            p.requires_grad_(False)
    return [
        {"params": list(net[0].parameters()) + list(net[1].parameters()), FACTOR_KEY: 0.1},
        {"params": list(net[4].parameters()), FACTOR_KEY: 1.0},
    ]


def train(settings: TrainSettings, lean: bool, frozen_first: bool = False, steps: int = 12):
    net = small_net(0)
    optimizer = make_optimizer(groups_of(net, frozen_first), settings)
    calls = 0
    original = optimizer.step

    def counted(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    optimizer.step = types.MethodType(counted, optimizer)  # type: ignore[method-assign]
    schedule = Schedule(optimizer, settings, steps_per_epoch=steps)  # after the counter: the scheduler wraps the step
    update = LeanStep(optimizer)
    data = torch.Generator().manual_seed(1)
    for _ in range(steps):
        x, y = torch.randn(8, 1, 8, 8, generator=data), torch.randint(0, 3, (8,), generator=data)
        loss = torch.nn.functional.cross_entropy(net(x), y)
        if lean:
            update.zero_grad()
        else:
            optimizer.zero_grad(set_to_none=True)
        loss.backward()
        update.step() if lean else optimizer.step()
        schedule.after_batch()
    return net, optimizer, calls


def same_state(a: torch.optim.Optimizer, b: torch.optim.Optimizer) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    if sa["param_groups"] != sb["param_groups"] or sa["state"].keys() != sb["state"].keys():
        return False
    return all(torch.equal(sa["state"][k][n], sb["state"][k][n]) for k in sa["state"] for n in sa["state"][k])


@pytest.mark.parametrize(
    "options",
    [
        {"optimizer": "adam"},
        {"optimizer": "adam", "weight_decay": 0.01},
        {"optimizer": "adamw", "weight_decay": 0.05},
        {"optimizer": "adam", "schedule": "one_cycle"},  # the rate and the betas move every step
        {"optimizer": "adamw", "schedule": "cosine"},
        {"optimizer": "sgd"},  # momentum 0.9, the default
        {"optimizer": "sgd", "momentum": 0.0, "weight_decay": 0.01},  # no momentum buffers
        {"optimizer": "sgd", "schedule": "one_cycle"},  # the momentum cycles every step
    ],
)
@pytest.mark.parametrize("frozen_first", [False, True])
def test_the_direct_update_is_bit_identical_to_the_optimizers_step(options: dict, frozen_first: bool) -> None:
    settings = TrainSettings.from_mapping({"learning_rate": 0.01, **options})
    plain, plain_opt, _ = train(settings, lean=False, frozen_first=frozen_first)
    lean, lean_opt, calls = train(settings, lean=True, frozen_first=frozen_first)
    for a, b in zip(plain.state_dict().values(), lean.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert same_state(plain_opt, lean_opt)
    assert calls == 1  # the first step makes the optimizer's state; every later one is direct


@pytest.mark.parametrize("options", [{"optimizer": "rmsprop"}])
def test_other_optimizers_take_their_own_step(options: dict) -> None:
    settings = TrainSettings.from_mapping({"learning_rate": 0.01, **options})
    plain, _, _ = train(settings, lean=False)
    lean, _, calls = train(settings, lean=True)
    assert calls == 12
    for a, b in zip(plain.state_dict().values(), lean.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_a_reloaded_state_a_hook_or_a_new_gradient_goes_through_the_optimizers_step() -> None:
    net = small_net(0)
    optimizer = make_optimizer(list(net.parameters()), TrainSettings.from_mapping({"optimizer": "adam"}))
    update = LeanStep(optimizer)
    seen = []
    original = optimizer.step
    optimizer.step = lambda *a, **k: (seen.append(1), original(*a, **k))[1]  # type: ignore[method-assign]

    def one_step(frozen_last: bool = False) -> None:
        update.zero_grad()
        out = net(torch.randn(4, 1, 8, 8))
        if frozen_last:
            out = out.detach() + net[4].bias.sum() * 0  # only the last bias gets a gradient
        out.sum().backward()
        update.step()

    one_step()
    one_step()
    assert len(seen) == 1
    optimizer.load_state_dict(optimizer.state_dict())  # as resuming a run does
    one_step()
    one_step()
    assert len(seen) == 2
    handle = optimizer.register_step_post_hook(lambda *_: None)
    one_step()
    assert len(seen) == 3
    handle.remove()
    one_step()  # no plan was made while the hook was there
    one_step()
    assert len(seen) == 4
    one_step(frozen_last=True)  # most gradients missing this time
    assert len(seen) == 5


def test_sgd_whose_momentum_is_turned_on_takes_its_own_step_again() -> None:
    net = small_net(0)
    optimizer = make_optimizer(list(net.parameters()), TrainSettings.from_mapping({"optimizer": "sgd", "momentum": 0.0}))
    update = LeanStep(optimizer)
    seen = []
    original = optimizer.step
    optimizer.step = lambda *a, **k: (seen.append(1), original(*a, **k))[1]  # type: ignore[method-assign]
    for momentum in (0.0, 0.0, 0.5, 0.5):
        optimizer.param_groups[0]["momentum"] = momentum
        update.zero_grad()
        net(torch.randn(4, 1, 8, 8)).sum().backward()
        update.step()
    assert len(seen) == 2  # the first step, and the one whose momentum needed buffers it had none of
    assert all(optimizer.state[p]["momentum_buffer"] is not None for p in net.parameters())


def test_a_group_added_mid_run_is_updated_as_the_optimizers_step_updates_it() -> None:
    def run(lean: bool) -> torch.nn.Module:
        net = small_net(0)
        optimizer = make_optimizer(list(net[4].parameters()), TrainSettings.from_mapping({"optimizer": "adamw", "weight_decay": 0.1}))
        update = LeanStep(optimizer)
        data = torch.Generator().manual_seed(1)
        for step in range(6):
            if step == 3:  # the convolution joins the training (a callback holds the optimizer)
                optimizer.add_param_group({"params": list(net[0].parameters())})
            update.zero_grad() if lean else optimizer.zero_grad(set_to_none=True)
            net(torch.randn(4, 1, 8, 8, generator=data)).sum().backward()
            update.step() if lean else optimizer.step()
        return net

    for a, b in zip(run(False).state_dict().values(), run(True).state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_the_step_counts_are_one_tensor_and_each_parameter_keeps_its_own() -> None:
    def run(lean: bool) -> torch.optim.Optimizer:
        net = small_net(0)
        optimizer = make_optimizer(list(net.parameters()), TrainSettings.from_mapping({"optimizer": "adam"}))
        update = LeanStep(optimizer)
        data = torch.Generator().manual_seed(1)
        for step in range(7):
            update.zero_grad() if lean else optimizer.zero_grad(set_to_none=True)
            out = net(torch.randn(4, 1, 8, 8, generator=data))
            if step < 2:  # at first only the last layer learns: its counts run ahead
                out = net[4](net[3](net[2](net[1](net[0](torch.zeros(4, 1, 8, 8)))).detach()))
            out.sum().backward()
            update.step() if lean else optimizer.step()
        return optimizer

    plain, lean = run(False), run(True)
    assert same_state(plain, lean)
    steps = [lean.state[p]["step"] for p in lean.param_groups[0]["params"]]
    assert sorted({float(s) for s in steps}) == [5.0, 7.0]
    assert len({s.untyped_storage().data_ptr() for s in steps}) == 1  # one add a step for all of them
