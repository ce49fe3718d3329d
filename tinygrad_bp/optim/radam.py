"""RAdam: Adam with a rectified adaptive step, plain momentum SGD while the variance estimate is unreliable."""

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


def radam_update(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    step: float,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """One RAdam step (``step`` counts from 1) on ``param`` and the state arrays in place.

    g = ±grad (+ weight_decay·θ, or θ = θ·(1 − lr·weight_decay) when decoupled);
    m = β₁·m + (1 − β₁)·g;  v = β₂·v + (1 − β₂)·g²;  m̂ = m/(1 − β₁ᵗ);
    ρ∞ = 2/(1 − β₂) − 1;  ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ);
    if ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),  θ = θ − m̂·lr·√(1 − β₂ᵗ)/(√v + ε)·r;
    else:       θ = θ − m̂·lr.
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    lerp_(exp_avg, g, 1 - beta1)
    scratch = np.multiply(g, 1 - beta2, out=np.empty_like(param))
    scratch *= g
    exp_avg_sq *= beta2
    exp_avg_sq += scratch

    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    update = np.divide(exp_avg, bias_correction1, out=scratch)
    update *= lr
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = np.sqrt(exp_avg_sq, out=np.empty_like(param))  # out=: an array also for 0-d parameters
        adaptive_lr += eps
        np.divide(bias_correction2**0.5, adaptive_lr, out=adaptive_lr)
        update *= adaptive_lr
        update *= rect
    param -= update


class RAdam(Optimizer):
    """RAdam (Liu et al., 2019): Adam whose adaptive step is scaled by a rectification term r(ρₜ), and
    replaced by the bias-corrected momentum alone while ρₜ ≤ 5 (the first few steps).

    ``RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
    *, maximize=False)``, with PyTorch's formulas (see ``radam_update``). State per parameter: ``step``,
    ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_options(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    _counters = {"step": 0.0}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        return ("exp_avg", "exp_avg_sq")

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        for p, grad in self._params_with_grad(group):
            state = self._state_for(p, group)
            step = _increment_step(state["step"])
            radam_update(
                p._array,
                grad,
                state["exp_avg"]._array,
                state["exp_avg_sq"]._array,
                step,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"],
            )
            _bump_version(p)
