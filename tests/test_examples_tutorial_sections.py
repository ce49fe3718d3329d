"""Each tutorial-section example runs at small sizes, writes its figure, and its key numbers hold."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_png(path):
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_forward_propagation_by_hand_matches_two_layer_net(capsys):
    out = load("forward_propagation").main()
    assert out["column_error"] < 1e-6
    assert out["batch_error"] < 1e-6
    assert out["y_pred"].shape == (2,) and np.all((out["y_pred"] > 0) & (out["y_pred"] < 1))
    assert "z1" in capsys.readouterr().out


def test_gradient_descent_modes_update_counts_and_losses(tmp_path):
    out = load("gradient_descent_modes").main(tmp_path, small=True)
    assert out["updates"] == {"batch": 50, "stochastic": 5000, "mini-batch": 250}  # the tutorial's numbers
    loss = out["final_loss"]
    assert loss["stochastic"] < loss["mini-batch"] < loss["batch"]
    assert loss["stochastic"] < 0.03  # the noise floor is 0.1² = 0.01
    assert loss["batch"] > 0.3  # 50 small steps are not enough
    assert_png(tmp_path / "gradient_descent_modes.png")


def test_ema_tutorial_numbers_and_smoothing(tmp_path):
    out = load("ema").main(tmp_path, small=True)
    np.testing.assert_allclose(out["tutorial"][0.1], [1, 1.9, 2.89, 3.889, 4.8889], rtol=1e-12)
    np.testing.assert_allclose(out["tutorial"][0.9], [1, 1.1, 1.29, 1.561, 1.9049], rtol=1e-12)
    rough = [out["roughness"][b] for b in sorted(out["roughness"])]
    assert out["roughness_data"] > rough[0] > rough[1] > rough[2]  # larger β, smoother curve
    assert_png(tmp_path / "ema.png")


def test_optimizer_surfaces_show_the_tutorials_behaviours(tmp_path):
    out = load("optimizer_surfaces").main(tmp_path, small=True)
    zig, mean_y = out["ravine_zigzags"], out["ravine_mean_abs_y"]
    assert zig["SGD"] >= 50  # reverses across the ravine at nearly every one of 60 steps
    assert zig["Momentum"] <= zig["SGD"] / 3
    assert zig["SGD(momentum=0.9)"] <= zig["SGD"] / 3
    assert mean_y["SGD(momentum=0.9)"] < mean_y["SGD"] / 2  # and its swings across the ravine are smaller
    escape = out["saddle_escape_step"]
    assert escape["SGD"] is not None
    for name in ("AdaGrad", "RMSprop", "Adam"):
        assert escape[name] is not None and escape[name] < escape["SGD"] / 2
    x = out["plateau_final_x"]
    for name in ("SGD", "AdaGrad", "RMSprop"):
        assert x[name] < 0.1  # stuck before the flat point at x = 0
    for name in ("Momentum", "Adam"):
        assert abs(x[name] - 1) < 0.05  # carried across it, to the minimum at x = 1
    adagrad, rmsprop = out["adagrad_rate"], out["rmsprop_rate"]
    assert np.all(np.diff(adagrad) <= 0) and adagrad[-1] < adagrad[0] / 2  # AdaGrad's rate only shrinks
    assert rmsprop[-1] > 1.5 * rmsprop.min()  # RMSprop's recovers
    assert_png(tmp_path / "optimizer_surfaces.png")


def test_adam_bias_correction(tmp_path):
    mod = load("adam_bias_correction")
    out = mod.main(tmp_path, small=True)
    t = np.arange(1, len(out["expected_m"]) + 1)
    np.testing.assert_allclose(out["expected_m"], (1 - 0.9 ** t) * out["mu"], atol=0.02)  # E(m_t) = (1 − β₁ᵗ)μ
    assert out["expected_m"][0] < 0.1 < out["mu"]  # m_1 is biased towards 0 ...
    np.testing.assert_allclose(out["expected_m_hat"], out["mu"], atol=0.1)  # ... m̂_t is not
    assert out["uncorrected_steps"][0] / mod.LR == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-6)  # 3.162
    assert out["uncorrected_steps"].max() / mod.LR > 6
    np.testing.assert_allclose(out["corrected_steps"] / mod.LR, 1.0, rtol=1e-6)
    for g, steps in out["adam_steps"].items():
        np.testing.assert_allclose(steps / mod.LR, 1.0, rtol=1e-4, err_msg=f"gradient {g}")
    assert_png(tmp_path / "adam_bias_correction.png")


def test_lr_schedules_beat_constant_rates(tmp_path):
    out = load("lr_schedules").main(tmp_path, small=True)
    constant = [v["final_excess"] for k, v in out.items() if k.startswith("constant")]
    assert len(constant) == 2
    for name in ("StepLR", "ExponentialLR", "CosineAnnealingLR"):
        (key,) = [k for k in out if k.startswith(name)]
        assert out[key]["final_excess"] < min(constant), key
        assert out[key]["lrs"][0] == pytest.approx(0.05) and out[key]["lrs"][-1] < 0.005
    (cosine,) = [v["lrs"] for k, v in out.items() if k.startswith("Cosine")]
    epochs = len(cosine)
    np.testing.assert_allclose(cosine, 0.05 * (1 + np.cos(np.pi * np.arange(epochs) / epochs)) / 2, rtol=1e-6)
    assert_png(tmp_path / "lr_schedules.png")


def test_digits_reaches_95_percent(tmp_path):
    pytest.importorskip("sklearn")
    out = load("digits").main(tmp_path, small=True)
    assert out["test_size"] == 360
    assert out["test_accuracy"] >= 0.95
    assert_png(tmp_path / "digits.png")


def test_custom_function_gradients():
    out = load("custom_function").main()
    assert out["gradcheck"] is True
    assert out["grad_difference"] < 1e-6


def test_hessian_vector_product_with_create_graph():
    out = load("hessian_vector_product").main()
    np.testing.assert_allclose(out["hvp"], [63.0, 4.0], rtol=1e-12)  # H(−1.2, 1)·(0.3, −0.7), by hand
    assert out["hvp_error"] < 1e-9
    assert out["newton_distance"][0] > 2 and out["newton_distance"][-1] < 1e-8
