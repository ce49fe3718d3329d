"""Momentum: the tutorial's gradient descent with an exponentially weighted average of the gradients."""

from __future__ import annotations

from typing import Any

from tinygrad_bp.optim.optimizer import Optimizer, ParamsT
from tinygrad_bp.optim.sgd import update_group


class Momentum(Optimizer):
    """Momentum (tutorial section 2.4.2): v = β·v + (1 − β)·g,  θ = θ − lr·v.

    ``Momentum(params, lr=0.01, beta=0.9)``. The average starts at the first gradient (v₁ = g₁), as the
    tutorial's exponentially weighted average starts at x₀; no bias correction is needed then. This is
    exactly ``SGD(params, lr, momentum=beta, dampening=beta)``, and it runs the same update code.
    (PyTorch's ``SGD(momentum=β)`` alone uses dampening 0: v = β·v + g, a velocity about 1/(1 − β) times
    larger.) Not in PyTorch. State per parameter: ``momentum_buffer`` (v).
    """

    def __init__(self, params: ParamsT, lr: float = 0.01, beta: float = 0.9) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta value: {beta}")
        super().__init__(params, {"lr": lr, "beta": beta})

    def _expected_state_keys(self, group: dict[str, Any]) -> set[str]:
        return {"momentum_buffer"} if group["beta"] != 0 else set()

    def _update_group(self, group: dict[str, Any]) -> None:
        beta = group["beta"]
        update_group(self, group, momentum=beta, dampening=beta, weight_decay=0, nesterov=False, maximize=False)
