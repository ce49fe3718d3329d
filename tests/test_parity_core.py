"""Live comparison with PyTorch (make test-parity): op values, gradients, dtypes and error types."""

import numpy as np
import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)

EXPRESSIONS = {
    "arith": lambda m, a, b: (a * b + a / (b.abs() + 1) - b ** 2).sum(),
    "unary": lambda m, a, b: (a.exp() + a.sin() * a.cos() + a.tanh() + a.sigmoid() + a.relu()).mean(),
    "log_sqrt": lambda m, a, b: ((a.abs() + 0.1).log() + (b.abs() + 0.1).sqrt()).sum(),
    "clamp_max_min": lambda m, a, b: (a.clamp(-0.3, 0.4) + m.maximum(a, b) - m.minimum(a, b)).sum(),
    "reductions": lambda m, a, b: a.sum(0).pow(2).sum() + a.mean(1).sum() + a.var(0).sum() + a.std(1).sum()
    + a.amax(1).sum() + a.logsumexp(1).sum(),
    "max_dim": lambda m, a, b: a.max(1).values.sum() + a.min(0).values.sum() + a.max(),
    "softmax": lambda m, a, b: (a.softmax(1) * b).sum() + (a.log_softmax(0) * b).sum(),
    "matmul": lambda m, a, b: (a @ b.T).tanh().sum() + (a[0] @ b.T).sum(),
    "shape": lambda m, a, b: (a.reshape(4, 3).T @ b.reshape(3, 4).T).sum() + a.unsqueeze(0).expand(2, 3, 4).sum()
    + (a.permute(1, 0).flatten() * b.transpose(0, 1).flatten()).sum(),
    "indexing": lambda m, a, b: a[[0, 0, 2], 1:].sum() + (a[:, m.tensor([3, 3, 0])] * b[:, :3]).sum(),
    "cat_stack_where": lambda m, a, b: (m.cat([a, b], 1) ** 2).sum() + m.stack([a, b], 2).sum(1).pow(2).sum()
    + m.where(a > 0, a, b * 2).sum(),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_values_and_gradients_match_pytorch(name):
    fn = EXPRESSIONS[name]
    a0, b0 = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    ta, tb_ = tb.tensor(a0, requires_grad=True), tb.tensor(b0, requires_grad=True)
    pa, pb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    ours, theirs = fn(tb, ta, tb_), fn(torch, pa, pb)
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12, atol=1e-12)
    for ours_leaf, their_leaf in ((ta, pa), (tb_, pb)):
        if their_leaf.grad is None:
            assert ours_leaf.grad is None
        else:
            np.testing.assert_allclose(ours_leaf.grad.numpy(), their_leaf.grad.numpy(), rtol=1e-10, atol=1e-12)


def _dtype_name(d):
    return str(d).replace("torch.", "")


@pytest.mark.parametrize("a,b", [
    ([1, 2], [1.0, 2.0]), ([1.0], 2), ([1, 2], 2.5), ([True], 1), ([True], 1.5), ([1.0], 2.5),
])
def test_type_promotion_matches_pytorch(a, b):
    ours = tb.tensor(a) + (tb.tensor(b) if isinstance(b, list) else b)
    theirs = torch.tensor(a) + (torch.tensor(b) if isinstance(b, list) else b)
    assert str(ours.dtype) == _dtype_name(theirs.dtype)


def test_grad_fn_names_match_pytorch_for_common_ops():
    x, px = tb.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    for f in (lambda t: t * 2, lambda t: t + 1, lambda t: t - 1, lambda t: t / 2, lambda t: t.sum(),
              lambda t: t.mean(), lambda t: t.exp(), lambda t: t.sigmoid(), lambda t: t.tanh(), lambda t: -t):
        assert f(x).grad_fn.name() == f(px).grad_fn.name()


def test_error_types_match_pytorch():
    for m in (tb, torch):
        with pytest.raises(RuntimeError):
            m.ones(2, 3) @ m.ones(4, 5)
        with pytest.raises(RuntimeError):
            m.ones(2, 3) + m.ones(4)
        with pytest.raises(RuntimeError):
            m.tensor([1.0]).sum().backward()
        with pytest.raises(RuntimeError):
            m.ones(2, requires_grad=True).mul(2).backward()
