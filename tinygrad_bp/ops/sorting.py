"""Value-selecting primitives: sort, topk and median along a dim pick elements by index; the gradient
goes back to the picked positions. The indices are computed by the caller (tensor_math.py) with NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from .shape import scatter_into_zeros


def along_index(indices: np.ndarray, axis: int) -> tuple:
    """The advanced index that picks ``x[..., indices[...], ...]`` along ``axis`` (take_along_axis as x[index])."""
    grids = list(np.ogrid[tuple(slice(n) for n in indices.shape)])
    grids[axis] = indices
    return tuple(grids)


class TakeAlong(Op):
    """z = x picked at ``indices`` along one dim (sort, topk, median(dim));  dL/dx = g scattered back there"""

    @staticmethod
    def forward(ctx: Any, x: Any, indices: Any = None, axis: int = 0, keepdims: bool = True,
                name: str = "SortBackward0") -> np.ndarray:
        ctx.torch_name = name
        ctx.in_shape = x.shape
        if not x.ndim:
            return x.copy()
        index = ctx.index = along_index(indices, axis)
        out = x[index]
        ctx.picked_shape = out.shape
        return out if keepdims else np.squeeze(out, axis)  # median(dim) without keepdim: one node, as PyTorch's

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if not ctx.in_shape:
            return g
        return scatter_into_zeros(ctx.in_shape, ctx.index, g.reshape(ctx.picked_shape))
