"""Learning-rate schedulers: PyTorch's epoch counting, formulas, validation, warnings and state dicts.
(The 30-epoch sequences of every scheduler against PyTorch are in test_optim_golden.py.)"""

import math
import warnings

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import optim
from tinygrad_bp.optim import lr_scheduler as S


def make_opt(lrs=(0.1,)):
    return optim.SGD([{"params": [tb.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs])


def epochs(opt, sched, n, metrics=None):
    """The lr of the first group for epochs 0..n-1, stepping as a training loop does."""
    out = []
    for epoch in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[epoch])
    return out


def test_building_a_scheduler_is_epoch_zero():
    opt = make_opt((0.1, 0.02))
    sched = S.StepLR(opt, step_size=3)
    assert sched.last_epoch == 0
    assert sched.get_last_lr() == [0.1, 0.02]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.02]
    assert sched.base_lrs == [0.1, 0.02]


def test_step_lr_decays_every_step_size_epochs():
    opt = make_opt((1.0,))
    got = epochs(opt, S.StepLR(opt, step_size=3, gamma=0.1), 10)
    np.testing.assert_allclose(got, [1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001], rtol=1e-12)


def test_multistep_lr_decays_at_each_milestone_and_repeats_count():
    opt = make_opt((1.0,))
    got = epochs(opt, S.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5), 7)
    np.testing.assert_allclose(got, [1, 1, 0.5, 0.5, 0.5, 0.125, 0.125], rtol=1e-12)


def test_exponential_lr_and_lambda_lr():
    opt = make_opt((2.0,))
    np.testing.assert_allclose(epochs(opt, S.ExponentialLR(opt, gamma=0.5), 4), [2, 1, 0.5, 0.25])
    opt = make_opt((2.0, 1.0))
    sched = S.LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: e])
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.5, 3.0]


def test_cosine_annealing_follows_the_closed_form_and_ends_at_eta_min():
    base, eta_min, t_max = 0.1, 0.001, 10
    opt = make_opt((base,))
    got = epochs(opt, S.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min), t_max + 1)
    closed = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2 for t in range(t_max + 1)]
    np.testing.assert_allclose(got, closed, rtol=1e-12, atol=1e-15)
    assert got[-1] == pytest.approx(eta_min, abs=1e-15)


def test_schedulers_multiply_the_current_lr_so_outside_changes_persist():
    opt = make_opt((1.0,))
    sched = S.ExponentialLR(opt, gamma=0.5)
    opt.param_groups[0]["lr"] = 10.0
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [5.0]


def test_stepping_with_an_epoch_uses_the_closed_form_and_warns():
    opt = make_opt((1.0,))
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched.step(5)
    assert sched.last_epoch == 5 and sched.get_last_lr() == [0.25]


def test_scheduler_step_before_optimizer_step_warns():
    opt = make_opt()
    sched = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_opt()
    sched = S.StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
        sched.step()


def test_custom_optimizer_step_counts_as_called():
    class Plain(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def step(self, closure=None):
            return None

    opt = Plain([tb.zeros(1, requires_grad=True)])
    sched = S.StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


@pytest.mark.parametrize("make, error, message", [
    (lambda o: S.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: S.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]), ValueError, "Expected 1 lr_lambdas, but got 2"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda o: S.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown!"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold mode pct is unknown!"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs, got 2"),
    (lambda o: S.StepLR("not an optimizer", step_size=1), TypeError, "str is not an Optimizer"),
    (lambda o: S.StepLR(o, step_size=1, last_epoch=4), KeyError, "initial_lr"),
])
def test_invalid_scheduler_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make(make_opt())


def test_reduce_lr_on_plateau_waits_patience_epochs_and_respects_min_lr():
    opt = make_opt((1.0,))
    sched = S.ReduceLROnPlateau(opt, patience=1, factor=0.5, min_lr=0.3)
    metrics = [tb.tensor(1.0), 2.0, 2.0, 2.0, 0.1, 2.0, 2.0, 2.0, 2.0]
    lrs = []
    for m in metrics:
        opt.step()
        sched.step(m)  # a one-element tensor works too
        lrs.append(sched.get_last_lr()[0])
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3]
    assert sched.best == 0.1


def test_scheduler_state_dict_resumes_the_schedule(tmp_path):
    opt = make_opt((1.0, 0.5))
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    epochs(opt, sched, 3)
    tb.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "ckpt.npz")
    rest = epochs(opt, sched, 5)

    ckpt = tb.load(tmp_path / "ckpt.npz")
    opt2 = make_opt((7.0, 7.0))
    sched2 = S.StepLR(opt2, step_size=99)
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    assert sched2.step_size == 2 and sched2.last_epoch == 3
    assert epochs(opt2, sched2, 5) == rest
    with pytest.raises(ValueError, match="unexpected"):
        sched2.load_state_dict({"nonsense": 1})


def test_state_dict_holds_no_optimizer_and_no_lambdas():
    opt = make_opt()
    sd = S.LambdaLR(opt, lambda e: 0.9**e).state_dict()
    assert "optimizer" not in sd and sd["lr_lambdas"] == [None]
    assert sd["last_epoch"] == 0 and sd["base_lrs"] == [0.1]
    plateau = S.ReduceLROnPlateau(opt).state_dict()
    assert plateau["best"] == math.inf and plateau["num_bad_epochs"] == 0


# ---- LinearLR, CosineAnnealingWarmRestarts, OneCycleLR, SequentialLR ------------------------------------------

def test_linear_lr_ramps_from_start_to_end_factor_then_stays():
    opt = make_opt((0.8,))
    got = epochs(opt, S.LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=3), 6)
    np.testing.assert_allclose(got, [0.2, 0.4, 0.6, 0.8, 0.8, 0.8], rtol=1e-12)
    opt = make_opt((1.0,))
    sched = S.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=4)
    np.testing.assert_allclose(epochs(opt, sched, 6), [1.0, 0.75, 0.5, 0.25, 0.0, 0.0], atol=1e-15)


def test_linear_lr_step_with_an_epoch_uses_the_closed_form():
    opt = make_opt((1.0,))
    sched = S.LinearLR(opt, start_factor=0.5, total_iters=10)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(4)
    np.testing.assert_allclose(sched.get_last_lr(), [0.5 + 0.5 * 4 / 10], rtol=1e-12)


def test_cosine_warm_restarts_closed_form_with_growing_periods():
    opt = make_opt((1.0,))
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.1)
    got = epochs(opt, sched, 14)
    # periods 2, 4, 8: restarts at epochs 2 and 6
    t_cur = [0, 1, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7]
    t_i = [2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8]
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * c / i)) / 2 for c, i in zip(t_cur, t_i)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[2] == 1.0 and got[6] == 1.0


def test_cosine_warm_restarts_fractional_epochs_and_validation():
    opt = make_opt((1.0,))
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=4)
    sched.step(5.0)  # one period of 4 done: T_cur = 1
    np.testing.assert_allclose(sched.get_last_lr(), [(1 + math.cos(math.pi / 4)) / 2], rtol=1e-12)
    sched.step(2.5)
    assert sched.last_epoch == 2 and sched.T_cur == 2.5
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        sched.step(-1)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)


def test_one_cycle_peaks_at_max_lr_and_ends_at_min_lr_with_momentum_cycling_the_other_way():
    opt = optim.SGD([tb.zeros(2, requires_grad=True)], lr=0.01, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=20, pct_start=0.25)  # warm-up ends at step 4
    lrs, moms = [], []
    for _ in range(20):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1.0 / 25) and moms[0] == pytest.approx(0.95)
    assert max(lrs) == pytest.approx(1.0) and lrs.index(max(lrs)) == 4
    assert moms[4] == pytest.approx(0.85) and min(moms) == moms[4]
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4) and moms[-1] == pytest.approx(0.95)
    assert all(a < b for a, b in zip(lrs[:4], lrs[1:5])) and all(a > b for a, b in zip(lrs[4:-1], lrs[5:]))
    group = opt.param_groups[0]
    assert (group["initial_lr"], group["max_lr"], group["max_momentum"], group["base_momentum"]) == (
        0.04, 1.0, 0.95, 0.85)
    with pytest.raises(ValueError, match="Tried to step 21 times. The specified number of total steps is 20"):
        sched.step()


def test_one_cycle_cycles_adams_beta1_and_needs_momentum_or_betas():
    opt = optim.Adam([tb.zeros(2, requires_grad=True)], betas=(0.5, 0.99))
    S.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    assert opt.param_groups[0]["betas"] == (0.95, 0.99)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        S.OneCycleLR(optim.Adagrad([tb.zeros(2, requires_grad=True)]), max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        S.OneCycleLR(make_opt(), max_lr=0.1)


def test_sequential_lr_hands_over_at_the_milestones():
    opt = make_opt((1.0,))
    warmup = S.LinearLR(opt, start_factor=0.25, total_iters=3)
    decay = S.ExponentialLR(opt, gamma=0.5)
    sched = S.SequentialLR(opt, [warmup, decay], milestones=[3])
    got = epochs(opt, sched, 7)
    np.testing.assert_allclose(got, [0.25, 0.5, 0.75, 1.0, 0.5, 0.25, 0.125], rtol=1e-12)
    assert warmup.last_epoch == 2 and decay.last_epoch == 4  # restarted at 0 on epoch 3, then 4 steps


def test_sequential_lr_state_dict_resumes_the_schedule(tmp_path):
    def build(opt):
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.5, total_iters=2),
                                    S.CosineAnnealingWarmRestarts(opt, T_0=3)], milestones=[2])

    opt = make_opt((1.0, 0.5))
    sched = build(opt)
    epochs(opt, sched, 4)
    tb.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "ckpt.npz")
    rest = epochs(opt, sched, 6)
    ckpt = tb.load(tmp_path / "ckpt.npz")
    opt2 = make_opt((1.0, 0.5))
    sched2 = build(opt2)
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    np.testing.assert_allclose(epochs(opt2, sched2, 6), rest, rtol=1e-12)
    assert [len(s) for s in ckpt["scheduler"]["_schedulers"]] == [len(s.state_dict()) for s in sched2._schedulers]


def test_one_cycle_state_dict_resumes_the_schedule(tmp_path):
    opt = optim.SGD([tb.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=0.5, total_steps=30, anneal_strategy="linear", three_phase=True)
    epochs(opt, sched, 7)
    tb.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "ckpt.npz")
    rest = epochs(opt, sched, 20)
    ckpt = tb.load(tmp_path / "ckpt.npz")
    opt2 = optim.SGD([tb.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
    sched2 = S.OneCycleLR(opt2, max_lr=9.0, total_steps=30)
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    assert sched2._anneal_func_type == "linear" and len(sched2._schedule_phases) == 3
    np.testing.assert_allclose(epochs(opt2, sched2, 20), rest, rtol=1e-12)
