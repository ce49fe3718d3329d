"""The cases of tests/test_shape_api.py against live PyTorch: the same exception types for bad input, the same
in-place rules, out= and keyword forms, and the same values from einsum and tb.functional."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from test_shape_api import BAD_INPUT, FAILING_INPLACE, INPLACE_ON_LEAF, _x

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")


def _outcome(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e)


@pytest.mark.parametrize("call,error", [pytest.param(c, e, id=i) for i, c, e, _ in BAD_INPUT])
def test_bad_input_raises_what_pytorch_raises(call: Any, error: type) -> None:
    assert _outcome(call, torch) is error
    assert _outcome(call, tb) is error


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in FAILING_INPLACE])
def test_failing_inplace_fails_in_pytorch_too(call: Any) -> None:
    """(PyTorch's scatter_ may have written the valid positions before it meets the bad index; ours changes
    nothing, tests/test_shape_api.py checks that.)"""
    t = _x(torch, 3, 4) * 1
    assert _outcome(call, torch, t) in (RuntimeError, IndexError)
    assert tuple(t.shape) == (3, 4)


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in INPLACE_ON_LEAF])
def test_inplace_rules_on_leaves_and_non_leaves_are_pytorchs(call: Any) -> None:
    assert _outcome(call, torch, _x(torch, 3, 4, grad=True)) is RuntimeError
    with torch.no_grad():
        call(torch, _x(torch, 3, 4, grad=True))
    grads = []
    for lib in (torch, tb):
        x = _x(lib, 3, 4, grad=True)
        y = x * 2
        call(lib, y)
        (y * y).sum().backward()
        grads.append((tuple(y.shape), x.grad.numpy(), type(y.grad_fn).__name__ if lib is torch else y.grad_fn.name()))
    assert grads[0][0] == grads[1][0]
    np.testing.assert_allclose(grads[1][1], grads[0][1])
    assert grads[1][2] == grads[0][2]


def test_out_and_keyword_forms_match_pytorch() -> None:
    results = []
    for lib in (torch, tb):
        a, b = _x(lib, 2, 3), _x(lib, 3, 2)
        out = lib.empty(0, dtype=lib.float64)
        lib.gather(a, 1, lib.tensor([[0], [2]]), out=out)
        index = lib.tensor([[1, 0, 1]])
        results.append([lib.matmul(input=a, other=b).numpy(), lib.cat(tensors=[a, a], dim=1).numpy(),
                        lib.sum(input=a, dim=1).numpy(), lib.gather(input=a, dim=0, index=index).numpy(),
                        out.numpy(), lib.flip(a, dims=[0, 1]).numpy(), a.repeat(repeats=(2, 1)).numpy(),
                        a.tile(dims=(2,)).numpy(), lib.masked_fill(a, mask=a > 2, value=-1.0).numpy()])
        with pytest.raises(RuntimeError):
            lib.tril(_x(lib, 3, 3, grad=True), out=lib.empty(3, 3, dtype=lib.float64))
    for theirs, ours in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


EINSUMS = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("...ij->...ji", [(2, 2, 3)]),
           ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("i,j->ij", [(3,), (2,)]), ("ij,kj", [(2, 3), (4, 3)]),
           ("iij,jk->ki", [(3, 3, 2), (2, 4)]), ("...j,j", [(2, 3), (3,)]), ("ab,ab->", [(1, 3), (2, 3)]),
           ("Ab,bA->A", [(2, 3), (3, 2)])]


@pytest.mark.parametrize("equation,shapes", EINSUMS)
def test_einsum_values_and_gradients_match_pytorch(equation: str, shapes: list) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    grads = []
    for lib in (torch, tb):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.einsum(equation, *ts)
        out.sum().backward()
        grads.append((out.detach().numpy(), [t.grad.numpy() for t in ts]))
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-10)
    for ours, theirs in zip(grads[1][1], grads[0][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_functional_values_match_pytorch() -> None:
    values = []
    for lib in (torch, tb):
        a, b = _x(lib, 3), _x(lib, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grid = lib.meshgrid(a, b)
        values.append([g.numpy() for g in grid] + [
            lib.cartesian_prod(a, b).numpy(), lib.block_diag(_x(lib, 2, 2), a).numpy(),
            tuple(lib.broadcast_shapes((2, 1), (3,))), lib.atleast_3d(a).numpy(),
            lib.tensordot(_x(lib, 2, 3), _x(lib, 3, 2), dims=1).numpy(),
            lib.cdist(_x(lib, 2, 2), _x(lib, 3, 2)).numpy(),
            *[p.numpy() for p in lib.split(_x(lib, 5), [2, 3])], *[p.numpy() for p in lib.chunk(_x(lib, 5), 3)],
            *[p.numpy() for p in lib.tensor_split(_x(lib, 7), 3)]])
    for theirs, ours in zip(*values):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs))


def test_creation_dtypes_match_pytorch() -> None:
    for lib in (torch, tb):
        x = lib.zeros(2, 3, dtype=lib.float64)
        got = [lib.empty_like(x).dtype, lib.randint_like(x, 5).dtype, lib.rand_like(x).dtype,
               lib.normal(0.0, 1.0, (2,)).dtype, lib.normal(x, 1.0).dtype, lib.bernoulli(x).dtype,
               lib.full((2,), 1.5).dtype, lib.full((2,), 2).dtype, lib.full((2,), True).dtype, lib.randperm(3).dtype]
        names = [str(d).split(".")[-1] for d in got]
        if lib is torch:
            expected = names
    assert names == expected
