"""``Tensor.data`` is a Tensor, as in PyTorch: it shares the memory, has no graph, and in-place updates
through it are neither recorded nor counted by backward's in-place check. The NumPy array is numpy()."""

import numpy as np
import pytest

import tinygrad_bp as tb


def test_data_is_a_detached_tensor_sharing_memory():
    p = tb.tensor([1.0, 2.0], requires_grad=True)
    d = p.data
    assert isinstance(d, tb.Tensor) and not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(d.numpy(), p.detach().numpy())
    y = p * 3
    assert isinstance(y.data, tb.Tensor) and y.data.grad_fn is None and y.grad_fn is not None


def test_hand_written_sgd_updates_through_data():
    w = tb.tensor([1.0, -2.0], requires_grad=True)
    x = tb.tensor([0.5, 4.0])
    loss = ((w * x).sum() - 1.0) ** 2
    loss.backward()
    grad = w.grad.numpy().copy()  # 2(w·x - 1)·x = 2·(-8.5)·x
    np.testing.assert_allclose(grad, [-8.5, -68.0])
    w.data += -0.01 * w.grad
    np.testing.assert_allclose(w.detach().numpy(), [1.085, -1.32], rtol=1e-6)
    w.data.add_(w.grad, alpha=-0.01)
    w.data.mul_(0.5)
    np.testing.assert_allclose(w.detach().numpy(), [0.585, -0.32], rtol=1e-6)
    w.data.fill_(0)
    assert w.tolist() == [0.0, 0.0] and w.requires_grad and w.is_leaf and w.grad_fn is None


def test_writes_through_data_are_not_an_inplace_error_and_are_seen_by_backward():
    x = tb.tensor([1.0, 1.0, 1.0], requires_grad=True)
    z = x * x  # saves x
    x.data.mul_(2)  # PyTorch: no error, backward uses the new values: dz/dx = 2·x = 4
    z.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]
    x = tb.tensor([1.0, 1.0], requires_grad=True)
    z = x * x
    x.data[0] = 5
    z.sum().backward()
    assert x.grad.tolist() == [10.0, 2.0]


def test_an_inplace_write_to_the_tensor_itself_is_still_caught():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()
    y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_assigning_data_replaces_the_values_and_may_change_the_shape():
    t = tb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t.data = tb.tensor([[5.0, 6.0]])
    assert t.shape == (1, 2) and t.requires_grad and t.tolist() == [[5.0, 6.0]]
    plain = tb.ones(3)
    plain.data = tb.zeros(2, dtype=tb.int64)
    assert plain.dtype == tb.int64 and plain.shape == (2,)


def test_assigning_bad_data_is_refused_and_changes_nothing():
    t = tb.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="has to be a tensor"):
        t.data = [1, 2]
    with pytest.raises(RuntimeError, match="floating point"):
        t.data = tb.tensor([1, 2])
    assert t.tolist() == [1.0, 2.0] and t.dtype == tb.float32


def test_numpy_and_array_protocol_give_the_shared_array():
    t = tb.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = t.numpy()
    assert isinstance(a, np.ndarray) and np.shares_memory(a, np.asarray(t))
    assert np.array(t).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(RuntimeError, match=r"Use tensor.detach\(\).numpy\(\) instead"):
        tb.tensor([1.0], requires_grad=True).numpy()
    assert np.asarray(tb.tensor([1.0], requires_grad=True).data).tolist() == [1.0]
