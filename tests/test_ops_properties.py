"""Property tests (hypothesis): gradients under arbitrary broadcasting and reduction dims."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import tinygrad_bp as tb
from tinygrad_bp.autograd import gradcheck

OPS = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a / (b * b + 1),
       lambda a, b: tb.maximum(a, b) * a]


@settings(max_examples=40, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), op=st.sampled_from(OPS),
       seed=st.integers(0, 2**16))
def test_binary_gradients_under_any_broadcast(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (tb.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes.input_shapes)
    out = op(a, b)
    assert out.shape == shapes.result_shape
    assert gradcheck(op, (a, b))


@settings(max_examples=40, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=3), data=st.data(), keepdim=st.booleans())
def test_sum_and_mean_over_any_dims(shape, data, keepdim):
    n = len(shape)
    dims = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n, unique_by=lambda d: d % n))
    x = tb.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    axis = tuple(sorted(d % len(shape) for d in dims))
    np.testing.assert_allclose(x.sum(tuple(dims), keepdim=keepdim).data, x.data.sum(axis=axis, keepdims=keepdim))
    assert gradcheck(lambda t: t.sum(tuple(dims), keepdim=keepdim) * t.mean(tuple(dims), keepdim=True).sum(), (x,))
