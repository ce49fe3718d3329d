"""Every differentiable op: forward values against NumPy and gradients by gradcheck (float64,
central differences, whole Jacobian) over several shapes, broadcasting pairs and reduction dims."""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import gradcheck

RNG = np.random.default_rng(1234)


def leaf(*shape, low=None, positive=False):
    a = RNG.standard_normal(shape)
    if positive:
        a = np.abs(a) + 0.5
    return tb.tensor(a, requires_grad=True)


def check(fn, *inputs, reference=None):
    """Forward against the NumPy reference (if given), then the full-Jacobian gradcheck."""
    out = fn(*inputs)
    if reference is not None:
        np.testing.assert_allclose(out.data, reference(*[t.data for t in inputs]), rtol=1e-12, atol=1e-12)
    assert gradcheck(fn, inputs)


SHAPES = [(), (3,), (2, 3), (2, 1, 4)]
BROADCAST_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 3), ()), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)),
                   ((1,), (2, 2))]

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "maximum": (tb.maximum, np.maximum),
    "minimum": (tb.minimum, np.minimum),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_binary_broadcasting(name, sa, sb):
    fn, ref = BINARY[name]
    a, b = leaf(*sa), leaf(*sb, positive=(name == "div"))
    check(fn, a, b, reference=ref)


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS[:4])
def test_pow_tensor_tensor(sa, sb):
    check(lambda a, b: a ** b, leaf(*sa, positive=True), leaf(*sb), reference=np.power)


@pytest.mark.parametrize("p", [2, 3, 0.5, -1.5, 0])
def test_pow_scalar_exponent(p):
    check(lambda a: a ** p, leaf(2, 3, positive=True), reference=lambda a: a ** p)


def test_reflected_scalar_ops():
    x = leaf(2, 3, positive=True)
    check(lambda a: 2.0 - a, x, reference=lambda a: 2.0 - a)
    check(lambda a: 3.0 / a, x, reference=lambda a: 3.0 / a)
    check(lambda a: 2.0 ** a, x, reference=lambda a: 2.0 ** a)
    check(lambda a: 1.5 * a + 0.5, x, reference=lambda a: 1.5 * a + 0.5)


UNARY = {
    "neg": (lambda x: -x, np.negative, False),
    "exp": (tb.exp, np.exp, False),
    "log": (tb.log, np.log, True),
    "sqrt": (tb.sqrt, np.sqrt, True),
    "abs": (tb.abs, np.abs, False),
    "sin": (tb.sin, np.sin, False),
    "cos": (tb.cos, np.cos, False),
    "tanh": (tb.tanh, np.tanh, False),
    "sigmoid": (tb.sigmoid, lambda a: 1 / (1 + np.exp(-a)), False),
    "relu": (tb.relu, lambda a: np.maximum(a, 0), False),
    "clamp": (lambda x: x.clamp(min=-0.5, max=0.7), lambda a: np.clip(a, -0.5, 0.7), False),
    "clamp_min": (lambda x: tb.clamp(x, min=0.1), lambda a: np.maximum(a, 0.1), False),
    "clip_max": (lambda x: x.clip(max=0.2), lambda a: np.minimum(a, 0.2), False),
    "sign": (lambda x: x.sign() * x, lambda a: np.sign(a) * a, False),
    "square": (lambda x: x.square(), np.square, False),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", SHAPES)
def test_unary(name, shape):
    fn, ref, positive = UNARY[name]
    check(fn, leaf(*shape, positive=positive), reference=ref)


REDUCE_DIMS = [None, 0, 1, -1, (0, 2), (0, 1, 2), (-1, 0)]
REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), lambda a, d, k: a.sum(axis=d, keepdims=k)),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), lambda a, d, k: a.mean(axis=d, keepdims=k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda a, d, k: a.var(axis=d, keepdims=k, ddof=1)),
    "std": (lambda x, d, k: x.std(d, keepdim=k), lambda a, d, k: a.std(axis=d, keepdims=k, ddof=1)),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k), lambda a, d, k: a.max(axis=d, keepdims=k)),
    "amin": (lambda x, d, k: x.amin(d, keepdim=k), lambda a, d, k: a.min(axis=d, keepdims=k)),
    "logsumexp": (lambda x, d, k: x.logsumexp(d, keepdim=k),
                  lambda a, d, k: np.log(np.exp(a).sum(axis=d, keepdims=k))),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("dim", REDUCE_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_every_dim(name, dim, keepdim):
    fn, ref = REDUCTIONS[name]
    x = leaf(2, 3, 4)
    axis = tuple(d % 3 for d in dim) if isinstance(dim, tuple) else dim
    if name == "logsumexp" and dim is None:
        dim, axis = (0, 1, 2), (0, 1, 2)
    check(lambda t: fn(t, dim, keepdim), x, reference=lambda a: ref(a, axis, keepdim))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("which", ["max", "min"])
def test_max_min_along_dim(dim, keepdim, which):
    x = leaf(3, 4)
    values, indices = getattr(x, which)(dim, keepdim=keepdim)
    ref = getattr(x.data, which)(axis=dim, keepdims=keepdim)
    np.testing.assert_array_equal(values.data, ref)
    arg = np.argmax if which == "max" else np.argmin
    np.testing.assert_array_equal(indices.data, arg(x.data, axis=dim, keepdims=keepdim))
    assert indices.dtype == tb.int64
    assert gradcheck(lambda t: getattr(t, which)(dim, keepdim=keepdim).values, (x,))


def test_max_full_reduction_splits_ties_evenly():
    x = tb.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 0.5, 0.5, 0])


def test_max_along_dim_sends_gradient_to_returned_index():
    x = tb.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0]])
    assert indices.tolist() == [1]


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(name, dim):
    x = leaf(3, 4)

    def ref(a):
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        s = e / e.sum(axis=dim, keepdims=True)
        return s if name == "softmax" else np.log(s)

    check(lambda t: getattr(tb, name)(t, dim), x, reference=ref)


def test_softmax_is_stable_for_huge_logits():
    x = tb.tensor([[1000.0, 0.0, -1000.0]], dtype=tb.float64)
    np.testing.assert_allclose(x.softmax(1).data, [[1, 0, 0]], atol=1e-300)
    np.testing.assert_allclose(x.log_softmax(1).data, [[0, -1000, -2000]])
    assert np.isfinite(x.logsumexp(1).data).all()


MATMUL_SHAPES = [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 2)), ((4, 1, 2, 3), (5, 3, 2))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb):
    check(lambda a, b: a @ b, leaf(*sa), leaf(*sb), reference=np.matmul)


SHAPE_OPS = {
    "reshape": (lambda x: x.reshape(4, 6), lambda a: a.reshape(4, 6)),
    "view_infer": (lambda x: x.view(-1, 3), lambda a: a.reshape(-1, 3)),
    "flatten": (lambda x: x.flatten(), lambda a: a.reshape(-1)),
    "flatten_1": (lambda x: x.flatten(1), lambda a: a.reshape(2, 12)),
    "transpose": (lambda x: x.transpose(0, 2), lambda a: a.transpose(2, 1, 0)),
    "permute": (lambda x: x.permute(1, 2, 0), lambda a: a.transpose(1, 2, 0)),
    "T": (lambda x: x.T, lambda a: a.T),
    "unsqueeze": (lambda x: x.unsqueeze(1), lambda a: a[:, None]),
    "squeeze": (lambda x: x.unsqueeze(-1).squeeze(-1), lambda a: a),
    "expand": (lambda x: x[:, :1].expand(2, 3, 4), lambda a: np.broadcast_to(a[:, :1], (2, 3, 4))),
    "expand_new_dim": (lambda x: x.expand(5, -1, -1, -1), lambda a: np.broadcast_to(a, (5, 2, 3, 4))),
    "slice": (lambda x: x[1:, ::2, -1], lambda a: a[1:, ::2, -1]),
    "ellipsis_none": (lambda x: x[..., None, 0], lambda a: a[..., None, 0]),
    "int_array_repeated": (lambda x: x[[0, 1, 0, 0]], lambda a: a[[0, 1, 0, 0]]),
    "int_array_pair": (lambda x: x[[0, 1, 1], [2, 0, 2]], lambda a: a[[0, 1, 1], [2, 0, 2]]),
    "tensor_index": (lambda x: x[:, tb.tensor([2, 2, 1])], lambda a: a[:, [2, 2, 1]]),
    "bool_mask": (lambda x: x[x.detach() > 0], lambda a: a[a > 0]),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_and_indexing(name):
    fn, ref = SHAPE_OPS[name]
    check(fn, leaf(2, 3, 4), reference=ref)


def test_repeated_indices_accumulate():
    x = tb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3, 0, 1])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack(dim):
    a, b, c = leaf(2, 3), leaf(2, 3), leaf(2, 3)
    check(lambda *t: tb.cat(t, dim), a, b, c, reference=lambda *x: np.concatenate(x, axis=dim))
    check(lambda *t: tb.stack(t, dim), a, b, c, reference=lambda *x: np.stack(x, axis=dim))


def test_where():
    x, y = leaf(2, 3), leaf(3)
    cond = x.detach() > 0
    check(lambda a, b: tb.where(cond, a, b), x, y, reference=lambda a, b: np.where(a > 0, a, b))
    check(lambda a: tb.where(cond, a, 0.0), x, reference=lambda a: np.where(a > 0, a, 0.0))


def test_casts_are_differentiable_and_return_grad_in_input_dtype():
    x = tb.tensor([1.0, 2.0], dtype=tb.float32, requires_grad=True)
    y = (x.double() * tb.tensor([3.0, 4.0], dtype=tb.float64)).sum()
    y.backward()
    assert x.grad.dtype == tb.float32
    np.testing.assert_array_equal(x.grad.data, [3, 4])
    assert gradcheck(lambda t: t.float().double() * 2, (leaf(3),), eps=1e-2, atol=1e-4)  # linear: a big eps is exact


def test_composite_expression():
    w1, b1, w2, b2 = leaf(4, 3), leaf(4), leaf(1, 4), leaf(1)
    x = tb.tensor(RNG.standard_normal((5, 3)))

    def net(w1, b1, w2, b2):
        return ((x @ w1.T + b1).sigmoid() @ w2.T + b2).sigmoid()

    assert gradcheck(net, (w1, b1, w2, b2))


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


def test_index_add_scatters_and_accumulates():
    """IndexAdd (GetItem's backward as a differentiable op): zeros(shape) with x added at index."""
    from tinygrad_bp.ops.shape import IndexAdd

    x = leaf(4)
    index = (np.array([0, 2, 0, 1]),)

    def ref(a):
        out = np.zeros(3)
        np.add.at(out, index, a)
        return out

    check(lambda t: IndexAdd.apply(t, shape=(3,), index=index), x, reference=ref)
    check(lambda t: IndexAdd.apply(t, shape=(2, 3, 4), index=(slice(None), 1)), leaf(2, 4),
          reference=lambda a: np.stack([np.zeros((2, 4)), a, np.zeros((2, 4))], axis=1))
