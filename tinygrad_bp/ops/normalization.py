"""Normalisation by batch statistics: one fused primitive for BatchNorm (train mode), LayerNorm and GroupNorm.

    x̂ = (x - μ) / √(σ² + ε),  y = x̂·w + b,   μ, σ² the mean and biased variance over ``axes``

Fused because the backward formula is short and avoids six intermediate nodes (M values per statistic):

    dL/dx = (1/√(σ² + ε))·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)),  ĝ = g·w,  means over ``axes``
    dL/dw = Σ g·x̂,  dL/db = Σ g   (summed over the dims the parameter is broadcast along)

With ``create_graph=True`` the statistics are recomputed from the input Tensor, so the same formula
gives a differentiable gradient (gradgradcheck).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp


def _statistics(x: Any, axes: tuple, eps: float) -> tuple:
    """(x̂, 1/√(σ² + ε)) over ``axes`` (arrays or Tensors)."""
    mu = x.mean(axis=axes, keepdims=True)
    d = x - mu
    invstd = ((d * d).mean(axis=axes, keepdims=True) + eps) ** -0.5
    return d * invstd, invstd


class Normalize(Op):
    """y = (x - μ)/√(σ² + ε)·w + b over ``axes`` (w, b optional, broadcast as ``param_shape``);
    dL/dx = (ĝ - mean ĝ - x̂·mean(ĝ·x̂))/√(σ² + ε) with ĝ = g·w;  dL/dw = Σ g·x̂;  dL/db = Σ g"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray | None = None, b: np.ndarray | None = None,
                axes: tuple = (), param_shape: tuple = (), eps: float = 1e-5, name: str | None = None) -> np.ndarray:
        if name is not None:  # PyTorch's node for batch_norm, layer_norm, ...
            ctx.torch_name = name
        xhat, invstd = _statistics(x, axes, eps)
        ctx.save_for_backward(x, w)
        ctx.xhat, ctx.invstd, ctx.axes, ctx.param_shape, ctx.eps = xhat, invstd, axes, param_shape, eps
        ctx.b_shape = None if b is None else b.shape
        out = xhat
        if w is not None:
            out = out * w.reshape(param_shape)
        if b is not None:
            out = out + b.reshape(param_shape)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        axes, pshape = ctx.axes, ctx.param_shape
        if _xp._is_array(x):
            xhat, invstd = ctx.xhat, ctx.invstd
        else:  # create_graph: statistics as differentiable functions of x
            xhat, invstd = _statistics(x, axes, ctx.eps)
        need_x, need_w, need_b = ctx.needs_input_grad
        param_axes = tuple(i for i, s in enumerate(pshape) if s == 1)
        gx = gw = gb = None
        if need_x:
            gh = g if w is None else g * w.reshape(pshape)
            gx = (gh - gh.mean(axis=axes, keepdims=True) - xhat * (gh * xhat).mean(axis=axes, keepdims=True)) * invstd
        if need_w:
            gw = (g * xhat).sum(axis=param_axes, keepdims=True).reshape(w.shape)
        if need_b:
            gb = g.sum(axis=param_axes, keepdims=True).reshape(ctx.b_shape)
        return gx, gw, gb
