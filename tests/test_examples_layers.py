"""The layer examples train, in a small setting, to their stated numbers: the CNN on scikit-learn's
digits to at least 97% test accuracy; the character-level GRU on the shipped rhyme below 0.6 nats."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cnn_on_digits_reaches_97_percent_test_accuracy(capsys):
    pytest.importorskip("sklearn")
    result = _load("cnn_digits").main(epochs=5)
    assert result["test_size"] == 360
    assert result["test_accuracy"] >= 0.97
    assert result["losses"][-1] < result["losses"][0] / 10
    assert "test images" in capsys.readouterr().out


def test_char_gru_loss_falls_below_the_bound_and_it_samples(capsys):
    result = _load("char_gru").main(steps=150)
    assert result["first_loss"] > 3.0  # about ln(vocabulary): chance level
    assert result["final_loss"] < 0.6
    text = result["sample"]  # 120 characters drawn with tb.multinomial after the prompt
    assert text.startswith("Mary ") and len(text) == 5 + 120
    assert set(text) <= set((EXAMPLES / "data" / "mary_had_a_little_lamb.txt").read_text())
    assert text in capsys.readouterr().out
