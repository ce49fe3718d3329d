"""nn.init.trunc_normal_ and nn.init.orthogonal_: bounds, moments and CDF of the truncated normal against the
closed forms, orthogonality of every shape, the Haar sign convention, generators and errors."""

import math
import warnings

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.nn import init


def _phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _cdf(x):
    return (1 + math.erf(x / math.sqrt(2))) / 2


def truncated_moments(mean, std, a, b):
    """Mean and variance of N(mean, std²) restricted to [a, b] (the textbook formulas)."""
    al, be = (a - mean) / std, (b - mean) / std
    z = _cdf(be) - _cdf(al)
    m = mean + std * (_phi(al) - _phi(be)) / z
    v = std**2 * (1 + (al * _phi(al) - be * _phi(be)) / z - ((_phi(al) - _phi(be)) / z) ** 2)
    return m, v, z


# (mean, std, a, b): the default, a wide window (normal redraws), narrow and one-sided tails (uniform proposals)
CASES = [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, -1.0, 2.0), (0.0, 1.0, 2.0, 3.0), (0.5, 0.1, 0.0, 0.45),
         (0.0, 0.02, -0.04, 0.04), (-3.0, 1.0, -10.0, 10.0)]


@pytest.mark.parametrize("mean, std, a, b", CASES)
def test_trunc_normal_matches_the_truncated_distribution(mean, std, a, b):
    n = 100_000
    t = tb.empty(n, dtype=tb.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = init.trunc_normal_(t, mean=mean, std=std, a=a, b=b, generator=tb.Generator().manual_seed(1))
    assert out is t
    x = t.numpy()
    assert x.min() >= a and x.max() <= b
    m, v, z = truncated_moments(mean, std, a, b)
    # 5 standard errors of the mean and of the variance
    assert abs(x.mean() - m) < 5 * math.sqrt(v / n)
    assert abs(x.var() - v) < 5 * v * math.sqrt(2 / n)
    # Kolmogorov-Smirnov distance to the truncated normal's CDF (critical value 1.63/√n at the 1% level)
    xs = np.sort(x)
    grid = np.linspace(0, n - 1, 200).astype(int)
    expected = np.array([(_cdf((xs[i] - mean) / std) - _cdf((a - mean) / std)) / z for i in grid])
    assert np.max(np.abs(expected - (grid + 1) / n)) < 1.63 / math.sqrt(n) + 1 / n


def test_trunc_normal_defaults_dtype_generator_and_warning():
    t = tb.empty(4, 1000)
    init.trunc_normal_(t)
    assert t.dtype == tb.float32 and float(t.abs().max()) <= 2.0
    assert 0.7 < float(t.std()) < 0.95  # the standard normal cut at ±2 has std 0.880
    a = init.trunc_normal_(tb.empty(50), generator=tb.Generator().manual_seed(3)).numpy()
    b = init.trunc_normal_(tb.empty(50), generator=tb.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(a, b)
    tb.manual_seed(5)
    c = init.trunc_normal_(tb.empty(50)).numpy()
    tb.manual_seed(5)
    np.testing.assert_array_equal(init.trunc_normal_(tb.empty(50)).numpy(), c)
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(tb.empty(10), mean=10.0, std=1.0, a=-1.0, b=1.0)


def test_trunc_normal_fills_a_parameter_in_place_without_a_graph():
    lin = tb.nn.Linear(30, 20)
    w = lin.weight
    init.trunc_normal_(w, std=0.02)
    assert lin.weight is w and w.grad_fn is None and w.requires_grad
    assert float(w.abs().max()) <= 2.0 and float(w.std()) < 0.05  # bounds are absolute: ±2 is ±100 std


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (4, 2, 3, 3), (1, 6), (6, 1)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = tb.empty(*shape, dtype=tb.float64)
    init.orthogonal_(w, gain=1.7, generator=tb.Generator().manual_seed(0))
    m = w.numpy().reshape(shape[0], -1)
    rows, cols = m.shape
    gram = m @ m.T if rows <= cols else m.T @ m
    np.testing.assert_allclose(gram, 1.7**2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_is_haar_distributed_both_signs_and_right_second_moment():
    n, draws = 4, 4000
    g = tb.Generator().manual_seed(11)
    first = np.array([init.orthogonal_(tb.empty(n, n, dtype=tb.float64), generator=g).numpy()[0, 0]
                      for _ in range(draws)])
    # for a Haar-random orthogonal matrix each entry has mean 0 and E[q²] = 1/n; an unfixed QR makes
    # q₀₀ = −|x₀₀|/‖x‖ < 0 every time
    assert (first > 0).mean() == pytest.approx(0.5, abs=0.04)
    assert abs(first.mean()) < 4 * math.sqrt(1 / n / draws)
    assert first.var() == pytest.approx(1 / n, rel=0.1)


def test_orthogonal_float32_generator_and_errors():
    w = tb.empty(8, 8)
    init.orthogonal_(w)
    assert w.dtype == tb.float32
    np.testing.assert_allclose(w.numpy() @ w.numpy().T, np.eye(8), atol=1e-5)
    a = init.orthogonal_(tb.empty(3, 4), generator=tb.Generator().manual_seed(2)).numpy()
    b = init.orthogonal_(tb.empty(3, 4), generator=tb.Generator().manual_seed(2)).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(tb.empty(5))
    empty = tb.empty(0, 3)
    assert init.orthogonal_(empty) is empty
