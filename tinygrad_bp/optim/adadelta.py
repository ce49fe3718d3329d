"""Adadelta: RMSprop whose step size comes from a running average of the past updates themselves."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_bp.optim.optimizer import Optimizer, ParamsT, _bump_version, _increment_step


def adadelta_update(
    param: np.ndarray,
    grad: np.ndarray,
    square_avg: np.ndarray,
    acc_delta: np.ndarray,
    *,
    lr: float,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adadelta step on ``param`` and the state arrays in place (PyTorch's order of operations).

    g = ±grad + weight_decay·θ;  v = ρ·v + (1 − ρ)·g²;  Δ = √(u + ε) / √(v + ε) · g;
    u = ρ·u + (1 − ρ)·Δ²;  θ = θ − lr·Δ.
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    scratch = np.multiply(g, 1 - rho, out=np.empty_like(param))
    scratch *= g
    square_avg *= rho
    square_avg += scratch
    std = np.add(square_avg, eps, out=np.empty_like(param))  # out=: stays an array for 0-d parameters
    np.sqrt(std, out=std)
    delta = np.add(acc_delta, eps, out=np.empty_like(param))
    np.sqrt(delta, out=delta)
    delta /= std
    delta *= g
    np.multiply(delta, 1 - rho, out=scratch)
    scratch *= delta
    acc_delta *= rho
    acc_delta += scratch
    delta *= -lr
    param += delta


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): v = ρ·v + (1 − ρ)·g²,  Δ = √(u + ε)/√(v + ε)·g,  u = ρ·u + (1 − ρ)·Δ²,
    θ = θ − lr·Δ.

    ``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False)``, as PyTorch (whose
    ``foreach``, ``capturable`` and ``differentiable`` flags are not offered). ``lr`` scales Δ; the paper has
    no learning rate (lr = 1). State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    _counters = {"step": 0.0}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        return ("square_avg", "acc_delta")

    def _update_group(self, group: dict[str, Any]) -> None:
        for p, grad in self._params_with_grad(group):
            state = self._state_for(p, group)
            _increment_step(state["step"])
            adadelta_update(
                p._array,
                grad,
                state["square_avg"]._array,
                state["acc_delta"]._array,
                lr=group["lr"],
                rho=group["rho"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
            _bump_version(p)
