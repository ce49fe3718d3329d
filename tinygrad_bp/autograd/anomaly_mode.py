"""Anomaly detection: find the op whose backward produced NaN, and where that op ran in forward.

While anomaly mode is on, every recorded op keeps the stack of its forward call, and the backward
engine checks each gradient an op's backward returns: a NaN raises ``RuntimeError`` naming the op
(e.g. ``'LogBackward0'``), saying "nan", and quoting that forward stack. It slows everything down:
use it to debug, not to train.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

_enabled = False
_check_nan = True


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``)."""
    return _enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode also checks backward results for NaN."""
    return _enabled and _check_nan


class set_detect_anomaly:
    """Turn anomaly detection on or off; a function call or a context manager, as in PyTorch."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        global _enabled, _check_nan
        self.prev = (_enabled, _check_nan)
        _enabled, _check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        global _enabled, _check_nan
        _enabled, _check_nan = self.prev


class detect_anomaly:
    """Context manager / decorator: record forward stacks and raise on NaN gradients in backward."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.ctx = set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        self.ctx.__exit__()

    def __call__(self, fn: Callable) -> Callable:
        check_nan = self.check_nan

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(check_nan):
                return fn(*args, **kwargs)

        return wrapper


_FUNCTION_PY = os.path.join("autograd", "function.py")


def forward_trace() -> list:
    """The current stack without the autograd frames (kept by each node while anomaly mode is on)."""
    import traceback  # only in anomaly mode: keeps `import tinygrad_bp` light

    return [line for line in traceback.format_stack()[:-1] if _FUNCTION_PY not in line]


def check_grads(node: Any, grads: tuple) -> None:
    """Raise RuntimeError if one of the gradients ``node``'s backward returned contains NaN."""
    if not _check_nan:
        return
    for i, g in enumerate(grads):
        if g is None:
            continue
        data = getattr(g, "_array", g)
        if np.isnan(data).any():
            trace = vars(node).get("trace")
            where = ("Traceback of forward call that caused the error:\n" + "".join(trace) if trace else
                     "(no forward traceback: the op ran before anomaly mode was turned on)")
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.\n{where}")
