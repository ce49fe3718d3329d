"""Every example runs, and its key number is checked."""

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_forward_backward_by_hand(capsys):
    out = load("forward_backward_by_hand").main()
    # the classic worked example: loss 0.0284731..., dL/dW2 = [-0.02644, -0.02661]
    assert abs(out["loss"] - 0.0284731) < 1e-6
    np.testing.assert_allclose(out["dW2"].ravel(), [-0.0264476, -0.0266096], rtol=1e-4)
    assert "dL/dW1" in capsys.readouterr().out
