"""PyTorch's small Tensor API that teaching code uses: sizes, formatting, matrix-product spellings,
predicates, new_* creation, and walking grad_fn.next_functions."""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import gradcheck


def f64(shape, seed=0):
    return tb.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_sizes_and_kind():
    t = tb.ones(2, 3)
    assert t.nelement() == 6 and t.element_size() == 4 and tb.ones(2, dtype=tb.float64).element_size() == 8
    assert t.is_floating_point() and not tb.arange(3).is_floating_point()


def test_format_of_a_0d_tensor_is_its_number_and_other_tensors_refuse_a_spec():
    loss = tb.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{tb.tensor(3):>3d}" == "  3"
    assert f"{tb.ones(2)}" == str(tb.ones(2))
    with pytest.raises(TypeError):
        f"{tb.ones(2):.2f}"


@pytest.mark.parametrize("name,shapes", [("mm", [(2, 3), (3, 4)]), ("bmm", [(2, 2, 3), (2, 3, 1)]),
                                         ("mv", [(2, 3), (3,)]), ("dot", [(3,), (3,)]), ("outer", [(2,), (3,)])])
def test_matrix_product_spellings_match_numpy_and_gradcheck(name, shapes):
    a, b = f64(shapes[0], 1), f64(shapes[1], 2)
    ref = {"outer": np.outer}.get(name, np.matmul)(a.detach().numpy(), b.detach().numpy())
    np.testing.assert_allclose(getattr(a, name)(b).detach().numpy(), ref, rtol=1e-12)
    np.testing.assert_allclose(getattr(tb, name)(a, b).detach().numpy(), ref, rtol=1e-12)
    assert gradcheck(lambda x, y: getattr(x, name)(y), [a, b])


def test_addmm_is_beta_input_plus_alpha_product():
    c, a, b = f64((2, 4), 3), f64((2, 3), 4), f64((3, 4), 5)
    out = c.addmm(a, b, beta=0.5, alpha=2.0)
    ref = 0.5 * c.detach().numpy() + 2.0 * a.detach().numpy() @ b.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12)
    assert gradcheck(lambda x, y, z: x.addmm(y, z, beta=0.5, alpha=2.0), [c, a, b])


@pytest.mark.parametrize("call,match", [(lambda: tb.ones(3).mm(tb.ones(3, 1)), "mm: self must be a 2D tensor"),
                                        (lambda: tb.ones(2, 3).bmm(tb.ones(2, 3, 3)), "bmm: batch1 must be a 3D"),
                                        (lambda: tb.ones(3).dot(tb.ones(4)), "inconsistent tensor size"),
                                        (lambda: tb.ones(2, 3).mv(tb.ones(3, 1)), "mv: vec must be a 1D")])
def test_matrix_product_shape_errors(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_predicates_and_logic_are_bool_tensors():
    x = tb.tensor([1.0, np.nan, np.inf, -2.0])
    assert x.isnan().tolist() == [False, True, False, False] and tb.isinf(x).tolist() == [False, False, True, False]
    assert x.isfinite().tolist() == [True, False, False, True]
    assert x.gt(0).tolist() == [True, False, True, False] and x.le(1).tolist() == [True, False, False, True]
    assert x.ne(1.0).tolist() == [False, True, True, True] and tb.lt(x, 0).tolist() == [False, False, False, True]
    a, b = tb.tensor([True, False, True]), tb.tensor([True, True, False])
    assert a.logical_and(b).tolist() == [True, False, False] and tb.logical_xor(a, b).tolist() == [False, True, True]
    assert a.logical_or(b).tolist() == [True, True, True] and a.logical_not().tolist() == [False, True, False]


def test_new_creation_keeps_dtype_unless_told():
    t = tb.ones(2, dtype=tb.float64)
    assert t.new_zeros(2, 3).dtype == tb.float64 and t.new_zeros((2, 3)).shape == (2, 3)
    assert t.new_ones(2, dtype=tb.int64).dtype == tb.int64 and t.new_empty(4).shape == (4,)
    assert t.new_full((2,), 7.0).tolist() == [7.0, 7.0] and t.new_tensor([1, 2]).dtype == tb.float64


def test_walking_next_functions_reaches_the_leaves_through_accumulate_grad():
    x, w = tb.ones(2, requires_grad=True), tb.ones(2, requires_grad=True)
    y = (x * w + tb.ones(2)).sum()
    add = y.grad_fn.next_functions[0][0]
    assert y.grad_fn.name() == "SumBackward0" and add.name() == "AddBackward0"
    assert add.next_functions[1] == (None, 0)  # the constant needs no gradient
    mul = add.next_functions[0][0]
    (acc_x, _), (acc_w, _) = mul.next_functions
    assert acc_x.name() == "torch::autograd::AccumulateGrad" and acc_x.variable is x and acc_w.variable is w
    assert acc_x.next_functions == () and mul.next_functions[0][0] is acc_x  # one node per leaf


def test_multinomial_frequencies_follow_the_weights_and_a_generator_reproduces_them():
    w = tb.tensor([1.0, 0.0, 3.0, 6.0])
    draws = tb.multinomial(w, 20000, replacement=True, generator=tb.Generator().manual_seed(1))
    assert draws.dtype == tb.int64 and draws.shape == (20000,)
    freq = np.bincount(draws.numpy(), minlength=4) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.3, 0.6], atol=0.015)  # ~5 standard errors
    again = tb.multinomial(w, 20000, replacement=True, generator=tb.Generator().manual_seed(1))
    assert again.tolist() == draws.tolist()


def test_multinomial_without_replacement_draws_distinct_nonzero_categories_per_row():
    rows = tb.tensor([[1.0, 2.0, 0.0, 4.0], [0.0, 1.0, 1.0, 1.0]])
    out = rows.multinomial(3, generator=tb.Generator().manual_seed(2))
    assert out.shape == (2, 3)
    for r, picked in zip(rows.numpy(), out.numpy()):
        assert len(set(picked)) == 3 and all(r[k] > 0 for k in picked)


@pytest.mark.parametrize("weights,n,replacement,match", [
    ([1.0, -1.0], 1, True, "probability entry < 0"), ([0.0, 0.0], 1, True, "sum of probabilities <= 0"),
    ([1.0, 1.0], 3, False, "cannot sample n_sample > prob_dist.size"), ([1.0, 0.0], 2, False, "not enough"),
    ([[[1.0]]], 1, True, "1 or 2 dim")])
def test_multinomial_bad_weights_are_runtime_errors(weights, n, replacement, match):
    with pytest.raises(RuntimeError, match=match):
        tb.multinomial(tb.tensor(weights), n, replacement)


def test_numpy_and_matplotlib_read_a_tensor_through_array():
    t = tb.arange(6.0).reshape(2, 3)
    a = np.asarray(t)
    assert a.dtype == np.float32 and a.tolist() == [[0, 1, 2], [3, 4, 5]] and np.shares_memory(a, t.numpy())
    assert np.array(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="requires grad. Use tensor.detach"):
        np.asarray(tb.ones(2, requires_grad=True))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2)
    image = ax1.imshow(t)
    (line,) = ax2.plot(t[0])
    assert image.get_array().shape == (2, 3) and line.get_ydata().tolist() == [0.0, 1.0, 2.0]
    plt.close(fig)
