"""Each class of difference that the differential fuzzer (tests/test_parity_fuzz.py) found against
PyTorch 2.13, as a regression test with PyTorch's answer written out."""

import numpy as np
import pytest

import tinygrad_bp as tb

B = tb.tensor([True, False])


@pytest.mark.parametrize("call,exc,match", [
    (lambda: B.abs(), NotImplementedError, "abs_cpu.*'Bool'"),
    (lambda: B.relu(), RuntimeError, "Boolean inputs not supported for relu"),
    (lambda: B.reshape(1, 2) @ B.reshape(2, 1), NotImplementedError, "addmm_impl_cpu_.*'Bool'"),
    (lambda: B @ B, NotImplementedError, "dot.*'Bool'"),
    (lambda: B ** B, NotImplementedError, "pow.*'Bool'"),
    (lambda: B.argmax(), RuntimeError, r"argmax\(\): does not support bool input"),
    (lambda: tb.tensor([1, 2]).var(), RuntimeError, "std and var only support floating point"),
    (lambda: B.std(0), RuntimeError, "std and var only support floating point"),
    (lambda: tb.tensor([1, 2]).mean(3), RuntimeError, "mean.*could not infer output dtype"),  # dtype before dim
    (lambda: tb.tensor([1, 2]).softmax(3), IndexError, "Dimension out of range"),  # dim before dtype
    (lambda: tb.stack([tb.tensor(1.0), tb.ones(2)], 1), IndexError, "Dimension out of range"),  # dim before shapes
    (lambda: tb.ones(2) - B, RuntimeError, "Subtraction, the `-` operator, with a bool tensor is not supported"),
    (lambda: B - tb.tensor([1, 2]), RuntimeError, "with a bool tensor is not supported"),
])
def test_bad_calls_raise_what_pytorch_raises(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_bool_sign_and_square_follow_pytorch():
    assert B.sign().dtype == tb.bool and B.sign().tolist() == [True, False]
    assert B.square().dtype == tb.int64 and B.square().tolist() == [1, 0]


def test_an_empty_list_is_an_empty_integer_index():
    t = tb.ones(3, 2)
    assert t[[]].shape == (0, 2)


def test_cat_skips_one_dimensional_empty_tensors_as_pytorch_does():
    out = tb.cat([tb.zeros(0), tb.ones(2, 3), tb.zeros(0)], 1)
    assert out.shape == (2, 3)
    assert tb.cat([tb.zeros(0), tb.zeros(0)], 3).shape == (0,)


def test_relu_and_sign_of_special_values():
    x = tb.tensor([-np.inf, -2.0, np.nan, 3.0])
    out = x.relu().numpy()
    assert out[0] == 0 and out[1] == 0 and not np.signbit(out[1]) and np.isnan(out[2]) and out[3] == 3
    assert tb.tensor([np.nan, -0.0, -np.inf, 2.0]).sign().tolist() == [0.0, 0.0, -1.0, 1.0]


@pytest.mark.parametrize("op", [lambda t: t.clamp(-0.5, 0.5), lambda t: t.relu()])
def test_masked_gradients_are_exact_zeros_under_a_nan_upstream(op):
    x = tb.tensor([-1.0, 0.25], dtype=tb.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):
        (op(x) - 0.4).sqrt().sum().backward()  # sqrt of a negative: NaN upstream where the mask is 0
    assert x.grad.numpy()[0] == 0.0


def test_maximum_and_minimum_with_nan_give_the_gradient_to_both_and_split_ties():
    for fn in (tb.maximum, tb.minimum):
        x = tb.tensor([np.nan, 1.0, 2.0], dtype=tb.float64, requires_grad=True)
        y = tb.tensor([1.0, 1.0, 0.0], dtype=tb.float64, requires_grad=True)
        fn(x, y).sum().backward()
        wins = 1.0 if fn is tb.maximum else 0.0
        assert x.grad.tolist() == [1.0, 0.5, wins] and y.grad.tolist() == [1.0, 0.5, 1.0 - wins]


def test_pow_gradient_with_respect_to_the_exponent_at_a_zero_base():
    x = tb.tensor([0.0, 0.0, 2.0], dtype=tb.float64)
    y = tb.tensor([2.0, -1.0, 3.0], dtype=tb.float64, requires_grad=True)
    with np.errstate(divide="ignore"):
        (x ** y).sum().backward()
    assert y.grad.numpy()[0] == 0.0 and y.grad.numpy()[1] == -np.inf
    np.testing.assert_allclose(y.grad.numpy()[2], 8 * np.log(2), rtol=1e-14)


def test_nan_gradients_through_relu_and_abs_follow_pytorch():
    x = tb.tensor([np.nan, -1.0, 2.0], dtype=tb.float64, requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]  # relu's mask is "not (z <= 0)": NaN passes the gradient
    x.grad = None
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0, 1.0]  # sign(NaN) = 0


def test_bool_matmul_of_empty_operands_runs_no_kernel():
    assert (tb.zeros(0, 1, dtype=tb.bool) @ tb.zeros(1, 0, dtype=tb.bool)).shape == (0, 0)
    assert (tb.zeros(2, 0, dtype=tb.bool) @ tb.zeros(0, dtype=tb.bool)).tolist() == [False, False]
    with pytest.raises(NotImplementedError, match='"dot" not implemented'):
        tb.zeros(0, dtype=tb.bool) @ tb.zeros(0, dtype=tb.bool)  # a dot product checks even when empty
