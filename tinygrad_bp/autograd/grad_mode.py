"""Grad mode: whether operations record the graph (no_grad, enable_grad, set_grad_enabled).

As in PyTorch, the mode belongs to the thread: ``no_grad()`` in one thread leaves recording on in
every other, and a new thread starts with recording on. (Anomaly mode, as in PyTorch, is one
process-wide setting: see anomaly_mode.py.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _ThreadState(threading.local):
    enabled = True  # the class attribute is every thread's starting value


_state = _ThreadState()  # the engine reads ``_state.enabled`` on its hot path


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record the graph (in this thread)."""
    return _state.enabled


class set_grad_enabled:
    """Turn graph recording on or off; works as a function call, a context manager and a decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode
        self.__exit__()  # the decorator form must not change the mode at decoration time

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class _GradModeContext:
    mode = True

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        cls = type(self)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with cls():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager / decorator: operations inside record no graph (e.g. parameter updates)."""

    mode = False


class enable_grad(_GradModeContext):
    """Context manager / decorator: turn graph recording back on inside a no_grad block."""

    mode = True
