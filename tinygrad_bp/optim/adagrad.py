"""AdaGrad: a per-weight learning rate that shrinks with the sum of the squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_bp.optim.optimizer import (
    Optimizer,
    ParamsT,
    _as_tensor,
    _bump_version,
    _increment_step,
    _new_step,
    check_options,
)


def adagrad_update(
    param: np.ndarray,
    grad: np.ndarray,
    state_sum: np.ndarray,
    step: float,
    *,
    lr: float,
    lr_decay: float,
    weight_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """One AdaGrad step (``step`` counts from 1) on ``param`` and ``state_sum`` in place.

    g = ±grad + weight_decay·θ;  G = G + g²;  θ = θ − lr/(1 + (t − 1)·lr_decay) · g / (√G + ε).
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    clr = lr / (1 + (step - 1) * lr_decay)
    state_sum += g * g
    std = np.sqrt(state_sum)
    std += eps
    update = np.multiply(g, -clr)
    update /= std
    param += update


class Adagrad(Optimizer):
    """AdaGrad (tutorial section 2.4.3): G = G + g²,  θ = θ − lr·g / (√G + ε).

    ``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
    maximize=False)``. Follows PyTorch, not the tutorial, in where ε goes: PyTorch divides by √G + ε,
    the tutorial by √(G + ε). With lr_decay the rate is lr / (1 + (t − 1)·lr_decay).
    State per parameter: ``step`` and ``sum`` (G, starting at ``initial_accumulator_value``); as in PyTorch
    it is created when the optimizer is built, not at the first step.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        check_options(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_group_state(self, group: dict[str, Any]) -> None:
        # PyTorch fills every accumulator with the constructor's initial_accumulator_value (self.defaults),
        # also for a group that sets its own.
        for p in group["params"]:
            self._init_state(p)

    def _init_state(self, p: Any) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["sum"] = _as_tensor(np.full_like(p._array, self.defaults["initial_accumulator_value"]))
        return state

    def _expected_state_keys(self, group: dict[str, Any]) -> set[str]:
        return {"step", "sum"}

    def _update_group(self, group: dict[str, Any]) -> None:
        for p, grad in self._params_with_grad(group):
            state = self._init_state(p)
            step = _increment_step(state["step"])
            adagrad_update(
                p._array,
                grad,
                state["sum"]._array,
                step,
                lr=group["lr"],
                lr_decay=group["lr_decay"],
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
            )
            _bump_version(p)
