"""Dtypes and PyTorch's type-promotion rules.

The dtypes are NumPy dtype objects (``tb.float32 == numpy.dtype("float32")``). Promotion follows
PyTorch, not NumPy, and is one function, ``result_type``: the category order is bool < integer < floating;
a dimensioned tensor outranks a zero-dim tensor, which outranks a Python scalar; a lower-ranked operand
only changes the result when it is of a higher category (then a Python float gives the default float
dtype). So int64 + float32 is float32 and an int tensor times a Python float is the default float dtype.
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
float16 = np.dtype(np.float16)  # computed as NumPy computes float16
half = float16
int16 = np.dtype(np.int16)
short = int16
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)

_SUPPORTED = (float32, float64, int64, int32, bool, float16, int16, int8, uint8)
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


def result_type(*operands: tuple) -> np.dtype:
    """PyTorch's result dtype of an op on several operands, each ``(dtype, rank)``: rank 2 for a tensor with
    dimensions, 1 for a zero-dim tensor, 0 for a Python scalar (its dtype from ``scalar_dtype``).

    Operands of one rank promote among themselves; then, as in PyTorch's ``combine_categories``, a lower
    rank changes the result only when it is of a higher category (bool < integer < floating)."""
    levels: dict = {}
    for dtype, rank in operands:
        seen = levels.get(rank)
        levels[rank] = dtype if seen is None else _same_rank(seen, dtype)
    return _combine(levels.get(2), _combine(levels.get(1), levels.get(0)))


def _same_rank(a: np.dtype, b: np.dtype) -> np.dtype:
    """Two operands of one rank: the higher category wins; within a category the wider type."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca == cb:
        return np.promote_types(a, b)
    return a if ca > cb else b


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    if higher is None or lower is None:
        return lower if higher is None else higher
    return lower if _category(lower) > _category(higher) else higher


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


def resolve(dtype: object, op: str) -> np.dtype | None:
    """``dtype=`` as given to ``op``: None, or one of the supported dtypes (NumPy dtypes and their scalar
    types, e.g. ``np.float32``, are accepted). Anything else is PyTorch's TypeError, naming the call."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype) or (isinstance(dtype, type) and issubclass(dtype, np.generic)):
        resolved = np.dtype(dtype)
        if resolved in _SUPPORTED:
            return resolved
        raise TypeError(f"{op}(): unsupported dtype {resolved.name}; tinygrad_bp supports "
                        f"{', '.join(d.name for d in _SUPPORTED)}")
    raise TypeError(f"{op}(): argument 'dtype' must be tinygrad_bp.dtype, not {type(dtype).__name__}")


class finfo:
    """Machine limits of a floating-point dtype, as ``torch.finfo``: ``bits eps max min tiny smallest_normal
    resolution dtype``. ``finfo()`` describes the default dtype."""

    def __init__(self, type: np.dtype | None = None) -> None:  # noqa: A002 - PyTorch's argument name
        dtype = _info_dtype(type if type is not None else _default_float, "finfo")
        if dtype.kind != "f":
            raise TypeError("tinygrad_bp.finfo() requires a floating point input type. Use tinygrad_bp.iinfo to "
                            f"handle 'tinygrad_bp.finfo' (got {dtype.name})")
        info = np.finfo(dtype)
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision  # PyTorch's: 1e-06 for float32, 0.001 for float16
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype, as ``torch.iinfo``: ``bits max min dtype``."""

    def __init__(self, type: np.dtype) -> None:  # noqa: A002 - PyTorch's argument name
        dtype = _info_dtype(type, "iinfo")
        if dtype.kind == "b":
            raise TypeError("tinygrad_bp.bool is not supported by tinygrad_bp.iinfo")
        if dtype.kind not in "iu":
            raise TypeError("tinygrad_bp.iinfo() requires an integer input type. Use tinygrad_bp.finfo to handle "
                            f"'tinygrad_bp.iinfo' (got {dtype.name})")
        info = np.iinfo(dtype)
        self.bits = info.bits
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def _info_dtype(dtype: object, op: str) -> np.dtype:
    if not isinstance(dtype, np.dtype) or dtype not in _SUPPORTED:
        raise TypeError(f"{op}(): argument 'type' (position 1) must be tinygrad_bp.dtype, not {_describe(dtype)}")
    return dtype


def _describe(value: object) -> str:
    return value.name if isinstance(value, np.dtype) else type(value).__name__
