"""Losses: values against closed-form NumPy (written per sample, independently of the vectorised code),
gradients by gradcheck in float64 for every reduction, stability, dtypes and PyTorch's errors."""

import math
import warnings

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn
from tinygrad_bp.autograd import gradcheck

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(42)
LOGITS = RNG.standard_normal((6, 5))
CLASSES = np.array([0, 3, 4, 1, 3, 2])
IGNORED = np.array([0, -100, 4, 1, -100, 2])
WEIGHT = RNG.uniform(0.5, 2.0, 5)
PROBS = np.exp(RNG.standard_normal((6, 5)))
PROBS /= PROBS.sum(1, keepdims=True)
UNIT_X = RNG.uniform(0.05, 0.95, (4, 3))
UNIT_Y = RNG.uniform(0.0, 1.0, (4, 3))


def _reduce(per, reduction, denom=None):
    if reduction == "none":
        return per
    return per.sum() / (per.size if denom is None else denom) if reduction == "mean" else per.sum()


def _t(a, grad=False):
    return tb.tensor(a, requires_grad=grad)


def _log_softmax_row(z):
    m = max(z)
    return [v - m - math.log(sum(math.exp(u - m) for u in z)) for v in z]


def ce_reference(z, target, weight=None, ignore_index=-100, smoothing=0.0, reduction="mean"):
    """Per-sample loop: (1-ε)·w[t]·(-log p_t) + ε/C·Σ_c w[c]·(-log p_c); mean divides by Σ w[t]."""
    n_classes = z.shape[1]
    w = np.ones(n_classes) if weight is None else weight
    per, total_w = [], 0.0
    for row, t in zip(z, target):
        if t == ignore_index:
            per.append(0.0)
            continue
        logp = _log_softmax_row(row)
        smooth = -sum(w[c] * logp[c] for c in range(n_classes)) / n_classes
        per.append((1 - smoothing) * -w[t] * logp[t] + smoothing * smooth)
        total_w += w[t]
    return _reduce(np.array(per), reduction, total_w)


def ce_prob_reference(z, p, weight=None, smoothing=0.0, reduction="mean"):
    n_classes = z.shape[1]
    w = np.ones(n_classes) if weight is None else weight
    per = []
    for row, target in zip(z, p):
        logp = _log_softmax_row(row)
        target = target * (1 - smoothing) + smoothing / n_classes
        per.append(-sum(w[c] * target[c] * logp[c] for c in range(n_classes)))
    return _reduce(np.array(per), reduction, len(per))


# ----------------------------------------------------------------------------- regression losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1_values_and_gradients(reduction):
    x, y = UNIT_X, UNIT_Y
    np.testing.assert_allclose(F.mse_loss(_t(x), _t(y), reduction=reduction)._array,
                               _reduce((x - y) ** 2, reduction), rtol=1e-12)
    np.testing.assert_allclose(nn.L1Loss(reduction=reduction)(_t(x), _t(y))._array,
                               _reduce(np.abs(x - y), reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (_t(x, True), _t(y, True)))
    assert gradcheck(lambda a, b: F.l1_loss(a, b, reduction=reduction), (_t(x, True), _t(y, True)))


def test_mse_gradient_is_2_diff_over_n():
    x, y = _t(UNIT_X, True), _t(UNIT_Y)
    nn.MSELoss()(x, y).backward()
    np.testing.assert_allclose(x.grad._array, 2 * (UNIT_X - UNIT_Y) / UNIT_X.size, rtol=1e-12)


def test_mse_warns_about_broadcasting_targets_and_takes_int_targets():
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(tb.zeros(4, 1), tb.ones(4))
    assert out.item() == 1.0
    out = F.mse_loss(tb.zeros(3), tb.tensor([1, 2, 3]))
    assert out.dtype == tb.float32 and out.item() == pytest.approx(14 / 3)


# ----------------------------------------------------------------------------- cross-entropy
CE_OPTIONS = [
    {}, {"weight": WEIGHT}, {"ignore": True}, {"smoothing": 0.2},
    {"weight": WEIGHT, "ignore": True, "smoothing": 0.3}, {"ignore_index": 3},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS, ids=lambda o: "-".join(o) or "plain")
def test_cross_entropy_class_targets(opts, reduction):
    target = IGNORED if opts.get("ignore") else CLASSES
    ignore_index = opts.get("ignore_index", -100)
    kwargs = {"reduction": reduction, "label_smoothing": opts.get("smoothing", 0.0), "ignore_index": ignore_index}
    if "weight" in opts:
        kwargs["weight"] = _t(opts["weight"])
    want = ce_reference(LOGITS, target, opts.get("weight"), ignore_index, opts.get("smoothing", 0.0), reduction)
    out = nn.CrossEntropyLoss(**kwargs)(_t(LOGITS), _t(target))
    np.testing.assert_allclose(out._array, want, rtol=1e-12)
    assert gradcheck(lambda z: F.cross_entropy(z, _t(target), **kwargs), (_t(LOGITS, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probability_targets(weighted, reduction):
    w = WEIGHT if weighted else None
    kwargs = {"reduction": reduction, "label_smoothing": 0.1, "weight": _t(w) if weighted else None}
    out = F.cross_entropy(_t(LOGITS), _t(PROBS), **kwargs)
    np.testing.assert_allclose(out._array, ce_prob_reference(LOGITS, PROBS, w, 0.1, reduction), rtol=1e-12)
    assert gradcheck(lambda z, p: F.cross_entropy(z, p, **kwargs), (_t(LOGITS, True), _t(PROBS, True)))


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    z = _t(LOGITS, True)
    loss = F.cross_entropy(z, _t(CLASSES))
    assert type(loss.grad_fn).__name__ == "SoftmaxCrossEntropy"  # one fused node
    assert loss.grad_fn.name() == "NllLossBackward0"  # PyTorch's name for the node its graph ends in
    loss.backward()
    p = np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad._array, (p - np.eye(5)[CLASSES]) / 6, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e3, 1e4, 1e6])
def test_cross_entropy_is_stable_for_huge_logits(scale):
    z = _t(LOGITS * scale, True)
    loss = F.cross_entropy(z, _t(CLASSES), reduction="sum")
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(z.grad._array))
    want = sum(z._array[i].max() - z._array[i, t] for i, t in enumerate(CLASSES))  # log-sum-exp ≈ max
    assert loss.item() == pytest.approx(want, rel=1e-9)
    hard = np.eye(5)[LOGITS.argmax(1)]
    np.testing.assert_allclose(z.grad._array, hard - np.eye(5)[CLASSES], atol=1e-12)
    z32 = tb.tensor(LOGITS * scale, dtype=tb.float32, requires_grad=True)
    F.cross_entropy(z32, _t(CLASSES)).backward()
    assert np.all(np.isfinite(z32.grad._array))


def test_cross_entropy_kdim_and_unbatched_inputs():
    z = RNG.standard_normal((2, 4, 3))
    t = np.array([[0, 3, 1], [2, -100, 0]])
    flat_z = np.moveaxis(z, 1, -1).reshape(-1, 4)
    for reduction in REDUCTIONS:
        out = F.cross_entropy(_t(z), _t(t), weight=_t(WEIGHT[:4]), reduction=reduction)
        want = ce_reference(flat_z, t.ravel(), WEIGHT[:4], reduction=reduction)
        np.testing.assert_allclose(out._array, want.reshape(2, 3) if reduction == "none" else want, rtol=1e-12)
        assert gradcheck(lambda a, r=reduction: F.cross_entropy(a, _t(t), reduction=r), (_t(z, True),))
    out = F.cross_entropy(_t(LOGITS[0]), _t(np.int64(3)))
    assert out.shape == () and out.item() == pytest.approx(-_log_softmax_row(LOGITS[0])[3])


def test_cross_entropy_keeps_float32_and_all_ignored_gives_nan():
    out = F.cross_entropy(tb.randn(3, 4), tb.tensor([0, 1, 2]))
    assert out.dtype == tb.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning either
        assert math.isnan(F.cross_entropy(tb.randn(2, 3), tb.tensor([-100, -100])).item())


def test_cross_entropy_errors_match_pytorch():
    z = tb.randn(3, 5)
    with pytest.raises(RuntimeError, match="target dtype to be int64"):
        F.cross_entropy(z, tb.tensor([1.0, 2.0, 3.0]))  # float class indices: wrong shape for probabilities
    with pytest.raises(RuntimeError):
        nn.CrossEntropyLoss()(z, tb.rand(3, 4))
    with pytest.raises(RuntimeError, match="int64"):
        F.cross_entropy(z, tb.tensor([1, 2, 3], dtype=tb.int32))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        F.cross_entropy(z, tb.tensor([1, 2]))
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(z, tb.tensor([1, 2, 5]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(z, tb.tensor([1, 2, -1]))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(z, tb.tensor([1, 2, 3]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 5 classes"):
        F.cross_entropy(z, tb.tensor([1, 2, 3]), weight=tb.ones(3))
    with pytest.raises(RuntimeError, match="floating point type for target with class probabilities"):
        F.cross_entropy(z, tb.ones(3, 5, dtype=tb.int64))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="foo")
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.cross_entropy(z, tb.tensor([1, 2, 3]), reduction="foo")


def test_loss_modules_store_weights_as_buffers_like_pytorch():
    w = tb.tensor(WEIGHT)
    assert list(nn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=tb.ones(3)).state_dict()) == ["pos_weight"]


def test_legacy_size_average_and_reduce_map_to_reduction():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"


# ----------------------------------------------------------------------------- NLL
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_on_log_softmax_equals_cross_entropy(weighted, reduction):
    w = _t(WEIGHT) if weighted else None
    logp = nn.LogSoftmax(dim=1)(_t(LOGITS))
    out = nn.NLLLoss(weight=w, reduction=reduction)(logp, _t(IGNORED))
    want = ce_reference(LOGITS, IGNORED, WEIGHT if weighted else None, reduction=reduction)
    np.testing.assert_allclose(out._array, want, rtol=1e-12)
    assert gradcheck(lambda x: F.nll_loss(x, _t(IGNORED), weight=w, reduction=reduction), (_t(LOGITS, True),))


def test_nll_loss_picks_minus_the_target_entry():
    x = tb.tensor([[0.1, 0.2, 0.3], [1.0, 2.0, 3.0]])
    assert F.nll_loss(x, tb.tensor([2, 0]), reduction="none").tolist() == pytest.approx([-0.3, -1.0])
    with pytest.raises(RuntimeError, match="int64"):
        F.nll_loss(x, tb.tensor([2.0, 0.0]))


# ----------------------------------------------------------------------------- BCE
def bce_reference(x, y, w=None):
    logx = np.maximum(np.log(x, where=x > 0, out=np.full_like(x, -np.inf)), -100)
    log1mx = np.maximum(np.log(1 - x, where=x < 1, out=np.full_like(x, -np.inf)), -100)
    per = -(y * logx + (1 - y) * log1mx)
    return per if w is None else per * w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_values_and_gradients(weighted, reduction):
    w = RNG.uniform(0.5, 2, 3) if weighted else None
    out = nn.BCELoss(weight=_t(w) if weighted else None, reduction=reduction)(_t(UNIT_X), _t(UNIT_Y))
    np.testing.assert_allclose(out._array, _reduce(bce_reference(UNIT_X, UNIT_Y, w), reduction), rtol=1e-12)
    assert gradcheck(lambda x, y: F.binary_cross_entropy(x, y, weight=_t(w) if weighted else None,
                                                         reduction=reduction), (_t(UNIT_X, True), _t(UNIT_Y, True)))


def test_bce_clamps_logs_at_minus_100():
    x = tb.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = tb.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(x, y, reduction="none")
    assert loss.tolist() == [100.0, 100.0, 0.0, 0.0]
    loss.sum().backward()
    assert np.all(np.isfinite(x.grad._array))
    np.testing.assert_allclose(x.grad._array[:2], [-1e12, 1e12], rtol=1e-6)  # (x - y) / max(x(1-x), 1e-12)


def test_bce_errors():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(tb.tensor([1.5]), tb.tensor([1.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        nn.BCELoss()(tb.rand(3), tb.rand(3, 1))
    with pytest.raises(ValueError, match="must be the same as input size"):
        nn.BCEWithLogitsLoss()(tb.rand(3), tb.rand(3, 1))


def bce_logits_reference(x, y, w=None, pw=None):
    s = 1 / (1 + np.exp(-x))
    pw = 1.0 if pw is None else pw
    per = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    return per if w is None else per * w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits_values_and_gradients(options, reduction):
    x = RNG.standard_normal((4, 3)) * 3
    w = RNG.uniform(0.5, 2, (4, 1)) if options in ("weight", "both") else None
    pw = RNG.uniform(0.5, 3, 3) if options in ("pos_weight", "both") else None
    kwargs = {"weight": None if w is None else _t(w), "pos_weight": None if pw is None else _t(pw),
              "reduction": reduction}
    out = nn.BCEWithLogitsLoss(**kwargs)(_t(x), _t(UNIT_Y))
    np.testing.assert_allclose(out._array, _reduce(bce_logits_reference(x, UNIT_Y, w, pw), reduction), rtol=1e-10)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, **kwargs), (_t(x, True), _t(UNIT_Y, True)))


def test_bce_with_logits_is_stable_and_gradient_is_sigmoid_minus_target():
    x = tb.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    y = tb.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss._array, [1e4, 0.0, math.log(2), 0.0, 1e4], atol=1e-12)
    s = np.array([0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(x.grad._array, s - y._array, atol=1e-12)


# ----------------------------------------------------------------------------- second order
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fused_losses_and_linear_are_twice_differentiable(reduction):
    from tinygrad_bp.autograd import gradgradcheck

    z, p = _t(LOGITS, True), _t(PROBS, True)
    x, y = _t(UNIT_X, True), _t(UNIT_Y, True)
    w = _t(WEIGHT)
    assert gradgradcheck(lambda a: F.cross_entropy(a, _t(IGNORED), weight=w, label_smoothing=0.1,
                                                   reduction=reduction), (z,))
    assert gradgradcheck(lambda a, b: F.cross_entropy(a, b, reduction=reduction), (z, p))
    assert gradgradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (x, y))
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), (x, y))
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=w[:3], reduction=reduction),
                         (x, y))


def test_second_order_through_a_network():
    """create_graph through Linear (Addmm), sigmoid and cross-entropy, against finite differences."""
    from tinygrad_bp.autograd import gradgradcheck

    net = nn.TwoLayerNet(5, 4, 3).double()
    target = _t(CLASSES % 3)
    inputs = (_t(LOGITS, True),) + tuple(net.parameters())
    assert gradgradcheck(lambda x, *params: F.cross_entropy(net(x), target), inputs)
    w = _t(RNG.standard_normal((2, 3)), True)
    b = _t(RNG.standard_normal(2), True)
    assert gradgradcheck(lambda a, w, b: F.linear(a, w, b), (_t(UNIT_X, True), w, b))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_create_graph_first_derivative_matches_plain_backward(reduction):
    """The create_graph branch of the fused op must give the same first derivative as the array branch."""
    rng = np.random.default_rng(3)
    z = tb.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    t = tb.tensor([0, 3, 1, 1, 2])
    (g_graph,) = tb.autograd.grad(F.cross_entropy(z, t, reduction=reduction).sum(), z, create_graph=True)
    F.cross_entropy(z, t, reduction=reduction).sum().backward()
    np.testing.assert_allclose(g_graph._array, z.grad._array, rtol=1e-12, atol=1e-15)
    assert g_graph.requires_grad
