"""Layers and losses against values and gradients recorded from PyTorch 2.13 (tests/golden/make_nn_golden.py)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn

sys.path.insert(0, str(Path(__file__).parent / "golden"))
import make_nn_golden as golden  # noqa: E402

ARRAYS = np.load(golden.ARRAYS_FILE, allow_pickle=False)
INFO = json.loads(golden.JSON_FILE.read_text())


@pytest.mark.parametrize("name,reduction", golden.runs(), ids=[golden.key(*r) for r in golden.runs()])
def test_values_and_gradients_match_pytorch(name, reduction):
    spec = golden.CASES[name]
    k = golden.key(name, reduction)
    args = [tb.tensor(ARRAYS[f"{k}/in{i}"], requires_grad=i in spec["grad"]) for i in range(len(spec["args"]))]
    kwargs = dict(spec["kwargs"], **{opt: tb.tensor(ARRAYS[f"{k}/opt_{opt}"]) for opt in spec["arrays"]})
    if reduction is not None:
        kwargs["reduction"] = reduction
    with pytest.warns(UserWarning) if name == "mse_broadcast" else _nothing():
        out = getattr(F, spec["fn"])(*args, **kwargs)
    assert out.dtype == tb.float64
    np.testing.assert_allclose(out.data, ARRAYS[f"{k}/out"], rtol=1e-10, atol=1e-12)
    out.backward(tb.tensor(ARRAYS[f"{k}/upstream"]))
    for i in spec["grad"]:
        np.testing.assert_allclose(args[i].grad.data, ARRAYS[f"{k}/grad{i}"], rtol=1e-9, atol=1e-12,
                                   err_msg=f"gradient of input {i}")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _same_input(stored, regenerated, where):
    """Integer and bool inputs exactly; float inputs to a few ulps (they pass through exp/log, whose
    last bit differs between CPUs and NumPy builds, e.g. with AVX-512)."""
    assert stored.dtype == regenerated.dtype and stored.shape == regenerated.shape, where
    if stored.dtype.kind == "f":
        np.testing.assert_allclose(regenerated, stored, rtol=1e-13, atol=0, err_msg=where)
    else:
        np.testing.assert_array_equal(regenerated, stored, err_msg=where)


def test_golden_inputs_are_the_scripts_inputs():
    """The stored inputs are what make_nn_golden.case_inputs generates (the script and file agree)."""
    for name, reduction in golden.runs():
        args, opts = golden.case_inputs(name)
        k = golden.key(name, reduction)
        for i, a in enumerate(args):
            _same_input(ARRAYS[f"{k}/in{i}"], a, f"{k}/in{i}")
        for opt, a in opts.items():
            _same_input(ARRAYS[f"{k}/opt_{opt}"], a, f"{k}/opt_{opt}")


class TwoLayer(nn.Module):  # built by hand like the torch side, with the same attribute names
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.activation = nn.Sigmoid()
        self.fc2 = nn.Linear(3, 1)
        self.output_activation = nn.Sigmoid()


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", tb.ones(2))
        self.head = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.25), nn.Linear(3, 2, bias=False))
        self.w = nn.Parameter(tb.zeros(2))
        self.blocks = nn.ModuleList([nn.Linear(2, 2), nn.Tanh(), nn.LeakyReLU(0.2)])
        self.register_buffer("tmp", tb.zeros(1), persistent=False)
        self.out = nn.Softmax(dim=1)
        self.flat = nn.Flatten()


def _structures():
    return {"two_layer": nn.TwoLayerNet(2, 3, 1), "two_layer_by_hand": TwoLayer(), "nested": Nested(),
            "sequential": nn.Sequential(nn.Linear(3, 4), nn.Identity(), nn.LogSoftmax(dim=1)),
            "repeated": nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Tanh(), nn.ReLU()]
                                      + [nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))] * 2)}


@pytest.mark.parametrize("label", ["two_layer", "two_layer_by_hand", "nested", "sequential", "repeated"])
def test_keys_order_and_repr_match_pytorch(label):
    model = _structures()[label]
    want = INFO["structures"][label.replace("_by_hand", "")]
    assert list(model.state_dict()) == want["state_dict"]
    assert [n for n, _ in model.named_parameters()] == want["named_parameters"]
    assert [n for n, _ in model.named_buffers()] == want["named_buffers"]
    assert [n for n, _ in model.named_modules()] == want["named_modules"]
    text = repr(model).replace("TwoLayer(", "TwoLayerNet(") if label == "two_layer_by_hand" else repr(model)
    assert text == want["repr"]


def test_calculate_gain_matches_pytorch():
    for name, param, want in INFO["gains"]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(want, rel=1e-15), name
