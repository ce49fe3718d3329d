"""The measurements behind the guide's "tinygrad_bp vs the tutorial" notes, each with its figure.

Each function runs real training with tinygrad_bp, draws one figure into ``out_dir`` and returns the
numbers the guide quotes (``docs/make_figures.py`` stores them in ``docs/figures/measurements.json``).

* ``momentum_forms``: PyTorch's undampened momentum v = β·v + g (the tutorial's code sample) against the
  tutorial's formula v = β·v + (1 − β)·g (``tb.optim.Momentum``), and the same with lr / (1 − β).
* ``epsilon_placement``: ε outside the square root (PyTorch, tinygrad_bp) against ε inside (the
  tutorial) for AdaGrad and RMSProp.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn


# ------------------------------------------------------------------ the tutorial's code-sample setup
def tutorial_problem(seed: int = 0, n: int = 100) -> tuple[tb.Tensor, tb.Tensor, dict]:
    """The samples' data (X: n×10, y: n×1, both standard normal) and one fixed nn.Linear(10, 1) init."""
    tb.manual_seed(seed)
    X = tb.randn(n, 10)
    y = tb.randn(n, 1)
    init = nn.Linear(10, 1).state_dict()
    return X, y, {k: v.detach().clone() for k, v in init.items()}


def train(X: tb.Tensor, y: tb.Tensor, init: dict, step: Callable[[list], None] | None = None,
          optimizer: Callable[[Any], Any] | None = None, epochs: int = 100, loss_scale: float = 1.0) -> dict:
    """Full-batch training of nn.Linear(10, 1) with MSELoss, as in the tutorial's samples.

    Give either ``optimizer`` (built from ``model.parameters()``) or ``step`` (called with the parameter
    list after backward, under no_grad: a hand-written update rule). ``loss_scale`` multiplies the loss
    before backward (so every gradient), to see how an update rule reacts to the gradients' size.
    Returns the loss before each update and the final parameters.
    """
    model = nn.Linear(10, 1)
    model.load_state_dict(init)
    params = list(model.parameters())
    opt = optimizer(params) if optimizer is not None else None
    criterion = nn.MSELoss()
    losses = []
    for _ in range(epochs):
        for p in params:
            p.grad = None
        loss = criterion(model(X), y)
        losses.append(loss.item())
        (loss * loss_scale).backward()
        if opt is not None:
            opt.step()
        else:
            with tb.no_grad():
                step(params)
    final = nn.MSELoss()(model(X), y).item()
    flat = np.concatenate([p.detach().numpy().ravel() for p in params])
    return {"losses": np.array(losses + [final]), "params": flat}


def adagrad_eps_inside(lr: float = 0.01, eps: float = 1e-10) -> Callable[[list], None]:
    """The tutorial's AdaGrad: G = G + g²,  θ = θ − lr·g / √(G + ε)."""
    G: dict[int, np.ndarray] = {}

    def step(params: list) -> None:
        for p in params:
            g = p.grad.numpy()
            G[id(p)] = G.get(id(p), 0) + g * g
            p.data -= lr * g / np.sqrt(G[id(p)] + eps)

    return step


def rmsprop_eps_inside(lr: float = 0.01, beta: float = 0.9, eps: float = 1e-8) -> Callable[[list], None]:
    """The tutorial's RMSProp: s = β·s + (1 − β)·g²,  θ = θ − lr·g / √(s + ε)."""
    s: dict[int, np.ndarray] = {}

    def step(params: list) -> None:
        for p in params:
            g = p.grad.numpy()
            s[id(p)] = beta * s.get(id(p), 0) + (1 - beta) * g * g
            p.data -= lr * g / np.sqrt(s[id(p)] + eps)

    return step


def momentum_from_zero(lr: float = 0.1, beta: float = 0.9) -> Callable[[list], None]:
    """The tutorial's Momentum formula with the average started at zero: v₀ = 0, v = β·v + (1 − β)·g."""
    v: dict[int, np.ndarray] = {}

    def step(params: list) -> None:
        for p in params:
            v[id(p)] = beta * v.get(id(p), 0) + (1 - beta) * p.grad.numpy()
            p.data -= lr * v[id(p)]

    return step


# ------------------------------------------------------------------ figures
# Text 11 pt or more in figures at most 9 in wide: legible on a projector at the width a page shows them
# (docs/make_figures.py measures every figure it writes; tests/test_docs.py checks).
TEXT_STYLE = {"font.size": 11, "legend.fontsize": 11, "axes.titlesize": 12, "axes.labelsize": 11,
              "xtick.labelsize": 11, "ytick.labelsize": 11, "figure.titlesize": 12}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "tinygrad_bp", "svg.fonttype": "none", "axes.grid": True,
                         "grid.alpha": 0.3, **TEXT_STYLE})
    return plt


def save(fig: Any, path: Path) -> Path:
    """Write a matplotlib figure as a reproducible SVG (no date, fixed ids) and close it."""
    fig.savefig(path, format="svg", metadata={"Date": None})  # constrained layout: exactly figsize
    _pyplot().close(fig)
    return path


# ------------------------------------------------------------------ Momentum: three forms
def momentum_forms(out_dir: Path, epochs: int = 100, beta: float = 0.9, lr: float = 0.01) -> dict:
    """PyTorch's SGD(momentum=β) vs tb.optim.Momentum (the tutorial's formula) vs Momentum with lr/(1 − β).

    Also runs the update rules on one fixed random gradient sequence, where the difference between
    lr·u_t (undampened) and lr/(1 − β)·v_t (dampened, v₁ = g₁) is exactly lr·β^t·g₁/(1 − β).
    """
    X, y, init = tutorial_problem()
    runs = {
        "sgd": train(X, y, init, optimizer=lambda p: tb.optim.SGD(p, lr=lr, momentum=beta), epochs=epochs),
        "momentum": train(X, y, init, optimizer=lambda p: tb.optim.Momentum(p, lr=lr, beta=beta), epochs=epochs),
        "momentum_scaled": train(X, y, init, optimizer=lambda p: tb.optim.Momentum(p, lr=lr / (1 - beta), beta=beta),
                                 epochs=epochs),
        "sgd_dampened": train(X, y, init, optimizer=lambda p: tb.optim.SGD(p, lr=lr, momentum=beta, dampening=beta),
                              epochs=epochs),
        "plain_sgd": train(X, y, init, optimizer=lambda p: tb.optim.SGD(p, lr=lr), epochs=epochs),
        "ema_from_zero_scaled": train(X, y, init, step=momentum_from_zero(lr / (1 - beta), beta), epochs=epochs),
    }
    loss = {k: r["losses"] for k, r in runs.items()}
    gap = np.abs(loss["sgd"] - loss["momentum_scaled"]) / loss["sgd"]

    # The same rules on a fixed gradient sequence (the gradients do not depend on θ here).
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(200, 5))
    u = np.zeros(5)
    v = None
    rel = []
    for t, g in enumerate(grads, start=1):
        u = beta * u + g                                              # PyTorch: b = β·b + g (b₁ = g₁)
        v = g.copy() if v is None else beta * v + (1 - beta) * g       # tutorial / tb.optim.Momentum
        step_u, step_v = lr * u, lr / (1 - beta) * v
        rel.append(np.linalg.norm(step_v - step_u) / np.linalg.norm(step_u))
        assert np.allclose(step_v - step_u, lr * beta**t * grads[0] / (1 - beta))
    rel = np.array(rel)
    warm = int(np.argmax(rel < 0.01)) + 1
    assert (rel[warm - 1:] < 0.01).all(), "the relative difference should stay below 1 % once it is"

    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), layout="constrained")
    x = np.arange(epochs + 1)
    ax1.plot(x, loss["plain_sgd"], color="0.6", ls=":", label="SGD(lr=0.01), no momentum")
    ax1.plot(x, loss["momentum"], color="C0", label="Momentum(lr=0.01, beta=0.9)  [tutorial formula]")
    ax1.plot(x, loss["sgd"], color="C3", lw=2.2, alpha=0.6, label="SGD(lr=0.01, momentum=0.9)  [tutorial code]")
    ax1.plot(x, loss["momentum_scaled"], color="k", ls="--", lw=1,
             label="Momentum(lr=0.1, beta=0.9)  [lr / (1 − β)]")
    ax1.set(xlabel="epoch (full-batch update)", ylabel="MSE loss", title="The tutorial's Momentum sample, three ways")
    ax1.legend()
    t = np.arange(1, len(rel) + 1)
    ax2.semilogy(t, rel, color="C3", label="measured ‖Δθ_dampened·10 − Δθ_PyTorch‖ / ‖Δθ_PyTorch‖")
    ax2.axhline(0.01, color="0.5", lw=0.8, ls=":")
    ax2.axvline(warm, color="0.5", lw=0.8, ls=":")
    ax2.annotate(f"< 1 % after {warm} steps", (warm, 0.01), xytext=(warm + 8, 0.1), fontsize=11,
                 arrowprops={"arrowstyle": "->", "color": "0.4"})
    ax2.set(xlabel="step t (a fixed random gradient sequence)", ylabel="relative difference of the step",
            title="Warm-up: the difference is lr·βᵗ·g₁ / (1 − β)")
    ax2.legend()
    save(fig, out_dir / "momentum_forms.svg")

    return {
        "final_loss_sgd_momentum": float(loss["sgd"][-1]),
        "final_loss_momentum": float(loss["momentum"][-1]),
        "final_loss_momentum_scaled": float(loss["momentum_scaled"][-1]),
        "final_loss_plain_sgd": float(loss["plain_sgd"][-1]),
        "initial_loss": float(loss["sgd"][0]),
        "momentum_vs_sgd_dampened_max_param_diff": float(np.abs(runs["momentum"]["params"]
                                                                - runs["sgd_dampened"]["params"]).max()),
        "ema_from_zero_scaled_vs_sgd_max_param_diff": float(np.abs(runs["ema_from_zero_scaled"]["params"]
                                                                   - runs["sgd"]["params"]).max()),
        "scaled_vs_sgd_max_rel_loss_gap_after_30": float(gap[30:].max()),
        "scaled_vs_sgd_max_rel_loss_gap_first_10": float(gap[:10].max()),
        "fixed_sequence_first_step_ratio": float(np.linalg.norm(lr / (1 - beta) * grads[0])
                                                 / np.linalg.norm(lr * grads[0])),
        "fixed_sequence_steps_to_1pct": warm,
        "fixed_sequence_rel_diff_at_50": float(rel[49]),
    }


# ------------------------------------------------------------------ ε inside or outside the square root
def first_step(kind: str, g: np.ndarray, eps: float, inside: bool, lr: float = 1.0, beta: float = 0.9) -> np.ndarray:
    """|Δθ| / lr of the first update for gradients g (AdaGrad: G = g²; RMSProp: s = (1 − β)·g²).

    The outside-ε values come from tb.optim.Adagrad / tb.optim.RMSprop themselves; the inside-ε values
    from the tutorial's formula.
    """
    acc = g * g if kind == "adagrad" else (1 - beta) * g * g
    if inside:
        return np.abs(g) / np.sqrt(acc + eps)
    p = tb.zeros(g.shape, dtype=tb.float64, requires_grad=True)
    p.grad = tb.tensor(g)
    opt = (tb.optim.Adagrad([p], lr=lr, eps=eps) if kind == "adagrad"
           else tb.optim.RMSprop([p], lr=lr, alpha=beta, eps=eps))
    opt.step()
    return np.abs(p.detach().numpy()) / lr


def epsilon_placement(out_dir: Path, epochs: int = 100) -> dict:
    """First-step size against the gradient's size, and training with normal and with tiny gradients."""
    mags = np.logspace(-12, 0, 121)
    curves = {
        ("adagrad", False): first_step("adagrad", mags, 1e-10, inside=False),
        ("adagrad", True): first_step("adagrad", mags, 1e-10, inside=True),
        ("rmsprop", False): first_step("rmsprop", mags, 1e-8, inside=False),
        ("rmsprop", True): first_step("rmsprop", mags, 1e-8, inside=True),
    }
    result: dict[str, Any] = {}
    for kind in ("adagrad", "rmsprop"):
        ratio = curves[(kind, True)] / curves[(kind, False)]
        # the largest gradient at which the two placements differ by more than 1 %
        result[f"{kind}_differs_1pct_below_grad"] = float(mags[ratio < 0.99].max())
        i = int(np.argmin(np.abs(mags - 1e-6)))
        result[f"{kind}_first_step_ratio_at_grad_1e-6"] = float(ratio[i])

    X, y, init = tutorial_problem()
    runs = {}
    for scale in (1.0, 1e-6):
        tag = "normal" if scale == 1.0 else "tiny"
        runs[("adagrad", False, tag)] = train(X, y, init, optimizer=lambda p: tb.optim.Adagrad(p, lr=0.01),
                                              epochs=epochs, loss_scale=scale)
        runs[("adagrad", True, tag)] = train(X, y, init, step=adagrad_eps_inside(0.01, 1e-10), epochs=epochs,
                                             loss_scale=scale)
        runs[("rmsprop", False, tag)] = train(
            X, y, init, optimizer=lambda p: tb.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-8), epochs=epochs,
            loss_scale=scale)
        runs[("rmsprop", True, tag)] = train(X, y, init, step=rmsprop_eps_inside(0.01, 0.9, 1e-8), epochs=epochs,
                                             loss_scale=scale)
    result["initial_loss"] = float(runs[("adagrad", False, "normal")]["losses"][0])
    for (kind, inside, tag), r in runs.items():
        result[f"{kind}_{'inside' if inside else 'outside'}_{tag}_final_loss"] = float(r["losses"][-1])
    for kind in ("adagrad", "rmsprop"):
        a, b = runs[(kind, False, "normal")], runs[(kind, True, "normal")]
        result[f"{kind}_normal_max_param_diff"] = float(np.abs(a["params"] - b["params"]).max())
        result[f"{kind}_normal_max_loss_diff"] = float(np.abs(a["losses"] - b["losses"]).max())

    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), layout="constrained")
    for kind, color, eps in (("adagrad", "C0", "1e-10"), ("rmsprop", "C2", "1e-8")):
        name = "AdaGrad" if kind == "adagrad" else "RMSProp (β=0.9)"
        ax1.loglog(mags, curves[(kind, False)], color=color, label=f"{name}, ε={eps} outside √ (tinygrad_bp)")
        ax1.loglog(mags, curves[(kind, True)], color=color, ls="--", label=f"{name}, ε={eps} inside √ (tutorial)")
    ax1.set(xlabel="|gradient| at the first step", ylabel="first step |Δθ| / lr",
            title="First step against the gradient's size")
    ax1.legend()
    x = np.arange(epochs + 1)
    for kind, color in (("adagrad", "C0"), ("rmsprop", "C2")):
        name = "AdaGrad" if kind == "adagrad" else "RMSProp"
        ax2.plot(x, runs[(kind, False, "tiny")]["losses"], color=color, label=f"{name}, ε outside √")
        ax2.plot(x, runs[(kind, True, "tiny")]["losses"], color=color, ls="--", label=f"{name}, ε inside √")
    ax2.set(xlabel="epoch", ylabel="MSE loss", title="The tutorial's sample with the loss scaled by 10⁻⁶")
    ax2.legend()
    save(fig, out_dir / "epsilon_placement.svg")
    return result


# ------------------------------------------------------------------ gradient descent and the learning rate
def learning_rates(out_dir: Path, epochs: int = 50) -> dict:
    """Full-batch gradient descent on the tutorial's regression with learning rates from too small to too large.

    For MSE on a linear model the loss is a quadratic with Hessian H = (2/n)·[X 1]ᵀ[X 1]; gradient descent
    converges exactly when lr < 2/λ_max(H). The four rates are picked relative to that limit.
    """
    X, y, init = tutorial_problem()
    A = np.hstack([X.numpy().astype(np.float64), np.ones((X.shape[0], 1))])
    lam_max = float(np.linalg.eigvalsh(2 / A.shape[0] * A.T @ A).max())
    limit = 2 / lam_max
    rates = {"too small": 0.01, "good": 0.5 * limit, "oscillating": 0.95 * limit, "too large": 1.05 * limit}
    runs = {k: train(X, y, init, optimizer=lambda p, lr=lr: tb.optim.SGD(p, lr=lr), epochs=epochs)["losses"]
            for k, lr in rates.items()}
    best = float(np.linalg.lstsq(A, y.numpy().astype(np.float64), rcond=None)[1][0] / A.shape[0])

    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), layout="constrained")
    styles = {"too small": "C0", "good": "C2", "oscillating": "C1", "too large": "C3"}
    for k, losses in runs.items():
        ax1.semilogy(np.arange(epochs + 1), losses - best, color=styles[k], label=f"lr = {rates[k]:.3g} ({k})")
    ax1.set(xlabel="epoch (full-batch update)", ylabel="loss − lowest possible loss", ylim=(1e-6, 3e3),
            title=f"Tutorial's regression: stable for lr < {limit:.3f}")
    ax1.legend()
    # the same four regimes on f(θ) = θ², whose limit is lr < 1
    f = np.linspace(-1.6, 1.6, 200)
    ax2.plot(f, f ** 2, color="0.7")
    for k, lr in (("too small", 0.05), ("good", 0.3), ("oscillating", 0.9), ("too large", 1.05)):
        theta = tb.tensor([1.2], requires_grad=True)
        opt = tb.optim.SGD([theta], lr=lr)
        path = [theta.item()]
        for _ in range(8):
            opt.zero_grad()
            (theta ** 2).sum().backward()
            opt.step()
            path.append(theta.item())
        path = np.array(path)
        ax2.plot(path, path ** 2, "o-", ms=3, lw=0.8, color=styles[k], label=f"lr = {lr} ({k})")
    ax2.set(xlim=(-1.7, 1.7), ylim=(-0.1, 2.9), xlabel="θ", ylabel="f(θ) = θ²",
            title="8 steps on f(θ) = θ² from θ = 1.2")
    ax2.legend()
    save(fig, out_dir / "learning_rates.svg")
    out = {"lambda_max": lam_max, "lr_limit": limit, "lowest_loss": best, "initial_loss": float(runs["good"][0])}
    for k, lr in rates.items():
        out[f"lr_{k.replace(' ', '_')}"] = lr
        out[f"final_loss_{k.replace(' ', '_')}"] = float(runs[k][-1])
    return out


# ------------------------------------------------------------------ batch, stochastic, mini-batch
def batch_sizes(out_dir: Path, epochs: int = 50, n: int = 100, lr: float = 0.01) -> dict:
    """The tutorial's three forms on 100 samples for 50 epochs: batch 100, 1 and 20 (50, 5000 and 250 updates).

    The target is learnable here (y = X·w + 0.1·noise) so that the curves show convergence, not only noise.
    The loss plotted is the loss on the whole data set, measured after every update.
    """
    tb.manual_seed(1)
    X = tb.randn(n, 10)
    w_true = tb.randn(10, 1)
    y = X @ w_true + 0.1 * tb.randn(n, 1)
    init = nn.Linear(10, 1).state_dict()
    init = {k: v.detach().clone() for k, v in init.items()}
    dataset = tb.utils.data.TensorDataset(X, y)
    criterion = nn.MSELoss()
    result: dict[str, Any] = {}
    curves = {}
    for name, bs in (("batch", n), ("stochastic", 1), ("mini-batch", 20)):
        model = nn.Linear(10, 1)
        model.load_state_dict(init)
        opt = tb.optim.SGD(model.parameters(), lr=lr)
        loader = tb.utils.data.DataLoader(dataset, batch_size=bs, shuffle=bs < n,
                                          generator=tb.Generator().manual_seed(0))
        with tb.no_grad():
            full = [criterion(model(X), y).item()]
        updates = 0
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                criterion(model(xb), yb).backward()
                opt.step()
                updates += 1
                with tb.no_grad():
                    full.append(criterion(model(X), y).item())
        curves[name] = np.array(full)
        key = name.replace("-", "")
        result[f"{key}_updates"] = updates
        result[f"{key}_loader_len"] = len(loader)
        result[f"{key}_final_loss"] = float(full[-1])
        per_epoch = np.array(full[:: len(loader)])
        result[f"{key}_loss_after_5_epochs"] = float(per_epoch[5])
        # noise of the path: mean |change of the full loss| over the last 10 epochs' updates
        tail = np.array(full[-10 * len(loader):])
        result[f"{key}_final_wobble"] = float(np.abs(np.diff(tail)).mean())
    result["initial_loss"] = float(curves["batch"][0])

    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), layout="constrained")
    colors = {"batch": "C0", "stochastic": "C3", "mini-batch": "C2"}
    for name, c in curves.items():
        per_epoch = len(c) // epochs if name != "batch" else 1
        ax1.semilogy(np.arange(len(c)) / per_epoch, c, color=colors[name], lw=0.8,
                     label=f"{name}: batch_size={ {'batch': n, 'stochastic': 1, 'mini-batch': 20}[name]}, "
                           f"{len(c) - 1} updates")
        ax2.loglog(np.arange(1, len(c)), c[1:], color=colors[name], lw=0.8, label=name)
    ax1.set(xlabel="epoch", ylabel="MSE on all 100 samples", title="Same 50 epochs, lr = 0.01")
    ax1.legend()
    ax2.set(xlabel="number of updates", ylabel="MSE on all 100 samples", title="Loss against parameter updates")
    ax2.legend()
    save(fig, out_dir / "batch_sizes.svg")
    return result


# ------------------------------------------------------------------ exponentially weighted averages
def ema_smoothing(out_dir: Path) -> dict:
    """tb.optim.ema on the tutorial's [1..5] and on a noisy series, with the weights each β gives the past."""
    rng = np.random.default_rng(3)
    days = np.arange(120)
    truth = 10 + 8 * np.sin(days / 120 * 2 * np.pi)
    series = truth + rng.normal(0, 2.5, days.size)
    betas = (0.5, 0.9, 0.98)
    smoothed = {b: tb.optim.ema(series, b) for b in betas}

    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), layout="constrained")
    ax1.plot(days, series, ".", color="0.6", ms=3, label="observations xₜ")
    for b, c in zip(betas, ("C2", "C0", "C3")):
        ax1.plot(days, smoothed[b], color=c, label=f"β = {b}  (≈ last {1 / (1 - b):.0f} values)")
    ax1.set(xlabel="t", ylabel="value", title="tb.optim.ema(x, β): smoother and later as β grows")
    ax1.legend()
    k = np.arange(30)
    for b, c in zip(betas, ("C2", "C0", "C3")):
        ax2.plot(k, (1 - b) * b ** k, "o-", ms=2.5, lw=0.8, color=c, label=f"β = {b}")
    ax2.set(xlabel="age of the observation (steps back)", ylabel="weight (1 − β)·βᵏ",
            title="Weight of each past value")
    ax2.legend()
    save(fig, out_dir / "ema.svg")
    err = {b: float(np.sqrt(np.mean((smoothed[b][20:] - truth[20:]) ** 2))) for b in betas}
    # lag: the shift (in steps) that best aligns the smoothed curve with the truth
    lag = {b: int(np.argmin([np.mean((smoothed[b][30:] - np.roll(truth, s)[30:]) ** 2) for s in range(40)]))
           for b in betas}
    out = {"noise_rms": float(np.sqrt(np.mean((series - truth) ** 2)))}
    for b in betas:
        out[f"rms_error_beta_{b}"] = err[b]
        out[f"lag_beta_{b}"] = lag[b]
    out["tutorial_beta_0.1"] = tb.optim.ema([1, 2, 3, 4, 5], 0.1).round(6).tolist()
    out["tutorial_beta_0.9"] = tb.optim.ema([1, 2, 3, 4, 5], 0.9).round(6).tolist()
    return out


# ------------------------------------------------------------------ Adam's bias correction
def adam_without_correction(lr: float = 0.01, betas: tuple = (0.9, 0.999), eps: float = 1e-8) -> Callable:
    """Adam with the bias correction left out: θ = θ − lr·m / (√v + ε), m and v starting at 0."""
    m: dict[int, np.ndarray] = {}
    v: dict[int, np.ndarray] = {}

    def step(params: list) -> None:
        for p in params:
            g = p.grad.numpy()
            m[id(p)] = betas[0] * m.get(id(p), 0) + (1 - betas[0]) * g
            v[id(p)] = betas[1] * v.get(id(p), 0) + (1 - betas[1]) * g * g
            p.data -= lr * m[id(p)] / (np.sqrt(v[id(p)]) + eps)

    return step


def adam_bias(out_dir: Path, epochs: int = 100, trials: int = 2000) -> dict:
    """E[mₜ] = (1 − β₁ᵗ)·μ measured over random gradient sequences, and the tutorial's Adam sample with and
    without the correction."""
    rng = np.random.default_rng(0)
    mu, b1, b2 = 0.5, 0.9, 0.999
    steps = 60
    g = rng.normal(mu, 1.0, size=(trials, steps))
    m = np.zeros(trials)
    v = np.zeros(trials)
    mean_m, mean_mhat, mean_v, mean_vhat = [], [], [], []
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * g[:, t - 1]
        v = b2 * v + (1 - b2) * g[:, t - 1] ** 2
        mean_m.append(m.mean())
        mean_mhat.append((m / (1 - b1 ** t)).mean())
        mean_v.append(v.mean())
        mean_vhat.append((v / (1 - b2 ** t)).mean())
    t = np.arange(1, steps + 1)
    second = mu ** 2 + 1.0  # E[g²]

    X, y, init = tutorial_problem()
    with_c = train(X, y, init, optimizer=lambda p: tb.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8),
                   epochs=epochs)
    without = train(X, y, init, step=adam_without_correction(0.01), epochs=epochs)

    # the first update of tb.optim.Adam is lr·sign(g) (up to ε), whatever the gradient's size
    p = tb.tensor([0.0, 0.0, 0.0], requires_grad=True)
    p.grad = tb.tensor([3.0, -0.002, 1e-4])
    tb.optim.Adam([p], lr=0.01).step()
    first = (-p.data / 0.01).tolist()

    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), layout="constrained")
    ax1.plot(t, np.array(mean_m) / mu, color="C0", label="mean of mₜ / μ (no correction)")
    ax1.plot(t, 1 - b1 ** t, color="k", ls=":", lw=1, label="1 − β₁ᵗ")
    ax1.plot(t, np.array(mean_mhat) / mu, color="C2", label="mean of m̂ₜ / μ (corrected)")
    ax1.plot(t, np.array(mean_v) / second, color="C3", label="mean of vₜ / E[g²] (no correction)")
    ax1.plot(t, np.array(mean_vhat) / second, color="C1", ls="--", label="mean of v̂ₜ / E[g²] (corrected)")
    ax1.set(xlabel="step t", ylabel="estimate / true value", ylim=(0, 1.25),
            title=f"{trials} random gradient sequences, E[g] = {mu}")
    ax1.legend()
    x = np.arange(epochs + 1)
    ax2.plot(x, with_c["losses"], color="C2", label="tb.optim.Adam (bias-corrected)")
    ax2.plot(x, without["losses"], color="C3", ls="--", label="without the correction")
    ax2.set(xlabel="epoch", ylabel="MSE loss", title="The tutorial's Adam sample (lr = 0.01)")
    ax2.legend()
    save(fig, out_dir / "adam_bias_correction.svg")
    tt = np.arange(1, 1001)
    factor = (1 - b1 ** tt) / np.sqrt(1 - b2 ** tt)  # uncorrected step / corrected step, same m and v
    return {
        "uncorrected_step_factor_max": float(factor.max()),
        "uncorrected_step_factor_argmax": int(tt[factor.argmax()]),
        "uncorrected_step_factor_at_100": float(factor[99]),
        "uncorrected_step_factor_at_1000": float(factor[999]),
        "mean_m_over_mu_step1": float(mean_m[0] / mu),
        "mean_m_over_mu_step10": float(mean_m[9] / mu),
        "mean_mhat_over_mu_step1": float(mean_mhat[0] / mu),
        "mean_v_over_true_step10": float(mean_v[9] / second),
        "mean_v_over_true_step60": float(mean_v[59] / second),
        "mean_vhat_over_true_step10": float(mean_vhat[9] / second),
        "uncorrected_first_step_over_lr": float((1 - b1) / np.sqrt(1 - b2)),
        "first_step_over_lr": first,
        "initial_loss": float(with_c["losses"][0]),
        "final_loss_corrected": float(with_c["losses"][-1]),
        "final_loss_uncorrected": float(without["losses"][-1]),
        "loss_after_5_corrected": float(with_c["losses"][5]),
        "loss_after_5_uncorrected": float(without["losses"][5]),
    }


# ------------------------------------------------------------------ section 2.3: the problems of plain descent
def _surfaces() -> Any:
    """examples/optimizer_surfaces.py as a module (its surfaces and its descend())."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "examples" / "optimizer_surfaces.py"
    spec = importlib.util.spec_from_file_location("example_optimizer_surfaces", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gd_problems(out_dir: Path, ravine_lrs: tuple = (0.1, 0.5, 0.95, 1.02), updates: int = 3000,
                noise_lr: float = 0.02) -> dict:
    """The tutorial's section 2.3, measured: a fixed rate oscillates or crawls (ravine), plain SGD stalls
    where the gradient vanishes (saddle, plateau), and single-sample gradients keep it from settling.

    * ravine f = x²/20 + y² (curvatures 0.1 and 2): the loss after each step of SGD at four fixed rates.
      Below lr = 1 (= 2 / the largest curvature) it converges, but the rate that damps the steep y
      direction fast is slow along x and the rate that is fast along x makes y flip sign every step;
      above 1 it diverges.
    * saddle f = x² − y² + y⁴/2 from (1, 0.001), plateau f = y² − x³/3 + x⁴/4 from (−1, 0.5): the
      gradient norm along SGD's path. It falls to almost zero near the saddle point and waits there.
    * noise: nn.Linear(10, 1) on 100 samples (y = X·w + 0.1·noise), SGD(lr) for ``updates`` updates with
      batch_size 100 (batch) and 1 (stochastic): the loss on all samples above the least-squares optimum.
    """
    surfaces = _surfaces()
    result: dict[str, Any] = {}
    # ravine
    f, start, _, _, _ = surfaces.SURFACES["ravine"]
    ravine = {}
    for lr in ravine_lrs:
        path, _ = surfaces.descend(f, start, "SGD", lr, 100)
        ravine[lr] = f(path.T)
        below = np.flatnonzero(ravine[lr] < 1e-3)
        result[f"ravine_steps_to_1e-3|{lr:g}"] = int(below[0]) if below.size else None
        result[f"ravine_zigzags|{lr:g}"] = surfaces.zigzags(path)
        result[f"ravine_final_loss|{lr:g}"] = float(ravine[lr][-1])
    # saddle and plateau: SGD at the rates optimizer_surfaces uses
    grads = {}
    for name, grad in (("saddle", lambda p: np.hypot(2 * p[0], -2 * p[1] + 2 * p[1] ** 3)),
                       ("plateau", lambda p: np.hypot(-p[0] ** 2 + p[0] ** 3, 2 * p[1]))):
        f, start, steps, lrs, _ = surfaces.SURFACES[name]
        path, _ = surfaces.descend(f, start, "SGD", lrs["SGD"], steps)
        grads[name] = grad(path.T)
        result[f"{name}_steps_below_0.01"] = int((grads[name] < 0.01).sum())
        result[f"{name}_final_x"] = float(path[-1, 0])
        result[f"{name}_steps"] = steps
        if name == "saddle":  # x settles fast; y, 0.001 at the start, grows only 1 + 2·lr per step
            escape = surfaces.first_step(np.abs(path[:, 1]) > 0.5)
            result["saddle_escape_step"] = escape
            result["saddle_min_grad_norm"] = float(grads[name][:escape].min())
            result["saddle_min_grad_step"] = int(grads[name][:escape].argmin())
    # noise: batch against stochastic, same number of updates
    tb.manual_seed(1)
    X = tb.randn(100, 10)
    y = X @ tb.randn(10, 1) + 0.1 * tb.randn(100, 1)
    init = {k: v.detach().clone() for k, v in nn.Linear(10, 1).state_dict().items()}
    X1 = np.hstack([X.numpy(), np.ones((100, 1), np.float32)]).astype(np.float64)
    optimum = float(np.mean((X1 @ np.linalg.lstsq(X1, y.numpy().astype(np.float64), rcond=None)[0]
                             - y.numpy()) ** 2))
    dataset = tb.utils.data.TensorDataset(X, y)
    excess = {}
    for name, bs in (("batch", 100), ("stochastic", 1)):
        model = nn.Linear(10, 1)
        model.load_state_dict(init)
        opt = tb.optim.SGD(model.parameters(), lr=noise_lr)
        loader = tb.utils.data.DataLoader(dataset, batch_size=bs, shuffle=bs == 1,
                                          generator=tb.Generator().manual_seed(0))
        losses = []
        while len(losses) < updates:
            for xb, yb in loader:
                opt.zero_grad()
                nn.functional.mse_loss(model(xb), yb).backward()
                opt.step()
                w = np.hstack([model.weight.detach().numpy(), model.bias.detach().numpy()[:, None]]).T
                w = w.astype(np.float64)
                losses.append(float(np.mean((X1 @ w - y.numpy()) ** 2)))
                if len(losses) == updates:
                    break
        excess[name] = np.maximum(np.array(losses) - optimum, 1e-12)
        tail = excess[name][-1000:]
        result[f"noise_{name}_final_excess"] = float(excess[name][-1])
        result[f"noise_{name}_tail_max_excess"] = float(tail.max())
        result[f"noise_{name}_tail_min_excess"] = float(tail.min())
    result["noise_updates"] = updates
    result["noise_optimum"] = optimum

    plt = _pyplot()
    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(9, 11), layout="constrained")
    for lr, values in ravine.items():
        ax1.semilogy(values, label=f"lr = {lr:g}" + (" (above 1: diverges)" if lr > 1 else ""))
    ax1.set(xlabel="step", ylabel="f(x, y)", ylim=(1e-6, 1e3),
            title="Fixed rate on the ravine f = x²/20 + y²: oscillates, crawls or diverges")
    ax1.legend(ncols=2)
    for name, values in grads.items():
        ax2.semilogy(values, label=f"{name}: SGD, lr = {surfaces.SURFACES[name][3]['SGD']:g}")
    ax2.axhline(0.01, color="0.5", ls=":", lw=1)
    ax2.set(xlabel="step", ylabel="‖gradient‖", title="Plain SGD near a saddle point and on a plateau")
    ax2.legend()
    for name, color in (("batch", "C0"), ("stochastic", "C3")):
        ax3.semilogy(np.arange(1, updates + 1), excess[name], color=color, lw=0.8,
                     label=f"{name}: batch_size = {100 if name == 'batch' else 1}")
    ax3.set(xlabel="update", ylabel="MSE above the optimum",
            title=f"Noise: SGD(lr = {noise_lr:g}) on 100 samples, {updates} updates each")
    ax3.legend()
    save(fig, out_dir / "gd_problems.svg")
    return result


# ------------------------------------------------------------------ the chain rule, worked in numbers
def chain_rule() -> dict:
    """examples/forward_backward_by_hand.py's network, every gradient backward() computes, in its order.

    Each intermediate keeps its gradient (retain_grad) and a hook records when the engine computes it,
    so the guide's worked table follows the engine's order. Also returns the local derivatives
    (σ' = a(1 − a), 2·(ŷ − t), the weights) that the table multiplies by.
    """
    x = tb.tensor([[0.05], [0.10]])
    target = tb.tensor([[0.99]])
    W1 = tb.tensor([[0.15, 0.20], [0.25, 0.30]], requires_grad=True)
    b1 = tb.tensor([[0.35], [0.35]], requires_grad=True)
    W2 = tb.tensor([[0.40, 0.45]], requires_grad=True)
    b2 = tb.tensor([[0.60]], requires_grad=True)
    m1 = W1 @ x
    z1 = m1 + b1
    a1 = z1.sigmoid()
    m2 = W2 @ a1
    z2 = m2 + b2
    y = z2.sigmoid()
    d = y - target
    q = d ** 2
    s = q.sum()
    loss = 0.5 * s
    named = {"s": s, "q": q, "d": d, "y": y, "z2": z2, "m2": m2, "a1": a1, "z1": z1, "m1": m1,
             "b2": b2, "W2": W2, "b1": b1, "W1": W1}
    order: list[str] = []
    for name, t in named.items():
        if not t.is_leaf:
            t.retain_grad()
        t.register_hook(lambda g, name=name: order.append(name))
    loss.backward()

    def flat(t: tb.Tensor) -> list[float]:
        return [float(v) for v in t.detach().numpy().ravel()]

    out: dict[str, Any] = {"order": order, "loss": float(loss.item())}
    out["value"] = {n: flat(t) for n, t in [("x", x), ("z1", z1), ("a1", a1), ("z2", z2), ("y", y), ("d", d)]}
    out["grad"] = {n: flat(t.grad) for n, t in named.items()}
    yv, a1v = flat(y)[0], np.array(flat(a1))
    out["local"] = {"dloss_ds": 0.5, "ds_dq": 1.0, "dq_dd": 2 * flat(d)[0], "dd_dy": 1.0,
                    "dy_dz2": yv * (1 - yv), "da1_dz1": (a1v * (1 - a1v)).tolist(), "W2": flat(W2)}
    return out
