"""NAdam: Adam with Nesterov momentum (the momentum step looks one step ahead), with momentum decay."""

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


def nadam_update(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    mu_product: np.ndarray,
    step: float,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    momentum_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """One NAdam step (``step`` counts from 1) on ``param`` and the state arrays in place.

    g = ±grad (+ weight_decay·θ, or θ = θ·(1 − lr·weight_decay) when decoupled);
    μₜ = β₁·(1 − ½·0.96^(t·ψ)), ψ = momentum_decay;  Πₜ = Π_{t−1}·μₜ (``mu_product``, kept in the 0-d
    scalar dtype as PyTorch does);  m = β₁·m + (1 − β₁)·g;  v = β₂·v + (1 − β₂)·g²;
    d = √(v / (1 − β₂ᵗ)) + ε;  θ = θ − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d.
    """
    g = -grad if maximize else grad
    bias_correction2 = 1 - beta2**step
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu
    lerp_(exp_avg, g, 1 - beta1)
    scratch = np.multiply(g, 1 - beta2, out=np.empty_like(param))
    scratch *= g
    exp_avg_sq *= beta2
    exp_avg_sq += scratch
    denom = np.divide(exp_avg_sq, bias_correction2, out=np.empty_like(param))  # out=: an array also for 0-d
    np.sqrt(denom, out=denom)
    denom += eps
    product = float(mu_product)
    mu_product_next = product * mu_next
    update = np.multiply(g, -lr * (1.0 - mu) / (1.0 - product), out=scratch)
    update /= denom
    param += update
    update = np.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product_next), out=scratch)
    update /= denom
    param += update


class NAdam(Optimizer):
    """NAdam (Dozat, 2016): Adam whose momentum term uses the next step's momentum coefficient.

    ``NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, maximize=False)``, with PyTorch's momentum schedule
    μₜ = β₁·(1 − ½·0.96^(t·momentum_decay)) and formulas (see ``nadam_update``). State per parameter:
    ``step``, ``mu_product`` (the product of the μ so far, a 0-d tensor), ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_options(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    _counters = {"step": 0.0, "mu_product": 1.0}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        return ("exp_avg", "exp_avg_sq")

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        for p, grad in self._params_with_grad(group):
            state = self._state_for(p, group)
            step = _increment_step(state["step"])
            nadam_update(
                p._array,
                grad,
                state["exp_avg"]._array,
                state["exp_avg_sq"]._array,
                state["mu_product"]._array,
                step,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum_decay=group["momentum_decay"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"],
            )
            _bump_version(p)
