"""Adam and AdamW: momentum plus RMSprop, with bias correction."""

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


def adam_update(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    max_exp_avg_sq: np.ndarray | None,
    step: float,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    """One Adam step (``step`` counts from 1) on ``param`` and the state arrays in place.

    g = ±grad (+ weight_decay·θ, or θ = θ·(1 − lr·weight_decay) when decoupled);
    m = β₁·m + (1 − β₁)·g;  v = β₂·v + (1 − β₂)·g²;  (amsgrad: v_max = max(v_max, v), used for v);
    θ = θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)   ( = θ − lr·m̂ / (√v̂ + ε) ).
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    lerp_(exp_avg, g, 1 - beta1)
    scratch = np.multiply(g, 1 - beta2, out=np.empty_like(param))  # one temporary, reused below
    scratch *= g
    exp_avg_sq *= beta2
    exp_avg_sq += scratch

    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2**0.5

    if max_exp_avg_sq is not None:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = np.sqrt(max_exp_avg_sq)
    else:
        denom = np.sqrt(exp_avg_sq)
    denom /= bias_correction2_sqrt
    denom += eps
    update = np.multiply(exp_avg, -step_size, out=scratch)
    update /= denom
    param += update


class Adam(Optimizer):
    """Adam (tutorial section 2.4.5): m = β₁·m + (1 − β₁)·g,  v = β₂·v + (1 − β₂)·g²,
    m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ),  θ = θ − lr·m̂ / (√v̂ + ε).

    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False)``; computed in PyTorch's order (the bias corrections are
    folded into the step size and the denominator). ``amsgrad`` divides by the largest v so far.
    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq`` (amsgrad).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_options(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": (betas[0], betas[1]),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    _counters = {"step": 0.0}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        for p, grad in self._params_with_grad(group):
            state = self._state_for(p, group)
            step = _increment_step(state["step"])
            adam_update(
                p._array,
                grad,
                state["exp_avg"]._array,
                state["exp_avg_sq"]._array,
                state["max_exp_avg_sq"]._array if group["amsgrad"] else None,
                step,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
            _bump_version(p)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay, θ = θ·(1 − lr·λ) before the Adam step (λ not in m or v).

    ``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
    maximize=False)``. Same state as Adam.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
        )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As ``Optimizer.load_state_dict``; the weight decay stays decoupled whatever the saved groups say."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
