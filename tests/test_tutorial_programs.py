"""The tutorial-style programs of tests/tutorial_programs/ run on tinygrad_bp with the numbers they should give."""

from __future__ import annotations

import importlib
import math

import pytest
from tutorial_programs import PROGRAMS
from tutorial_programs.bigram_names import WORDS

import tinygrad_bp as tb


def _run(name, **kwargs):
    return importlib.import_module(f"tutorial_programs.{name}").run(tb, **kwargs)


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_runs(name):
    assert _run(name)


def test_device_idiom():
    r = _run("device_idiom")
    assert r["device"] == "cpu" and r["x.device"] == "cpu" and r["device repr"] == "device(type='cpu')"
    assert r["cuda count"] == 0
    expected = [[0.1 - 0.4 + 0.9 + 0.25, 0.5 + 0.8 - 0.3 + 0.25], [0.4 - 1.0 + 1.8 + 0.25, 2.0 + 2.0 - 0.6 + 0.25]]
    for got, want in zip(sum(r["y"], []), sum(expected, [])):
        assert got == pytest.approx(want, rel=1e-6)
    assert r["z"] == pytest.approx([sum(row) for row in expected], rel=1e-6)


def test_sgd_loop_converges_by_data_updates():
    r = _run("sgd_data_loop")
    assert r["losses"][-1] < r["losses"][0] and all(b <= a + 1e-6 for a, b in zip(r["losses"][1:], r["losses"][2:]))
    assert r["losses"][0] == pytest.approx((1 + 3.1 ** 2 + 4.9 ** 2 + 7.2 ** 2 + 8.8 ** 2 - 2 * 0.5 * (
        3.1 + 2 * 4.9 + 3 * 7.2 + 4 * 8.8) + 0.25 * (1 + 4 + 9 + 16)) / 5, rel=1e-6)
    assert r["log"][0] == f"step  0 loss {r['losses'][0]:.4f} w 1.594" and len(r["log"]) == 4
    assert r["w.is_leaf"] and not r["w.data.requires_grad"] and r["nelement"] == 6


def test_bigram_counts_probabilities_and_reproducible_samples():
    r = _run("bigram_names")
    assert r["total"] == sum(len(w) + 1 for w in WORDS)
    assert sum(r["P row 0"]) == pytest.approx(1.0, rel=1e-6)
    assert r["nll text"] == f"{r['nll']:.4f}" and 0 < r["nll"] < math.log(27)
    again = _run("bigram_names")
    assert again["names"] == r["names"]  # the seeded generator
    chars = set("".join(WORDS))
    assert all(set(name) <= chars for name in r["names"])


def test_imshow_sees_the_values():
    r = _run("imshow_tensor")
    assert r["shape"] == [3, 4] and r["image"][2][3] == pytest.approx(1.0) and r["line"] == [0.0, 1.0, 4.0, 9.0]
    assert r["hist"] == [3.0, 1.0]


def test_graph_walk_and_profiler_counts():
    r = _run("graph_and_profiler")
    assert r["nodes"] == ["MulBackward0", "SumBackward0", "MulBackward0", "AccumulateGrad", "AccumulateGrad",
                          "SumBackward0", "MulBackward0"]
    assert r["leaf is x"] and r["leaf name"] == "AccumulateGrad" and r["x.grad"] == [1.0, -2.0, 4.0]
    assert r["counts"] == {"step": 1, "SumBackward0": 1, "MulBackward0": 2} and r["times positive"]
    assert r["header"][0] == "Name" and r["header"][-3:] == ["#", "of", "Calls"]
