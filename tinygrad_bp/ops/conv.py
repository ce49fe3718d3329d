"""Sliding windows: im2col (`Unfold`) and its adjoint col2im (`Fold`), the primitives of convolution and pooling.

A convolution is ``Unfold`` followed by one matrix product with the reshaped weight, so its gradient is
the matmul's gradient followed by ``Fold``: the backward pass of the windows view is a scatter-add of
every column entry back to the input pixel it was read from. Max and average pooling are ``Unfold`` of
the channels as a batch, then a reduction over each window. Both ops work for any number of spatial
dimensions (conv1d and conv2d use the same code).

The column layout, for an input (N, C, *spatial) split into G groups of Cg = C/G channels, a kernel k
and output size ``out`` (L = prod(out) positions): ``(G, N·L, Cg·prod(k))``, one row per (sample,
output position), one column per (channel, kernel offset) in the order of a weight (O, Cg, *k)
reshaped to (O, Cg·prod(k)). With G = 1 the convolution is a single BLAS matrix product.

No Python loop runs over output pixels: the forward is one strided view (``as_strided``) and one
copy; the col2im loops over the prod(k) kernel offsets, each a strided slice-add over all pixels.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp


def _window_view(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> np.ndarray:
    """A read-only view (N, C, *out, *kernel) of the (already padded) input: element [n, c, o, k] is
    x[n, c, o·stride + k·dilation]."""
    sn, sc, *ss = x.strides
    strides = (sn, sc, *(s * st for s, st in zip(ss, stride)), *(s * d for s, d in zip(ss, dilation)))
    return np.lib.stride_tricks.as_strided(x, shape=x.shape[:2] + tuple(out) + tuple(kernel), strides=strides,
                                           writeable=False)


def _pad(x: np.ndarray, padding: tuple, value: float) -> np.ndarray:
    if not any(lo or hi for lo, hi in padding):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple, out: tuple,
           groups: int = 1, pad_value: float = 0.0) -> np.ndarray:
    """Columns (G, N·L, Cg·prod(kernel)) of x (N, C, *spatial), padded by ``padding`` ((lo, hi) per dim)."""
    n, c = x.shape[:2]
    nd = len(kernel)
    view = _window_view(_pad(x, padding, pad_value), kernel, stride, dilation, out)
    view = view.reshape((n, groups, c // groups) + view.shape[2:])
    # (N, G, Cg, *out, *k) -> (G, N, *out, Cg, *k)
    axes = (1, 0) + tuple(range(3, 3 + nd)) + (2,) + tuple(range(3 + nd, 3 + 2 * nd))
    cols = view.transpose(axes)
    return cols.reshape(groups, n * int(np.prod(out)), (c // groups) * int(np.prod(kernel)))


def col2im(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple,
           out: tuple, groups: int = 1) -> np.ndarray:
    """The adjoint of im2col: add each column entry back to the input pixel it was read from -> ``shape``."""
    n, c = shape[:2]
    nd = len(kernel)
    g = cols.reshape((groups, n) + tuple(out) + (c // groups,) + tuple(kernel))
    # (G, N, *out, Cg, *k) -> (N, G, Cg, *k, *out) -> (N, C, *k, *out)
    axes = (1, 0, 2 + nd) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(2, 2 + nd))
    g = g.transpose(axes).reshape((n, c) + tuple(kernel) + tuple(out))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(shape[2:], padding))
    gx = np.zeros((n, c) + padded, dtype=cols.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):
        window = tuple(slice(o * d, o * d + st * (m - 1) + 1, st) for o, d, st, m in zip(offset, dilation, stride, out))
        gx[(slice(None), slice(None)) + window] += g[(slice(None), slice(None)) + offset]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(shape[2:], padding))
    return gx[(slice(None), slice(None)) + crop]


class Unfold(Op):
    """cols = im2col(x): every sliding window of x as a row (layout in the module docstring);
    dcols/dx is col2im: each column entry's gradient goes back to the pixel it was copied from"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, kernel: tuple = (), stride: tuple = (), dilation: tuple = (),
                padding: tuple = (), out: tuple = (), groups: int = 1, pad_value: float = 0.0) -> np.ndarray:
        ctx.config = dict(shape=x.shape, kernel=kernel, stride=stride, dilation=dilation, padding=padding, out=out,
                          groups=groups)
        return im2col(x, kernel, stride, dilation, padding, out, groups, pad_value)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if _xp._is_array(g):
            return col2im(g, **ctx.config)
        return Fold.apply(g, **ctx.config)  # create_graph: a differentiable col2im


class Fold(Op):
    """x = col2im(cols) (the adjoint of Unfold: overlapping entries add up);  dx/dcols = im2col(g)"""

    @staticmethod
    def forward(ctx: Any, cols: np.ndarray, shape: tuple = (), kernel: tuple = (), stride: tuple = (),
                dilation: tuple = (), padding: tuple = (), out: tuple = (), groups: int = 1) -> np.ndarray:
        ctx.config = dict(kernel=kernel, stride=stride, dilation=dilation, padding=padding, out=out, groups=groups)
        return col2im(cols, shape, kernel, stride, dilation, padding, out, groups)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if _xp._is_array(g):
            return im2col(g, **ctx.config)
        return Unfold.apply(g, **ctx.config)
