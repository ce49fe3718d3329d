"""grad_fn.register_prehook / register_hook (PyTorch's node hooks): when they run, what they see, what a
returned tuple replaces, handles, create_graph. The same programs run on torch in the parity group."""

import numpy as np
import pytest

import tinygrad_bp as tb


def program(lib):
    """A small graph with a pre-hook and a post-hook on the Mul node; returns what the hooks saw and the grads."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    w = lib.tensor([3.0, 4.0], requires_grad=True)
    b = lib.tensor(0.5, requires_grad=True)
    y = x * w + b
    mul = y.grad_fn.next_functions[0][0]
    seen = []
    mul.register_prehook(lambda go: seen.append(("pre", [g.tolist() for g in go])))
    mul.register_hook(lambda gi, go: seen.append(("post", [None if g is None else g.tolist() for g in gi],
                                                  [g.tolist() for g in go])))
    (y ** 2).sum().backward()
    return seen, x.grad.tolist(), w.grad.tolist(), b.grad.tolist()


def test_hooks_see_the_gradients_in_pytorchs_order_and_shapes():
    seen, gx, gw, gb = program(tb)
    dy = [2 * (1 * 3 + 0.5), 2 * (2 * 4 + 0.5)]  # d(y²)/dy = 2y
    assert seen == [("pre", [dy]), ("post", [[dy[0] * 3, dy[1] * 4], [dy[0] * 1, dy[1] * 2]], [dy])]
    assert gx == [7.0 * 3, 17.0 * 4] and gw == [7.0, 34.0] and gb == 24.0


def test_a_returned_tuple_replaces_the_gradients_and_handles_remove_hooks():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    pre = y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
    y.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]
    pre.remove()
    x.grad = None
    y = x * 3
    post = y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, None))
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    post.remove()
    x.grad = None
    y2 = x * 3
    y2.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_post_hook_gradients_have_the_inputs_shapes_and_none_for_constants():
    x = tb.ones(2, 3, requires_grad=True)
    b = tb.ones(3, requires_grad=True)
    c = tb.ones(3)  # needs no grad
    shapes = []
    y = x + b
    y.grad_fn.register_hook(lambda gi, go: shapes.append([tuple(g.shape) for g in gi]))
    z = y * c
    z.grad_fn.register_hook(lambda gi, go: shapes.append([None if g is None else tuple(g.shape) for g in gi]))
    z.sum().backward()
    assert shapes == [[(2, 3), None], [(2, 3), (3,)]]
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 2.0, 2.0])


def test_hooks_with_create_graph_see_graph_tensors():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = x ** 3
    got = []
    y.grad_fn.register_hook(lambda gi, go: got.append(gi[0].requires_grad))
    (g,) = tb.autograd.grad(y.sum(), x, create_graph=True)
    assert got == [True] and g.tolist() == [3.0, 12.0]
    (h,) = tb.autograd.grad(g.sum(), x)
    assert h.tolist() == [6.0, 12.0]


def test_a_hook_returning_the_wrong_number_of_gradients_is_an_error():
    x = tb.tensor([1.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0], gi[0]))  # Mul has two inputs
    with pytest.raises(RuntimeError, match="returned 3 gradients, expected 2"):
        y.sum().backward()
