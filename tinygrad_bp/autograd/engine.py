"""The backward engine: an iterative topological sort and one loop that applies the chain rule.

For each node, latest first, the loop calls the node's backward with the gradient of its output,
then for every input that needs one: reduces the gradient to the input's shape (`unbroadcast`),
checks the shape, casts to the input's dtype and accumulates (into the parent node's pending
gradient, or into a leaf's ``.grad``). No recursion, so graphs of any depth work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .function import Function


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
            if parent is not None and type(parent) is not Tensor and parent not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def backward(tensor: Tensor, gradient: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(tensor)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if create_graph:
        raise NotImplementedError("create_graph=True is not supported yet")
    grad = _initial_grad(tensor, gradient)
    root = tensor.grad_fn
    if root is None:  # backward() on a leaf
        _accumulate_leaf(tensor, grad)
        return
    run_backward([(root, grad)], retain_graph=bool(retain_graph))


def _initial_grad(tensor: Tensor, gradient: Any) -> np.ndarray:
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this output has shape "
                f"{tuple(tensor.shape)}: pass gradient= (a tensor of that shape) to backward()")
        return np.ones(tensor.data.shape, tensor.data.dtype)
    g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if g.shape != tensor.data.shape:
        raise RuntimeError(f"backward(): gradient has shape {tuple(g.shape)} but the output has shape "
                           f"{tuple(tensor.data.shape)}; they must match")
    return g.astype(tensor.data.dtype, copy=False)


def run_backward(roots: Iterable, retain_graph: bool, capture: dict | None = None) -> None:
    """Propagate gradients from (node, grad) pairs back to the leaves.

    With ``capture`` (a dict whose keys are leaf Tensors or nodes) the gradients reaching those keys
    are stored in it instead of being accumulated into ``.grad`` (this is ``autograd.grad``).
    """
    roots = list(roots)
    pending: dict = {}
    for node, g in roots:
        pending[node] = g if node not in pending else pending[node] + g
    order = toposort(roots[0][0]) if len(roots) == 1 else _toposort_many([n for n, _ in roots])
    for node in order:
        g = pending.pop(node, None)
        if g is None:
            continue
        if capture is not None and node in capture:
            capture[node] = g
        if node._raw:
            grads = node.backward(node, g)
        else:
            grads = _unwrap(node.backward(node, Tensor._make(g)))
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(node.inputs):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {len(node.inputs)}, got {len(grads)})")
        for parent, gi in zip(node.inputs, grads):
            if parent is None or gi is None:
                continue
            if type(parent) is Tensor or isinstance(parent, Tensor):
                gi = _fit(gi, parent.data.shape, parent.data.dtype, node)
                if capture is None:
                    _accumulate_leaf(parent, gi)
                elif parent in capture:
                    prev = capture[parent]
                    capture[parent] = gi if prev is None else prev + gi
            else:
                gi = _fit(gi, parent.shape, parent.dtype, node)
                prev = pending.get(parent)
                pending[parent] = gi if prev is None else prev + gi
        if not retain_graph:
            node.release()
    for node, g in pending.items():  # nodes captured but never reached as a backward step
        if capture is not None and node in capture:
            capture[node] = g


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple; ``.grad`` is not touched.

    An input the outputs do not depend on gives ``None`` with ``allow_unused=True`` and a
    ``RuntimeError`` otherwise.
    """
    if create_graph:
        raise NotImplementedError("create_graph=True is not supported yet")
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
        g = _initial_grad(out, g)
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
        run_backward(node_roots, retain_graph=bool(retain_graph), capture=capture)
    result = []
    for i, key in enumerate(keys):
        g = capture[key]
        if g is None and not allow_unused:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                               "the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(None if g is None else Tensor._make(g))
    return tuple(result)


def grad_of(output: Tensor, inputs: Any, gradient: Any) -> list:
    """Gradient arrays of ``output`` (with ``gradient`` as dL/doutput) for each input; None if unused."""
    wanted = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    got = grad([output], wanted, [gradient], retain_graph=True, allow_unused=True)
    it = iter(got)
    return [(lambda g: None if g is None else g.data)(next(it)) if isinstance(t, Tensor) and t.requires_grad
            else None for t in inputs]


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


def _accumulate_leaf(leaf: Tensor, g: np.ndarray) -> None:
    if leaf.grad is None:
        leaf.grad = Tensor._make(np.array(g, dtype=leaf.data.dtype, copy=True))
    else:
        leaf.grad.data += g


def _unwrap(grads: Any) -> Any:
    if isinstance(grads, tuple):
        return tuple(g.data if isinstance(g, Tensor) else g for g in grads)
    return grads.data if isinstance(grads, Tensor) else grads
