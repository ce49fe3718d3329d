"""More elementwise primitives (issue 12): logs and exponentials, inverse and hyperbolic trigonometry, erf,
rounding, and the binary atan2 / hypot / fmod / remainder / lerp. Forward and backward side by side; each
docstring gives the derivative. Backward formulas use operators and ``_call`` (NumPy on arrays, the Tensor
method in a create_graph pass), so second derivatives work.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def _call(x: Any, numpy_fn: Any, method: str) -> Any:
    """``numpy_fn(x)`` for an array, ``x.<method>()`` for a Tensor (a create_graph pass)."""
    return numpy_fn(x) if _xp._is_array(x) else getattr(x, method)()


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise (math.erf: exact to the last bit in float64), in x's dtype."""
    return np.asarray(_erf_scalar(x), dtype=np.float64).astype(x.dtype, copy=False)


def _zero_grad(g: Any) -> Any:
    """Zeros of g's shape and dtype (not g · 0, which turns an infinite g into NaN), as PyTorch's rounding ops."""
    return _xp.where(True, 0.0, g)


class _Unary:
    """The forward of a unary Op whose backward needs its input (``x``) or its output (``out``), as ``saves`` says
    (a mixin, not an Op itself)."""

    saves = "x"
    fn: Any = None

    @classmethod
    def forward(cls, ctx: Any, x: Any) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):  # outside the domain: NaN / inf, as in PyTorch
            out = cls.fn(x)
        ctx.save_for_backward(x if cls.saves == "x" else out)
        return out


class Log10(_Unary, Op):
    """z = log₁₀ x;  dz/dx = 1/(x ln 10)"""

    fn = staticmethod(np.log10)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x * _LN10)


class Log2(_Unary, Op):
    """z = log₂ x;  dz/dx = 1/(x ln 2)"""

    fn = staticmethod(np.log2)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x * _LN2)


class Log1p(_Unary, Op):
    """z = ln(1 + x);  dz/dx = 1/(1 + x)"""

    torch_name = "Log1PBackward0"
    fn = staticmethod(np.log1p)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Expm1(_Unary, Op):
    """z = eˣ - 1;  dz/dx = z + 1"""

    saves = "out"
    fn = staticmethod(np.expm1)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Exp2(_Unary, Op):
    """z = 2ˣ;  dz/dx = z ln 2"""

    saves = "out"
    fn = staticmethod(np.exp2)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (out * _LN2)


class Asin(_Unary, Op):
    """z = asin x;  dz/dx = 1/√(1 - x²)"""

    fn = staticmethod(np.arcsin)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (1 - x * x) ** -0.5


class Acos(_Unary, Op):
    """z = acos x;  dz/dx = -1/√(1 - x²)"""

    fn = staticmethod(np.arccos)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -g * (1 - x * x) ** -0.5


class Atan(_Unary, Op):
    """z = atan x;  dz/dx = 1/(1 + x²)"""

    fn = staticmethod(np.arctan)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x * x + 1)


class Sinh(_Unary, Op):
    """z = sinh x;  dz/dx = cosh x"""

    fn = staticmethod(np.sinh)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _call(x, np.cosh, "cosh")


class Cosh(_Unary, Op):
    """z = cosh x;  dz/dx = sinh x"""

    fn = staticmethod(np.cosh)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _call(x, np.sinh, "sinh")


class Asinh(_Unary, Op):
    """z = asinh x;  dz/dx = 1/√(x² + 1)"""

    fn = staticmethod(np.arcsinh)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (x * x + 1) ** -0.5


class Acosh(_Unary, Op):
    """z = acosh x;  dz/dx = 1/√(x² - 1)"""

    fn = staticmethod(np.arccosh)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (x * x - 1) ** -0.5


class Atanh(_Unary, Op):
    """z = atanh x;  dz/dx = 1/(1 - x²)"""

    fn = staticmethod(np.arctanh)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (1 - x * x)


class Erf(_Unary, Op):
    """z = erf x = (2/√π) ∫₀ˣ e^(-t²) dt;  dz/dx = (2/√π) e^(-x²)"""

    fn = staticmethod(erf)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (_xp.exp(-(x * x)) * _TWO_OVER_SQRT_PI)


class Reciprocal(_Unary, Op):
    """z = 1/x;  dz/dx = -z²"""

    saves = "out"
    fn = staticmethod(np.reciprocal)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return -g * (out * out)


class Rsqrt(_Unary, Op):
    """z = 1/√x;  dz/dx = -z³/2"""

    saves = "out"
    fn = staticmethod(lambda x: 1 / np.sqrt(x))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (out * out * out * -0.5)


class _Rounding:
    """A piecewise-constant Op (``fn``): its derivative is 0 wherever it exists, as PyTorch takes it (a mixin)."""

    fn: Any = None

    @classmethod
    def forward(cls, ctx: Any, x: Any) -> np.ndarray:
        return cls.fn(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _zero_grad(g)


class Ceil(_Rounding, Op):
    """z = ⌈x⌉;  dz/dx = 0"""

    fn = staticmethod(np.ceil)


class Floor(_Rounding, Op):
    """z = ⌊x⌋;  dz/dx = 0"""

    fn = staticmethod(np.floor)


class Trunc(_Rounding, Op):
    """z = x rounded toward 0;  dz/dx = 0"""

    fn = staticmethod(np.trunc)


class Sgn(_Rounding, Op):
    """z = sgn x (sign of a real number, 0 at 0 and NaN);  dz/dx = 0"""

    fn = staticmethod(_xp.sign)


class Round(Op):
    """z = x rounded to ``decimals`` places, halves to even;  dz/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any, decimals: int = 0) -> np.ndarray:
        if decimals:
            ctx.torch_name = "RoundBackward1"  # PyTorch's round(decimals=) overload
        return np.round(x, decimals)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _zero_grad(g)


class Frac(Op):
    """z = x - trunc x;  dz/dx = 1"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


class Atan2(Op):
    """z = atan2(y, x) (the angle of the point (x, y));  dz/dy = x/(x² + y²), dz/dx = -y/(x² + y²)"""

    @staticmethod
    def forward(ctx: Any, y: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(y, x)
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        y, x = ctx.saved_tensors
        need_y, need_x = ctx.needs_input_grad
        scale = g / (x * x + y * y)
        return (scale * x if need_y else None), (-scale * y if need_x else None)


class Hypot(Op):
    """z = √(x² + y²);  dz/dx = x/z, dz/dy = y/z"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> np.ndarray:
        out = np.hypot(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        scale = g / out
        return (scale * x if need_x else None), (scale * y if need_y else None)


def _check_integer_divisor(x: Any, y: Any) -> None:
    if np.asarray(x).dtype.kind in "iub" and np.asarray(y).dtype.kind in "iub" and np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")  # PyTorch's message for an integer division by zero


class _Division:
    """Mixin of Fmod and Remainder: z = x - y·round(x/y) for a rounding of the quotient;  dz/dx = 1,
    dz/dy = -round(x/y)"""

    rounding: Any = None  # np.trunc (fmod) or np.floor (remainder)
    result: Any = None  # np.fmod or np.remainder

    @classmethod
    def forward(cls, ctx: Any, x: Any, y: Any) -> np.ndarray:
        _check_integer_divisor(x, y)
        if type(y) is not np.ndarray:  # PyTorch's (Tensor, Scalar) overload
            ctx.torch_name = cls.torch_name[:-1] + "0"
        with np.errstate(divide="ignore", invalid="ignore"):
            ctx.quotient = cls.rounding(np.divide(x, y))
            return cls.result(x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        need_x, need_y = ctx.needs_input_grad
        return (g if need_x else None), (-g * ctx.quotient if need_y else None)


class Fmod(_Division, Op):
    """z = x - y·trunc(x/y) (C's fmod: the sign of x);  dz/dx = 1, dz/dy = -trunc(x/y)"""

    torch_name = "FmodBackward1"
    rounding, result = staticmethod(np.trunc), staticmethod(np.fmod)


class Remainder(_Division, Op):
    """z = x - y·⌊x/y⌋ (Python's %: the sign of y);  dz/dx = 1, dz/dy = -⌊x/y⌋"""

    torch_name = "RemainderBackward1"
    rounding, result = staticmethod(np.floor), staticmethod(np.remainder)


class Lerp(Op):
    """z = x + w·(e - x);  dz/dx = 1 - w, dz/de = w, dz/dw = e - x (w a number or a tensor)"""

    torch_name = "LerpBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, end: Any, weight: Any) -> np.ndarray:
        if type(weight) is not np.ndarray:
            ctx.torch_name = "LerpBackward0"  # PyTorch's lerp(Scalar weight) overload
        ctx.save_for_backward(x, end, weight)
        return x + weight * (end - x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, end, w = ctx.saved_tensors
        need_x, need_end, need_w = ctx.needs_input_grad
        return (g * (1 - w) if need_x else None), (g * w if need_end else None), (g * (end - x) if need_w else None)
