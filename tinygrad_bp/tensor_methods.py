"""PyTorch's small Tensor methods that delegate to the core, generated from tables instead of written
one by one: predicates and logic (bool results, no graph), sizes, formatting, the matrix-product
spellings of ``matmul``, and ``new_*`` creation. Imported once by ``tensor.py``."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import creation
from .tensor import Tensor, _make
from .tensor_math import _compare, matmul

# name -> (NumPy function, what it computes): a bool tensor, broadcasting, never in the graph
_BINARY_PREDICATES = {
    "ne": (np.not_equal, "self != other"), "lt": (np.less, "self < other"), "le": (np.less_equal, "self <= other"),
    "gt": (np.greater, "self > other"), "ge": (np.greater_equal, "self >= other"),
    "logical_and": (np.logical_and, "self and other"), "logical_or": (np.logical_or, "self or other"),
    "logical_xor": (np.logical_xor, "self xor other"),
}
_UNARY_PREDICATES = {
    "isnan": (np.isnan, "x is NaN"), "isinf": (np.isinf, "x is ±inf"), "isfinite": (np.isfinite, "x is finite"),
    "logical_not": (np.logical_not, "not x"),
}


def _binary_predicate(name: str, fn: Any, text: str) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return _compare(fn, self, other)

    method.__name__, method.__doc__ = name, f"Elementwise {text}, as a bool tensor (not differentiable)."
    return method


def _unary_predicate(name: str, fn: Any, text: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return _make(fn(self._array))

    method.__name__, method.__doc__ = name, f"Elementwise: {text}, as a bool tensor (not differentiable)."
    return method


for _name, (_fn, _text) in _BINARY_PREDICATES.items():
    setattr(Tensor, _name, _binary_predicate(_name, _fn, _text))
for _name, (_fn, _text) in _UNARY_PREDICATES.items():
    setattr(Tensor, _name, _unary_predicate(_name, _fn, _text))


def nelement(self: Tensor) -> int:
    """The number of elements (``numel``)."""
    return self._array.size


def element_size(self: Tensor) -> int:
    """Bytes per element."""
    return self._array.itemsize


def is_floating_point(self: Tensor) -> bool:
    """True for float16/32/64 tensors."""
    return self._array.dtype.kind == "f"


def __format__(self: Tensor, spec: str) -> str:  # noqa: N807 - the special method
    """``f"{loss:.4f}"`` formats a 0-d tensor as its number, as in PyTorch (other tensors take no format spec)."""
    if self._array.ndim == 0:
        return format(self._array.item(), spec)
    return object.__format__(self, spec)


def _need(t: Tensor, ndim: int, op: str, which: str) -> None:
    if t.ndim != ndim:
        raise RuntimeError(f"{op}: {which} must be a {ndim}D tensor, got {t.ndim}D of shape {tuple(t.shape)}")


def __array__(self: Tensor, dtype: Any = None, copy: Any = None) -> np.ndarray:  # noqa: N807
    """``np.asarray(t)``, ``plt.imshow(t)``, ``plt.plot(t)``: the values (refused while t requires grad, as in
    PyTorch: use ``t.detach()``)."""
    array = self.numpy()
    if dtype is not None and np.dtype(dtype) != array.dtype:
        return array.astype(dtype)
    return array.copy() if copy else array


def mm(self: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors (``matmul`` without broadcasting)."""
    _need(self, 2, "mm", "self")
    _need(mat2, 2, "mm", "mat2")
    return matmul(self, mat2)


def bmm(self: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of (b, n, m) and (b, m, p) tensors."""
    _need(self, 3, "bmm", "batch1")
    _need(mat2, 3, "bmm", "batch2")
    if self.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ: {tuple(self.shape)} and {tuple(mat2.shape)}")
    return matmul(self, mat2)


def mv(self: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    _need(self, 2, "mv", "self")
    _need(vec, 1, "mv", "vec")
    return matmul(self, vec)


def dot(self: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same length."""
    _need(self, 1, "dot", "self")
    _need(other, 1, "dot", "other")
    if self.shape != other.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src [{other.shape[0]}] "
                           "to have the same number of elements, but got different sizes")
    return matmul(self, other)


def outer(self: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors: z_ij = x_i · y_j."""
    _need(self, 1, "outer", "self")
    _need(vec2, 1, "outer", "vec2")
    return self.reshape(-1, 1) * vec2.reshape(1, -1)


def addmm(self: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta·self + alpha·(mat1 @ mat2)."""
    product = mm(mat1, mat2)
    return (self if beta == 1 else self * beta) + (product if alpha == 1 else product * alpha)


def _like(name: str, make: Any) -> Any:
    def method(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return make(self, size, self.dtype if dtype is None else dtype, device, requires_grad)

    method.__name__ = name
    method.__doc__ = f"A new tensor of the given size ({name[4:]}), in this tensor's dtype unless ``dtype``."
    return method


def new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``, in this tensor's dtype unless ``dtype``."""
    return creation.full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                         requires_grad=requires_grad)


def new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """A copy of ``data`` as a tensor, in this tensor's dtype unless ``dtype``."""
    return creation.tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                           requires_grad=requires_grad)


Tensor.multinomial = creation.multinomial
for _f in (nelement, element_size, is_floating_point, __format__, __array__, mm, bmm, mv, dot, outer, addmm, new_full,
           new_tensor):
    setattr(Tensor, _f.__name__, _f)
for _name, _make_fn in {"new_zeros": creation.zeros, "new_ones": creation.ones, "new_empty": creation.empty}.items():
    setattr(Tensor, _name, _like(_name, lambda t, size, dt, dev, rg, _mk=_make_fn: _mk(
        *size, dtype=dt, device=dev, requires_grad=rg)))


# the methods that are also top-level functions (tb.mm(a, b), tb.isnan(x), ...)
FUNCTIONS = ("mm", "bmm", "mv", "dot", "outer", "addmm", "isnan", "isinf", "isfinite", "logical_and", "logical_or",
             "logical_xor", "logical_not", "ne", "lt", "le", "gt", "ge", "numel")
