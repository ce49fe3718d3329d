"""``tb.autograd.functional``: derivatives of whole functions, as PyTorch's ``torch.autograd.functional``.

``vjp`` (vᵀJ), ``jvp`` (Jv, by the double-vjp trick: Jv = d/du (uᵀJ)·v), ``jacobian`` (one vjp per output
element), ``hessian`` (the Jacobian of the gradient), ``vhp`` (vᵀH) and ``hvp`` (Hv), all built on
``autograd.grad``. Signatures and output structures are PyTorch's: a Tensor argument gives Tensors back,
a tuple gives tuples. Results are detached unless ``create_graph=True``. With ``strict=True`` an output
that does not depend on an input is an error; otherwise its derivative is zeros.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .engine import grad


def _as_tuple(value: Any, arg: str, fn: str) -> tuple:
    """(is_tuple, values): PyTorch's ``_as_tuple``, with its TypeError for a non-Tensor entry."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"the value at index {i} has" if is_tuple else "the given"
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors but {where} "
                            f"type {type(v).__name__}.")
    return is_tuple, values


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh inputs that require grad: a view keeping the graph when ``create_graph``, else detached copies."""
    return tuple(t.view(t.shape) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def _call(func: Callable, inputs: tuple, fn: str) -> tuple:
    return _as_tuple(func(*inputs), "outputs of the user-provided function", fn)


def _vjp(outputs: tuple, inputs: tuple, vs: tuple, create_graph: bool, strict: bool, fn: str) -> tuple:
    """Σ vᵢᵀ ∂outputᵢ/∂input for each input: zeros (or, when ``strict``, a RuntimeError) where independent."""
    pairs = [(o, v) for o, v in zip(outputs, vs) if o.requires_grad]
    if strict and len(pairs) < len(outputs):
        i = next(i for i, o in enumerate(outputs) if not o.requires_grad)
        raise RuntimeError(f"{fn}: Output {i} of the user-provided function does not require gradients. The outputs "
                           "must be computed in a differentiable manner from the input when running in strict mode.")
    got = grad([o for o, _ in pairs], inputs, [v for _, v in pairs], retain_graph=True, create_graph=create_graph,
               allow_unused=True) if pairs else (None,) * len(inputs)
    for i, g in enumerate(got):
        if g is None and strict:
            raise RuntimeError(f"{fn}: The output of the user-provided function is independent of input {i}. This "
                               "is not allowed in strict mode.")
    return tuple(Tensor._make(np.zeros_like(t._array)) if g is None else g for g, t in zip(got, inputs))


def _check_v(v: Any, like: tuple, is_tuple: bool, fn: str, what: str) -> tuple:
    """PyTorch's ``_validate_v``: one v per output (vjp) or input (jvp, hvp, vhp), each of its shape."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"{fn}: The vector v can only be None if {what} a single Tensor with a single element.")
        return (Tensor._make(np.ones_like(like[0]._array)),)
    _, vs = _as_tuple(v, "v", fn)
    if len(vs) != len(like):
        raise RuntimeError(f"{fn}: v is a tuple of invalid length: should be {len(like)} but got {len(vs)}." if
                           is_tuple else f"{fn}: The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(vs, like)):
        if a.shape != b.shape:
            raise RuntimeError(f"{fn}: {f'Entry {i} in ' if is_tuple else ''}v has invalid size: should be "
                               f"{list(b.shape)} but got {list(a.shape)}.")
    return vs


def _out(values: tuple, is_tuple: bool, create_graph: bool) -> Any:
    values = values if create_graph else tuple(t.detach() for t in values)
    return values if is_tuple else values[0]


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(*inputs), vᵀ·J)``: the vector-Jacobian product at ``inputs``."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, "vjp")
    vs = _check_v(v, outputs, out_tuple, "vjp", "the user-provided function returns")
    res = _vjp(outputs, inputs, vs, create_graph, strict, "vjp")
    return _out(outputs, out_tuple, create_graph), _out(res, in_tuple, create_graph)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(*inputs), J·v)``: the Jacobian-vector product, as the derivative in u of the vjp uᵀJ."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    vs = _check_v(v, inputs, in_tuple, "jvp", "the input to the user-provided function is")
    out_tuple, outputs = _call(func, inputs, "jvp")
    us = tuple(Tensor._make(np.zeros_like(o._array)).requires_grad_(True) for o in outputs)
    grads = _vjp(outputs, inputs, us, True, strict, "jvp")
    res = _vjp(grads, us, vs, create_graph, False, "jvp")
    return _out(outputs, out_tuple, create_graph), _out(res, out_tuple, create_graph)


def _jacobian_rows(out: Tensor, inputs: tuple, create_graph: bool, strict: bool, fn: str) -> tuple:
    """∂out/∂input for each input, shaped out.shape + input.shape: one vjp per element of ``out``."""
    n = out.numel()
    rows = []
    for j in range(n):
        onehot = np.zeros(out.shape, out._array.dtype)
        onehot.flat[j] = 1
        rows.append(_vjp((out,), inputs, (Tensor._make(onehot),), create_graph, strict, fn))
    result = []
    for k, t in enumerate(inputs):
        if not create_graph:
            stacked = np.stack([r[k]._array for r in rows]) if n else np.zeros((0, *t.shape), t._array.dtype)
            result.append(Tensor._make(stacked.reshape(out.shape + t.shape)))
            continue
        total = Tensor._make(np.zeros((n, t.numel()), t._array.dtype))  # Σ_j e_j ⊗ row_j keeps the graph
        for j, r in enumerate(rows):
            e = np.zeros((n, 1), t._array.dtype)
            e[j] = 1
            total = total + Tensor._make(e) * r[k].reshape(1, -1)
        result.append(total.reshape(out.shape + t.shape))
    return tuple(result)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a tensor of shape
    ``outputs[i].shape + inputs[j].shape``; a Tensor where ``func`` or ``inputs`` is one, tuples otherwise
    (outer over outputs). ``vectorize`` changes nothing here; ``"forward-mode"`` (which PyTorch runs only
    with ``vectorize=True``) computes the same values in reverse mode."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(  # PyTorch's type
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more outputs '
            'than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode" and (create_graph or strict or not vectorize):
        raise (RuntimeError if strict and not create_graph else NotImplementedError)(
            'jacobian: strategy="forward-mode" needs vectorize=True and supports neither create_graph=True nor '
            'strict=True (as in PyTorch); it computes the same values as "reverse-mode"')
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, "jacobian")
    jac = tuple(_out(_jacobian_rows(o, inputs, create_graph, strict, "jacobian"), in_tuple, create_graph)
                for o in outputs)
    return jac if out_tuple else jac[0]


def _scalar(func: Callable, fn: str) -> Callable:
    """``func``, checked to return one single-element Tensor (hessian, vhp, hvp), with PyTorch's errors."""
    def checked(*args: Any) -> Tensor:
        is_tuple, outs = _call(func, args, fn)
        if is_tuple:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor (got a tuple)")
        if outs[0].numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element "
                               f"(got shape {tuple(outs[0].shape)})")
        return outs[0]
    return checked


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar ``func``: ``inputs[i].shape + inputs[j].shape`` blocks, a Tensor for one Tensor
    input and a tuple of tuples otherwise (the Jacobian of the gradient)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    f = _scalar(func, "hessian")

    def gradient(*args: Tensor) -> tuple:
        return _vjp((f(*args),), args, (None,), True, strict, "hessian")

    res = jacobian(gradient, inputs, create_graph, strict, vectorize, outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(*inputs), vᵀ·H)``: the vector-Hessian product of a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(*inputs), H·v)``: the Hessian-vector product (H is symmetric, so it equals vhp)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func: Callable, inputs: Any, v: Any, create_graph: bool, strict: bool, fn: str) -> tuple:
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn)
    inputs = _prepare(inputs, create_graph)
    vs = _check_v(v, inputs, in_tuple, fn, "the input to the user-provided function is")
    out = _scalar(func, fn)(*inputs)
    grads = _vjp((out,), inputs, (None,), True, strict, fn)
    res = _vjp(grads, inputs, vs, create_graph, strict, fn)
    return _out((out,), False, create_graph), _out(res, in_tuple, create_graph)
