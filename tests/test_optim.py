"""Optimizer behaviour: construction and validation, param groups, stepping, zero_grad, closures, state dicts,
Momentum as damped SGD, and closed-form cases from the tutorial (sections 2.4.1-2.4.5)."""

import re

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import optim

ALL = [
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.Momentum, {"lr": 0.1, "beta": 0.9}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (optim.Adam, {"lr": 0.01, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.01}),
    (optim.Adadelta, {"lr": 0.5, "weight_decay": 0.01}),
    (optim.Adamax, {"lr": 0.01}),
    (optim.NAdam, {"lr": 0.01, "weight_decay": 0.01}),
    (optim.RAdam, {"lr": 0.01, "weight_decay": 0.01, "decoupled_weight_decay": True}),
]
IDS = [cls.__name__ for cls, _ in ALL]


def params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [tb.tensor(rng.standard_normal((3, 4)).astype(dtype), requires_grad=True),
            tb.tensor(rng.standard_normal(4).astype(dtype), requires_grad=True)]


def grad_sequence(n, seed=1, shapes=((3, 4), (4,))):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) for s in shapes] for _ in range(n)]


def run(opt, ps, grads):
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = None if g is None else tb.tensor(g.astype(p._array.dtype))
        opt.step()


# ---- construction and validation ----------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.Momentum(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.Momentum(p, beta=1.0), "Invalid beta value: 1.0"),
    (lambda p: optim.Adagrad(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda p: optim.Adagrad(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (lambda p: optim.Adagrad(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: optim.RMSprop(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
    (lambda p: optim.RMSprop(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: optim.RMSprop(p, momentum=-1), "Invalid momentum value: -1"),
    (lambda p: optim.RMSprop(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.Adam(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.Adam(p, betas=(1.5, 0.999)), "Invalid beta parameter at index 0: 1.5"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda p: optim.Adam(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.AdamW(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.AdamW(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adadelta(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.Adadelta(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: optim.Adadelta(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.Adamax(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.Adamax(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adamax(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: optim.NAdam(p, betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (lambda p: optim.NAdam(p, momentum_decay=-0.1), "Invalid momentum_decay value: -0.1"),
    (lambda p: optim.NAdam(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.RAdam(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.RAdam(p, betas=(-0.1, 0.9)), "Invalid beta parameter at index 0: -0.1"),
    (lambda p: optim.RAdam(p, eps=-1), "Invalid epsilon value: -1"),
])
def test_invalid_hyperparameters_raise_pytorchs_message(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make(params())


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_empty_parameter_list_is_refused(cls, kwargs):
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        cls([], **kwargs)


def test_params_must_be_an_iterable_of_leaf_tensors():
    w = tb.zeros(3, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([w, 3.0], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)


@pytest.mark.parametrize("cls, kwargs", [
    (optim.SGD, {"lr": 0.1}), (optim.Momentum, {}), (optim.Adagrad, {}), (optim.RMSprop, {}), (optim.Adam, {}),
    (optim.AdamW, {}), (optim.Adadelta, {}), (optim.Adamax, {}), (optim.NAdam, {}), (optim.RAdam, {})], ids=IDS)
def test_defaults_are_pytorchs(cls, kwargs):
    group = cls(params(), **kwargs).param_groups[0]
    expected = {
        optim.SGD: {"lr": 0.1, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
                    "maximize": False},
        optim.Momentum: {"lr": 0.01, "beta": 0.9},
        optim.Adagrad: {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0,
                        "eps": 1e-10, "maximize": False},
        optim.RMSprop: {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0,
                        "centered": False, "maximize": False},
        optim.Adam: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False,
                     "maximize": False, "decoupled_weight_decay": False},
        optim.AdamW: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False,
                      "maximize": False, "decoupled_weight_decay": True},
        optim.Adadelta: {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0, "maximize": False},
        optim.Adamax: {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "maximize": False},
        optim.NAdam: {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "momentum_decay": 4e-3,
                      "decoupled_weight_decay": False, "maximize": False},
        optim.RAdam: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                      "decoupled_weight_decay": False, "maximize": False},
    }[cls]
    assert {k: v for k, v in group.items() if k != "params"} == expected
    assert optim.SGD(params()).param_groups[0]["lr"] == 1e-3


# ---- param groups ------------------------------------------------------------------------------------------

def test_param_groups_take_missing_options_from_the_defaults():
    w, b = params()
    opt = optim.SGD([{"params": [w], "lr": 0.5}, {"params": b}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["momentum"] == 0.9
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["params"] == [b]
    w.grad, b.grad = tb.ones(3, 4, dtype=tb.float64), tb.ones(4, dtype=tb.float64)
    w0, b0 = w._array.copy(), b._array.copy()
    opt.step()
    np.testing.assert_array_equal(w._array, w0 - 0.5)
    np.testing.assert_array_equal(b._array, b0 - 0.1)


def test_add_param_group_refuses_a_parameter_already_in_a_group():
    w, b = params()
    opt = optim.Adam([w], lr=0.01)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [b, w]})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    b.grad = tb.ones(4, dtype=tb.float64)
    b0 = b._array.copy()
    opt.step()
    assert not np.array_equal(b._array, b0)  # the added group is updated
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])


def test_named_parameters_are_accepted_and_names_kept():
    w, b = params()
    opt = optim.SGD([("w", w), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [w, b]
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


# ---- stepping ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_parameters_without_grad_are_skipped(cls, kwargs):
    w, b = params()
    opt = cls([w, b], **kwargs)
    b0 = b._array.copy()
    state_before = opt.state_dict()["state"]
    w.grad = tb.tensor(np.ones((3, 4)))
    opt.step()
    np.testing.assert_array_equal(b._array, b0)
    assert not np.array_equal(w._array, params()[0]._array)
    after = opt.state_dict()["state"]
    # b's state is as it was (absent, or Adagrad's eager initial state with step 0)
    if 1 in state_before:
        assert float(after[1]["step"].item()) == 0.0
    else:
        assert 1 not in after


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_step_updates_in_place_without_recording_a_graph(cls, kwargs):
    w, b = params()
    opt = cls([w, b], **kwargs)
    array, version = w._array, w._version
    run(opt, [w, b], grad_sequence(2))
    assert w._array is array  # same array, changed in place
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    assert w._version > version


def test_step_after_forward_is_detected_at_backward():
    w = tb.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (w * w).sum()  # saves w for backward
    w.grad = tb.tensor(np.array([1.0, 1.0]))
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_step_returns_the_closures_loss_computed_with_grad_enabled():
    w = tb.tensor(np.array([3.0, -1.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.25)
    seen = []

    def closure():
        seen.append(tb.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step() is None
    with tb.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 10.0
    np.testing.assert_array_equal(w._array, [1.5, -0.5])  # w - 0.25 * 2w


def test_zero_grad_sets_to_none_or_zeros_in_place():
    w, b = params()
    opt = optim.SGD([w, b], lr=0.1)
    w.grad = tb.tensor(np.ones((3, 4)))
    opt.zero_grad()
    assert w.grad is None and b.grad is None
    w.grad = tb.tensor(np.ones((3, 4)))
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and np.array_equal(g._array, np.zeros((3, 4)))
    assert b.grad is None


def test_gradients_accumulate_until_zero_grad():
    w = tb.tensor(np.array([1.0]), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    (w * 2).sum().backward()
    (w * 3).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w._array, [1.0 - 5.0])


def test_state_is_keyed_by_parameter_with_pytorchs_names():
    w, b = params()
    opt = optim.Adam([w, b], lr=0.01)
    w.grad = tb.tensor(np.ones((3, 4)))
    opt.step()
    assert list(opt.state) == [w]
    assert set(opt.state[w]) == {"step", "exp_avg", "exp_avg_sq"}
    step = opt.state[w]["step"]
    assert isinstance(step, tb.Tensor) and step.shape == () and step.dtype == tb.float32 and step.item() == 1.0
    assert opt.state[w]["exp_avg"].dtype == tb.float64


def test_adagrad_state_exists_before_the_first_step():
    w, b = params()
    opt = optim.Adagrad([w, b], initial_accumulator_value=0.25)
    assert set(opt.state) == {w, b}
    np.testing.assert_array_equal(opt.state[b]["sum"]._array, np.full(4, 0.25))
    assert opt.state[b]["step"].item() == 0.0


def test_float32_parameters_stay_float32():
    ps = params(dtype=np.float32)
    for cls, kwargs in ALL:
        opt = cls(ps, **kwargs)
        run(opt, ps, grad_sequence(3))
        assert all(p._array.dtype == np.float32 for p in ps)
        assert all(v.dtype == np.float32 for st in opt.state.values() for k, v in st.items() if k != "step")


@pytest.mark.parametrize("cls, kwargs", ALL + [(c, {**k, "maximize": True}) for c, k in ALL if c is not optim.Momentum],
                         ids=IDS + [c.__name__ + "-maximize" for c, _ in ALL if c is not optim.Momentum])
def test_gradients_are_not_modified_by_the_step(cls, kwargs):
    w, b = params()
    opt = cls([w, b], **kwargs)
    g = np.linspace(-1, 1, 12).reshape(3, 4)
    w.grad = tb.tensor(g.copy())
    opt.step()
    opt.step()
    np.testing.assert_array_equal(w.grad._array, g)


# ---- Momentum: v₁ = g₁, vₜ = β·vₜ₋₁ + (1 - β)·gₜ, θ ← θ - lr·vₜ, computed here independently with NumPy -------

@pytest.mark.parametrize("lr, beta", [(0.1, 0.9), (0.05, 0.8)])
def test_momentum_is_the_tutorials_formula_with_v1_equal_to_g1(lr, beta):
    grads = grad_sequence(20)
    ps = params()
    opt = optim.Momentum(ps, lr=lr, beta=beta)
    theta = [p._array.copy() for p in ps]
    v = None
    for t, gs in enumerate(grads):
        run(opt, ps, [gs])
        v = [g.copy() for g in gs] if v is None else [beta * vi + (1 - beta) * g for vi, g in zip(v, gs)]
        theta = [th - lr * vi for th, vi in zip(theta, v)]
        if t == 0:
            np.testing.assert_array_equal(opt.state[ps[0]]["momentum_buffer"]._array, gs[0])
        for p, th in zip(ps, theta):
            np.testing.assert_allclose(p._array, th, rtol=1e-13, atol=1e-14)


# ---- closed-form cases from the tutorial ---------------------------------------------------------------------

def test_adam_first_step_moves_each_weight_by_about_lr_times_sign_of_gradient():
    g = np.array([1e-3, -0.5, 2.0, -300.0, 7e4])
    w = tb.tensor(np.zeros(5), requires_grad=True)
    opt = optim.Adam([w], lr=0.01)
    w.grad = tb.tensor(g)
    opt.step()
    # m̂1 = g, v̂1 = g², so the step is lr·g / (|g| + ε): lr·sign(g) whatever the gradient's size
    np.testing.assert_allclose(w._array, -0.01 * np.sign(g), rtol=1e-5)
    np.testing.assert_allclose(w._array, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-14)


def test_adagrad_step_decays_like_one_over_sqrt_t_under_a_constant_gradient():
    lr, g = 0.1, np.array([0.5, -2.0, 10.0])
    w = tb.tensor(np.zeros(3), requires_grad=True)
    opt = optim.Adagrad([w], lr=lr)
    steps = []
    for _ in range(50):
        before = w._array.copy()
        w.grad = tb.tensor(g)
        opt.step()
        steps.append(w._array - before)
    steps = np.array(steps)
    t = np.arange(1, 51)[:, None]
    # G_t = t·g², so the step is lr·g / (√t·|g| + ε) = lr·sign(g)/√t: shrinking, as the tutorial warns
    np.testing.assert_allclose(steps, -lr * np.sign(g) / np.sqrt(t), rtol=1e-9)
    assert np.all(np.abs(steps[1:]) < np.abs(steps[:-1]))
    assert abs(steps[-1][0]) < 0.15 * abs(steps[0][0])


def test_rmsprop_step_settles_under_a_constant_gradient_unlike_adagrad():
    lr, alpha, g = 0.01, 0.9, np.array([0.5, -2.0])
    w = tb.tensor(np.zeros(2), requires_grad=True)
    opt = optim.RMSprop([w], lr=lr, alpha=alpha)
    steps = []
    for _ in range(100):
        before = w._array.copy()
        w.grad = tb.tensor(g)
        opt.step()
        steps.append(w._array - before)
    t = np.arange(1, 101)[:, None]
    # s_t = (1 − α^t)·g², no bias correction: the step starts at lr/√(1−α) and settles at lr
    expected = -lr * g / (np.sqrt((1 - alpha**t) * g**2) + 1e-8)
    np.testing.assert_allclose(np.array(steps), expected, rtol=1e-9)
    np.testing.assert_allclose(np.abs(steps[-1]), lr, rtol=1e-4)
    assert np.all(np.abs(steps[0]) > 3 * lr)


def test_epsilon_is_outside_the_square_root_as_in_pytorch():
    g = np.array([1e-6])
    for cls, kwargs, eps in [(optim.Adagrad, {"lr": 1.0, "eps": 1e-10}, 1e-10),
                             (optim.RMSprop, {"lr": 1.0, "alpha": 0.0, "eps": 1e-10}, 1e-10)]:
        w = tb.tensor(np.zeros(1), requires_grad=True)
        opt = cls([w], **kwargs)
        w.grad = tb.tensor(g)
        opt.step()
        np.testing.assert_allclose(w._array, -g / (np.abs(g) + eps), rtol=1e-14)  # PyTorch: √G + ε
        assert not np.allclose(w._array, -g / np.sqrt(g**2 + eps), rtol=1e-3)  # tutorial: √(G + ε)


def test_bias_correction_first_moment_expectation_is_one_minus_beta_to_the_t_times_mu():
    # E[m_t] = (1 − β^t)·μ for gradients with mean μ; m̂_t = m_t/(1 − β^t) is unbiased. Each of the
    # 200,000 elements of one parameter is an independent run; Adam's state holds m_t.
    n, mu, beta1 = 200_000, 0.7, 0.9
    rng = np.random.default_rng(5)
    w = tb.tensor(np.zeros(n), requires_grad=True)
    opt = optim.Adam([w], lr=0.0, betas=(beta1, 0.999))
    for t in range(1, 11):
        w.grad = tb.tensor(rng.normal(mu, 1.0, n))
        opt.step()
        m = opt.state[w]["exp_avg"]._array
        assert abs(m.mean() - (1 - beta1**t) * mu) < 0.01
        assert abs(m.mean() / (1 - beta1**t) - mu) < 0.02
    assert abs(opt.state[w]["exp_avg"]._array.mean() - mu) > 0.2  # uncorrected m_10 is still far from μ


def test_sgd_weight_decay_and_maximize_formulas():
    w = tb.tensor(np.array([2.0, -4.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, weight_decay=0.5, maximize=True)
    w.grad = tb.tensor(np.array([1.0, 1.0]))
    opt.step()
    # g = −grad + λ·θ = [0, −3];  θ − lr·g
    np.testing.assert_allclose(w._array, [2.0, -3.7], rtol=1e-15)


def test_adamw_decays_weights_without_touching_the_moments():
    w = tb.tensor(np.array([1.0, -1.0]), requires_grad=True)
    opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = tb.tensor(np.array([0.0, 0.0]))
    opt.step()
    np.testing.assert_allclose(w._array, [0.95, -0.95], rtol=1e-15)  # θ·(1 − lr·λ); m = v = 0
    assert not opt.state[w]["exp_avg"]._array.any()


# ---- state_dict / load_state_dict --------------------------------------------------------------------------

def test_state_dict_layout_is_pytorchs():
    w, b, c = params() + [tb.tensor(np.zeros(2), requires_grad=True)]
    opt = optim.Adam([{"params": [w]}, {"params": [b, c], "lr": 0.1}], lr=0.01)
    run(opt, [w, b, c], [[np.ones((3, 4)), np.ones(4), None]] * 2)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1, 2]]
    assert sd["param_groups"][1]["lr"] == 0.1 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 1]  # c never had a gradient
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][0]["step"].item() == 2.0 and sd["state"][0]["step"].dtype == tb.float32
    assert optim.SGD([w], lr=0.1).state_dict()["state"] == {}


def test_state_dict_is_a_snapshot():
    w, b = params()
    opt = optim.Adam([w, b], lr=0.01)
    run(opt, [w, b], grad_sequence(2))
    sd = opt.state_dict()
    saved = sd["state"][0]["exp_avg"]._array.copy()
    run(opt, [w, b], grad_sequence(2, seed=9))
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"]._array, saved)
    assert sd["state"][0]["step"].item() == 2.0


@pytest.mark.parametrize("through_file", [False, True])
@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_resumed_training_continues_bit_for_bit(cls, kwargs, through_file, tmp_path):
    grads = grad_sequence(10)
    a = params()
    opt_a = cls(a, **kwargs)
    run(opt_a, a, grads[:5])
    sd = opt_a.state_dict()
    weights = [p._array.copy() for p in a]
    if through_file:
        tb.save({"optimizer": sd, "weights": weights}, tmp_path / "ckpt.npz")
        ckpt = tb.load(tmp_path / "ckpt.npz")
        sd, weights = ckpt["optimizer"], ckpt["weights"]
    run(opt_a, a, grads[5:])

    b = [tb.tensor(np.asarray(wt), requires_grad=True) for wt in weights]
    opt_b = cls(b, lr=123.0)  # options come from the state dict
    opt_b.load_state_dict(sd)
    assert opt_b.param_groups[0]["lr"] == kwargs.get("lr", 0.01)
    run(opt_b, b, grads[5:])
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa._array, pb._array)


def _snapshot(opt):
    sd = opt.state_dict()
    return sd, {i: {k: v._array.copy() for k, v in st.items()} for i, st in sd["state"].items()}


@pytest.mark.parametrize("corrupt, message", [
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), "different number of parameter groups"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "doesn't match the size"),
    (lambda sd: sd["state"][0].update(exp_avg=tb.zeros(5, dtype=tb.float64)), "has shape"),
    (lambda sd: sd["state"][0].pop("exp_avg_sq"), "expects"),
    (lambda sd: sd["state"].update({7: {}}), "in no group"),
    (lambda sd: sd["param_groups"][0].pop("betas"), "betas"),
    (lambda sd: sd.pop("state"), "'state'"),
])
def test_mismatched_state_dict_raises_and_changes_nothing(corrupt, message):
    w, b = params()
    opt = optim.Adam([w, b], lr=0.01)
    run(opt, [w, b], grad_sequence(2))
    good = opt.state_dict()
    other = optim.Adam(params(3), lr=0.5)
    run(other, other.param_groups[0]["params"], grad_sequence(3, seed=4))
    bad = other.state_dict()
    corrupt(bad)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(bad)
    sd, bufs = _snapshot(opt)
    assert sd["param_groups"] == good["param_groups"]
    for i, st in good["state"].items():
        for k, v in st.items():
            np.testing.assert_array_equal(bufs[i][k], v._array)


def test_state_dict_of_another_optimizer_is_refused():
    w, b = params()
    sgd = optim.SGD([w, b], lr=0.1, momentum=0.9)
    run(sgd, [w, b], grad_sequence(1))
    adam = optim.Adam([w, b])
    with pytest.raises(ValueError):
        adam.load_state_dict(sgd.state_dict())
    assert len(adam.state) == 0


def test_loaded_buffers_are_copies_cast_to_the_parameters_dtype():
    a = params()
    opt = optim.Adam(a, lr=0.01)
    run(opt, a, grad_sequence(2))
    sd = opt.state_dict()
    b = params(dtype=np.float32)
    opt32 = optim.Adam(b)
    opt32.load_state_dict(sd)
    assert opt32.state[b[0]]["exp_avg"].dtype == tb.float32
    assert opt32.state[b[0]]["step"].dtype == tb.float32
    opt32.state[b[0]]["exp_avg"]._array[...] = 0
    assert sd["state"][0]["exp_avg"]._array.any()


def test_repr_lists_each_group():
    text = repr(optim.SGD(params(), lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9\n" in text


# ---- ema ---------------------------------------------------------------------------------------------------

def test_ema_tutorial_examples():
    x = [1, 2, 3, 4, 5]
    out = optim.ema(x, 0.1)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [1, 1.9, 2.89, 3.889, 4.8889], rtol=1e-15)
    np.testing.assert_allclose(optim.ema(x, 0.9), [1, 1.1, 1.29, 1.561, 1.9049], rtol=1e-15)


def test_ema_accepts_arrays_and_tensors_and_validates_beta():
    x = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(optim.ema(x, 0.5), [[0, 1], [1, 2], [2.5, 3.5]])
    np.testing.assert_allclose(optim.ema(tb.tensor([1.0, 3.0]), 0.5), [1.0, 2.0])
    with pytest.raises(ValueError, match="beta"):
        optim.ema([1.0], 1.0)
    with pytest.raises(ValueError, match="non-empty"):
        optim.ema([], 0.5)


def test_ema_is_the_weighted_sum_of_the_tutorials_derivation():
    # v_t = β^t·x_0 + (1 − β)·Σ_{i=1..t} β^(t−i)·x_i
    rng = np.random.default_rng(2)
    x, beta = rng.standard_normal(12), 0.7
    t = len(x) - 1
    closed = beta**t * x[0] + (1 - beta) * sum(beta ** (t - i) * x[i] for i in range(1, t + 1))
    np.testing.assert_allclose(optim.ema(x, beta)[-1], closed, rtol=1e-13)


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_zero_dimensional_parameters_update_like_one_element_ones(cls, kwargs):
    grads = [[np.array(g)] for g in np.random.default_rng(3).standard_normal(6)]
    scalar = [tb.tensor(np.array(0.5), requires_grad=True)]
    vector = [tb.tensor(np.array([0.5]), requires_grad=True)]
    run(cls(scalar, **kwargs), scalar, grads)
    run(cls(vector, **kwargs), vector, [[g.reshape(1)] for (g,) in grads])
    assert scalar[0].shape == () and isinstance(scalar[0]._array, np.ndarray)
    np.testing.assert_array_equal(scalar[0]._array.reshape(1), vector[0]._array)


# ---- Adadelta, Adamax, NAdam, RAdam: closed-form cases ------------------------------------------------------

def test_adadelta_first_step_is_sqrt_eps_over_rms_of_the_gradient():
    g = np.array([0.5, -2.0, 3.0])
    w = tb.tensor(np.zeros(3), requires_grad=True)
    opt = optim.Adadelta([w], lr=0.7, rho=0.8, eps=1e-4)
    w.grad = tb.tensor(g)
    opt.step()
    delta = np.sqrt(1e-4) / np.sqrt(0.2 * g**2 + 1e-4) * g
    np.testing.assert_allclose(w._array, -0.7 * delta, rtol=1e-14)
    np.testing.assert_allclose(opt.state[w]["acc_delta"]._array, 0.2 * delta**2, rtol=1e-14)
    assert sorted(opt.state[w]) == ["acc_delta", "square_avg", "step"]


def test_adamax_moves_each_weight_by_lr_times_sign_under_a_constant_gradient():
    g = np.array([0.5, -2.0, 3.0, -1e-3])
    w = tb.tensor(np.zeros(4), requires_grad=True)
    opt = optim.Adamax([w], lr=0.01, eps=0.0)
    for t in range(1, 6):
        w.grad = tb.tensor(g)
        opt.step()
        # m = (1 - β₁ᵗ)·g and u = |g| (max of decayed |g| and |g|), so each step is exactly lr·sign(g)
        np.testing.assert_allclose(w._array, -0.01 * t * np.sign(g), rtol=1e-12)
    np.testing.assert_allclose(opt.state[w]["exp_inf"]._array, np.abs(g), rtol=0)


def test_nadam_mu_product_is_the_product_of_the_momentum_schedule_in_float32():
    w = tb.tensor(np.zeros(2), requires_grad=True)
    opt = optim.NAdam([w], momentum_decay=0.05)
    for _ in range(7):
        w.grad = tb.ones(2, dtype=tb.float64)
        opt.step()
    mus = [0.9 * (1 - 0.5 * 0.96 ** (t * 0.05)) for t in range(1, 8)]
    mu_product = opt.state[w]["mu_product"]
    assert mu_product.dtype == tb.float32 and mu_product.shape == ()
    np.testing.assert_allclose(mu_product.item(), np.prod(mus), rtol=1e-6)


def test_nadam_first_step_formula():
    g = np.array([0.3, -1.2])
    w = tb.tensor(np.zeros(2), requires_grad=True)
    lr, b1, b2, psi = 0.01, 0.9, 0.999, 4e-3
    opt = optim.NAdam([w], lr=lr, betas=(b1, b2), momentum_decay=psi)
    w.grad = tb.tensor(g)
    opt.step()
    mu1, mu2 = (b1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in (1, 2))
    denom = np.abs(g) + 1e-8  # √(v / (1 − β₂)) = |g| after one step
    m = (1 - b1) * g
    expected = -lr * (1 - mu1) / (1 - mu1) * g / denom - lr * mu2 / (1 - mu1 * mu2) * m / denom
    np.testing.assert_allclose(w._array, expected, rtol=1e-6)  # mu_product is float32, as in PyTorch


def test_radam_takes_momentum_steps_until_the_variance_is_tractable():
    # β₂ = 0.999: ρ∞ ≈ 1999, ρₜ ≤ 5 for t ≤ 5 (bias-corrected momentum only), then rectified Adam steps
    g = np.array([0.5, -2.0])
    w = tb.tensor(np.zeros(2), requires_grad=True)
    opt = optim.RAdam([w], lr=0.01)
    positions = []
    for _ in range(7):
        w.grad = tb.tensor(g)
        opt.step()
        positions.append(w._array.copy())
    steps = np.diff(np.concatenate([np.zeros((1, 2)), positions]), axis=0)
    np.testing.assert_allclose(steps[:5], np.tile(-0.01 * g, (5, 1)), rtol=1e-12)  # m̂ = g for a constant g
    b2, t = 0.999, 6
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
    rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    np.testing.assert_allclose(steps[5], -0.01 * rect * np.sign(g), rtol=1e-6)  # √v̂ = |g|


def test_nadam_mu_product_keeps_its_dtype_and_shape_through_load_state_dict():
    a = params()
    opt = optim.NAdam(a, lr=0.01)
    run(opt, a, grad_sequence(3))
    sd = opt.state_dict()
    other = optim.NAdam(params(dtype=np.float32), lr=0.01)
    other.load_state_dict(sd)
    loaded = other.state[other.param_groups[0]["params"][0]]
    assert loaded["mu_product"].dtype == tb.float32 and loaded["mu_product"].shape == ()
    assert loaded["exp_avg"].dtype == tb.float32
    sd["state"][0]["mu_product"] = tb.ones(2)
    with pytest.raises(ValueError, match="'mu_product' has shape"):
        other.load_state_dict(sd)
