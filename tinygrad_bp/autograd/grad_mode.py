"""Grad mode: whether operations record the graph (no_grad, enable_grad, set_grad_enabled)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_enabled = True


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record the graph."""
    return _enabled


class set_grad_enabled:
    """Turn graph recording on or off; works as a function call, a context manager and a decorator."""

    def __init__(self, mode: bool) -> None:
        global _enabled
        self.prev = _enabled
        self.mode = bool(mode)
        _enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

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
        global _enabled
        self.prev = _enabled
        _enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

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
