"""PyTorch's legacy spellings, kept so old tutorials run: ``FloatTensor`` & co. and ``autograd.Variable``.

``tb.FloatTensor([1, 2])`` is a float32 tensor of that data and ``tb.FloatTensor(2, 3)`` a 2x3 one
(zeros here: PyTorch leaves it uninitialised). ``isinstance(t, tb.FloatTensor)`` is True for any float32
tensor, as in PyTorch. ``tb.autograd.Variable(t, requires_grad=False)`` is the pre-0.4 wrapper: it returns
a new Tensor sharing ``t``'s memory, cut from the graph, and ``isinstance(t, Variable)`` is True for any
tensor.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import dtypes
from .device import resolve as _resolve_device
from .size import Size
from .tensor import Tensor, _make


class _LegacyTensorType(type):
    """The metaclass of the legacy tensor types: calling one builds a Tensor; isinstance checks the dtype."""

    dtype: np.dtype

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor) and obj._array.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None, **kwargs: Any) -> Tensor:
        name = cls.__name__
        if kwargs:
            raise TypeError(f"{name}(): got unexpected keyword argument(s) {sorted(kwargs)} (only device= is accepted)")
        _resolve_device(device, name)
        if not args:
            return _make(np.zeros(0, cls.dtype))
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args) or \
                (len(args) == 1 and isinstance(args[0], Size)):
            sizes = tuple(args[0]) if isinstance(args[0], Size) else args
            if any(n < 0 for n in sizes):
                raise RuntimeError(f"{name}(): Trying to create tensor with negative dimension "
                                   f"{min(sizes)}: {list(sizes)}")
            return _make(np.zeros(sizes, cls.dtype))
        if len(args) > 1:
            raise TypeError(f"{name}(): expected sizes (ints) or one sequence of data, got "
                            f"({', '.join(type(a).__name__ for a in args)})")
        return _from_data(cls, args[0])


def _from_data(cls: _LegacyTensorType, data: Any) -> Tensor:
    name = cls.__name__
    if isinstance(data, Tensor):
        if data._array.dtype != cls.dtype:
            raise TypeError(f"{name}(): expected a tensor of dtype {dtypes.type_name(cls.dtype)}, got one of dtype "
                            f"{dtypes.type_name(data._array.dtype)} (convert it with .to(...) first)")
        return data
    if isinstance(data, str):
        raise TypeError(f"{name}(): invalid data type 'str'")
    if not isinstance(data, (list, tuple, np.ndarray)):
        raise TypeError(f"{name}(): data must be a sequence (got {type(data).__name__})")
    try:
        array = np.array(data)
    except ValueError as e:
        raise TypeError(f"{name}(): cannot build a tensor from ragged data") from e
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name}(): invalid data type '{array.dtype}'")
    return _make(array.astype(cls.dtype))


def _legacy(name: str, dtype: np.dtype) -> _LegacyTensorType:
    doc = f"Legacy constructor of {dtype.name} tensors: ``{name}(data)`` or ``{name}(*sizes)`` (zeros)."
    return _LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "tinygrad_bp"})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool)


class _VariableType(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor)

    def __call__(cls, data: Any = None, requires_grad: bool = False, volatile: bool | None = None) -> Tensor:
        if volatile is not None:
            warnings.warn("volatile was removed and now has no effect. Use `with tinygrad_bp.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            return _make(np.zeros(0, dtypes.get_default_dtype()))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad and data._array.dtype.kind != "f":
            raise RuntimeError(f"Variable(): Only Tensors of floating point and complex dtype can require gradients "
                               f"(got {data._array.dtype.name})")
        t = _make(data._array)
        t.requires_grad = bool(requires_grad)
        return t


class Variable(metaclass=_VariableType):
    """Deprecated (PyTorch 0.4 merged it into Tensor): ``Variable(t, requires_grad=False)`` returns a new
    Tensor sharing ``t``'s memory, cut from the graph, a leaf that requires grad if asked."""


__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
           "ByteTensor", "BoolTensor", "Variable"]
