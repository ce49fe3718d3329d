"""tb.autograd.profiler: exact op counts for a known graph, self/total times that add up, PyTorch's table,
and nothing recorded (nothing patched) outside a profile. Timings are never compared with thresholds."""

from __future__ import annotations

import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import profiler
from tinygrad_bp.autograd.function import Function, Op


def _graph():
    x = tb.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    return x, (z * x).sum()


def _events(prof):
    return {e.key: e for e in prof.key_averages()}


def test_counts_are_exact_forward_and_backward():
    with profiler.profile() as prof:
        x, loss = _graph()
        loss.backward()
    ev = _events(prof)
    assert {k: e.count for k, e in ev.items()} == {"aten::mul": 3, "aten::sum": 1, "SumBackward0": 1,
                                                   "MulBackward0": 3}
    assert x.grad.tolist() == [12.0, 12.0, 12.0]  # d/dx (2x)^2 x = 12 x^2


def test_times_are_positive_and_add_up():
    with profiler.profile() as prof:
        with profiler.record_function("forward"):
            _, loss = _graph()
        loss.backward()
    ev = _events(prof)
    for e in ev.values():
        assert e.self_cpu_time_total > 0 and e.cpu_time_total >= e.self_cpu_time_total
        assert e.cpu_time == pytest.approx(e.cpu_time_total / e.count)
    inner = ev["aten::mul"].cpu_time_total + ev["aten::sum"].cpu_time_total
    outer = ev["forward"]
    assert outer.cpu_time_total == pytest.approx(outer.self_cpu_time_total + inner)  # self = total - children
    for leafish in ("aten::mul", "aten::sum", "MulBackward0", "SumBackward0"):
        assert ev[leafish].self_cpu_time_total == pytest.approx(ev[leafish].cpu_time_total)


def test_table_has_pytorchs_columns_and_sorts():
    with profiler.profile() as prof:
        _, loss = _graph()
        loss.backward()
    table = prof.key_averages().table(sort_by="count", row_limit=2)
    lines = table.splitlines()
    assert lines[1].split() == ["Name", "Self", "CPU", "%", "Self", "CPU", "CPU", "total", "%", "CPU", "total", "CPU",
                                "time", "avg", "#", "of", "Calls"]
    assert set(lines[0].replace(" ", "")) == {"-"} and lines[2] == lines[0] and lines[5] == lines[0]
    rows = lines[3:5]
    assert [r.split()[-1] for r in rows] == ["3", "3"] and {r.split()[0] for r in rows} == {"aten::mul",
                                                                                          "MulBackward0"}
    assert lines[-1].startswith("Self CPU time total: ") and lines[-1].endswith("s")
    percents = [float(r.split()[1].rstrip("%")) for r in prof.key_averages().table().splitlines()[3:-2]]
    assert sum(percents) == pytest.approx(100.0, abs=0.05)
    by_self = prof.key_averages().table(sort_by="self_cpu_time_total").splitlines()[3:-2]
    selfs = [e.self_cpu_time_total for e in sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)]
    assert [r.split()[0] for r in by_self] == [e.key for e in sorted(prof.key_averages(),
                                                                     key=lambda e: -e.self_cpu_time_total)]
    assert selfs == sorted(selfs, reverse=True)


def test_custom_function_and_record_function_decorator():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    @profiler.record_function("step")
    def step(x):
        return Square.apply(x).sum()

    x = tb.tensor([1.0, 2.0], requires_grad=True)
    with profiler.profile() as prof:
        step(x).backward()
    ev = _events(prof)
    assert ev["step"].count == 1 and ev["Square"].count == 1 and ev["SquareBackward"].count == 1
    assert x.grad.tolist() == [2.0, 4.0]


def test_nothing_is_patched_or_recorded_outside_a_profile():
    before_apply = Function.__dict__["apply"]
    before = {cls: cls.__dict__.get("backward") for cls in profiler._subclasses(Op)}
    with profiler.profile() as prof:
        assert Function.__dict__["apply"] is not before_apply
    assert Function.__dict__["apply"] is before_apply
    assert all(cls.__dict__.get("backward") is b for cls, b in before.items())
    _, loss = _graph()
    loss.backward()
    with profiler.record_function("outside"):
        pass
    assert list(prof.key_averages()) == [] and profiler._frames == []


def test_nested_profiles_and_disabled():
    before = Function.__dict__["apply"]
    with profiler.profile() as outer:
        tb.ones(2) * 2
        with profiler.profile() as inner, profiler.profile(enabled=False) as off:
            tb.ones(2) * 3
    assert _events(outer)["aten::mul"].count == 2 and _events(inner)["aten::mul"].count == 1
    assert list(off.key_averages()) == [] and Function.__dict__["apply"] is before


def test_an_error_inside_restores_everything():
    before = Function.__dict__["apply"]
    with pytest.raises(RuntimeError), profiler.profile():
        tb.ones(2) + tb.ones(3)
    assert Function.__dict__["apply"] is before and profiler._frames == []


def test_bad_input():
    with pytest.raises(RuntimeError, match="CUDA"):
        profiler.profile(use_cuda=True)
    with pytest.raises(TypeError, match="record_function"):
        profiler.record_function(3)
    with profiler.profile() as prof:
        tb.ones(1) * 2
    with pytest.raises(AttributeError, match="sort_by"):
        prof.key_averages().table(sort_by="speed")
    assert profiler.profile().key_averages().table() == ""
