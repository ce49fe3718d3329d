"""The backward engine: an iterative topological sort and one loop that applies the chain rule.

For each node, latest first, the loop calls the node's backward with the gradient of its output,
then for every input that needs one: reduces the gradient to the input's shape (`unbroadcast`),
checks the shape, casts to the input's dtype and accumulates (into the parent node's pending
gradient, or into a leaf's ``.grad``). No recursion, so graphs of any depth work.

The loop runs with grad mode set to ``create_graph``, as PyTorch's does. Usually that is off and
the gradients are NumPy arrays (the fast path); with ``create_graph=True`` they are Tensors, every
step of the backward pass is itself recorded, and the gradients can be differentiated again. Both
run the same backward formulas: with grad mode on, ``ctx.saved_tensors`` returns graph Tensors
(saved_values.py).
Tensor hooks (``register_hook``, ``retain_grad``) run on a tensor's total gradient, before it is used.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from heapq import heapify, heappop, heappush
from sys import getrefcount
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import anomaly_mode, grad_mode, saved_values
from . import hooks as _hooks
from .function import _FREED, Function

# tb.viz.capture() sets this to a callable that starts a pass and returns a per-node recorder
# recorder(node, grad_of_output, grads_returned_by_backward); None (the normal path) records nothing
_capture: Any = None
_NO_NODES: frozenset = frozenset()  # the captured nodes not to run, when nothing is captured


def _refcount_of_unshared() -> int:
    """``getrefcount(gi)`` in the backward loop for a gradient that nothing else references (the tuple from
    backward, the loop variable, the call's argument; measured, as interpreters count them differently).
    A leaf's first gradient with no more references than this is kept as its ``.grad`` instead of copied:
    PyTorch's AccumulateGrad steals a gradient in the same case."""
    for _parent, gi in zip((None,), (np.empty(1),)):
        return getrefcount(gi)
    raise AssertionError


_ONLY_OURS = _refcount_of_unshared()


def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum ``grad`` over the dimensions broadcasting added or stretched, so it has ``shape``."""
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if extra:
        grad = grad.reshape(shape)
    return grad


def toposort(root: Function) -> list:
    """Nodes reachable from ``root``, each after every node that consumes its output (iterative DFS)."""
    order: list = []
    visited = set()
    stack: list = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node.inputs:
            if parent is not None and not isinstance(parent, Tensor) and parent not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def backward(tensor: Tensor, gradient: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(tensor)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    retain = create_graph if retain_graph is None else bool(retain_graph)
    grad = _initial_grad(tensor, gradient, create_graph)
    root = tensor.grad_fn
    if root is None:  # backward() on a leaf
        _leaf_grad(tensor, grad, create_graph)
        return
    # The engine creates no reference cycles, so the cyclic collector has nothing to find during the
    # pass; pausing it avoids full scans of a large graph (measurable on deep chains).
    collecting = gc.isenabled()
    gc.disable()
    try:
        run_backward([(root, grad)], retain_graph=retain, graph=create_graph)
    finally:
        if collecting:
            gc.enable()


def _initial_grad(tensor: Tensor, gradient: Any, as_tensor: bool = False) -> Any:
    """d(out)/d(out): ones for a scalar, else ``gradient`` (an array, or a Tensor when ``as_tensor``)."""
    if gradient is None:
        if tensor._array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this output has shape "
                f"{tuple(tensor.shape)}: pass gradient= (a tensor of that shape) to backward()")
        shape = tensor._array.shape  # np.array(1) is several times cheaper than np.ones(()) on the hot path
        g = np.array(1, tensor._array.dtype) if not shape else np.ones(shape, tensor._array.dtype)
        return Tensor._make(g) if as_tensor else g
    g = gradient._array if isinstance(gradient, Tensor) else np.asarray(gradient)
    if g.shape != tensor._array.shape:
        raise RuntimeError(f"backward(): gradient has shape {tuple(g.shape)} but the output has shape "
                           f"{tuple(tensor._array.shape)}; they must match")
    if not as_tensor:
        return g.astype(tensor._array.dtype, copy=False)
    if not isinstance(gradient, Tensor):  # a grad_output that requires grad keeps its graph
        gradient = Tensor._make(g)
    return gradient if gradient._array.dtype == tensor._array.dtype else gradient.to(tensor._array.dtype)


def run_backward(roots: Iterable, retain_graph: bool, capture: dict | None = None, graph: bool = False) -> None:
    """Propagate gradients from (node, grad) pairs back to the leaves.

    ``graph`` (create_graph=True) runs the pass with grad mode on, so the gradients are Tensors and every
    step is recorded; otherwise with grad mode off, on arrays. With ``capture`` (a dict whose keys are leaf
    Tensors or nodes) the gradients reaching those keys are stored in it instead of being accumulated
    into ``.grad`` (this is ``autograd.grad``).
    """
    state = grad_mode._state
    mode, state.enabled = state.enabled, graph  # backward runs with grad mode = create_graph, as in PyTorch
    try:
        pending, leaves = _propagate(roots, retain_graph, capture, graph)
        _finish(pending, leaves, capture, graph)
    finally:
        state.enabled = mode


def _propagate(roots: Iterable, retain_graph: bool, capture: dict | None, graph: bool) -> tuple:
    """The one backward loop: each node, latest first, gets its gradient, runs backward, passes the results on."""
    pending, ready, allowed, stop, anomaly, record, inspect, fit, collect = _start(roots, capture, graph)
    leaves, top = {}, None  # leaves collected whole; the ready node numbered highest, kept out of the heap
    while ready or top is not None:
        node = top if top is not None else heappop(ready)[1]
        top = None
        g = pending.pop(node)
        if node.hooks is not None:  # register_hook / retain_grad on the tensor it produced
            g = _hooks.node_hooks(node, g, graph)
        if capture is not None and node in capture:
            capture[node] = g
            if node in stop:
                continue
        grads = node.backward(node, g) if node.arrays and not graph else call_backward(node, g, graph)
        if type(grads) is not tuple:
            grads = (grads,)
        if inspect or len(grads) != len(node.inputs):
            grads = _inspect(node, g, grads, anomaly, record, graph)
        for parent, gi in zip(node.inputs, grads):
            if parent is None or gi is None:
                continue
            if parent._is_tensor:  # a leaf (a node's _is_tensor is False)
                data = parent._array
                if graph or type(gi) is not np.ndarray or gi.shape != data.shape or gi.dtype is not data.dtype:
                    gi = fit(gi, data.shape, data.dtype, node)
                if collect or parent._backward_hooks is not None:
                    if capture is None or parent in capture:
                        leaves[parent] = leaves[parent] + gi if parent in leaves else gi
                elif parent._grad is None:  # the first gradient is kept if nothing else holds it, else copied
                    parent._grad = Tensor._make(gi if gi.base is None and getrefcount(gi) <= _ONLY_OURS else gi.copy())
                else:
                    parent._grad._array += gi
            else:  # (dtypes are singletons: `is` is the cheap test)
                if graph or type(gi) is not np.ndarray or gi.shape != parent.shape or gi.dtype is not parent.dtype:
                    gi = fit(gi, parent.shape, parent.dtype, node)
                prev = pending.get(parent)
                if prev is not None:
                    pending[parent] = prev + gi
                elif allowed is None or parent in allowed:
                    pending[parent] = gi
                    if top is not None and parent.seq > top.seq:
                        top, parent = parent, top  # the highest-numbered one stays out of the heap
                    if top is None and not ready:
                        top = parent
                    else:
                        heappush(ready, (-parent.seq, parent))
        if not retain_graph and node.saved:
            node.saved = _FREED
    return pending, leaves


def _start(roots: Iterable, capture: dict | None, graph: bool) -> tuple:
    """A pass's schedule (``_schedule``) and what it watches: anomaly mode, viz.capture's recorder, whether
    to inspect each node's result (either of those, or node post-hooks), how to fit gradients, whether
    every leaf is collected whole (create_graph or autograd.grad) instead of being added to .grad."""
    anomaly = anomaly_mode._enabled
    record = None if _capture is None else _capture()
    inspect = anomaly or record is not None or _hooks.post_hooks_registered
    return (*_schedule(roots, capture), anomaly, record, inspect, _fit_tensor if graph else _fit,
            graph or capture is not None)


def _inspect(node: Function, g: Any, grads: tuple, anomaly: bool, record: Any, graph: bool) -> tuple:
    """What backward returned: the right number of gradients, the node's post-hooks run on them, no NaN in
    anomaly mode, noted for viz.capture."""
    if len(grads) != len(node.inputs):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node.inputs)}, got {len(grads)})")
    if node.posthooks:
        grads = _hooks.post_hooks(node, grads, g, graph, _fit_tensor if graph else _fit)
    if anomaly:
        anomaly_mode.check_grads(node, grads)
    if record is not None:
        record(node, g, grads)
    return grads


def call_backward(node: Function, g: Any, graph: bool) -> Any:
    """A custom Function's backward (Tensors in and out: arrays again unless ``graph``), or any node's in a
    create_graph pass, where its saved values are shown as graph Tensors by their roles (``as_graph``)."""
    if graph:
        saved = node.saved_tensors  # checked: not freed, not modified in place
        if not saved:
            return node.backward(node, g)
        node.saved = saved_values.as_graph(node)
        try:
            return node.backward(node, g)
        finally:
            node.saved = saved
    grads = node.backward(node, Tensor._make(g))
    if isinstance(grads, tuple):
        return tuple(x._array if isinstance(x, Tensor) else x for x in grads)
    return grads._array if isinstance(grads, Tensor) else grads


def _finish(pending: dict, leaves: dict, capture: dict | None, graph: bool) -> None:
    """End of a pass: captured nodes never run as a step get their gradient; leaves collected whole
    (those with hooks, or every leaf with create_graph) run their hooks and are accumulated or captured."""
    if capture is not None:
        for node, g in pending.items():
            if node in capture:
                capture[node] = g
    for leaf, g in leaves.items():
        if capture is None:
            _leaf_grad(leaf, g, graph)
        else:
            capture[leaf] = _hooks.leaf_hooks(leaf, g, graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple; ``.grad`` is not touched.

    An input the outputs do not depend on gives ``None`` with ``allow_unused=True`` and a
    ``RuntimeError`` otherwise.
    """
    retain = create_graph if retain_graph is None else bool(retain_graph)
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    inputs = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (tuple, list)):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            raise RuntimeError(f"grad: input {i} does not require grad")
    roots = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        g = _initial_grad(out, g, create_graph)
        roots.append((out.grad_fn if out.grad_fn is not None else out, g))
    keys = [t.grad_fn if t.grad_fn is not None else t for t in inputs]
    capture: dict = dict.fromkeys(keys)
    node_roots = []
    for key, g in roots:
        if isinstance(key, Tensor):  # an output that is itself a leaf input
            if key in capture:
                capture[key] = g if capture[key] is None else capture[key] + g
        else:
            node_roots.append((key, g))
    if node_roots:
        run_backward(node_roots, retain_graph=retain, capture=capture, graph=create_graph)
    result = []
    for i, key in enumerate(keys):
        g = capture[key]
        if g is None and not allow_unused:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                               "the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(g if g is None or isinstance(g, Tensor) else Tensor._make(g))
    return tuple(result)


def grad_of(output: Tensor, inputs: Any, gradient: Any) -> list:
    """Gradient arrays of ``output`` (with ``gradient`` as dL/doutput) for each input; None if unused."""
    wanted = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    got = grad([output], wanted, [gradient], retain_graph=True, allow_unused=True)
    it = iter(got)
    return [(lambda g: None if g is None else g._array)(next(it)) if isinstance(t, Tensor) and t.requires_grad
            else None for t in inputs]


def _schedule(roots: Iterable, capture: dict | None) -> tuple:
    """The start of a backward pass: pending gradients, the ready queue, and (for autograd.grad) pruning.

    The ready queue is a heap ordered by node creation number, highest first: every consumer of a
    node was created after it, so a node runs only once all its gradient has arrived. Parents join
    the queue when their first gradient arrives, so no separate topological sort is needed.
    ``allowed`` (None: every node) and ``stop`` restrict ``autograd.grad`` to the nodes on a path to
    its inputs.
    """
    pending: dict = {}
    ready: list = []
    for node, g in roots:
        if node in pending:
            pending[node] = pending[node] + g
        else:
            pending[node] = g
            heappush(ready, (-node.seq, node))
    allowed, stop = None, _NO_NODES
    if capture is not None:
        nodes = [n for n, _ in roots]
        order, stop = _prune(toposort(nodes[0]) if len(nodes) == 1 else _toposort_many(nodes), capture)
        allowed = set(order)
        ready = [item for item in ready if item[1] in allowed]
        heapify(ready)
    return pending, ready, allowed, stop


def _prune(order: list, capture: dict) -> tuple:
    """For autograd.grad: the nodes on a path to a captured input, and the captured nodes not to run.

    A node runs only if one of its inputs is captured or runs; a captured node that no other captured
    input lies behind just receives its gradient (so grad(out, y) leaves y's own graph untouched).
    """
    runs = set()
    for node in reversed(order):  # producers first
        for p in node.inputs:
            if p is not None and (p in capture or p in runs):
                runs.add(node)
                break
    return [n for n in order if n in runs or n in capture], frozenset(n for n in capture if n not in runs)


def _toposort_many(nodes: list) -> list:
    joint = Function()
    joint.inputs = tuple(nodes)
    return toposort(joint)[1:]


def _fit(g: Any, shape: tuple, dtype: np.dtype, node: Function) -> np.ndarray:
    """Reduce ``g`` to ``shape`` and cast it to ``dtype``; a mismatch is a bug in node's backward."""
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != shape:
        if g.ndim >= len(shape):
            g = unbroadcast(g, shape)
        if g.shape != shape:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient: got shape "
                               f"{tuple(g.shape)}, expected {tuple(shape)}")
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


def _fit_tensor(g: Any, shape: tuple, dtype: np.dtype, node: Function) -> Tensor:
    """``_fit`` for create_graph: the reduction and the cast are recorded (both differentiable)."""
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g))
    if g._array.shape != shape:
        if g._array.ndim >= len(shape):
            g = unbroadcast(g, shape)
        if g._array.shape != shape:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient: got shape "
                               f"{tuple(g.shape)}, expected {tuple(shape)}")
    return g if g._array.dtype == dtype else g.to(dtype)


def _accumulate_leaf(leaf: Tensor, g: np.ndarray) -> None:
    if leaf._grad is None:
        leaf._grad = Tensor._make(np.array(g, dtype=leaf._array.dtype, copy=True))
    else:
        leaf._grad._array += g


def _leaf_grad(leaf: Tensor, g: Any, graph: bool) -> None:
    """Run the leaf's hooks on its total gradient, then add it to ``leaf.grad``.

    With create_graph the new ``.grad`` keeps its graph (and is a new Tensor, never updated in place).
    """
    g = _hooks.leaf_hooks(leaf, g, graph)
    if not graph:
        _accumulate_leaf(leaf, g)
    elif leaf._grad is None:
        leaf._grad = g.clone() if g.requires_grad else Tensor._make(g._array.copy())
    else:
        leaf._grad = leaf._grad + g
