"""In-place operations on tensors in a graph, version counters, and the leaf refusal."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import gradcheck

MODIFIED = "modified by an inplace operation"


def f64(values: list) -> tb.Tensor:
    return tb.tensor(values, dtype=tb.float64, requires_grad=True)


def test_add_and_mul_in_place_on_non_leaf_give_correct_gradients() -> None:
    x = f64([1.0, 2.0, 3.0])
    w = f64([0.5, -1.0, 2.0])
    y = x * 2
    y.add_(w)  # y = 2x + w
    y.mul_(x)  # y = (2x + w)·x
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_allclose(x.grad._array, 4 * x._array + w._array)  # d/dx (2x² + wx)
    np.testing.assert_allclose(w.grad._array, x._array)


def test_every_in_place_op_matches_finite_differences() -> None:
    def f(x: tb.Tensor, w: tb.Tensor) -> tb.Tensor:
        y = x * 1.0
        y += w
        y -= 0.5 * x
        y *= w
        y /= w * w + 1
        y.sub_(x, alpha=2.0).add_(w, alpha=0.5)
        y.mul_(3.0).div_(2.0)
        y.clamp_(-1.5, 1.5)
        z = y * 1.0
        z[1] = w[0] * x[2]
        return z

    x = f64([0.3, -0.8, 1.1, 0.4])
    w = f64([1.2, 0.7, -0.6, 0.9])
    assert gradcheck(f, (x, w))


def test_copy_fill_zero_cut_the_old_value_off() -> None:
    x = f64([1.0, 2.0])
    src = f64([5.0, 7.0])
    y = x * 3
    y.copy_(src * 2)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad._array, [0.0, 0.0])
    np.testing.assert_allclose(src.grad._array, 8 * src._array)  # d/dsrc (2 src)² = 8 src
    for fill in (lambda t: t.fill_(4.0), lambda t: t.zero_()):
        x.grad = None
        y = x * 3
        fill(y)
        (y * x).sum().backward()  # only the direct use of x remains
        np.testing.assert_allclose(x.grad._array, y._array)


def test_in_place_writes_the_same_array_and_bumps_the_version() -> None:
    x = f64([1.0, 2.0])
    y = x * 2
    array = y._array
    assert y._version == 0
    y.add_(1)
    assert y._array is array and list(array) == [3.0, 5.0]
    assert y._version == 1
    y.mul_(2)
    assert y._version == 2 and list(y._array) == [6.0, 10.0]


def test_in_place_with_an_operand_that_requires_grad_puts_a_plain_tensor_in_the_graph() -> None:
    x = f64([1.0, 2.0])
    buf = tb.zeros(2, dtype=tb.float64)
    buf.add_(x * x)
    assert buf.requires_grad and buf.grad_fn is not None
    buf.sum().backward()
    np.testing.assert_allclose(x.grad._array, 2 * x._array)


def test_saved_input_modified_in_place_raises_naming_the_op() -> None:
    x = f64([1.0, 2.0, 3.0])
    y = x * 1
    z = y * y  # MulBackward0 saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED) as info:
        z.sum().backward()
    msg = str(info.value)
    assert "MulBackward0" in msg and "is at version 1; expected version 0" in msg
    assert "(3,)" in msg


def test_saved_output_modified_in_place_raises() -> None:
    x = f64([1.0, 2.0])
    y = x.exp()  # ExpBackward0 saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED) as info:
        y.sum().backward()
    assert "output 0 of ExpBackward0" in str(info.value)


def test_parameter_updated_between_forward_and_backward_raises() -> None:
    w = f64([1.0, 2.0])
    x = tb.tensor([3.0, 4.0], dtype=tb.float64)
    loss = (x * w).sum()  # MulBackward0 saves w
    with tb.no_grad():
        w.sub_(0.1)  # e.g. optimizer.step() before loss.backward()
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_change_through_a_tensor_sharing_memory_is_detected() -> None:
    x = f64([1.0, 2.0])
    y = x * 1
    z = (y * y).sum()
    y.detach().add_(1)  # detach() shares the array, as in PyTorch
    with pytest.raises(RuntimeError, match=MODIFIED):
        z.backward()


def test_versions_count_several_changes() -> None:
    x = f64([1.0, 2.0])
    y = x * 1
    y.add_(1)
    z = y * y  # saved at version 1
    y.mul_(2)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="is at version 3; expected version 1"):
        z.sum().backward()


def test_no_false_alarm_when_the_modified_tensor_was_not_saved() -> None:
    x = f64([1.0, 2.0])
    y = x * 1
    z = (y + 1).exp()  # AddBackward0 saves nothing; ExpBackward0 saves its own output
    y.mul_(5)
    w = x * 2  # modified before being used: fine
    w.add_(1)
    (z.sum() + (w * w).sum()).backward()
    np.testing.assert_allclose(x.grad._array, np.exp(x._array + 1) + 4 * (2 * x._array + 1))


def test_leaf_requiring_grad_refuses_in_place_outside_no_grad() -> None:
    ops = [lambda t: t.add_(1), lambda t: t.sub_(1), lambda t: t.mul_(2), lambda t: t.div_(2),
           lambda t: t.zero_(), lambda t: t.fill_(3.0), lambda t: t.copy_(np.ones(2)), lambda t: t.clamp_(0, 1),
           lambda t: t.__iadd__(1), lambda t: t.__imul__(2), lambda t: t.__setitem__(0, 5.0)]
    for op in ops:
        w = f64([1.0, 2.0])
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            op(w)
        assert list(w._array) == [1.0, 2.0] and w._version == 0
        with tb.no_grad():
            op(w)
        assert w._version == 1 and w.is_leaf and w.requires_grad


def test_in_place_that_would_broadcast_the_tensor_is_an_error() -> None:
    y = f64([1.0, 2.0]) * 1
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        y.add_(tb.ones(3, 2, dtype=tb.float64))


def test_in_place_on_a_view_in_a_graph_rebases_the_base_as_in_pytorch() -> None:
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    y[0].mul_(2)  # y = [[2x00, 2x01], [x10, x11]]
    y.reshape(4).add_(1)
    y[:, 1] += 10  # a view, then __setitem__ with it, as Python runs it
    assert y.tolist() == [[3.0, 15.0], [4.0, 15.0]]
    (y * y).sum().backward()  # d/dx = 2y·dy/dx: dy/dx is 2 on row 0, 1 on row 1
    assert x.grad.tolist() == [[12.0, 60.0], [8.0, 30.0]]


def test_in_place_on_a_view_of_a_leaf_that_requires_grad_is_refused_and_changes_nothing() -> None:
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0:1].mul_(2)
    assert x.tolist() == [1.0, 2.0] and x.grad_fn is None


def test_an_update_with_a_grad_requiring_operand_rebases_a_plain_base() -> None:
    w = f64([0.5, -1.0])
    y = tb.zeros(2, 2, dtype=tb.float64)
    y[1].add_(w)  # y needed no grad; now it depends on w through the view
    assert y.requires_grad and y.grad_fn is not None
    (y * y).sum().backward()
    assert w.grad.tolist() == [1.0, -2.0]


def test_setitem_on_graph_tensor_is_differentiable() -> None:
    x = f64([1.0, 2.0, 3.0])
    v = f64([10.0])
    y = x * 2
    y[1:] = v * x[0]
    y.sum().backward()
    np.testing.assert_allclose(y._array, [2.0, 10.0, 10.0])
    np.testing.assert_allclose(x.grad._array, [2.0 + 2 * v._array[0], 0.0, 0.0])
    np.testing.assert_allclose(v.grad._array, [2 * x._array[0]])


def test_casts_are_differentiable_and_grad_keeps_input_dtype() -> None:
    x = tb.tensor([1.0, -2.0], requires_grad=True)  # float32
    y = (x.double() ** 2 + x.to(tb.float64)).float().sum()
    y.backward()
    assert x.grad.dtype == tb.float32
    np.testing.assert_allclose(x.grad._array, 2 * x._array + 1)
    d = tb.tensor([1.0, 2.0], dtype=tb.float64, requires_grad=True)
    (d.float() * 3).sum().backward()
    assert d.grad.dtype == tb.float64 and list(d.grad._array) == [3.0, 3.0]


def test_operand_that_is_the_tensor_itself_uses_the_old_value() -> None:
    x = f64([1.0, 2.0, 3.0])
    y = x * 1
    y.mul_(y)  # y = x²
    y.sum().backward()
    np.testing.assert_allclose(x.grad._array, 2 * x._array)
    x.grad = None
    y = x * 1
    y.mul_(y[0])  # y = x · x₀ (y[0] shares y's memory)
    y.sum().backward()
    np.testing.assert_allclose(x.grad._array, [x._array.sum() + x._array[0], x._array[0], x._array[0]])
