"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (in place, as in PyTorch)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor, _make


def _grads(parameters: Tensor | Iterable[Tensor]) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)), where total_norm is the
    ``norm_type``-norm of all gradients taken together. Returns total_norm (before clipping)."""
    grads = _grads(parameters)
    if not grads:
        return _make(np.asarray(0.0, np.float32))
    norm_type = float(norm_type)
    if norm_type == math.inf:
        norms = [np.abs(g._array).max(initial=0.0) for g in grads]
        total = max(norms)
    else:
        norms = [np.sum(np.abs(g._array, dtype=np.float64) ** norm_type) for g in grads]
        total = sum(norms) ** (1.0 / norm_type)
    dtype = grads[0]._array.dtype
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           "so it cannot be clipped. To disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        g._array *= g._array.dtype.type(coef)
    return _make(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._array, -clip_value, clip_value, out=g._array)
