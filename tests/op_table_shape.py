"""Rows of the op table (tests/op_table.py) for the shape ops of the tensor API (issue 12), added to OPS there:
split / chunk / tensor_split / unbind / narrow, movedim and friends, flip, roll, repeat / tile /
repeat_interleave, gather / scatter / scatter_add / index_select, masked_fill / masked_select, diag /
diagonal, tril / triu, trace, the in-place forms, einsum and the rest of tb.functional.

Ops that return several tensors (split, unbind, meshgrid, ...) are checked through one tensor made of all
the pieces, each scaled by a different weight, so every piece's gradient is checked."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from op_table import INT_BOOL, OpInfo, Sample, case, fixed, function, method, normal, same, with_function

ROWS: list[OpInfo] = []


def _cat_weighted(lib: Any, pieces: Any, dim: int) -> Any:
    return lib.cat([p * (i + 1) for i, p in enumerate(pieces)], dim)


def _np_cat_weighted(pieces: Any, dim: int) -> np.ndarray:
    return np.concatenate([p * (i + 1) for i, p in enumerate(pieces)], axis=dim)


def _stack_weighted(lib: Any, pieces: Any, dim: int = 0) -> Any:
    return lib.stack([p * (i + 1) for i, p in enumerate(pieces)], dim)


def _np_split(a: np.ndarray, size: Any, dim: int) -> list:
    n = a.shape[dim]
    sizes = list(size) if isinstance(size, (list, tuple)) else [min(size, n - i) for i in range(0, n, size)]
    return np.split(a, np.cumsum(sizes)[:-1], axis=dim)


def _along(index: np.ndarray, dim: int) -> tuple:
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _tensor_kw(lib: Any, kwargs: dict, *names: str) -> dict:
    """kwargs with the named NumPy arrays as tensors of lib (index tensors, masks)."""
    return {k: lib.tensor(v) if k in names else v for k, v in kwargs.items()}


def _scatter_ref(a: np.ndarray, src: np.ndarray | None = None, dim: int = 0, index: Any = None,
                 value: Any = None) -> np.ndarray:
    out = a.copy()
    out[_along(index, dim)] = value if src is None else src[tuple(slice(0, n) for n in index.shape)]
    return out


def _scatter_add_ref(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = a.copy()
    np.add.at(out, _along(index, dim), src[tuple(slice(0, n) for n in index.shape)])
    return out


def _index_samples(rng: np.random.Generator) -> Iterator[Sample]:
    """gather: (x shape, dim, index shape); indices valid along dim, negative dims included."""
    for shape, dim, ishape in [((3, 4), 0, (2, 4)), ((3, 4), 1, (3, 6)), ((2, 3, 4), -1, (2, 2, 3)), ((5,), 0, (3,))]:
        index = rng.integers(0, shape[dim], ishape).astype(np.int64)
        yield Sample((normal(rng, shape),), {"dim": dim, "index": index})


def _scatter_samples(rng: np.random.Generator) -> Iterator[Sample]:
    """scatter with src: distinct positions along dim (PyTorch leaves the winner of a tie unspecified)."""
    for shape, dim, ishape, sshape in [((3, 4), 0, (2, 4), (2, 4)), ((3, 5), 1, (2, 3), (2, 3)),
                                       ((2, 3, 4), -1, (2, 3, 2), (2, 3, 2))]:
        d = dim % len(shape)
        moved = np.moveaxis(np.zeros(ishape, np.int64), d, 0)
        for pos in np.ndindex(moved.shape[1:]):
            moved[(slice(None),) + pos] = rng.permutation(shape[d])[: ishape[d]]
        yield Sample((normal(rng, shape), normal(rng, sshape)), {"dim": dim, "index": np.moveaxis(moved, 0, d)})


def _scatter_value_samples(rng: np.random.Generator) -> Iterator[Sample]:
    for sample in _scatter_samples(rng):
        yield Sample(sample.inputs[:1], {**sample.kwargs, "value": 1.5})


def _scatter_add_samples(rng: np.random.Generator) -> Iterator[Sample]:
    """scatter_add: repeated indices accumulate."""
    for shape, dim, ishape, sshape in [((3, 4), 0, (4, 4), (4, 4)), ((3, 5), -1, (3, 7), (3, 7)),
                                       ((4,), 0, (6,), (6,))]:
        index = rng.integers(0, shape[dim], ishape).astype(np.int64)
        yield Sample((normal(rng, shape), normal(rng, sshape)), {"dim": dim, "index": index})


def _mask_samples(rng: np.random.Generator) -> Iterator[Sample]:
    for shape, mshape in [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1))]:
        yield Sample((normal(rng, shape),), {"mask": rng.random(mshape) > 0.5})


def _einsum_row(equation: str, *shapes: tuple, variant: str, as_list: bool = False) -> OpInfo:
    def fn(lib: Any, *ts: Any) -> Any:
        return lib.einsum(equation, list(ts)) if as_list else lib.einsum(equation, *ts)
    return OpInfo("einsum", fn, fixed(case(*shapes)), ref=lambda *arrays: np.einsum(equation, *arrays),
                  variant=variant)


def _quiet(call: Any) -> Any:
    """A call whose (PyTorch-like) deprecation warning is expected."""
    def quiet(lib: Any, *ts: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call(lib, *ts, **kwargs)
    return quiet


def _cdist_ref(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])
    return diff.max(-1) if p == np.inf else (diff ** p).sum(-1) ** (1 / p)


def _block_diag_ref(*arrays: np.ndarray) -> np.ndarray:
    blocks = [a.reshape((1,) * (2 - a.ndim) + a.shape) for a in arrays]
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)))
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


def _triangles(rng: np.random.Generator) -> Iterator[Sample]:
    for shape, k in [((3, 4), 0), ((2, 3, 4), -1), ((4, 3), 1)]:
        yield Sample((normal(rng, shape),), {"diagonal": k})


ROWS += [
    # -------------------------------------------------------------- pieces: split, chunk, tensor_split, unbind
    OpInfo("split", lambda lib, x, size, dim: _cat_weighted(lib, x.split(size, dim), dim),
           fixed(case((4, 5), size=2, dim=1), case((4, 5), size=[1, 3], dim=0), case((6,), size=4, dim=-1)),
           ref=lambda a, size, dim: _np_cat_weighted(_np_split(a, size, dim), dim)),
    OpInfo("split", lambda lib, x, size, dim: lib.split(x, size, dim)[-1],
           fixed(case((4, 5), size=2, dim=1), case((4, 5), size=[1, 3], dim=0)),
           ref=lambda a, size, dim: _np_split(a, size, dim)[-1], variant="function"),
    OpInfo("split", lambda lib, x: lib.functional.split(x, [2, 1], 0)[0] * 1, fixed(case((3, 2))),
           ref=lambda a: a[:2], variant="functional", torch=False),
    OpInfo("chunk", lambda lib, x, chunks, dim: _cat_weighted(lib, lib.chunk(x, chunks, dim), dim),
           fixed(case((5, 4), chunks=2, dim=0)),
           ref=lambda a, chunks, dim: _np_cat_weighted(_np_split(a, -(-a.shape[dim] // chunks), dim), dim),
           variant="function"),
    OpInfo("chunk", lambda lib, x, chunks, dim: _cat_weighted(lib, x.chunk(chunks, dim), dim),
           fixed(case((5, 4), chunks=2, dim=0), case((3, 6), chunks=4, dim=-1)),
           ref=lambda a, chunks, dim: _np_cat_weighted(_np_split(a, -(-a.shape[dim] // chunks), dim), dim),
           variant="method"),
    OpInfo("tensor_split", lambda lib, x, sections, dim: _cat_weighted(lib, x.tensor_split(sections, dim), dim),
           fixed(case((7, 3), sections=3, dim=0), case((3, 6), sections=[1, 4], dim=1)),
           ref=lambda a, sections, dim: _np_cat_weighted(np.array_split(a, sections, axis=dim), dim)),
    OpInfo("tensor_split", lambda lib, x: lib.tensor_split(x, lib.tensor([1, 3]), 1)[1], fixed(case((3, 6))),
           ref=lambda a: a[:, 1:3], variant="function"),
    OpInfo("unbind", lambda lib, x, dim: _stack_weighted(lib, x.unbind(dim), dim),
           fixed(case((3, 4), dim=1), case((2, 3), dim=0), case((2, 3, 2), dim=-1)),
           ref=lambda a, dim: np.stack([p * (i + 1) for i, p in enumerate(np.moveaxis(a, dim, 0))], dim)),
    OpInfo("unbind", lambda lib, x: lib.unbind(x, 1)[2], fixed(case((3, 4))), ref=lambda a: a[:, 2],
           variant="function"),
    *with_function(OpInfo("narrow", method("narrow"),
                          fixed(case((4, 5), dim=1, start=1, length=3), case((4, 5), dim=-2, start=-3, length=2)),
                          ref=lambda a, dim, start, length: np.moveaxis(
                              np.moveaxis(a, dim, 0)[start % a.shape[dim]:][:length], 0, dim),
                          dtypes=INT_BOOL, result_dtype=same)),
    # -------------------------------------------------------------- reordering: movedim, swapaxes, flip, roll
    *[row for name in ("movedim", "moveaxis") for row in with_function(OpInfo(
        name, method(name), fixed(case((2, 3, 4), source=0, destination=-1),
                                  case((2, 3, 4), source=(0, 1), destination=(2, 0))),
        ref=lambda a, source, destination: np.moveaxis(a, source, destination), dtypes=INT_BOOL,
        result_dtype=same))],
    *with_function(OpInfo("swapaxes", method("swapaxes"), fixed(case((2, 3, 4), axis0=0, axis1=-1)),
                          ref=lambda a, axis0, axis1: np.swapaxes(a, axis0, axis1)), samples=1),
    *with_function(OpInfo("swapdims", method("swapdims"), fixed(case((2, 3), dim0=1, dim1=0)),
                          ref=lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1)), samples=1),
    *with_function(OpInfo("flip", method("flip"), fixed(case((2, 3, 4), dims=(0, 2)), case((3,), dims=[-1]),
                                                        case((2, 3), dims=())),
                          ref=lambda a, dims: np.flip(a, tuple(dims)), dtypes=INT_BOOL, result_dtype=same)),
    OpInfo("flip", lambda lib, x: x.flip(0, 1), fixed(case((2, 3))), ref=lambda a: a[::-1, ::-1],
           variant="varargs"),
    *with_function(OpInfo("roll", method("roll"), fixed(case((3, 4), shifts=1, dims=0),
                                                        case((3, 4), shifts=(1, -2), dims=(0, 1)),
                                                        case((3, 4), shifts=5)),
                          ref=lambda a, shifts, dims=None: np.roll(a, shifts, dims), dtypes=INT_BOOL,
                          result_dtype=same)),
    # -------------------------------------------------------------- copies: repeat, tile, repeat_interleave
    OpInfo("repeat", lambda lib, x, sizes: x.repeat(sizes),
           fixed(case((2, 3), sizes=(2, 1)), case((2, 3), sizes=(2, 1, 3)), case((3,), sizes=(2, 2)),
                 case((), sizes=(3,))),
           ref=lambda a, sizes: np.tile(a, sizes), dtypes=INT_BOOL, result_dtype=same),
    OpInfo("repeat", lambda lib, x: x.repeat(2, 2), fixed(case((2, 3))), ref=lambda a: np.tile(a, (2, 2)),
           variant="varargs"),
    *with_function(OpInfo("tile", method("tile"), fixed(case((2, 3), dims=(2,)), case((3,), dims=(2, 2))),
                          ref=lambda a, dims: np.tile(a, dims))),
    *with_function(OpInfo("repeat_interleave", method("repeat_interleave"),
                          fixed(case((2, 3), repeats=2, dim=1), case((2, 3), repeats=2),
                                case((2, 3), repeats=3, dim=0)),
                          ref=lambda a, repeats, dim=None: np.repeat(a, repeats, axis=dim))),
    OpInfo("repeat_interleave", lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=1),
           fixed(case((2, 3))), ref=lambda a: np.repeat(a, [1, 0, 2], axis=1), variant="counts"),
    # -------------------------------------------------------------- gather, scatter, index_select
    OpInfo("gather", lambda lib, x, dim, index: x.gather(dim, lib.tensor(index)), _index_samples,
           ref=lambda a, dim, index: a[_along(index, dim)], dtypes=INT_BOOL, result_dtype=same),
    OpInfo("gather", lambda lib, x, dim, index: lib.gather(x, dim, lib.tensor(index)), _index_samples,
           ref=lambda a, dim, index: a[_along(index, dim)], variant="function", max_samples=2),
    OpInfo("scatter", lambda lib, x, src, dim, index: x.scatter(dim, lib.tensor(index), src),
           _scatter_samples, ref=lambda a, src, dim, index: _scatter_ref(a, src, dim, index)),
    OpInfo("scatter", lambda lib, x, src, dim, index: lib.scatter(x, dim, lib.tensor(index), src),
           _scatter_samples, ref=lambda a, src, dim, index: _scatter_ref(a, src, dim, index), variant="function",
           max_samples=1),
    OpInfo("scatter", lambda lib, x, dim, index, value: x.scatter(dim, lib.tensor(index), value=value),
           _scatter_value_samples, ref=lambda a, dim, index, value: _scatter_ref(a, None, dim, index, value),
           variant="value"),
    OpInfo("scatter", lambda lib, x, dim, index, value: x.scatter(dim, lib.tensor(index), value),
           _scatter_value_samples, ref=lambda a, dim, index, value: _scatter_ref(a, None, dim, index, value),
           variant="scalar_src", max_samples=1),
    OpInfo("scatter_add", lambda lib, x, src, dim, index: x.scatter_add(dim, lib.tensor(index), src),
           _scatter_add_samples, ref=_scatter_add_ref),
    OpInfo("scatter_add", lambda lib, x, src, dim, index: lib.scatter_add(x, dim, lib.tensor(index), src),
           _scatter_add_samples, ref=_scatter_add_ref, variant="function", max_samples=1),
    OpInfo("scatter_", lambda lib, x, src, dim, index: (x * 1).scatter_(dim, lib.tensor(index), src),
           _scatter_samples, ref=lambda a, src, dim, index: _scatter_ref(a, src, dim, index)),
    OpInfo("scatter_", lambda lib, x, dim, index, value: (x * 1).scatter_(dim, lib.tensor(index), value),
           _scatter_value_samples, ref=lambda a, dim, index, value: _scatter_ref(a, None, dim, index, value),
           variant="value", max_samples=2),
    OpInfo("scatter_add_", lambda lib, x, src, dim, index: (x * 1).scatter_add_(dim, lib.tensor(index), src),
           _scatter_add_samples, ref=_scatter_add_ref),
    OpInfo("index_select", lambda lib, x: lib.index_select(x, 0, lib.tensor([1, 1])), fixed(case((3, 2))),
           ref=lambda a: a[[1, 1]], variant="function"),
    OpInfo("index_select", lambda lib, x, dim, index: x.index_select(dim, lib.tensor(index)),
                          fixed(case((3, 4), dim=1, index=np.array([0, 2, 2])),
                                case((3, 4), dim=-2, index=np.array([2, 0])),
                                case((5,), dim=0, index=np.array([4, 4, 1, 0]))),
                          ref=lambda a, dim, index: np.take(a, index, axis=dim), dtypes=INT_BOOL, result_dtype=same),
    # -------------------------------------------------------------- masks
    OpInfo("masked_fill", lambda lib, x, mask: x.masked_fill(lib.tensor(mask), 0.5), _mask_samples,
           ref=lambda a, mask: np.where(mask, 0.5, a)),
    OpInfo("masked_fill", lambda lib, x, mask: lib.masked_fill(x, lib.tensor(mask), -1), _mask_samples,
           ref=lambda a, mask: np.where(mask, -1.0, a), variant="function", max_samples=1),
    OpInfo("masked_fill", lambda lib, x, v, mask: x.masked_fill(lib.tensor(mask), v.sum()), fixed(
        case((3, 4), (2,), mask=np.array([True, False, False, True]))),
        ref=lambda a, v, mask: np.where(mask, v.sum(), a), variant="tensor_value"),
    OpInfo("masked_fill_", lambda lib, x, mask: (x * 1).masked_fill_(lib.tensor(mask), -2.0),
           lambda rng: (s for s in _mask_samples(rng) if s.kwargs["mask"].ndim <= s.inputs[0].ndim
                        and np.broadcast_shapes(s.kwargs["mask"].shape, s.inputs[0].shape) == s.inputs[0].shape),
           ref=lambda a, mask: np.where(mask, -2.0, a)),
    OpInfo("masked_select", lambda lib, x, mask: x.masked_select(lib.tensor(mask)), _mask_samples,
           ref=lambda a, mask: np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape))[
               np.broadcast_to(mask, np.broadcast_shapes(a.shape, mask.shape))]),
    OpInfo("masked_select", lambda lib, x: lib.masked_select(x, x.detach() > 0), fixed(case((3, 4))),
           ref=lambda a: a[a > 0], variant="function"),
    # -------------------------------------------------------------- diagonals and triangles
    *with_function(OpInfo("diag", method("diag"), fixed(case((4,)), case((4,), diagonal=1), case((3,), diagonal=-2),
                                                        case((3, 4)), case((3, 4), diagonal=1),
                                                        case((3, 4), diagonal=-1)),
                          ref=lambda a, diagonal=0: np.diag(a, diagonal), dtypes=INT_BOOL, result_dtype=same),
                   samples=4),
    *with_function(OpInfo("diagonal", method("diagonal"),
                          fixed(case((3, 3)), case((2, 3, 4), offset=1, dim1=1, dim2=2),
                                case((3, 4, 2), offset=-1, dim1=-1, dim2=0)),
                          ref=lambda a, offset=0, dim1=0, dim2=1: np.diagonal(a, offset, dim1, dim2))),
    *[row for name, cut in (("tril", np.tril), ("triu", np.triu)) for row in with_function(OpInfo(
        name, method(name), _triangles, ref=lambda a, diagonal, _cut=cut: _cut(a, diagonal), dtypes=INT_BOOL,
        result_dtype=same))],
    *with_function(OpInfo("trace", method("trace"), fixed(case((3, 4)), case((3, 3)), case((4, 2))), ref=np.trace,
                          dtypes=("int64",), result_dtype=same)),
    # -------------------------------------------------------------- in-place shape changes (on a non-leaf)
    OpInfo("unsqueeze_", lambda lib, x, dim: (x * 1).unsqueeze_(dim), fixed(case((2, 3), dim=0), case((2, 3), dim=-1)),
           ref=lambda a, dim: np.expand_dims(a, dim)),
    OpInfo("squeeze_", lambda lib, x, **kw: (x * 1).squeeze_(**kw), fixed(case((2, 1, 3)), case((2, 1, 3), dim=1),
                                                                        case((1, 2, 1), dim=(0, 2))),
           ref=lambda a, dim=None: np.squeeze(a, dim)),
    OpInfo("t_", lambda lib, x: (x * 1).t_(), fixed(case((2, 3)), case((3,))), ref=lambda a: a.T),
    OpInfo("transpose_", lambda lib, x, dim0, dim1: (x * 1).transpose_(dim0, dim1),
           fixed(case((2, 3, 4), dim0=0, dim1=2), case((2, 3), dim0=-1, dim1=0)),
           ref=lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1)),
    # -------------------------------------------------------------- top-level forms of older shape methods
    OpInfo("squeeze", lambda lib, x: lib.squeeze(x, 1), fixed(case((2, 1, 3))), ref=lambda a: a[:, 0],
           variant="function"),
    OpInfo("unsqueeze", lambda lib, x: lib.unsqueeze(x, -1), fixed(case((2, 3))), ref=lambda a: a[..., None],
           variant="function"),
    OpInfo("permute", lambda lib, x: lib.permute(x, (2, 0, 1)), fixed(case((2, 3, 4))),
           ref=lambda a: a.transpose(2, 0, 1), variant="function"),
    OpInfo("transpose", lambda lib, x: lib.transpose(x, 0, 1), fixed(case((2, 3))), ref=lambda a: a.T,
           variant="function"),
    OpInfo("t", lambda lib, x: lib.t(x), fixed(case((2, 3))), ref=lambda a: a.T, variant="function"),
    # -------------------------------------------------------------- einsum
    _einsum_row("ij,jk->ik", (2, 3), (3, 4), variant="matmul"),
    _einsum_row("ij->ji", (2, 3), variant="transpose"),
    _einsum_row("bij,bjk->bik", (2, 2, 3), (2, 3, 4), variant="bmm"),
    _einsum_row("ii", (3, 3), variant="trace"),
    _einsum_row("ii->i", (3, 3), variant="diagonal"),
    _einsum_row("i,j->ij", (3,), (4,), variant="outer"),
    _einsum_row("ijk->j", (2, 3, 4), variant="sum"),
    _einsum_row("...ij,...jk", (2, 2, 3), (3, 2), variant="ellipsis"),
    _einsum_row("i,i", (4,), (4,), variant="dot"),
    _einsum_row("bn,anm,bm->ba", (2, 3), (4, 3, 5), (2, 5), variant="bilinear"),
    _einsum_row("iij,jk->ki", (3, 3, 2), (2, 4), variant="diagonal_contract"),
    _einsum_row("ij,kj", (2, 3), (4, 3), variant="implicit", as_list=True),
    _einsum_row("i...->...", (3, 2, 2), variant="ellipsis_sum"),
    # -------------------------------------------------------------- the rest of tb.functional
    OpInfo("broadcast_tensors", lambda lib, a, b: _cat_weighted(lib, lib.broadcast_tensors(a, b), 0),
           fixed(case((2, 1), (3,)), case((3,), (2, 3))),
           ref=lambda a, b: _np_cat_weighted(np.broadcast_arrays(a, b), 0)),
    OpInfo("meshgrid", lambda lib, a, b, indexing: _stack_weighted(lib, lib.meshgrid(a, b, indexing=indexing)),
           fixed(case((3,), (2,), indexing="ij"), case((3,), (2,), indexing="xy")),
           ref=lambda a, b, indexing: np.stack([g * (i + 1) for i, g in
                                                 enumerate(np.meshgrid(a, b, indexing=indexing))])),
    OpInfo("meshgrid", lambda lib, a, b, c: _stack_weighted(lib, lib.meshgrid([a, b, c], indexing="xy")),
           fixed(case((3,), (2,), (4,))),
           ref=lambda a, b, c: np.stack([g * (i + 1) for i, g in enumerate(np.meshgrid(a, b, c))]), variant="three"),
    OpInfo("cdist", lambda lib, a, b, p: lib.cdist(a, b, p=p),
           fixed(case((3, 2), (4, 2), p=2.0), case((2, 3, 2), (2, 4, 2), p=1.0), case((3, 2), (2, 2), p=3.0),
                 case((3, 2), (4, 2), p=float("inf"))),
           ref=_cdist_ref),
    OpInfo("tensordot", lambda lib, a, b, dims: lib.tensordot(a, b, dims=dims),
           fixed(case((2, 3, 4), (3, 4, 5), dims=2), case((2, 3), (3, 2), dims=([1, 0], [0, 1])),
                 case((2, 3), (4,), dims=0)),
           ref=lambda a, b, dims: np.tensordot(a, b, axes=dims)),
    *[OpInfo(name, function(name), fixed(case(()), case((3,)), case((2, 3))), ref=getattr(np, name))
      for name in ("atleast_1d", "atleast_2d", "atleast_3d")],
    OpInfo("block_diag", function("block_diag"), fixed(case((2, 3), (3,), (), (2, 2))), ref=_block_diag_ref),
    OpInfo("cartesian_prod", function("cartesian_prod"), fixed(case((3,), (2,)), case((2,), (2,), (3,)), case((4,))),
           ref=lambda *arrays: np.stack([g.reshape(-1) for g in np.meshgrid(*arrays, indexing="ij")], 1)
           if len(arrays) > 1 else arrays[0]),
    OpInfo("chain_matmul", _quiet(function("chain_matmul")), fixed(case((2, 3), (3, 4), (4, 2))),
           ref=lambda a, b, c: a @ b @ c),
]
