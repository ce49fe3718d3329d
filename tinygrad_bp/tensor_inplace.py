"""In-place updates: ``add_``, ``mul_``, ``x[i] = v``, ``+=``, ... and the rebasing that keeps them differentiable.

Outside a graph (e.g. parameters under no_grad) these write into the tensor's array. On a tensor that is in a graph,
or when the other operand requires grad, the new value is computed from a copy of the old one, written
into ``._array``, and ``grad_fn`` moves to the new node (PyTorch "rebases" the tensor); an update of a view
rebases the tensor it views as well. Every in-place write bumps the version counter
(autograd/saved_values.py). Attached to Tensor by ``tensor.py``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import ops as _ops
from .autograd import saved_values
from .autograd.grad_mode import _state as _grad_state
from .random import _rng
from .tensor import Tensor, _as_tensor, _broadcast_message, _data, _make, attach
from .tensor_shape import _index


class _InPlace:
    """Holds the methods until ``attach`` copies them onto Tensor."""

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _index(index)
        if _records(self, value):
            _inplace_graph(self, "__setitem__", lambda old, v: _put(old, index, v), value)
            return
        self._array[index] = value._array if isinstance(value, Tensor) else value
        saved_values.bump(self)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self ← self + alpha·other, in place (``+=``)."""
        if _records(self, other):
            return _inplace_graph(self, "add_", lambda old, o: old.add(o, alpha=alpha), other)
        return _inplace(self, "add_", np.add, other if alpha == 1 else _data(other) * alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self ← self - alpha·other, in place (``-=``)."""
        if _records(self, other):
            return _inplace_graph(self, "sub_", lambda old, o: old.sub(o, alpha=alpha), other)
        return _inplace(self, "sub_", np.subtract, other if alpha == 1 else _data(other) * alpha)

    def mul_(self, other: Any) -> Tensor:
        """self ← self · other, in place (``*=``)."""
        if _records(self, other):
            return _inplace_graph(self, "mul_", lambda old, o: old * o, other)
        return _inplace(self, "mul_", np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        """self ← self / other, in place (``/=``)."""
        if _records(self, other):
            return _inplace_graph(self, "div_", lambda old, o: old / o, other)
        return _inplace(self, "div_", np.divide, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """self ← min(max(self, min), max), in place."""
        if _records(self, min, max):
            return _inplace_graph(self, "clamp_", lambda old, lo, hi: old.clamp(lo, hi), min, max)
        np.clip(self._array, _data(min), _data(max), out=self._array)
        saved_values.bump(self)
        return self

    clip_ = clamp_

    def zero_(self) -> Tensor:
        """self ← 0, in place."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """self ← value everywhere, in place."""
        if _records(self, value):
            return _inplace_graph(self, "fill_", _overwrite, value)
        self._array[...] = _data(value)
        saved_values.bump(self)
        return self

    def copy_(self, src: Any) -> Tensor:
        """self ← src (broadcast to self's shape, cast to self's dtype), in place."""
        if _records(self, src):
            return _inplace_graph(self, "copy_", _overwrite, src)
        try:
            np.copyto(self._array, np.broadcast_to(_data(src), self.shape), casting="unsafe")
        except ValueError as e:
            raise RuntimeError(f"copy_: the source of shape {np.shape(_data(src))} can't be broadcast to the "
                               f"destination's shape {tuple(self.shape)}") from e
        saved_values.bump(self)
        return self

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with uniform samples on [a, b)."""
        return self.copy_(_rng(generator).uniform(a, b, self.shape))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with normal samples."""
        return self.copy_(_rng(generator).normal(mean, std, self.shape))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)


def _records(t: Tensor, *others: Any) -> builtins.bool:
    """True if an in-place update of ``t`` must be recorded in the graph."""
    return _grad_state.enabled and (t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others))


def _inplace_view(t: Tensor, op: str, compute: Any, operands: list) -> Tensor:
    """_inplace_graph for a view: the base is rebased with the new values, then the view is re-made from it."""
    base, kind, arg = t.__dict__["_view_of"]
    new = _fit_inplace(t, op, compute(_make(t._array.copy(), t.grad_fn), *operands))
    if kind == "index":
        embed, remake = (lambda old, v: _put(old, arg, v)), (lambda b: b[arg])
    elif kind == "reshape":
        embed, remake = (lambda old, v: v.reshape(old.shape)), (lambda b: b.reshape(arg))
    else:
        inverse = tuple(np.argsort(arg).tolist())
        embed, remake = (lambda old, v: v.permute(inverse)), (lambda b: b.permute(arg))
    _inplace_graph(base, op, embed, new)  # writes t's memory too; recurses when the base is itself a view
    fresh = remake(base)
    t.grad_fn, t.requires_grad = fresh.grad_fn, fresh.requires_grad
    saved_values.bump(t)
    return t


def _fit_inplace(t: Tensor, op: str, new: Tensor) -> Tensor:
    """The result of an in-place op checked against (and cast to) the tensor it is written into."""
    if new.shape != t.shape:
        raise RuntimeError(f"{op}: output with shape {list(t.shape)} doesn't match the broadcast shape "
                           f"{list(new.shape)}")
    if new.dtype != t.dtype:
        if not np.can_cast(new.dtype, t.dtype, "same_kind"):
            raise RuntimeError(f"{op}: result type {new.dtype} can't be cast to the desired output type {t.dtype}")
        new = new.to(t.dtype)
    return new


def _inplace_graph(t: Tensor, op: str, compute: Any, *operands: Any) -> Tensor:
    """t ← compute(old t, *operands), differentiably: the value is written into ``t._array`` and ``t.grad_fn``
    moves to the new node. Operands that are ``t`` (``y.mul_(y)``) or share its memory are taken before
    the write, as in PyTorch. A view (``y[:, 0] += 1``) rebases the tensor it was made from as well."""
    if t.requires_grad and t.grad_fn is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
                           "Wrap the update in `with tb.no_grad():` (as optimizers do), or update a clone().")
    operands = [_make(o._array.copy(), o.grad_fn) if isinstance(o, Tensor) and o.grad_fn is not None
                and np.may_share_memory(o._array, t._array) else o for o in operands]
    if "_view_of" in t.__dict__ and t._array.base is not None:
        return _inplace_view(t, op, compute, operands)
    if t.grad_fn is not None and t.grad_fn.view and t._array.base is not None:
        raise RuntimeError(f"{op}: in-place update of a view ({t.grad_fn.name()}: it shares memory with the tensor "
                           "it was made from) is not supported inside a graph; use the out-of-place op, or "
                           "update a clone()")
    old = _make(t._array.copy(), t.grad_fn)  # a snapshot: the new node may save it (mul_, div_)
    new = _fit_inplace(t, op, compute(old, *operands))
    try:
        np.copyto(t._array, new._array)
    except ValueError as e:  # a read-only broadcast view (expand)
        raise RuntimeError(f"{op}: unsupported operation: more than one element of the written-to tensor refers "
                           "to a single memory location. Please clone() the tensor before performing the "
                           "operation.") from e
    t.grad_fn = new.grad_fn
    t.requires_grad = new.requires_grad
    saved_values.bump(t)
    return t


def _overwrite(old: Tensor, src: Any) -> Tensor:
    """``src`` broadcast to ``old``'s shape and dtype, as a graph op whose gradient to ``old`` is zero."""
    s = _as_tensor(src if not isinstance(src, (list, tuple)) else np.asarray(src))
    if s.dtype != old.dtype:
        s = s.to(old.dtype)
    try:
        np.broadcast_shapes(s.shape, old.shape)
    except ValueError as e:
        raise RuntimeError(f"copy_: the source of shape {tuple(s.shape)} can't be broadcast to the destination's "
                           f"shape {tuple(old.shape)}") from e
    return _ops.elementwise.Where.apply(np.ones(old.shape, bool), s, old)


def _put(old: Tensor, index: Any, value: Any) -> Tensor:
    """``old`` with ``value`` written at ``index`` (x[index] = value), as graph ops."""
    mask = np.zeros(old.shape, bool)
    mask[index] = True
    v = _as_tensor(value)
    if v.dtype != old.dtype:
        v = v.to(old.dtype)
    target = old._array[index].shape
    if v.shape != target:
        v = v.expand(target) if v.ndim <= len(target) else v.reshape(target)
    placed = _ops.shape.IndexAdd.apply(v, shape=old.shape, index=index)
    return _ops.elementwise.Where.apply(mask, placed, old)


def _inplace(t: Tensor, op: str, ufunc: Any, other: Any) -> Tensor:
    od = _data(other)
    try:
        ufunc(t._array, od, out=t._array, casting="same_kind")
    except ValueError as e:
        raise RuntimeError(_broadcast_message(op, t.shape, np.shape(od))) from e
    except TypeError as e:  # numpy's UFuncTypeError: e.g. adding floats into an int tensor
        raise RuntimeError(f"{op}: result type {np.result_type(t._array, od)} can't be cast to the desired "
                           f"output type {t.dtype}") from e
    saved_values.bump(t)
    return t


def zero_grads(params: Any, set_to_none: builtins.bool = True) -> None:
    """What ``Module.zero_grad`` and ``Optimizer.zero_grad`` do: each ``p.grad`` set to None, or zeroed in
    place (detached first if it has a graph; the version counter notes the write)."""
    for p in params:
        if p._grad is None:  # (the slot: the property would warn for a non-leaf)
            continue
        if set_to_none:
            p._grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad = p.grad.detach()
            p.grad._array[...] = 0
            saved_values.bump(p.grad)


# In-place forms of the math methods (``x.exp_()``, ``x.pow_(2)``, ``x.lerp_(end, 0.5)``), made from the
# out-of-place method of the same name: differentiable on a non-leaf, refused on a leaf that requires grad
# (in grad mode), the result checked against (and cast to) self's shape and dtype, as in PyTorch.
_INPLACE_MATH = (
    "neg abs sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt reciprocal square sin cos tanh sigmoid relu asin "
    "acos atan sinh cosh asinh acosh atanh erf ceil floor round trunc frac pow atan2 hypot fmod remainder lerp "
    "bitwise_and bitwise_or bitwise_xor bitwise_not"
).split()


def _inplace_math(name: str) -> Any:
    op = f"{name}_"

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if _records(self, *args, *kwargs.values()):
            return _inplace_graph(self, op, lambda old, *ops: getattr(old, name)(*ops, **kwargs), *args)
        new = _fit_inplace(self, op, getattr(self.detach(), name)(*args, **kwargs))
        np.copyto(self._array, new._array)
        saved_values.bump(self)
        return self

    method.__name__ = op
    method.__doc__ = f"self ← self.{name}(...), in place (see ``Tensor.{name}``)."
    return method


for _name in _INPLACE_MATH:
    setattr(_InPlace, f"{_name}_", _inplace_math(_name))


attach(_InPlace)
