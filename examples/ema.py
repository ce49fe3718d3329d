"""Exponentially weighted averages (tutorial section 2.4.1): v₀ = x₀,  v_t = β·v_{t−1} + (1 − β)·x_t.

First the tutorial's worked numbers for x = [1, 2, 3, 4, 5] with β = 0.1 and β = 0.9, from
``tb.optim.ema``; then a noisy series (a year of daily temperatures) smoothed with several β: the
larger β, the smoother the average and the further it lags behind the data. The weight of a value k
steps back is (1 − β)·βᵏ, so the average "remembers" roughly the last 1/(1 − β) values.

Run: ``python examples/ema.py [OUT_DIR]``.
"""

import argparse
from pathlib import Path

import numpy as np

from tinygrad_bp import optim

BETAS = (0.5, 0.9, 0.98)


def temperatures(days=365, seed=0):
    """A year of made-up daily temperatures: a seasonal wave plus day-to-day noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    return 12 - 10 * np.cos(2 * np.pi * (t - 15) / days) + rng.normal(0, 3, days)


def plot(series, smoothed, out_dir):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(series, ".", ms=3, color="0.6", label="daily value x_t")
    for beta, v in smoothed.items():
        ax.plot(v, lw=1.8, label=f"β = {beta}  (≈ last {1 / (1 - beta):.0f} days)")
    ax.set(title="exponentially weighted averages v_t = β·v_(t−1) + (1 − β)·x_t", xlabel="day", ylabel="°C")
    ax.legend()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "ema.png", dpi=100)
    return out_dir / "ema.png"


def main(out_dir=Path(__file__).parent / "out", small=False):
    x = [1, 2, 3, 4, 5]
    tutorial = {beta: optim.ema(x, beta) for beta in (0.1, 0.9)}
    for beta, v in tutorial.items():
        print(f"x = {x}, β = {beta}: EMA = {np.round(v, 4).tolist()}")

    series = temperatures()
    smoothed = {beta: optim.ema(series, beta) for beta in BETAS}
    # how rough is each curve: the mean absolute change from one day to the next
    roughness = {beta: float(np.abs(np.diff(v)).mean()) for beta, v in smoothed.items()}
    roughness_data = float(np.abs(np.diff(series)).mean())
    print(f"day-to-day change: data {roughness_data:.2f} °C, "
          + ", ".join(f"β={b}: {r:.2f} °C" for b, r in roughness.items()))
    if out_dir is not None:
        print("wrote", plot(series, smoothed, out_dir))
    return {"tutorial": tutorial, "roughness": roughness, "roughness_data": roughness_data}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default=Path(__file__).parent / "out")
    main(parser.parse_args().out_dir)
