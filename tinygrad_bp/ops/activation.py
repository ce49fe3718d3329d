"""Activation primitives whose composite forms would be numerically poor: softplus, log-sigmoid, erf.

Every other new activation (GELU, SiLU, ELU, Hardtanh, Softsign, Mish) is a composite of these and the
elementwise ops, in `tinygrad_bp.nn.functional`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp
from .loss import _sigmoid

_erf = np.vectorize(math.erf, otypes=[np.float64])  # NumPy has no erf; math.erf is correctly rounded enough
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Softplus(Op):
    """z = ln(1 + e^(βx))/β, and z = x where βx > threshold (PyTorch's linear tail);
    dz/dx = σ(βx) (1 on the tail)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        bx = x * beta
        ctx.save_for_backward(x)
        tail = bx > threshold
        ctx.beta, ctx.tail = beta, tail
        return np.where(tail, x, np.logaddexp(x.dtype.type(0), bx) / beta).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _xp.where(ctx.tail, 1.0, _sigmoid(x * ctx.beta))


class LogSigmoid(Op):
    """z = log σ(x) = -ln(1 + e⁻ˣ);  dz/dx = 1 - σ(x) = σ(-x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return -np.logaddexp(x.dtype.type(0), -x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _sigmoid(-x)


class Erf(Op):
    """z = erf(x) = (2/√π)∫₀ˣ e^(-t²) dt;  dz/dx = (2/√π)·e^(-x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _erf(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (_xp.exp(-(x * x)) * _TWO_OVER_SQRT_PI)
