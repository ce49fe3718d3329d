"""Tensor semantics: creation and dtype rules, PyTorch type promotion, attributes, repr and errors."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb

ROOT = Path(__file__).resolve().parents[1]


def test_creation_dtype_rules():
    assert tb.tensor([1.0, 2.0]).dtype == tb.float32  # Python floats: the default dtype
    assert tb.tensor([1, 2]).dtype == tb.int64  # Python ints: int64
    assert tb.tensor([True, False]).dtype == tb.bool
    assert tb.tensor([1, 2.5]).dtype == tb.float32
    assert tb.tensor(np.zeros(2)).dtype == tb.float64  # a NumPy array keeps its dtype
    assert tb.tensor(np.float64(1.0)).dtype == tb.float64
    assert tb.tensor([1, 2], dtype=tb.float64).dtype == tb.float64
    assert tb.Tensor([1, 2]).dtype == tb.float32  # like torch.Tensor
    assert tb.zeros(2, 3).shape == (2, 3) and tb.zeros((2, 3)).shape == (2, 3)
    assert tb.ones(2, dtype=tb.int64).dtype == tb.int64
    assert tb.full((2,), 7).dtype == tb.int64 and tb.full((2,), 7.0).dtype == tb.float32
    assert tb.arange(5).dtype == tb.int64 and tb.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert tb.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    assert tb.linspace(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert tb.eye(3).numpy().trace() == 3
    assert tb.empty(2, 2).shape == (2, 2)
    z = tb.zeros_like(tb.tensor([[1, 2]]))
    assert z.dtype == tb.int64 and z.shape == (1, 2)
    assert tb.ones_like(tb.zeros(3, dtype=tb.float64)).dtype == tb.float64
    assert tb.randint(0, 10, (50,)).numpy().max() < 10 and tb.randint(3, (4,)).dtype == tb.int64


def test_tensor_copies_but_from_numpy_shares():
    a = np.zeros(3)
    t, s = tb.tensor(a), tb.from_numpy(a)
    a[0] = 5
    assert t.tolist()[0] == 0 and s.tolist()[0] == 5


def test_default_dtype_can_be_changed():
    tb.set_default_dtype(tb.float64)
    try:
        assert tb.tensor([1.0]).dtype == tb.float64 and tb.randn(2).dtype == tb.float64
        assert (tb.tensor([1, 2]) * 0.5).dtype == tb.float64
    finally:
        tb.set_default_dtype(tb.float32)
    with pytest.raises(TypeError):
        tb.set_default_dtype(tb.int64)


def test_random_is_reproducible_with_manual_seed_and_generators():
    tb.manual_seed(0)
    a = tb.randn(5)
    tb.manual_seed(0)
    b = tb.randn(5)
    np.testing.assert_array_equal(a._array, b._array)
    g1, g2 = tb.Generator().manual_seed(3), tb.Generator().manual_seed(3)
    np.testing.assert_array_equal(tb.rand(4, generator=g1)._array, tb.rand(4, generator=g2)._array)
    assert not np.array_equal(tb.rand(4, generator=g1)._array, tb.rand(4)._array)


@pytest.mark.parametrize("a,b,expected", [
    (tb.tensor([1, 2]), tb.tensor([1.0, 2.0]), tb.float32),  # int64 + float32 -> float32
    (tb.tensor([1.0]), tb.tensor([1.0], dtype=tb.float64), tb.float64),
    (tb.tensor([1, 2]), 2.5, tb.float32),  # int tensor * Python float -> default float
    (tb.tensor([1.0, 2.0]), 2, tb.float32),
    (tb.tensor([1.0], dtype=tb.float64), 2.5, tb.float64),
    (tb.tensor([1, 2], dtype=tb.int32), 2, tb.int32),  # a Python int does not widen int32
    (tb.tensor([1, 2], dtype=tb.int32), tb.tensor([1]), tb.int64),
    (tb.tensor([1.0, 2.0]), tb.tensor(2.0, dtype=tb.float64), tb.float32),  # zero-dim: same category loses
    (tb.tensor([1, 2]), tb.tensor(2.0, dtype=tb.float64), tb.float64),  # zero-dim of higher category wins
    (tb.tensor([True]), 1, tb.int64),
    (tb.tensor([True]), tb.tensor([1.5]), tb.float32),
])
def test_type_promotion_follows_pytorch(a, b, expected):
    assert (a + b).dtype == expected
    assert (b * a).dtype == expected


def test_true_division_of_ints_gives_default_float():
    out = tb.tensor([1, 2]) / tb.tensor([2, 4])
    assert out.dtype == tb.float32 and out.tolist() == [0.5, 0.5]


def test_numpy_operands_defer_to_tensor():
    out = np.ones(2, np.float32) * tb.tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(out, tb.Tensor) and out.grad_fn is not None


def test_attributes_and_conversions():
    t = tb.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.dim() == 2 and t.numel() == 6 and len(t) == 2
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.T.shape == (3, 2) and isinstance(t._array, np.ndarray)
    assert [r.tolist() for r in t] == [[1, 2, 3], [4, 5, 6]]
    assert float(t[1, 2]) == 6.0 and int(t[0, 1]) == 2 and t[0, 0].item() == 1.0
    assert t.long().dtype == tb.int64 and t.double().dtype == tb.float64 and t.to(tb.float64).dtype == tb.float64
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        t.item()
    with pytest.raises(TypeError):
        len(tb.tensor(1.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)


def test_hash_is_identity_while_eq_is_elementwise():
    a, b = tb.tensor([1.0, 2.0]), tb.tensor([1.0, 2.0])
    assert (a == b).tolist() == [True, True] and (a == b).dtype == tb.bool
    assert len({a, b}) == 2 and {a: 1}[a] == 1
    assert (a != 1.0).tolist() == [False, True]
    assert (a < 2).tolist() == [True, False] and (a >= 2).tolist() == [False, True]


def test_max_with_dim_returns_named_tuple():
    out = tb.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    assert out.values.tolist() == [5, 7] and out.indices.tolist() == [1, 0]
    values, indices = out
    assert indices.dtype == tb.int64
    assert tb.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax().item() == 2


def test_var_std_correction_and_unbiased():
    x = tb.tensor([1.0, 2.0, 3.0, 4.0], dtype=tb.float64)
    assert x.var().item() == pytest.approx(np.var([1, 2, 3, 4], ddof=1))
    assert x.var(unbiased=False).item() == pytest.approx(np.var([1, 2, 3, 4]))
    assert x.var(correction=0).item() == pytest.approx(np.var([1, 2, 3, 4]))
    assert x.std(0).item() == pytest.approx(np.std([1, 2, 3, 4], ddof=1))


def test_repr_reads_like_pytorch():
    assert repr(tb.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(tb.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
    assert repr(tb.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(tb.tensor([1.0], dtype=tb.float64)) == "tensor([1.], dtype=tinygrad_bp.float64)"
    y = tb.tensor([2.0], requires_grad=True) * 3
    assert repr(y) == "tensor([6.], grad_fn=<MulBackward0>)"
    assert repr(y.grad_fn) == "<MulBackward0>"


def test_matmul_mismatch_is_runtime_error_with_shapes():
    with pytest.raises(RuntimeError, match=r"matmul.*2x3.*4x5"):
        tb.ones(2, 3) @ tb.ones(4, 5)
    with pytest.raises(RuntimeError, match="matmul"):
        tb.ones(3) @ tb.ones(4)


def test_failed_broadcast_is_runtime_error_naming_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"add.*\(2, 3\).*\(4,\)"):
        tb.ones(2, 3) + tb.ones(4)
    with pytest.raises(RuntimeError, match=r"mul.*size of tensor a \(3\).*tensor b \(2\)"):
        tb.ones(2, 3) * tb.ones(2)


def test_wrong_dtype_errors_name_op_and_dtypes():
    with pytest.raises(RuntimeError, match=r"matmul.*int64.*float32"):
        tb.tensor([[1, 2]]) @ tb.ones(2, 1)
    with pytest.raises(RuntimeError, match=r"mean\(\).*Got: Long"):
        tb.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="Subtraction.*bool"):
        tb.tensor([True]) - tb.tensor([False])
    with pytest.raises(RuntimeError, match="floating point"):
        tb.tensor([1, 2], requires_grad=True)


def test_shape_errors():
    with pytest.raises(RuntimeError, match=r"shape '\[4, 4\]' is invalid for input of size 6"):
        tb.ones(2, 3).reshape(4, 4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        tb.ones(2, 3).sum(2)
    with pytest.raises(RuntimeError, match="expand"):
        tb.ones(2, 3).expand(4, 3)
    with pytest.raises(RuntimeError, match="cat"):
        tb.cat([tb.ones(2, 3), tb.ones(2, 4)], 0)


def test_inplace_on_plain_tensors_and_leaf_refusal():
    t = tb.zeros(3)
    t.add_(1).mul_(3).sub_(tb.ones(3)).div_(2)
    assert t.tolist() == [1, 1, 1]
    t += 1
    assert t.tolist() == [2, 2, 2]
    t.clamp_(max=1.5)
    assert t.tolist() == [1.5, 1.5, 1.5]
    t.fill_(4).zero_()
    assert t.tolist() == [0, 0, 0]
    t.copy_(tb.tensor([1.0, 2.0, 3.0]))
    assert t.tolist() == [1, 2, 3] and t._version > 0
    w = tb.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with tb.no_grad():
        w.sub_(tb.ones(3), alpha=0.5)
    assert w.tolist() == [0.5, 0.5, 0.5]


def test_import_is_light_and_works_from_the_repository_root():
    code = ("import sys, tinygrad_bp as tb; "
            "heavy = [m for m in ('graphviz', 'matplotlib', 'tqdm', 'rich', 'torch', 'wasmtime') if m in sys.modules]; "
            "assert not heavy, heavy; assert tb.nn and tb.optim and tb.utils.data and tb.autograd and tb.viz; "
            "print(tb.__file__)")
    out = subprocess.run([sys.executable, "-S", "-c", "import sys; sys.path[:0] = ['', " + repr(
        str(Path(np.__file__).parents[1])) + "]; " + code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(ROOT / "tinygrad_bp"))


def test_explicit_dtype_is_applied_to_python_floats_directly():
    assert tb.tensor([0.3], dtype=tb.float64).item() == 0.3  # not rounded through float32 first


def test_all_and_any():
    t = tb.tensor([[True, False], [True, True]])
    assert t.all().item() is False and t.any().item() is True
    assert t.all(1).tolist() == [False, True] and t.any(0, keepdim=True).tolist() == [[True, True]]
    assert (tb.tensor([1.0, 2.0]) > 0).all().item() is True


def test_top_level_reductions_like_torch_max_outputs_1():
    logits = tb.tensor([[0.1, 2.0, 0.3], [1.5, 0.2, 0.1]])
    _, predicted = tb.max(logits, 1)  # the classic accuracy idiom
    assert predicted.tolist() == [1, 0] and tb.argmax(logits, dim=1).tolist() == [1, 0]
    assert tb.min(logits).item() == pytest.approx(0.1) and tb.argmin(logits).item() == 0
    assert tb.reshape(logits, (3, 2)).shape == (3, 2) and tb.flatten(logits).shape == (6,) and tb.numel(logits) == 6
