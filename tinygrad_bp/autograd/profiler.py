"""``tb.autograd.profiler``: count and time every op, forward and backward, as PyTorch's profiler does.

Inside ``with profile() as prof:`` each ``Function.apply`` is an event named ``aten::<op>`` (a custom
Function: its class name) and each node's backward an event named like its ``grad_fn``
(``MulBackward0``); ``record_function(name)`` adds a named span. Events nest: an event's *self* time is
its total minus its children's totals (``time.perf_counter_ns``). ``prof.key_averages()`` sums them by
name; ``.table(sort_by="self_cpu_time_total", row_limit=10)`` prints PyTorch's table. While a profile is
open, ``Function.apply`` and the ``backward`` of every Function subclass are wrapped; they are restored
when the last profile closes, so outside a profile nothing is recorded and nothing costs anything.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from .function import Function

_open: list = []  # the profiles being recorded
_frames: list = []  # [name, start ns, children's ns] of the events in progress, innermost last
_patched: dict = {}  # class -> (attribute, original) while profiling


def _push(name: str) -> list:
    frame = [name, time.perf_counter_ns(), 0]
    _frames.append(frame)
    return frame


def _pop(frame: list) -> None:
    total = time.perf_counter_ns() - frame[1]
    _frames.pop()
    if _frames:
        _frames[-1][2] += total
    for prof in _open:
        prof._add(frame[0], total - frame[2], total)


def _timed_apply(original: Any) -> classmethod:
    func = original.__func__

    def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
        frame = _push(f"aten::{cls.__name__.lower()}" if cls.arrays else cls.__name__)
        try:
            return func(cls, *args, **kwargs)
        finally:
            _pop(frame)
    return classmethod(apply)


def _timed_backward(original: Any) -> staticmethod:
    def backward(ctx: Any, *grads: Any) -> Any:
        frame = _push(ctx.name())
        try:
            return original(ctx, *grads)
        finally:
            _pop(frame)
    return staticmethod(backward)


def _subclasses(cls: type) -> list:
    found, todo = [], [cls]
    while todo:
        c = todo.pop()
        found.append(c)
        todo.extend(c.__subclasses__())
    return found


def _start() -> None:
    _patched[Function] = [("apply", Function.__dict__["apply"])]
    Function.apply = _timed_apply(Function.__dict__["apply"])
    for cls in _subclasses(Function):
        original = cls.__dict__.get("backward")
        if isinstance(original, staticmethod):
            _patched.setdefault(cls, []).append(("backward", original))
            cls.backward = _timed_backward(original.__func__)


def _stop() -> None:
    for cls, saved in _patched.items():
        for name, original in saved:
            setattr(cls, name, original)
    _patched.clear()


class FunctionEventAvg:
    """The events of one name, summed: ``key count self_cpu_time_total cpu_time_total cpu_time`` (microseconds)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.self_cpu_time_total = 0.0
        self.cpu_time_total = 0.0

    @property
    def cpu_time(self) -> float:
        """The average total time of one call, microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"cpu_time={_format_time(self.cpu_time_total)} count={self.count}>")


class EventList(list):
    """``key_averages()``: a list of ``FunctionEventAvg`` that prints as PyTorch's table."""

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_name_column_width: int = 55,
              header: str | None = None, top_level_events_only: bool = False) -> str:
        """PyTorch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, # of Calls, sorted
        by ``sort_by`` (an attribute of the events, largest first), at most ``row_limit`` rows."""
        if not self:
            return ""
        events = list(self)
        if sort_by is not None:
            if not hasattr(events[0], sort_by):
                raise AttributeError(f"table(): sort_by={sort_by!r} is not an attribute of the events (use "
                                     "'self_cpu_time_total', 'cpu_time_total', 'cpu_time' or 'count')")
            events.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        width = min(max(len(e.key) for e in events) + 4, max_name_column_width)
        heads = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        row = f"{{:>{width}}}  " + "{:>12}  " * (len(heads) - 1)
        sep = "-" * width + "  " + ("-" * 12 + "  ") * (len(heads) - 1)
        total = sum(e.self_cpu_time_total for e in events)
        lines = ([] if header is None else ["=" * (len(sep) - 2), header]) + [sep, row.format(*heads), sep]
        for e in events[:row_limit]:
            name = e.key if len(e.key) < max_name_column_width - 3 else e.key[:max_name_column_width - 3] + "..."
            lines.append(row.format(name, _share(e.self_cpu_time_total, total), _format_time(e.self_cpu_time_total),
                                    _share(e.cpu_time_total, total), _format_time(e.cpu_time_total),
                                    _format_time(e.cpu_time), e.count))
        lines += [sep, f"Self CPU time total: {_format_time(total)}"]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.table()


def _format_time(us: float) -> str:
    return f"{us / 1e6:.3f}s" if us >= 1e6 else f"{us / 1e3:.3f}ms" if us >= 1e3 else f"{us:.3f}us"


def _share(us: float, total: float) -> str:
    return "NaN" if total == 0 else f"{us * 100.0 / total:.2f}%"


class profile:
    """``with profile() as prof:`` records every op's count and CPU time until the block ends (PyTorch's
    ``torch.autograd.profiler.profile``; only the CPU exists, so ``use_cuda=True`` is refused)."""

    def __init__(self, enabled: bool = True, use_cuda: bool = False, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False) -> None:
        if use_cuda:
            raise RuntimeError("profile(use_cuda=True): there is no CUDA device: tinygrad_bp computes on the CPU "
                               "with NumPy")
        self.enabled = enabled
        self._events: dict = {}

    def _add(self, name: str, self_ns: int, total_ns: int) -> None:
        e = self._events.get(name)
        if e is None:
            e = self._events[name] = FunctionEventAvg(name)
        e.count += 1
        e.self_cpu_time_total += self_ns / 1000.0
        e.cpu_time_total += total_ns / 1000.0

    def __enter__(self) -> profile:
        if self.enabled:
            if not _open:
                _start()
            _open.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self in _open:
            _open.remove(self)
            if not _open:
                _stop()

    def key_averages(self) -> EventList:
        """The events summed by name, in the order each name first finished."""
        return EventList(self._events.values())

    def table(self, sort_by: str | None = None, row_limit: int = 100) -> str:
        """``key_averages().table(...)``."""
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit)

    def __str__(self) -> str:
        return self.table()


class record_function(contextlib.ContextDecorator):
    """A named span in the profile (``with record_function("forward"):``, or as a decorator)."""

    def __init__(self, name: str, args: str | None = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"record_function(): name must be a str, got {type(name).__name__}")
        self.name = name
        self._frame: list | None = None

    def __enter__(self) -> record_function:
        self._frame = _push(self.name) if _open else None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._frame is not None:
            _pop(self._frame)
            self._frame = None
