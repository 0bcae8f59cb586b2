"""The optimizer's update without the Python that torch runs around it each step.

torch's ``Optimizer.step`` wraps its fused kernel in work redone at every
call: a profiler range, grad-mode switches, the state looked up parameter by
parameter, the tensors grouped by device and dtype. On a small design that
costs more than the update: for the digits CNN ``step`` took 181 us of a
1.18 ms training step while its kernels took about 40 us, and
``zero_grad(set_to_none=True)`` 57 us to let go of ten gradients (the Python
runs cold after the convolutions have filled the caches). After the first
step, once the optimizer's state exists, :class:`LeanStep` calls the same
fused kernel (Adam, AdamW, SGD) with lists made once, so the weights and the
optimizer's state are bit-identical to ``optimizer.step()`` (tested).
Whatever it does not cover (RMSprop, the foreach or per-tensor path, hooks
on the optimizer, a parameter whose gradient comes or goes, a reloaded
state, a group added, SGD's momentum turned on or off) goes through the
optimizer's own step. What it cannot see: a state tensor replaced inside the
same state (the trainer's resume does so before the first step only) and an
``optimizer.step`` replaced on the instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


@dataclass
class _Group:
    """One parameter group's tensors, in the order torch's fused path takes them."""

    options: dict[str, Any]  # the optimizer's group: rates, betas and momentum are read at each step (schedules move them)
    params: list[torch.Tensor]
    exp_avgs: list[torch.Tensor]  # Adam's
    exp_avg_sqs: list[torch.Tensor]
    max_exp_avg_sqs: list[torch.Tensor]
    steps: list[torch.Tensor]  # views of ``counts``, each parameter's own, as the optimizer's state holds them
    momentum_buffers: list[torch.Tensor]  # SGD's, when its momentum is on
    sgd: bool = False
    decoupled: bool = False  # AdamW's weight decay (a group option of Adam's in newer torch, its own class in older)
    counts: torch.Tensor | None = None  # Adam's step counts in one tensor: one add, not one per parameter


@dataclass
class _Plan:
    state: Any  # the optimizer's state and groups when the plan was made: a reload replaces them
    param_groups: list[dict[str, Any]]
    shape: list[int]  # parameters per group then: add_param_group adds to the same list
    groups: list[_Group]
    idle: list[torch.Tensor]  # parameters without a gradient then: one that gets one needs the full step


class LeanStep:
    """``zero_grad`` and ``step`` of ``optimizer``, the fused Adam, AdamW or
    SGD update called directly where it applies (see the module's docstring)."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self._plan: _Plan | None = None

    def zero_grad(self) -> None:
        """``optimizer.zero_grad(set_to_none=True)``, groups added since included."""
        for group in self.optimizer.param_groups:
            for param in group["params"]:
                param.grad = None

    def step(self) -> None:
        plan = self._plan
        if plan is not None and self._still_holds(plan):
            _fused_update(plan.groups)
            return
        self.optimizer.step()
        self._plan = _make_plan(self.optimizer)

    def _still_holds(self, plan: _Plan) -> bool:
        optimizer = self.optimizer
        if optimizer.state is not plan.state or optimizer.param_groups is not plan.param_groups or _has_hooks(optimizer):
            return False
        if _shape(optimizer) != plan.shape:
            return False
        for group in plan.groups:
            if group.sgd and (group.options["momentum"] != 0) != bool(group.momentum_buffers):
                return False  # SGD's momentum turned on or off: its buffers come or go
            for param in group.params:
                if param.grad is None:
                    return False
        return all(param.grad is None for param in plan.idle)


def _fused_update(groups: list[_Group]) -> None:
    """What ``torch.optim.adam._fused_adam`` or ``torch.optim.sgd._fused_sgd``
    does for one device and dtype, without grad scaling (the designer's runs
    use none)."""
    import torch

    with torch.no_grad():
        for group in groups:
            options = group.options
            if group.sgd:
                torch._fused_sgd_(
                    group.params,
                    [p.grad for p in group.params],
                    group.momentum_buffers,
                    weight_decay=options["weight_decay"],
                    momentum=options["momentum"],
                    lr=options["lr"],
                    dampening=options["dampening"],
                    nesterov=options["nesterov"],
                    maximize=options["maximize"],
                    is_first_step=False,
                    grad_scale=None,
                    found_inf=None,
                )
                continue
            beta1, beta2 = options["betas"]
            if group.counts is not None:
                group.counts.add_(1)
            else:
                torch._foreach_add_(group.steps, 1)
            kernel = torch._fused_adamw_ if group.decoupled else torch._fused_adam_
            kernel(
                group.params,
                [p.grad for p in group.params],
                group.exp_avgs,
                group.exp_avg_sqs,
                group.max_exp_avg_sqs,
                group.steps,
                amsgrad=options["amsgrad"],
                lr=options["lr"],
                beta1=beta1,
                beta2=beta2,
                weight_decay=options["weight_decay"],
                eps=options["eps"],
                maximize=options["maximize"],
                grad_scale=None,
                found_inf=None,
            )


def _shape(optimizer: torch.optim.Optimizer) -> list[int]:
    return [len(group["params"]) for group in optimizer.param_groups]


def _has_hooks(optimizer: torch.optim.Optimizer) -> bool:
    from torch.optim import optimizer as torch_optimizer

    return bool(
        optimizer._optimizer_step_pre_hooks
        or optimizer._optimizer_step_post_hooks
        or torch_optimizer._global_optimizer_pre_hooks
        or torch_optimizer._global_optimizer_post_hooks
    )


def _make_plan(optimizer: torch.optim.Optimizer) -> _Plan | None:
    """The lists for the direct update, or None where it does not apply."""
    import torch

    sgd = type(optimizer) is torch.optim.SGD
    if not (sgd or type(optimizer) in (torch.optim.Adam, torch.optim.AdamW)) or _has_hooks(optimizer):
        return None
    if getattr(optimizer, "grad_scale", None) is not None or getattr(optimizer, "found_inf", None) is not None:
        return None  # a gradient scaler's: torch passes them to the kernel
    groups, idle, kinds = [], [], set()
    for options in optimizer.param_groups:
        if not options.get("fused") or options.get("capturable") or options.get("differentiable"):
            return None
        rates = (options["lr"], options["momentum"]) if sgd else (options["lr"], *options["betas"])
        if not all(isinstance(v, float | int) and not isinstance(v, bool) for v in rates):
            return None  # a tensor rate or beta: torch moves it between devices
        decoupled = type(optimizer) is torch.optim.AdamW or bool(options.get("decoupled_weight_decay"))
        group = _Group(options, [], [], [], [], [], [], sgd, decoupled)
        for param in options["params"]:
            if param.grad is None:
                idle.append(param)
                continue
            state = optimizer.state.get(param)
            if param.grad.is_sparse or torch.is_complex(param) or not (state or sgd):
                return None
            kinds.add((param.device, param.dtype))
            group.params.append(param)
            if sgd:
                if options["momentum"] != 0:
                    buffer = state.get("momentum_buffer") if state else None
                    if buffer is None:
                        return None
                    group.momentum_buffers.append(buffer)
                continue
            group.exp_avgs.append(state["exp_avg"])
            group.exp_avg_sqs.append(state["exp_avg_sq"])
            if options["amsgrad"]:
                group.max_exp_avg_sqs.append(state["max_exp_avg_sq"])
            group.steps.append(state["step"])
        if group.params:
            groups.append(group)
    if len(kinds) != 1:
        return None  # torch groups by device and dtype; one of each is what the designer trains
    for group in groups:
        if group.steps:
            _gather_counts(optimizer, group)
    return _Plan(optimizer.state, optimizer.param_groups, _shape(optimizer), groups, idle)


def _gather_counts(optimizer: torch.optim.Optimizer, group: _Group) -> None:
    """Put the group's step counts in one tensor, each parameter's state
    holding a view of its own element: torch's ``_foreach_add_`` over 0-dim
    CPU tensors is a loop of one ``add_`` each, 100 us of the residual CNN's
    3 ms step for 22 counts. Their values stay each parameter's own; a state
    dict or checkpoint copies them out as before."""
    import torch

    if len({(t.dtype, t.device, t.dim()) for t in group.steps}) != 1 or group.steps[0].dim() != 0:
        return
    group.counts = torch.stack(group.steps)
    group.steps = list(group.counts.unbind())
    for param, count in zip(group.params, group.steps, strict=True):
        optimizer.state[param]["step"] = count
