"""Every row of the op table (tests/op_table.py) with torch=True against live PyTorch (make test-parity):
values, gradients (float64), the grad_fn name of the output, and the result dtype for integer / bool inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from op_table import OPS, OpInfo, Sample, cast_input

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")

GRAD_FN_NAMES = "issue 16: grad_fn names"
# (row id or "row id-sampleN") whose output's grad_fn name differs from PyTorch's today, ours -> theirs
GRAD_FN_NAME_XFAIL: dict[str, str] = {}


def _params(kind: str, keep: Any) -> list:
    params = []
    for row in OPS:
        if not (row.torch and keep(row)):
            continue
        for i, sample in enumerate(row.sample_inputs()):
            test_id = f"{row.id}-sample{i}"
            reason = row.xfail_reason(kind, i)
            if kind == "grad_fn_name" and (row.id in GRAD_FN_NAME_XFAIL or test_id in GRAD_FN_NAME_XFAIL):
                reason = GRAD_FN_NAMES
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(row, sample, id=test_id, marks=marks))
    return params


def _both(row: OpInfo, sample: Sample) -> tuple:
    """(our leaves, our output, torch leaves, torch output) on the same float64 values."""
    ours = [tb.tensor(np.array(a), requires_grad=True) for a in sample.inputs]
    theirs = [torch.tensor(np.array(a), requires_grad=True) for a in sample.inputs]
    return ours, row.fn(tb, *ours, **sample.kwargs), theirs, row.fn(torch, *theirs, **sample.kwargs)


def _dtype_name(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


@pytest.mark.parametrize("row,sample", _params("parity", lambda row: True))
def test_values_and_gradients_match_pytorch(row: OpInfo, sample: Sample) -> None:
    ours_leaves, ours, their_leaves, theirs = _both(row, sample)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert ours.requires_grad == theirs.requires_grad
    if not theirs.requires_grad:
        return
    weights = np.random.default_rng(0).standard_normal(tuple(theirs.shape)).astype(ours.detach().numpy().dtype)
    ours.backward(tb.tensor(weights))
    theirs.backward(torch.tensor(weights))
    for k, (mine, their) in enumerate(zip(ours_leaves, their_leaves)):
        if their.grad is None:
            assert mine.grad is None or not np.any(mine.grad.numpy()), f"input {k}: PyTorch gives no gradient"
        else:
            assert mine.grad is not None, f"input {k}: no gradient, PyTorch has one"
            np.testing.assert_allclose(mine.grad.numpy(), their.grad.numpy(), rtol=1e-9, atol=1e-11,
                                       err_msg=f"gradient of input {k}")


@pytest.mark.parametrize("row,sample", _params("grad_fn_name", lambda row: row.supports_grad))
def test_grad_fn_name_matches_pytorch(row: OpInfo, sample: Sample) -> None:
    _, ours, _, theirs = _both(row, sample)
    their_name = None if theirs.grad_fn is None else type(theirs.grad_fn).__name__
    our_name = None if ours.grad_fn is None else ours.grad_fn.name()
    assert our_name == their_name


def _dtype_params() -> list:
    return [pytest.param(row, dtype, id=f"{row.id}-{dtype}") for row in OPS if row.torch for dtype in row.dtypes]


@pytest.mark.parametrize("row,dtype", _dtype_params())
def test_result_dtype_rule_is_pytorchs(row: OpInfo, dtype: str) -> None:
    """The table's result_dtype (what the default suite checks) is PyTorch's, and so is ours."""
    sample = row.sample_inputs()[0]
    arrays = [cast_input(a, dtype) for a in sample.inputs]
    theirs = row.fn(torch, *[torch.tensor(a) for a in arrays], **sample.kwargs)
    ours = row.fn(tb, *[tb.tensor(a) for a in arrays], **sample.kwargs)
    assert _dtype_name(theirs.dtype) == row.result_dtype(dtype)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-6)
