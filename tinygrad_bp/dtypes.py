"""Dtypes and PyTorch's type-promotion rules.

The dtypes are NumPy dtype objects (``tb.float32 == numpy.dtype("float32")``). Promotion follows
PyTorch, not NumPy: the category order is bool < integer < floating; a dimensioned tensor outranks a
zero-dim tensor, which outranks a Python scalar; a lower-ranked operand only changes the result when it
is of a higher category (then a Python float gives the default float dtype). So int64 + float32 is
float32 and an int tensor times a Python float is the default float dtype.
"""

from __future__ import annotations

import builtins

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool = np.dtype(np.bool_)  # noqa: A001 - PyTorch's name
float = float32  # noqa: A001 - torch.float is float32
double = float64
long = int64
int = int32  # noqa: A001 - torch.int is int32

_SUPPORTED = (float32, float64, int64, int32, bool, np.dtype(np.float16), np.dtype(np.int16),
              np.dtype(np.int8), np.dtype(np.uint8))
_default_float = float32


def set_default_dtype(dtype: np.dtype) -> None:
    """Set the dtype that Python floats and float factories use (float32 or float64)."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> np.dtype:
    """The dtype Python floats and float factories use (float32 unless changed)."""
    return _default_float


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def _category(dtype: np.dtype) -> int:
    return 0 if dtype.kind == "b" else (2 if dtype.kind == "f" else 1)


def scalar_dtype(value: object) -> np.dtype:
    """The dtype PyTorch gives a Python scalar: bool, int64 or the default float."""
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool
    if isinstance(value, (builtins.int, np.integer)):
        return int64
    return _default_float


def promote(a: np.dtype, a_rank: int, b: np.dtype, b_rank: int) -> np.dtype:
    """Result dtype of a binary op; rank is 2 for a dimensioned tensor, 1 for zero-dim, 0 for a scalar."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if a_rank == b_rank:
        if ca == cb:
            return np.promote_types(a, b)
        return a if ca > cb else b
    if a_rank < b_rank:  # make `a` the higher-ranked operand
        a, b, ca, cb, b_rank = b, a, cb, ca, a_rank
    if cb <= ca:
        return a
    if b_rank == 0:  # a Python scalar of a higher category
        return _default_float if cb == 2 else int64
    return b


_TORCH_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                     "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def c_type_name(dtype: np.dtype) -> str:
    """The C name PyTorch prints for an element type ('float', 'double', 'long int')."""
    name = np.dtype(dtype).name
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "int16": "short int",
            "int8": "signed char", "uint8": "unsigned char", "float16": "c10::Half"}.get(name, name)


def type_name(dtype: np.dtype) -> str:
    """PyTorch's name of a scalar type in messages ('Float', 'Long', ...)."""
    return _TORCH_TYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)
