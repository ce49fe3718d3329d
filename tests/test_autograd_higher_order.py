"""Higher-order gradients: Hessian-vector products, a third derivative, autograd.grad(create_graph=True) and
backward(create_graph=True), and that gradgradcheck catches a wrong second derivative. The gradgradcheck of
every differentiable op is generated from the op table (tests/op_table.py, run by tests/test_op_table.py)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import GradcheckError, grad, gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def t(*shape: int, low: float = -1.0, high: float = 1.0) -> tb.Tensor:
    return tb.tensor(RNG.uniform(low, high, shape), requires_grad=True)


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    class BadSquare(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x.detach()  # right first derivative, but cut from the graph: d²/dx² becomes 0

    x = t(3)
    assert gradcheck(BadSquare.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(BadSquare.apply, (x,))
    assert gradgradcheck(BadSquare.apply, (x,), raise_exception=False) is False


def test_third_derivative_matches_closed_form() -> None:
    # f(x) = x³·sin(x):  f''' = 6 sin x + 18 x cos x - 9 x² sin x - x³ cos x
    xs = np.array([-1.3, 0.2, 0.9, 2.0])
    x = tb.tensor(xs, requires_grad=True)
    f = (x ** 3 * x.sin()).sum()
    (d1,) = grad(f, x, create_graph=True)
    (d2,) = grad(d1.sum(), x, create_graph=True)
    (d3,) = grad(d2.sum(), x)
    expected = 6 * np.sin(xs) + 18 * xs * np.cos(xs) - 9 * xs ** 2 * np.sin(xs) - xs ** 3 * np.cos(xs)
    np.testing.assert_allclose(d1.data, 3 * xs ** 2 * np.sin(xs) + xs ** 3 * np.cos(xs), rtol=1e-12)
    np.testing.assert_allclose(d3.data, expected, rtol=1e-10)
    assert d3.grad_fn is None and not d3.requires_grad


def _mlp_loss(flat: tb.Tensor, x: np.ndarray, y: np.ndarray) -> tb.Tensor:
    w1 = flat[:12].reshape(4, 3)
    b1 = flat[12:16]
    w2 = flat[16:20].reshape(1, 4)
    h = (tb.tensor(x) @ w1.T + b1).tanh()
    out = (h @ w2.T).sigmoid()
    return ((out - tb.tensor(y)) ** 2).mean()


def test_hessian_vector_product_of_mlp_matches_finite_differences() -> None:
    x = RNG.standard_normal((5, 3))
    y = RNG.uniform(0, 1, (5, 1))
    theta = RNG.standard_normal(20) * 0.7
    v = RNG.standard_normal(20)

    def gradient(values: np.ndarray) -> np.ndarray:
        p = tb.tensor(values, requires_grad=True)
        (g,) = grad(_mlp_loss(p, x, y), p)
        return g.data

    # Hessian by central differences of the (first-order, already checked) gradient
    eps = 1e-5
    hess = np.stack([(gradient(theta + eps * e) - gradient(theta - eps * e)) / (2 * eps) for e in np.eye(20)])
    p = tb.tensor(theta, requires_grad=True)
    (g,) = grad(_mlp_loss(p, x, y), p, create_graph=True)
    (hv,) = grad((g * tb.tensor(v)).sum(), p)
    np.testing.assert_allclose(hv.data, hess @ v, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(hess, hess.T, atol=1e-6)


def test_backward_create_graph_gives_differentiable_grad_and_retains_graph() -> None:
    x = tb.tensor([0.5, -1.0, 2.0], dtype=tb.float64, requires_grad=True)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    x.grad = None
    g.sum().backward()  # d/dx Σ 3x² = 6x (the first graph was retained by create_graph)
    np.testing.assert_allclose(x.grad.data, 6 * x.data)
    y.backward()  # still retained
    np.testing.assert_allclose(x.grad.data, 6 * x.data + 3 * x.data ** 2)


def test_gradient_penalty_flows_into_parameters() -> None:
    w = tb.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=tb.float64, requires_grad=True)
    x = tb.tensor([[0.3, -0.7]], dtype=tb.float64, requires_grad=True)
    out = (x @ w).tanh().sum()
    (gx,) = grad(out, x, create_graph=True)
    penalty = (gx ** 2).sum()
    penalty.backward()

    def pen(wv: np.ndarray) -> float:
        xx = tb.tensor(x.data, requires_grad=True)
        (gg,) = grad((xx @ tb.tensor(wv)).tanh().sum(), xx)
        return float((gg.data ** 2).sum())

    num = np.zeros_like(w.data)
    for idx in np.ndindex(*w.shape):
        d = np.zeros_like(w.data)
        d[idx] = 1e-6
        num[idx] = (pen(w.data + d) - pen(w.data - d)) / 2e-6
    np.testing.assert_allclose(w.grad.data, num, rtol=1e-6, atol=1e-9)


def test_first_order_grad_has_no_graph_and_grad_output_with_graph() -> None:
    x = t(3)
    (g,) = grad((x * x).sum(), x)
    assert g.grad_fn is None and not g.requires_grad
    v = tb.tensor([1.0, 2.0, 3.0], dtype=tb.float64, requires_grad=True)
    (g,) = grad(x * x, x, grad_outputs=v, create_graph=True)
    (dv,) = grad(g.sum(), v)  # d/dv Σ 2x·v = 2x
    np.testing.assert_allclose(dv.data, 2 * x.data)


def test_custom_function_double_backward() -> None:
    class Cube(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = t(4)
    assert gradgradcheck(Cube.apply, (x,))
    (d1,) = grad(Cube.apply(x).sum(), x, create_graph=True)
    (d2,) = grad(d1.sum(), x)
    np.testing.assert_allclose(d2.data, 6 * x.data)


def test_create_graph_dtype_is_kept() -> None:
    x = tb.tensor([1.0, 2.0], requires_grad=True)  # float32
    (g,) = grad((x.double() ** 2).sum(), x, create_graph=True)
    assert g.dtype == tb.float32 and g.grad_fn is not None
    (h,) = grad(g.sum(), x)
    assert h.dtype == tb.float32
    np.testing.assert_allclose(h.data, [2.0, 2.0])


def test_create_graph_on_a_deep_chain_needs_no_recursion() -> None:
    x = tb.tensor(np.full(3, 0.1), requires_grad=True)
    y = x
    for i in range(10_000):
        y = y * 1.0000001 if i % 2 else y + 1e-7
    (g,) = grad((y * y).sum(), x, create_graph=True)  # 2·y·∂y/∂x
    (h,) = grad(g.sum(), x)  # 2·(∂y/∂x)²
    scale = 1.0000001 ** 5_000
    np.testing.assert_allclose(g.data, 2 * y.data * scale, rtol=1e-9)
    np.testing.assert_allclose(h.data, 2 * scale ** 2, rtol=1e-9)


def test_detached_copy_sharing_the_array_stays_a_constant() -> None:
    x = tb.tensor([1.0, 2.0], dtype=tb.float64, requires_grad=True)
    y = x * x.detach()  # d/dx = x (the detached factor is a constant), d²/dx² = 0
    (g,) = grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, x.data)
    assert not g.requires_grad
    z = x.detach() * x
    (g,) = grad(z.sum(), x, create_graph=True)
    assert not g.requires_grad
