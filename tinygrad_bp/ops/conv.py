"""Sliding windows: im2col (`Unfold`) and its adjoint col2im (`Fold`), the primitives of convolution and pooling.

A convolution is ``Unfold`` followed by one matrix product with the reshaped weight, so its gradient is
the matmul's gradient followed by ``Fold``: the backward pass of the windows view is a scatter-add of
every column entry back to the input pixel it was read from. Average pooling is ``Unfold`` of the
channels as a batch, then a mean over each window; max pooling is its own op (``MaxPool``: a running
maximum over the kernel offsets, no window copy; the gradient goes to each window's first maximum).
``PadIndex`` gathers along each dim for reflect / replicate / circular padding. The ops work for any
number of spatial dimensions (conv1d and conv2d use the same code).

The column layout, for an input (N, C, *spatial) split into G groups of Cg = C/G channels, a kernel k
and output size ``out`` (L = prod(out) positions): ``(G, Cg·prod(k), N·L)``, one row per (channel,
kernel offset) in the order of a weight (O, Cg, *k) reshaped to (O, Cg·prod(k)), one column per
(sample, output position). The convolution is then W (G, Og, Cg·prod(k)) @ cols: with G = 1 a single
BLAS matrix product.

No Python loop runs over output pixels: im2col and col2im loop over the prod(k) kernel offsets, each
one strided slice copy (or add) covering every sample, channel and output position at once.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

from ..autograd.function import Op
from ..tensor import _as_tensor
from . import _xp
from .shape import scatter_into_zeros


def _pad(x: np.ndarray, padding: tuple, value: float) -> np.ndarray:
    if not any(lo or hi for lo, hi in padding):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple, out: tuple,
           groups: int = 1, pad_value: float = 0.0) -> np.ndarray:
    """Columns (G, Cg·prod(kernel), N·L) of x (N, C, *spatial), padded by ``padding`` ((lo, hi) per dim):
    one strided slice copy per kernel offset."""
    n, c = x.shape[:2]
    xp = _pad(x, padding, pad_value)
    cols = np.empty((c,) + tuple(kernel) + (n,) + tuple(out), dtype=x.dtype)
    swap = (1, 0) + tuple(range(2, 2 + len(out)))  # (N, C, *out) -> (C, N, *out)
    for offset, window in zip(_kernel_offsets(kernel), _offsets(kernel, stride, dilation, out)):
        cols[(slice(None),) + offset] = xp[window].transpose(swap)
    return cols.reshape(groups, (c // groups) * int(np.prod(kernel)), n * int(np.prod(out)))


def col2im(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple,
           out: tuple, groups: int = 1) -> np.ndarray:
    """The adjoint of im2col: add each column entry back to the input pixel it was read from -> ``shape``."""
    n, c = shape[:2]
    g = cols.reshape((c,) + tuple(kernel) + (n,) + tuple(out))
    swap = (1, 0) + tuple(range(2, 2 + len(out)))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(shape[2:], padding))
    gx = np.zeros((n, c) + padded, dtype=cols.dtype)
    for offset, window in zip(_kernel_offsets(kernel), _offsets(kernel, stride, dilation, out)):
        gx[window] += g[(slice(None),) + offset].transpose(swap)
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(shape[2:], padding))
    return gx[(slice(None), slice(None)) + crop]


@functools.lru_cache(maxsize=256)
def _kernel_offsets(kernel: tuple) -> tuple:
    return tuple(itertools.product(*(range(k) for k in kernel)))


@functools.lru_cache(maxsize=256)
def _offsets(kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> tuple:
    """For each kernel offset (row-major), the strided slices that pick it from every window of the padded
    input (cached: a network asks for the same few geometries at every step)."""
    return tuple([(slice(None), slice(None)) + tuple(slice(o * d, o * d + st * (m - 1) + 1, st)
                                               for o, d, st, m in zip(offset, dilation, stride, out))
            for offset in itertools.product(*(range(k) for k in kernel))])


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


@functools.lru_cache(maxsize=256)
def _batch_last_offsets(kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> tuple:
    """As `_offsets`, for a batch-last padded input (C, *padded, N): the slices of each kernel offset."""
    return tuple([(slice(None),) + tuple(slice(o * d, o * d + st * (m - 1) + 1, st)
                                         for o, d, st, m in zip(offset, dilation, stride, out))
                  for offset in itertools.product(*(range(k) for k in kernel))])


def _batch_last(x: np.ndarray, padding: tuple) -> np.ndarray:
    """x (N, C, *spatial) as a contiguous (C, *padded, N) array, zero padded: one copy."""
    nd = x.ndim - 2
    perm = (1,) + tuple(range(2, nd + 2)) + (0,)
    if not any(lo or hi for lo, hi in padding):
        return np.ascontiguousarray(x.transpose(perm))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], padding))
    xt = np.zeros((x.shape[1],) + padded + (x.shape[0],), dtype=x.dtype)
    xt[(slice(None),) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], padding))] = x.transpose(perm)
    return xt


def im2col_batch_last(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple, out: tuple,
                      groups: int = 1) -> np.ndarray:
    """Columns (G, Cg·prod(kernel), L·N) of x (N, C, *spatial): `im2col` with the sample index innermost, so
    that each kernel offset's slice copy moves runs of out[-1]·N contiguous values (not out[-1])."""
    n, c = x.shape[:2]
    xt = _batch_last(x, padding)
    cols = np.empty((c,) + tuple(kernel) + tuple(out) + (n,), dtype=x.dtype)
    for offset, window in zip(_kernel_offsets(kernel), _batch_last_offsets(kernel, stride, dilation, out)):
        cols[(slice(None),) + offset] = xt[window]
    return cols.reshape(groups, (c // groups) * int(np.prod(kernel)), int(np.prod(out)) * n)


def col2im_batch_last(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple,
                      padding: tuple, out: tuple) -> np.ndarray:
    """The adjoint of `im2col_batch_last`, as a contiguous (N, C, *spatial) array: one strided add per
    kernel offset into a batch-last padded image, then one transposing copy of its interior."""
    n, c = shape[:2]
    nd = len(kernel)
    g = cols.reshape((c,) + tuple(kernel) + tuple(out) + (n,))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(shape[2:], padding))
    gxt = np.zeros((c,) + padded + (n,), dtype=cols.dtype)
    for offset, window in zip(_kernel_offsets(kernel), _batch_last_offsets(kernel, stride, dilation, out)):
        gxt[window] += g[(slice(None),) + offset]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(shape[2:], padding))
    return np.ascontiguousarray(gxt[(slice(None),) + crop].transpose((nd + 1, 0) + tuple(range(1, nd + 1))))


class Conv(Op):
    """y[n, o] = b[o] + Σ W[o] · window of x (cross-correlation, one BLAS product per group on im2col columns);
    dL/dW = G·colsᵀ, dL/db = Σ G, dL/dx = col2im(Wᵀ·G) with G the output gradient as a (O, L·N) matrix.

    Fused (Unfold, MatMul, the output permute and the bias in one node) so that the columns can use the
    batch-last layout of `im2col_batch_last`, whose window copies and col2im adds move long contiguous
    runs; the output comes back as a contiguous (N, O, *out) array. ``padding`` is ((lo, hi), ...) and
    ``out`` the output size, both checked by the caller. With create_graph the gradients are built from
    ``Unfold``, ``Fold`` and Tensor products, so they are differentiable again."""

    torch_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: tuple = (),
                dilation: tuple = (), padding: tuple = (), out: tuple = (), groups: int = 1) -> np.ndarray:
        n, nd, o = x.shape[0], x.ndim - 2, w.shape[0]
        kernel = tuple(w.shape[2:])
        cols = im2col_batch_last(x, kernel, stride, dilation, padding, out, groups)
        if groups == 1:
            y = w.reshape(o, -1) @ cols[0]  # (O, L·N): one 2-D BLAS product
        else:
            y = np.matmul(w.reshape(groups, o // groups, -1), cols)  # (G, Og, L·N)
        y = y.reshape((o,) + tuple(out) + (n,)).transpose((nd + 1, 0) + tuple(range(1, nd + 1)))
        res = np.empty((n, o) + tuple(out), dtype=y.dtype)
        if b is None:
            np.copyto(res, y)
        else:
            np.add(y, b.reshape((o,) + (1,) * nd), out=res)  # the bias, added during the transposing copy
        ctx.save_for_backward(x, w)
        ctx.cols = cols
        ctx.config = dict(kernel=kernel, stride=stride, dilation=dilation, padding=padding, out=out, groups=groups)
        return res

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        cfg = ctx.config
        groups, nd, o = cfg["groups"], g.ndim - 2, w.shape[0]
        need_x, need_w, need_b = ctx.needs_input_grad
        if not (_xp._is_array(g) and _xp._is_array(x) and _xp._is_array(w)):
            return _conv_backward_graph(x, w, g, cfg, need_x, need_w, need_b)
        gt = np.ascontiguousarray(g.transpose((1,) + tuple(range(2, nd + 2)) + (0,)))  # (O, *out, N)
        gm = gt.reshape(groups, o // groups, -1)
        cols = ctx.cols
        gx = gw = gb = None
        if need_b:
            gb = gt.reshape(o, -1).sum(axis=1)
        if need_w:
            gw = (gm[0] @ cols[0].T if groups == 1 else np.matmul(gm, cols.transpose(0, 2, 1))).reshape(w.shape)
        if need_x:
            wm = w.reshape(groups, o // groups, -1)
            gcols = wm[0].T @ gm[0] if groups == 1 else np.matmul(wm.transpose(0, 2, 1), gm)
            gx = col2im_batch_last(gcols, x.shape, cfg["kernel"], cfg["stride"], cfg["dilation"], cfg["padding"],
                                   cfg["out"])
        return gx, gw, gb


def _conv_backward_graph(x: Any, w: Any, g: Any, cfg: dict, need_x: bool, need_w: bool, need_b: bool) -> tuple:
    """Conv's gradients as a graph (create_graph): columns by Unfold (the standard layout), Tensor products, Fold."""
    x, w, g = _as_tensor(x), _as_tensor(w), _as_tensor(g)
    groups, nd, o, n = cfg["groups"], g.ndim - 2, w.shape[0], x.shape[0]
    positions = int(np.prod(cfg["out"]))
    gm = g.reshape((n, groups, o // groups, positions)).permute((1, 2, 0, 3)).reshape((groups, o // groups, -1))
    gx = gw = gb = None
    if need_b:
        gb = g.sum(axis=(0,) + tuple(range(2, nd + 2)))
    if need_w:
        cols = Unfold.apply(x, **cfg)  # (G, Cg·k, N·L)
        gw = (gm @ cols.transpose(-1, -2)).reshape(w.shape)
    if need_x:
        gcols = w.reshape((groups, o // groups, -1)).transpose(-1, -2) @ gm
        gx = Fold.apply(gcols, shape=tuple(x.shape), **cfg)
    return gx, gw, gb


def _first_max_masks(xp: np.ndarray, y: np.ndarray, windows: tuple) -> list:
    """Per kernel offset, where that offset holds its window's first maximum (ties: the earliest offset).
    A window holding NaN has NaN as its maximum; PyTorch then routes the gradient to its last NaN."""
    taken = np.zeros(y.shape, dtype=bool)
    masks = []
    for window in windows:
        m = (xp[window] == y) & ~taken
        taken |= m
        masks.append(m)
    nan = np.isnan(y)
    if nan.any():
        taken = np.zeros(y.shape, dtype=bool)
        for k in range(len(windows) - 1, -1, -1):
            m = nan & np.isnan(xp[windows[k]]) & ~taken
            taken |= m
            masks[k] = masks[k] | m
    return masks


class MaxPool(Op):
    """y = max of each window of x (padded with -inf, windows as in im2col, channels as a batch);
    dy/dx routes each window's gradient to its first maximum (row-major order), overlapping windows add up.
    Forward and backward loop over the prod(kernel) offsets, each a strided slice over all windows."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, kernel: tuple = (), stride: tuple = (), dilation: tuple = (),
                padding: tuple = (), out: tuple = ()) -> np.ndarray:
        ctx.torch_name = f"MaxPool{len(kernel)}DWithIndicesBackward0"
        xp = _pad(x, padding, -np.inf)
        windows = _offsets(kernel, stride, dilation, out)
        y = xp[windows[0]].copy()
        for window in windows[1:]:
            np.maximum(y, xp[window], out=y)
        ctx.save_for_backward(x, y)
        ctx.config = dict(kernel=kernel, stride=stride, dilation=dilation, padding=padding, out=out)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors
        cfg = ctx.config
        kernel, stride, dilation, padding, out = (cfg[k] for k in ("kernel", "stride", "dilation", "padding", "out"))
        if not _xp._is_array(x):  # create_graph: the routing mask is a constant of x
            x, y = x._array, y._array
        xp = _pad(x, padding, -np.inf)
        windows = _offsets(kernel, stride, dilation, out)
        if _xp._is_array(g) and _disjoint(kernel, stride, dilation) and np.isfinite(g).all() \
                and not np.isnan(y).any():
            gx = _routed_to_first_max(xp, y, g, windows)
        else:
            gx = _routed_general(xp, y, g, windows, x.shape, cfg)
            if not _xp._is_array(gx):
                return gx
        crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], padding))
        return gx[(slice(None), slice(None)) + crop]


def _disjoint(kernel: tuple, stride: tuple, dilation: tuple) -> bool:
    """Whether every input position lies in at most one window, at one kernel offset (then the pooling
    gradient is written, not added): the windows do not overlap along any dim (stride ≥ d·(k - 1) + 1)."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def _routed_to_first_max(xp: np.ndarray, y: np.ndarray, g: np.ndarray, windows: tuple) -> np.ndarray:
    """Max-pool backward for disjoint windows and a finite g (y without NaN): per kernel offset, the mask of
    first maxima (m = (x == y) and no earlier offset taken) times g, written straight into its slots of dx."""
    gx = np.zeros(xp.shape, dtype=g.dtype)
    taken = None
    for window in windows:
        m = np.equal(xp[window], y)
        if taken is None:
            taken = m
        else:
            np.greater(m, taken, out=m)  # m and not taken (booleans: True > False)
            taken |= m
        np.multiply(g, m, out=gx[window])  # g finite: exactly g or ±0
    return gx


def _routed_general(xp: np.ndarray, y: np.ndarray, g: Any, windows: tuple, x_shape: tuple, cfg: dict) -> Any:
    """Max-pool backward in general: overlapping windows add up, NaN windows route to their last NaN, and
    with create_graph (g a Tensor) a differentiable Fold of the one-hot routed columns, of shape x_shape."""
    masks = _first_max_masks(xp, y, windows)
    if not _xp._is_array(g):
        n, c = x_shape[:2]
        onehot = np.stack(masks, 0).astype(xp.dtype)  # (kk, N, C, *out): im2col's layout for N·C images
        cols = (g.reshape((1,) + g.shape) * onehot).reshape((1, len(masks), -1))
        flat = Fold.apply(cols, shape=(n * c, 1) + x_shape[2:], groups=1, **cfg)
        return flat.reshape(x_shape)
    gx = np.zeros(xp.shape, dtype=g.dtype)
    zero = g.dtype.type(0)
    for window, m in zip(windows, masks):
        gx[window] += np.where(m, g, zero)
    return gx


class PadIndex(Op):
    """y = x gathered along each padded dim by an index map (reflect / replicate / circular padding:
    each output position reads one input position);  dL/dx adds each g entry back to the position it
    read (positions read more than once accumulate)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, maps: tuple = ()) -> np.ndarray:
        ctx.maps, ctx.in_shape = maps, x.shape
        for axis, idx in maps:
            x = np.take(x, idx, axis=axis)
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape = list(g.shape)
        for axis, idx in reversed(ctx.maps):
            shape[axis] = ctx.in_shape[axis]
            index = (slice(None),) * axis + (idx,)
            if _xp._is_array(g):
                out = np.zeros(tuple(shape), g.dtype)
                np.add.at(out, index, g)
                g = out
            else:
                g = scatter_into_zeros(tuple(shape), index, g)
        return g
