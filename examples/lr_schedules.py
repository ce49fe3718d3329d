"""Learning-rate schedules: "the learning rate should change as training proceeds" (tutorial section 2.1.1).

A large constant rate makes fast progress, then keeps jumping around the minimum (mini-batch gradients
are noisy); a small constant rate is steady but slow. A schedule starts large and ends small, and gets
both. Five schedulers from ``tb.optim.lr_scheduler`` are drawn; three of them train the same linear
regression with mini-batch SGD against two constant rates. The measure is the excess loss: the
training MSE minus the smallest MSE any linear model can reach on this data (least squares).

Run: ``python examples/lr_schedules.py [OUT_DIR] [--small]``.
"""

import argparse
import math
from pathlib import Path

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn, optim
from tinygrad_bp.optim import lr_scheduler
from tinygrad_bp.utils.data import DataLoader, TensorDataset

LR = 0.05


def schedules(epochs):
    """name -> a function that builds the scheduler for an optimizer (None: constant lr)."""
    return {
        f"constant {LR}": None,
        f"constant {LR / 10:g}": "small",
        "StepLR(step_size=epochs/4, gamma=0.3)": lambda o: lr_scheduler.StepLR(o, step_size=max(epochs // 4, 1),
                                                                                 gamma=0.3),
        "MultiStepLR(milestones=[epochs/2, 3·epochs/4])": lambda o: lr_scheduler.MultiStepLR(
            o, milestones=[epochs // 2, 3 * epochs // 4], gamma=0.1),
        "ExponentialLR(gamma)": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.01 ** (1 / epochs)),
        "CosineAnnealingLR(T_max=epochs)": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=epochs),
        "LambdaLR(warm-up, then 1/√epoch)": lambda o: lr_scheduler.LambdaLR(
            o, lambda e: (e + 1) / 3 if e < 3 else math.sqrt(3 / (e + 1))),
    }


def make_data(n=500, features=10, noise=0.5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    y = X @ rng.normal(size=(features, 1)).astype(np.float32) + noise * rng.normal(size=(n, 1)).astype(np.float32)
    return X, y


def train(make_scheduler, X, y, epochs, batch_size=10, seed=0):
    """Mini-batch SGD; returns (lr used in each epoch, training MSE after each epoch)."""
    tb.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    lr = LR / 10 if make_scheduler == "small" else LR
    optimizer = optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer) if callable(make_scheduler) else None
    loader = DataLoader(TensorDataset(tb.tensor(X), tb.tensor(y)), batch_size=batch_size, shuffle=True)
    criterion = nn.MSELoss()
    lrs, losses = [], []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        for xb, yb in loader:
            optimizer.zero_grad()
            criterion(model(xb), yb).backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()  # once per epoch, after the optimizer's steps (PyTorch's order)
        with tb.no_grad():
            losses.append(criterion(model(tb.tensor(X)), tb.tensor(y)).item())
    return np.array(lrs), np.array(losses)


def plot(results, out_dir):
    from matplotlib.figure import Figure

    # 9 in wide, text 11 pt or more: legible at the width a page shows it (docs/make_figures.py checks)
    fig = Figure(figsize=(9, 8.5), layout="constrained")
    left, right = fig.subplots(2, 1, sharex=True)
    for name, (lrs, excess) in results.items():
        epochs = np.arange(1, len(lrs) + 1)
        left.plot(epochs, lrs, label=name)
        right.plot(epochs, excess, label=name)
    left.set(title="learning rate in each epoch", ylabel="lr", yscale="log")
    right.set(title="training MSE above the least-squares optimum", xlabel="epoch", ylabel="excess MSE",
              yscale="log")
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=11)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "lr_schedules.png", dpi=100)
    return out_dir / "lr_schedules.png"


def main(out_dir=Path(__file__).parent / "out", small=False):
    epochs = 12 if small else 30
    X, y = make_data()
    X1 = np.hstack([X, np.ones((len(X), 1), np.float32)]).astype(np.float64)
    best = float(np.mean((X1 @ np.linalg.lstsq(X1, y.astype(np.float64), rcond=None)[0] - y) ** 2))
    results = {}
    for name, make in schedules(epochs).items():
        lrs, losses = train(make, X, y, epochs)
        results[name] = (lrs, np.maximum(losses - best, 1e-12))
    print(f"least-squares MSE {best:.5f}; excess MSE after {epochs} epochs:")
    for name, (lrs, excess) in results.items():
        print(f"  {name:50s} lr {lrs[0]:.4g} -> {lrs[-1]:.4g}   excess {excess[-1]:.2e}")
    if out_dir is not None:
        print("wrote", plot(results, out_dir))
    return {name: {"lrs": lrs, "final_excess": float(excess[-1])} for name, (lrs, excess) in results.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default=Path(__file__).parent / "out")
    parser.add_argument("--small", action="store_true", help="fewer epochs (for tests)")
    args = parser.parse_args()
    main(args.out_dir, args.small)
