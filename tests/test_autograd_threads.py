"""Grad mode belongs to the thread, as in PyTorch; anomaly mode is process-wide, as in PyTorch."""

import sys
import threading

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn


@pytest.fixture(autouse=True)
def tiny_switch_interval():
    """Switch threads every few microseconds, so the threads below really interleave."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def run_threads(*targets):
    errors = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # reported in the main thread
                errors.append(e)
        return run

    threads = [threading.Thread(target=guard(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    inside, outside = threading.Barrier(2), threading.Barrier(2)
    seen = {}

    def quiet():
        with tb.no_grad():
            inside.wait()  # the other thread looks while this one is inside no_grad
            outside.wait()
            seen["quiet"] = tb.is_grad_enabled()

    def busy():
        inside.wait()
        x = tb.ones(2, requires_grad=True)
        seen["busy"] = tb.is_grad_enabled()
        seen["recorded"] = (x * 2).requires_grad
        outside.wait()

    run_threads(quiet, busy)
    assert seen == {"quiet": False, "busy": True, "recorded": True}
    assert tb.is_grad_enabled()


def test_overlapping_no_grad_blocks_in_two_threads_restore_each_threads_mode():
    a_in, b_in, a_out = threading.Barrier(2), threading.Barrier(2), threading.Barrier(2)

    def a():
        a_in.wait()
        with tb.no_grad():
            b_in.wait()
            a_out.wait()  # a leaves its block while b is still inside its own
        assert tb.is_grad_enabled()

    def b():
        a_in.wait()
        b_in.wait()
        with tb.no_grad():
            a_out.wait()
            assert not tb.is_grad_enabled()
        assert tb.is_grad_enabled()

    run_threads(a, b)
    assert tb.is_grad_enabled()


def test_set_grad_enabled_in_a_worker_does_not_reach_the_main_thread():
    def worker():
        tb.set_grad_enabled(False)
        assert not tb.is_grad_enabled()

    run_threads(worker)
    assert tb.is_grad_enabled()
    assert (tb.ones(1, requires_grad=True) + 1).requires_grad


def test_a_new_thread_starts_with_grad_enabled_even_inside_no_grad():
    seen = []
    with tb.no_grad():
        run_threads(lambda: seen.append(tb.is_grad_enabled()))
        assert not tb.is_grad_enabled()
    assert seen == [True]


def test_anomaly_mode_is_process_wide_as_in_pytorch():
    seen = []
    with tb.autograd.detect_anomaly():
        run_threads(lambda: seen.append(tb.autograd.is_anomaly_enabled()))
    assert seen == [True] and not tb.autograd.is_anomaly_enabled()


def _model(seed):
    tb.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))


def _data(seed):
    rng = np.random.default_rng(seed)
    return tb.tensor(rng.standard_normal((16, 3))), tb.tensor(rng.standard_normal((16, 1)))


def _train(model, x, y, steps, barrier=None):
    opt = tb.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(steps):
        if barrier is not None:
            barrier.wait()  # each step of one training overlaps a step of the other
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x.float()), y.float())
        loss.backward()
        with tb.no_grad():  # the other thread's no_grad must not switch off this thread's recording
            opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_two_trainings_in_threads_equal_the_same_trainings_one_after_the_other():
    steps = 40
    sequential = [_train(_model(s), *_data(s), steps) for s in (1, 2)]
    models = [_model(s) for s in (1, 2)]
    data = [_data(s) for s in (1, 2)]
    barrier = threading.Barrier(2)
    threaded = [None, None]

    def job(i):
        return lambda: threaded.__setitem__(i, _train(models[i], *data[i], steps, barrier))

    run_threads(job(0), job(1))
    for (seq_losses, seq_params), (thr_losses, thr_params) in zip(sequential, threaded):
        assert seq_losses == thr_losses  # the same operations on the same values in one process: bit for bit
        for a, b in zip(seq_params, thr_params):
            np.testing.assert_array_equal(a, b)
    assert sequential[0][0][-1] < sequential[0][0][0]  # the trainings did train
