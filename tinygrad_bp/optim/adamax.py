"""Adamax: Adam with the infinity norm (a decaying maximum of |g|) in place of the RMS of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_bp.optim.optimizer import (
    Optimizer,
    ParamsT,
    _bump_version,
    _increment_step,
    check_options,
    lerp_,
)


def adamax_update(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_inf: np.ndarray,
    step: float,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adamax step (``step`` counts from 1) on ``param`` and the state arrays in place.

    g = ±grad + weight_decay·θ;  m = β₁·m + (1 − β₁)·g;  u = max(β₂·u, |g| + ε);
    θ = θ − lr/(1 − β₁ᵗ) · m / u.
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    lerp_(exp_avg, g, 1 - beta1)
    exp_inf *= beta2
    norm = np.abs(g, out=np.empty_like(param))  # out=: stays an array for 0-d parameters
    norm += eps
    np.maximum(exp_inf, norm, out=exp_inf)
    clr = lr / (1 - beta1**step)
    update = np.multiply(exp_avg, -clr, out=norm)
    update /= exp_inf
    param += update


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7): m = β₁·m + (1 − β₁)·g,  u = max(β₂·u, |g| + ε),
    θ = θ − lr/(1 − β₁ᵗ) · m/u.

    ``Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, maximize=False)``, as
    PyTorch (ε is added to |g| inside the maximum, so u never reaches 0). State per parameter: ``step``,
    ``exp_avg`` (m), ``exp_inf`` (u).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        check_options(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    _counters = {"step": 0.0}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        return ("exp_avg", "exp_inf")

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        for p, grad in self._params_with_grad(group):
            state = self._state_for(p, group)
            step = _increment_step(state["step"])
            adamax_update(
                p._array,
                grad,
                state["exp_avg"]._array,
                state["exp_inf"]._array,
                step,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
            _bump_version(p)
