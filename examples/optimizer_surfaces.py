"""Momentum, AdaGrad, RMSprop and Adam on four 2-D surfaces: what the tutorial (section 2.4) says, measured.

Each optimizer moves one point θ = (x, y) downhill on f(x, y), using backward() for the gradient; the
paths are drawn over the contour lines of f.

* ravine      f = x²/20 + y²: a long, narrow valley. Plain SGD with a large rate zig-zags across it
              (the y-step reverses direction at every step). Momentum averages the alternating gradients
              and the zig-zag disappears ("减少震荡"). Two forms are drawn: the tutorial's
              v = β·v + (1 − β)·g (``optim.Momentum``, same lr as SGD), whose average starts at the first,
              largest gradient (v₁ = g₁) and so swings wide before settling; and PyTorch's
              ``SGD(momentum=0.9)`` (v = β·v + g, lr ten times smaller: the same step for a steady
              gradient), which builds its velocity up from one small first step and stays inside the
              valley: its swings across it are smaller than SGD's.
* saddle      f = x² − y² + y⁴/2, starting next to the saddle point (0, 0) where ∂f/∂y ≈ 0. Methods that
              divide by the gradient's size (RMSprop, Adam, AdaGrad) take full-size steps even where the
              gradient is tiny, and leave the saddle long before SGD. (RMSprop's first step is even
              lr/√(1 − α) = 10·lr: its average of g² starts at zero and has no bias correction; compare
              adam_bias_correction.py.) The tutorial's Momentum, at SGD's rate, is slower than SGD here:
              its average lags behind the gradient that grows as the point leaves the saddle.
* plateau     f = y² − x³/3 + x⁴/4: a flat, degenerate saddle at (0, 0) (zero gradient and curvature
              along x) before the minimum at (1, 0). SGD, AdaGrad and RMSprop creep towards the flat point
              and stop; Momentum and Adam carry their velocity across it ("惯性效应") and reach (1, 0).
* rosenbrock  f = (1 − x)² + 100(y − x²)²: AdaGrad's rate lr/√G only shrinks, because G sums every
              squared gradient, so it stalls far from (1, 1); RMSprop's average forgets old gradients and
              its rate recovers; Adam gets to the minimum.

Run: ``python examples/optimizer_surfaces.py [OUT_DIR] [--small]``.
"""

import argparse
from pathlib import Path

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import optim

OPTIMIZERS = {"SGD": optim.SGD, "Momentum": optim.Momentum, "AdaGrad": optim.Adagrad, "RMSprop": optim.RMSprop,
              "Adam": optim.Adam, "SGD(momentum=0.9)": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9)}
TUTORIAL = ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"]

# name: (f, start, steps, learning rate per optimizer, plot window (xmin, xmax, ymin, ymax))
SURFACES = {
    "ravine": (lambda p: p[0] ** 2 / 20 + p[1] ** 2, (-9.0, 1.0), 60,
               {"SGD": 0.99, "Momentum": 0.99, "SGD(momentum=0.9)": 0.099, "Adam": 0.5}, (-10, 2, -4, 4)),
    "saddle": (lambda p: p[0] ** 2 - p[1] ** 2 + p[1] ** 4 / 2, (1.0, 1e-3), 100,
               dict.fromkeys(TUTORIAL, 0.05), (-1.2, 1.2, -1.4, 1.4)),
    "plateau": (lambda p: p[1] ** 2 - p[0] ** 3 / 3 + p[0] ** 4 / 4, (-1.0, 0.5), 150,
                dict.fromkeys(TUTORIAL, 0.1), (-1.3, 1.4, -0.8, 0.8)),
    "rosenbrock": (lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2, (-1.5, 2.0), 2000,
                   {"SGD": 1e-3, "Momentum": 2e-3, "AdaGrad": 0.5, "RMSprop": 0.01, "Adam": 0.05},
                   (-2, 2, -1, 3)),
}
RATE_STATE = {"AdaGrad": "sum", "RMSprop": "square_avg"}  # the running sum / average of g² each divides by


def descend(f, start, optimizer, lr, steps):
    """The path of ``optimizer`` from ``start`` on f, and its effective rate lr/(√s + ε) after each step."""
    p = tb.tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = OPTIMIZERS[optimizer]([p], lr=lr)
    path, rates = [p.detach().numpy().copy()], []
    for _ in range(steps):
        opt.zero_grad()
        f(p).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
        if optimizer in RATE_STATE:
            s = opt.state[p][RATE_STATE[optimizer]].numpy()
            rates.append(float(np.mean(lr / (np.sqrt(s) + opt.defaults["eps"]))))
    return np.array(path), np.array(rates)


def zigzags(path):
    """How often the y-step changes direction: one per step for a pure zig-zag."""
    dy = np.diff(path[:, 1])
    return int(np.sum(np.sign(dy[1:]) != np.sign(dy[:-1])))


def first_step(condition):
    """The first step at which ``condition`` (a boolean array over the path) holds, or None."""
    hits = np.flatnonzero(condition)
    return int(hits[0]) if hits.size else None


def run(small=False):
    runs, rates = {}, {}
    for name, (f, start, steps, lrs, _) in SURFACES.items():
        if small and name == "rosenbrock":
            steps = 400
        for opt_name, lr in lrs.items():
            runs[name, opt_name], r = descend(f, start, opt_name, lr, steps)
            if len(r):
                rates[name, opt_name] = r
    ravine = SURFACES["ravine"][3]
    numbers = {
        "ravine_zigzags": {o: zigzags(runs["ravine", o]) for o in ravine},
        "ravine_mean_abs_y": {o: float(np.abs(runs["ravine", o][5:, 1]).mean()) for o in ravine},
        "saddle_escape_step": {o: first_step(np.abs(runs["saddle", o][:, 1]) > 0.5) for o in TUTORIAL},
        "plateau_final_x": {o: float(runs["plateau", o][-1, 0]) for o in TUTORIAL},
        "rosenbrock_distance": {o: float(np.linalg.norm(runs["rosenbrock", o][-1] - 1)) for o in TUTORIAL},
        "adagrad_rate": rates["rosenbrock", "AdaGrad"],
        "rmsprop_rate": rates["rosenbrock", "RMSprop"],
    }
    return runs, numbers


def plot(runs, numbers, out_dir):
    from matplotlib.figure import Figure

    # 9 in wide, text 11 pt or more: legible at the width a page shows it (docs/make_figures.py checks)
    fig = Figure(figsize=(9, 15.5), layout="constrained")
    axes = fig.subplots(3, 2).ravel()
    notes = {
        "ravine": lambda o: f"{numbers['ravine_zigzags'][o]} zig-zags, mean |y| {numbers['ravine_mean_abs_y'][o]:.2f}",
        "saddle": lambda o: f"|y| > 0.5 at step {numbers['saddle_escape_step'][o]}",
        "plateau": lambda o: f"ends at x = {numbers['plateau_final_x'][o]:.2f}",
        "rosenbrock": lambda o: f"{numbers['rosenbrock_distance'][o]:.3f} from (1, 1)",
    }
    for ax, (name, (f, start, _steps, lrs, (x0, x1, y0, y1))) in zip(axes, SURFACES.items()):
        gx, gy = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
        z = f(np.stack([gx, gy]))
        levels = np.quantile(z, np.linspace(0, 1, 25) ** 2) if name != "rosenbrock" else np.logspace(-1, 3.5, 20)
        ax.contour(gx, gy, z, levels=np.unique(levels), colors="0.75", linewidths=0.6)
        for opt_name in lrs:
            path = runs[name, opt_name]
            ax.plot(path[:, 0], path[:, 1], ".-", ms=2.5, lw=1,
                    label=f"{opt_name}, lr {lrs[opt_name]:g}:\n{notes[name](opt_name)}")
        ax.plot(*start, "k*", ms=10)
        ax.set(title=f"{name}: {len(path) - 1} steps", xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y")
        ax.legend(fontsize=11, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    ax = axes[4]
    for key in ("adagrad_rate", "rmsprop_rate"):
        ax.plot(np.arange(1, len(numbers[key]) + 1), numbers[key], label=key.split("_")[0].replace("adagrad", "AdaGrad")
                .replace("rmsprop", "RMSprop"))
    ax.set(title="Rosenbrock: lr/(√s + ε)", xlabel="step", ylabel="effective rate (mean over x, y)",
           xscale="log", yscale="log")
    ax.legend(fontsize=11)
    axes[5].set_axis_off()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "optimizer_surfaces.png", dpi=100)
    return out_dir / "optimizer_surfaces.png"


def main(out_dir=Path(__file__).parent / "out", small=False):
    runs, numbers = run(small)
    print("ravine     zig-zags across the valley:", numbers["ravine_zigzags"])
    print("ravine     mean |y| after step 5:     ", {k: round(v, 3) for k, v in numbers["ravine_mean_abs_y"].items()})
    print("saddle     first step with |y| > 0.5: ", numbers["saddle_escape_step"])
    print("plateau    final x (minimum at 1):    ", {k: round(v, 3) for k, v in numbers["plateau_final_x"].items()})
    print("rosenbrock distance to (1, 1):        ",
          {k: round(v, 3) for k, v in numbers["rosenbrock_distance"].items()})
    a, r = numbers["adagrad_rate"], numbers["rmsprop_rate"]
    print(f"AdaGrad's effective rate: {a[0]:.2e} after step 1 -> {a[-1]:.2e} at the end (never grows)")
    print(f"RMSprop's effective rate: {r[0]:.2e} after step 1 -> {r[-1]:.2e} at the end (recovers)")
    if out_dir is not None:
        print("wrote", plot(runs, numbers, out_dir))
    return numbers


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default=Path(__file__).parent / "out")
    parser.add_argument("--small", action="store_true", help="fewer steps (for tests)")
    args = parser.parse_args()
    main(args.out_dir, args.small)
