"""Live comparison with PyTorch (make test-parity): second derivatives, in-place gradients, hooks, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)

EXPRESSIONS = {
    "arith": lambda m, a, b: (a * b + a / (b * b + 1) - b ** 3).sum(),
    "unary": lambda m, a, b: (a.exp() * b + a.sin() * a.cos() + (a * b).tanh() + a.sigmoid() * b).sum(),
    "log_sqrt": lambda m, a, b: ((a * a + 0.1).log() * b + (b * b + 0.1).sqrt()).sum(),
    "reductions": lambda m, a, b: (a * b).sum(0).pow(2).sum() + (a * a).mean(1).sum() + a.var(0).sum()
    + (a * b).logsumexp(1).sum(),
    "softmax": lambda m, a, b: (a.softmax(1) * b).sum() + (a.log_softmax(0) * b * b).sum(),
    "matmul": lambda m, a, b: (a @ b.T).tanh().sum() + ((a[0] @ b.T) ** 2).sum(),
    "shape_index": lambda m, a, b: ((a.reshape(4, 3).T * b) ** 2).sum() + (a[[0, 0, 2], 1:] ** 3).sum()
    + ((m.cat([a, b], 1) ** 2).sum(1) ** 2).sum() + (m.stack([a, b], 2) ** 2).sum(1).pow(2).sum()
    + (a.unsqueeze(0).expand(2, 3, 4) * b).pow(2).sum(),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_hessian_vector_products_match_pytorch(name: str) -> None:
    fn = EXPRESSIONS[name]
    a0, b0, v0 = (RNG.standard_normal((3, 4)) for _ in range(3))
    results = []
    for m in (tb, torch):
        a, b = m.tensor(a0, requires_grad=True), m.tensor(b0, requires_grad=True)
        ga, gb = m.autograd.grad(fn(m, a, b), (a, b), create_graph=True)
        hv = m.autograd.grad((ga * m.tensor(v0)).sum() + (gb * gb).sum(), (a, b))
        results.append([ga.detach().numpy(), gb.detach().numpy()] + [h.numpy() for h in hv])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_in_place_gradients_match_pytorch() -> None:
    x0, w0 = RNG.standard_normal(5), RNG.standard_normal(5)
    grads = []
    for m in (tb, torch):
        x, w = m.tensor(x0, requires_grad=True), m.tensor(w0, requires_grad=True)
        y = x * 1.0
        y.add_(w, alpha=0.5).mul_(w).sub_(x).div_(w * w + 1).clamp_(-0.5, 0.5)
        y += x
        y[1:3] = w[:2] * 3
        (y * y).sum().backward()
        grads.append((x.grad.numpy(), w.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)


def test_errors_have_pytorch_types_and_words() -> None:
    for m in (tb, torch):
        leaf = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            leaf.add_(1)
        y = leaf.exp()
        y.mul_(2)
        with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*at version 1; expected version 0"):
            y.sum().backward()
        u = m.tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            m.autograd.grad((leaf * 2).sum(), (leaf, u))


def test_hook_and_retain_grad_behaviour_matches_pytorch() -> None:
    out = []
    for m in (tb, torch):
        x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g, calls=calls: calls.append(g.detach().numpy().copy()))
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 3)
        loss = (y * y).sum() + (x * 5).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        out.append((len(calls), calls[0], y.grad.numpy(), x.grad.numpy()))
    assert out[0][0] == out[1][0]
    for a, b in zip(out[0][1:], out[1][1:]):
        np.testing.assert_allclose(a, b)
