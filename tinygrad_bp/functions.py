"""The top-level functions of the tensor API: ``tb.exp(x)``, ``tb.sum(x, 1)``, ``tb.matmul(input=a, other=b)``.

As in PyTorch, each is the Tensor method of the same name called on its first argument (``input``), plus
the ``out=`` keyword: the result is written into the tensor ``out`` (resized when its shape differs, cast
to its dtype when that is safe) and ``out`` is returned. Which methods become functions is listed by the
module that defines them (``FUNCTIONS`` in tensor_math.py, tensor_shape.py, tensor_methods.py), so a new
op is one entry there; functions that are not methods (``where``, ``cat``, ...) take ``out=`` here too.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from . import tensor_math, tensor_methods, tensor_shape
from .autograd import saved_values
from .autograd.grad_mode import _state as _grad_state
from .tensor import Tensor, _as_tensor


def write_out(out: Any, result: Any, name: str) -> Tensor:
    """``result`` written into ``out`` (PyTorch's ``out=``): resized when the shape differs, cast when safe."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if _grad_state.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    value = result._array
    if not np.can_cast(value.dtype, out._array.dtype, "same_kind"):
        raise RuntimeError(f"{name}(): result type {value.dtype} can't be cast to the desired output type "
                           f"{out._array.dtype}")
    if value.shape != out._array.shape:
        if out._array.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(value.shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they "
                          "have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, "
                          "to zero elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._array = np.empty(value.shape, out._array.dtype)
    np.copyto(out._array, value, casting="same_kind")
    saved_values.bump(out)
    return out


def _from_method(name: str) -> Any:
    method = getattr(Tensor, name)

    def function(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:  # noqa: A002 - PyTorch's name
        result = method(_as_tensor(input), *args, **kwargs)
        return result if out is None else write_out(out, result, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


def _with_out(fn: Any) -> Any:
    @functools.wraps(fn)
    def function(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return result if out is None else write_out(out, result, fn.__name__)

    return function


METHOD_FUNCTIONS = {name: _from_method(name) for module in (tensor_math, tensor_shape, tensor_methods)
                    for name in module.FUNCTIONS}
OTHER_FUNCTIONS = {fn.__name__: _with_out(fn) for module in (tensor_math, tensor_shape)
                   for fn in module.FREE_FUNCTIONS}
