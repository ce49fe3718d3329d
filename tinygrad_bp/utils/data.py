"""Datasets and the DataLoader that turns them into batches, as in ``torch.utils.data``.

The three classic forms of gradient descent are three batch sizes of one loader::

    loader = DataLoader(dataset, batch_size=len(dataset))  # batch gradient descent: 1 update per epoch
    loader = DataLoader(dataset, batch_size=1)             # stochastic gradient descent: N updates
    loader = DataLoader(dataset, batch_size=20)            # mini-batch: ceil(N / 20) updates

``len(loader)`` is ``ceil(N / batch_size)``, or ``floor(N / batch_size)`` with ``drop_last=True``:
100 samples for 50 epochs make 50 updates with batch 100, 5000 with batch 1 and 250 with batch 20.

A batch is built the way PyTorch builds it: ``collate_fn([dataset[i] for i in batch_indices])``.
For a ``TensorDataset`` (or a ``Subset`` of one) and the default collate, the loader takes a fast
path that cuts each batch straight out of the tensors' arrays (a slice, or fancy indexing when
shuffling) instead of indexing and stacking samples one by one; the batches are the same.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split", "default_collate",
           "default_convert"]

_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


class Dataset:
    """A map-style dataset: subclasses implement ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: ``dataset[i] == (t[i] for t in tensors)`` as a tuple.

    All tensors must have the same size in their first dimension. NumPy arrays are accepted too and
    wrapped without copying (an extension: PyTorch takes tensors only).
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        wrapped = []
        for i, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                t = Tensor._make(t)
            elif not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset expects tensors, but argument {i} is {type(t).__name__}")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-dimensional; samples are taken along "
                                 "the first dimension, so each tensor needs at least one")
            wrapped.append(t)
        sizes = [t.shape[0] for t in wrapped]
        if any(s != sizes[0] for s in sizes):
            listing = ", ".join(f"tensor {i}: {tuple(t.shape)}" for i, t in enumerate(wrapped))
            raise ValueError(f"TensorDataset: size mismatch between tensors: all tensors must have the same "
                             f"size in the first dimension, got {listing}")
        self.tensors = tuple(wrapped)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i] == dataset[indices[i]]``."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Any, lengths: Sequence[int | float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset`` s of the given lengths.

    ``lengths`` are either integers summing to ``len(dataset)`` or fractions summing to 1. Fractions
    follow PyTorch's rule: each split gets ``floor(len(dataset) * fraction)`` samples, then the
    remaining samples are handed out one at a time, round-robin, starting with the first split
    (10 samples split [0.25, 0.25, 0.5]: floors [2, 2, 5], then one more for the first: [3, 2, 5]).
    """
    n = len(dataset)
    lengths = list(lengths)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            counts.append(int(math.floor(n * frac)))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, length in enumerate(counts):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
        lengths = counts
    for i, length in enumerate(lengths):
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"random_split: length at index {i} must be a non-negative integer (or all "
                             f"lengths fractions summing to 1), got {length!r}")
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = _rng(generator).permutation(n).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples (PyTorch's map-style loader).

    - ``shuffle=True`` draws a fresh permutation at the start of every epoch, from ``generator``
      (a ``tb.Generator``) or else from the global generator, so ``tb.manual_seed`` makes it
      reproducible.
    - ``drop_last=True`` drops the last, incomplete batch.
    - ``collate_fn`` turns a list of samples into a batch; the default stacks tensors, arrays and
      numbers into Tensors that keep their dtype (Python floats give float64, as in PyTorch), and
      recurses into tuples, lists and dicts (a tuple sample gives a *list* of batches; strings inside
      a tuple or list sample come back as a tuple, as in PyTorch).
    - ``batch_size=None`` turns batching off: each sample is yielded on its own.
    - ``num_workers`` and ``pin_memory`` are accepted so PyTorch code runs unchanged; batches are
      always produced in the main process (worker processes cost more than they save on the small
      in-memory datasets this library is for).

    Arguments after ``shuffle`` are keyword-only (PyTorch's 4th positional argument is ``sampler``,
    which tinygrad_bp does not have).
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = False, *,
                 drop_last: bool = False, collate_fn: Callable[[list], Any] | None = None,
                 generator: Any = None, num_workers: int = 0, pin_memory: bool = False) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader expects a map-style dataset (with __getitem__ and __len__), "
                            f"got {type(dataset).__name__}")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        if batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        _check_generator(generator)
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        if collate_fn is None:
            collate_fn = default_collate if batch_size is not None else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = _rng(self.generator).permutation(n) if self.shuffle else None
        if self.batch_size is None:
            return self._samples(order, n)
        source = _fast_source(self.dataset) if self.collate_fn is default_collate else None
        if source is None:
            return self._collated_batches(order, n)
        tensors, rows = source
        if order is not None:
            rows = order if rows is None else rows[order]
        if rows is None and not any(t.requires_grad for t in tensors):
            return _sliced_batches([t.data for t in tensors], n, self.batch_size, self.drop_last)
        return _indexed_batches(tensors, rows, n, self.batch_size, self.drop_last)

    def _samples(self, order: np.ndarray | None, n: int) -> Iterator[Any]:
        indices = range(n) if order is None else order.tolist()
        for i in indices:
            yield self.collate_fn(self.dataset[i])

    def _collated_batches(self, order: np.ndarray | None, n: int) -> Iterator[Any]:
        indices = list(range(n)) if order is None else order.tolist()
        bs = self.batch_size
        stop = n - n % bs if self.drop_last else n
        for start in range(0, stop, bs):
            yield self.collate_fn([self.dataset[i] for i in indices[start:start + bs]])

    def __repr__(self) -> str:
        return (f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")


# -- the fast path for TensorDataset --------------------------------------------------------------

def _fast_source(dataset: Any) -> tuple[tuple[Tensor, ...], np.ndarray | None] | None:
    """``(tensors, rows)`` when batches can be cut straight out of a TensorDataset's tensors.

    ``rows`` maps loader positions to rows of the tensors (None: position i is row i); it composes
    the indices of Subsets (of Subsets ...) of a TensorDataset. None when there is no fast path.
    """
    rows = None
    while isinstance(dataset, Subset) and type(dataset).__getitem__ is Subset.__getitem__:
        indices = np.asarray(dataset.indices)
        if indices.size == 0:
            indices = indices.astype(np.int64)
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            return None
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    if not (isinstance(dataset, TensorDataset) and type(dataset).__getitem__ is TensorDataset.__getitem__):
        return None
    return dataset.tensors, rows


def _sliced_batches(arrays: list[np.ndarray], n: int, bs: int, drop_last: bool) -> Iterator[list[Tensor]]:
    """Batches in order: one slice per array, copied so that a batch never aliases the dataset."""
    make = Tensor._make
    stop = n - n % bs if drop_last else n
    for start in range(0, stop, bs):
        end = start + bs
        yield [make(a[start:end].copy()) for a in arrays]


def _indexed_batches(tensors: tuple[Tensor, ...], rows: np.ndarray | None, n: int, bs: int,
                     drop_last: bool) -> Iterator[list[Tensor]]:
    """Batches by fancy indexing (shuffled or subset rows); tensors that require grad are indexed as
    Tensors, so the batch stays in their graph exactly like a stack of samples would."""
    make = Tensor._make
    if rows is None:
        rows = np.arange(n)
    stop = n - n % bs if drop_last else n
    plain = not any(t.requires_grad for t in tensors)
    arrays = [t.data for t in tensors]
    for start in range(0, stop, bs):
        sel = rows[start:start + bs]
        if plain:
            yield [make(a.take(sel, axis=0)) for a in arrays]   # take: several times faster than a[sel]
        else:
            yield [t[sel] if t.requires_grad else make(t.data.take(sel, axis=0)) for t in tensors]


# -- collate ---------------------------------------------------------------------------------------

def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and NumPy arrays are stacked along a new first dimension (dtype kept); NumPy scalars give
    a 1-d Tensor of their dtype; Python floats give float64, ints int64 and bools bool; strings are
    returned as given; dicts, named tuples, tuples and lists are collated field by field (a tuple or
    list sample gives a list with one batch per field, and a field of strings a tuple of strings).
    """
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        _check_numpy_dtype(elem.dtype)
        return _stack([Tensor._make(np.asarray(b)) for b in batch])
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor._make(np.array(batch))
    if isinstance(elem, float):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        from ..creation import tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        if elem_type is dict:
            return out
        try:
            return elem_type(out)
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(samples) for samples in zip(*batch)]
        if isinstance(elem, (tuple, list)):
            return transposed
        try:
            return elem_type(transposed)
        except TypeError:
            return transposed
    raise TypeError(_COLLATE_ERROR.format(elem_type))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars into Tensors inside ``data`` (the collate of ``batch_size=None``).

    Arrays are wrapped without copying, like ``torch.as_tensor``; tuples become lists, as in PyTorch.
    """
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "SaUO" else Tensor._make(data)
    if isinstance(data, (np.bool_, np.number)):
        return Tensor._make(np.asarray(data))
    if isinstance(data, Mapping):
        out = {key: default_convert(value) for key, value in data.items()}
        try:
            return out if type(data) is dict else type(data)(out)
        except TypeError:
            return out
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        try:
            return converted if type(data) is list else type(data)(converted)
        except TypeError:
            return converted
    return data


def _stack(batch: Sequence[Tensor]) -> Tensor:
    """``tb.stack(batch)``; plain NumPy when no sample needs a graph and all dtypes agree."""
    first = batch[0]
    for i, t in enumerate(batch):
        if not isinstance(t, Tensor):
            raise TypeError(_COLLATE_ERROR.format(type(t)))
        if t.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    if any(t.requires_grad or t.dtype != first.dtype for t in batch):
        from ..tensor import stack
        return stack(list(batch))
    return Tensor._make(np.stack([t.data for t in batch]))


def _check_numpy_dtype(dtype: np.dtype) -> None:
    if dtype.kind in "SaUOV":
        raise TypeError(_COLLATE_ERROR.format(dtype))


# -- random numbers --------------------------------------------------------------------------------

def _check_generator(generator: Any) -> None:
    if generator is None:
        return
    from ..random import Generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a tb.Generator or None, got {type(generator).__name__}")


def _rng(generator: Any) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (a tb.Generator), or the global one's."""
    from ..random import default_generator
    return (default_generator if generator is None else generator).rng
