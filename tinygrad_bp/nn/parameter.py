"""Parameter: a Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` (by default) that modules pick up as a parameter.

    ``Parameter(t)`` shares ``t``'s NumPy array, as PyTorch's ``nn.Parameter(t)`` shares storage.
    Results of operations on a Parameter are plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=_default_dtype())
        elif isinstance(data, Tensor):
            array = data._array
        else:
            array = Tensor(data)._array
        Tensor.__init__(self, array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(Tensor._make(self._array.copy()), self.requires_grad)
        if self.grad is not None:
            out.grad = Tensor._make(self.grad._array.copy())
        memo[id(self)] = out
        return out


def _default_dtype() -> np.dtype:
    return get_default_dtype()
