"""tb.autograd.functional against torch.autograd.functional: same values, same output structure."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")
TF = torch.autograd.functional
AF = tb.autograd.functional

RNG = np.random.default_rng(1)
X, W, V2, V3 = RNG.standard_normal(3), RNG.standard_normal((2, 3)), RNG.standard_normal(2), RNG.standard_normal(3)


def vec(x):
    return x.tanh() * x.sum() + x * x


def two(x, w):
    return (w * x).sum(1).sigmoid() * x.sum()


def two_outputs(x, w):
    return x * x, (w * x).sum()


def scalar(x):
    return (x.exp() * x).sum() + (x * x).sum() ** 2


def scalar_two(x, w):
    return ((w * x).sum(1).tanh() ** 2).sum() + (x ** 3).sum()


def _lib_args(lib, arrays):
    return tuple(lib.tensor(a) for a in arrays) if isinstance(arrays, tuple) else lib.tensor(arrays)


def _same(ours, theirs):
    """Same nesting of tuples, same shapes, same values."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert isinstance(ours, tb.Tensor) and tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


CASES = [
    ("jacobian", vec, X, None), ("jacobian", two, (X, W), None), ("jacobian", two_outputs, (X, W), None),
    ("jacobian", lambda x: (x * 2, x.sum()), X, None),
    ("hessian", scalar, X, None), ("hessian", scalar_two, (X, W), None),
    ("vjp", vec, X, V3), ("vjp", two, (X, W), V2), ("vjp", two_outputs, (X, W), (X, 1.5)),
    ("jvp", vec, X, V3), ("jvp", two, (X, W), (V3, W)), ("jvp", two_outputs, (X, W), (V3, W)),
    ("hvp", scalar, X, V3), ("vhp", scalar, X, V3), ("hvp", scalar_two, (X, W), (V3, W)),
    ("vhp", scalar_two, (X, W), (V3, W)),
]


@pytest.mark.parametrize("name, fn, inputs, v", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("create_graph", [False, True])
def test_matches_torch(name, fn, inputs, v, create_graph):
    def call(lib, functional):
        args = [fn, _lib_args(lib, inputs)]
        if v is not None:
            args.append(tuple(lib.tensor(np.asarray(a, dtype=np.float64)) for a in v) if isinstance(v, tuple)
                        else lib.tensor(v))
        return getattr(functional, name)(*args, create_graph=create_graph)
    _same(call(tb, AF), call(torch, TF))


def test_create_graph_gradients_match_torch():
    x, xt = tb.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    AF.hessian(scalar, x, create_graph=True).sum().backward()
    TF.hessian(scalar, xt, create_graph=True).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10)


def test_strict_and_zeros_match_torch():
    def fn(lib):
        return lambda x, y: x * 2
    ours = AF.jacobian(fn(tb), _lib_args(tb, (X, W)))
    _same(ours, TF.jacobian(fn(torch), _lib_args(torch, (X, W))))
    with pytest.raises(RuntimeError):
        TF.jacobian(fn(torch), _lib_args(torch, (X, W)), strict=True)
    with pytest.raises(RuntimeError):
        AF.jacobian(fn(tb), _lib_args(tb, (X, W)), strict=True)


@pytest.mark.parametrize("call", [
    lambda F, lib: F.vjp(vec, lib.tensor(X)),
    lambda F, lib: F.jvp(vec, lib.tensor(X)),
    lambda F, lib: F.vjp(vec, lib.tensor(X), lib.ones(2, dtype=lib.float64)),
    lambda F, lib: F.hessian(vec, lib.tensor(X)),
    lambda F, lib: F.jacobian(vec, [lib.tensor(X)]),
    lambda F, lib: F.jacobian(vec, lib.tensor(X), strategy="forward-mode"),
])
def test_error_types_match_torch(call):
    with pytest.raises(Exception) as theirs:
        call(TF, torch)
    with pytest.raises(Exception) as ours:
        call(AF, tb)
    assert type(ours.value) is type(theirs.value)
