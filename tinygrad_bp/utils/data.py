"""Datasets and the DataLoader that turns them into batches, as in ``torch.utils.data``.

The three classic forms of gradient descent are three batch sizes of one loader::

    loader = DataLoader(dataset, batch_size=len(dataset))  # batch gradient descent: 1 update per epoch
    loader = DataLoader(dataset, batch_size=1)             # stochastic gradient descent: N updates
    loader = DataLoader(dataset, batch_size=20)            # mini-batch: ceil(N / 20) updates

``len(loader)`` is ``ceil(N / batch_size)``, or ``floor(N / batch_size)`` with ``drop_last=True``:
100 samples for 50 epochs make 50 updates with batch 100, 5000 with batch 1 and 250 with batch 20.

The order comes from a sampler (``SequentialSampler``; ``RandomSampler`` with ``shuffle=True``; or any
``sampler=``), grouped into index lists by a ``BatchSampler`` (or any ``batch_sampler=``), as in PyTorch.
Random samplers draw from NumPy's PCG64 through ``tb.Generator`` / ``tb.manual_seed``: reproducible, with
PyTorch's distributions, but not PyTorch's numbers. An ``IterableDataset`` is batched in the order it
yields. A batch is built the way PyTorch builds it: ``collate_fn([dataset[i] for i in batch_indices])``.
For a ``TensorDataset`` (or a ``Subset`` of one) and the default collate, the loader takes a fast
path that cuts each batch straight out of the tensors' arrays (a slice, or fancy indexing for any other
sampler) instead of indexing and stacking samples one by one; the batches are the same.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..creation import tensor
from ..random import Generator, default_generator
from ..tensor import Tensor
from ..tensor_shape import stack

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset", "DataLoader",
           "random_split", "default_collate", "default_convert", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]

_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


class Dataset:
    """A map-style dataset: subclasses implement ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


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


class IterableDataset(Dataset):
    """An iterable-style dataset: subclasses implement ``__iter__`` (the samples, in order; ``__len__`` is
    optional). A DataLoader batches what it yields and takes no sampler, batch_sampler or shuffle."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Any) -> ChainDataset:
        return ChainDataset([self, other])


class ConcatDataset(Dataset):
    """The samples of several map-style datasets one after another: index i falls in the first dataset
    whose cumulative length exceeds it (``cumulative_sizes``). ``a + b`` on Datasets builds one."""

    @staticmethod
    def cumsum(sequence: Sequence[Any]) -> list[int]:
        """The running totals of the lengths: [len(d0), len(d0) + len(d1), ...]."""
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets: Any) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        if dataset_idx == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {len(self)}")
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """Several IterableDatasets one after another (``a + b`` on IterableDatasets builds one)."""

    def __init__(self, datasets: Any) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


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


# -- samplers: the order in which a DataLoader visits a map-style dataset ------------------------------

class Sampler:
    """Base class of samplers: ``__iter__`` yields dataset indices (a batch sampler yields lists of them);
    ``__len__`` is optional, as in PyTorch (there is deliberately no default)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) − 1, in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices of ``data_source``: a fresh permutation each pass (``replacement=False``; with
    ``num_samples`` > n, whole permutations and then the start of another), or ``num_samples``
    independent uniform draws (``replacement=True``). ``num_samples`` defaults to len(data_source).

    Reproducible from ``generator`` (a ``tb.Generator``), or else from the global generator
    (``tb.manual_seed``). PyTorch draws a seed from its global generator and samples from a fresh one;
    the numbers themselves never match PyTorch's (NumPy's PCG64 stream, not torch's Philox/MT).
    """

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if isinstance(self.num_samples, bool) or not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")
        _check_generator(generator)

    @property
    def num_samples(self) -> int:
        """``num_samples`` as given, or the dataset's current length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _index_array(self) -> np.ndarray:
        """One pass of indices as an int64 array (what ``__iter__`` yields)."""
        n = len(self.data_source)
        rng = _rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, self.num_samples, dtype=np.int64)
        passes = [rng.permutation(n) for _ in range(self.num_samples // n)]
        if self.num_samples % n:
            passes.append(rng.permutation(n)[:self.num_samples % n])
        return np.concatenate(passes).astype(np.int64, copy=False)

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a fresh permutation each pass), without replacement."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator
        _check_generator(generator)

    def _index_array(self) -> np.ndarray | None:
        indices = np.asarray(self.indices)
        if indices.ndim != 1 or (indices.dtype.kind not in "iu" and indices.size):
            return None  # not plain integers: __iter__ yields the objects themselves
        return indices.astype(np.int64)[_rng(self.generator).permutation(len(indices))]

    def __iter__(self) -> Iterator[Any]:
        for i in _rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices 0..len(weights) − 1 drawn with probability proportional to ``weights``
    (which need not sum to 1): independently with ``replacement=True`` (the default), else one after
    another among the indices not drawn yet (the law of ``torch.multinomial``; asked for more indices than
    have a positive weight, it then adds zero-weight ones, as torch does, in ascending order). Invalid
    weights raise PyTorch's ``RuntimeError`` when the sampler is iterated, as ``torch.multinomial`` does.
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        array = np.array(weights._array if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(array.shape)}")
        _check_generator(generator)
        self.weights = Tensor._make(array)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _index_array(self) -> np.ndarray:
        w = self.weights._array
        if np.any(np.isinf(w)):
            raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
        if np.any(np.isnan(w)) or np.any(w < 0):
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
        total = w.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = _rng(self.generator)
        if self.replacement:
            return rng.choice(w.size, self.num_samples, p=w / total).astype(np.int64)
        if self.num_samples > w.size:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        positive = np.count_nonzero(w)
        drawn = rng.choice(w.size, min(self.num_samples, positive), replace=False, p=w / total)
        if self.num_samples > positive:  # as torch.multinomial: then zero-weight indices (here in ascending order)
            drawn = np.concatenate([drawn, np.flatnonzero(w == 0)[:self.num_samples - positive]])
        return drawn.astype(np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` (any iterable) into lists of ``batch_size``; the last, shorter
    list is dropped with ``drop_last=True``. ``len`` is ceil(len(sampler)/batch_size) (floor with
    ``drop_last``)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        _check_batching(batch_size, drop_last)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


def _check_batching(batch_size: Any, drop_last: Any) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
    if not isinstance(drop_last, bool):
        raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")


class DataLoader:
    """Iterate over ``dataset`` in batches (PyTorch's ``DataLoader``, in the main process).

    ``DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
    collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
    multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
    pin_memory_device="", in_order=True)``, with PyTorch's argument order and rules:

    - the order of a map-style dataset comes from ``sampler`` (default: ``SequentialSampler``, or
      ``RandomSampler(dataset, generator=generator)`` with ``shuffle=True``: a fresh permutation every
      epoch, reproducible from ``generator`` or, without one, from ``tb.manual_seed``); the indices are
      grouped by ``batch_sampler`` (default: ``BatchSampler(sampler, batch_size, drop_last)``);
    - ``sampler`` excludes ``shuffle``; ``batch_sampler`` excludes ``batch_size``, ``shuffle``,
      ``sampler`` and ``drop_last``; an ``IterableDataset`` takes neither (nor ``shuffle``): each of these
      raises PyTorch's ``ValueError``;
    - ``collate_fn`` turns a list of samples into a batch; the default stacks tensors, arrays and
      numbers into Tensors that keep their dtype (Python floats give float64, as in PyTorch), and
      recurses into tuples, lists and dicts (a tuple sample gives a *list* of batches; strings inside
      a tuple or list sample come back as a tuple, as in PyTorch);
    - ``batch_size=None`` turns batching off: each sample is yielded on its own (``default_convert``);
    - ``num_workers``, ``pin_memory``, ``timeout``, ``worker_init_fn``, ``multiprocessing_context``,
      ``prefetch_factor``, ``persistent_workers``, ``pin_memory_device`` and ``in_order`` are accepted (and
      checked as PyTorch checks them) so PyTorch code runs unchanged; batches are always produced in the
      main process (worker processes cost more than they save on the small in-memory datasets this
      library is for), so ``worker_init_fn`` is never called.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Callable | None = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        elif not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader expects a map-style dataset (with __getitem__ and __len__) or an "
                            f"IterableDataset, got {type(dataset).__name__}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None and not hasattr(value, "__iter__"):
                raise TypeError(f"{name} should be a Sampler or an iterable of indices, got {type(value).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        _check_generator(generator)

        if sampler is None and not iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            _check_batching(batch_size, drop_last)
            if not iterable:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        if collate_fn is None:
            collate_fn = default_collate if batch_size is not None or batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.__initialized = True

    def __setattr__(self, attr: str, value: Any) -> None:
        if self.__dict__.get("_DataLoader__initialized") and attr in (
                "batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._iterable_batches()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        source = _fast_source(self.dataset) if self.collate_fn is default_collate else None
        if source is None:
            return (self.collate_fn([self.dataset[i] for i in batch]) for batch in self.batch_sampler)
        tensors, rows = source
        order, bs, drop_last = _batched_order(self.batch_sampler)
        if bs is None:  # a batch sampler of unknown kind: its batches, one by one
            return _batches_from(tensors, rows, self.batch_sampler)
        n = len(self.dataset)
        if order is None and len(self.batch_sampler.sampler) != n:
            order = np.arange(len(self.batch_sampler.sampler))
        if order is not None:
            rows = order if rows is None else rows[order]
        if rows is None and not any(t.requires_grad for t in tensors):
            return _sliced_batches([t._array for t in tensors], n, bs, drop_last)
        return _indexed_batches(tensors, rows, n if rows is None else len(rows), bs, drop_last)

    def _iterable_batches(self) -> Iterator[Any]:
        """An IterableDataset's samples in the order it yields them, ``batch_size`` at a time."""
        it = iter(self.dataset)
        if self.batch_size is None:
            for sample in it:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)

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


def _batched_order(batch_sampler: Any) -> tuple[np.ndarray | None, int | None, bool]:
    """``(order, batch_size, drop_last)`` when the batches are consecutive runs of one index array
    (a BatchSampler over one of our samplers; order None: 0, 1, 2, ...), else ``(None, None, False)``."""
    if type(batch_sampler) is not BatchSampler:
        return None, None, False
    sampler = batch_sampler.sampler
    if type(sampler) is SequentialSampler:
        order = None
    elif type(sampler) in (RandomSampler, SubsetRandomSampler, WeightedRandomSampler):
        order = sampler._index_array()
        if order is None:
            return None, None, False
    else:
        return None, None, False
    return order, batch_sampler.batch_size, batch_sampler.drop_last


def _batches_from(tensors: tuple[Tensor, ...], rows: np.ndarray | None, batch_sampler: Any) -> Iterator[list]:
    """The batches of any batch sampler, each cut out of the tensors by fancy indexing."""
    plain = not any(t.requires_grad for t in tensors)
    for batch in batch_sampler:
        sel = np.asarray(batch)
        if sel.size == 0:
            sel = sel.astype(np.int64)
        if sel.ndim != 1 or sel.dtype.kind not in "iu":
            raise TypeError(f"DataLoader: a batch sampler must yield lists of integer indices, got {batch!r}")
        if rows is not None:
            sel = rows[sel]
        yield [_make_batch(t, sel, plain) for t in tensors]


def _make_batch(t: Tensor, sel: np.ndarray, plain: bool) -> Tensor:
    """Rows ``sel`` of ``t``: a NumPy take, or Tensor indexing when ``t`` is in a graph."""
    if plain or not t.requires_grad:
        return Tensor._make(t._array.take(sel, axis=0))
    return t[sel]


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
    arrays = [t._array for t in tensors]
    for start in range(0, stop, bs):
        sel = rows[start:start + bs]
        if plain:
            yield [make(a.take(sel, axis=0)) for a in arrays]   # take: several times faster than a[sel]
        else:
            yield [t[sel] if t.requires_grad else make(t._array.take(sel, axis=0)) for t in tensors]


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
        return stack(list(batch))
    return Tensor._make(np.stack([t._array for t in batch]))


def _check_numpy_dtype(dtype: np.dtype) -> None:
    if dtype.kind in "SaUOV":
        raise TypeError(_COLLATE_ERROR.format(dtype))


# -- random numbers --------------------------------------------------------------------------------

def _check_generator(generator: Any) -> None:
    if generator is None:
        return
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a tb.Generator or None, got {type(generator).__name__}")


def _rng(generator: Any) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (a tb.Generator), or the global one's."""
    return (default_generator if generator is None else generator).rng
