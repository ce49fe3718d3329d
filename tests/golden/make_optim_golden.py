"""Record PyTorch's optimizer trajectories and lr schedules for tests/test_optim_golden.py.

Run by hand (needs torch==2.13.0) from the repository root:

    .venv/bin/python tests/golden/make_optim_golden.py

Writes tests/golden/optim_trajectories.npz (float64 and float32 parameter values after each of 50 steps,
and the final optimizer state, for every optimizer and option) and tests/golden/optim_lr_schedules.json
(the lr and the momentum of every param group over 30 epochs for every scheduler). Both start from fixed initial weights
and a fixed gradient sequence, stored in the same file, so the tests need neither torch nor this script.
The configurations themselves (CONFIGS, SCHEDULES, LAMBDAS) and the helpers that build and step a schedule
for torch or for tinygrad_bp (make_schedule, step_schedule) are imported by the tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TRAJ_FILE = HERE / "optim_trajectories.npz"
SCHED_FILE = HERE / "optim_lr_schedules.json"

STEPS = 50
EPOCHS = 30
SHAPES = [(4, 5), (3,)]  # 20 elements (NumPy/PyTorch vector loops) and 3 (their scalar tails)

# name -> (our optimizer, our kwargs, torch optimizer, torch kwargs, options)
# options: "groups" = list of (param indices, group options); "none_every" = k: parameter 1 has no
# gradient on steps where step % k == 1 (it must be skipped); "dtype" = "float32" for a float32 run.
CONFIGS: dict[str, dict] = {}


def _add(name: str, ours: str, kwargs: dict, torch_name: str | None = None, torch_kwargs: dict | None = None,
         **options: object) -> None:
    CONFIGS[name] = {
        "optimizer": ours,
        "kwargs": kwargs,
        "torch_optimizer": torch_name or ours,
        "torch_kwargs": dict(kwargs) if torch_kwargs is None else torch_kwargs,
        **options,
    }


_add("sgd", "SGD", {"lr": 0.1})
_add("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9})
_add("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5})
_add("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True})
_add("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.1})
_add("sgd_maximize", "SGD", {"lr": 0.1, "maximize": True})
_add("sgd_all", "SGD", {"lr": 0.03, "momentum": 0.8, "weight_decay": 0.05, "nesterov": True, "maximize": True})
_add("sgd_groups", "SGD", {"lr": 0.01},
     groups=[([0], {"lr": 0.1, "momentum": 0.9}), ([1], {"weight_decay": 0.2})])
_add("sgd_momentum_none_grad", "SGD", {"lr": 0.05, "momentum": 0.9}, none_every=3)
_add("sgd_default_lr", "SGD", {})
_add("momentum", "Momentum", {"lr": 0.1, "beta": 0.9}, "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.9})
_add("momentum_default", "Momentum", {}, "SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.9})
_add("momentum_beta_half", "Momentum", {"lr": 0.2, "beta": 0.5}, "SGD",
     {"lr": 0.2, "momentum": 0.5, "dampening": 0.5})
_add("adagrad", "Adagrad", {"lr": 0.1})
_add("adagrad_default", "Adagrad", {})
_add("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05})
_add("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weight_decay": 0.1})
_add("adagrad_initial_accumulator", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3})
_add("adagrad_maximize", "Adagrad", {"lr": 0.1, "maximize": True})
_add("adagrad_groups_none_grad", "Adagrad", {"lr": 0.1},
     groups=[([0], {"lr_decay": 0.01}), ([1], {"lr": 0.3})], none_every=3)
_add("rmsprop", "RMSprop", {"lr": 0.01})
_add("rmsprop_tutorial", "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8})
_add("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9})
_add("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True})
_add("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weight_decay": 0.1})
_add("rmsprop_maximize", "RMSprop", {"lr": 0.01, "maximize": True})
_add("rmsprop_all", "RMSprop",
     {"lr": 0.005, "alpha": 0.8, "eps": 1e-6, "weight_decay": 0.05, "momentum": 0.5, "centered": True})
_add("rmsprop_groups_none_grad", "RMSprop", {"lr": 0.01},
     groups=[([0], {"momentum": 0.9}), ([1], {"centered": True})], none_every=3)
_add("adam", "Adam", {})
_add("adam_tutorial", "Adam", {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8})
_add("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1})
_add("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True})
_add("adam_maximize", "Adam", {"lr": 0.01, "maximize": True})
_add("adam_betas", "Adam", {"lr": 0.01, "betas": [0.3, 0.5], "eps": 1e-6})  # lerp weight >= 0.5 branch
_add("adam_all", "Adam", {"lr": 0.02, "weight_decay": 0.05, "amsgrad": True, "maximize": True})
_add("adam_groups_none_grad", "Adam", {"lr": 0.01},
     groups=[([0], {"amsgrad": True}), ([1], {"lr": 0.05, "betas": [0.8, 0.99]})], none_every=3)
_add("adamw", "AdamW", {})
_add("adamw_lr", "AdamW", {"lr": 0.01, "weight_decay": 0.1})
_add("adamw_amsgrad_maximize", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True})
_add("adadelta", "Adadelta", {"lr": 0.5})
_add("adadelta_default", "Adadelta", {})
_add("adadelta_rho_eps", "Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-4})
_add("adadelta_weight_decay", "Adadelta", {"lr": 0.5, "weight_decay": 0.1})
_add("adadelta_maximize", "Adadelta", {"lr": 0.5, "maximize": True})
_add("adadelta_groups_none_grad", "Adadelta", {"lr": 0.5},
     groups=[([0], {"rho": 0.8}), ([1], {"lr": 1.0, "weight_decay": 0.2})], none_every=3)
_add("adamax", "Adamax", {"lr": 0.01})
_add("adamax_default", "Adamax", {})
_add("adamax_weight_decay", "Adamax", {"lr": 0.01, "weight_decay": 0.1})
_add("adamax_maximize", "Adamax", {"lr": 0.01, "maximize": True})
_add("adamax_betas", "Adamax", {"lr": 0.01, "betas": [0.3, 0.5], "eps": 1e-3})
_add("adamax_groups_none_grad", "Adamax", {"lr": 0.01},
     groups=[([0], {"betas": [0.5, 0.9]}), ([1], {"lr": 0.05})], none_every=3)
_add("nadam", "NAdam", {"lr": 0.01})
_add("nadam_default", "NAdam", {})
_add("nadam_weight_decay", "NAdam", {"lr": 0.01, "weight_decay": 0.1})
_add("nadam_decoupled", "NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True})
_add("nadam_momentum_decay", "NAdam", {"lr": 0.01, "momentum_decay": 0.1})
_add("nadam_maximize", "NAdam", {"lr": 0.01, "maximize": True})
_add("nadam_betas", "NAdam", {"lr": 0.01, "betas": [0.3, 0.5], "eps": 1e-6})
_add("nadam_groups_none_grad", "NAdam", {"lr": 0.01},
     groups=[([0], {"momentum_decay": 0.02}), ([1], {"lr": 0.05, "betas": [0.8, 0.99]})], none_every=3)
_add("radam", "RAdam", {"lr": 0.01})
_add("radam_default", "RAdam", {})
_add("radam_weight_decay", "RAdam", {"lr": 0.01, "weight_decay": 0.1})
_add("radam_decoupled", "RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True})
_add("radam_maximize", "RAdam", {"lr": 0.01, "maximize": True})
_add("radam_fast_rectified", "RAdam", {"lr": 0.01, "betas": [0.5, 0.9], "eps": 1e-6})  # rho_t > 5 from step 6
_add("radam_never_rectified", "RAdam", {"lr": 0.01, "betas": [0.8, 0.5]})  # rho_inf = 3: momentum steps only
_add("radam_groups_none_grad", "RAdam", {"lr": 0.01},
     groups=[([0], {"betas": [0.5, 0.9]}), ([1], {"lr": 0.05, "weight_decay": 0.1})], none_every=3)
_add("sgd_momentum_f32", "SGD", {"lr": 0.05, "momentum": 0.9}, dtype="float32")
_add("adam_f32", "Adam", {"lr": 0.01}, dtype="float32")
_add("rmsprop_f32", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}, dtype="float32")
_add("adagrad_f32", "Adagrad", {"lr": 0.1}, dtype="float32")
_add("adadelta_f32", "Adadelta", {"lr": 0.5, "weight_decay": 0.1}, dtype="float32")
_add("adamax_f32", "Adamax", {"lr": 0.01}, dtype="float32")
_add("nadam_f32", "NAdam", {"lr": 0.01, "weight_decay": 0.1}, dtype="float32")
_add("radam_f32", "RAdam", {"lr": 0.01}, dtype="float32")

# Learning-rate schedules: name -> (scheduler, kwargs, metrics for ReduceLROnPlateau or None).
# The optimizer is SGD with two groups, lr 0.1 and 0.05. Lambdas are referred to by name.
LAMBDAS = {
    "pow95": lambda epoch: 0.95**epoch,
    "inverse": lambda epoch: 1.0 / (epoch + 1),
    "warmup": lambda epoch: min(1.0, (epoch + 1) / 5),
}
_PLATEAU_METRICS = [1.0, 0.9, 0.85, 0.86, 0.85, 0.87, 0.84, 0.84, 0.84, 0.9, 0.7, 0.71, 0.72, 0.73, 0.69,
                    0.70, 0.71, 0.72, 0.73, 0.74, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
SCHEDULES: dict[str, dict] = {
    "step": {"scheduler": "StepLR", "kwargs": {"step_size": 7, "gamma": 0.5}},
    "step_default_gamma": {"scheduler": "StepLR", "kwargs": {"step_size": 10}},
    "multistep": {"scheduler": "MultiStepLR", "kwargs": {"milestones": [3, 8, 8, 20], "gamma": 0.3}},
    "exponential": {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.9}},
    "cosine": {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 10, "eta_min": 0.001}},
    "cosine_long": {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 30}},
    "lambda": {"scheduler": "LambdaLR", "kwargs": {"lr_lambda": "pow95"}},
    "lambda_per_group": {"scheduler": "LambdaLR", "kwargs": {"lr_lambda": ["inverse", "warmup"]}},
    "plateau": {"scheduler": "ReduceLROnPlateau", "kwargs": {"patience": 2, "factor": 0.5},
                "metrics": _PLATEAU_METRICS},
    "plateau_cooldown_abs": {"scheduler": "ReduceLROnPlateau",
                             "kwargs": {"patience": 1, "factor": 0.3, "cooldown": 2, "threshold": 0.01,
                                        "threshold_mode": "abs", "min_lr": [0.01, 0.001]},
                             "metrics": _PLATEAU_METRICS},
    "plateau_max": {"scheduler": "ReduceLROnPlateau", "kwargs": {"mode": "max", "patience": 3},
                    "metrics": [-m for m in _PLATEAU_METRICS]},
    "linear": {"scheduler": "LinearLR", "kwargs": {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 8}},
    "linear_default": {"scheduler": "LinearLR", "kwargs": {}},
    "linear_decay": {"scheduler": "LinearLR", "kwargs": {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}},
    "cosine_restarts": {"scheduler": "CosineAnnealingWarmRestarts", "kwargs": {"T_0": 7}},
    "cosine_restarts_mult": {"scheduler": "CosineAnnealingWarmRestarts",
                             "kwargs": {"T_0": 3, "T_mult": 2, "eta_min": 0.001}},
    # step(epoch) with fractional epochs, as called once per batch
    "cosine_restarts_fractional": {"scheduler": "CosineAnnealingWarmRestarts", "kwargs": {"T_0": 2, "T_mult": 2},
                                   "epochs": [round(0.37 * k, 2) for k in range(1, 61)]},
    "cosine_restarts_fractional_mult1": {"scheduler": "CosineAnnealingWarmRestarts", "kwargs": {"T_0": 3},
                                         "epochs": [0.5 * k for k in range(1, 61)]},
    "onecycle": {"scheduler": "OneCycleLR", "kwargs": {"max_lr": 1.0, "total_steps": 31}, "length": 31},
    "onecycle_linear_three_phase": {"scheduler": "OneCycleLR", "length": 32,
                                    "kwargs": {"max_lr": [0.5, 0.2], "epochs": 4, "steps_per_epoch": 8,
                                               "anneal_strategy": "linear", "three_phase": True, "pct_start": 0.25,
                                               "div_factor": 10.0, "final_div_factor": 100.0}},
    "onecycle_adam_betas": {"scheduler": "OneCycleLR", "optimizer": "Adam", "length": 40,
                            "kwargs": {"max_lr": 0.01, "total_steps": 40, "base_momentum": 0.8, "max_momentum": 0.9}},
    "onecycle_no_momentum": {"scheduler": "OneCycleLR", "length": 30,
                             "kwargs": {"max_lr": 0.3, "total_steps": 30, "cycle_momentum": False}},
    "sequential": {"scheduler": "SequentialLR",
                   "kwargs": {"schedulers": [{"scheduler": "LinearLR", "kwargs": {"start_factor": 0.1,
                                                                                 "total_iters": 5}},
                                             {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.9}}],
                              "milestones": [5]}},
    "sequential_three": {"scheduler": "SequentialLR",
                         "kwargs": {"schedulers": [{"scheduler": "LinearLR", "kwargs": {"start_factor": 0.5,
                                                                                       "total_iters": 4}},
                                                   {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 10}},
                                                   {"scheduler": "StepLR", "kwargs": {"step_size": 3, "gamma": 0.5}}],
                                    "milestones": [4, 14]}},
}
GROUP_LRS = [0.1, 0.05]


def scheduler_kwargs(kwargs: dict) -> dict:
    """The kwargs with lambda names replaced by the functions."""
    out = dict(kwargs)
    if "lr_lambda" in out:
        fn = out["lr_lambda"]
        out["lr_lambda"] = [LAMBDAS[f] for f in fn] if isinstance(fn, list) else LAMBDAS[fn]
    return out


def build_scheduler(lr_scheduler: object, opt: object, spec: dict) -> object:
    """The scheduler of ``spec`` on ``opt`` from ``lr_scheduler`` (torch's module or ours); SequentialLR's
    ``schedulers`` are specs themselves."""
    kwargs = scheduler_kwargs(spec["kwargs"])
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [build_scheduler(lr_scheduler, opt, sub) for sub in kwargs["schedulers"]]
    return getattr(lr_scheduler, spec["scheduler"])(opt, **kwargs)


def make_schedule(lib: object, spec: dict) -> tuple:
    """(optimizer, scheduler) for a schedule: ``lib`` is torch or tinygrad_bp; two param groups (GROUP_LRS),
    optimizer SGD unless the spec names another."""
    params = [lib.zeros(2, requires_grad=True) for _ in GROUP_LRS]
    opt_cls = getattr(lib.optim, spec.get("optimizer", "SGD"))
    opt = opt_cls([{"params": [p], "lr": lr} for p, lr in zip(params, GROUP_LRS)])
    return opt, build_scheduler(lib.optim.lr_scheduler, opt, spec)


def step_schedule(sched: object, spec: dict, epoch: int) -> None:
    """One scheduler step as a training loop makes it: with the epoch's metric, or its (fractional) epoch."""
    if "metrics" in spec:
        sched.step(spec["metrics"][epoch % len(spec["metrics"])])
    elif "epochs" in spec:
        sched.step(spec["epochs"][epoch])
    else:
        sched.step()


def momenta(opt: object) -> list:
    """Each group's momentum (SGD's ``momentum`` or Adam's beta1), which OneCycleLR cycles."""
    return [float(g["betas"][0]) if "betas" in g else float(g["momentum"]) for g in opt.param_groups]


def initial_data() -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """Fixed initial weights and a fixed sequence of gradients (float64), with varying scales."""
    rng = np.random.default_rng(20261127)
    init = [rng.standard_normal(shape) for shape in SHAPES]
    grads = []
    for _ in range(STEPS):
        scale = rng.uniform(0.05, 3.0)
        grads.append([rng.standard_normal(shape) * scale for shape in SHAPES])
    return init, grads


def has_grad(config: dict, param_index: int, step: int) -> bool:
    """Step counts from 1; parameter 1 of a "none_every" config gets no gradient on some steps."""
    k = config.get("none_every")
    return not (k and param_index == 1 and step % k == 1)


def torch_run(cfg: dict, init: list[np.ndarray], grads: list[list[np.ndarray]]) -> tuple[list, dict]:
    """PyTorch's trajectory for one configuration: (per parameter, an array (steps, *shape)) and the final
    state as {"index/name": array}."""
    import torch

    dtype = torch.float32 if cfg.get("dtype") == "float32" else torch.float64
    params = [torch.tensor(w, dtype=dtype, requires_grad=True) for w in init]
    kwargs = _tuple_betas(cfg["torch_kwargs"])
    if "groups" in cfg:
        spec = [{"params": [params[i] for i in idx], **_tuple_betas(opts)} for idx, opts in cfg["groups"]]
    else:
        spec = params
    opt = getattr(torch.optim, cfg["torch_optimizer"])(spec, foreach=False, **kwargs)
    traj = [np.empty((len(grads), *w.shape), dtype=dtype_np(cfg)) for w in init]
    for t, gs in enumerate(grads):
        for i, p in enumerate(params):
            p.grad = torch.tensor(gs[i], dtype=dtype) if has_grad(cfg, i, t + 1) else None
        opt.step()
        for i, p in enumerate(params):
            traj[i][t] = p.detach().numpy()
    state = {f"{index}/{key}": value.detach().numpy().copy()
             for index, st in opt.state_dict()["state"].items() for key, value in st.items()}
    return traj, state


def record_trajectories() -> dict[str, np.ndarray]:
    import torch

    init, grads = initial_data()
    out = {f"init/{i}": w for i, w in enumerate(init)}
    for t, gs in enumerate(grads):
        for i, g in enumerate(gs):
            out[f"grad/{t}/{i}"] = g
    for name, cfg in CONFIGS.items():
        traj, state = torch_run(cfg, init, grads)
        for i, tr in enumerate(traj):
            out[f"{name}/traj/{i}"] = tr
        for key, value in state.items():
            out[f"{name}/state/{key}"] = value
    out["meta/torch_version"] = np.array(torch.__version__)
    return out


def dtype_np(cfg: dict) -> type:
    return np.float32 if cfg.get("dtype") == "float32" else np.float64


def _tuple_betas(opts: dict) -> dict:
    return {k: tuple(v) if k == "betas" else v for k, v in opts.items()}


def record_schedules() -> dict:
    import torch

    out = {"torch_version": torch.__version__, "schedules": {}, "momenta": {}}
    for name, spec in SCHEDULES.items():
        opt, sched = make_schedule(torch, spec)
        lrs = [list(sched.get_last_lr())]
        moms = [momenta(opt)]
        for epoch in range(EPOCHS):
            opt.step()
            step_schedule(sched, spec, epoch)
            lrs.append([float(lr) for lr in sched.get_last_lr()])
            moms.append(momenta(opt))
            assert [g["lr"] for g in opt.param_groups] == lrs[-1]
        out["schedules"][name] = lrs
        out["momenta"][name] = moms
    return out


def main() -> None:
    traj = record_trajectories()
    np.savez_compressed(TRAJ_FILE, **traj)
    sched = record_schedules()
    assert all(math.isfinite(lr) for lrs in sched["schedules"].values() for row in lrs for lr in row)
    SCHED_FILE.write_text(json.dumps(sched, indent=1) + "\n")
    print(f"wrote {TRAJ_FILE.name} ({len(CONFIGS)} optimizer configurations) and {SCHED_FILE.name} "
          f"({len(SCHEDULES)} schedules)")


if __name__ == "__main__":
    main()
