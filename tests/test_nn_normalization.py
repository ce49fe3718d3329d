"""BatchNorm, LayerNorm, GroupNorm and Embedding: gradcheck in float64 (batch norm in train mode), second
derivatives, running statistics, train/eval, state_dict, init, and bad input that changes nothing."""

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn
from tinygrad_bp.autograd import gradcheck, gradgradcheck


def _t(*shape, seed=0, grad=True):
    return tb.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (3, 3, 2, 2)])
def test_batch_norm_train_gradcheck(shape):
    x, w, b = _t(*shape), _t(3, seed=1), _t(3, seed=2)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_batch_norm_module_train_and_eval_gradcheck():
    bn = nn.BatchNorm2d(2).double()
    x = _t(3, 2, 2, 2)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, bn.running_mean, bn.running_var, w, b, training=False),
                     (x, _t(2, seed=1), _t(2, seed=2)))
    assert gradcheck(lambda x: bn(x), (x,))  # train mode (the running stats move at each call, harmless)


@pytest.mark.parametrize("normalized", [(4,), (3, 4)])
def test_layer_norm_gradcheck(normalized):
    x, w, b = _t(2, 3, 4), _t(*normalized, seed=1), _t(*normalized, seed=2)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, normalized, w, b), (x, w, b))


def test_group_norm_gradcheck():
    x, w, b = _t(2, 4, 3), _t(4, seed=1), _t(4, seed=2)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))


def test_normalization_second_derivatives():
    x, w, b = _t(3, 4), _t(4, seed=1), _t(4, seed=2)
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))


def test_batch_norm_running_statistics_and_eval():
    bn = nn.BatchNorm1d(2, momentum=0.5).double()
    x = tb.tensor([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]], dtype=tb.float64)
    y = bn(x)
    np.testing.assert_allclose(y._array.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean._array, 0.5 * np.array([3.0, 30.0]))
    np.testing.assert_allclose(bn.running_var._array, 0.5 + 0.5 * np.array([4.0, 700.0]))  # unbiased batch variance
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == tb.int64
    bn.eval()
    expected = (x._array - bn.running_mean._array) / np.sqrt(bn.running_var._array + 1e-5)
    np.testing.assert_allclose(bn(x)._array, expected, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1


def test_batch_norm_momentum_none_is_the_cumulative_average():
    bn = nn.BatchNorm1d(1, momentum=None).double()
    means = []
    for k in range(4):
        x = tb.tensor(np.random.default_rng(k).standard_normal((5, 1)) + k)
        means.append(x._array.mean())
        bn(x)
    np.testing.assert_allclose(bn.running_mean._array, [np.mean(means)], rtol=1e-12)
    assert bn.num_batches_tracked.item() == 4


def test_batch_norm_without_running_stats_uses_batch_statistics_in_eval():
    bn = nn.BatchNorm2d(2, track_running_stats=False, affine=False).eval()
    assert list(bn.state_dict()) == [] and bn.running_mean is None
    y = bn(tb.randn(4, 2, 3, 3) * 5 + 2)
    np.testing.assert_allclose(y._array.mean((0, 2, 3)), 0, atol=1e-5)


def test_batch_norm_state_dict_keys_init_and_repr():
    bn = nn.BatchNorm2d(3)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    np.testing.assert_array_equal(bn.weight._array, 1)
    np.testing.assert_array_equal(bn.bias._array, 0)
    np.testing.assert_array_equal(bn.running_var._array, 1)
    assert repr(bn) == "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    assert list(nn.BatchNorm1d(3, affine=False).state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    bn.double()
    assert bn.num_batches_tracked.dtype == tb.int64 and bn.running_mean.dtype == tb.float64


@pytest.mark.parametrize("cls,shape,exc,words", [
    ("BatchNorm1d", (1, 4), ValueError, ["BatchNorm1d", "more than 1 value per channel", "(1, 4)"]),
    ("BatchNorm2d", (1, 4, 1, 1), ValueError, ["BatchNorm2d", "more than 1 value per channel"]),
    ("BatchNorm1d", (2, 4, 3, 3), ValueError, ["BatchNorm1d", "2D or 3D", "4D"]),
    ("BatchNorm2d", (2, 4, 3), ValueError, ["BatchNorm2d", "4D", "3D"]),
    ("BatchNorm1d", (3, 5), RuntimeError, ["BatchNorm1d", "4", "(3, 5)"]),
])
def test_batch_norm_bad_input_changes_nothing(cls, shape, exc, words):
    bn = getattr(nn, cls)(4)
    bn(tb.randn(*((3, 4) if cls == "BatchNorm1d" else (3, 4, 2, 2))))
    before = {k: v._array.copy() for k, v in bn.state_dict().items()}
    with pytest.raises(exc) as e:
        bn(tb.zeros(*shape))
    for word in words:
        assert word in str(e.value)
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v._array, before[k], err_msg=k)


def test_batch_norm_eval_accepts_one_value_per_channel():
    bn = nn.BatchNorm1d(4).eval()
    assert bn(tb.zeros(1, 4)).shape == (1, 4)


def test_layer_norm_and_group_norm_modules():
    ln = nn.LayerNorm((2, 3))
    assert list(ln.state_dict()) == ["weight", "bias"] and ln.weight.shape == (2, 3)
    assert repr(ln) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True, bias=True)"
    y = ln(tb.randn(4, 2, 3) * 3 + 1)
    np.testing.assert_allclose(y._array.reshape(4, 6).mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(y._array.reshape(4, 6).std(1), 1, atol=1e-3)
    with pytest.raises(RuntimeError, match=r"LayerNorm.*normalized_shape"):
        ln(tb.randn(4, 3, 2))
    gn = nn.GroupNorm(2, 4)
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert gn(tb.randn(2, 4, 5)).shape == (2, 4, 5)
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="GroupNorm"):
        gn(tb.randn(2, 3, 5))


# ----------------------------------------------------------------------------- embedding
def test_embedding_gradcheck_and_repeated_indices_accumulate():
    idx = tb.tensor([[0, 2, 2], [1, 2, 0]])
    w = _t(4, 3)
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    emb = nn.Embedding(4, 3)
    emb(idx).sum().backward()
    np.testing.assert_allclose(emb.weight.grad._array[:, 0], [2, 1, 3, 0])


def test_embedding_padding_idx_row_is_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 2, padding_idx=-1)
    assert emb.padding_idx == 4
    np.testing.assert_array_equal(emb.weight._array[4], 0)
    emb(tb.tensor([4, 4, 1])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad._array[4], 0)
    np.testing.assert_array_equal(emb.weight.grad._array[1], 1)
    assert repr(emb) == "Embedding(5, 2, padding_idx=4)"


def test_embedding_max_norm_renormalises_the_looked_up_rows_in_place():
    emb = nn.Embedding(3, 2, max_norm=1.0)
    emb.weight._array[...] = [[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]
    out = emb(tb.tensor([0, 1]))
    np.testing.assert_allclose(np.linalg.norm(out._array, axis=1), [1.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(emb.weight._array[2], [6.0, 8.0])  # not looked up: unchanged


def test_embedding_default_init_is_standard_normal():
    tb.manual_seed(0)
    w = nn.Embedding(1000, 50).weight._array
    assert w.dtype == np.float32
    assert w.mean() == pytest.approx(0, abs=0.01) and w.std() == pytest.approx(1, abs=0.01)


def test_embedding_bad_input_names_the_module_and_changes_nothing():
    emb = nn.Embedding(6, 2, max_norm=0.1)
    before = emb.weight._array.copy()
    with pytest.raises(IndexError) as e:
        emb(tb.tensor([0, 6]))
    assert "Embedding(6, 2)" in str(e.value) and "index out of range" in str(e.value) and "6" in str(e.value)
    with pytest.raises(IndexError):
        emb(tb.tensor([-1]))
    with pytest.raises(RuntimeError, match="Long, Int"):
        emb(tb.tensor([0.0, 1.0]))
    np.testing.assert_array_equal(emb.weight._array, before)
    with pytest.raises(AssertionError):
        nn.Embedding(3, 2, padding_idx=3)


def test_embedding_from_pretrained_is_frozen():
    emb = nn.Embedding.from_pretrained(tb.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(tb.tensor([1]))._array, [[3.0, 4.0]])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck_empty_bags_and_padding(mode):
    idx, offsets = tb.tensor([0, 2, 3, 1, 2]), tb.tensor([0, 2, 2])  # the middle bag is empty
    w = _t(4, 3)
    assert gradcheck(lambda w: F.embedding_bag(idx, w, offsets, mode=mode, padding_idx=3), (w,))
    out = F.embedding_bag(idx, w, offsets, mode=mode)
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out._array[1], 0)
    if mode == "mean":
        np.testing.assert_allclose(out._array[0], w._array[[0, 2]].mean(0), rtol=1e-12)
    bag = nn.EmbeddingBag(4, 3, mode=mode)
    assert repr(bag) == f"EmbeddingBag(4, 3, mode='{mode}')" and list(bag.state_dict()) == ["weight"]
    assert bag(tb.tensor([[0, 1], [2, 3]])).shape == (2, 3)


def test_instance_norm_gradcheck_and_errors():
    x, w, b = _t(2, 3, 4), _t(3, seed=1), _t(3, seed=2)
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b))
    m = nn.InstanceNorm2d(3)
    assert repr(m) == "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)"
    y = m(tb.randn(2, 3, 4, 4) * 3 + 2)
    np.testing.assert_allclose(y._array.mean((2, 3)), 0, atol=1e-5)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(tb.zeros(4, 3, 1))
    with pytest.raises(ValueError, match="InstanceNorm1d"):
        nn.InstanceNorm1d(3)(tb.zeros(4, 3, 2, 2))
    with pytest.raises(ValueError, match="num_features"):
        nn.InstanceNorm1d(3, affine=True)(tb.zeros(4, 5, 6))
