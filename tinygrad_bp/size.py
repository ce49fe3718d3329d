"""``Size``: the type of ``Tensor.shape`` and ``Tensor.size()``, a tuple of ints (PyTorch's ``torch.Size``).

It is a tuple in every way (equal to and hashing like the plain tuple, unpacking, indexing), with
PyTorch's additions: it prints as ``tinygrad_bp.Size([2, 3])``, ``numel()`` is the product of the sizes,
and slicing, ``+`` and ``*`` give a Size again. Elements must be ints (anything with ``__index__``,
as in PyTorch: NumPy integers and one-element integer tensors are accepted).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from typing import Any, SupportsIndex


class Size(tuple):
    """The sizes of a tensor's dimensions: ``Size([2, 3])``, a tuple subclass."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable = ()) -> Size:
        if isinstance(sizes, Size):
            return sizes
        if not isinstance(sizes, (tuple, list)):
            sizes = tuple(sizes)  # TypeError ("'int' object is not iterable") for a non-iterable, as PyTorch
        if any(type(n) is not int for n in sizes):
            sizes = [n if type(n) is int else _index(n, i) for i, n in enumerate(sizes)]
        return tuple.__new__(cls, sizes)

    def numel(self) -> int:
        """The number of elements of a tensor of this size (1 for ``Size([])``)."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"tinygrad_bp.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return tuple.__new__(Size, item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to tinygrad_bp.Size")
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, n: SupportsIndex) -> Size:
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self) -> tuple:
        return (Size, (tuple(self),))


def _index(n: Any, i: int) -> int:
    """An element given as an index-like object (NumPy int, one-element int tensor): as a Python int."""
    try:
        return operator.index(n)
    except TypeError:
        raise TypeError(f"tinygrad_bp.Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')") from None
