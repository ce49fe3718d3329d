"""Live comparison with PyTorch (make test-parity): type promotion, grad_fn names of common ops and error types.
The values and gradients of every op against PyTorch are generated from the op table (tests/op_table.py,
run by tests/test_parity_op_table.py)."""

import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")


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
