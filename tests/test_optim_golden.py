"""Every optimizer and option against PyTorch 2.13.0's recorded 50-step trajectories (no torch needed).

The recordings come from tests/golden/make_optim_golden.py: fixed initial weights, a fixed gradient
sequence, the parameters after each step and the final state dict. We follow PyTorch's order of
floating-point operations; PyTorch fuses some multiply-adds (FMA) where NumPy rounds twice, so the
float64 results agree to a few units in the last place, not bit for bit.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb

GOLDEN = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("make_optim_golden", GOLDEN / "make_optim_golden.py")
gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gold)

DATA = dict(np.load(GOLDEN / "optim_trajectories.npz"))
_RECORDED = json.loads((GOLDEN / "optim_lr_schedules.json").read_text())
SCHEDULES, MOMENTA = _RECORDED["schedules"], _RECORDED["momenta"]

# float64: a few ulps of values of order 1 (measured worst case ~1e-15); float32: a few float32 ulps.
TOL = {"float64": {"rtol": 1e-12, "atol": 1e-13}, "float32": {"rtol": 2e-5, "atol": 2e-6}}


def _betas(opts):
    return {k: tuple(v) if k == "betas" else v for k, v in opts.items()}


def build(name):
    """Our optimizer for a recorded configuration, on fresh parameters at the recorded initial weights."""
    cfg = gold.CONFIGS[name]
    dtype = gold.dtype_np(cfg)
    params = [tb.tensor(DATA[f"init/{i}"].astype(dtype), requires_grad=True) for i in range(len(gold.SHAPES))]
    if "groups" in cfg:
        spec = [{"params": [params[i] for i in idx], **_betas(opts)} for idx, opts in cfg["groups"]]
    else:
        spec = params
    opt = getattr(tb.optim, cfg["optimizer"])(spec, **_betas(cfg["kwargs"]))
    return cfg, params, opt


def set_grads(cfg, params, t):
    dtype = gold.dtype_np(cfg)
    for i, p in enumerate(params):
        g = DATA[f"grad/{t}/{i}"].astype(dtype)
        p.grad = tb.tensor(g) if gold.has_grad(cfg, i, t + 1) else None


def run(name):
    """Our 50-step trajectory: a list per parameter of arrays of shape (50, *shape)."""
    cfg, params, opt = build(name)
    traj = [np.empty((gold.STEPS, *s), dtype=gold.dtype_np(cfg)) for s in gold.SHAPES]
    for t in range(gold.STEPS):
        set_grads(cfg, params, t)
        opt.step()
        for i, p in enumerate(params):
            traj[i][t] = p.data
    return opt, traj


@pytest.mark.parametrize("name", sorted(gold.CONFIGS))
def test_trajectory_matches_pytorch(name):
    cfg = gold.CONFIGS[name]
    opt, traj = run(name)
    tol = TOL[cfg.get("dtype", "float64")]
    for i in range(len(gold.SHAPES)):
        expected = DATA[f"{name}/traj/{i}"]
        assert traj[i].dtype == expected.dtype
        np.testing.assert_allclose(traj[i], expected, **tol, err_msg=f"{name}, parameter {i}")
    # the parameters moved (a broken step that did nothing would fail above too, but say it plainly)
    assert not np.array_equal(traj[0][-1], DATA["init/0"].astype(traj[0].dtype))


@pytest.mark.parametrize("name", sorted(gold.CONFIGS))
def test_final_state_matches_pytorch(name):
    cfg = gold.CONFIGS[name]
    opt, _ = run(name)
    sd = opt.state_dict()
    recorded = {}
    for key in DATA:
        if key.startswith(f"{name}/state/"):
            index, buf = key[len(name) + 7:].split("/")
            recorded.setdefault(int(index), {})[buf] = DATA[key]
    assert sorted(sd["state"]) == sorted(recorded)
    tol = TOL[cfg.get("dtype", "float64")]
    for index, bufs in recorded.items():
        ours = sd["state"][index]
        assert sorted(ours) == sorted(bufs), f"{name}: state names of parameter {index}"
        for buf, expected in bufs.items():
            value = ours[buf].data
            assert value.dtype == expected.dtype, f"{name}: dtype of {buf}"
            if buf == "step":
                assert value.shape == () and value == expected
            else:
                np.testing.assert_allclose(value, expected, **tol, err_msg=f"{name}: {buf} of parameter {index}")


def test_golden_file_covers_every_optimizer_and_option():
    covered = {cfg["optimizer"] for cfg in gold.CONFIGS.values()}
    assert covered == {"SGD", "Momentum", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam"}
    options = set()
    for cfg in gold.CONFIGS.values():
        options |= set(cfg["kwargs"])
        options |= {k for _, opts in cfg.get("groups", []) for k in opts}
    assert {"momentum", "dampening", "nesterov", "weight_decay", "maximize", "lr_decay",
            "initial_accumulator_value", "centered", "amsgrad", "betas", "alpha", "eps", "rho", "momentum_decay",
            "decoupled_weight_decay"} <= options
    for family in ("Adadelta", "Adamax", "NAdam", "RAdam"):
        kinds = {"float32" if cfg.get("dtype") else "groups" if "groups" in cfg else "plain"
                 for cfg in gold.CONFIGS.values() if cfg["optimizer"] == family}
        assert kinds == {"float32", "groups", "plain"}, family
    assert any("groups" in cfg for cfg in gold.CONFIGS.values())
    assert any("none_every" in cfg for cfg in gold.CONFIGS.values())


@pytest.mark.parametrize("name", sorted(gold.SCHEDULES))
def test_lr_schedule_matches_pytorch(name):
    spec = gold.SCHEDULES[name]
    opt, sched = gold.make_schedule(tb, spec)
    lrs, moms = [list(sched.get_last_lr())], [gold.momenta(opt)]
    for epoch in range(gold.EPOCHS):
        opt.step()
        gold.step_schedule(sched, spec, epoch)
        lrs.append(list(sched.get_last_lr()))
        moms.append(gold.momenta(opt))
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    # the same formulas in the same order as PyTorch's Python code: equal to the last few ulps
    np.testing.assert_allclose(lrs, SCHEDULES[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(moms, MOMENTA[name], rtol=1e-12, atol=1e-15)


def test_golden_schedules_cover_every_scheduler():
    covered = {spec["scheduler"] for spec in gold.SCHEDULES.values()}
    assert covered == set(tb.optim.lr_scheduler.__all__) - {"LRScheduler"}
    # the recorded momenta really move for OneCycleLR (SGD's momentum and Adam's beta1)
    for name in ("onecycle", "onecycle_adam_betas"):
        assert len({m[0] for m in MOMENTA[name]}) > 10
