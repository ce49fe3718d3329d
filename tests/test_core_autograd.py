"""Graph recording and backward(): accumulation, freeing, errors, grad modes, the Function API."""

import gc
import weakref

import numpy as np
import pytest

import tinygrad_bp as tb


def test_gradients_accumulate_until_cleared():
    w = tb.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad._array, [3 + 2, 3 + 4])
    w.grad = None
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad._array, [3, 3])


def test_shared_subexpression_sums_both_paths():
    x = tb.tensor(2.0, requires_grad=True)
    y = x * x
    z = y + y * x  # x² + x³ -> dz/dx = 2x + 3x² = 16
    z.backward()
    assert x.grad.item() == 16.0


def test_grad_of_broadcast_input_is_reduced_to_its_shape():
    b = tb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = tb.ones(4, 3)
    (x + b).sum().backward()
    assert b.grad.shape == (3,) and b.grad.tolist() == [4, 4, 4]
    s = tb.tensor(2.0, requires_grad=True)
    (x * s).sum().backward()
    assert s.grad.shape == () and s.grad.item() == 12


def test_backward_on_non_scalar_needs_gradient():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    y.backward(tb.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2, 20]


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tb.tensor([1.0]).sum().backward()


def test_saved_tensors_are_freed_and_second_backward_raises():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4, 8]


def test_saved_arrays_are_released_after_backward():
    x = tb.tensor(np.random.default_rng(0).standard_normal((50, 50)), requires_grad=True)
    h = (x @ x).tanh()
    ref = weakref.ref(h._array)
    loss = h.sum()
    del h
    gc.collect()
    assert ref() is not None  # kept alive by the graph (Tanh saved its output)
    loss.backward()
    gc.collect()
    assert ref() is None
    assert loss.grad_fn is not None  # the nodes remain, so the graph can still be drawn


def test_grad_fn_names_and_is_leaf():
    x = tb.tensor([1.0], requires_grad=True)
    assert x.is_leaf and x.grad_fn is None
    names = {
        "AddBackward0": x + 1, "SubBackward0": x - 1, "MulBackward0": x * 2, "DivBackward0": x / 2,
        "PowBackward0": x ** 2, "ExpBackward0": x.exp(), "SigmoidBackward0": x.sigmoid(),
        "SumBackward0": x.sum(), "MeanBackward0": x.mean(), "DotBackward0": x @ x,
        "ViewBackward0": x.reshape(1, 1), "NegBackward0": -x, "TanhBackward0": x.tanh(),
    }
    for name, t in names.items():
        assert t.grad_fn.name() == name and not t.is_leaf


def test_leaf_inputs_link_directly_and_constants_do_not():
    w = tb.tensor([1.0], requires_grad=True)
    c = tb.tensor([2.0])
    y = w * c
    assert y.grad_fn.inputs == (w, None)
    z = y.exp()
    assert z.grad_fn.inputs == (y.grad_fn,)


def test_detach_cuts_the_graph_and_shares_data():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    z = x * 1
    d = z.detach()
    d._array[0] = 7
    assert z._array[0] == 7


def test_no_graph_when_nothing_requires_grad_or_under_no_grad():
    a, b = tb.ones(2), tb.ones(2)
    assert (a * b).grad_fn is None and not (a * b).requires_grad
    w = tb.ones(2, requires_grad=True)
    with tb.no_grad():
        y = w * 2
        assert not tb.is_grad_enabled()
        with tb.enable_grad():
            assert (w * 2).grad_fn is not None
    assert y.grad_fn is None and not y.requires_grad and tb.is_grad_enabled()


def test_grad_mode_decorators_and_set_grad_enabled():
    w = tb.ones(2, requires_grad=True)

    @tb.no_grad()
    def f():
        return w * 2

    @tb.enable_grad()
    def g():
        return w * 2

    assert f().grad_fn is None
    with tb.no_grad():
        assert g().grad_fn is not None
    with tb.set_grad_enabled(False):
        assert (w * 2).grad_fn is None
    assert tb.is_grad_enabled()
    tb.set_grad_enabled(False)
    assert not tb.is_grad_enabled()
    tb.set_grad_enabled(True)

    @tb.set_grad_enabled(False)
    def h():
        return w * 2

    assert tb.is_grad_enabled() and h().grad_fn is None


def test_backward_on_a_leaf_and_with_an_explicit_gradient():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    x.backward(tb.tensor([3.0, 4.0]))
    assert x.grad.tolist() == [3, 4]


def test_custom_function_runs_user_backward():
    class Cube(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            assert not tb.is_grad_enabled()  # forward runs with recording off
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * 3 * x ** 2 * ctx.k, None

    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward" and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [6, 24]
    assert tb.autograd.gradcheck(lambda t: Cube.apply(t, 0.5), (tb.tensor([0.3, -1.2], dtype=tb.float64,
                                                                         requires_grad=True),))


def test_custom_function_with_wrong_gradient_count_is_reported():
    class Bad(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = tb.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, x).sum().backward()


def test_autograd_grad_returns_tuple_and_leaves_grad_untouched():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = tb.tensor([3.0], requires_grad=True)
    (gx, gy) = tb.autograd.grad((x * y).sum(), (x, y))
    assert gx.tolist() == [3, 3] and gy.tolist() == [3]
    assert x.grad is None and y.grad is None
    z = tb.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        tb.autograd.grad((x * 2).sum(), (x, z))
    gx, gz = tb.autograd.grad((x * 2).sum(), (x, z), allow_unused=True)
    assert gz is None and gx.tolist() == [2, 2]


def test_a_100000_op_chain_backpropagates_without_recursion():
    x = tb.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(50_000):
        y = (y * 1.00001).tanh()
    y.backward()
    expected = 1.0
    v = 0.5
    for _ in range(50_000):
        u = v * 1.00001
        v = np.tanh(u)
        expected *= 1.00001 * (1 - v * v)
    assert x.grad.item() == pytest.approx(expected, rel=1e-3)


# A leaf's first gradient is kept as its .grad when nothing else references the array (PyTorch's
# AccumulateGrad steals it in the same case) and copied otherwise. Each case below would alias two
# gradients, or a gradient and something the user holds, if the array were kept; the next backward
# adds into .grad in place and would change the other one too.
class _SameGradientTwice(tb.autograd.function.Op):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        gd = g * 2
        return gd, gd  # one array for both inputs


def test_one_gradient_array_for_two_leaves_is_not_shared():
    a, b = tb.ones(3, requires_grad=True), tb.ones(3, requires_grad=True)
    _SameGradientTwice.apply(a, b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    (a * 5).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [7.0, 7.0, 7.0])
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0, 2.0])


def test_pass_through_gradient_is_not_shared_between_leaves():
    a, b = tb.ones(2, requires_grad=True), tb.ones(2, requires_grad=True)
    (a + b).backward(tb.tensor([1.0, 2.0]))
    (a * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 5.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0])


def test_gradient_the_user_still_holds_is_copied():
    kept = []

    class Keep(tb.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            kept.append(g * 5)
            return kept[-1]

    x = tb.ones(2, requires_grad=True)
    Keep.apply(x).sum().backward()
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    np.testing.assert_array_equal(kept[0].numpy(), [5.0, 5.0])


def test_fresh_gradient_is_kept_without_a_copy():
    returned = []

    class Double(tb.autograd.function.Op):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            gd = g * 2
            returned.append(id(gd))  # the id only: no reference kept
            return gd

    z = tb.ones((2, 3), requires_grad=True)
    Double.apply(z).backward(tb.ones((2, 3)))
    assert id(z.grad.numpy()) == returned[0]  # the very array backward returned (it is alive: .grad holds it)
    np.testing.assert_array_equal(z.grad.numpy(), np.full((2, 3), 2.0, np.float32))
