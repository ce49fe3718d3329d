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


def _product_of_others(x: Any, axis: int) -> Any:
    """Π_{j≠i} x_j along ``axis`` for each i, exact with zeros (no division).

    Arrays: exclusive cumulative products from both ends. In a create_graph pass (x a Tensor): the
    products of an (..., n, n) expansion whose diagonal is 1, so the result stays differentiable."""
    if _xp._is_array(x):
        ones = np.ones_like(np.take(x, [0], axis=axis))
        left = np.cumprod(np.concatenate([ones, np.take(x, range(x.shape[axis] - 1), axis=axis)], axis), axis)
        flipped = np.flip(x, axis)
        right = np.cumprod(np.concatenate([ones, np.take(flipped, range(x.shape[axis] - 1), axis=axis)], axis), axis)
        return left * np.flip(right, axis)
    n = x.shape[axis]
    moved = x.transpose(axis, -1)  # (..., n)
    grid = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n)
    others = grid.where(~np.eye(n, dtype=bool), 1.0).prod(-1)
    return others.transpose(axis, -1)


class Prod(Op):
    """z = Π x over one dim (or all);  dz/dxᵢ = Π_{j≠i} x_j (z/xᵢ when no x is 0)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int | None = None, keepdims: bool = False, by_dim: bool = False) -> np.ndarray:
        if axis is not None or by_dim:
            ctx.torch_name = "ProdBackward1"  # PyTorch's prod(dim) overload
        out = np.prod(x, axis=axis, keepdims=keepdims)
        ctx.save_for_backward(x, out)
        ctx.in_shape, ctx.axis, ctx.keepdims = x.shape, None if axis is None else (axis,), keepdims
        ctx.has_zero = x.size > 0 and not np.all(x)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        shape = ctx.in_shape, ctx.axis, ctx.keepdims
        g = _expand_dims(g, *shape)
        if not ctx.has_zero:
            return g * (_expand_dims(out, *shape) / x)
        if ctx.axis is None:  # all elements: along the one dim of the flattened input
            return g * _product_of_others(x.reshape(-1), 0).reshape(ctx.in_shape)
        return g * _product_of_others(x, ctx.axis[0])


def _reverse_cumsum(g: Any, axis: int) -> Any:
    """Σ_{j≥i} g_j along axis."""
    if _xp._is_array(g):
        return np.flip(np.cumsum(np.flip(g, axis), axis), axis)
    return g.sum(axis, keepdim=True) - g.cumsum(axis) + g


class Cumsum(Op):
    """zᵢ = Σ_{j≤i} x_j along dim;  dL/dxᵢ = Σ_{j≥i} g_j"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int = 0) -> np.ndarray:
        ctx.axis = axis
        return np.cumsum(x, axis=axis) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _reverse_cumsum(g, ctx.axis) if g.ndim else g


class Cumprod(Op):
    """zᵢ = Π_{j≤i} x_j along dim;  dL/dx_k = Σ_{i≥k} gᵢ Π_{j≤i, j≠k} x_j (= Σ_{i≥k} gᵢ zᵢ / x_k with no 0)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int = 0) -> np.ndarray:
        out = np.cumprod(x, axis=axis) if x.ndim else x.copy()
        ctx.save_for_backward(x, out)
        ctx.axis = axis
        ctx.has_zero = x.size > 0 and not np.all(x)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        if g.ndim == 0:
            return g
        axis = ctx.axis
        if not ctx.has_zero:
            return _reverse_cumsum(g * out, axis) / x
        n = x.shape[axis]
        later = np.arange(n)[:, None] <= np.arange(n)[None, :]  # [k, i]: i ≥ k
        if _xp._is_array(x):
            moved, gm = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
            grid = np.where(np.eye(n, dtype=bool), 1, moved[..., None, :])  # [..., k, j]: x_j, 1 at j = k
            return np.moveaxis((np.cumprod(grid, -1) * later * gm[..., None, :]).sum(-1), -1, axis)
        moved, gm = x.transpose(axis, -1), g.transpose(axis, -1)
        grid = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n).where(~np.eye(n, dtype=bool), 1.0)
        return (grid.cumprod(-1) * later * gm.unsqueeze(-2)).sum(-1).transpose(axis, -1)


def _abs(x: Any) -> Any:
    return np.abs(x) if _xp._is_array(x) else x.abs()


def vector_norm(x: np.ndarray, p: float, axis: Any, keepdims: bool) -> np.ndarray:
    """(Σ |x|ᵖ)^(1/p) over axis; p = 0 counts the nonzeros, ±inf is max / min |x| (PyTorch's linalg.vector_norm)."""
    a = np.abs(x)
    if p == 2:
        return np.sqrt((x * x).sum(axis=axis, keepdims=keepdims))
    if p == 1:
        return a.sum(axis=axis, keepdims=keepdims)
    if p == 0:
        return (x != 0).sum(axis=axis, keepdims=keepdims).astype(x.dtype)
    if p == np.inf:
        return np.max(a, axis=axis, keepdims=keepdims, initial=0)
    if p == -np.inf:
        return np.min(a, axis=axis, keepdims=keepdims)
    with np.errstate(divide="ignore"):
        return (a ** p).sum(axis=axis, keepdims=keepdims) ** (1.0 / p)


class Norm(Op):
    """z = ‖x‖ₚ over axis;  dz/dx = sign(x)·|x|^(p-1) / z^(p-1): x/z for p = 2, sign x for p = 1, sign x at the
    extremes (shared between ties) for ±inf, 0 for p = 0. Where z = 0 the gradient is 0, as in PyTorch."""

    torch_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, p: float = 2, axis: Any = None, keepdims: bool = False,
                name: str | None = None) -> np.ndarray:
        if name is not None:  # dist
            ctx.torch_name = name
        out = vector_norm(x, p, axis, keepdims)
        ctx.save_for_backward(x, out)
        ctx.in_shape, ctx.axis, ctx.keepdims, ctx.p = x.shape, axis, keepdims, p
        if p in (np.inf, -np.inf):
            mask = np.abs(x) == vector_norm(x, p, axis, True)
            ctx.share = mask / mask.sum(axis=axis, keepdims=True)
        ctx.zero_norm = (out == 0) if p != 0 else None
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        p = ctx.p
        shape = ctx.in_shape, ctx.axis, ctx.keepdims
        if p == 0:
            return _xp.zeros_like(x)
        g = _expand_dims(g, *shape)
        if p in (np.inf, -np.inf):
            return g * _xp.sign(x) * ctx.share
        if p == 1:
            return g * _xp.sign(x)
        zero = _expand_dims(ctx.zero_norm, *shape)
        safe_out = _xp.where(zero, 1.0, _expand_dims(out, *shape))
        if p == 2:
            return _xp.where(zero, 0.0, g * x / safe_out)
        x_zero = np.asarray(getattr(x, "_array", x)) == 0
        safe_x = _xp.where(x_zero, 1.0, x)
        grad = g * _xp.sign(x) * _abs(safe_x) ** (p - 1) / safe_out ** (p - 1)
        return _xp.where(zero | x_zero, 0.0, grad)
