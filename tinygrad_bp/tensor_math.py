"""Tensor arithmetic, comparisons, elementwise math and reductions: PyTorch's operand rules (type promotion,
dims, error messages), then one ``Op.apply`` from ``tinygrad_bp/ops``. Attached to Tensor by ``tensor.py``."""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from . import dtypes
from . import ops as _ops
from .dtypes import type_name as _type_name
from .ops.elementwise import Add as _Add
from .ops.elementwise import Div as _Div
from .ops.elementwise import Mul as _Mul
from .ops.elementwise import Sub as _Sub
from .tensor import Tensor, _as_tensor, _broadcast_message, _data, _dim, _make, _rank, _Scalar, attach


class _Math:
    """Holds the methods until ``attach`` copies them onto Tensor."""

    def __add__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other._array.dtype is self._array.dtype:  # fast path: nothing to promote
            return _Add.apply(self, other)
        return _binary(_Add, self, other, "add")

    def __radd__(self, other: Any) -> Tensor:
        return _binary(_Add, self, other, "add", reverse=True)

    def __sub__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other._array.dtype is self._array.dtype and self._array.dtype.kind == "f":
            return _Sub.apply(self, other)
        return _binary(_Sub, self, other, "sub")

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(_Sub, self, other, "sub", reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other._array.dtype is self._array.dtype:  # fast path: nothing to promote
            return _Mul.apply(self, other)
        return _binary(_Mul, self, other, "mul")

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(_Mul, self, other, "mul", reverse=True)

    def __truediv__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other._array.dtype is self._array.dtype and self._array.dtype.kind == "f":
            return _Div.apply(self, other)
        return _binary(_Div, self, other, "div")

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(_Div, self, other, "div", reverse=True)

    def __pow__(self, other: Any) -> Tensor:
        if self._array.dtype == dtypes.bool and (isinstance(other, Tensor) and other._array.dtype == dtypes.bool):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        if isinstance(other, builtins.int) and not isinstance(other, builtins.bool) and other < 0 \
                and self._array.dtype.kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _binary(_ops.elementwise.Pow, self, other, "pow")

    def __rpow__(self, other: Any) -> Tensor:
        return _binary(_ops.elementwise.Pow, self, other, "pow", reverse=True)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(_as_tensor(other), self)

    def __neg__(self) -> Tensor:
        if self._array.dtype == dtypes.bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return _ops.elementwise.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """self + alpha·other."""
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """self - alpha·other."""
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        """self · other."""
        return self * other

    def div(self, other: Any) -> Tensor:
        """self / other."""
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return self ** exponent

    def matmul(self, other: Any) -> Tensor:
        """self @ other."""
        return matmul(self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(np.greater_equal, self, other)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """True where every element (over dim) is nonzero; a bool tensor, not differentiable."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "all")
        return _make(np.all(self._array, axis=axis, keepdims=keepdim))

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """True where some element (over dim) is nonzero; a bool tensor, not differentiable."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "any")
        return _make(np.any(self._array, axis=axis, keepdims=keepdim))

    def eq(self, other: Any) -> Tensor:
        """Elementwise equality (a bool tensor)."""
        return self == other

    def abs(self) -> Tensor:
        """|x|;  d/dx = sign x."""
        if self._array.dtype == dtypes.bool:
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        return _ops.elementwise.Abs.apply(self)

    def sign(self) -> Tensor:
        """sign x (-1, 0 or 1);  d/dx = 0."""
        return self.clone() if self._array.dtype == dtypes.bool else _ops.elementwise.Sign.apply(self)

    def relu(self) -> Tensor:
        """max(x, 0);  d/dx = 1 where x > 0."""
        if self._array.dtype == dtypes.bool:
            raise RuntimeError("Boolean inputs not supported for relu")
        return _ops.elementwise.Relu.apply(self)

    def square(self) -> Tensor:
        """x²;  d/dx = 2x (a bool tensor squares to int64, as in PyTorch)."""
        return self ** 2

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        """Limit values to [min, max]; the gradient passes where min ≤ x ≤ max."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _clamp_bounds(self, min, max)
        x = self
        if x._array.dtype.kind != "f" and any(isinstance(v, builtins.float) for v in (min, max)):
            x = x.to(dtypes.get_default_dtype())
        return _ops.elementwise.Clamp.apply(x, min=min, max=max)

    clip = clamp

    def where(self, condition: Any, other: Any) -> Tensor:
        """``where(condition, self, other)``: self where condition is true, else other."""
        return where(condition, self, other)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max with other."""
        return maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min with other."""
        return minimum(self, other)

    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
            keepdims: builtins.bool | None = None, dtype: Any = None) -> Tensor:
        """Σ over ``dim`` (int, tuple or None for all); bool and int tensors sum to int64."""
        axis, keepdim = _reduce_args(self, dim, axis, keepdim, keepdims, "sum")
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind in "bi" and x._array.dtype != dtypes.int64:
            x = x.to(dtypes.int64)
        return _ops.reduce.Sum.apply(x, axis=axis, keepdims=keepdim)

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
             keepdims: builtins.bool | None = None, dtype: Any = None) -> Tensor:
        """(1/n) Σ over ``dim``; needs a floating-point tensor, as in PyTorch."""
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                               f"or complex dtype. Got: {_type_name(x._array.dtype)}")
        axis, keepdim = _reduce_args(self, dim, axis, keepdim, keepdims, "mean")
        return _ops.reduce.Mean.apply(x, axis=axis, keepdims=keepdim)

    def var(self, dim: Any = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
            correction: Any = None) -> Tensor:
        """Σ (x - mean)² / (n - correction); unbiased (correction=1) by default."""
        if isinstance(dim, builtins.bool):  # var(unbiased) in PyTorch's old positional form
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        return _var(self, dim, keepdim, correction, "var")

    def std(self, dim: Any = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
            correction: Any = None) -> Tensor:
        """√var (unbiased by default)."""
        if isinstance(dim, builtins.bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        return _var(self, dim, keepdim, correction, "std")

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """Largest value; with ``dim`` the named tuple (values, indices); with a tensor, ``maximum``."""
        return _extreme(self, dim, keepdim, np.max, np.argmax, maximum, "max")

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """Smallest value; with ``dim`` the named tuple (values, indices); with a tensor, ``minimum``."""
        return _extreme(self, dim, keepdim, np.min, np.argmin, minimum, "min")

    def amax(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """The largest values over dim (ties share the gradient)."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "amax")
        _check_reducible(self, axis, "amax")
        return _ops.reduce.Amax.apply(self, axis=axis, keepdims=keepdim, fn=np.max)

    def amin(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """The smallest values over dim (ties share the gradient)."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "amin")
        _check_reducible(self, axis, "amin")
        return _ops.reduce.Amax.apply(self, axis=axis, keepdims=keepdim, fn=np.min, name="AminBackward0")

    def argmax(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the largest value (flattened when dim is None); not differentiable."""
        return _arg_extreme(self, dim, keepdim, np.argmax)

    def argmin(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the smallest value (flattened when dim is None); not differentiable."""
        return _arg_extreme(self, dim, keepdim, np.argmin)

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Tensor:
        """log Σ eˣ over dim, computed stably (the max is subtracted first)."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "logsumexp")
        return _ops.reduce.LogSumExp.apply(_floating(self), axis=axis, keepdims=keepdim)

    def softmax(self, dim: builtins.int) -> Tensor:
        """eˣ / Σ eˣ along dim."""
        axis = _dim(dim, self.ndim, "softmax")
        return _ops.reduce.Softmax.apply(_float_only(self, "softmax"), axis=axis)

    def log_softmax(self, dim: builtins.int) -> Tensor:
        """x - logsumexp(x) along dim."""
        axis = _dim(dim, self.ndim, "log_softmax")
        return _ops.reduce.LogSoftmax.apply(_float_only(self, "log_softmax"), axis=axis)


# name -> (Op class in ops.elementwise, what it computes and its derivative); int and bool inputs become floats
_FLOAT_UNARY = {
    "exp": ("Exp", "eˣ;  d/dx = eˣ."), "log": ("Log", "ln x;  d/dx = 1/x."), "sqrt": ("Sqrt", "√x;  d/dx = 1/(2√x)."),
    "sin": ("Sin", "sin x;  d/dx = cos x."), "cos": ("Cos", "cos x;  d/dx = -sin x."),
    "tanh": ("Tanh", "tanh x;  d/dx = 1 - tanh² x."), "sigmoid": ("Sigmoid", "σ(x) = 1/(1+e⁻ˣ);  d/dx = σ(1-σ)."),
    # ops/pointwise.py
    "log10": ("Log10", "log₁₀ x;  d/dx = 1/(x ln 10)."), "log2": ("Log2", "log₂ x;  d/dx = 1/(x ln 2)."),
    "log1p": ("Log1p", "ln(1 + x), exact for small x;  d/dx = 1/(1 + x)."),
    "expm1": ("Expm1", "eˣ - 1, exact for small x;  d/dx = eˣ."), "exp2": ("Exp2", "2ˣ;  d/dx = 2ˣ ln 2."),
    "asin": ("Asin", "asin x;  d/dx = 1/√(1 - x²)."), "acos": ("Acos", "acos x;  d/dx = -1/√(1 - x²)."),
    "atan": ("Atan", "atan x;  d/dx = 1/(1 + x²)."), "sinh": ("Sinh", "sinh x;  d/dx = cosh x."),
    "cosh": ("Cosh", "cosh x;  d/dx = sinh x."), "asinh": ("Asinh", "asinh x;  d/dx = 1/√(x² + 1)."),
    "acosh": ("Acosh", "acosh x (x ≥ 1);  d/dx = 1/√(x² - 1)."), "atanh": ("Atanh", "atanh x;  d/dx = 1/(1 - x²)."),
    "erf": ("Erf", "the error function (2/√π) ∫₀ˣ e^(-t²) dt;  d/dx = (2/√π) e^(-x²)."),
    "reciprocal": ("Reciprocal", "1/x;  d/dx = -1/x²."), "rsqrt": ("Rsqrt", "1/√x;  d/dx = -1/(2 x^(3/2))."),
}


def _float_unary(name: str, op: Any, doc: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return op.apply(self if self._array.dtype.kind == "f" else self.to(dtypes.get_default_dtype()))

    method.__name__, method.__doc__ = name, doc
    return method


for _name, (_op, _doc) in _FLOAT_UNARY.items():
    setattr(_Math, _name, _float_unary(_name, getattr(_ops.elementwise, _op, None) or getattr(_ops.pointwise, _op),
                                       _doc))


def _binary(op: Any, a: Tensor, b: Any, name: str, reverse: builtins.bool = False) -> Tensor:
    """Apply a binary primitive after PyTorch's type promotion; ``reverse`` computes ``b op a``."""
    ad = a._array
    if op is _Sub and isinstance(b, Tensor) and (ad.dtype == dtypes.bool) != (b._array.dtype == dtypes.bool):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if isinstance(b, Tensor):
        bd = b._array
        if ad.dtype != bd.dtype:
            dt = dtypes.result_type((ad.dtype, _rank(a)), (bd.dtype, _rank(b)))
            a, b = a.to(dt), b.to(dt)
    elif isinstance(b, _Scalar):
        if isinstance(b, np.generic):
            b = b.item()
        kind = ad.dtype.kind
        if not (kind == "f" or (kind in "iu" and not isinstance(b, builtins.float))
                or (kind == "b" and isinstance(b, builtins.bool))):
            a = a.to(dtypes.result_type((ad.dtype, _rank(a)), (dtypes.scalar_dtype(b), 0)))
    elif isinstance(b, np.ndarray):
        return _binary(op, a, _make(b), name, reverse)
    else:
        return NotImplemented
    if op is _Div and a._array.dtype.kind != "f":  # true division of ints gives floats
        fdt = dtypes.get_default_dtype()
        a = a.to(fdt)
        b = b.to(fdt) if isinstance(b, Tensor) else b
    elif op is _Sub and a._array.dtype == dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return op.apply(b, a) if reverse else op.apply(a, b)


def _compare(fn: Any, a: Tensor, b: Any) -> Tensor:
    bd = b._array if isinstance(b, Tensor) else b
    try:
        return _make(fn(a._array, bd))
    except ValueError as e:
        raise RuntimeError(_broadcast_message(fn.__name__, a.shape, np.shape(bd))) from e


def _floating(t: Tensor) -> Tensor:
    """Int and bool tensors are converted to the default float dtype by float-valued functions."""
    return t if t._array.dtype.kind == "f" else t.to(dtypes.get_default_dtype())


def _float_only(t: Tensor, op: str) -> Tensor:
    """``t`` if it is floating point; PyTorch's NotImplementedError for an op with no integer kernel."""
    if t._array.dtype.kind != "f":
        raise NotImplementedError(f'"{op}_lastdim_kernel_impl" not implemented for \'{_type_name(t._array.dtype)}\'')
    return t


def _reduce_args(t: Tensor, dim: Any, axis: Any, keepdim: Any, keepdims: Any, op: str) -> tuple:
    """Normalise dim/axis (int, tuple or None) to a sorted tuple of non-negative dims, or None."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, builtins.bool(keepdim)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = tuple(sorted({_dim(d, t.ndim, op) for d in dims}))  # a 0-d tensor takes dim 0 or -1, as in PyTorch
    return (None if t.ndim == 0 else axes), builtins.bool(keepdim)


def _var(t: Tensor, dim: Any, keepdim: builtins.bool, correction: Any, op: str) -> Tensor:
    if t._array.dtype.kind != "f":
        raise RuntimeError(f"std and var only support floating point and complex dtypes (got {t.dtype})")
    axis, keepdim = _reduce_args(t, dim, None, keepdim, None, op)
    n = t._array.size if axis is None else builtins.int(np.prod([t.shape[a] for a in axis]))
    if n - correction <= 0:
        import warnings

        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                      "factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    op_class = _ops.reduce.Var if op == "var" else _ops.reduce.Std
    return op_class.apply(t, axis=axis, keepdims=keepdim, correction=correction)


class MaxResult(NamedTuple):
    """What ``x.max(dim)`` / ``x.min(dim)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


def _check_reducible(t: Tensor, axis: Any, op: str) -> None:
    """PyTorch's errors for a max/min-like reduction of an empty tensor (``axis``: None, int or tuple)."""
    if t._array.size:
        return
    if axis is None:
        if op in ("argmax", "argmin"):  # PyTorch's type and wording differ for these two
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for a in (axis if isinstance(axis, tuple) else (axis,)):
        if t.ndim and t.shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def _extreme(t: Tensor, dim: Any, keepdim: builtins.bool, fn: Any, arg: Any, pairwise: Any, op: str) -> Any:
    if isinstance(dim, Tensor):
        return pairwise(t, dim)
    axis = None if dim is None else _dim(dim, t.ndim, op)
    _check_reducible(t, axis, op)
    if dim is None:
        return _ops.reduce.Amax.apply(t, axis=None, keepdims=False, fn=fn, name=f"{op.capitalize()}Backward1")
    if t.ndim == 0:
        return MaxResult(t, _make(np.zeros((), np.int64)))
    values = _ops.reduce.MaxAlongDim.apply(t, axis=axis, keepdims=keepdim, arg=arg)
    idx = arg(t._array, axis=axis, keepdims=keepdim)
    return MaxResult(values, _make(idx.astype(np.int64, copy=False)))


def _arg_extreme(t: Tensor, dim: Any, keepdim: builtins.bool, arg: Any) -> Tensor:
    if t._array.dtype == dtypes.bool:
        raise RuntimeError(f"{arg.__name__}(): does not support bool input")
    _check_reducible(t, None if dim is None else _dim(dim, t.ndim, arg.__name__), arg.__name__)
    if dim is None:
        out = arg(t._array)
        return _make(np.asarray(out, np.int64).reshape((1,) * t.ndim if keepdim else ()))
    return _make(arg(t._array, axis=_dim(dim, t.ndim, arg.__name__), keepdims=keepdim).astype(np.int64, copy=False))


def matmul(input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's names
    """Matrix product with NumPy/PyTorch semantics (1-D operands, broadcast batch dims)."""
    a, b = _as_tensor(input), _as_tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                           f"{b.ndim}D")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}")
    if a._array.dtype == dtypes.bool:  # PyTorch checks a dot product's dtype; a matrix product's only when it runs
        if a.ndim == b.ndim == 1:
            raise NotImplementedError('"dot" not implemented for \'Bool\'')
        if a._array.size and b._array.size:
            raise NotImplementedError('"addmm_impl_cpu_" not implemented for \'Bool\'')
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        raise RuntimeError(f"matmul: mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, a.shape))} and "
                           f"{'x'.join(map(str, b.shape))}): the last dim of the first must equal the "
                           f"{'first' if b.ndim == 1 else 'second-to-last'} dim of the second")
    try:
        return _ops.matmul.MatMul.apply(a, b)
    except ValueError as e:
        raise RuntimeError(f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be broadcast") from e


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """Elementwise choice: ``input`` where condition is true, else ``other``."""
    cond = _data(condition)
    if not (isinstance(cond, np.ndarray) and cond.dtype == np.bool_):
        cond = np.asarray(cond)
        if cond.dtype != np.bool_:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{_type_name(cond.dtype)}")
    x, y = _promote(input, other)
    try:
        return _ops.elementwise.Where.apply(cond, x, y)
    except ValueError as e:
        raise RuntimeError(f"where: condition {np.shape(cond)}, input {x.shape} and other {y.shape} cannot be "
                           "broadcast together") from e


def _floor_divide(a: Any, b: Any) -> Tensor:
    x, y = _promote(a, b)
    _ops.pointwise._check_integer_divisor(x._array, y._array)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _make(np.floor_divide(x._array, y._array))
    except ValueError as e:
        raise RuntimeError(_broadcast_message("floor_divide", x.shape, y.shape)) from e


def _promote(*values: Any) -> list:
    """The values (Tensors, arrays, numbers; None stays None) as Tensors of their PyTorch result type."""
    ts = [None if v is None else _as_tensor(v) for v in values]
    ranks = [_rank(v) if isinstance(v, Tensor) else (2 if isinstance(v, np.ndarray) and v.ndim else 0) for v in values]
    dt = dtypes.result_type(*[(t._array.dtype, r) for t, r in zip(ts, ranks) if t is not None])
    return [t if t is None or t._array.dtype == dt else t.to(dt) for t in ts]


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise max; on ties the gradient is split evenly."""
    a, b = _promote(input, other)
    return _broadcasting("maximum", _ops.elementwise.Maximum, a, b)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise min; on ties the gradient is split evenly."""
    a, b = _promote(input, other)
    return _broadcasting("minimum", _ops.elementwise.Minimum, a, b)


def _clamp_bounds(x: Tensor, lo: Any, hi: Any) -> Tensor:
    """clamp with tensor bounds: one op, promoted to a common dtype (ties give the gradient to x)."""
    parts = _promote(x, lo, hi)
    try:
        return _ops.elementwise.ClampBounds.apply(*parts)
    except ValueError as e:
        raise RuntimeError(f"clamp: input {x.shape}, min {None if parts[1] is None else parts[1].shape} and max "
                           f"{None if parts[2] is None else parts[2].shape} cannot be broadcast together") from e


def _broadcasting(name: str, op: Any, a: Tensor, b: Tensor) -> Tensor:
    try:
        return op.apply(a, b)
    except ValueError as e:
        raise RuntimeError(_broadcast_message(name, a.shape, b.shape)) from e


attach(_Math)


# ----------------------------------------------------------------------------- issue 12: more pointwise math
def _rounding(name: str, op: Any, doc: str) -> Any:
    def method(self: Tensor) -> Tensor:
        kind = self._array.dtype.kind
        if kind == "b":
            raise NotImplementedError(f'"{name}_vml_cpu" not implemented for \'Bool\'')
        return op.apply(self) if kind == "f" else self.clone()  # integers are already whole: a copy, as PyTorch

    method.__name__, method.__doc__ = name, doc
    return method


def _check_tensor(value: Any, op: str, arg: str = "other", position: int = 1) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not {type(value).__name__}")


def _binary_method(op: Any, a: Tensor, b: Any, name: str, reverse: builtins.bool = False) -> Tensor:
    """_binary for a named method: a TypeError (not NotImplemented) for an operand of the wrong type."""
    out = _binary(op, a, b, name, reverse)
    if out is NotImplemented:
        raise TypeError(f"{name}(): argument 'other' must be a Tensor or a number, not {type(b).__name__}")
    return out


def _no_bool(a: Tensor, b: Any, op: str) -> None:
    if a._array.dtype == dtypes.bool and (isinstance(b, builtins.bool) or isinstance(b, Tensor)
                                          and b._array.dtype == dtypes.bool):
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'Bool\'')


def _bitwise(fn: Any, name: str, a: Any, b: Any) -> Tensor:
    """PyTorch's bitwise ops: bool and integer tensors (promoted together), logical on bools."""
    x, y = _promote(a, b)
    if x._array.dtype.kind == "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_type_name(x._array.dtype)}\'')
    try:
        return _make(fn(x._array, y._array))
    except ValueError as e:
        raise RuntimeError(_broadcast_message(name, x.shape, y.shape)) from e


class _Pointwise:
    """Holds the methods until ``attach`` copies them onto Tensor."""

    def neg(self) -> Tensor:
        """-x;  d/dx = -1."""
        return -self

    def round(self, decimals: builtins.int = 0) -> Tensor:  # type: ignore[override]
        """x rounded to ``decimals`` places, halves to even (as PyTorch and NumPy);  d/dx = 0."""
        kind = self._array.dtype.kind
        if kind != "f":
            if kind == "b" or decimals:
                raise NotImplementedError(f'"round_cpu" not implemented for \'{_type_name(self._array.dtype)}\'')
            return self.clone()
        return _ops.pointwise.Round.apply(self, decimals=decimals)

    def frac(self) -> Tensor:
        """x - trunc(x), the fractional part with x's sign;  d/dx = 1."""
        if self._array.dtype.kind != "f":
            raise NotImplementedError(f'"frac_cpu" not implemented for \'{_type_name(self._array.dtype)}\'')
        return _ops.pointwise.Frac.apply(self)

    def sgn(self) -> Tensor:
        """The sign of x (for real tensors the same as ``sign``);  d/dx = 0."""
        return self.clone() if self._array.dtype == dtypes.bool else _ops.pointwise.Sgn.apply(self)

    def atan2(self, other: Tensor) -> Tensor:
        """atan2(self, other): the angle of the point (other, self), in (-π, π];  d/dself = other/(self² + other²),
        d/dother = -self/(self² + other²)."""
        _check_tensor(other, "atan2")
        a, b = (_floating(t) for t in _promote(self, other))
        return _broadcasting("atan2", _ops.pointwise.Atan2, a, b)

    def hypot(self, other: Tensor) -> Tensor:
        """√(self² + other²);  d/dself = self/z, d/dother = other/z."""
        _check_tensor(other, "hypot")
        a, b = _promote(self, other)
        if a._array.dtype.kind != "f":
            raise NotImplementedError(f'"hypot_cpu" not implemented for \'{_type_name(a._array.dtype)}\'')
        return _broadcasting("hypot", _ops.pointwise.Hypot, a, b)

    def fmod(self, other: Any) -> Tensor:
        """self - other·trunc(self/other): the remainder with the sign of self (C's fmod);  d/dself = 1,
        d/dother = -trunc(self/other). Integer division by zero raises, as in PyTorch."""
        _no_bool(self, other, "fmod")
        return _binary_method(_ops.pointwise.Fmod, self, other, "fmod")

    def remainder(self, other: Any) -> Tensor:
        """self - other·⌊self/other⌋: the remainder with the sign of other (Python's ``%``);  d/dself = 1,
        d/dother = -⌊self/other⌋."""
        _no_bool(self, other, "remainder")
        return _binary_method(_ops.pointwise.Remainder, self, other, "remainder")

    def __floordiv__(self, other: Any) -> Tensor:
        return _floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _floor_divide(other, self)

    def floor_divide(self, other: Any) -> Tensor:
        """⌊self / other⌋ elementwise (rounding toward -∞, as ``//``); not differentiable, as in PyTorch."""
        return _floor_divide(self, other)

    def __mod__(self, other: Any) -> Tensor:
        return _binary(_ops.pointwise.Remainder, self, other, "remainder")

    def __rmod__(self, other: Any) -> Tensor:
        return _binary(_ops.pointwise.Remainder, self, other, "remainder", reverse=True)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """self + weight·(end - self) (weight a number or a tensor);  d/dself = 1 - weight, d/dend = weight,
        d/dweight = end - self. All tensors must have one floating dtype, as in PyTorch."""
        _check_tensor(end, "lerp", "end")
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        if self._array.dtype.kind != "f":
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(self._array.dtype)}\'')
        for arg, value in (("end", end), ("weight", weight)):
            if isinstance(value, Tensor) and value._array.dtype != self._array.dtype:
                raise RuntimeError(f"lerp: expected dtype {dtypes.c_type_name(self._array.dtype)} for `{arg}` but got "
                                   f"dtype {dtypes.c_type_name(value._array.dtype)}")
        w = weight if isinstance(weight, Tensor) else builtins.float(_data(weight))
        try:
            return _ops.pointwise.Lerp.apply(self, end, w)
        except (ValueError, RuntimeError) as e:
            shapes = f"self {tuple(self.shape)}, end {tuple(end.shape)}, weight {tuple(np.shape(_data(weight)))}"
            raise RuntimeError(f"lerp: {shapes} cannot be broadcast together") from e

    # logic on bool and integer tensors (not differentiable)
    def bitwise_and(self, other: Any) -> Tensor:
        """Elementwise AND of bool or integer tensors (``&``)."""
        return _bitwise(np.bitwise_and, "bitwise_and", self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        """Elementwise OR of bool or integer tensors (``|``)."""
        return _bitwise(np.bitwise_or, "bitwise_or", self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        """Elementwise XOR of bool or integer tensors (``^``)."""
        return _bitwise(np.bitwise_xor, "bitwise_xor", self, other)

    def bitwise_not(self) -> Tensor:
        """Elementwise NOT: ``~x`` (logical for bool, two's complement for integers)."""
        if self._array.dtype.kind == "f":
            raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{_type_name(self._array.dtype)}\'')
        return _make(np.invert(self._array))

    def __and__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_and, "bitwise_and", self, other)

    def __rand__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_and, "bitwise_and", other, self)

    def __or__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_or, "bitwise_or", self, other)

    def __ror__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_or, "bitwise_or", other, self)

    def __xor__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_xor, "bitwise_xor", self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return _bitwise(np.bitwise_xor, "bitwise_xor", other, self)

    def __invert__(self) -> Tensor:
        if self._array.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return _make(np.invert(self._array))

    # comparisons that answer for the whole tensor
    def equal(self, other: Tensor) -> builtins.bool:
        """True if both tensors have the same shape and the same values (NaN is never equal)."""
        _check_tensor(other, "equal")
        return self.shape == other.shape and builtins.bool(np.array_equal(self._array, other._array))

    def isclose(self, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
                equal_nan: builtins.bool = False) -> Tensor:
        """|self - other| ≤ atol + rtol·|other| elementwise (a bool tensor); NaNs match only with ``equal_nan``."""
        _check_tensor(other, "isclose")
        a, b = self._array, other._array
        if a.dtype != b.dtype:
            raise RuntimeError(f"isclose: {_type_name(a.dtype)} did not match {_type_name(b.dtype)} (both tensors "
                               "must have the same dtype)")
        for name, value in (("rtol", rtol), ("atol", atol)):
            if value < 0:
                raise RuntimeError(f"isclose: {name} must be greater than or equal to zero, but got {value}")
        try:
            if a.dtype == np.bool_:
                return _make(np.equal(a, b))
            return _make(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
        except ValueError as e:
            raise RuntimeError(_broadcast_message("isclose", a.shape, b.shape)) from e

    def allclose(self, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
                 equal_nan: builtins.bool = False) -> builtins.bool:
        """True if ``isclose`` holds everywhere."""
        return builtins.bool(np.all(self.isclose(other, rtol, atol, equal_nan)._array))


for _name, _doc in {"ceil": "⌈x⌉ (integers unchanged);  d/dx = 0.", "floor": "⌊x⌋ (integers unchanged);  d/dx = 0.",
                    "trunc": "x rounded toward 0 (integers unchanged);  d/dx = 0."}.items():
    setattr(_Pointwise, _name, _rounding(_name, getattr(_ops.pointwise, _name.capitalize()), _doc))


attach(_Pointwise)


# ----------------------------------------------------------------------------- reductions, sorting, counting
class AminmaxResult(NamedTuple):
    """What ``aminmax`` returns, as in PyTorch."""

    min: Tensor
    max: Tensor


class SortResult(NamedTuple):
    """What ``sort`` returns, as in PyTorch."""

    values: Tensor
    indices: Tensor


class TopkResult(NamedTuple):
    """What ``topk`` returns, as in PyTorch."""

    values: Tensor
    indices: Tensor


class MedianResult(NamedTuple):
    """What ``median(dim)`` returns, as in PyTorch."""

    values: Tensor
    indices: Tensor


class HistogramResult(NamedTuple):
    """What ``histogram`` returns, as in PyTorch."""

    hist: Tensor
    bin_edges: Tensor


def _int64_if_integral(t: Tensor, dtype: Any) -> Tensor:
    """prod / cumsum / cumprod: ``dtype`` if given, else bool and integer tensors become int64 (PyTorch's rule)."""
    if dtype is not None:
        return t.to(dtype)
    return t.to(dtypes.int64) if t._array.dtype.kind in "biu" and t._array.dtype != dtypes.int64 else t


def _norm_order(p: Any, op: str) -> builtins.float:
    """The p of a vector norm: None and 'fro' are 2; PyTorch's errors for anything else that is not a number."""
    if p is None or (isinstance(p, str) and p == "fro"):
        return 2.0
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError(f"{op}: p='nuc' (the nuclear norm, a sum of singular values) is not supported "
                                      "by tinygrad_bp; vector norms (p = a number, 'fro', inf, -inf) are")
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported. ({op}: p must be a number, 'fro' or 'nuc')")
    if isinstance(p, builtins.bool) or not isinstance(p, (builtins.int, builtins.float, np.number)):
        raise TypeError(f"{op}(): argument 'p' must be a number or a string, not {type(p).__name__}")
    return builtins.float(p)


def _lower_median(x: np.ndarray, axis: Any = None, keepdims: builtins.bool = False) -> np.ndarray:
    """The lower median of all elements (NaN if there is one), for ops.reduce.Amax."""
    flat = np.sort(x, axis=None)
    m = flat[(flat.size - 1) // 2] if not (flat.dtype.kind == "f" and np.isnan(flat[-1])) else flat[-1]
    return np.asarray(m).reshape((1,) * x.ndim if keepdims else ())


def _argsort(a: np.ndarray, axis: builtins.int, descending: builtins.bool) -> np.ndarray:
    """Stable argsort along axis; NaN counts as the largest value (last ascending, first descending), as in PyTorch."""
    if a.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    reverse = np.argsort(np.flip(a, axis), axis=axis, kind="stable")  # ties come out reversed, which flipping undoes
    return np.flip(a.shape[axis] - 1 - reverse, axis)


def _need_float(t: Tensor, message: str) -> None:
    if t._array.dtype.kind != "f":
        raise NotImplementedError(message.format(_type_name(t._array.dtype)))


class _Reductions:
    """Holds the methods until ``attach`` copies them onto Tensor."""

    def prod(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> Tensor:
        """Π over one dim (or all); bool and integer tensors give int64;  d/dxᵢ = Π_{j≠i} x_j (exact with zeros)."""
        if dim is not None and not isinstance(dim, (builtins.int, np.integer)):
            raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
        x = _int64_if_integral(self, dtype)
        if dim is None:
            return _ops.reduce.Prod.apply(x, axis=None, keepdims=False)
        axis = _dim(dim, x.ndim, "prod")
        if x.ndim == 0:  # a 0-d tensor takes dim 0 or -1: its product is itself
            return _ops.reduce.Prod.apply(x, axis=None, keepdims=False, by_dim=True)
        return _ops.reduce.Prod.apply(x, axis=axis, keepdims=builtins.bool(keepdim))

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running sums along dim: zᵢ = Σ_{j≤i} x_j;  dL/dxᵢ = Σ_{j≥i} g_j."""
        x = _int64_if_integral(self, dtype)
        return _ops.reduce.Cumsum.apply(x, axis=_dim(dim, x.ndim, "cumsum"))

    def cumprod(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running products along dim: zᵢ = Π_{j≤i} x_j (the gradient is exact with zeros)."""
        x = _int64_if_integral(self, dtype)
        return _ops.reduce.Cumprod.apply(x, axis=_dim(dim, x.ndim, "cumprod"))

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None) -> Tensor:
        """The vector p-norm (Σ |x|ᵖ)^(1/p) over ``dim`` (all elements by default): p = 2 or 'fro' (default), 1,
        inf (max |x|), -inf (min |x|), 0 (number of nonzeros) or any other number. 'nuc' is not supported."""
        order = _norm_order(p, "norm")
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                               f"{_type_name(x._array.dtype)}")
        axis, keepdim = _reduce_args(x, dim, None, keepdim, None, "norm")
        if order == -np.inf and (x._array.size == 0 or (axis is not None and any(x.shape[a] == 0 for a in axis))):
            raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an empty tensor because the "
                               "operation does not have an identity")
        return _ops.reduce.Norm.apply(x, p=order, axis=axis, keepdims=keepdim)

    def dist(self, other: Tensor, p: Any = 2) -> Tensor:
        """‖self - other‖ₚ over all elements (broadcasting)."""
        _check_tensor(other, "dist")
        a, b = _promote(self, other)
        if a._array.dtype.kind != "f":
            raise RuntimeError("norm(): input dtype should be either floating point or complex. Got "
                               f"{_type_name(a._array.dtype)} instead.")
        diff = _broadcasting("dist", _Sub, a, b)
        return _ops.reduce.Norm.apply(diff, p=_norm_order(p, "dist"), axis=None, keepdims=False, name="DistBackward0")

    def aminmax(self, *, dim: Any = None, keepdim: builtins.bool = False) -> AminmaxResult:
        """The named tuple (min, max) over dim (all elements by default); ties share the gradient."""
        if dim is not None and not isinstance(dim, (builtins.int, np.integer)):
            raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "aminmax")
        if self._array.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        return AminmaxResult(*(_ops.reduce.Amax.apply(self, axis=axis, keepdims=keepdim, fn=fn, name="AminmaxBackward0")
                               for fn in (np.min, np.max)))

    def median(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The lower median (of an even count, the smaller middle value). With ``dim``, the named tuple
        (values, indices); without, a 0-d tensor whose gradient is shared between equal elements."""
        if dim is None:
            if self._array.size == 0:
                return _make(np.asarray(np.nan, self._array.dtype if self._array.dtype.kind == "f"
                                        else dtypes.get_default_dtype()))
            return _ops.reduce.Amax.apply(self, axis=None, keepdims=False, fn=_lower_median, name="MedianBackward0")
        axis = _dim(dim, self.ndim, "median")
        if self.ndim and self.shape[axis] == 0:
            raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size.")
        a = self._array
        order = _argsort(a, axis, False)
        pick = np.take(order, [(a.shape[axis] - 1) // 2], axis=axis) if a.ndim else order
        values = _ops.sorting.TakeAlong.apply(self, indices=pick, axis=axis, keepdims=keepdim, name="MedianBackward1")
        return MedianResult(values, _make(pick if keepdim or not a.ndim else np.squeeze(pick, axis)))

    def sort(self, dim: builtins.int = -1, descending: builtins.bool = False, *, stable: builtins.bool | None = None
             ) -> SortResult:
        """The named tuple (values, indices) sorted along dim; ties keep their order (the sort is always
        stable); NaN sorts as the largest value. The gradient flows through the values."""
        axis = _dim(dim, self.ndim, "sort")
        order = _argsort(self._array, axis, descending)
        name = "SortBackward0" if stable is None else "SortBackward1"  # PyTorch's sort(stable=) overload
        values = _ops.sorting.TakeAlong.apply(self, indices=order, axis=axis, name=name)
        return SortResult(values, _make(order))

    def argsort(self, dim: builtins.int = -1, descending: builtins.bool = False, *, stable: builtins.bool = False
                ) -> Tensor:
        """The indices that sort the tensor along dim (int64, stable)."""
        return _make(_argsort(self._array, _dim(dim, self.ndim, "argsort"), descending))

    def topk(self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True,
             sorted: builtins.bool = True) -> TopkResult:  # noqa: A002 - PyTorch's name
        """The named tuple (values, indices) of the k largest (or smallest) elements along dim, in order
        (also with sorted=False). The gradient flows through the values."""
        axis = _dim(dim, self.ndim, "topk")
        n = self.shape[axis] if self.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError(f"selected index k out of range (topk: k = {k}, but dim {dim} has size {n})")
        order = _argsort(self._array, axis, largest)
        pick = np.take(order, np.arange(k), axis=axis) if self.ndim else order
        values = _ops.sorting.TakeAlong.apply(self, indices=pick, axis=axis, name="TopkBackward0")
        return TopkResult(values, _make(pick))

    def unique(self, sorted: builtins.bool = True, return_inverse: builtins.bool = False,  # noqa: A002
               return_counts: builtins.bool = False, dim: Any = None) -> Any:
        """The distinct values (of slices along ``dim`` if given), sorted (also with sorted=False, as PyTorch on
        the CPU); with ``return_inverse`` the index of each element's value, with ``return_counts`` how often
        each value occurs. A tensor, or a tuple of them. Not differentiable."""
        a = self._array
        if dim is None:
            values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
            inverse = inverse.reshape(a.shape)
        else:
            axis = _dim(dim, a.ndim, "unique")
            values, inverse, counts = np.unique(a, axis=axis, return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
        out = [_make(values)]
        if return_inverse:
            out.append(_make(inverse.astype(np.int64)))
        if return_counts:
            out.append(_make(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: Any = None, minlength: builtins.int = 0) -> Tensor:
        """How often each value 0, 1, ..., max occurs in a 1-D non-negative integer tensor (the sum of
        ``weights`` per value if given); at least ``minlength`` bins. Not differentiable."""
        a = self._array
        if a.dtype.kind not in "iu":
            raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_type_name(a.dtype)}\'')
        if a.ndim != 1 or (a.size and a.min() < 0):
            found = f"got {a.ndim}-D input" if a.ndim != 1 else f"got the value {a.min()}"
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs. ({found})")
        if minlength < 0:
            raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
        if weights is None:
            return _make(np.bincount(a, minlength=minlength).astype(np.int64))
        w = np.asarray(_data(weights))
        if w.ndim != 1 or w.shape[0] != a.shape[0]:
            raise RuntimeError(f"bincount: weights should be 1-d and have the same length as input (weights "
                               f"{tuple(w.shape)}, input {tuple(a.shape)})")
        out_dtype = w.dtype if w.dtype.kind == "f" else dtypes.float64
        return _make(np.bincount(a, weights=w, minlength=minlength).astype(out_dtype))

    def histc(self, bins: builtins.int = 100, min: Any = 0, max: Any = 0) -> Tensor:  # noqa: A002
        """Counts in ``bins`` equal-width bins over [min, max] (the data's range when min = max); values outside
        are ignored; the last bin includes max. Floating tensors only; not differentiable."""
        _need_float(self, '"histogram_cpu" not implemented for \'{}\'')
        if bins <= 0:
            raise RuntimeError(f"histc(): bins must be > 0, but got {bins}")
        lo, hi = builtins.float(min), builtins.float(max)
        if lo > hi:
            raise RuntimeError(f"torch.histc: max must be larger than min (histc got min {lo}, max {hi})")
        a = self._array
        if lo == hi and a.size:
            lo, hi = builtins.float(a.min()), builtins.float(a.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        counts, _ = np.histogram(a, bins=np.linspace(lo, hi, bins + 1))
        return _make(counts.astype(a.dtype))

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Any = None,  # noqa: A002
                  density: builtins.bool = False) -> HistogramResult:
        """The named tuple (hist, bin_edges): ``bins`` equal-width bins over ``range`` (the data's by default),
        or the given increasing edges (a 1-D tensor); each count is the sum of ``weight`` if given, and
        ``density`` divides by the total and the bin width. Floating tensors only; not differentiable."""
        _need_float(self, '"histogramdd" not implemented for \'{}\'')
        a = self._array
        if isinstance(bins, Tensor):
            edges = bins._array
            if edges.ndim != 1 or edges.size < 1 or edges.dtype != a.dtype:
                raise RuntimeError(f"histogram(): bins must be a 1-D tensor of at least one edge with the input's "
                                   f"dtype {a.dtype}, got shape {tuple(edges.shape)} and dtype {edges.dtype}")
        else:
            if builtins.int(bins) <= 0:
                raise RuntimeError(f"histogram(): bins must be > 0, but got {bins}")
            lo, hi = (builtins.float(v) for v in range) if range is not None else (
                (builtins.float(a.min()), builtins.float(a.max())) if a.size else (0.0, 0.0))
            if lo > hi:
                raise RuntimeError(f"histogram(): min should not exceed max, but got min {lo} max {hi}")
            if lo == hi:  # one value: PyTorch's bins then span value ± 0.5
                lo, hi = lo - 0.5, hi + 0.5
            edges = np.linspace(lo, hi, builtins.int(bins) + 1).astype(a.dtype)
        w = None if weight is None else np.asarray(_data(weight))
        if w is not None and w.shape != a.shape:
            raise RuntimeError(f"histogram(): weight should have the same shape as input, got {tuple(w.shape)} and "
                               f"{tuple(a.shape)}")
        try:
            hist, _ = np.histogram(a, bins=edges.astype(np.float64), weights=w, density=density)
        except ValueError as e:
            raise RuntimeError(f"histogram(): {e}") from e
        return HistogramResult(_make(hist.astype(a.dtype)), _make(edges.copy()))


attach(_Reductions)


# the methods that are also top-level functions (tb.exp(x), ...), and the functions that are not methods
FUNCTIONS = ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "clip", "pow", "sum",
             "mean", "softmax", "log_softmax", "max", "min", "argmax", "argmin", "eq",
             # issue 12: the other methods PyTorch also has as functions
             "add", "sub", "mul", "div", "neg", "sign", "square", "amax", "amin", "var", "std", "logsumexp", "all",
             "any", *_FLOAT_UNARY, "ceil", "floor", "round", "trunc", "frac", "sgn", "atan2", "hypot", "fmod",
             "remainder", "lerp", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "equal", "isclose",
             "allclose", "prod", "cumsum", "cumprod", "norm", "dist", "aminmax", "median", "sort", "argsort", "topk",
             "unique", "bincount", "histc", "histogram", "floor_divide")
FREE_FUNCTIONS = (matmul, maximum, minimum, where)
