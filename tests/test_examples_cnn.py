"""The CNN example on scikit-learn's digits trains, in a small setting, to at least 97% test accuracy."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cnn_digits.py"


def test_cnn_on_digits_reaches_97_percent_test_accuracy(capsys):
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("cnn_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(epochs=5)
    assert result["test_size"] == 360
    assert result["test_accuracy"] >= 0.97
    assert result["losses"][-1] < result["losses"][0] / 10
    assert "test images" in capsys.readouterr().out
