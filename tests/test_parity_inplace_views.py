"""In-place updates of views inside a graph against live PyTorch (make test-parity)."""

import numpy as np
import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")


def update(name, y, w):
    if name == "column_iadd":
        y[:, 0] += 1
    elif name == "row_mul_":
        y[1].mul_(w)
    elif name == "view_setitem":
        v = y.view(-1)
        v[2] = w[0] * 3
    elif name == "transpose_add_":
        y.T.add_(w.reshape(3, 1))
    elif name == "view_of_a_view":
        y[1][1:].mul_(w[:2])
    elif name == "twice":
        y[0].add_(w)
        y[:, 2].mul_(w[:2])
    return y


@pytest.mark.parametrize("name", ["column_iadd", "row_mul_", "view_setitem", "transpose_add_", "view_of_a_view",
                                  "twice", "plain_base"])
def test_view_updates_match_pytorch(name):
    results = []
    for lib in (tb, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3) + 1, requires_grad=True)
        w = lib.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
        y = lib.zeros(2, 3, dtype=lib.float64) if name == "plain_base" else x * 2
        if name == "plain_base":
            y[0].add_(w)
        else:
            update(name, y, w)
        ((y * y).sum() + (y * w).sum()).backward()
        results.append([y.detach().numpy(), None if x.grad is None else x.grad.numpy(), w.grad.numpy()])
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-14)
