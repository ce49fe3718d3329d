"""Each tutorial-style program on tinygrad_bp and on torch with the same inputs: every number compared.

The names the bigram program samples are the one exception: the two libraries' random streams differ
(NumPy's generator vs torch's Mersenne Twister), so the samples are checked for validity and
reproducibility instead (tests/test_tutorial_programs.py)."""

from __future__ import annotations

import importlib

import pytest
from tutorial_programs import PROGRAMS

import tinygrad_bp as tb

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")

NOT_COMPARED = {("bigram_names", "names")}


def _same(ours, theirs, where):
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and ours.keys() == theirs.keys(), where
        for k in theirs:
            _same(ours[k], theirs[k], f"{where}.{k}")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-7), where
    else:
        assert ours == theirs and type(ours) is type(theirs), where


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_torch(name):
    program = importlib.import_module(f"tutorial_programs.{name}")
    ours, theirs = program.run(tb), program.run(torch)
    for key in list(theirs):
        if (name, key) in NOT_COMPARED:
            del ours[key], theirs[key]
    _same(ours, theirs, name)
