"""dtypes.result_type (PyTorch's type promotion, one function) against live PyTorch, with up to three
operands of every rank (a tensor with dims, a zero-dim tensor, a Python scalar) through the ops that
promote: clamp with tensor bounds, where, maximum, cat and the arithmetic operators."""

import itertools

import numpy as np
import pytest

import tinygrad_bp as tb

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.parity

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]


def _pair(dtype, zero_dim):
    a = (np.array(1) if zero_dim else np.array([0, 1])).astype(dtype)
    return tb.tensor(a), torch.tensor(a)


def _operands():
    for dtype, zero_dim in itertools.product(DTYPES, (False, True)):
        yield f"{dtype}{'-0d' if zero_dim else ''}", lambda d=dtype, z=zero_dim: _pair(d, z)
    for value in (True, 2, 2.5):
        yield f"scalar-{type(value).__name__}", lambda v=value: (v, v)


OPERANDS = list(_operands())


@pytest.mark.parametrize("first", [n for n, _ in OPERANDS if not n.startswith(("scalar", "bool"))])
def test_three_operand_clamp_promotes_like_pytorch(first):
    make = dict(OPERANDS)
    x, tx = make[first]()
    mismatches, compared = [], 0
    for (n1, m1), (n2, m2) in itertools.product(OPERANDS, repeat=2):
        if n1.startswith("scalar") or n2.startswith("scalar") or "bool" in first + n1 + n2:
            continue  # PyTorch's clamp takes tensor bounds only together, and no bool
        (lo, tlo), (hi, thi) = m1(), m2()
        want = str(torch.clamp(tx, tlo, thi).dtype).removeprefix("torch.")
        got = str(x.clamp(lo, hi).dtype)
        compared += 1
        if got != want:
            mismatches.append((n1, n2, got, want))
    assert compared > 30 and not mismatches


@pytest.mark.parametrize("op", ["where", "maximum", "add", "mul", "cat"])
def test_two_operand_ops_promote_like_pytorch(op):
    mismatches, compared = [], 0
    for (n1, m1), (n2, m2) in itertools.product(OPERANDS, repeat=2):
        (a, ta), (b, t_b) = m1(), m2()
        if op in ("maximum", "cat") and (n1.startswith("scalar") or n2.startswith("scalar")):
            continue
        if op == "cat" and ("0d" in n1 or "0d" in n2):
            continue
        if op in ("add", "mul") and n1.startswith("scalar"):
            continue
        try:
            if op == "where":
                want = torch.where(torch.tensor([True, False]), ta, t_b).dtype
                got = tb.where(tb.tensor([True, False]), a, b).dtype
            elif op == "maximum":
                want, got = torch.maximum(ta, t_b).dtype, tb.maximum(a, b).dtype
            elif op == "cat":
                want, got = torch.cat([ta, t_b]).dtype, tb.cat([a, b]).dtype
            elif op == "add":
                want, got = (ta + t_b).dtype, (a + b).dtype
            else:
                want, got = (ta * t_b).dtype, (a * b).dtype
        except RuntimeError:
            continue  # e.g. bool - bool; both libraries refuse (checked elsewhere)
        compared += 1
        if str(got) != str(want).removeprefix("torch."):
            mismatches.append((n1, n2, str(got), str(want)))
    assert compared > 30 and not mismatches
