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

    def __invert__(self) -> Tensor:
        if self._array.dtype.kind not in "biu":
            raise RuntimeError(f"bitwise_not: expected an integer or bool tensor, got {self.dtype}")
        return _make(~self._array)

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

    def __and__(self, other: Any) -> Tensor:
        return _compare(np.logical_and if self.dtype == dtypes.bool else np.bitwise_and, self, other)

    def __or__(self, other: Any) -> Tensor:
        return _compare(np.logical_or if self.dtype == dtypes.bool else np.bitwise_or, self, other)

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
}


def _float_unary(name: str, op: Any, doc: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return op.apply(self if self._array.dtype.kind == "f" else self.to(dtypes.get_default_dtype()))

    method.__name__, method.__doc__ = name, doc
    return method


for _name, (_op, _doc) in _FLOAT_UNARY.items():
    setattr(_Math, _name, _float_unary(_name, getattr(_ops.elementwise, _op), _doc))


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


# the methods that are also top-level functions (tb.exp(x), ...), and the functions that are not methods
FUNCTIONS = ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "clip", "pow", "sum",
             "mean", "softmax", "log_softmax", "max", "min", "argmax", "argmin", "eq")
FREE_FUNCTIONS = (matmul, maximum, minimum, where)
