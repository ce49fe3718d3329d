"""Elementwise primitives: forward and backward side by side; each docstring gives the derivative.

Gradients are returned at the output's (broadcast) shape; the engine sums them back to each input's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp


class Add(Op):
    """z = x + y;  dz/dx = 1, dz/dy = 1"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        return x + y

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g, g


class Sub(Op):
    """z = x - y;  dz/dx = 1, dz/dy = -1"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        if type(x) is not np.ndarray:  # number - tensor: PyTorch's rsub
            ctx.torch_name = "RsubBackward1"
        return x - y

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Op):
    """z = x * y;  dz/dx = y, dz/dy = x"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (g * y if need_x else None), (g * x if need_y else None)


class Div(Op):
    """z = x / y;  dz/dx = 1/y, dz/dy = -x/y²"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (g / y if need_x else None), (-g * x / (y * y) if need_y else None)


def _int_power(x: Any, y: Any) -> np.ndarray:
    """Integer x ** integer y as PyTorch computes it: a negative exponent gives 1 // x ** |y| (0 unless |x| = 1)."""
    y = np.asarray(y)
    if not (y < 0).any():
        return np.power(x, y)
    pos = np.power(x, np.abs(y))
    x = np.asarray(x)
    inverse = np.where(x == 1, 1, np.where(x == -1, pos, 0)).astype(pos.dtype)
    return np.where(y < 0, inverse, pos)


class Pow(Op):
    """z = x ** y;  dz/dx = y·x^(y-1), dz/dy = z·ln(x) (0 where x = 0 and y ≥ 0, as in PyTorch)"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        ints = np.asarray(y).dtype.kind in "iu" and np.asarray(x).dtype.kind in "iu"
        out = _int_power(x, y) if ints else np.power(x, y)
        ctx.save_for_backward(x, y, out)
        if type(x) is not np.ndarray:  # PyTorch's overloads: number ** tensor, tensor ** tensor
            ctx.torch_name = "PowBackward2"
        elif type(y) is np.ndarray:
            ctx.torch_name = "PowBackward1"
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            if isinstance(y, (int, float)):  # a Python exponent: x**0 is constant
                gx = g * (y * x ** (y - 1)) if y != 0 else _xp.zeros_like(x)  # detached, as in PyTorch
            else:
                gx = _xp.where(y == 0, 0.0, g * (y * x ** (y - 1)))
        if need_y:
            xa, ya = (np.asarray(getattr(v, "_array", v)) for v in (x, y))  # a constant mask, also in create_graph
            zero = (xa == 0) & (ya >= 0)  # PyTorch's rule: 0 there; at x = 0 with y < 0, z·ln x = ∞·(−∞)
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = _xp.where(zero, 0.0, g * out * _xp.log(_xp.where(zero, 1.0, x)))
        return gx, gy


class Neg(Op):
    """z = -x;  dz/dx = -1"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return -g


class Exp(Op):
    """z = eˣ;  dz/dx = z"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * out


class Log(Op):
    """z = ln x;  dz/dx = 1/x"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Op):
    """z = √x;  dz/dx = 1/(2z)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Abs(Op):
    """z = |x|;  dz/dx = sign(x) (0 at x = 0)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _xp.sign(x)


class Sign(Op):
    """z = sign(x);  dz/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return _xp.sign(x)  # sign(NaN) = 0, as in PyTorch

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _xp.where(True, 0.0, g)  # zeros of g's shape and dtype (g · 0 would turn an infinite g into NaN)


class Sin(Op):
    """z = sin x;  dz/dx = cos x"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _xp.cos(x)


class Cos(Op):
    """z = cos x;  dz/dx = -sin x"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -g * _xp.sin(x)


class Tanh(Op):
    """z = tanh x;  dz/dx = 1 - z²"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Op):
    """z = σ(x) = 1/(1+e⁻ˣ);  dz/dx = z(1 - z)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        e = np.exp(-np.abs(x))  # never overflows; both branches are exact
        out = np.where(x >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


class Relu(Op):
    """z = max(x, 0);  dz/dx = 1 where z > 0, else 0

    The mask is read from the saved output, so with create_graph the gradient stays connected to
    x (with a zero derivative, as PyTorch's threshold_backward): a second derivative gives zeros.
    """

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        out = np.where(x <= 0, 0, x)  # not x·(x > 0): -inf must give 0 and NaN stay NaN, as in PyTorch
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        if _xp._is_array(out):
            return np.where(out <= 0, 0, g).astype(g.dtype, copy=False)  # exact zeros; NaN passes g, as in PyTorch
        return g * out.sign()  # out ≥ 0: sign is the 0/1 mask, and keeps the gradient connected to x


class ClampBounds(Op):
    """z = min(max(x, lo), hi) with tensor bounds;  dz/dx = 1 where lo ≤ x ≤ hi; dz/dlo = 1 where
    x < lo < hi (or x < lo, no hi); dz/dhi = 1 where x > hi or hi < lo. Ties go to x, as in PyTorch."""

    torch_name = "ClampBackward0"  # PyTorch's clamp with tensor bounds

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> np.ndarray:
        keep = np.ones(np.shape(x), bool)
        out = x
        if lo is not None:
            keep = keep & (x >= lo)
            ctx.to_lo = (x < lo) & (lo < hi) if hi is not None else x < lo
            out = np.maximum(out, lo)
        if hi is not None:
            keep = keep & (x <= hi)
            ctx.to_hi = (x > hi) | (hi < lo) if lo is not None else x > hi
            out = np.minimum(out, hi)
        ctx.keep = keep
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        need_x, need_lo, need_hi = ctx.needs_input_grad
        return (_xp.where(ctx.keep, g, 0.0) if need_x else None, _xp.where(ctx.to_lo, g, 0.0) if need_lo else None,
                _xp.where(ctx.to_hi, g, 0.0) if need_hi else None)


class Clamp(Op):
    """z = min(max(x, lo), hi);  dz/dx = 1 where lo ≤ x ≤ hi, else 0"""

    torch_name = "ClampBackward1"  # PyTorch's clamp with number bounds

    @staticmethod
    def forward(ctx: Any, x: Any, min: Any = None, max: Any = None) -> np.ndarray:  # noqa: A002
        out = np.clip(x, min, max)
        ctx.mask = out == x
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _xp.where(ctx.mask, g, 0.0)


class Maximum(Op):
    """z = max(x, y);  the gradient goes to the larger input, split evenly on ties"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        ctx.x_loses, ctx.y_loses, ctx.tie = x < y, x > y, x == y
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return _split(ctx, g)


class Minimum(Op):
    """z = min(x, y);  the gradient goes to the smaller input, split evenly on ties"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        ctx.x_loses, ctx.y_loses, ctx.tie = x > y, x < y, x == y
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return _split(ctx, g)


def _split(ctx: Any, g: Any) -> tuple:
    """max/min backward, PyTorch's rule: g/2 to each on a tie, else g, with exact zeros for the input that
    lost (so with a NaN, where neither wins, both get g)."""
    need_x, need_y = ctx.needs_input_grad
    shared = _xp.where(ctx.tie, g * 0.5, g)
    return (_xp.where(ctx.x_loses, 0.0, shared) if need_x else None,
            _xp.where(ctx.y_loses, 0.0, shared) if need_y else None)


class Where(Op):
    """z = x where cond else y;  dz/dx = cond, dz/dy = not cond"""

    @staticmethod
    def forward(ctx: Any, cond: Any, x: Any, y: Any) -> np.ndarray:
        ctx.cond = cond
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        need_x, need_y = ctx.needs_input_grad[1:]  # a literal 0, not g·0: an inf/NaN upstream must not leak
        return (None, _xp.where(ctx.cond, g, 0.0) if need_x else None,
                _xp.where(ctx.cond, 0.0, g) if need_y else None)


class Cast(Op):
    """z = x converted to another dtype;  dz/dx = 1 (the engine casts the gradient back)"""

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: Any = None) -> np.ndarray:
        ctx.torch_name = "CloneBackward0" if x.dtype == dtype else "ToCopyBackward0"  # clone(), or to(dtype)
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g
