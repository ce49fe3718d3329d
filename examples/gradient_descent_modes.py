"""Batch, stochastic and mini-batch gradient descent (tutorial section 2.2): the same data, the same epochs.

The tutorial's example: 100 training samples, 50 epochs. Batch gradient descent uses all 100 samples
per update (50 updates), stochastic one sample per update (100 × 50 = 5000 updates), mini-batch 20
samples per update (5 per epoch, 250 updates). The code is the tutorial's loop with DataLoader's
batch_size set to len(dataset), 1 and 20; the target here is a noisy linear function of x (the
tutorial's y is pure noise, which leaves nothing to learn), so the loss curves show progress.

With the same learning rate, more updates per epoch go further per epoch (stochastic first), but
each stochastic update sees one sample, so its loss curve is noisy; batch descent is smooth and slow.

Run: ``python examples/gradient_descent_modes.py [OUT_DIR]``.
"""

import argparse
from pathlib import Path

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn, optim
from tinygrad_bp.utils.data import DataLoader, TensorDataset

MODES = {"batch": None, "stochastic": 1, "mini-batch": 20}  # None: the whole dataset


def train(batch_size, x, y, epochs, lr=0.01, seed=0):
    """The tutorial's training loop; returns (loss after every update, full-data loss after every epoch)."""
    tb.manual_seed(seed)  # the same initial weights and shuffling for every mode
    dataset = TensorDataset(x, y)
    dataloader = DataLoader(dataset, batch_size=batch_size or len(dataset), shuffle=True)
    model = nn.Linear(10, 1)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    update_losses, epoch_losses = [], []
    for _ in range(epochs):
        for b_x, b_y in dataloader:
            optimizer.zero_grad()
            output = model(b_x)
            loss = criterion(output, b_y)
            loss.backward()
            optimizer.step()
            update_losses.append(loss.item())
        with tb.no_grad():
            epoch_losses.append(criterion(model(x), y).item())
    return np.array(update_losses), np.array(epoch_losses)


def plot(results, out_dir):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    for name, (updates, epochs) in results.items():
        left.plot(np.arange(1, len(epochs) + 1), epochs, label=f"{name}: {len(updates)} updates")
    for name in ("stochastic", "mini-batch", "batch"):  # the noisiest first, so it does not hide the others
        updates = results[name][0]
        right.plot(np.arange(1, len(updates) + 1), updates, lw=0.7, label=name)
    left.set(title="loss on all 100 samples after each epoch", xlabel="epoch", ylabel="MSE", yscale="log")
    right.set(title="loss of the batch at each update", xlabel="update", ylabel="MSE", xscale="log", yscale="log")
    left.legend()
    right.legend()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "gradient_descent_modes.png", dpi=100)
    return out_dir / "gradient_descent_modes.png"


def main(out_dir=Path(__file__).parent / "out", small=False):
    rng = np.random.default_rng(0)
    x_np = rng.normal(size=(100, 10)).astype(np.float32)
    y_np = x_np @ rng.normal(size=(10, 1)).astype(np.float32) + 0.1 * rng.normal(size=(100, 1)).astype(np.float32)
    x, y = tb.tensor(x_np), tb.tensor(y_np)
    epochs = 50  # small or not: the tutorial's numbers are the point, and 5300 updates take about a second
    results = {name: train(bs, x, y, epochs) for name, bs in MODES.items()}
    print(f"{'mode':11s} {'batch size':>10s} {'updates':>8s} {'final loss':>11s}")
    for (name, bs), (updates, losses) in zip(MODES.items(), results.values()):
        print(f"{name:11s} {bs or 100:10d} {len(updates):8d} {losses[-1]:11.4f}")
    if out_dir is not None:
        print("wrote", plot(results, out_dir))
    return {"updates": {k: len(u) for k, (u, _) in results.items()},
            "final_loss": {k: float(e[-1]) for k, (_, e) in results.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default=Path(__file__).parent / "out")
    main(parser.parse_args().out_dir)
