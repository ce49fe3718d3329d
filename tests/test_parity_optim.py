"""optim against live PyTorch (make test-parity): every recorded configuration, random hyperparameters on
larger tensors, a gradient that depends on the weights, validation messages, state-dict layout and the
lr schedules."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity

GOLDEN = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("make_optim_golden", GOLDEN / "make_optim_golden.py")
gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gold)

TOL = {"float64": {"rtol": 1e-12, "atol": 1e-13}, "float32": {"rtol": 2e-5, "atol": 2e-6}}


def _betas(opts):
    return {k: tuple(v) if k == "betas" else v for k, v in opts.items()}


def ours_run(cfg, init, grads):
    dtype = gold.dtype_np(cfg)
    params = [tb.tensor(w.astype(dtype), requires_grad=True) for w in init]
    if "groups" in cfg:
        spec = [{"params": [params[i] for i in idx], **_betas(opts)} for idx, opts in cfg["groups"]]
    else:
        spec = params
    opt = getattr(tb.optim, cfg["optimizer"])(spec, **_betas(cfg["kwargs"]))
    traj = [np.empty((len(grads), *w.shape), dtype=dtype) for w in init]
    for t, gs in enumerate(grads):
        for i, p in enumerate(params):
            p.grad = tb.tensor(gs[i].astype(dtype)) if gold.has_grad(cfg, i, t + 1) else None
        opt.step()
        for i, p in enumerate(params):
            traj[i][t] = p.data
    state = {f"{index}/{key}": value.data for index, st in opt.state_dict()["state"].items()
             for key, value in st.items()}
    return traj, state


def compare(cfg, init, grads, label):
    theirs, their_state = gold.torch_run(cfg, init, grads)
    ours, our_state = ours_run(cfg, init, grads)
    tol = TOL[cfg.get("dtype", "float64")]
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, **tol, err_msg=f"{label}: parameter {i}")
    assert sorted(our_state) == sorted(their_state), label
    for key, value in their_state.items():
        assert our_state[key].dtype == value.dtype, f"{label}: {key}"
        np.testing.assert_allclose(our_state[key], value, **tol, err_msg=f"{label}: state {key}")


@pytest.mark.parametrize("name", sorted(gold.CONFIGS))
def test_recorded_configurations_live(name):
    pytest.importorskip("torch")
    init, grads = gold.initial_data()
    compare(gold.CONFIGS[name], init, grads, name)


def _random_config(rng, family):
    lr = float(rng.choice([1e-3, 0.01, 0.1]))
    wd = float(rng.choice([0.0, 0.0, 0.01, 0.3]))
    flag = lambda: bool(rng.integers(2))  # noqa: E731
    if family == "SGD":
        momentum = float(rng.choice([0.0, 0.5, 0.9, 0.99]))
        nesterov = momentum > 0 and flag()
        kwargs = {"lr": lr, "momentum": momentum, "weight_decay": wd, "nesterov": nesterov, "maximize": flag(),
                  "dampening": 0.0 if nesterov else float(rng.choice([0.0, 0.1, 0.9]))}
    elif family == "Adagrad":
        kwargs = {"lr": lr, "lr_decay": float(rng.choice([0.0, 0.1])), "weight_decay": wd,
                  "initial_accumulator_value": float(rng.choice([0.0, 0.1])), "eps": float(rng.choice([1e-10, 1e-3])),
                  "maximize": flag()}
    elif family == "RMSprop":
        kwargs = {"lr": lr, "alpha": float(rng.choice([0.5, 0.9, 0.99])), "eps": float(rng.choice([1e-8, 1e-3])),
                  "weight_decay": wd, "momentum": float(rng.choice([0.0, 0.9])), "centered": flag(),
                  "maximize": flag()}
    elif family == "Adadelta":
        kwargs = {"lr": float(rng.choice([0.1, 1.0])), "rho": float(rng.choice([0.0, 0.5, 0.9, 1.0])),
                  "eps": float(rng.choice([1e-6, 1e-3])), "weight_decay": wd, "maximize": flag()}
    elif family in ("Adamax", "NAdam", "RAdam"):
        kwargs = {"lr": lr, "betas": [float(rng.choice([0.0, 0.3, 0.9])), float(rng.choice([0.5, 0.9, 0.999]))],
                  "eps": float(rng.choice([1e-8, 1e-4])), "weight_decay": wd, "maximize": flag()}
        if family == "NAdam":
            kwargs["momentum_decay"] = float(rng.choice([0.0, 4e-3, 0.1]))
        if family != "Adamax":
            kwargs["decoupled_weight_decay"] = flag()
    else:
        kwargs = {"lr": lr, "betas": [float(rng.choice([0.0, 0.3, 0.9])), float(rng.choice([0.5, 0.999]))],
                  "eps": float(rng.choice([1e-8, 1e-4])), "weight_decay": wd, "amsgrad": flag(), "maximize": flag()}
    return {"optimizer": family, "kwargs": kwargs, "torch_optimizer": family, "torch_kwargs": kwargs}


@pytest.mark.parametrize("family", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam",
                                    "RAdam"])
def test_random_hyperparameters_and_large_tensors_live(family):
    pytest.importorskip("torch")
    rng = np.random.default_rng(sum(map(ord, family)))
    for trial in range(8):
        cfg = _random_config(rng, family)
        shapes = [(37, 29), (1000,), ()]
        init = [rng.standard_normal(s) for s in shapes]
        grads = [[rng.standard_normal(s) * rng.uniform(1e-3, 10) for s in shapes] for _ in range(20)]
        compare(cfg, init, grads, f"{family} trial {trial} {cfg['kwargs']}")


@pytest.mark.parametrize("name", ["SGD", "Momentum", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax",
                                  "NAdam", "RAdam"])
def test_gradient_that_depends_on_the_weights_live(name):
    # minimise ½θᵀAθ − bᵀθ with a closure: the gradient feeds back, so differences would compound
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    m = rng.standard_normal((8, 8))
    A, b, theta0 = m @ m.T / 8 + np.eye(8), rng.standard_normal(8), rng.standard_normal(8)
    kwargs = {"lr": 0.05}
    ours_cls = getattr(tb.optim, name)
    if name == "Momentum":
        torch_opt_cls, torch_kwargs = torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.9}
    else:
        torch_opt_cls, torch_kwargs = getattr(torch.optim, name), kwargs

    w = tb.tensor(theta0.copy(), requires_grad=True)
    A_t, b_t = tb.tensor(A), tb.tensor(b)
    opt = ours_cls([w], **kwargs)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (w @ (A_t @ w)) - b_t @ w
        loss.backward()
        return loss

    wt = torch.tensor(theta0.copy(), requires_grad=True)
    At, bt = torch.tensor(A), torch.tensor(b)
    topt = torch_opt_cls([wt], foreach=False, **torch_kwargs)

    def tclosure():
        topt.zero_grad()
        loss = 0.5 * (wt @ (At @ wt)) - bt @ wt
        loss.backward()
        return loss

    for _ in range(100):
        ours_loss, their_loss = opt.step(closure), topt.step(tclosure)
        np.testing.assert_allclose(ours_loss.item(), their_loss.item(), rtol=1e-11)
    np.testing.assert_allclose(w.data, wt.detach().numpy(), rtol=1e-10, atol=1e-12)


BAD = [
    ("SGD", {"lr": -0.1}), ("SGD", {"momentum": -1.0}), ("SGD", {"weight_decay": -0.5}),
    ("SGD", {"nesterov": True}), ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True}),
    ("Adagrad", {"lr": -1e-3}), ("Adagrad", {"lr_decay": -1.0}), ("Adagrad", {"weight_decay": -1.0}),
    ("Adagrad", {"initial_accumulator_value": -0.1}), ("Adagrad", {"eps": -1e-10}),
    ("RMSprop", {"lr": -0.1}), ("RMSprop", {"alpha": -0.5}), ("RMSprop", {"eps": -1.0}),
    ("RMSprop", {"momentum": -0.9}), ("RMSprop", {"weight_decay": -2.0}),
    ("Adam", {"lr": -0.1}), ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, 1.5)}), ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"lr": -0.1}), ("AdamW", {"betas": (-0.1, 0.999)}), ("AdamW", {"weight_decay": -0.1}),
    ("Adadelta", {"lr": -0.1}), ("Adadelta", {"rho": 1.01}), ("Adadelta", {"rho": -0.5}), ("Adadelta", {"eps": -1.0}),
    ("Adadelta", {"weight_decay": -0.1}),
    ("Adamax", {"lr": -0.1}), ("Adamax", {"eps": -1.0}), ("Adamax", {"betas": (1.0, 0.999)}),
    ("Adamax", {"betas": (0.9, -0.5)}), ("Adamax", {"weight_decay": -0.1}),
    ("NAdam", {"lr": -0.1}), ("NAdam", {"eps": -1.0}), ("NAdam", {"betas": (1.5, 0.999)}),
    ("NAdam", {"betas": (0.9, 1.0)}), ("NAdam", {"weight_decay": -0.1}), ("NAdam", {"momentum_decay": -4e-3}),
    ("RAdam", {"lr": -0.1}), ("RAdam", {"eps": -1.0}), ("RAdam", {"betas": (-0.1, 0.999)}),
    ("RAdam", {"betas": (0.9, 1.0)}), ("RAdam", {"weight_decay": -0.1}),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[f"{n}-{list(k)[-1]}" for n, k in BAD])
def test_validation_messages_match_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(tb.optim, name)([tb.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam",
                                  "RAdam"])
def test_defaults_and_state_dict_layout_match_pytorch(name):
    torch = pytest.importorskip("torch")
    torch_only = {"foreach", "differentiable", "fused", "capturable"}
    kwargs = {"lr": 0.1} if name == "SGD" else {}
    extra = {"SGD": {"momentum": 0.9}, "RMSprop": {"momentum": 0.9, "centered": True}, "Adam": {"amsgrad": True},
             "AdamW": {"amsgrad": True}, "Adagrad": {}, "Adadelta": {"rho": 0.5}, "Adamax": {"eps": 1e-3},
             "NAdam": {"decoupled_weight_decay": True}, "RAdam": {"decoupled_weight_decay": True}}[name]
    tp = [torch.zeros(3, dtype=torch.float64, requires_grad=True), torch.zeros(2, dtype=torch.float64,
                                                                               requires_grad=True)]
    op = [tb.zeros(3, dtype=tb.float64, requires_grad=True), tb.zeros(2, dtype=tb.float64, requires_grad=True)]
    topt = getattr(torch.optim, name)([{"params": tp[:1]}, {"params": tp[1:], **extra}], **kwargs)
    oopt = getattr(tb.optim, name)([{"params": op[:1]}, {"params": op[1:], **extra}], **kwargs)
    for p in tp:
        p.grad = torch.ones_like(p)
    for p in op:
        p.grad = tb.ones_like(p)
    topt.step()
    oopt.step()
    tsd, osd = topt.state_dict(), oopt.state_dict()
    for tg, og in zip(tsd["param_groups"], osd["param_groups"]):
        assert {k: v for k, v in tg.items() if k not in torch_only} == og
    assert sorted(tsd["state"]) == sorted(osd["state"])
    for i in tsd["state"]:
        assert sorted(tsd["state"][i]) == sorted(osd["state"][i])
        for key in ("step", "mu_product"):
            if key in tsd["state"][i]:
                assert str(tsd["state"][i][key].dtype).split(".")[-1] == str(osd["state"][i][key].dtype)
                assert tuple(tsd["state"][i][key].shape) == osd["state"][i][key].shape == ()


@pytest.mark.parametrize("name", sorted(gold.SCHEDULES))
def test_lr_schedules_live(name):
    torch = pytest.importorskip("torch")
    spec = gold.SCHEDULES[name]
    topt, tsched = gold.make_schedule(torch, spec)
    oopt, osched = gold.make_schedule(tb, spec)
    for epoch in range(spec.get("length", 60)):
        topt.step()
        oopt.step()
        gold.step_schedule(tsched, spec, epoch)
        gold.step_schedule(osched, spec, epoch)
        np.testing.assert_allclose(osched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12, atol=1e-15,
                                   err_msg=f"epoch {epoch}")
        np.testing.assert_allclose(gold.momenta(oopt), gold.momenta(topt), rtol=1e-12, atol=1e-15)
        assert osched.last_epoch == tsched.last_epoch
    _same_state(osched.state_dict(), tsched.state_dict(), name)
    # the optimizer's groups carry the same scheduler entries (initial_lr, max_lr, ...)
    for og, tg in zip(oopt.param_groups, topt.param_groups):
        assert set(og) - {"params"} <= set(tg), (sorted(og), sorted(tg))


def _same_state(ours, theirs, label):
    """Our scheduler state dict has a subset of torch's keys (torch adds private flags) with equal values."""
    assert set(ours) <= set(theirs), (label, sorted(set(ours) - set(theirs)))
    for key, value in ours.items():
        if key == "_schedulers":
            for a, b in zip(value, theirs[key]):
                _same_state(a, b, f"{label}/{key}")
        elif isinstance(value, float) or (isinstance(value, list) and value and isinstance(value[0], float)):
            np.testing.assert_allclose(value, theirs[key], rtol=1e-12, atol=1e-15, err_msg=f"{label}: {key}")
        else:
            assert value == theirs[key], (label, key)


@pytest.mark.parametrize("make, kwargs", [
    ("LinearLR", {"start_factor": 0.0}), ("LinearLR", {"start_factor": 1.5}), ("LinearLR", {"end_factor": -0.1}),
    ("LinearLR", {"end_factor": 2.0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}), ("CosineAnnealingWarmRestarts", {"T_0": 2.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 1.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "eta_min": "0"}),
    ("OneCycleLR", {"max_lr": 0.1}), ("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 2.5}),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 3}),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": -1}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}),
    ("OneCycleLR", {"max_lr": [0.1, 0.2, 0.3], "total_steps": 10}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "max_momentum": [0.9, 0.8]}),
])
def test_scheduler_validation_matches_pytorch(make, kwargs):
    torch = pytest.importorskip("torch")
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    oopt = tb.optim.SGD([tb.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim.lr_scheduler, make)(topt, **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(tb.optim.lr_scheduler, make)(oopt, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_one_cycle_without_momentum_and_stepping_past_the_end_match_pytorch():
    torch = pytest.importorskip("torch")
    tsched = torch.optim.lr_scheduler.OneCycleLR(torch.optim.Adagrad([torch.zeros(1, requires_grad=True)]),
                                                 max_lr=0.1, total_steps=3, cycle_momentum=False)
    osched = tb.optim.lr_scheduler.OneCycleLR(tb.optim.Adagrad([tb.zeros(1, requires_grad=True)]),
                                              max_lr=0.1, total_steps=3, cycle_momentum=False)
    for sched in (tsched, osched):
        sched.optimizer.step()
        for _ in range(3):
            sched.step()
    with pytest.raises(ValueError) as theirs:
        tsched.step()
    with pytest.raises(ValueError) as ours:
        osched.step()
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError) as theirs:
        torch.optim.lr_scheduler.OneCycleLR(torch.optim.Adagrad([torch.zeros(1, requires_grad=True)]), max_lr=0.1,
                                            total_steps=3)
    with pytest.raises(ValueError) as ours:
        tb.optim.lr_scheduler.OneCycleLR(tb.optim.Adagrad([tb.zeros(1, requires_grad=True)]), max_lr=0.1,
                                         total_steps=3)
    assert str(ours.value) == str(theirs.value)


def _sequential_errors(lib):
    """The ValueError messages of three bad SequentialLR constructions, and checks of two more."""
    opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
    other = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
    S = lib.optim.lr_scheduler
    cases = [
        lambda: S.SequentialLR(opt, [], []),
        lambda: S.SequentialLR(opt, [S.StepLR(opt, 2), S.ReduceLROnPlateau(opt)], [3]),
        lambda: S.SequentialLR(opt, [S.StepLR(opt, 2), S.ExponentialLR(opt, 0.9)], [3, 5]),
    ]
    got = []
    for case in cases:
        with pytest.raises(ValueError) as err:
            case()
        got.append(str(err.value))
    with pytest.raises(ValueError, match="same optimizer"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(other, 2)], [3])
    with pytest.raises(TypeError, match="at index 1 should have `optimizer`"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), object()], [3])
    return got


def test_sequential_lr_validation_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert _sequential_errors(tb) == _sequential_errors(torch)


@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "NAdam", "RAdam"])
def test_float64_default_dtype_keeps_float64_counters_like_torch(name):
    # with float64 as the default dtype PyTorch keeps `step` (and NAdam's mu_product) in float64
    torch = pytest.importorskip("torch")
    init, grads = gold.initial_data()
    cfg = {"optimizer": name, "kwargs": {"lr": 0.01}, "torch_optimizer": name, "torch_kwargs": {"lr": 0.01}}
    old_tb, old_torch = tb.get_default_dtype(), torch.get_default_dtype()
    tb.set_default_dtype(tb.float64)
    torch.set_default_dtype(torch.float64)
    try:
        compare(cfg, init, grads, f"{name} with float64 default")  # values and state dtypes
        _, state = ours_run(cfg, init, grads[:1])
        assert state["0/step"].dtype == np.float64
        if name == "NAdam":
            assert state["0/mu_product"].dtype == np.float64
    finally:
        tb.set_default_dtype(old_tb)
        torch.set_default_dtype(old_torch)
