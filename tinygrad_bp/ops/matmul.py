"""Matrix products: ``MatMul`` with NumPy's matmul semantics (1-D operands, batch broadcasting), and ``Addmm``,
the fused x @ Wᵀ + b of nn.Linear."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.engine import unbroadcast
from ..autograd.function import Op
from . import _xp

_NAMES = {(2, 2): "MmBackward0", (1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4"}


class MatMul(Op):
    """Z = A @ B;  dL/dA = G @ Bᵀ, dL/dB = Aᵀ @ G (1-D operands are treated as a row / a column)"""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.torch_name = _NAMES.get((a.ndim, b.ndim), "UnsafeViewBackward0")  # the product PyTorch's matmul picks
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without reshapes
            return (g @ b.T if need_a else None), (a.T @ g if need_b else None)
        a2 = a.reshape((1,) + a.shape) if a.ndim == 1 else a
        b2 = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
        if a.ndim == 1 and b.ndim == 1:
            g2 = g.reshape((1, 1))
        elif a.ndim == 1:
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        elif b.ndim == 1:
            g2 = g.reshape(g.shape + (1,))
        else:
            g2 = g
        ga = gb = None
        if need_a:
            ga = g2 @ _xp.swap_last(b2)
            ga = _sum_to(ga, a2.shape).reshape(a.shape)
        if need_b:
            gb = _xp.swap_last(a2) @ g2
            gb = _sum_to(gb, b2.shape).reshape(b.shape)
        return ga, gb


class Addmm(Op):
    """y = x @ Wᵀ + b (nn.Linear);  dy/dx = g @ W,  dy/dW = gᵀ @ x,  dy/db = g summed over the batch"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        ctx.save_for_backward(x, w)
        out = x @ w.T
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = g @ w if need_x else None
        if g.ndim != 2:  # (batch, out) and (batch, in), whatever the batch dims
            g, x = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        gw = g.T @ x if need_w else None
        gb = g.sum(axis=0) if need_b else None  # summed here: cheaper than the engine's generic unbroadcast
        return gx, gw, gb


def _sum_to(g: Any, shape: tuple) -> Any:
    """Sum the broadcast batch dims of a batched matmul gradient."""
    return unbroadcast(g, shape) if g.shape != shape else g
