"""What a node saved for backward: the in-place check (version counters) and the create_graph view.

Version counters. Every in-place operation (``add_``, ``+=``, ``x[i] = v``, ...) adds 1 to the tensor's
``_version``, ticks a global ``clock`` and notes the clock against the memory it wrote (the NumPy
array at the root of ``.base``, so views, ``detach()`` and ``.numpy()`` share one counter, as views
share one in PyTorch). A node that saves arrays remembers the clock at save time; when its backward
reads ``ctx.saved_tensors`` after the clock has moved, it looks up whether memory it saved was written
since, and if so raises PyTorch's RuntimeError ("modified by an inplace operation"). While nothing
is modified in place the check is one integer comparison.

create_graph. The built-in ops save NumPy arrays. When ``backward(create_graph=True)`` runs their
backward formulas on Tensors, ``saved_tensors`` hands back each saved value by the role recorded
when it was saved: the input Tensor it came from (so the gradient depends on that input in the new
graph), the node's own output as a Tensor whose ``grad_fn`` is the node, or a constant.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import Any

import numpy as np

from ..tensor import Tensor

clock = 0  # in-place operations so far, on any tensor
_written: dict = {}  # id(root array) -> [weakref to it, in-place writes so far, clocks of the recent ones]
_LOG = 16  # recent clocks kept per array (to report the version a node saw when it saved the array)


def _root(a: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``a`` views."""
    b = a.base
    while isinstance(b, np.ndarray):
        a, b = b, b.base
    return a


def bump(t: Any) -> None:
    """Record that ``t``'s memory was just written in place (call after every in-place update)."""
    global clock
    t._version += 1
    if t._untracked:  # written through ``.data``: not a change backward must notice, as in PyTorch
        return
    clock += 1
    root = _root(t._array)
    key = id(root)
    entry = _written.get(key)
    if entry is None or entry[0]() is not root:
        entry = _written[key] = [weakref.ref(root, lambda ref, key=key: _forget(key, ref)), 0, deque(maxlen=_LOG)]
    entry[1] += 1
    entry[2].append(clock)


def _forget(key: int, ref: Any) -> None:
    entry = _written.get(key)
    if entry is not None and entry[0] is ref:
        del _written[key]


def check(node: Any) -> None:
    """Raise if memory that ``node`` saved was written in place after it was saved."""
    saved = node.saved
    for k, s in enumerate(saved):
        data = s if type(s) is np.ndarray else getattr(s, "_array", None)  # custom Functions save Tensors
        if type(data) is not np.ndarray:
            continue
        root = _root(data)
        entry = _written.get(id(root))
        if entry is None or entry[0]() is not root:
            continue
        later = sum(c > node.clock for c in entry[2])
        if later:
            expected = f"version {entry[1] - later}" + (" or earlier" if later == _LOG else "")
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{data.dtype} tensor of shape {tuple(data.shape)}], {_describe(node, k)}, is at "
                f"version {entry[1]}; expected {expected} instead. Hint: {node.name()} needs the value the tensor "
                "had when it was saved; modify it in place only after backward(), or work on a copy (clone()).")


def _describe(node: Any, k: int) -> str:
    name = node.name()
    role = node.roles[k] if k < len(node.roles) else None
    if role == -1:  # OUTPUT
        return f"which is output 0 of {name} and was saved by it for backward"
    if role is not None and node.arrays:
        return f"which is input {role} of {name} and was saved by it for backward"
    return f"which {name} saved for backward (saved tensor {k})"


def as_graph(node: Any) -> tuple:
    """The saved values as graph Tensors, for a create_graph pass, by their roles: an input that needs a
    gradient comes back as the leaf itself or as ``Tensor._make(array, parent)`` (the parent node's output),
    the node's own output as ``Tensor._make(array, node)``; the rest (constants) as they are."""
    out = []
    for s, role in zip(node.saved, node.roles):
        if role == -1:
            s = Tensor._make(s._array if isinstance(s, Tensor) else s, node)
        elif role is not None and node.arrays:
            parent = node.inputs[role]
            if parent is not None:
                s = parent if isinstance(parent, Tensor) else Tensor._make(s, parent)
        out.append(s)
    return tuple(out)
