"""The exponentially weighted (moving) average of a sequence, as the tutorial defines it (section 2.4.1)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def ema(values: Iterable[float] | np.ndarray, beta: float) -> np.ndarray:
    """Exponentially weighted averages v₀ = x₀,  v_t = β·v_{t−1} + (1 − β)·x_t, as a float64 array.

    β near 1 gives old values more weight (smoother, slower); β near 0 follows the latest value.
    ``ema([1, 2, 3, 4, 5], 0.9)`` → ``[1, 1.1, 1.29, 1.561, 1.9049]``. Values may be a sequence of
    numbers or an array (the average runs along the first axis). ``0 <= beta < 1``, else ``ValueError``.
    """
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"ema: beta must satisfy 0 <= beta < 1, got {beta}")
    x = np.asarray(values.numpy() if hasattr(values, "numpy") else values, dtype=np.float64)
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"ema: expected a non-empty sequence of values, got shape {x.shape}")
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, x.shape[0]):
        out[t] = beta * out[t - 1] + (1 - beta) * x[t]
    return out
