"""capture: keep, for the pictures, every gradient a backward pass computes.

Normally ``backward()`` keeps only the leaves' ``.grad``: the gradient of each intermediate value,
dL/d(out) of every node, is used once and dropped, and so is the contribution each node hands to
each of its inputs. Under ``with tb.viz.capture():`` the engine calls a recorder once per node, which
stores on the node (so the values live and die with the graph):

* ``node.viz_grad``: dL/d(output of the node), the total over all its consumers;
* ``node.viz_input_grads``: one entry per input, the contribution handed to that input after the
  broadcast is undone (``unbroadcast``) and before it is added to the input's other contributions
  (``None`` for an input that needs no gradient).

Operations run inside the context also remember their output value (``node.viz_value``) and the
Tensors they were given that need no gradient (``node.viz_constants``, e.g. the network's input and
the loss's target), so ``draw_graph`` can show every node's value and draw those inputs. Outside
the context nothing is recorded and the engine pays one ``is None`` test per node.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..autograd import engine
from ..autograd.function import Function
from ..tensor import Tensor

_depth = 0  # nested capture() contexts currently open
_original_apply: dict = {}  # class -> its own ``apply`` (classmethod), while patched


class Capture:
    """What ``capture()`` yields: read the captured gradient of any tensor of the graph."""

    def grad(self, t: Tensor) -> np.ndarray | None:
        """dL/dt from the last captured backward pass: a node's output gradient, or for a leaf the
        sum of the contributions its consumers handed it. ``None`` if none was captured."""
        if not isinstance(t, Tensor):
            raise TypeError(f"capture.grad expects a Tensor, got {type(t).__name__}")
        if t.grad_fn is not None:
            return getattr(t.grad_fn, "viz_grad", None)
        return getattr(t, "viz_grad", None)


def begin_pass() -> Any:
    """The engine's hook (``engine._capture``), called when a backward pass starts: the recorder of that pass."""
    stamp = object()  # a leaf's gradient sums the contributions of one pass only

    def record(node: Any, g: Any, grads: tuple) -> None:
        record_node(node, g, grads, stamp)

    return record


def record_node(node: Any, g: Any, grads: tuple, stamp: object) -> None:
    """Keep ``node``'s output gradient and the contribution it hands to each input."""
    node.viz_grad = _array(g).copy()
    node.viz_pass = stamp
    contributions = []
    for parent, gi in zip(node.inputs, grads):
        if parent is None or gi is None:
            contributions.append(None)
            continue
        if isinstance(parent, Tensor):
            shape, dtype = parent._array.shape, parent._array.dtype
        else:
            shape, dtype = parent.shape, parent.dtype
        gi = _array(gi)
        if gi.shape != shape and gi.ndim >= len(shape):
            gi = engine.unbroadcast(gi, shape)
        gi = np.array(gi, dtype=dtype, copy=True)
        contributions.append(gi)
        if isinstance(parent, Tensor):  # a leaf: its gradient is the sum of what its consumers send
            if getattr(parent, "viz_pass", None) is stamp:
                parent.viz_grad = parent.viz_grad + gi
            else:
                parent.viz_grad = gi.copy()
                parent.viz_pass = stamp
    node.viz_input_grads = tuple(contributions)


def _array(g: Any) -> np.ndarray:
    return np.asarray(g._array if isinstance(g, Tensor) else g)


def _recording_apply(cls: type, original: Any) -> Any:
    """``cls.apply`` that also notes the output value and the constant inputs on the new node."""
    func = original.__func__

    def apply(klass: type, *args: Any, **kwargs: Any) -> Any:
        out = func(klass, *args, **kwargs)
        node = out.grad_fn if isinstance(out, Tensor) else None
        if node is not None and isinstance(node, Function) and not hasattr(node, "viz_value"):
            node.viz_value = out._array
            constants = {i: a for i, (a, p) in enumerate(zip(args, node.inputs)) if p is None and isinstance(a, Tensor)}
            if constants:
                node.viz_constants = constants
        return out

    apply.__doc__ = func.__doc__
    return classmethod(apply)


def _start() -> None:
    global _depth
    _depth += 1
    if _depth > 1:
        return
    for cls in (Function,):
        _original_apply[cls] = cls.__dict__["apply"]
        cls.apply = _recording_apply(cls, _original_apply[cls])
    engine._capture = begin_pass


def _stop() -> None:
    global _depth
    _depth -= 1
    if _depth:
        return
    engine._capture = None
    for cls, original in _original_apply.items():
        cls.apply = original
    _original_apply.clear()


@contextmanager
def capture() -> Iterator[Capture]:
    """Keep every gradient of the backward passes run inside, for ``draw_graph(show_grads=True)``.

    ``with tb.viz.capture(): loss = f(x); loss.backward()`` stores on each node of the graph the
    gradient of its output and the contribution it handed to each input (also under
    ``autograd.grad`` and ``create_graph``); forward passes run inside also keep each node's value
    and the inputs that need no gradient. The values are freed with the graph. The switch is
    process-wide (every thread's passes are captured while a context is open); contexts nest.
    """
    _start()
    try:
        yield Capture()
    finally:
        _stop()
