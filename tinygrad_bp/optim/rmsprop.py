"""RMSprop: AdaGrad with an exponentially weighted average of the squared gradients instead of their sum."""

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


def rmsprop_update(
    param: np.ndarray,
    grad: np.ndarray,
    square_avg: np.ndarray,
    grad_avg: np.ndarray | None,
    momentum_buffer: np.ndarray | None,
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    maximize: bool,
) -> None:
    """One RMSprop step on ``param`` and the state arrays in place (``grad_avg`` only when centered).

    g = ±grad + weight_decay·θ;  s = α·s + (1 − α)·g²;  centered: m = α·m + (1 − α)·g, s̃ = s − m²;
    d = √s̃ + ε;  with momentum b = μ·b + g/d, θ = θ − lr·b;  else θ = θ − lr·g/d.
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    scratch = np.multiply(g, 1 - alpha, out=np.empty_like(param))  # one temporary, reused below
    scratch *= g
    square_avg *= alpha
    square_avg += scratch
    if grad_avg is not None:
        lerp_(grad_avg, g, 1 - alpha)
        avg = np.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = np.sqrt(square_avg)
    avg += eps
    if momentum > 0:
        momentum_buffer *= momentum
        momentum_buffer += g / avg
        param -= lr * momentum_buffer
    else:
        update = np.multiply(g, -lr, out=scratch)
        update /= avg
        param += update


class RMSprop(Optimizer):
    """RMSprop (tutorial section 2.4.4): s = α·s + (1 − α)·g²,  θ = θ − lr·g / (√s + ε).

    ``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
    maximize=False)``. The tutorial's decay rate β is ``alpha`` here. Follows PyTorch, not the tutorial, in
    where ε goes: PyTorch divides by √s + ε, the tutorial by √(s + ε). ``centered`` divides by the square
    root of the estimated variance s − m² instead (m: the average gradient).
    State per parameter: ``step``, ``square_avg`` (s), ``momentum_buffer`` (when momentum > 0) and
    ``grad_avg`` (m, when centered).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_options(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    _counters = {"step": 0.0}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        return (("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ())
                + (("grad_avg",) if group["centered"] else ()))

    def _update_group(self, group: dict[str, Any]) -> None:
        for p, grad in self._params_with_grad(group):
            state = self._state_for(p, group)
            _increment_step(state["step"])
            rmsprop_update(
                p._array,
                grad,
                state["square_avg"]._array,
                state["grad_avg"]._array if group["centered"] else None,
                state["momentum_buffer"]._array if group["momentum"] > 0 else None,
                lr=group["lr"],
                alpha=group["alpha"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum=group["momentum"],
                maximize=group["maximize"],
            )
            _bump_version(p)
