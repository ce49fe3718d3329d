"""What the op table cannot express about the math API (issue 12): named tuples, sort stability and NaN order,
unique's outputs, histograms, gradients at zeros, in-place rules, out=, and bad input (PyTorch's exception
types, a message naming the call, nothing changed). The same cases against live torch: test_parity_math_api.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_bp as tb


def test_named_tuples_have_pytorchs_fields_and_unpack() -> None:
    x = tb.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    lo, hi = x.aminmax()
    assert (lo.item(), hi.item()) == (-1.0, 4.0)
    assert x.aminmax(dim=1).max.tolist() == [3.0, 4.0]
    values, indices = x.sort(dim=1)
    assert values.tolist() == [[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]] and indices.tolist() == [[1, 2, 0], [2, 0, 1]]
    top = x.topk(2, dim=1)
    assert top.values.tolist() == [[3.0, 2.0], [4.0, 0.5]] and top.indices.tolist() == [[0, 2], [1, 0]]
    med = x.median(dim=1)
    assert med.values.tolist() == [2.0, 0.5] and med.indices.tolist() == [2, 0]
    hist, edges = tb.histogram(tb.tensor([1.0, 2.0, 1.0, 2.5, 4.0]), bins=4)
    assert hist.tolist() == [2.0, 1.0, 1.0, 1.0] and edges.tolist() == [1.0, 1.75, 2.5, 3.25, 4.0]
    for result in (x.aminmax(), x.sort(), x.topk(1), x.median(0), x.histogram(2)):
        assert isinstance(result, tuple) and len(result) == 2


def test_sort_is_stable_and_puts_nan_last_or_first() -> None:
    t = tb.tensor([1, 0, 1, 0, 1])
    assert t.sort(stable=True).indices.tolist() == [1, 3, 0, 2, 4]
    assert t.sort(descending=True, stable=True).indices.tolist() == [0, 2, 4, 1, 3]
    assert t.argsort(descending=True).tolist() == [0, 2, 4, 1, 3]
    nan = tb.tensor([3.0, math.nan, 1.0])
    assert nan.sort().indices.tolist() == [2, 0, 1]
    assert nan.sort(descending=True).indices.tolist() == [1, 0, 2]
    assert tb.tensor([True, False, True]).sort().values.tolist() == [False, True, True]


def test_sort_gradient_flows_through_values() -> None:
    x = tb.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (x.sort().values * tb.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]
    assert x.sort().values.grad_fn.name() == "SortBackward0"
    assert x.sort(stable=True).values.grad_fn.name() == "SortBackward1"


def test_topk_smallest_unsorted_and_k_zero() -> None:
    x = tb.tensor([4.0, 1.0, 3.0, 2.0])
    assert x.topk(2, largest=False).values.tolist() == [1.0, 2.0]
    assert sorted(x.topk(3, sorted=False).values.tolist()) == [2.0, 3.0, 4.0]
    assert x.topk(0).values.shape == (0,)


def test_median_is_the_lower_one_and_shares_the_gradient_of_ties() -> None:
    assert tb.tensor([1.0, 2.0, 3.0, 4.0]).median().item() == 2.0
    assert tb.tensor([4, 1, 3]).median().item() == 3
    x = tb.tensor([1.0, 2.0, 2.0, 5.0], requires_grad=True)
    x.median().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]
    assert x.median(0, keepdim=True).values.shape == (1,)


def test_unique_outputs() -> None:
    t = tb.tensor([3, 1, 2, 3, 1, 5])
    assert t.unique().tolist() == [1, 2, 3, 5]
    values, inverse, counts = tb.unique(t, return_inverse=True, return_counts=True)
    assert inverse.tolist() == [2, 0, 1, 2, 0, 3] and counts.tolist() == [2, 1, 2, 1]
    assert values[inverse].tolist() == t.tolist() and inverse.dtype == tb.int64
    rows, inv, cnt = tb.tensor([[1, 2], [1, 2], [0, 3]]).unique(dim=0, return_inverse=True, return_counts=True)
    assert rows.tolist() == [[0, 3], [1, 2]] and inv.tolist() == [1, 1, 0] and cnt.tolist() == [1, 2]
    grid = tb.tensor([[1, 1], [2, 0]])
    assert grid.unique(return_inverse=True)[1].shape == (2, 2)
    assert t.unique(sorted=False).tolist() == [1, 2, 3, 5]  # sorted anyway, as PyTorch on the CPU


def test_bincount_histc_histogram() -> None:
    t = tb.tensor([3, 1, 2, 3, 1, 5])
    assert t.bincount().tolist() == [0, 2, 1, 2, 0, 1]
    assert t.bincount(minlength=8).shape == (8,)
    weighted = t.bincount(weights=tb.ones(6))
    assert weighted.dtype == tb.float32 and weighted.tolist() == [0.0, 2.0, 1.0, 2.0, 0.0, 1.0]
    assert t.bincount(weights=tb.tensor([1, 1, 1, 1, 1, 1])).dtype == tb.float64
    assert tb.tensor([], dtype=tb.int64).bincount().shape == (0,)
    x = tb.tensor([1.0, 2.0, 1.0, 2.5, 4.0])
    assert x.histc(bins=4).tolist() == [2.0, 1.0, 1.0, 1.0]
    assert tb.histc(x, bins=4, min=0, max=3).tolist() == [0.0, 2.0, 1.0, 1.0]  # 4.0 is outside: ignored
    assert tb.tensor([2.0, 2.0]).histc(bins=4).tolist() == [0.0, 0.0, 2.0, 0.0]
    edges = tb.tensor([0.0, 1.5, 3.0, 5.0])
    assert x.histogram(edges).hist.tolist() == [2.0, 2.0, 1.0]
    dens = x.histogram(4, weight=tb.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), density=True).hist
    assert np.isclose((dens.numpy() * 0.75).sum(), 1.0)
    assert tb.tensor([2.0, 2.0]).histogram(2).bin_edges.tolist() == [1.5, 2.0, 2.5]


def test_prod_and_cumprod_gradients_at_zeros() -> None:
    x = tb.tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 6.0, 0.0]
    y = tb.tensor([0.0, 2.0, 0.0], requires_grad=True)
    y.prod().backward()
    assert y.grad.tolist() == [0.0, 0.0, 0.0]
    z = tb.tensor([2.0, 0.0, 3.0], requires_grad=True)
    z.cumprod(0).sum().backward()  # z0 + z0 z1 + z0 z1 z2
    assert z.grad.tolist() == [1.0, 2.0 + 6.0, 0.0]
    assert tb.tensor([1, 2, 3]).prod().dtype == tb.int64 and tb.tensor([True]).cumsum(0).dtype == tb.int64


def test_norm_orders_and_dist() -> None:
    v = tb.tensor([3.0, -4.0])
    assert v.norm().item() == 5.0 and v.norm(1).item() == 7.0 and v.norm(math.inf).item() == 4.0
    assert v.norm(-math.inf).item() == 3.0 and v.norm(0).item() == 2.0 and tb.norm(v, "fro").item() == 5.0
    m = tb.tensor([[3.0, 4.0], [0.0, 0.0]], dtype=tb.float64, requires_grad=True)
    n = m.norm(dim=1, keepdim=True)
    assert n.shape == (2, 1) and n.grad_fn.name() == "LinalgVectorNormBackward0"
    n.sum().backward()
    assert m.grad.tolist() == [[0.6, 0.8], [0.0, 0.0]]  # 0 where the norm is 0, as in PyTorch
    assert tb.tensor([3.0, 4.0]).dist(tb.zeros(2), p=math.inf).item() == 4.0
    assert v.norm(dtype=tb.float64).dtype == tb.float64


def test_erf_is_exact_and_keeps_the_dtype() -> None:
    xs = np.linspace(-5, 5, 101)
    np.testing.assert_array_equal(tb.tensor(xs).erf().numpy(), [math.erf(v) for v in xs])
    assert tb.tensor([0.5], dtype=tb.float32).erf().dtype == tb.float32
    assert tb.tensor([1, 2]).erf().dtype == tb.float32


def test_rounding_and_fmod_remainder_signs() -> None:
    assert tb.tensor([1.5, 2.5, -0.5, 0.5]).round().tolist() == [2.0, 2.0, -0.0, 0.0]
    assert tb.tensor([1.2345], dtype=tb.float64).round(decimals=2).tolist() == [1.23]
    assert tb.tensor([1, 2]).floor().dtype == tb.int64
    assert tb.tensor([-2.5]).frac().tolist() == [-0.5]
    assert tb.tensor([5.0, -7.0]).fmod(3).tolist() == [2.0, -1.0]
    assert (tb.tensor([5.0, -7.0]) % 3).tolist() == [2.0, 2.0]
    assert (7 % tb.tensor([5.0, -3.0])).tolist() == [2.0, -2.0]
    assert tb.tensor([5, -7]).remainder(3).dtype == tb.int64


def test_bitwise_ops_promote_and_logic_on_bools() -> None:
    assert (tb.tensor([1, 2, 3]) ^ tb.tensor([True, False, True])).tolist() == [0, 2, 2]
    assert (tb.tensor([True, False]) & 3).tolist() == [1, 0]
    assert (1 & tb.tensor([5, 3])).tolist() == [1, 1]
    assert (True ^ tb.tensor([True, False])).tolist() == [False, True]
    assert (~tb.tensor([True, False])).tolist() == [False, True] and (~tb.tensor([0, 1])).tolist() == [-1, -2]
    assert tb.bitwise_or(tb.tensor([4]), tb.tensor([1])).tolist() == [5]


def test_equal_allclose_isclose() -> None:
    a = tb.tensor([1.0, 2.0])
    assert tb.equal(a, tb.tensor([1, 2])) is True  # values, not dtypes
    assert a.equal(tb.tensor([[1.0, 2.0]])) is False
    assert tb.equal(tb.tensor([math.nan]), tb.tensor([math.nan])) is False
    assert a.allclose(a + 1e-7) is True and a.allclose(a + 1e-3) is False
    nan = tb.tensor([1.0, math.nan])
    assert nan.isclose(nan).tolist() == [True, False] and nan.isclose(nan, equal_nan=True).tolist() == [True, True]


def test_in_place_math_follows_pytorchs_rules() -> None:
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    assert y.exp_() is y and y.grad_fn.name() == "ExpBackward0"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.sqrt_()
    assert x.tolist() == [1.0, 2.0]
    with tb.no_grad():
        x.mul_(2).log2_()
    assert x.tolist() == [1.0, 2.0]
    x.data.pow_(2)
    assert x.tolist() == [1.0, 4.0]
    w = tb.tensor([3.0], requires_grad=True)
    z = w * 1
    s = z.sin()  # saves z
    z.cos_()
    with pytest.raises(RuntimeError):
        s.backward()


def test_out_keyword_on_the_new_functions() -> None:
    out = tb.empty(3)
    result = tb.log1p(tb.tensor([0.0, 1.0, 2.0]), out=out)
    assert result is out
    np.testing.assert_allclose(out.numpy(), np.log1p([0.0, 1.0, 2.0]), rtol=1e-6)
    cs = tb.zeros(3, dtype=tb.int64)
    assert tb.cumsum(tb.tensor([1, 2, 3]), 0, out=cs).tolist() == [1, 3, 6]


BAD_INPUT = [
    # (call, exception type, words the message must contain)
    (lambda: tb.tensor([1.0, 2.0]).norm("abc"), RuntimeError, "Order abc not supported"),
    (lambda: tb.tensor([[1.0, 2.0]]).norm("nuc"), NotImplementedError, "nuc"),
    (lambda: tb.tensor([1.0]).norm([1]), TypeError, "norm"),
    (lambda: tb.tensor([1, 2]).norm(), RuntimeError, "linalg.vector_norm"),
    (lambda: tb.tensor([1, 2]).dist(tb.tensor([0, 0])), RuntimeError, "norm"),
    (lambda: tb.tensor([1.0, 2.0]).topk(3), RuntimeError, "selected index k out of range"),
    (lambda: tb.tensor([1.0, 2.0]).topk(-1), RuntimeError, "selected index k out of range"),
    (lambda: tb.tensor([-1, 2]).bincount(), RuntimeError, "non-negative"),
    (lambda: tb.tensor([[1, 2]]).bincount(), RuntimeError, "1-d"),
    (lambda: tb.tensor([1.0, 2.0]).bincount(), NotImplementedError, "bincount"),
    (lambda: tb.tensor([1, 2]).bincount(minlength=-1), RuntimeError, "minlength"),
    (lambda: tb.tensor([1, 2]).bincount(weights=tb.ones(3)), RuntimeError, "same length"),
    (lambda: tb.tensor([1.0, 2.0]).histc(bins=4, min=3, max=1), RuntimeError, "max must be larger than min"),
    (lambda: tb.tensor([1, 2]).histc(bins=4), NotImplementedError, "histogram"),
    (lambda: tb.tensor([1.0, 2.0]).histc(bins=0), RuntimeError, "bins must be > 0"),
    (lambda: tb.tensor([1.0, 2.0]).histogram(4, range=(3.0, 1.0)), RuntimeError, "min should not exceed max"),
    (lambda: tb.tensor([1, 2]).histogram(4), NotImplementedError, "histogramdd"),
    (lambda: tb.tensor([1.0]).lerp(tb.tensor([2.0], dtype=tb.float64), 0.5), RuntimeError, "expected dtype"),
    (lambda: tb.tensor([1, 2]).lerp(tb.tensor([3, 4]), 0.5), NotImplementedError, "lerp"),
    (lambda: tb.tensor([1.0]).atan2(2.0), TypeError, "atan2"),
    (lambda: tb.tensor([1, 2]).hypot(tb.tensor([1, 2])), NotImplementedError, "hypot"),
    (lambda: tb.tensor([5, 7]).fmod(0), RuntimeError, "ZeroDivisionError"),
    (lambda: tb.tensor([5, 7]) % tb.tensor([1, 0]), RuntimeError, "ZeroDivisionError"),
    (lambda: tb.tensor([True]).remainder(tb.tensor([True])), NotImplementedError, "remainder"),
    (lambda: tb.tensor([1.0]) ^ tb.tensor([1.0]), NotImplementedError, "bitwise_xor"),
    (lambda: tb.tensor([1]).bitwise_and(1.5), NotImplementedError, "bitwise_and"),
    (lambda: ~tb.tensor([1.0]), TypeError, "only implemented on integer and Boolean"),
    (lambda: tb.tensor([1.0]).bitwise_not(), NotImplementedError, "bitwise_not"),
    (lambda: tb.tensor([1, 2]) & tb.tensor([1, 2, 3]), RuntimeError, "bitwise_and"),
    (lambda: tb.tensor([1.0]).isclose(tb.tensor([1])), RuntimeError, "did not match"),
    (lambda: tb.tensor([1.0]).isclose(tb.tensor([1.0]), rtol=-1), RuntimeError, "rtol must be greater"),
    (lambda: tb.tensor([1.0]).allclose(tb.tensor([1])), RuntimeError, "did not match"),
    (lambda: tb.tensor([1, 2]).frac(), NotImplementedError, "frac"),
    (lambda: tb.tensor([1, 2]).round(decimals=1), NotImplementedError, "round"),
    (lambda: tb.tensor([True]).floor(), NotImplementedError, "floor"),
    (lambda: tb.tensor([1.0, 2.0]).prod(dim=(0,)), TypeError, "prod"),
    (lambda: tb.tensor([]).aminmax(), RuntimeError, "aminmax"),
    (lambda: tb.zeros(2, 0).median(dim=1), IndexError, "median"),
    (lambda: tb.tensor([1.0]).sort(dim=2), IndexError, "sort"),
    (lambda: tb.tensor([1.0]).cumsum(1), IndexError, "cumsum"),
]


@pytest.mark.parametrize("call,kind,words", BAD_INPUT, ids=[f"bad{i}" for i in range(len(BAD_INPUT))])
def test_bad_input_raises_pytorchs_exception_type(call, kind, words) -> None:
    with pytest.raises(kind, match=words):
        call()


def test_failed_in_place_updates_change_nothing() -> None:
    t = tb.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        t.exp_()
    assert t.tolist() == [1, 2] and t.dtype == tb.int64
    u = tb.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError):
        u.pow_(tb.ones(3, 2))
    assert u.tolist() == [1.0, 2.0]
    v = tb.tensor([5, 7])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        v.fmod_(0)
    assert v.tolist() == [5, 7]
