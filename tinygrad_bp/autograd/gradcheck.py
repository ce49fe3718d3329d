"""Check analytical gradients against float64 central finite differences over the whole Jacobian
(``gradcheck``), and second derivatives the same way (``gradgradcheck``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, _make
from . import grad_mode
from .engine import grad, grad_of
from .grad_mode import enable_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical Jacobians disagree."""


def _outputs(fn: Callable, inputs: Sequence) -> list:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor)]


def numerical_jacobians(fn: Callable, inputs: Sequence, eps: float = 1e-6) -> list:
    """J[i][j] is the (n_out_i x n_in_j) Jacobian of output i w.r.t. input j by central differences."""
    with _no_grad():
        outs = _outputs(fn, inputs)
        jac = [[np.zeros((o._array.size, t._array.size)) for t in inputs] for o in outs]
        for j, t in enumerate(inputs):
            if not (isinstance(t, Tensor) and t.requires_grad):
                continue
            flat = t._array.reshape(-1)  # a view: perturb in place
            for k in range(flat.size):
                orig = flat[k]
                flat[k] = orig + eps
                plus = [o._array.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
                flat[k] = orig - eps
                minus = [o._array.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
                flat[k] = orig
                for i in range(len(outs)):
                    jac[i][j][:, k] = (plus[i] - minus[i]) / (2 * eps)
    return jac


def analytical_jacobians(fn: Callable, inputs: Sequence) -> list:
    """J[i][j] by running backward once per output element (a one-hot gradient each time)."""
    outs = _outputs(fn, inputs)
    jac = [[np.zeros((o._array.size, t._array.size)) for t in inputs] for o in outs]
    for i, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for r in range(o._array.size):
            onehot = np.zeros(o._array.size, o._array.dtype)
            onehot[r] = 1
            grads = grad_of(o, inputs, onehot.reshape(o.shape))
            for j, g in enumerate(grads):
                if g is not None:
                    jac[i][j][r, :] = np.asarray(g, np.float64).ravel()
    return jac


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, fast_mode: bool = False) -> bool:
    """True if backward agrees with central differences for every output/input pair.

    Inputs that require grad should be float64. ``fast_mode`` compares one random projection
    (vᵀ J u) instead of the whole Jacobian. On failure raises ``GradcheckError`` (a RuntimeError)
    naming the output and input indices and showing both Jacobians, or returns False.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for j, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            import warnings
            warnings.warn(f"gradcheck: input {j} is {t.dtype}, not float64; the check may fail from rounding",
                          stacklevel=2)
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    numerical = numerical_jacobians(fn, inputs, eps)
    analytical = analytical_jacobians(fn, inputs)
    rng = np.random.default_rng(0)
    for i, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for j, (num, ana) in enumerate(zip(num_row, ana_row)):
            if fast_mode and num.size:
                u, v = rng.standard_normal(num.shape[1]), rng.standard_normal(num.shape[0])
                num, ana = np.atleast_2d(v @ num @ u), np.atleast_2d(v @ ana @ u)
            if not np.allclose(ana, num, rtol=rtol, atol=atol, equal_nan=False):
                msg = (f"Jacobian mismatch for output {i} with respect to input {j},\n"
                       f"numerical:{num}\nanalytical:{ana}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of (inputs, v) -> vᵀ·∂func/∂inputs computed with create_graph=True.

    ``v`` (``grad_outputs``) defaults to random values in [-1, 1), one per output, that require grad,
    so both the derivative with respect to the inputs (the Hessian-vector products) and the one with
    respect to ``v`` are checked against finite differences. PyTorch's signature; the options that
    tune checks this engine does not have (non-contiguous, batched, forward-mode, undefined-grad,
    nondeterminism) are accepted and ignored.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        with _no_grad():
            outs = _outputs(func, inputs)
        grad_outputs = tuple(_make(rng.uniform(-1, 1, o.shape).astype(o.dtype)).requires_grad_() for o in outs
                             if o.dtype.kind == "f")
    else:
        grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    n = len(grad_outputs)

    def first_derivatives(*args: Any) -> tuple:
        with enable_grad():
            xs, vs = args[:-n] if n else args, args[-n:] if n else ()
            outs = [o for o in _outputs(func, xs) if o.dtype.kind == "f"]
            diff = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
            if not pairs or not diff:
                return ()
            got = grad([o for o, _ in pairs], diff, [v for _, v in pairs], create_graph=True, allow_unused=True)
        return tuple(g for g in got if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode)


class _no_grad:
    def __enter__(self) -> None:
        self.ctx = grad_mode.no_grad()
        self.ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.ctx.__exit__(*exc)


__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numerical_jacobians", "analytical_jacobians", "_make"]
