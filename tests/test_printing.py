"""Tensor repr against strings recorded from PyTorch (tests/golden/make_repr_cases.py), and print options."""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

import tinygrad_bp as tb

sys.path.insert(0, str(pathlib.Path(__file__).parent / "golden"))
from make_repr_cases import build  # noqa: E402

CASES = json.loads((pathlib.Path(__file__).parent / "golden" / "repr_cases.json").read_text())["cases"]


@pytest.fixture(autouse=True)
def _default_options():
    tb.set_printoptions(profile="default")
    yield
    tb.set_printoptions(profile="default")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_repr_matches_pytorch(case):
    tb.set_printoptions(**case.get("opts", {}))
    assert repr(build(tb, case)) == case["torch"].replace("torch.", "tinygrad_bp.")


def test_str_is_repr_and_scalars_and_default_dtype_change():
    t = tb.tensor([1.5, 2.0])
    assert str(t) == repr(t) == "tensor([1.5000, 2.0000])"
    tb.set_default_dtype(tb.float64)
    try:
        assert repr(tb.tensor([1.5], dtype=tb.float64)) == "tensor([1.5000])"
        assert repr(tb.tensor([1.5], dtype=tb.float32)) == "tensor([1.5000], dtype=tinygrad_bp.float32)"
    finally:
        tb.set_default_dtype(tb.float32)


def test_get_printoptions_round_trip():
    tb.set_printoptions(precision=6, linewidth=100)
    opts = tb.printing.get_printoptions()
    assert opts["precision"] == 6 and opts["linewidth"] == 100 and opts["sci_mode"] is None
    assert repr(tb.tensor([1 / 3])) == "tensor([0.333333])"


@pytest.mark.parametrize("kwargs, error", [({"precision": "4"}, TypeError), ({"linewidth": -1}, TypeError),
                                           ({"profile": "tiny"}, ValueError)])
def test_bad_printoptions_are_refused_and_change_nothing(kwargs, error):
    before = tb.printing.get_printoptions()
    with pytest.raises(error, match="set_printoptions"):
        tb.set_printoptions(**kwargs)
    assert tb.printing.get_printoptions() == before


def test_printing_does_not_change_the_tensor():
    a = np.array([[1.0, np.nan], [-0.0, 3e9]], dtype=np.float32)
    t = tb.tensor(a)
    repr(t)
    np.testing.assert_array_equal(t.numpy(), a)
