"""Reductions and the softmax family: forward and backward side by side.

``axis`` is a tuple of non-negative dims or None (all); ``keepdims`` keeps them as size 1. Each
backward first re-inserts the reduced dims into the gradient (``_expand_dims``), then broadcasts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp


def _expand_dims(g: Any, in_shape: tuple, axis: tuple | None, keepdims: bool) -> Any:
    """Reshape a reduced gradient so it broadcasts against the input (reduced dims become 1)."""
    if keepdims or axis is None and g.ndim == len(in_shape):
        return g
    if axis is None:
        return g.reshape((1,) * len(in_shape))
    shape = list(in_shape)
    for a in axis:
        shape[a] = 1
    return g.reshape(tuple(shape))


def _squeeze(out: np.ndarray, axis: tuple | None) -> np.ndarray:
    """Drop the reduced (size-1) dims of a keepdims result."""
    return out.reshape(()) if axis is None else np.squeeze(out, axis)


class Sum(Op):
    """z = Σ x over axis;  dz/dx = 1 (the gradient is broadcast back)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        ctx.in_shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        if axis is not None or keepdims:
            ctx.torch_name = "SumBackward1"  # PyTorch's sum(dim, keepdim) overload
        return x.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _xp.broadcast_to(_expand_dims(g, ctx.in_shape, ctx.axis, ctx.keepdims), ctx.in_shape)


class Mean(Op):
    """z = (1/n) Σ x over axis;  dz/dx = 1/n"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        ctx.in_shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        if axis is not None or keepdims:
            ctx.torch_name = "MeanBackward1"
        out = x.mean(axis=axis, keepdims=keepdims)
        ctx.n = x.size // max(out.size, 1) if x.size else 0
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        g = _expand_dims(g, ctx.in_shape, ctx.axis, ctx.keepdims) / ctx.n
        return _xp.broadcast_to(g, ctx.in_shape)


class Amax(Op):
    """z = max x over axis (min with fn=np.min);  dz/dx = 1 at the maxima (shared evenly between ties), else 0"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False, fn: Any = np.max,
                name: str | None = None) -> np.ndarray:
        if name is not None:  # amin, and the full max() / min(), have PyTorch names of their own
            ctx.torch_name = name
        out = fn(x, axis=axis, keepdims=True)
        mask = x == out
        ctx.share = mask / mask.sum(axis=axis, keepdims=True)
        ctx.in_shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return out if keepdims else _squeeze(out, axis)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _expand_dims(g, ctx.in_shape, ctx.axis, ctx.keepdims) * ctx.share


class MaxAlongDim(Op):
    """(values, indices) = max x along one dim;  dz/dx = 1 at the returned index, else 0"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int = 0, keepdims: bool = False, arg: Any = np.argmax) -> np.ndarray:
        idx = arg(x, axis=axis, keepdims=True)
        ctx.torch_name = "MinBackward0" if arg is np.argmin else "MaxBackward0"
        ctx.indices = idx if keepdims else np.squeeze(idx, axis)
        ctx.in_shape, ctx.axis, ctx.keepdims = x.shape, (axis,), keepdims
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]
        ctx.onehot = np.arange(x.shape[axis]).reshape(shape) == idx
        out = np.take_along_axis(x, idx, axis)
        return out if keepdims else np.squeeze(out, axis)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _expand_dims(g, ctx.in_shape, ctx.axis, ctx.keepdims) * ctx.onehot


class LogSumExp(Op):
    """z = log Σ eˣ over axis (computed with the max subtracted);  dz/dx = e^(x - z) = softmax(x)"""

    torch_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)  # -inf for an empty reduction, as in PyTorch
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):  # log 0 = -inf: an empty or all -inf reduction
            out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
        out = out if keepdims else _squeeze(out, axis)
        ctx.save_for_backward(x, out)
        ctx.in_shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        shape = ctx.in_shape, ctx.axis, ctx.keepdims
        return _expand_dims(g, *shape) * _xp.exp(x - _expand_dims(out, *shape))


class Softmax(Op):
    """s = eˣ / Σ eˣ along dim;  dL/dx = s · (g - Σ g·s)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int = -1) -> np.ndarray:
        e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (s,) = ctx.saved_tensors
        return s * (g - (g * s).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Op):
    """y = x - log Σ eˣ along dim;  dL/dx = g - softmax(x) · Σ g"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int = -1) -> np.ndarray:
        shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        with np.errstate(divide="ignore"):
            out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g - _xp.exp(out) * g.sum(axis=ctx.axis, keepdims=True)


class Var(Op):
    """z = Σ (x − x̄)² / max(n − c, 0) over axis;  dz/dx = 2 (x − x̄) / (n − c)

    With no degrees of freedom left (n ≤ c) PyTorch's rule: over all elements the gradient is
    ∞ (NaN where x = x̄); over dims, 2 / (n − c) as it stands (∞ at n = c, negative below).
    """

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False, correction: float = 1) -> np.ndarray:
        mean = x.mean(axis=axis, keepdims=True)
        centered = x - mean
        n = x.size // max(mean.size, 1) if x.size else 0
        ctx.save_for_backward(x)
        ctx.in_shape, ctx.axis, ctx.keepdims, ctx.n, ctx.dof = x.shape, axis, keepdims, n, n - correction
        if n - correction <= 0 and axis is None:
            ctx.no_dof = np.where(centered == 0, np.nan, np.inf).astype(x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=axis, keepdims=keepdims) / max(n - correction, 0)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        g = _expand_dims(g, ctx.in_shape, ctx.axis, ctx.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):  # ∞·0 = NaN is PyTorch's answer here too
            if ctx.dof <= 0 and ctx.axis is None:
                return g * ctx.no_dof
            x = ctx.saved_tensors[0]
            centered = x - x.sum(axis=ctx.axis, keepdims=True) / ctx.n
            return g * (centered * float(np.float64(2.0) / np.float64(ctx.dof)))


class Std(Op):
    """z = √var(x);  dz/dx = dvar/dx / (2z), taken as 0 where z = 0 (PyTorch's rule)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False, correction: float = 1) -> np.ndarray:
        out = np.sqrt(Var.forward(ctx, x, axis, keepdims, correction))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        out = ctx.saved_tensors[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = _xp.where(out == 0, 0.0, g / (2 * out))
        return Var.backward(ctx, g)
