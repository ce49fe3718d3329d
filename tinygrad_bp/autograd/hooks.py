"""Tensor hooks and retained gradients: ``register_hook``, ``retain_grad``, and how the engine runs them.

A hook of a leaf lives on the leaf (``_backward_hooks``); a hook of a non-leaf lives on the node that
made it (``node.hooks``), as does ``retain_grad()`` (``node.retained``, a weak reference). The engine calls
them on a tensor's total gradient, before it is used. ``RemovableHandle`` is also what
``Module.register_forward_hook`` returns.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """Removes one hook from the dict it was registered in (also as a ``with`` block)."""

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(t: Tensor, hook: Any) -> RemovableHandle:
    """``t.register_hook(hook)``: on the leaf, or on the node that made ``t``."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t.grad_fn is None:
        if t._backward_hooks is None:
            t._backward_hooks = {}
        hooks = t._backward_hooks
    else:
        if t.grad_fn.hooks is None:
            t.grad_fn.hooks = {}
        hooks = t.grad_fn.hooks
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def retain_grad(t: Tensor) -> None:
    """``t.retain_grad()``: the node that made ``t`` keeps a weak reference to it (it must not keep it alive)."""
    if not t.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    node = t.grad_fn
    if node is None or t._retains_grad:
        return
    t._retains_grad = True
    node.retained = weakref.ref(t)
    if node.hooks is None:
        node.hooks = {}


def _run_hooks(hooks: dict, g: Any, graph: bool, what: str) -> Any:
    """Call each hook with the gradient (a Tensor); a hook's non-None result replaces it."""
    t = g if graph else Tensor._make(g)
    for fn in list(hooks.values()):
        r = fn(t)
        if r is not None:
            if not isinstance(r, Tensor):
                r = Tensor._make(np.asarray(r, dtype=t._array.dtype))
            if r._array.shape != t._array.shape:
                raise RuntimeError(f"hook registered on {what} returned a gradient of shape {tuple(r.shape)}, "
                                   f"but the gradient has shape {tuple(t.shape)}")
            t = r
    return t if graph else t._array


def leaf_hooks(leaf: Tensor, g: Any, graph: bool) -> Any:
    hooks = leaf._backward_hooks
    return g if not hooks else _run_hooks(hooks, g, graph, "a leaf tensor")


def node_hooks(node: Any, g: Any, graph: bool) -> Any:
    """Hooks of the non-leaf tensor ``node`` produced, its retain_grad(), then the node's own pre-hooks
    (``grad_fn.register_prehook``), in PyTorch's order."""
    if node.hooks:
        g = _run_hooks(node.hooks, g, graph, f"the output of {node.name()}")
    ref = node.retained
    t = ref() if ref is not None else None
    if t is not None:
        if graph:
            t._grad = g if t._grad is None else t._grad + g
        elif t._grad is None:
            t._grad = Tensor._make(np.array(g, copy=True))
        else:
            t._grad = Tensor._make(t._grad._array + g)
    if node.prehooks:
        for fn in list(node.prehooks.values()):
            r = fn((g if graph else Tensor._make(g),))
            if r is not None:
                g = _checked_grads(r, 1, f"a pre-hook of {node.name()}")[0]
                g = g if graph or g is None else g._array
    return g


post_hooks_registered = False  # set once a node post-hook exists: until then the engine never looks for one


def register_node_hook(node: Any, hook: Any, post: bool) -> RemovableHandle:
    """``grad_fn.register_hook(hook)`` (post: hook(grad_inputs, grad_outputs)) or ``register_prehook(hook)``
    (hook(grad_outputs)); a hook that returns a tuple replaces those gradients."""
    global post_hooks_registered
    name = "posthooks" if post else "prehooks"
    if getattr(node, name) is None:
        setattr(node, name, {})
    if node.hooks is None:  # the engine's one test for "this node has hooks"
        node.hooks = {}
    post_hooks_registered = post_hooks_registered or post
    handle = RemovableHandle(getattr(node, name))
    handle.hooks[handle.id] = hook
    return handle


def post_hooks(node: Any, grads: tuple, g: Any, graph: bool, fit: Any) -> tuple:
    """Run the node's post-hooks on (grad_inputs, grad_outputs), each input's gradient at its own shape."""
    ins = []
    for parent, gi in zip(node.inputs, grads):
        if parent is not None and gi is not None:
            shape, dtype = (parent._array.shape, parent._array.dtype) if parent._is_tensor else (parent.shape,
                                                                                                 parent.dtype)
            gi = fit(gi, shape, dtype, node)
            gi = gi if graph else Tensor._make(gi)
        ins.append(None if parent is None else gi)
    outs = (g if graph else Tensor._make(g),)
    for fn in list(node.posthooks.values()):
        r = fn(tuple(ins), outs)
        if r is not None:
            ins = list(_checked_grads(r, len(ins), f"a hook of {node.name()}"))
    return tuple(x if x is None or graph else x._array for x in ins)


def _checked_grads(r: Any, n: int, what: str) -> tuple:
    r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
    if len(r) != n:
        raise RuntimeError(f"{what} returned {len(r)} gradients, expected {n}")
    return tuple(x if x is None or isinstance(x, Tensor) else Tensor._make(np.asarray(x)) for x in r)
