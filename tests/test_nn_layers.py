"""Layers, activations, TwoLayerNet, nn.init and gradient clipping: values against closed-form NumPy,
gradients by gradcheck in float64, initialisation bounds and statistics."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn
from tinygrad_bp.autograd import gradcheck


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _rand64(*shape, requires_grad=True):
    return tb.tensor(np.random.default_rng(sum(shape)).standard_normal(shape), requires_grad=requires_grad)


# ----------------------------------------------------------------------------- Linear
def test_linear_shapes_dtype_and_init_bounds():
    tb.manual_seed(0)
    lin = nn.Linear(400, 300)
    assert lin.weight.shape == (300, 400) and lin.bias.shape == (300,)
    assert lin.weight.dtype == tb.float32 and lin.bias.dtype == tb.float32
    bound = 1 / math.sqrt(400)
    w, b = lin.weight._array, lin.bias._array
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # the whole range is used
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)  # U(-a, a) has std a/√3
    assert abs(w.mean()) < 0.01 * bound * 10
    assert b.std() == pytest.approx(bound / math.sqrt(3), rel=0.15)


def test_linear_init_is_reproducible_and_uses_the_global_generator():
    tb.manual_seed(3)
    a = nn.Linear(5, 4)
    tb.manual_seed(3)
    b = nn.Linear(5, 4)
    c = nn.Linear(5, 4)
    np.testing.assert_array_equal(a.weight._array, b.weight._array)
    np.testing.assert_array_equal(a.bias._array, b.bias._array)
    assert not np.array_equal(b.weight._array, c.weight._array)


def test_linear_takes_the_default_dtype_or_an_explicit_one():
    tb.set_default_dtype(tb.float64)
    try:
        assert nn.Linear(2, 2).weight.dtype == tb.float64
    finally:
        tb.set_default_dtype(tb.float32)
    assert nn.Linear(2, 2, dtype=tb.float64).bias.dtype == tb.float64


@pytest.mark.parametrize("shape", [(5, 3), (3,), (2, 4, 3)])
def test_linear_values_against_numpy(shape):
    lin = nn.Linear(3, 2).double()
    x = _rand64(*shape, requires_grad=False)
    want = x._array @ lin.weight._array.T + lin.bias._array
    out = lin(x)
    assert out.shape == shape[:-1] + (2,)
    np.testing.assert_allclose(out._array, want, rtol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(shape, bias):
    lin = nn.Linear(3, 2, bias=bias).double()
    params = (lin.weight,) + ((lin.bias,) if bias else ())
    assert gradcheck(lambda x, w, *b: F.linear(x, w, *b), (_rand64(*shape),) + params)


def test_linear_forward_is_one_fused_node_and_backward_matches_formula():
    lin = nn.Linear(3, 2)
    x = tb.randn(4, 3)
    y = lin(x)
    assert y.grad_fn.name() == "AddmmBackward0"
    g = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    y.backward(tb.tensor(g))
    np.testing.assert_allclose(lin.weight.grad._array, g.T @ x._array, rtol=1e-5)
    np.testing.assert_allclose(lin.bias.grad._array, g.sum(0), rtol=1e-5)


def test_linear_errors_name_the_shapes_and_dtypes():
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)"):
        lin(tb.randn(4, 5))
    with pytest.raises(RuntimeError, match="same dtype.*float64 != float32"):
        lin(tb.randn(4, 3, dtype=tb.float64))
    with pytest.raises(TypeError, match="must be Tensor, not ndarray"):
        lin(np.ones((4, 3), np.float32))
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        nn.MSELoss()([1.0], tb.ones(1))


# ----------------------------------------------------------------------------- activations
ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Sigmoid(), _sigmoid),
    (nn.Tanh(), np.tanh),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    (nn.LeakyReLU(0.3), lambda x: np.where(x > 0, x, 0.3 * x)),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.Softmax(dim=0), lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
    (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    (nn.LogSoftmax(dim=-1), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    (nn.Identity(54, unused=1), lambda x: x),
    (nn.Flatten(), lambda x: x.reshape(x.shape[0], -1)),
    (nn.Flatten(0, 1), lambda x: x.reshape(-1, x.shape[2])),
]


@pytest.mark.parametrize("module,ref", ACTIVATIONS, ids=[repr(m) for m, _ in ACTIVATIONS])
def test_activation_values_and_gradients(module, ref):
    x = _rand64(4, 3, 2)
    np.testing.assert_allclose(module(x)._array, ref(x._array), rtol=1e-12, atol=1e-15)
    assert gradcheck(module, (x,))


def test_leaky_relu_gradient_is_slope_on_negative_side():
    x = tb.tensor([-2.0, 3.0], requires_grad=True)
    nn.LeakyReLU(0.2)(x).sum().backward()
    np.testing.assert_allclose(x.grad._array, [0.2, 1.0])


def test_softmax_family_is_stable_for_huge_logits():
    x = tb.tensor([[1000.0, 0.0, -1000.0], [3000.0, 3000.0, 0.0]])
    p = nn.Softmax(dim=1)(x)._array
    np.testing.assert_allclose(p, [[1, 0, 0], [0.5, 0.5, 0]], atol=1e-7)
    lp = nn.LogSoftmax(dim=1)(x)._array
    assert np.all(np.isfinite(lp)) and lp[0, 2] == pytest.approx(-2000.0)


def test_softmax_without_dim_warns_and_uses_pytorchs_implicit_dim():
    x = tb.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(x)
    np.testing.assert_allclose(out._array.sum(1), 1, rtol=1e-6)


def test_identity_returns_its_input():
    x = tb.randn(2)
    assert nn.Identity()(x) is x


# ----------------------------------------------------------------------------- Dropout
def test_dropout_scales_survivors_in_training_and_is_identity_in_eval():
    tb.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = tb.ones(200, 100, requires_grad=True)
    y = drop(x)
    kept = y._array != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(y._array[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad._array, y._array)  # the gradient is the same mask and scale
    drop.eval()
    assert drop(x) is x


def test_dropout_edge_probabilities_seed_and_errors():
    x = tb.randn(10)
    assert nn.Dropout(0.0)(x) is x
    assert not nn.Dropout(1.0)(x)._array.any()
    tb.manual_seed(5)
    a = nn.Dropout()(tb.ones(50))._array
    tb.manual_seed(5)
    np.testing.assert_array_equal(a, nn.Dropout()(tb.ones(50))._array)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            nn.Dropout(p)
    assert F.dropout(x, 0.5, training=False) is x


# ----------------------------------------------------------------------------- TwoLayerNet
def test_two_layer_net_structure_and_fresh_default_activations():
    a, b = nn.TwoLayerNet(2, 3, 1), nn.TwoLayerNet(2, 3, 1)
    assert [n for n, _ in a.named_children()] == ["fc1", "activation", "fc2", "output_activation"]
    assert type(a.activation) is nn.Sigmoid and type(a.output_activation) is nn.Sigmoid
    assert a.activation is not b.activation and a.output_activation is not b.output_activation
    assert a.activation is not a.output_activation
    assert (a.fc1.weight.shape, a.fc2.weight.shape) == ((3, 2), (1, 3))


def test_two_layer_net_forward_is_the_tutorials_formula():
    net = nn.TwoLayerNet(4, 5, 2).double()
    x = _rand64(6, 4, requires_grad=False)
    w1, b1, w2, b2 = (p._array for p in net.parameters())
    want = _sigmoid(_sigmoid(x._array @ w1.T + b1) @ w2.T + b2)
    np.testing.assert_allclose(net(x)._array, want, rtol=1e-12)
    assert gradcheck(lambda x, *ps: net(x), (_rand64(3, 4),) + tuple(net.parameters()))


def test_two_layer_net_activation_options():
    net = nn.TwoLayerNet(3, 4, 2, activation=nn.ReLU, output_activation=None).double()
    assert type(net.activation) is nn.ReLU and net.output_activation is None
    x = _rand64(5, 3, requires_grad=False)
    w1, b1, w2, b2 = (p._array for p in net.parameters())
    np.testing.assert_allclose(net(x)._array, np.maximum(x._array @ w1.T + b1, 0) @ w2.T + b2, rtol=1e-12)
    assert "(output_activation): None" in repr(net)
    act = nn.Tanh()
    assert nn.TwoLayerNet(1, 1, 1, activation=act).activation is act
    with pytest.raises(TypeError):
        nn.TwoLayerNet(1, 1, 1, activation="sigmoid")


# ----------------------------------------------------------------------------- init
@pytest.mark.parametrize("name,param,gain", [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))), ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", None, 0.75)])
def test_calculate_gain(name, param, gain):
    assert nn.init.calculate_gain(name, param) == pytest.approx(gain)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="negative_slope"):
        nn.init.calculate_gain("leaky_relu", "x")


def test_fan_rules():
    fan = nn.init._calculate_fan_in_and_fan_out
    assert fan(tb.empty(5, 3)) == (3, 5)
    assert fan(tb.empty(8, 4, 3, 3)) == (36, 72)  # receptive field 3·3
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        fan(tb.empty(5))


@pytest.mark.parametrize("fn,kwargs,bound", [
    (nn.init.xavier_uniform_, {}, math.sqrt(6 / (300 + 200))),
    (nn.init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(6 / (300 + 200))),
    (nn.init.kaiming_uniform_, {}, math.sqrt(2) * math.sqrt(3 / 300)),  # a=0: gain √2
    (nn.init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(300)),
    (nn.init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2) * math.sqrt(3 / 200)),
    (nn.init.uniform_, {"a": -0.3, "b": 0.3}, 0.3),
])
def test_uniform_inits_fill_the_bound(fn, kwargs, bound):
    tb.manual_seed(0)
    w = nn.Parameter(tb.empty(200, 300))
    assert fn(w, **kwargs) is w
    assert np.abs(w._array).max() <= bound * (1 + 1e-6)
    assert np.abs(w._array).max() > 0.99 * bound
    assert w._array.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("fn,kwargs,std", [
    (nn.init.xavier_normal_, {}, math.sqrt(2 / 500)),
    (nn.init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 300)),
    (nn.init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "tanh"}, 5 / 3 / math.sqrt(200)),
    (nn.init.normal_, {"mean": 1.0, "std": 0.5}, 0.5),
])
def test_normal_inits_have_the_right_std(fn, kwargs, std):
    tb.manual_seed(1)
    w = fn(tb.empty(200, 300), **kwargs)
    assert w._array.std() == pytest.approx(std, rel=0.02)
    assert w._array.mean() == pytest.approx(kwargs.get("mean", 0.0), abs=0.01 * std * 5)


def test_constant_inits_generator_and_mode_errors():
    w = nn.Parameter(tb.empty(2, 3))
    assert nn.init.ones_(w)._array.tolist() == [[1.0] * 3] * 2
    assert not nn.init.zeros_(w)._array.any()
    assert (nn.init.constant_(w, 0.5)._array == 0.5).all()
    assert w.grad_fn is None and w.requires_grad  # filled in place, no graph
    g1, g2 = tb.Generator().manual_seed(7), tb.Generator().manual_seed(7)
    np.testing.assert_array_equal(nn.init.xavier_uniform_(tb.empty(3, 3), generator=g1)._array,
                                  nn.init.xavier_uniform_(tb.empty(3, 3), generator=g2)._array)
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        nn.init.kaiming_uniform_(w, mode="fan_avg")


# ----------------------------------------------------------------------------- clipping, one_hot
def _with_grads(*grads):
    params = [nn.Parameter(tb.zeros(*np.shape(g))) for g in grads]
    for p, g in zip(params, grads):
        p.grad = tb.tensor(np.asarray(g, dtype=np.float32))
    return params


def test_clip_grad_norm_scales_all_gradients_together():
    params = _with_grads([3.0, 0.0], [[4.0]])
    total = nn.utils.clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    new = np.concatenate([p.grad._array.ravel() for p in params])
    np.testing.assert_allclose(new, [0.6, 0.0, 0.8], rtol=1e-5)
    params = _with_grads([0.3, 0.4])
    assert nn.utils.clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(params[0].grad._array, [0.3, 0.4])  # under the limit: unchanged


def test_clip_grad_norm_other_norms_and_nonfinite():
    params = _with_grads([1.0, -7.0], [2.0])
    assert nn.utils.clip_grad_norm_(params, 3.5, norm_type=math.inf).item() == pytest.approx(7.0)
    np.testing.assert_allclose(params[0].grad._array, [0.5, -3.5], rtol=1e-5)
    params = _with_grads([1.0, -2.0])
    assert nn.utils.clip_grad_norm_(params, 10, norm_type=1).item() == pytest.approx(3.0)
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(_with_grads([np.inf]), 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([nn.Parameter(tb.ones(1))], 1.0).item() == 0.0  # no grads


def test_clip_grad_value():
    params = _with_grads([-3.0, 0.5, 2.0])
    assert nn.utils.clip_grad_value_(params, 1.0) is None
    np.testing.assert_allclose(params[0].grad._array, [-1.0, 0.5, 1.0])


def test_one_hot():
    out = F.one_hot(tb.tensor([0, 2, 1]))
    assert out.dtype == tb.int64 and out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(tb.tensor([[1]]), 4).shape == (1, 1, 4)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(tb.tensor([3]), 2)
    with pytest.raises(RuntimeError, match="int64"):
        F.one_hot(tb.tensor([1.0]))
