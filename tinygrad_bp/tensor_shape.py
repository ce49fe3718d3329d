"""Tensor shape and indexing: reshape/view, permute/transpose, squeeze/unsqueeze, expand, ``x[index]``, cat
and stack. A result that shares its input's memory is marked as a view of it (``_view_of``), so an in-place
update of the view can rebase the input (tensor_inplace.py). Attached to Tensor by ``tensor.py``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes
from . import ops as _ops
from .autograd.grad_mode import _state as _grad_state
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


# the methods that are also top-level functions (tb.reshape(x, shape), ...), and the functions that are not methods
def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input.reshape(shape)``: the same values in a new shape (one size may be -1)."""
    return _as_tensor(input).reshape(shape)


FUNCTIONS = ("flatten",)
FREE_FUNCTIONS = (cat, stack, reshape)
