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
# Row ids (or "row id-sampleN") whose output's grad_fn name differs from PyTorch's today: ours -> PyTorch's.
# Some are names (AmaxBackward0 for min, CastBackward0 for clone), some structure (our composite gelu ends in
# MulBackward0, PyTorch's fused GeluBackward0; PyTorch's composite gru_cell ends in AddBackward0). The tests
# are xfail(strict=True): an entry that starts to match fails until it is removed from here.
GRAD_FN_NAME_XFAIL: dict[str, str] = {
    "__rtruediv__": "DivBackward0 -> MulBackward0",
    "sum-sample0": "SumBackward0 -> SumBackward1",
    "sum.function-sample0": "SumBackward0 -> SumBackward1",
    "mean-sample0": "MeanBackward0 -> MeanBackward1",
    "mean.function-sample0": "MeanBackward0 -> MeanBackward1",
    "__setitem__-sample0": "WhereBackward0 -> CopySlices",
    "__setitem__-sample1": "WhereBackward0 -> IndexPutBackward0",
    "__setitem__-sample2": "WhereBackward0 -> CopySlices",
    "__matmul__-sample5": "UnsafeViewBackward0 -> CloneBackward0",
    "bmm": "UnsafeViewBackward0 -> BmmBackward0",
    "bmm.function": "UnsafeViewBackward0 -> BmmBackward0",
    "addmm": "AddBackward0 -> AddmmBackward0",
    "addmm.function": "AddBackward0 -> AddmmBackward0",
    "nn.functional.linear-sample1": "AddmmBackward0 -> MmBackward0",
    "nn.functional.linear-sample2": "AddmmBackward0 -> ViewBackward0",
    "nn.functional.cross_entropy.probabilities-sample0": "SoftmaxCrossEntropyBackward0 -> DivBackward1",
    "nn.functional.cross_entropy.probabilities-sample1": "SoftmaxCrossEntropyBackward0 -> NegBackward0",
    "nn.functional.nll_loss": "DivBackward0 -> NllLossBackward0",
    "nn.functional.gelu": "MulBackward0 -> GeluBackward0",
    "nn.functional.leaky_relu": "WhereBackward0 -> LeakyReluBackward0",
    "nn.functional.elu": "WhereBackward0 -> EluBackward0",
    "nn.functional.silu": "MulBackward0 -> SiluBackward0",
    "nn.functional.hardtanh": "WhereBackward0 -> HardtanhBackward0",
    "nn.functional.conv2d-sample0": "AddBackward0 -> ConvolutionBackward0",
    "nn.functional.conv2d-sample1": "AddBackward0 -> ConvolutionBackward0",
    "nn.functional.conv2d-sample2": "ViewBackward0 -> ConvolutionBackward0",
    "nn.functional.conv_transpose2d-sample0": "AddBackward0 -> ConvolutionBackward0",
    "nn.functional.conv_transpose2d-sample1": "FoldBackward0 -> ConvolutionBackward0",
    "nn.functional.avg_pool2d": "DivBackward0 -> AvgPool2DBackward0",
    "nn.functional.pad.reflect": "PadIndexBackward0 -> ReflectionPad1DBackward0",
    "nn.functional.pad.replicate": "PadIndexBackward0 -> ReplicationPad1DBackward0",
    "nn.functional.pad.constant": "WhereBackward0 -> ConstantPadNdBackward0",
    "nn.GRUCell": "GRUCellBackward0 -> AddBackward0",
    # issue 12, shape ops: composites where PyTorch has one fused node (or composes differently)
    "masked_fill.tensor_value": "WhereBackward0 -> MaskedFillBackward1",
    "einsum.diagonal": "DiagonalBackward0 -> PermuteBackward0",
    "einsum.outer": "ViewBackward0 -> MulBackward0",
    "einsum.diagonal_contract": "PermuteBackward0 -> ViewBackward0",
    "cdist": "SqrtBackward0 / SumBackward1 / PowBackward0 / MaxBackward0 -> CdistBackward0",
    "block_diag": "CatBackward0 -> BlockDiagBackward0",
    "chain_matmul": "MmBackward0 -> ViewBackward0",
}


def _params(kind: str, keep: Any) -> list:
    params = []
    for row in OPS:
        if not (row.torch and keep(row)):
            continue
        for i, sample in enumerate(row.sample_inputs()):
            test_id = f"{row.id}-sample{i}"
            reason = row.xfail_reason(kind, i)
            known = GRAD_FN_NAME_XFAIL.get(test_id) or GRAD_FN_NAME_XFAIL.get(row.id)
            if kind == "grad_fn_name" and known:
                reason = f"{GRAD_FN_NAMES} ({known})"
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
