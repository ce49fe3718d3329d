"""Array functions that accept a NumPy array or a Tensor, so each backward formula is written once.

On the normal path backward formulas see NumPy arrays; with ``create_graph=True`` they see Tensors
and the same formula records a graph. Operators (+ - * / ** @, .T, .sum(axis=, keepdims=),
.reshape) already work on both; the functions here cover the rest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def _is_array(x: Any) -> bool:
    return type(x) is np.ndarray or not hasattr(x, "grad_fn")


def where(cond: Any, a: Any, b: Any) -> Any:
    if _is_array(a) and _is_array(b):
        return np.where(cond, a, b)
    return (Tensor._make(np.asarray(a)) if _is_array(a) else a).where(cond, b)


def zeros_like(x: Any) -> Any:
    """Zeros of x's shape and dtype, outside any graph (a gradient that is identically zero)."""
    if _is_array(x):
        return np.zeros_like(x)
    return Tensor._make(np.zeros(x.shape, x.dtype))


def exp(x: Any) -> Any:
    return np.exp(x) if _is_array(x) else x.exp()


def log(x: Any) -> Any:
    return np.log(x) if _is_array(x) else x.log()


def cos(x: Any) -> Any:
    return np.cos(x) if _is_array(x) else x.cos()


def sin(x: Any) -> Any:
    return np.sin(x) if _is_array(x) else x.sin()


def sign(x: Any) -> Any:
    """sign(x), with sign(NaN) = 0 as in PyTorch."""
    if not _is_array(x):
        return x.sign()
    out = np.sign(x)
    return np.where(out != out, 0, out) if out.dtype.kind == "f" else out


def broadcast_to(x: Any, shape: tuple) -> Any:
    return np.broadcast_to(x, shape) if _is_array(x) else x.expand(shape)


def permute(x: Any, axes: tuple) -> Any:
    return np.transpose(x, axes) if _is_array(x) else x.permute(axes)


def swap_last(x: Any) -> Any:
    """Transpose the last two dimensions (matrix transpose of a batch)."""
    return np.swapaxes(x, -1, -2) if _is_array(x) else x.transpose(-1, -2)
