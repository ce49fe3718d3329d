"""The tutorial's seven PyTorch samples (examples/tutorial/*.py, only the imports changed) run and learn.

Each sample prints one "Loss: ..." line per update; we count the updates (batch, stochastic and
mini-batch gradient descent differ exactly there) and check that the loss goes down. The data are
random (y does not depend on x), so "down" means from about 1.3 (a random initial line) towards the
variance of y, about 1.
"""

import re
import runpy
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "tutorial"
SAMPLES = ["batch_gd", "stochastic_gd", "minibatch_gd", "momentum", "adagrad", "rmsprop", "adam"]


def run_sample(name, epochs, capsys):
    tb.manual_seed(0)
    main = runpy.run_path(str(EXAMPLES / f"{name}.py"))["main"]
    main(epochs=epochs)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(re.fullmatch(r"Epoch \d+, Loss: [0-9.e+-]+", line) for line in lines), lines[:3]
    return np.array([float(v) for v in re.findall(r"Loss: ([0-9.e+-]+)", out)])


def test_every_sample_is_there_with_only_the_imports_changed():
    for name in SAMPLES:
        source = (EXAMPLES / f"{name}.py").read_text()
        assert "import tinygrad_bp as torch" in source
        assert not re.search(r"^\s*(import torch|from torch)", source, re.MULTILINE)


@pytest.mark.parametrize("name", ["momentum", "adagrad", "rmsprop", "adam"])
def test_full_batch_optimizer_samples_lower_the_loss(name, capsys):
    losses = run_sample(name, 100, capsys)  # the tutorial's 100 epochs: 100 updates on 100 samples
    assert len(losses) == 100
    assert losses[-1] < losses[0] - 0.1
    assert losses[-10:].mean() < losses[:10].mean()


def test_batch_gradient_descent_one_update_per_epoch(capsys):
    losses = run_sample("batch_gd", 100, capsys)
    assert len(losses) == 100
    assert np.all(np.diff(losses) < 0)  # the true gradient with a small step: monotone
    assert losses[-1] < losses[0] - 0.1


def test_minibatch_gradient_descent_ten_updates_per_epoch(capsys):
    losses = run_sample("minibatch_gd", 10, capsys)
    assert len(losses) == 10 * 10  # 1000 samples in batches of 100
    assert losses[-10:].mean() < losses[:10].mean() - 0.1


def test_stochastic_gradient_descent_one_update_per_sample(capsys, monkeypatch):
    # One sample's loss is too noisy to show progress, so record the model and the data set and
    # compare the loss over all 1000 samples before and after the epoch.
    created = {}

    class RecordingLinear(tb.nn.Linear):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created["model"] = self
            created["initial"] = (self.weight._array.copy(), self.bias._array.copy())

    class RecordingDataset(tb.utils.data.TensorDataset):
        def __init__(self, *tensors):
            super().__init__(*tensors)
            created["data"] = tensors

    monkeypatch.setattr(tb.nn, "Linear", RecordingLinear)
    monkeypatch.setattr(tb.utils.data, "TensorDataset", RecordingDataset)
    losses = run_sample("stochastic_gd", 1, capsys)
    assert len(losses) == 1000

    x, y = (t._array.astype(np.float64) for t in created["data"])

    def mse(weight, bias):
        return float(((x @ weight.T + bias - y) ** 2).mean())

    model = created["model"]
    before, after = mse(*created["initial"]), mse(model.weight._array, model.bias._array)
    assert after < before - 0.1
