"""Gradients that used to be silently wrong: each case is PyTorch 2.13's result, derived by hand."""

import warnings

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import gradcheck, gradgradcheck


def f64(values, grad=True):
    return tb.tensor(np.asarray(values, dtype=np.float64), requires_grad=grad)


def test_where_gives_exact_zeros_to_the_unselected_branch_even_for_an_infinite_upstream():
    x, y = f64([0.0, 3.0]), f64([2.0, 3.0])
    with np.errstate(divide="ignore"):
        (1 / tb.where(tb.tensor([True, False]), x, y)).sum().backward()
    assert x.grad.tolist() == [-np.inf, 0.0] and not np.signbit(x.grad.numpy()[1])
    np.testing.assert_allclose(y.grad.numpy(), [0.0, -1 / 9], rtol=1e-15)
    assert not np.isnan(y.grad.numpy()).any() and not np.signbit(y.grad.numpy()[0])


def test_clamp_with_tensor_bounds_gives_ties_to_the_input():
    x, lo, hi = f64([1.0, 2.0, 3.0]), f64([1.0, 1.0, 4.0]), f64([5.0, 2.0, 5.0])
    x.clamp(min=lo, max=hi).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0]  # x = lo and x = hi are inside [lo, hi]
    assert lo.grad.tolist() == [0.0, 0.0, 1.0] and hi.grad.tolist() == [0.0, 0.0, 0.0]
    x, lo = f64([1.0, 2.0, 3.0]), f64([1.0, 3.0, 2.0])
    x.clamp(min=lo).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0] and lo.grad.tolist() == [0.0, 1.0, 0.0]
    x, hi = f64([1.0, 2.0, 3.0]), f64([1.0, 3.0, 2.0])
    x.clamp(max=hi).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0] and hi.grad.tolist() == [0.0, 0.0, 1.0]


def test_clamp_with_crossed_bounds_returns_max_and_sends_the_gradient_there():
    x, lo, hi = f64([1.0, 2.0, 3.0]), f64([4.0, 4.0, 4.0]), f64([0.0, 2.0, 5.0])
    y = x.clamp(min=lo, max=hi)
    y.sum().backward()
    assert y.tolist() == [0.0, 2.0, 4.0]
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and lo.grad.tolist() == [0.0, 0.0, 1.0]
    assert hi.grad.tolist() == [1.0, 1.0, 0.0]


@pytest.mark.parametrize("bounds", ["min", "max", "both"])
def test_clamp_with_tensor_bounds_gradchecks(bounds):
    rng = np.random.default_rng(0)
    x = f64(rng.standard_normal((3, 4)))
    lo = f64(rng.standard_normal((4,)) - 1.0) if bounds != "max" else None
    hi = f64(rng.standard_normal((3, 1)) + 1.0) if bounds != "min" else None
    args = [t for t in (x, lo, hi) if t is not None]

    def fn(*ts):
        it = iter(ts)
        a = next(it)
        return a.clamp(min=next(it) if lo is not None else None, max=next(it) if hi is not None else None)

    assert gradcheck(fn, args)


def test_relu_gradient_with_create_graph_stays_connected_and_its_derivative_is_zero():
    x = f64([-1.0, 0.5, 2.0])
    (gx,) = tb.autograd.grad(x.relu().sum(), x, create_graph=True)
    assert gx.requires_grad
    (ggx,) = tb.autograd.grad(gx.sum(), x)
    assert ggx.tolist() == [0.0, 0.0, 0.0]
    assert gradgradcheck(lambda t: t.relu() * t, [f64([-1.0, 0.5, 2.0])])


def test_pow_zero_gradient_is_detached_zeros_even_when_the_upstream_requires_grad():
    x, w = f64([1.5, -2.0]), f64([3.0, 4.0])
    (gx,) = tb.autograd.grad((x.pow(0) * w).sum(), x, create_graph=True)
    assert gx.tolist() == [0.0, 0.0] and not gx.requires_grad


@pytest.mark.parametrize("fn,correction,expected_grad", [
    ("var", 2, [np.inf, np.inf]),     # n = correction over all elements: ∞ (PyTorch's rule)
    ("var", 3, [np.inf, np.inf]),
    ("std", 2, [np.nan, np.nan]),     # std = ∞ there, and PyTorch's std backward gives NaN
])
def test_var_and_std_without_degrees_of_freedom_follow_pytorch(fn, correction, expected_grad):
    x = f64([1.0, 2.0])
    with pytest.warns(UserWarning, match=f"{fn}\\(\\): degrees of freedom is <= 0"):
        out = getattr(x, fn)(correction=correction)
    assert out.item() == np.inf
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected_grad)


def test_var_over_a_dim_without_degrees_of_freedom_and_constant_input():
    x = f64([[1.0, 2.0], [3.0, 3.0]])
    with pytest.warns(UserWarning):
        out = x.var(1, correction=2)
    out.sum().backward()
    assert out.tolist()[0] == np.inf and np.isnan(out.tolist()[1])
    assert x.grad.numpy()[0].tolist() == [-np.inf, np.inf] and np.isnan(x.grad.numpy()[1]).all()
    x = f64([[2.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # correction < n: no warning
        s = x.std(1)
    s.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0]]  # std = 0: PyTorch masks the 1/(2·std) to 0


@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("dim,keepdim,correction", [(None, False, 1), (0, False, 0), ((0, 2), True, 1), (-1, False, 2)])
def test_var_and_std_gradcheck_and_gradgradcheck(fn, dim, keepdim, correction):
    x = f64(np.random.default_rng(1).standard_normal((3, 2, 4)))
    f = lambda t: getattr(t, fn)(dim, keepdim=keepdim, correction=correction)  # noqa: E731
    assert gradcheck(f, [x]) and gradgradcheck(f, [x])


def test_a_custom_function_that_saves_its_output_differentiates_twice():
    class Exp(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * out

    x = f64([0.5, -1.0])
    (gx,) = tb.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (ggx,) = tb.autograd.grad(gx.sum(), x)  # d²/dx² eˣ = eˣ, through the saved output
    np.testing.assert_allclose(ggx.numpy(), np.exp([0.5, -1.0]), rtol=1e-14)
    y = f64([0.3])
    Exp.apply(y).sum().backward()  # the plain pass still sees the saved value
    np.testing.assert_allclose(y.grad.numpy(), np.exp([0.3]), rtol=1e-14)
