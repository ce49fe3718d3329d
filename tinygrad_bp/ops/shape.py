"""Shape and indexing primitives: reshape, permute, expand, indexing, cat, stack."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp


class Reshape(Op):
    """z = x with a new shape (also view, flatten, squeeze, unsqueeze);  dz/dx reshapes back"""

    view = True  # the output may share the input's memory (tensor_inplace.py rebases through it)

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple = (), name: str = "ViewBackward0") -> np.ndarray:
        ctx.in_shape = x.shape
        out = x.reshape(shape)
        ctx.torch_name = name if out.base is not None or not out.size else "UnsafeViewBackward0"  # a copy: PyTorch's
        return out  # reshape of a non-contiguous tensor

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g.reshape(ctx.in_shape)


class Permute(Op):
    """z = x with its dims reordered (also transpose, .T);  dz/dx applies the inverse order"""

    view = True  # the output may share the input's memory (tensor_inplace.py rebases through it)

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple = (), name: str | None = None) -> np.ndarray:
        if name is not None:  # transpose, t()
            ctx.torch_name = name
        ctx.inverse = tuple(np.argsort(axes))
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _xp.permute(g, ctx.inverse)


class Expand(Op):
    """z = x broadcast to a larger shape;  dz/dx sums over the new dims (the engine's unbroadcast)"""

    view = True  # the output may share the input's memory (tensor_inplace.py rebases through it)

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple = ()) -> np.ndarray:
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


class GetItem(Op):
    """z = x[index];  dz/dx scatters g back into zeros (repeated indices accumulate)"""

    view = True  # the output may share the input's memory (tensor_inplace.py rebases through it)

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any = None, name: str | None = None) -> np.ndarray:
        ctx.in_shape, ctx.index = x.shape, index
        ctx.torch_name = name or _index_name(index)  # name: split, unbind, masked_select say theirs
        return x[index]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return scatter_into_zeros(ctx.in_shape, ctx.index, g)


class IndexAdd(Op):
    """z = zeros(shape) with x added at index;  dz/dx = g[index]"""

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple = (), index: Any = None) -> np.ndarray:
        ctx.index = index
        return scatter_into_zeros(shape, index, x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g[ctx.index]


class Cat(Op):
    """z = [x₁, x₂, ...] joined along dim;  each dL/dxᵢ is its slice of g"""

    @staticmethod
    def forward(ctx: Any, *xs: Any, axis: int = 0) -> np.ndarray:
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [x.shape[axis] for x in xs])
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        lead = (slice(None),) * ctx.axis
        b = ctx.bounds
        return tuple(g[lead + (slice(int(b[i]), int(b[i + 1])),)] if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


class Stack(Op):
    """z = [x₁, x₂, ...] stacked along a new dim;  each dL/dxᵢ is g indexed at i on that dim"""

    @staticmethod
    def forward(ctx: Any, *xs: Any, axis: int = 0) -> np.ndarray:
        ctx.axis = axis
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        lead = (slice(None),) * ctx.axis
        return tuple(g[lead + (i,)] if need else None for i, need in enumerate(ctx.needs_input_grad))


class Contiguous(Op):
    """z = x copied into row-major memory;  dz/dx = 1"""

    torch_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


def scatter_into_zeros(shape: tuple, index: Any, values: Any) -> Any:
    """zeros(shape) with ``values`` added at ``index`` (repeated indices accumulate)."""
    if _xp._is_array(values):
        out = np.zeros(shape, values.dtype)
        if _is_basic_index(index):
            out[index] = values
        else:
            np.add.at(out, index, values)
        return out
    return IndexAdd.apply(values, shape=shape, index=index)


def _is_basic_index(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


def _index_name(index: Any) -> str:
    """PyTorch's grad_fn for ``x[index]``: the last step its indexing takes (select, slice, unsqueeze, index)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (np.ndarray, list)) for i in items):
        return "IndexBackward0"
    steps = [i for i in items if i is not Ellipsis and i != slice(None)]
    if not steps:
        return "AliasBackward0" if Ellipsis in items else "SliceBackward0"
    last = steps[-1]
    return "UnsqueezeBackward0" if last is None else "SliceBackward0" if isinstance(last, slice) else "SelectBackward0"
