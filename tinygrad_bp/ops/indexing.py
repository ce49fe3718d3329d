"""Indexing and rearranging primitives: gather / scatter / scatter_add, index_select, masked_fill, flip, roll,
repeat, diagonal and its embedding, tril / triu, trace.

Each backward is written with the helpers at the end of this module (``gather``, ``scatter_add_into_zeros``,
``flip``, ...), which take a NumPy array (the normal path) or a Tensor (``create_graph=True``), so second
derivatives come from the same formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from . import _xp
from .shape import scatter_into_zeros


def along(index: np.ndarray, dim: int) -> tuple:
    """The full index of the positions ``index`` names along ``dim``: out[i][j][k] = x[index[i][j][k]][j][k]
    (dim 0), as a tuple of broadcasting integer arrays (index may be smaller than x in the other dims)."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _lead(shape: tuple) -> tuple:
    """The slices of the leading block of a larger array that has ``shape``."""
    return tuple(slice(0, n) for n in shape)


class Gather(Op):
    """z = x[.., index, ..] along dim (z has index's shape);  dL/dx scatter-adds g back at index"""

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int = 0, index: Any = None) -> np.ndarray:
        ctx.in_shape, ctx.dim, ctx.index = x.shape, dim, index
        return x[along(index, dim)]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return scatter_add_into_zeros(ctx.in_shape, ctx.dim, ctx.index, g)


class ScatterAdd(Op):
    """z = x with src added at index along dim;  dL/dx = g, dL/dsrc = g gathered at index"""

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, dim: int = 0, index: Any = None) -> np.ndarray:
        ctx.src_shape, ctx.dim, ctx.index = src.shape, dim, index
        out = x.astype(np.result_type(x, src), copy=True)
        np.add.at(out, along(index, dim), src[_lead(index.shape)])
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g, pad_to(gather(g, ctx.dim, ctx.index), ctx.src_shape)


class Scatter(Op):
    """z = x with src (or a scalar value) written at index along dim;  dL/dx = g where nothing was written,
    dL/dsrc = g gathered at index"""

    @staticmethod
    def forward(ctx: Any, x: Any, *src: Any, dim: int = 0, index: Any = None, value: Any = None) -> np.ndarray:
        out = x.copy()
        where = along(index, dim)
        if src:
            out[where] = src[0][_lead(index.shape)]
            ctx.src_shape = src[0].shape
        else:
            out[where] = value
            ctx.torch_name = "ScatterBackward1"
        keep = np.ones(x.shape, x.dtype)
        keep[where] = 0
        ctx.dim, ctx.index, ctx.keep = dim, index, keep
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        dx = g * ctx.keep
        if len(ctx.needs_input_grad) == 1:
            return (dx,)
        return dx, pad_to(gather(g, ctx.dim, ctx.index), ctx.src_shape)


class IndexSelect(Op):
    """z = the entries of x at index along dim;  dL/dx adds g back at index (repeated indices accumulate)"""

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int = 0, index: Any = None) -> np.ndarray:
        ctx.in_shape, ctx.where = x.shape, (slice(None),) * dim + (index,)
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return scatter_into_zeros(ctx.in_shape, ctx.where, g)


class MaskedFill(Op):
    """z = value where mask, else x;  dL/dx = g where the mask is False"""

    @staticmethod
    def forward(ctx: Any, x: Any, mask: Any = None, value: Any = 0) -> np.ndarray:
        out = np.where(mask, np.asarray(value, x.dtype), x)
        ctx.keep = (~np.broadcast_to(mask, out.shape)).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * ctx.keep


class Flip(Op):
    """z = x reversed along dims;  dL/dx = g reversed along the same dims"""

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple = ()) -> np.ndarray:
        ctx.dims = dims
        return np.ascontiguousarray(np.flip(x, dims))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return flip(g, ctx.dims)


class Roll(Op):
    """z = x shifted cyclically by shifts along dims (flattened when dims is None);  dL/dx = g rolled back"""

    @staticmethod
    def forward(ctx: Any, x: Any, shifts: Any = 0, dims: Any = None) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return roll(g, back, ctx.dims)


class Repeat(Op):
    """z = x tiled repeats[i] times along each dim i (x gets leading size-1 dims to match);
    dL/dx sums g over the copies"""

    @staticmethod
    def forward(ctx: Any, x: Any, repeats: tuple = ()) -> np.ndarray:
        shape = (1,) * (len(repeats) - x.ndim) + x.shape
        ctx.in_shape, ctx.shape_, ctx.repeats = x.shape, shape, repeats
        return np.tile(x.reshape(shape), repeats)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        interleaved = tuple(n for pair in zip(ctx.repeats, ctx.shape_) for n in pair)
        copies = tuple(range(0, 2 * len(ctx.repeats), 2))
        return g.reshape(interleaved).sum(axis=copies).reshape(ctx.in_shape)


class Diagonal(Op):
    """z = the diagonal of x at offset over dim1 and dim2 (appended as the last dim);  dL/dx puts g back
    on that diagonal of zeros"""

    @staticmethod
    def forward(ctx: Any, x: Any, offset: int = 0, dim1: int = 0, dim2: int = 1,
                name: str = "DiagonalBackward0") -> np.ndarray:
        ctx.in_shape, ctx.where, ctx.torch_name = x.shape, (offset, dim1, dim2), name
        return np.diagonal(x, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return diag_embed(g, ctx.in_shape, *ctx.where)


class DiagEmbed(Op):
    """z = zeros(shape) with x on the diagonal at offset over dim1 and dim2 (x's last dim runs along it);
    dL/dx = the diagonal of g"""

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple = (), offset: int = 0, dim1: int = 0, dim2: int = 1) -> np.ndarray:
        ctx.where = (offset, dim1, dim2)
        out = np.zeros(shape, x.dtype)
        n = x.shape[-1]
        rows, cols = np.arange(n) + max(-offset, 0), np.arange(n) + max(offset, 0)
        np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, cols] = x
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return diagonal(g, *ctx.where)


class Triangle(Op):
    """z = x with the entries above (tril) or below (triu) the diagonal-th diagonal zeroed, over the last two
    dims;  dL/dx = g with the same entries zeroed"""

    @staticmethod
    def forward(ctx: Any, x: Any, diagonal: int = 0, upper: bool = False) -> np.ndarray:
        ctx.torch_name = "TriuBackward0" if upper else "TrilBackward0"
        cut = np.triu if upper else np.tril
        ctx.keep = cut(np.ones(x.shape[-2:], x.dtype), diagonal)
        return cut(x, diagonal)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * ctx.keep


class Trace(Op):
    """z = Σᵢ x_ii;  dL/dx = g · I"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.eye = np.eye(x.shape[0], x.shape[1], dtype=x.dtype)
        return np.asarray(np.trace(x))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * ctx.eye


# ----------------------------------------------------------------------------- array-or-Tensor helpers
def gather(g: Any, dim: int, index: np.ndarray) -> Any:
    return g[along(index, dim)] if _xp._is_array(g) else Gather.apply(g, dim=dim, index=index)


def scatter_add_into_zeros(shape: tuple, dim: int, index: np.ndarray, g: Any) -> Any:
    """zeros(shape) with g added at index along dim (repeated positions accumulate)."""
    if _xp._is_array(g):
        out = np.zeros(shape, g.dtype)
        np.add.at(out, along(index, dim), g)
        return out
    return ScatterAdd.apply(Tensor._make(np.zeros(shape, g.dtype)), g, dim=dim, index=index)


def pad_to(g: Any, shape: tuple) -> Any:
    """g in the leading block of zeros(shape) (a src larger than its index gets no gradient elsewhere)."""
    return g if tuple(g.shape) == tuple(shape) else scatter_into_zeros(shape, _lead(g.shape), g)


def flip(g: Any, dims: tuple) -> Any:
    return np.flip(g, dims) if _xp._is_array(g) else Flip.apply(g, dims=dims)


def roll(g: Any, shifts: Any, dims: Any) -> Any:
    return np.roll(g, shifts, dims) if _xp._is_array(g) else Roll.apply(g, shifts=shifts, dims=dims)


def diagonal(g: Any, offset: int, dim1: int, dim2: int) -> Any:
    if _xp._is_array(g):
        return np.diagonal(g, offset, dim1, dim2)
    return Diagonal.apply(g, offset=offset, dim1=dim1, dim2=dim2)


def diag_embed(g: Any, shape: tuple, offset: int, dim1: int, dim2: int) -> Any:
    if _xp._is_array(g):
        return DiagEmbed.forward(_NO_CTX, g, shape, offset, dim1, dim2)
    return DiagEmbed.apply(g, shape=shape, offset=offset, dim1=dim1, dim2=dim2)


class _Ctx:
    """A throwaway ctx for calling a forward directly."""


_NO_CTX = _Ctx()
