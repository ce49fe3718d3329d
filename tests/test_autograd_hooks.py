"""Tensor hooks, retain_grad, autograd.grad (allow_unused, .grad untouched) and anomaly detection."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import detect_anomaly, grad, is_anomaly_enabled, set_detect_anomaly


def f64(values: list) -> tb.Tensor:
    return tb.tensor(values, dtype=tb.float64, requires_grad=True)


def test_leaf_hook_sees_the_total_gradient_once_and_can_replace_it() -> None:
    x = f64([1.0, 2.0])
    seen = []

    def hook(g: tb.Tensor) -> tb.Tensor:
        seen.append(g._array.copy())
        return g * 10

    handle = x.register_hook(hook)
    ((x * x).sum() + (3 * x).sum()).backward()  # two paths into x
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * x._array + 3)
    np.testing.assert_allclose(x.grad._array, 10 * (2 * x._array + 3))
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(x.grad._array, 2 * x._array)


def test_non_leaf_hook_changes_what_flows_back() -> None:
    x = f64([1.0, -2.0])
    y = x * 3
    y.register_hook(lambda g: g * 0.5)
    y.register_hook(lambda g: None)  # observing only: keeps the gradient
    (y * y).sum().backward()  # dL/dy = 2y, halved, then times 3
    np.testing.assert_allclose(x.grad._array, 3 * 0.5 * 2 * y._array)


def test_hook_result_of_wrong_shape_is_an_error() -> None:
    x = f64([1.0, 2.0])
    x.register_hook(lambda g: tb.ones(3, dtype=tb.float64))
    with pytest.raises(RuntimeError, match="shape"):
        (x * x).sum().backward()


def test_hook_on_tensor_without_grad_is_refused() -> None:
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        tb.ones(2).register_hook(lambda g: g)


def test_hooks_run_in_autograd_grad_and_handle_works_as_context() -> None:
    x = f64([1.0, 2.0])
    y = x * 2
    with y.register_hook(lambda g: g * 100):
        (gy,) = grad((y * 1).sum(), y)
    np.testing.assert_allclose(gy._array, [100.0, 100.0])
    (gy,) = grad((y * 1).sum(), y)
    np.testing.assert_allclose(gy._array, [1.0, 1.0])


def test_retain_grad_keeps_non_leaf_grad_and_accumulates() -> None:
    x = f64([1.0, 2.0])
    y = x * 2
    z = x * 3
    y.retain_grad()
    assert y.retains_grad and not z.retains_grad
    loss = (y * y).sum() + z.sum()
    loss.backward(retain_graph=True)
    np.testing.assert_allclose(y.grad._array, 2 * y._array)
    with pytest.warns(UserWarning, match="not a leaf"):
        assert z.grad is None
    loss.backward()
    np.testing.assert_allclose(y.grad._array, 4 * y._array)
    x.retain_grad()  # a leaf already keeps its gradient: no-op
    assert not x.retains_grad


def test_retain_grad_sees_hooked_gradient() -> None:
    x = f64([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g + 1)  # registered after retain_grad, still runs before it (as in PyTorch)
    y.sum().backward()
    np.testing.assert_allclose(y.grad._array, [2.0, 2.0])
    np.testing.assert_allclose(x.grad._array, [4.0, 4.0])


def test_retain_grad_does_not_keep_the_tensor_alive() -> None:
    import gc
    import weakref
    x = f64([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    out = y + 3  # AddBackward0 saves nothing, so only the graph's weak reference to y remains
    ref = weakref.ref(y)
    del y
    gc.collect()
    assert ref() is None
    out.sum().backward()
    np.testing.assert_allclose(x.grad._array, [2.0, 2.0])


def test_grad_returns_tuple_and_leaves_dot_grad_untouched() -> None:
    x = f64([1.0, 2.0])
    w = f64([3.0, 4.0])
    out = (x * w).sum()
    gx, gw = grad(out, (x, w), retain_graph=True)
    np.testing.assert_allclose(gx._array, w._array)
    np.testing.assert_allclose(gw._array, x._array)
    assert x.grad is None and w.grad is None
    (gx,) = grad([out], [x])
    np.testing.assert_allclose(gx._array, w._array)


def test_allow_unused() -> None:
    x = f64([1.0, 2.0])
    unused = f64([5.0])
    out = (x * x).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        grad(out, [x, unused], retain_graph=True)
    gx, gu = grad(out, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx._array, 2 * x._array)


def test_grad_after_graph_freed_says_retain_graph() -> None:
    x = f64([1.0, 2.0])
    out = (x * x).sum()
    grad(out, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        grad(out, x)


def _sqrt_at_zero(a: tb.Tensor | None = None) -> tb.Tensor:
    a = tb.tensor([0.0, 4.0], dtype=tb.float64, requires_grad=True) if a is None else a
    return (a.sqrt() * 0.0).sum()  # 0 · (1 / (2·√0)) = 0 · inf = nan in SqrtBackward0


def test_detect_anomaly_names_the_op_says_nan_and_shows_forward_stack() -> None:
    with np.errstate(divide="ignore", invalid="ignore"), detect_anomaly():
        assert is_anomaly_enabled()
        loss = _sqrt_at_zero()
        with pytest.raises(RuntimeError, match="SqrtBackward0") as info:
            loss.backward()
    msg = str(info.value)
    assert "nan" in msg
    assert "_sqrt_at_zero" in msg and "a.sqrt()" in msg  # the forward stack of the op
    assert not is_anomaly_enabled()


def test_without_anomaly_mode_nan_passes_silently() -> None:
    a = tb.tensor([0.0, 4.0], dtype=tb.float64, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        _sqrt_at_zero(a).backward()
    assert np.isnan(a.grad._array[0])


def test_set_detect_anomaly_and_decorator() -> None:
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def run() -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            _sqrt_at_zero().backward()

    with pytest.raises(RuntimeError, match="nan"):
        run()


def test_anomaly_mode_checks_create_graph_backward_too() -> None:
    with np.errstate(divide="ignore", invalid="ignore"), detect_anomaly():
        a = tb.tensor([1.0, 0.0], dtype=tb.float64, requires_grad=True)
        out = (a.log() * 0.0).sum()
        with pytest.raises(RuntimeError, match="LogBackward0.*nan"):
            grad(out, a, create_graph=True)
