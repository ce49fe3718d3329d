"""The demo behind ``python -m tinygrad_bp demo``: the tutorial's optimizers and gradient-descent modes, side by side.

The tutorial's two-layer network (``nn.TwoLayerNet``: Linear -> activation -> Linear, here with a softmax
cross-entropy loss on three classes) learns three interleaved spirals, a problem no straight line can
separate. Every run starts from the same initial weights and sees the batches in the same order, so the
only difference between two rows of the table is the optimizer (or the batch size):

* each optimizer (SGD, Momentum, AdaGrad, RMSprop, Adam) trains with mini-batch gradient descent;
* the first optimizer also trains with batch (all samples per update) and stochastic (one sample per
  update) gradient descent for the same number of epochs: the tutorial's 50 / 5000 / 250 updates,
  at this demo's sizes.

Learning rates (``DEFAULT_LR``) are the best of a 3x grid per optimizer on this problem (SGD and
Momentum 1.0, AdaGrad 0.3, RMSprop and Adam 0.03), so each optimizer is shown near its best.
Stochastic runs take a tenth of that rate: one sample's gradient is noisy, and the tutorial
recommends a smaller rate for it (SGD at 1.0 on single samples diverges here). ``--lr`` sets one
rate for every run.

The hidden activation is tanh by default: the tutorial's sigmoid works too (``activation="sigmoid"``) but
learns spirals far more slowly, since σ'(z) <= 1/4 shrinks every gradient that passes through it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import nn, optim
from .autograd.grad_mode import no_grad
from .random import Generator, manual_seed
from .tensor import Tensor
from .utils.data import DataLoader, TensorDataset

OPTIMIZERS: dict[str, Callable[..., optim.Optimizer]] = {
    "sgd": optim.SGD,
    "momentum": optim.Momentum,
    "adagrad": optim.Adagrad,
    "rmsprop": optim.RMSprop,
    "adam": optim.Adam,
}
DISPLAY = {"sgd": "SGD", "momentum": "Momentum", "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}
DEFAULT_LR = {"sgd": 1.0, "momentum": 1.0, "adagrad": 0.3, "rmsprop": 0.03, "adam": 0.03}
STOCHASTIC_LR_FACTOR = 0.1
MODES = ("batch", "stochastic", "minibatch")
MODE_NAMES = {"batch": "batch", "stochastic": "stochastic", "minibatch": "mini-batch"}
ACTIVATIONS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}
CLASSES = 3
POINT_COLOURS = ("#d62728", "#1f77b4", "#2ca02c")
REGION_COLOURS = ("#f7c6c6", "#c6dbef", "#c7e9c0")


@dataclass
class DemoConfig:
    """Everything one demo run depends on (the command line's options)."""

    optimizers: tuple[str, ...] = tuple(OPTIMIZERS)
    modes: tuple[str, ...] = MODES
    epochs: int = 40
    batch_size: int = 16
    lr: float | None = None  # None: DEFAULT_LR per optimizer (a tenth of it for stochastic runs)
    seed: int = 0
    samples: int = 200
    test_samples: int = 600
    hidden: int = 32
    activation: str = "tanh"
    noise: float = 0.2


@dataclass
class RunResult:
    """One training run: what was trained, and how it ended."""

    optimizer: str
    mode: str
    batch_size: int
    lr: float
    updates: int
    loss: float  # cross-entropy on the whole training set after the last epoch
    train_accuracy: float
    test_accuracy: float
    seconds: float
    epoch_losses: list[float] = field(default_factory=list)  # [0] is before training
    model: Any = field(default=None, repr=False)


def spirals(n: int, classes: int = CLASSES, noise: float = 0.2, turns: float = 0.75,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points on ``classes`` interleaved spiral arms in the unit disc: (X float32 (n, 2), y int64 (n,)).

    A point of class c at radius r sits at angle 2π·c/classes + 2π·turns·r (+ Gaussian noise).
    """
    rng = np.random.default_rng(seed)
    label = rng.integers(0, classes, n)
    radius = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * (label / classes + turns * radius) + rng.normal(0.0, noise, n)
    X = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return X.astype(np.float32), label.astype(np.int64)


def make_model(config: DemoConfig) -> nn.TwoLayerNet:
    """The tutorial's network with ``config.seed``'s initial weights; it outputs logits (no output σ)."""
    manual_seed(config.seed)
    return nn.TwoLayerNet(2, config.hidden, CLASSES, activation=ACTIVATIONS[config.activation],
                          output_activation=None)


def learning_rate(config: DemoConfig, optimizer: str, mode: str) -> float:
    if config.lr is not None:
        return config.lr
    lr = DEFAULT_LR[optimizer]
    return lr * STOCHASTIC_LR_FACTOR if mode == "stochastic" else lr


def batch_size_for(config: DemoConfig, mode: str) -> int:
    return {"batch": config.samples, "stochastic": 1}.get(mode, config.batch_size)


def evaluate(model: nn.Module, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of ``model`` on (X, y), without recording a graph."""
    with no_grad():
        logits = model(Tensor(X))
        loss = nn.functional.cross_entropy(logits, Tensor(y)).item()
    return loss, float((logits._array.argmax(axis=1) == y).mean())


def train(config: DemoConfig, optimizer: str, mode: str, data: dict, progress: Callable | None = None) -> RunResult:
    """Train a fresh network with ``optimizer`` in ``mode``; record the training loss after every epoch.

    ``progress(total, desc)`` may return a progress bar (an object with ``update`` / ``set_postfix_str`` /
    ``close``), or None.
    """
    X, y = data["train"]
    model = make_model(config)
    lr = learning_rate(config, optimizer, mode)
    opt = OPTIMIZERS[optimizer](model.parameters(), lr=lr)
    bs = batch_size_for(config, mode)
    loader = DataLoader(TensorDataset(Tensor(X), Tensor(y)), batch_size=bs, shuffle=True,
                        generator=Generator().manual_seed(config.seed))
    criterion = nn.CrossEntropyLoss()
    losses = [evaluate(model, X, y)[0]]
    bar = progress(config.epochs, f"{DISPLAY[optimizer]:8s} {MODE_NAMES[mode]:10s}") if progress else None
    updates = 0
    start = time.perf_counter()
    for _ in range(config.epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            updates += 1
        losses.append(evaluate(model, X, y)[0])
        if bar is not None:
            bar.set_postfix_str(f"loss {losses[-1]:.3f}", refresh=False)
            bar.update(1)
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    train_acc = evaluate(model, X, y)[1]
    test_acc = evaluate(model, *data["test"])[1]
    return RunResult(optimizer, mode, bs, lr, updates, losses[-1], train_acc, test_acc, seconds, losses, model)


def make_data(config: DemoConfig) -> dict:
    """Training and test spirals (independent draws, both from ``config.seed``)."""
    return {"train": spirals(config.samples, noise=config.noise, seed=config.seed),
            "test": spirals(config.test_samples, noise=config.noise, seed=config.seed + 10_000)}


def run_all(config: DemoConfig, data: dict | None = None, progress: Callable | None = None) -> list[RunResult]:
    """Every optimizer with mini-batches, then the first optimizer with the other modes of ``config.modes``."""
    data = make_data(config) if data is None else data
    results = [train(config, name, "minibatch", data, progress) for name in config.optimizers]
    first = config.optimizers[0]
    results += [train(config, first, mode, data, progress) for mode in config.modes if mode != "minibatch"]
    return results


def format_table(results: Sequence[RunResult]) -> str:
    """The comparison table, one row per run, as aligned plain text."""
    header = ("optimizer", "mode", "batch", "lr", "updates", "final loss", "train acc", "test acc", "time")
    rows = [(DISPLAY[r.optimizer], MODE_NAMES[r.mode], str(r.batch_size), f"{r.lr:g}", str(r.updates),
             f"{r.loss:.4f}", f"{100 * r.train_accuracy:.1f}%", f"{100 * r.test_accuracy:.1f}%",
             f"{r.seconds:.2f} s") for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    left = {0, 1}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    return "\n".join(out)


def summary(results: Sequence[RunResult]) -> list[str]:
    """A few sentences that read the table: which optimizer got furthest, what the modes cost."""
    lines = []
    minibatch = [r for r in results if r.mode == "minibatch"]
    if len(minibatch) > 1:
        best, worst = min(minibatch, key=lambda r: r.loss), max(minibatch, key=lambda r: r.loss)
        lines.append(f"Same start, same batches, {minibatch[0].updates} updates each: "
                     f"{DISPLAY[best.optimizer]} got the lowest loss ({best.loss:.4f}), "
                     f"{DISPLAY[worst.optimizer]} the highest ({worst.loss:.4f}).")
    first = results[0].optimizer if results else None
    modes = {r.mode: r for r in results if r.optimizer == first}
    if len(modes) > 1:
        parts = [f"{MODE_NAMES[m]} {modes[m].updates} updates ({modes[m].seconds:.2f} s)" for m in MODES if m in modes]
        lines.append(f"Same epochs, {DISPLAY[first]}: " + ", ".join(parts) + ".")
    return lines


def describe(config: DemoConfig) -> str:
    return (f"TwoLayerNet(2 -> {config.hidden} {config.activation} -> {CLASSES}) with cross-entropy on "
            f"{config.samples} training points of {CLASSES} interleaved spirals ({config.test_samples} test points), "
            f"{config.epochs} epochs, seed {config.seed}")


# -- pictures (matplotlib and graphviz are imported here, only when pictures are asked for) --------------

def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    return Figure(figsize=(width, height), layout="constrained")


def plot_losses(results: Sequence[RunResult], path: Path | str) -> Path:
    """Loss curves: optimizers by epoch (left); the gradient-descent modes by epoch and by update (right)."""
    minibatch = [r for r in results if r.mode == "minibatch"]
    first = results[0].optimizer if results else None
    modes = [r for r in results if r.optimizer == first]
    panels = 1 + (len(modes) > 1) * 2
    fig = _figure(5.2 * panels, 4.0)
    axes = fig.subplots(1, panels, squeeze=False)[0]
    ax = axes[0]
    for r in minibatch:
        ax.plot(range(len(r.epoch_losses)), r.epoch_losses, label=f"{DISPLAY[r.optimizer]} (lr {r.lr:g})")
    ax.set(title=f"Optimizers, mini-batch of {minibatch[0].batch_size}" if minibatch else "Optimizers",
           xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log")
    ax.legend()
    if panels > 1:
        for r in modes:
            label = f"{MODE_NAMES[r.mode]} (batch {r.batch_size}, {r.updates} updates)"
            axes[1].plot(range(len(r.epoch_losses)), r.epoch_losses, label=label)
            per_epoch = r.updates / max(len(r.epoch_losses) - 1, 1)
            axes[2].plot(np.arange(len(r.epoch_losses)) * per_epoch + 1, r.epoch_losses, label=MODE_NAMES[r.mode])
        axes[1].set(title=f"{DISPLAY[first]}: batch, stochastic, mini-batch", xlabel="epoch",
                    ylabel="training loss", yscale="log")
        axes[2].set(title="the same runs, by number of updates", xlabel="parameter updates (log scale)",
                    ylabel="training loss", xscale="log", yscale="log")
        axes[1].legend()
        axes[2].legend()
    fig.savefig(path, dpi=110)
    return Path(path)


def plot_decision_regions(results: Sequence[RunResult], data: dict, path: Path | str) -> Path:
    """Each mini-batch run's predicted class over the plane, with the test points on top."""
    runs = [r for r in results if r.mode == "minibatch" and r.model is not None]
    Xt, yt = data["test"]
    fig = _figure(3.0 * len(runs), 3.4)
    axes = fig.subplots(1, len(runs), squeeze=False)[0]
    grid = np.linspace(-1.1, 1.1, 160, dtype=np.float32)
    gx, gy = np.meshgrid(grid, grid)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    for ax, r in zip(axes, runs):
        with no_grad():
            region = r.model(Tensor(points))._array.argmax(axis=1).reshape(gx.shape)
        ax.contourf(gx, gy, region, levels=np.arange(CLASSES + 1) - 0.5, colors=REGION_COLOURS)
        ax.scatter(Xt[:, 0], Xt[:, 1], c=[POINT_COLOURS[k] for k in yt], s=4)
        ax.set(title=f"{DISPLAY[r.optimizer]}: test acc {100 * r.test_accuracy:.0f}%", xticks=[], yticks=[],
               aspect="equal")
    fig.savefig(path, dpi=110)
    return Path(path)


def draw_graphs(config: DemoConfig, data: dict, out: Path) -> list[Path]:
    """The forward graph of one mini-batch step and, after backward(), the same graph with its gradients."""
    from . import viz

    model = make_model(config)
    X, y = data["train"]
    loss = nn.CrossEntropyLoss()(model(Tensor(X[:4])), Tensor(y[:4]))
    forward = viz.render(viz.draw_graph(loss, params=model, show_values=True), out / "forward_graph.svg")
    loss.backward()
    gradient = viz.render(viz.draw_graph(loss, params=model, show_grads=True), out / "gradient_graph.svg")
    return [Path(forward), Path(gradient)]


def tqdm_progress(enabled: bool) -> Callable | None:
    """A factory of tqdm bars on stderr, or None when disabled or stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm.auto import tqdm

    return lambda total, desc: tqdm(total=total, desc=desc, unit="epoch", leave=False, file=sys.stderr)


def run(config: DemoConfig, out: Path | None, progress: bool = True, echo: Callable[[str], Any] = print) -> dict:
    """The whole demo: train, print the table, write the pictures into ``out`` (None: no files).

    Returns {"results": [...], "table": str, "files": [...]}.
    """
    echo(describe(config))
    data = make_data(config)
    started = time.perf_counter()
    results = run_all(config, data, tqdm_progress(progress))
    table = format_table(results)
    echo("")
    echo(table)
    echo("")
    for line in summary(results):
        echo(line)
    files: list[Path] = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        files.append(plot_losses(results, out / "loss_curves.png"))
        files.append(plot_decision_regions(results, data, out / "decision_regions.png"))
        files += draw_graphs(config, data, out)
        echo("")
        echo(f"wrote {len(files)} files to {out.resolve()}{_sep()}" + _sep().join(f.name for f in files))
    echo(f"\ndone in {time.perf_counter() - started:.1f} s")
    return {"results": results, "table": table, "files": files}


def _sep() -> str:
    return "\n  "
