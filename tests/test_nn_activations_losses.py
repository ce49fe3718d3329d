"""The new activations (GELU, SiLU, Softplus, ELU, Hardtanh, LogSigmoid, Softsign, Mish) and losses
(SmoothL1, Huber, KLDiv, MultiMargin, CosineEmbedding, MarginRanking): gradcheck in float64 with every
reduction, second derivatives of the smooth activations, stability, modules and bad arguments."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn
from tinygrad_bp.autograd import gradcheck, gradgradcheck

REDUCTIONS = ["mean", "sum", "none"]


def _t(*shape, seed=0, grad=True, scale=1.0):
    return tb.tensor(np.random.default_rng(seed).standard_normal(shape) * scale, requires_grad=grad)


ACTIVATIONS = {
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "softplus": F.softplus,
    "softplus_beta_threshold": lambda x: F.softplus(x, beta=2.0, threshold=1.5),
    "elu": lambda x: F.elu(x, alpha=0.7),
    "hardtanh": lambda x: F.hardtanh(x, -0.8, 1.2),
    "logsigmoid": F.logsigmoid,
    "softsign": F.softsign,
    "mish": F.mish,
}
SMOOTH = ["gelu", "gelu_tanh", "silu", "softplus", "logsigmoid", "mish"]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradcheck(name):
    assert gradcheck(ACTIVATIONS[name], (_t(3, 5, scale=2.0),))


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_activation_second_derivatives(name):
    assert gradgradcheck(ACTIVATIONS[name], (_t(2, 3, scale=2.0),))


def test_activation_values():
    x = tb.tensor([-2.0, 0.0, 1.0], dtype=tb.float64)
    phi = [0.5 * (1 + math.erf(v / math.sqrt(2))) for v in (-2.0, 0.0, 1.0)]
    np.testing.assert_allclose(F.gelu(x)._array, x._array * phi, rtol=1e-14)
    np.testing.assert_allclose(F.elu(x)._array, [math.exp(-2) - 1, 0, 1], rtol=1e-14)
    np.testing.assert_allclose(F.softsign(x)._array, [-2 / 3, 0, 0.5], rtol=1e-14)
    np.testing.assert_allclose(F.hardtanh(x)._array, [-1, 0, 1])


def test_softplus_and_logsigmoid_are_stable_for_large_inputs():
    x = tb.tensor([-1000.0, 1000.0], dtype=tb.float64, requires_grad=True)
    np.testing.assert_allclose(F.softplus(x)._array, [0, 1000])
    np.testing.assert_allclose(F.logsigmoid(x)._array, [-1000, 0])
    F.logsigmoid(x).sum().backward()
    np.testing.assert_allclose(x.grad._array, [1, 0])
    assert np.isfinite(F.mish(x)._array).all() and np.isfinite(F.elu(x)._array).all()


def test_hardtanh_gradient_is_zero_at_and_beyond_the_ends():
    x = tb.tensor([-2.0, -1.0, 0.5, 1.0, 3.0], requires_grad=True)
    F.hardtanh(x).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0, 0, 1, 0, 0])


def test_activation_modules():
    x = _t(2, 3, grad=False)
    for module, fn in [(nn.GELU(), F.gelu), (nn.SiLU(), F.silu), (nn.Softplus(), F.softplus), (nn.ELU(), F.elu),
                       (nn.Hardtanh(), F.hardtanh), (nn.LogSigmoid(), F.logsigmoid), (nn.Softsign(), F.softsign),
                       (nn.Mish(), F.mish)]:
        np.testing.assert_allclose(module(x)._array, fn(x)._array, rtol=1e-14)
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.Softplus(2, 10)) == "Softplus(beta=2, threshold=10)"
    assert repr(nn.ELU(0.5, inplace=True)) == "ELU(alpha=0.5, inplace=True)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(x, approximate="fast")


# ----------------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", [lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r),
                                  lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.3),
                                  lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.5)],
                         ids=["smooth_l1", "smooth_l1_beta", "huber"])
def test_regression_losses_gradcheck(loss, reduction):
    assert gradcheck(lambda x, y: loss(x, y, reduction), (_t(4, 3), _t(4, 3, seed=1)))


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_gradcheck_and_value(reduction, log_target):
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=3)
    q = rng.dirichlet(np.ones(4), size=3)
    x = tb.tensor(np.log(q), requires_grad=True)
    y = tb.tensor(np.log(p) if log_target else p, requires_grad=True)
    with pytest.warns(UserWarning, match="batchmean") if reduction == "mean" else _nothing():
        assert gradcheck(lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target), (x, y))
    if reduction == "batchmean":
        kl = (p * np.log(p / q)).sum() / 3
        assert F.kl_div(x, y, reduction="batchmean", log_target=log_target).item() == pytest.approx(kl, rel=1e-12)


def test_kl_div_zero_target_contributes_nothing():
    x = tb.tensor([[math.log(0.5), math.log(0.5)]], dtype=tb.float64)
    y = tb.tensor([[1.0, 0.0]], dtype=tb.float64)
    assert F.kl_div(x, y, reduction="sum").item() == pytest.approx(math.log(2), rel=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [dict(), dict(p=2, margin=0.5), dict(weight=True)])
def test_multi_margin_loss_gradcheck(reduction, kwargs):
    t = tb.tensor([0, 2, 1, 2])
    if kwargs.get("weight"):
        kwargs = dict(weight=tb.tensor([0.5, 1.0, 2.0], dtype=tb.float64))
    assert gradcheck(lambda x: F.multi_margin_loss(x, t, reduction=reduction, **kwargs), (_t(4, 3),))


def test_multi_margin_loss_value_and_unbatched():
    x = tb.tensor([0.1, 0.2, 0.4, 0.8], dtype=tb.float64)
    # PyTorch's documented example: (1-(0.8-0.1) + 1-(0.8-0.2) + 1-(0.8-0.4)) / 4
    assert F.multi_margin_loss(x, tb.tensor([3])).item() == pytest.approx((0.3 + 0.4 + 0.6) / 4, rel=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.4])
def test_cosine_embedding_and_margin_ranking_gradcheck(reduction, margin):
    y = tb.tensor([1.0, -1.0, -1.0, 1.0], dtype=tb.float64)
    assert gradcheck(lambda a, b: F.cosine_embedding_loss(a, b, y, margin=margin, reduction=reduction),
                     (_t(4, 3), _t(4, 3, seed=1)))
    assert gradcheck(lambda a, b: F.margin_ranking_loss(a, b, y, margin=margin, reduction=reduction),
                     (_t(4), _t(4, seed=1)))


def test_loss_modules_and_bad_arguments():
    x, y = _t(4, 3, grad=False), _t(4, 3, seed=1, grad=False)
    assert nn.SmoothL1Loss(beta=0.5)(x, y).item() == pytest.approx(F.smooth_l1_loss(x, y, beta=0.5).item())
    assert nn.HuberLoss(reduction="sum")(x, y).item() == pytest.approx(F.huber_loss(x, y, reduction="sum").item())
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"
    assert nn.MultiMarginLoss(weight=tb.ones(3))(x, tb.tensor([0, 1, 2, 0])).shape == ()
    assert nn.CosineEmbeddingLoss(reduction="none")(x, y, tb.tensor([1.0, -1.0, 1.0, -1.0])).shape == (4,)
    assert nn.MarginRankingLoss()(x[:, 0], y[:, 0], tb.ones(4)).shape == ()
    with pytest.raises(ValueError, match="reduction"):
        nn.HuberLoss(reduction="avg")
    with pytest.raises(ValueError, match="p == 1"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(RuntimeError, match="multi_margin_loss"):
        F.multi_margin_loss(x, tb.tensor([0, 1, 2, 3]))
    with pytest.raises(RuntimeError, match="margin_ranking_loss"):
        F.margin_ranking_loss(x[:, 0], y[:3, 0], tb.ones(4))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
