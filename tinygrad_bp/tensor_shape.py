"""Tensor shape and indexing: reshape/view, permute/transpose, squeeze/unsqueeze, expand, ``x[index]``, cat
and stack; split / chunk / tensor_split / unbind / narrow, movedim, flip, roll, repeat / tile /
repeat_interleave, gather / scatter / scatter_add / index_select, masked_fill / masked_select, diag /
diagonal, tril / triu, trace, and the in-place forms PyTorch has (scatter_, masked_fill_, unsqueeze_, t_).
A result that shares its input's memory is marked as a view of it (``_view_of``), so an in-place update of
the view can rebase the input (tensor_inplace.py). Attached to Tensor by ``tensor.py``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes
from . import ops as _ops
from .autograd import saved_values
from .autograd.grad_mode import _state as _grad_state
from .autograd.grad_mode import no_grad as _no_grad
from .tensor import Tensor, _as_tensor, _dim, _size_args, attach


class _Shape:
    """Holds the methods until ``attach`` copies them onto Tensor."""

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed."""
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped."""
        return self.transpose(-2, -1)

    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape (one size may be -1)."""
        shape = _size_args(shape)
        try:
            new_shape = _infer_shape(self.shape, shape)
        except ValueError as e:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {self.numel()}") from e
        return _reshape(self, new_shape)

    def view(self, *shape: Any) -> Tensor:
        """``reshape`` that never copies: refused (RuntimeError) when the memory layout needs a copy."""
        if not self._array.flags.c_contiguous:
            sizes = _size_args(shape)
            try:
                target = _infer_shape(self.shape, sizes)
            except ValueError as e:
                raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {self.numel()}") from e
            if self._array.size and not np.may_share_memory(np.reshape(self._array, target), self._array):
                raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                                   "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return self.reshape(*shape)

    def is_contiguous(self) -> bool:
        """True when the elements lie in memory in row-major order (what ``view`` needs)."""
        return self._array.flags.c_contiguous

    def contiguous(self) -> Tensor:
        """self when contiguous, else a row-major copy that stays in the graph."""
        return self if self._array.flags.c_contiguous else _ops.shape.Contiguous.apply(self)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Dims start_dim..end_dim merged into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, self.ndim, "flatten"), _dim(end_dim, self.ndim, "flatten")
        return self.reshape(self.shape[:s] + (-1,) + self.shape[e + 1:])

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """A size-1 dim inserted at dim."""
        d = _dim(dim, self.ndim + 1, "unsqueeze")
        return _reshape(self, self.shape[:d] + (1,) + self.shape[d:], "UnsqueezeBackward0")

    def squeeze(self, dim: Any = None) -> Tensor:
        """Size-1 dims removed (all, or the given ones)."""
        if dim is None:
            return _reshape(self, tuple(n for n in self.shape if n != 1), "SqueezeBackward0")
        several = isinstance(dim, (tuple, list))
        dims = {_dim(d, self.ndim, "squeeze") for d in (dim if several else (dim,))}
        shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return _reshape(self, shape, "SqueezeBackward2" if several else "SqueezeBackward1")

    def permute(self, *dims: Any) -> Tensor:
        """The dims reordered."""
        dims = _size_args(dims)
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(): number of dimensions in the tensor input does not match the length of the "
                               f"desired ordering of dimensions i.e. input.dim() = {self.ndim} is not equal to "
                               f"len(dims) = {len(dims)}")
        dims = tuple(_dim(d, self.ndim, "permute") for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return _permute(self, dims)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """Two dims swapped."""
        axes = list(range(self.ndim))
        a, b = _dim(dim0, self.ndim, "transpose"), _dim(dim1, self.ndim, "transpose")
        if self.ndim:
            axes[a], axes[b] = axes[b], axes[a]
        return _permute(self, tuple(axes), "TransposeBackward0")

    def t(self) -> Tensor:
        """The transpose of a matrix (<= 2 dims)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return _permute(self, tuple(range(self.ndim - 1, -1, -1)), "TBackward0")

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape without copying (-1 keeps a size)."""
        sizes = _size_args(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
                               f"the number of dimensions in the tensor ({self.ndim})")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
        for i, n in enumerate(self.shape):
            if n != 1 and n != shape[i + lead]:
                raise RuntimeError(f"expand: the expanded size of the tensor ({shape[i + lead]}) must match the "
                                   f"existing size ({n}) at non-singleton dimension {i + lead}. Target sizes: "
                                   f"{list(sizes)}. Tensor sizes: {list(self.shape)}")
        if shape == self.shape and not _records(self):
            return self
        return _ops.shape.Expand.apply(self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        """Broadcast to the shape of other."""
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = _index(index)
        try:
            out = _ops.shape.GetItem.apply(self, index=index)
        except IndexError as e:
            raise IndexError(f"index {index!r} is out of bounds for a tensor of shape {tuple(self.shape)}: {e}") from e
        return _mark_view(out, self, "index", index)


def _infer_shape(old: tuple, new: tuple) -> tuple:
    size = builtins.int(np.prod(old))
    if new.count(-1) > 1:
        raise ValueError("only one dimension can be inferred")
    if -1 in new:
        rest = builtins.int(np.prod([n for n in new if n != -1]))
        if rest == 0 or size % rest:
            raise ValueError("cannot infer")
        new = tuple(size // rest if n == -1 else n for n in new)
    if builtins.int(np.prod(new)) != size:
        raise ValueError("size mismatch")
    return tuple(new)


def _index(index: Any) -> Any:
    """Tensors and lists inside an index become NumPy arrays (integer-array or boolean indexing)."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._array
    if isinstance(index, list):
        return np.asarray(index) if index else np.zeros(0, np.int64)  # [] is an empty integer index, as in PyTorch
    return index


def _records(t: Tensor) -> bool:
    """True when an op on ``t`` joins the graph (a no-op reshape then still makes its node, as in PyTorch)."""
    return t.requires_grad and _grad_state.enabled


def _reshape(t: Tensor, shape: tuple, name: str = "ViewBackward0") -> Tensor:
    if shape == t.shape and not _records(t):
        return t
    return _mark_view(_ops.shape.Reshape.apply(t, shape=shape, name=name), t, "reshape", shape)


def _permute(t: Tensor, axes: tuple, name: str | None = None) -> Tensor:
    if axes == tuple(range(t.ndim)) and not _records(t):
        return t
    return _mark_view(_ops.shape.Permute.apply(t, axes=axes, name=name), t, "permute", axes)


def _mark_view(out: Tensor, base: Tensor, kind: str, arg: Any) -> Tensor:
    """Remember, on a view that shares ``base``'s memory, how it was made (``kind``: index, reshape or
    permute, with its argument), so an in-place update of the view inside a graph can rebase ``base`` and
    re-make the view, as PyTorch does. Only while grad mode is on: without a graph, writes are plain."""
    if _grad_state.enabled and out._array.base is not None and out is not base \
            and np.may_share_memory(out._array, base._array):
        out._view_of = (base, kind, arg)
    return out


def cat(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    if not builtins.len(tensors):
        raise ValueError("cat(): expected a non-empty list of Tensors")
    ts = _same_dtype([_as_tensor(t) for t in tensors], "cat")
    if builtins.any(t.shape == (0,) for t in ts):  # PyTorch's legacy rule: 1-D empty tensors are skipped
        rest = [t for t in ts if t.shape != (0,)]
        if not rest:
            return _ops.shape.Cat.apply(*ts, axis=0)
        ts = rest
    for i, t in enumerate(ts):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    axis = _dim(dim, ts[0].ndim, "cat")
    for t in ts[1:]:
        if t.ndim != ts[0].ndim or any(t.shape[i] != ts[0].shape[i] for i in range(t.ndim) if i != axis):
            raise RuntimeError(f"cat: sizes of tensors must match except in dimension {axis}; got shapes "
                               f"{[tuple(x.shape) for x in ts]}")
    return _ops.shape.Cat.apply(*ts, axis=axis)


def stack(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    ts = _same_dtype([_as_tensor(t) for t in tensors], "stack")
    axis = _dim(dim, ts[0].ndim + 1, "stack")
    if any(t.shape != ts[0].shape for t in ts):
        raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {[tuple(x.shape) for x in ts]}")
    return _ops.shape.Stack.apply(*ts, axis=axis)


def _same_dtype(ts: list, op: str) -> list:
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList" if op == "stack" else
                           f"{op}(): expected a non-empty list of Tensors")
    dt = dtypes.result_type(*[(t._array.dtype, 2 if t._array.ndim else 1) for t in ts])
    return [t.to(dt) for t in ts]


attach(_Shape)


class _Rearrange:
    """Splitting, reordering, repeating and indexing along a dim (issue 12); attached to Tensor like _Shape."""

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple:
        """Pieces of ``split_size`` along dim (the last may be smaller), or of the given sizes (a list)."""
        d = _dim(dim, self.ndim, "split")
        n = self.shape[d]
        if isinstance(split_size, (list, tuple)):
            sizes = [builtins.int(k) for k in split_size]
            if builtins.sum(sizes) != n or builtins.any(k < 0 for k in sizes):
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                                   f"at dimension {d}), but got split_sizes={sizes}")
            return _pieces(self, d, sizes, "SplitWithSizesBackward0")
        k = builtins.int(split_size)
        if k < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={k}")
        if k == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [builtins.min(k, n - i) for i in range(0, n, k)] if n else [0]
        return _pieces(self, d, sizes, "SplitBackward0")

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        """At most ``chunks`` pieces of equal size ceil(n / chunks) along dim (the last may be smaller)."""
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        d = _dim(dim, self.ndim, "chunk")
        return self.split(max(-(-self.shape[d] // chunks), 1), d)

    def tensor_split(self, indices_or_sections: Any, dim: builtins.int = 0) -> tuple:
        """``sections`` pieces whose sizes differ by at most one (the first n % sections one larger), or the
        pieces between the given indices along dim (as ``numpy.array_split``)."""
        d = _dim(dim, self.ndim, "tensor_split")
        arg = indices_or_sections
        if isinstance(arg, Tensor):
            arg = arg.item() if arg.ndim == 0 else arg.tolist()
        n = self.shape[d]
        if isinstance(arg, (list, tuple)):
            bounds = [0, *(builtins.int(i) for i in arg), n]
        else:
            if arg <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {arg}")
            size, extra = divmod(n, arg)
            bounds = [0, *np.cumsum([size + (i < extra) for i in range(arg)]).tolist()]
        lead = (slice(None),) * d
        return tuple(_slice(self, lead + (slice(a, b),), "SliceBackward0") for a, b in zip(bounds, bounds[1:]))

    def unbind(self, dim: builtins.int = 0) -> tuple:
        """The slices along dim, that dim removed."""
        d = _dim(dim, self.ndim, "unbind")
        lead = (slice(None),) * d
        return tuple(_slice(self, lead + (i,), "UnbindBackward0") for i in range(self.shape[d]))

    def narrow(self, dim: builtins.int, start: Any, length: builtins.int) -> Tensor:
        """The ``length`` entries from ``start`` along dim (a view)."""
        d = _dim(dim, self.ndim, "narrow")
        n = self.shape[d]
        start = builtins.int(start)
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        start %= builtins.max(n, 1) if start < 0 else n + 1
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        if start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return _slice(self, (slice(None),) * d + (slice(start, start + length),), "SliceBackward0")

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """The dims ``source`` moved to the positions ``destination`` (ints or sequences), the others kept in
        order."""
        src = list(source) if isinstance(source, (list, tuple)) else [source]
        dst = list(destination) if isinstance(destination, (list, tuple)) else [destination]
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
                               f"the same number of dims as destination ({dst} dims)")
        src = [_dim(d, self.ndim, "movedim") for d in src]
        dst = [_dim(d, self.ndim, "movedim") for d in dst]
        for name, dims in (("source", src), ("destination", dst)):
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
        rest = iter(d for d in range(self.ndim) if d not in src)
        where = dict(zip(dst, src))
        return _permute(self, tuple(where[i] if i in where else next(rest) for i in range(self.ndim)),
                        "PermuteBackward0")

    moveaxis = movedim

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        """``transpose(axis0, axis1)`` (NumPy's name)."""
        return self.transpose(axis0, axis1)

    def swapdims(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """``transpose(dim0, dim1)``."""
        return self.transpose(dim0, dim1)

    def flip(self, *dims: Any, **kwargs: Any) -> Tensor:
        """The entries in reverse order along each of dims (a copy, as in PyTorch): ``flip(0, 1)`` or
        ``flip(dims=[0, 1])``."""
        dims = _sizes_or_keyword(dims, kwargs, "dims", "flip")
        axes = tuple(_dim(d, self.ndim, "flip") for d in dims)
        for a in axes:
            if axes.count(a) > 1:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        return _ops.indexing.Flip.apply(self, dims=axes)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """The entries shifted cyclically by ``shifts`` along dims (over the flattened tensor when dims is
        None, keeping the shape)."""
        several = isinstance(shifts, (list, tuple))
        shift = tuple(builtins.int(s) for s in shifts) if several else builtins.int(shifts)
        if dims is None:
            if several and len(shift) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift)}, dims:0")
            return _ops.indexing.Roll.apply(self, shifts=shift[0] if several else shift, dims=None)
        axes = tuple(_dim(d, self.ndim, "roll") for d in (dims if isinstance(dims, (list, tuple)) else (dims,)))
        shift = shift if several else (shift,)
        if len(shift) != len(axes):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift)}, dims:{len(axes)}")
        return _ops.indexing.Roll.apply(self, shifts=shift, dims=axes)

    def repeat(self, *repeats: Any, **kwargs: Any) -> Tensor:
        """The tensor tiled ``repeats[i]`` times along dim i (leading new dims when repeats is longer)."""
        reps = _sizes_or_keyword(repeats, kwargs, "repeats", "repeat")
        if len(reps) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                               "of tensor")
        if builtins.any(r < 0 for r in reps):
            raise RuntimeError(f"Trying to create tensor with negative dimension: repeats {list(reps)}")
        return _ops.indexing.Repeat.apply(self, repeats=reps)

    def tile(self, *dims: Any, **kwargs: Any) -> Tensor:
        """``repeat``, with ``dims`` padded by leading 1s when shorter than the tensor's dims."""
        reps = _sizes_or_keyword(dims, kwargs, "dims", "tile")
        return self.repeat((1,) * (self.ndim - len(reps)) + reps)

    def repeat_interleave(self, repeats: Any = None, dim: Any = None, *, output_size: Any = None) -> Tensor:
        """Each entry repeated ``repeats`` times (an int, or one count per entry) along dim (of the flattened
        tensor when dim is None)."""
        if repeats is None:  # tb.repeat_interleave(counts): 0..n-1, each index repeated counts[i] times
            counts = self._array
            return Tensor._make(np.repeat(np.arange(counts.size), counts).astype(np.int64))
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else _dim(dim, self.ndim, "repeat_interleave")
        counts = repeats._array if isinstance(repeats, Tensor) else np.asarray(repeats)
        if counts.ndim == 0 and not isinstance(repeats, Tensor):
            k = builtins.int(counts)
            if k < 0:
                raise RuntimeError("repeat_interleave: repeats can not be negative")
            shape = x.shape[:d + 1] + (k,) + x.shape[d + 1:]
            out_shape = x.shape[:d] + (x.shape[d] * k,) + x.shape[d + 1:]
            return x.unsqueeze(d + 1).expand(shape).contiguous().reshape(out_shape)
        counts = np.broadcast_to(counts.reshape(-1), (x.shape[d],)) if counts.size == 1 else counts
        if counts.ndim != 1 or counts.shape[0] != x.shape[d]:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size({d}) = {x.shape[d]}")
        if (counts < 0).any():
            raise RuntimeError("repeats can not be negative")
        return x.index_select(d, Tensor._make(np.repeat(np.arange(x.shape[d]), counts)))

    def gather(self, dim: builtins.int, index: Any, *, sparse_grad: builtins.bool = False) -> Tensor:
        """out[i][j][k] = self[index[i][j][k]][j][k] (dim 0): the entries named by ``index`` along dim."""
        d = _dim(dim, self.ndim, "gather")
        idx = _index_along(self, d, index, "gather")
        return _ops.indexing.Gather.apply(self, dim=d, index=idx)

    def scatter(self, dim: builtins.int, index: Any, src: Any = None, value: Any = None, *,
                reduce: Any = None) -> Tensor:
        """A copy with ``src`` (a tensor, or the number ``value``) written at ``index`` along dim:
        out[index[i][j][k]][j][k] = src[i][j][k] (dim 0)."""
        d, idx, src, value = _scatter_args(self, dim, index, src, value, reduce, "scatter")
        if src is None:
            return _ops.indexing.Scatter.apply(self, dim=d, index=idx, value=value)
        return _ops.indexing.Scatter.apply(self, src, dim=d, index=idx)

    def scatter_add(self, dim: builtins.int, index: Any, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along dim (repeated indices accumulate)."""
        d, idx, src, _ = _scatter_args(self, dim, index, src, None, None, "scatter_add")
        if src is None:
            raise TypeError("scatter_add(): argument 'src' must be Tensor, not a number")
        return _ops.indexing.ScatterAdd.apply(self, src, dim=d, index=idx)

    def scatter_(self, dim: builtins.int, index: Any, src: Any = None, value: Any = None, *,
                 reduce: Any = None) -> Tensor:
        """``scatter`` in place."""
        return _update(self, "scatter_", lambda t: t.scatter(dim, index, src, value, reduce=reduce), src)

    def scatter_add_(self, dim: builtins.int, index: Any, src: Tensor) -> Tensor:
        """``scatter_add`` in place."""
        return _update(self, "scatter_add_", lambda t: t.scatter_add(dim, index, src), src)

    def index_select(self, dim: builtins.int, index: Any) -> Tensor:
        """The entries at the positions ``index`` (1-D, int64 or int32) along dim."""
        d = _dim(dim, self.ndim, "index_select")
        idx = index._array if isinstance(index, Tensor) else np.asarray(index)
        if idx.dtype not in (np.int64, np.int32):
            raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got {idx.dtype}")
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)].flat[0]
            raise RuntimeError(f"index_select(): INDICES element is out of DATA bounds, id={bad} axis_dim={n} "
                               f"(index out of range in self, dim {d})")
        if self.ndim == 0:
            return self.reshape(idx.shape) if idx.size else self.reshape(0)
        return _ops.indexing.IndexSelect.apply(self, dim=d, index=idx.reshape(-1).astype(np.intp))

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """A copy with ``value`` wherever ``mask`` (bool, broadcast with self) is True."""
        m = _bool_mask(mask, "masked_fill")
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value.ndim} dimension(s).")
            if value.requires_grad and _grad_state.enabled:
                return _ops.elementwise.Where.apply(m, value.to(self.dtype), self)  # value gets a gradient too
            value = value.item()
        try:
            return _ops.indexing.MaskedFill.apply(self, mask=m, value=value)
        except ValueError as e:
            raise RuntimeError(f"masked_fill: the mask of shape {m.shape} does not broadcast with the tensor of "
                               f"shape {tuple(self.shape)}") from e

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """``masked_fill`` in place (the mask must broadcast to self's shape)."""
        m = _bool_mask(mask, "masked_fill_")
        if np.broadcast_shapes(m.shape, self.shape) != tuple(self.shape):
            raise RuntimeError(f"masked_fill_: the mask of shape {m.shape} does not broadcast to the tensor's shape "
                               f"{tuple(self.shape)}")
        return _update(self, "masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def masked_select(self, mask: Tensor) -> Tensor:
        """The entries where ``mask`` (bool, broadcast with self) is True, as a 1-D tensor."""
        m = _bool_mask(mask, "masked_select")
        try:
            shape = np.broadcast_shapes(m.shape, self.shape)
        except ValueError as e:
            raise RuntimeError(f"masked_select: the mask of shape {m.shape} does not broadcast with the tensor of "
                               f"shape {tuple(self.shape)}") from e
        x = self.expand(shape) if shape != self.shape else self
        return _ops.shape.GetItem.apply(x, index=np.broadcast_to(m, shape), name="MaskedSelectBackward0")

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        """1-D: the square matrix with self on its ``diagonal``-th diagonal; 2-D: that diagonal, as 1-D."""
        if self.ndim == 1:
            n = self.shape[0] + builtins.abs(diagonal)
            return _ops.indexing.DiagEmbed.apply(self, shape=(n, n), offset=diagonal, dim1=0, dim2=1)
        if self.ndim != 2:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        return _ops.indexing.Diagonal.apply(self, offset=diagonal, dim1=0, dim2=1, name="DiagonalBackward0_copy")

    def diagonal(self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1) -> Tensor:
        """The ``offset``-th diagonal over dim1 and dim2, appended as the last dim."""
        if self.ndim < 2:
            raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got {self.ndim}")
        a, b = _dim(dim1, self.ndim, "diagonal"), _dim(dim2, self.ndim, "diagonal")
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return _ops.indexing.Diagonal.apply(self, offset=offset, dim1=a, dim2=b)

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        """The lower triangle (entries j - i <= diagonal) of the last two dims, the rest zeroed."""
        return _triangle(self, diagonal, False)

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        """The upper triangle (entries j - i >= diagonal) of the last two dims, the rest zeroed."""
        return _triangle(self, diagonal, True)

    def trace(self) -> Tensor:
        """The sum of the main diagonal of a matrix."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        out = _ops.indexing.Trace.apply(self)
        return out if self.dtype.kind in "fc" else out.to(np.int64)

    def unsqueeze_(self, dim: builtins.int) -> Tensor:
        """``unsqueeze`` in place: self gets the new shape."""
        d = _dim(dim, self.ndim + 1, "unsqueeze_")
        return _reshape_(self, "unsqueeze_", lambda t: _reshape(t, t.shape[:d] + (1,) + t.shape[d:],
                                                               "UnsqueezeBackward1"))

    def squeeze_(self, dim: Any = None) -> Tensor:
        """``squeeze`` in place: self gets the new shape."""
        if dim is None:
            name = "SqueezeBackward3"
        else:
            name = "SqueezeBackward5" if isinstance(dim, (tuple, list)) else "SqueezeBackward4"
        return _reshape_(self, "squeeze_", lambda t: _reshape(t, t.squeeze(dim).shape, name))

    def t_(self) -> Tensor:
        """``t`` in place."""
        self.t()  # its checks
        return _reshape_(self, "t_", lambda t: _permute(t, tuple(range(t.ndim - 1, -1, -1)), "TBackward1"))

    def transpose_(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """``transpose`` in place."""
        a, b = _dim(dim0, self.ndim, "transpose_"), _dim(dim1, self.ndim, "transpose_")
        axes = list(range(self.ndim))
        if self.ndim:
            axes[a], axes[b] = axes[b], axes[a]
        return _reshape_(self, "transpose_", lambda t: _permute(t, tuple(axes), "TransposeBackward1"))


attach(_Rearrange)


def _sizes_or_keyword(args: tuple, kwargs: dict, name: str, op: str) -> tuple:
    """Sizes given as f(2, 3), f((2, 3)) or f(name=(2, 3)), as PyTorch's methods take them."""
    if kwargs:
        if args or set(kwargs) != {name}:
            raise TypeError(f"{op}() got unexpected keyword arguments {sorted(kwargs)} (takes {name}=)")
        args = (kwargs[name],)
    return _size_args(args)


def _slice(t: Tensor, index: tuple, name: str) -> Tensor:
    return _mark_view(_ops.shape.GetItem.apply(t, index=index, name=name), t, "index", index)


def _pieces(t: Tensor, d: builtins.int, sizes: list, name: str) -> tuple:
    bounds = np.cumsum([0, *sizes]).tolist()
    lead = (slice(None),) * d
    return tuple(_slice(t, lead + (slice(a, b),), name) for a, b in zip(bounds, bounds[1:]))


def _index_along(t: Tensor, d: builtins.int, index: Any, op: str, src: Any = None) -> np.ndarray:
    """``index`` checked as PyTorch checks it for gather / scatter (int64, same ndim, sizes, bounds)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._array
    if idx.dtype != np.int64:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    if idx.ndim != t.ndim and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(idx.ndim):
        if (k != d and idx.shape[k] > t.shape[k]) or (src is not None and idx.shape[k] > src.shape[k]):
            extra = "" if src is None else f" and to be no larger size than src {list(src.shape)}"
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(t.shape)} apart from dimension {d}{extra}")
    n = t.shape[d] if t.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {d} with size {n}")
    return idx % n if idx.size and idx.min() < 0 else idx


def _scatter_args(t: Tensor, dim: Any, index: Any, src: Any, value: Any, reduce: Any, op: str) -> tuple:
    if reduce is not None:
        raise NotImplementedError(f"{op}(): reduce={reduce!r} is not supported by tinygrad_bp; use scatter_add "
                                  "for reduce='add'")
    if src is not None and value is not None:
        raise TypeError(f"{op}(): give src or value, not both")
    if src is None and value is None:
        raise TypeError(f"{op}() missing 1 required positional argument: 'src' (or 'value')")
    if not isinstance(src, Tensor) and src is not None:
        src, value = None, src  # scatter(dim, index, 1.5): the scalar form
    if isinstance(value, Tensor):
        value = value.item()
    d = _dim(dim, t.ndim, op)
    if src is not None and src.dtype != t.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (got {t.dtype} and {src.dtype})")
    return d, _index_along(t, d, index, op, src), src, value


def _bool_mask(mask: Any, op: str) -> np.ndarray:
    m = mask._array if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask, but got mask with dtype {m.dtype} ({op} only "
                           "supports boolean masks)")
    return m


def _triangle(t: Tensor, diagonal: builtins.int, upper: builtins.bool) -> Tensor:
    if t.ndim < 2:
        raise RuntimeError(f"{'triu' if upper else 'tril'}: input tensor must have at least 2 dimensions")
    return _ops.indexing.Triangle.apply(t, diagonal=diagonal, upper=upper)


def _leaf_check(t: Tensor, op: str) -> None:
    if _grad_state.enabled and t.requires_grad and t.grad_fn is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation.")


def _update(t: Tensor, op: str, make: Any, other: Any) -> Tensor:
    """t ← make(t) in place, where make is an out-of-place op of t: inside a graph the new value is computed
    first (an error leaves t unchanged), written into t's memory and t's grad_fn moves to its node; a view
    rebases the tensor it views (through copy_)."""
    _leaf_check(t, op)
    new = make(t)
    if new.shape != t.shape:
        raise RuntimeError(f"{op}: output with shape {list(t.shape)} doesn't match the broadcast shape "
                           f"{list(new.shape)}")
    if not (_grad_state.enabled and new.requires_grad):
        with _no_grad():
            return t.copy_(new)
    if "_view_of" in t.__dict__ or (t.grad_fn is not None and t.grad_fn.view and t._array.base is not None):
        return t.copy_(new)  # the view path of the in-place machinery (tensor_inplace.py)
    try:
        np.copyto(t._array, new._array)
    except ValueError as e:  # a read-only broadcast view (expand)
        raise RuntimeError(f"{op}: unsupported operation: more than one element of the written-to tensor refers to "
                           "a single memory location. Please clone() the tensor before performing the "
                           "operation.") from e
    t.grad_fn, t.requires_grad = new.grad_fn, True
    saved_values.bump(t)
    return t


def _reshape_(t: Tensor, op: str, make: Any) -> Tensor:
    """An in-place shape change (unsqueeze_, squeeze_, t_, transpose_): t takes the shape (and, inside a graph,
    the grad_fn) of the view ``make(t)``, as PyTorch does for a non-leaf; refused on a leaf that requires grad."""
    _leaf_check(t, op)
    new = make(t)
    t._array = new._array
    if _grad_state.enabled and t.requires_grad:
        t.grad_fn = new.grad_fn
    t.__dict__.pop("_view_of", None)  # its recipe no longer gives t's shape
    saved_values.bump(t)
    return t




# the methods that are also top-level functions (tb.reshape(x, shape), ...), and the functions that are not methods
def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input.reshape(shape)``: the same values in a new shape (one size may be -1)."""
    return _as_tensor(input).reshape(shape)


FUNCTIONS = ("flatten", "squeeze", "unsqueeze", "permute", "transpose", "t", "chunk", "tensor_split", "unbind",
             "narrow", "movedim", "moveaxis", "swapaxes", "swapdims", "flip", "roll", "tile", "repeat_interleave",
             "gather", "scatter", "scatter_add", "index_select", "masked_fill", "masked_select", "diag", "diagonal",
             "tril", "triu", "trace")
FREE_FUNCTIONS = (cat, stack, reshape)
