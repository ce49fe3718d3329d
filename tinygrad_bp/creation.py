"""Creating tensors: from data, filled, ranges and random, with PyTorch's dtype rules.

``tensor`` keeps a NumPy array's dtype; Python floats take the default dtype, Python ints int64,
bools bool. Factories take sizes as ``zeros(2, 3)`` or ``zeros((2, 3))``.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from . import dtypes
from .device import resolve
from .random import _rng
from .tensor import Tensor, _make, _size_args


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = _make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype, op)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, a NumPy array or a Tensor)."""
    resolve(device, "tensor")
    if isinstance(data, Tensor):
        array = data._array.copy()
    elif isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype
        array = np.array(data)
    else:
        array = np.array(data)
        if array.dtype == object:
            raise TypeError(f"tensor(): cannot build a tensor from {type(data).__name__} (ragged or non-numeric data)")
        if array.dtype.kind not in "fiub":
            raise TypeError(f"tensor(): unsupported data of dtype {array.dtype}")
        if dtype is None and array.dtype.kind == "f":  # Python floats: the default dtype
            array = array.astype(dtypes.get_default_dtype(), copy=False)
        elif dtype is None and array.dtype.kind in "iu":  # Python ints: int64
            array = array.astype(np.int64, copy=False)
    if dtype is not None:
        array = array.astype(dtypes.resolve(dtype, "tensor"), copy=False)
    return _finish(array, requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    return _make(array)


def _new_size(size: tuple) -> tuple:
    """The sizes of a new tensor, given as f(2, 3) or f((2, 3)); a negative one is PyTorch's RuntimeError."""
    shape = _size_args(size)
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(shape)}")
    return shape


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default float dtype unless ``dtype``)."""
    resolve(device, "zeros")
    return _finish(np.zeros(_new_size(size), _float_dtype(dtype, "zeros")), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default float dtype unless ``dtype``)."""
    resolve(device, "ones")
    return _finish(np.ones(_new_size(size), _float_dtype(dtype, "ones")), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of the given size (default float dtype)."""
    resolve(device, "empty")
    return _finish(np.empty(_new_size(size), _float_dtype(dtype, "empty")), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value (bool, int64 or default float)."""
    resolve(device, "full")
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value.item() if isinstance(fill_value, np.generic) else fill_value)
    return _finish(np.full(_new_size((size,)), fill_value, dtype), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, by default, dtype) of ``t``."""
    resolve(device, "zeros_like")
    return _finish(np.zeros(t.shape, t.dtype if dtype is None else dtype), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, by default, dtype) of ``t``."""
    resolve(device, "ones_like")
    return _finish(np.ones(t.shape, t.dtype if dtype is None else dtype), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """A tensor shaped like ``t`` filled with ``fill_value``."""
    resolve(device, "full_like")
    return _finish(np.full(t.shape, fill_value, t.dtype if dtype is None else dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m defaults to n)."""
    resolve(device, "eye")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype, "eye")), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start (default 0) up to, not including, end; int64 when all arguments are ints."""
    resolve(device, "arange")
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else dtypes.get_default_dtype()
    n = max(math.ceil((end - start) / step), 0)
    return _finish((start + step * np.arange(n, dtype=np.float64)).astype(dtype), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    resolve(device, "linspace")
    values = np.linspace(start, end, steps, dtype=np.float64)
    return _finish(values.astype(_float_dtype(dtype, "linspace")), requires_grad)


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    resolve(device, "rand")
    return _finish(_rng(generator).random(_new_size(size)).astype(_float_dtype(dtype, "rand")), requires_grad)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    resolve(device, "randn")
    return _finish(_rng(generator).standard_normal(_new_size(size)).astype(_float_dtype(dtype, "randn")), requires_grad)


def randint(*args: Any, size: Any = None, generator: Any = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    resolve(device, "randint")
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, but got low={low}, high={high}")
    size = _new_size((size,))
    return _finish(_rng(generator).integers(low, high, size).astype(dtype or np.int64), requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002 - PyTorch's name
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor shaped like ``input`` (its dtype unless ``dtype``)."""
    resolve(device, "empty_like")
    return _finish(np.empty(input.shape, input.dtype if dtype is None else dtype), requires_grad)


def rand_like(input: Tensor, *, generator: Any = None, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples shaped like ``input``."""
    resolve(device, "rand_like")
    return rand(input.shape, generator=generator, dtype=input.dtype if dtype is None else dtype,
                requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator: Any = None, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """Standard normal samples shaped like ``input``."""
    resolve(device, "randn_like")
    return randn(input.shape, generator=generator, dtype=input.dtype if dtype is None else dtype,
                 requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Any = None, *, generator: Any = None,  # noqa: A002
                 dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) shaped like ``input`` (its dtype unless ``dtype``): ``randint_like(x, 10)``
    or ``randint_like(x, 3, 10)``."""
    resolve(device, "randint_like")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint_like: expected low < high, but got low={low}, high={high}")
    values = _rng(generator).integers(low, high, input.shape)
    return _finish(values.astype(input.dtype if dtype is None else dtype), requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples with the given mean and standard deviation: tensors (broadcast together; the result
    takes their shape and dtype) or floats with ``size``. Not differentiable (PyTorch's gradient for mean
    and std is zero; here the result is a new leaf)."""
    resolve(device, "normal")
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal(): size= is only taken with a float mean and a float std")
        m, s = (v._array if isinstance(v, Tensor) else v for v in (mean, std))
        floats = [np.asarray(v).dtype for v in (m, s) if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
        if not floats:
            raise NotImplementedError('"normal_kernel_cpu" not implemented for \'Long\'')
        if np.any(np.asarray(s) < 0):
            raise RuntimeError(f"normal expects all elements of std >= 0.0 (got {np.asarray(s).min()})")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        out_dtype = np.result_type(*floats)
    else:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with a float mean and std, "
                            "give size=")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        m, s, shape, out_dtype = mean, std, _new_size((size,)), _float_dtype(dtype, "normal")
    values = m + s * _rng(generator).standard_normal(shape)
    return _finish(np.asarray(values).astype(out_dtype if dtype is None or tensors else dtype), requires_grad)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:  # noqa: A002 - PyTorch's name
    """1 with probability ``input`` (each entry in [0, 1]; or the float ``p`` everywhere), else 0, in
    ``input``'s dtype. Not differentiable (PyTorch's gradient is zero)."""
    probs = np.broadcast_to(np.asarray(p, np.float64), input.shape) if p is not None else input._array
    if input._array.dtype.kind != "f" and p is None:
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for \'{input._array.dtype}\'')
    if probs.size and not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError("bernoulli: expected all probabilities to be in [0, 1]" if p is None else
                           f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    draws = _rng(generator).random(input.shape) < probs
    return _make(draws.astype(input._array.dtype))


Tensor.bernoulli = bernoulli  # x.bernoulli(p) / x.bernoulli(generator=g), as PyTorch's method


def randperm(n: int, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of 0 .. n-1 (int64)."""
    resolve(device, "randperm")
    return _make(_rng(generator).permutation(n).astype(dtype or np.int64))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002 - PyTorch's name
                generator: Any = None) -> Tensor:
    """Category indices drawn with probabilities proportional to the weights in each row of ``input``
    (1-D: one distribution; 2-D: one per row), int64. Without replacement each row's categories are
    drawn one after another, a drawn one leaving the pool (PyTorch's semantics; NumPy's random stream,
    so the draws differ from PyTorch's but are reproducible from a ``tb.Generator``)."""
    w = np.asarray(input._array if isinstance(input, Tensor) else input, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {w.ndim}D of shape {w.shape}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got {num_samples}")
    rows = w.reshape(-1, w.shape[-1])
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (encountering probability entry < 0, "
                           "inf or nan)")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement:
        if num_samples > rows.shape[1]:
            raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                               f"replacement ({num_samples} > {rows.shape[1]})")
        if (np.count_nonzero(rows, axis=1) < num_samples).any():
            raise RuntimeError("multinomial: invalid multinomial distribution (with replacement=False, not enough "
                               "non-negative category to sample)")
    rng = _rng(generator)
    out = np.stack([rng.choice(rows.shape[1], size=num_samples, replace=replacement, p=row / row.sum())
                    for row in rows]).astype(np.int64)
    return _make(out.reshape(num_samples) if w.ndim == 1 else out)

