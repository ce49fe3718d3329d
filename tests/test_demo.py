"""The demo (tinygrad_bp.demo) and the command line (python -m tinygrad_bp demo / graph)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_bp import demo
from tinygrad_bp.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--epochs", "2", "--samples", "30", "--batch-size", "10", "--hidden", "4", "--quiet"]


def small_config(**kw):
    base = {"epochs": 3, "samples": 60, "test_samples": 60, "batch_size": 16, "hidden": 8}
    return demo.DemoConfig(**{**base, **kw})


# -- the dataset and the runs ----------------------------------------------------------------------------

def test_spirals_shapes_classes_and_seed():
    X, y = demo.spirals(300, seed=1)
    assert X.shape == (300, 2) and X.dtype == np.float32
    assert y.shape == (300,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1, 2} and np.bincount(y).min() > 70
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-6)
    np.testing.assert_array_equal(demo.spirals(300, seed=1)[0], X)
    assert not np.array_equal(demo.spirals(300, seed=2)[0], X)


def test_spirals_are_not_linearly_separable():
    # the best linear classifier (least squares on one-hot targets) is far from perfect on spirals
    X, y = demo.spirals(600, seed=0)
    A = np.hstack([X, np.ones((600, 1))])
    W = np.linalg.lstsq(A, np.eye(3)[y], rcond=None)[0]
    assert ((A @ W).argmax(1) == y).mean() < 0.7


def test_run_all_rows_update_counts_and_shared_start():
    config = small_config()
    results = demo.run_all(config)
    assert [(r.optimizer, r.mode) for r in results] == [(name, "minibatch") for name in demo.OPTIMIZERS] + [
        ("sgd", "batch"), ("sgd", "stochastic")]
    updates = {(r.optimizer, r.mode): r.updates for r in results}
    assert updates["adam", "minibatch"] == 3 * 4  # ceil(60 / 16) = 4 batches per epoch
    assert updates["sgd", "batch"] == 3 and updates["sgd", "stochastic"] == 3 * 60
    # every run starts from the same weights: the same loss before the first update
    starts = {round(r.epoch_losses[0], 6) for r in results}
    assert len(starts) == 1 and all(len(r.epoch_losses) == 4 for r in results)
    by_name = {(r.optimizer, r.mode): r for r in results}
    assert by_name["sgd", "stochastic"].lr == pytest.approx(demo.DEFAULT_LR["sgd"] * demo.STOCHASTIC_LR_FACTOR)
    assert by_name["adam", "minibatch"].lr == demo.DEFAULT_LR["adam"]
    assert by_name["sgd", "batch"].batch_size == 60


def test_modes_use_the_first_optimizer_and_lr_overrides():
    results = demo.run_all(small_config(optimizers=("adam", "sgd"), modes=("batch",), lr=0.05, epochs=1))
    assert [(r.optimizer, r.mode) for r in results] == [("adam", "minibatch"), ("sgd", "minibatch"),
                                                        ("adam", "batch")]
    assert {r.lr for r in results} == {0.05}


def test_training_learns_the_spirals():
    config = demo.DemoConfig(epochs=15, optimizers=("adam",), modes=("minibatch",), test_samples=300)
    (r,) = demo.run_all(config)
    assert r.updates == 15 * 13
    assert r.loss < 0.6 * r.epoch_losses[0]
    assert r.test_accuracy > 0.6  # chance is 1/3


def test_format_table():
    results = demo.run_all(small_config(optimizers=("sgd", "rmsprop"), epochs=1))
    table = demo.format_table(results).splitlines()
    assert table[0].split() == ["optimizer", "mode", "batch", "lr", "updates", "final", "loss", "train", "acc",
                                "test", "acc", "time"]
    assert len(table) == 2 + len(results)
    assert table[2].split()[:5] == ["SGD", "mini-batch", "16", "1", "4"]
    assert table[-1].split()[:5] == ["SGD", "stochastic", "1", "0.1", "60"]
    assert table[-1].split()[-1] == "s" and table[-1].split()[-3].endswith("%")


def test_progress_bars_only_on_a_terminal(monkeypatch):
    assert demo.tqdm_progress(False) is None

    class Tty:
        def isatty(self):
            return True

        def write(self, s):
            return len(s)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stderr", Tty())
    factory = demo.tqdm_progress(True)
    bar = factory(3, "adam")
    bar.update(1)
    bar.close()
    monkeypatch.undo()
    assert demo.tqdm_progress(True) is None  # pytest's captured stderr is not a terminal


# -- the command line ------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["demo", "--epochs", "0"], "--epochs: must be at least 1"),
    (["demo", "--epochs", "ten"], "--epochs: expected a whole number"),
    (["demo", "--optimizers", "sgd,nadam"], "unknown optimizer 'nadam'"),
    (["demo", "--optimizers", "adam,adam"], "listed twice"),
    (["demo", "--modes", "full"], "unknown mode 'full'"),
    (["demo", "--lr", "0"], "--lr: must be a positive finite number"),
    (["demo", "--lr", "nan"], "--lr: must be a positive finite number"),
    (["demo", "--seed", "-3"], "--seed: must be between 0"),
    (["demo", "--batch-size", "500"], "--batch-size: 500 is more than the 200 training samples"),
    (["demo", "--activation", "gelu"], "invalid choice: 'gelu'"),
    (["demo", "--bogus"], "unrecognized arguments: --bogus"),
    ([], "required: COMMAND"),
    (["graph", "--hidden", "0"], "--hidden: must be at least 1"),
])
def test_bad_options_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_out_must_be_a_folder(tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["demo", *SMALL, "--out", str(f)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["demo", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--optimizers", "--epochs", "--batch-size", "--lr", "--seed", "--out", "--no-plots"):
        assert option in text


def test_demo_writes_table_plots_and_graphs_without_dot(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "")  # no Graphviz `dot` program: the SVGs come from the in-process renderer
    out = tmp_path / "demo out"
    assert main(["demo", *SMALL, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "final loss" in text and "Adam" in text and "stochastic" in text
    assert str(out.resolve()) in text
    for name in ("loss_curves.png", "decision_regions.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    forward = (out / "forward_graph.svg").read_text()
    gradient = (out / "gradient_graph.svg").read_text()
    assert forward.lstrip().startswith("<?xml") or "<svg" in forward[:500]
    for svg in (forward, gradient):
        assert "fc1.weight" in svg and "fc2.bias" in svg
    assert "‖g‖" in gradient and "‖g‖" not in forward


def test_no_plots_writes_nothing(tmp_path, capsys):
    out = tmp_path / "nothing"
    assert main(["demo", *SMALL, "--optimizers", "sgd", "--no-plots", "--out", str(out)]) == 0
    assert not out.exists()
    text = capsys.readouterr().out
    assert "wrote" not in text and "SGD" in text


def test_graph_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "")
    svg = tmp_path / "g.svg"
    assert main(["graph", "--grads", "-o", str(svg)]) == 0
    text = svg.read_text()
    assert "<svg" in text and "fc1.weight" in text and "‖g‖" in text
    dot = tmp_path / "g.dot"
    assert main(["graph", "--hidden", "3", "-o", str(dot)]) == 0
    assert dot.read_text().startswith("digraph")
    png = tmp_path / "g.png"
    assert main(["graph", "-o", str(png)]) == 0  # png without the dot program (in-process rasteriser)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["graph", "-o", str(tmp_path / "g.jpg")]) == 1  # jpg needs the dot program
    assert "dot" in capsys.readouterr().err and not (tmp_path / "g.jpg").exists()


def test_python_dash_m_and_lazy_imports():
    code = ("import sys, tinygrad_bp.__main__, tinygrad_bp.demo; "
            "print([m for m in ('matplotlib', 'tqdm', 'graphviz', 'sklearn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    proc = subprocess.run([sys.executable, "-m", "tinygrad_bp", "demo", "--epochs", "-1"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--epochs" in proc.stderr
