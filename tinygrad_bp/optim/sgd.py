"""SGD: gradient descent, optionally with momentum, Nesterov momentum and weight decay (PyTorch's form)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_bp.optim.optimizer import Optimizer, ParamsT, _as_tensor, _bump_version


def sgd_update(
    param: np.ndarray,
    grad: np.ndarray,
    buf: np.ndarray | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> np.ndarray | None:
    """One SGD step on ``param`` in place; returns the (new or updated) momentum buffer.

    g = ±grad + weight_decay·θ;  b = g on the first step, else b = momentum·b + (1 − dampening)·g;
    d = g + momentum·b (Nesterov) or b;  θ = θ − lr·d.   ``grad`` is never modified.
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    if momentum != 0:
        if buf is None:
            buf = g.copy()
        else:
            buf *= momentum
            buf += (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    param -= lr * g
    return buf


class SGD(Optimizer):
    """Stochastic gradient descent: θ ← θ − lr·g, with PyTorch's options.

    ``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False)``.
    With momentum the buffer starts as the first gradient itself (b₁ = g₁), then b = μ·b + (1 − τ)·g.
    State per parameter: ``momentum_buffer`` (only when momentum ≠ 0).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _expected_state_keys(self, group: dict[str, Any]) -> set[str]:
        return {"momentum_buffer"} if group["momentum"] != 0 else set()

    def _update_group(self, group: dict[str, Any]) -> None:
        if group["momentum"] == 0 and group["weight_decay"] == 0 and not group["maximize"]:
            lr = group["lr"]  # plain SGD, the common case: sgd_update's arithmetic without its per-call overhead
            for p, grad in self._params_with_grad(group):
                p._array -= lr * grad
                _bump_version(p)
            return
        update_group(self, group, momentum=group["momentum"], dampening=group["dampening"],
                     weight_decay=group["weight_decay"], nesterov=group["nesterov"], maximize=group["maximize"])


def update_group(opt: Optimizer, group: dict[str, Any], *, momentum: float, dampening: float,
                 weight_decay: float, nesterov: bool, maximize: bool) -> None:
    """``sgd_update`` on every parameter of ``group`` that has a gradient, keeping ``momentum_buffer`` in
    ``opt.state`` (shared by SGD and Momentum)."""
    for p, grad in opt._params_with_grad(group):
        state = opt.state[p] if momentum != 0 else {}
        buf = state.get("momentum_buffer")
        new_buf = sgd_update(p._array, grad, None if buf is None else buf._array, lr=group["lr"], momentum=momentum,
                             dampening=dampening, weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        if buf is None and new_buf is not None:
            state["momentum_buffer"] = _as_tensor(new_buf)
        _bump_version(p)
