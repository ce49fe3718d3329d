"""tb.autograd.functional (jacobian hessian vjp jvp hvp vhp) against float64 central differences, with
PyTorch's output structures (Tensor in, Tensor out; tuples for tuples) and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import functional as AF

RNG = np.random.default_rng(0)
X = RNG.standard_normal(3)
W = RNG.standard_normal((2, 3))


def f_vec(x):  # R^3 -> R^3
    return x.tanh() * x.sum() + x * x


def f_two(x, w):  # (R^3, R^{2x3}) -> R^2
    return (w * x).sum(1).sigmoid() * x.sum()


def f_scalar(x):
    return (x.exp() * x).sum() + (x * x).sum() ** 2


def f_scalar_two(x, w):
    return ((w * x).sum(1).tanh() ** 2).sum() + (x ** 3).sum()


def numeric_jacobian(fn, arrays, k, out_index=None, eps=1e-6):
    """d out / d arrays[k] by central differences, shaped out.shape + arrays[k].shape."""
    def value(arrs):
        out = fn(*[tb.tensor(a) for a in arrs])
        return (out[out_index] if out_index is not None else out).numpy().copy()

    base = value(arrays)
    jac = np.zeros(base.shape + arrays[k].shape)
    for idx in np.ndindex(arrays[k].shape):
        plus = [a.copy() for a in arrays]
        minus = [a.copy() for a in arrays]
        plus[k][idx] += eps
        minus[k][idx] -= eps
        jac[(...,) + idx] = (value(plus) - value(minus)) / (2 * eps)
    return jac


def test_jacobian_single_tensor_is_a_tensor():
    J = AF.jacobian(f_vec, tb.tensor(X))
    assert isinstance(J, tb.Tensor) and J.shape == (3, 3) and not J.requires_grad
    np.testing.assert_allclose(J.numpy(), numeric_jacobian(f_vec, [X], 0), atol=1e-6)


def test_jacobian_tuple_inputs_gives_a_tuple_over_inputs():
    J = AF.jacobian(f_two, (tb.tensor(X), tb.tensor(W)))
    assert isinstance(J, tuple) and [j.shape for j in J] == [(2, 3), (2, 2, 3)]
    for k in range(2):
        np.testing.assert_allclose(J[k].numpy(), numeric_jacobian(f_two, [X, W], k), atol=1e-6)


def test_jacobian_tuple_outputs_nest_outer_over_outputs():
    def fn(x, w):
        return x * 2, (w * x).sum()
    J = AF.jacobian(fn, (tb.tensor(X), tb.tensor(W)))
    assert [[j.shape for j in row] for row in J] == [[(3, 3), (3, 2, 3)], [(3,), (2, 3)]]
    single = AF.jacobian(lambda x: (x * 2, x.sum()), tb.tensor(X))
    assert isinstance(single, tuple) and [j.shape for j in single] == [(3, 3), (3,)]
    np.testing.assert_allclose(single[0].numpy(), 2 * np.eye(3))


def test_jacobian_independent_input_is_zeros_or_strict_error():
    J = AF.jacobian(lambda x, y: x * 2, (tb.tensor(X), tb.tensor(W)))
    assert not J[1].numpy().any() and J[1].shape == (3, 2, 3)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(lambda x, y: x * 2, (tb.tensor(X), tb.tensor(W)), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        AF.jacobian(lambda x: tb.tensor(W), tb.tensor(X), strict=True)
    assert not AF.jacobian(lambda x: tb.tensor(W), tb.tensor(X)).numpy().any()


def test_jacobian_create_graph_is_differentiable():
    x = tb.tensor(X, requires_grad=True)
    J = AF.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert J.requires_grad
    J.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * X)  # d/dx sum(diag(3x^2))


def test_hessian_matches_differences_of_the_gradient():
    x = tb.tensor(X)
    H = AF.hessian(f_scalar, x)
    assert isinstance(H, tb.Tensor) and H.shape == (3, 3)

    def gradient(t):
        return AF.vjp(f_scalar, t)[1]
    np.testing.assert_allclose(H.numpy(), numeric_jacobian(gradient, [X], 0), atol=1e-5)
    np.testing.assert_allclose(H.numpy(), H.numpy().T, atol=1e-10)


def test_hessian_of_tuple_inputs_is_a_tuple_of_tuples():
    H = AF.hessian(f_scalar_two, (tb.tensor(X), tb.tensor(W)))
    assert [[h.shape for h in row] for row in H] == [[(3, 3), (3, 2, 3)], [(2, 3, 3), (2, 3, 2, 3)]]
    np.testing.assert_allclose(H[0][1].numpy(), H[1][0].numpy().transpose(2, 0, 1), atol=1e-10)


def test_vjp_and_jvp_match_the_jacobian():
    x, w = tb.tensor(X), tb.tensor(W)
    J = AF.jacobian(f_two, (x, w))
    v = RNG.standard_normal(2)
    out, (gx, gw) = AF.vjp(f_two, (x, w), tb.tensor(v))
    np.testing.assert_allclose(out.numpy(), f_two(x, w).numpy())
    np.testing.assert_allclose(gx.numpy(), v @ J[0].numpy(), atol=1e-12)
    np.testing.assert_allclose(gw.numpy(), np.tensordot(v, J[1].numpy(), 1), atol=1e-12)
    tx, tw = RNG.standard_normal(3), RNG.standard_normal((2, 3))
    out, jv = AF.jvp(f_two, (x, w), (tb.tensor(tx), tb.tensor(tw)))
    assert isinstance(jv, tb.Tensor) and jv.shape == (2,)
    np.testing.assert_allclose(jv.numpy(), J[0].numpy() @ tx + np.tensordot(J[1].numpy(), tw, 2), atol=1e-12)


def test_single_tensor_vjp_and_jvp_structures():
    x = tb.tensor(X)
    out, g = AF.vjp(f_vec, x, tb.ones(3, dtype=tb.float64))
    assert isinstance(out, tb.Tensor) and isinstance(g, tb.Tensor) and not g.requires_grad
    out, g = AF.vjp(lambda t: t.sum(), x)  # v may be omitted for a one-element output
    np.testing.assert_allclose(g.numpy(), np.ones(3))
    out, jv = AF.jvp(lambda t: (t * 2, t.sum()), tb.tensor([1.5]))  # v omitted for a one-element input
    assert isinstance(jv, tuple) and jv[0].tolist() == [2.0] and jv[1].item() == 1.0


@pytest.mark.parametrize("fn", ["hvp", "vhp"])
def test_hvp_and_vhp_are_the_hessian_times_v(fn):
    x, v = tb.tensor(X), RNG.standard_normal(3)
    H = AF.hessian(f_scalar, x).numpy()
    out, hv = getattr(AF, fn)(f_scalar, x, tb.tensor(v))
    assert out.shape == () and isinstance(hv, tb.Tensor)
    np.testing.assert_allclose(hv.numpy(), H @ v, atol=1e-10)
    xs, vs = (tb.tensor(X), tb.tensor(W)), (tb.tensor(v), tb.tensor(np.ones((2, 3))))
    out, hv = getattr(AF, fn)(f_scalar_two, xs, vs)
    assert isinstance(hv, tuple) and [h.shape for h in hv] == [(3,), (2, 3)]


def test_inputs_are_not_changed_and_results_are_detached():
    x = tb.tensor(X, requires_grad=True)
    before = x.detach().numpy().copy()
    for result in (AF.jacobian(f_vec, x), AF.vjp(f_vec, x, tb.ones(3, dtype=tb.float64))[1],
                   AF.hessian(f_scalar, x)):
        assert not result.requires_grad and result.grad_fn is None
    assert x.grad is None and np.array_equal(x.detach().numpy(), before)


@pytest.mark.parametrize("call, error, message", [
    (lambda: AF.jacobian(f_vec, [tb.tensor(X)]), TypeError, "inputs given to jacobian must be either a Tensor"),
    (lambda: AF.vjp(f_vec, (tb.tensor(X), 3)), TypeError, "the value at index 1 has type int"),
    (lambda: AF.jacobian(lambda x: 3.0, tb.tensor(X)), TypeError, "outputs of the user-provided function"),
    (lambda: AF.vjp(f_vec, tb.tensor(X)), RuntimeError, "v can only be None if the user-provided function returns"),
    (lambda: AF.jvp(f_vec, tb.tensor(X)), RuntimeError, "v can only be None if the input"),
    (lambda: AF.vjp(f_vec, tb.tensor(X), tb.ones(2)), RuntimeError, r"v has invalid size: should be \[3\] but got"),
    (lambda: AF.vjp(f_two, (tb.tensor(X), tb.tensor(W)), (tb.ones(2), tb.ones(2))), RuntimeError,
     "The given v should contain a single Tensor"),
    (lambda: AF.jvp(f_two, (tb.tensor(X), tb.tensor(W)), (tb.tensor(X),)), RuntimeError,
     "v is a tuple of invalid length: should be 2 but got 1"),
    (lambda: AF.hessian(f_vec, tb.tensor(X)), RuntimeError, "hessian should contain a single element"),
    (lambda: AF.hvp(lambda x: (x.sum(), x.sum()), tb.tensor(X), tb.tensor(X)), RuntimeError,
     "hvp should return a single Tensor"),
    (lambda: AF.jacobian(f_vec, tb.tensor(X), strategy="sideways"), AssertionError, "Expected strategy"),
    (lambda: AF.jacobian(f_vec, tb.tensor(X), strategy="forward-mode"), NotImplementedError, "vectorize=True"),
])
def test_bad_input_raises_pytorchs_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_forward_mode_with_vectorize_gives_the_same_values():
    x = tb.tensor(X)
    a = AF.jacobian(f_vec, x, vectorize=True, strategy="forward-mode").numpy()
    np.testing.assert_allclose(a, AF.jacobian(f_vec, x).numpy())


def test_reachable_as_tb_autograd_functional():
    assert tb.autograd.functional.jacobian is AF.jacobian
