"""Op behaviour the op table (tests/op_table.py, run by tests/test_op_table.py) does not express: how ties
split, huge logits, repeated indices, cast gradients' dtype, and that gradcheck itself catches wrong
backwards. Forward values, gradchecks and gradgradchecks of every op are generated from the table."""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import gradcheck

RNG = np.random.default_rng(1234)


def leaf(*shape):
    return tb.tensor(RNG.standard_normal(shape), requires_grad=True)


def test_max_full_reduction_splits_ties_evenly():
    x = tb.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad._array, [0, 0.5, 0.5, 0])


def test_max_along_dim_sends_gradient_to_returned_index():
    x = tb.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    values.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [[0, 1, 0]])
    assert indices.tolist() == [1]


def test_softmax_is_stable_for_huge_logits():
    x = tb.tensor([[1000.0, 0.0, -1000.0]], dtype=tb.float64)
    np.testing.assert_allclose(x.softmax(1)._array, [[1, 0, 0]], atol=1e-300)
    np.testing.assert_allclose(x.log_softmax(1)._array, [[0, -1000, -2000]])
    assert np.isfinite(x.logsumexp(1)._array).all()


def test_repeated_indices_accumulate():
    x = tb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad._array, [3, 0, 1])


def test_casts_are_differentiable_and_return_grad_in_input_dtype():
    x = tb.tensor([1.0, 2.0], dtype=tb.float32, requires_grad=True)
    y = (x.double() * tb.tensor([3.0, 4.0], dtype=tb.float64)).sum()
    y.backward()
    assert x.grad.dtype == tb.float32
    np.testing.assert_array_equal(x.grad._array, [3, 4])


def test_gradcheck_rejects_wrong_backward():
    class BadSquare(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2x

    with pytest.raises(RuntimeError, match=r"Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(BadSquare.apply, (leaf(3),))
    assert gradcheck(BadSquare.apply, (leaf(3),), raise_exception=False) is False


def test_gradcheck_catches_a_dropped_off_diagonal_term():
    class DiagOnlySoftmax(tb.autograd.Function):
        """Softmax whose backward keeps only the diagonal of the Jacobian: s(1-s)·g."""

        @staticmethod
        def forward(ctx, x):
            s = x.softmax(-1)
            ctx.save_for_backward(s)
            return s

        @staticmethod
        def backward(ctx, g):
            (s,) = ctx.saved_tensors
            return g * s * (1 - s)

    class FullSoftmax(DiagOnlySoftmax):
        @staticmethod
        def backward(ctx, g):
            (s,) = ctx.saved_tensors
            return s * (g - (g * s).sum(-1, keepdim=True))

    x = leaf(4)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(DiagOnlySoftmax.apply, (x,))
    assert gradcheck(FullSoftmax.apply, (x,))
    assert gradcheck(FullSoftmax.apply, (x,), fast_mode=True)
    assert gradcheck(DiagOnlySoftmax.apply, (x,), fast_mode=True, raise_exception=False) is False
