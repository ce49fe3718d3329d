"""Adam's bias correction (tutorial section 2.4.5), numerically.

m and v start at 0, so early on they are biased towards 0: for gradients with mean μ,
E(m_t) = (1 − β₁ᵗ)·μ. Dividing by (1 − β₁ᵗ) and (1 − β₂ᵗ) removes the bias:
m̂_t = m_t / (1 − β₁ᵗ),  v̂_t = v_t / (1 − β₂ᵗ).

Three checks:
1. E(m_t) = (1 − β₁ᵗ)·μ and E(m̂_t) = μ, averaged over many random gradient sequences.
2. The steps with a constant gradient g: corrected, every step is lr·m̂/(√v̂ + ε) = lr, whatever the
   size of g. Uncorrected, v (β₂ = 0.999) is far more biased than m (β₁ = 0.9), so the first step is
   lr·(1 − β₁)/√(1 − β₂) ≈ 3.16·lr, and the steps keep growing (to 6.6·lr at step 12) before they
   come back down to lr (still 1.26·lr at step 1000).
3. ``tb.optim.Adam`` takes exactly the corrected steps.

Run: ``python examples/adam_bias_correction.py [OUT_DIR]``.
"""

import argparse
from pathlib import Path

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import optim

LR, BETA1, BETA2, EPS = 0.01, 0.9, 0.999, 1e-8


def moments(grads):
    """m_t, v_t (uncorrected) and m̂_t, v̂_t for t = 1..T, along the first axis of ``grads``."""
    m = np.zeros_like(grads[0])
    v = np.zeros_like(grads[0])
    out = {"m": [], "v": [], "m_hat": [], "v_hat": []}
    for t, g in enumerate(grads, start=1):
        m = BETA1 * m + (1 - BETA1) * g
        v = BETA2 * v + (1 - BETA2) * g ** 2
        out["m"].append(m)
        out["v"].append(v)
        out["m_hat"].append(m / (1 - BETA1 ** t))
        out["v_hat"].append(v / (1 - BETA2 ** t))
    return {k: np.array(a) for k, a in out.items()}


def adam_steps(g, steps):
    """The step sizes |Δθ| that tb.optim.Adam takes on the loss g·θ (a constant gradient g)."""
    theta = tb.zeros(1, dtype=tb.float64, requires_grad=True)
    opt = optim.Adam([theta], lr=LR, betas=(BETA1, BETA2), eps=EPS)
    before, sizes = 0.0, []
    for _ in range(steps):
        opt.zero_grad()
        (g * theta).sum().backward()
        opt.step()
        sizes.append(abs(theta.item() - before))
        before = theta.item()
    return np.array(sizes)


def plot(expected, steps_uncorrected, out_dir):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    t = np.arange(1, len(expected["m"]) + 1)
    left.plot(t, expected["m"], "o-", ms=3, label="mean of m_t (uncorrected)")
    left.plot(t, expected["m_hat"], "o-", ms=3, label="mean of m̂_t = m_t / (1 − β₁ᵗ)")
    left.plot(t, (1 - BETA1 ** t) * expected["mu"], "k--", lw=1, label="(1 − β₁ᵗ)·μ")
    left.set(title=f"gradients with mean μ = {expected['mu']}, averaged over {expected['runs']} runs",
             xlabel="step t", ylabel="first moment")
    left.legend()
    s = np.arange(1, len(steps_uncorrected) + 1)
    right.plot(s, steps_uncorrected / LR, label="uncorrected: lr·m_t/(√v_t + ε)")
    right.axhline(1.0, color="C1", label="corrected (tb.optim.Adam): lr·m̂_t/(√v̂_t + ε)")
    right.set(title="step size with a constant gradient, in units of lr", xlabel="step t", ylabel="|Δθ| / lr",
              xscale="log")
    right.legend()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "adam_bias_correction.png", dpi=100)
    return out_dir / "adam_bias_correction.png"


def main(out_dir=Path(__file__).parent / "out", small=False):
    # 1. the bias of m, averaged over many sequences of noisy gradients with mean mu
    mu, runs, T = 0.5, 2000 if small else 20000, 30
    rng = np.random.default_rng(0)
    noisy = moments(mu + rng.normal(0, 1, size=(T, runs)))
    expected = {"m": noisy["m"].mean(axis=1), "m_hat": noisy["m_hat"].mean(axis=1), "mu": mu, "runs": runs}
    print("t   E(m_t)   (1-β₁ᵗ)μ   E(m̂_t)")
    for t in (1, 2, 3, 10, 30):
        print(f"{t:<3d} {expected['m'][t - 1]:.4f}   {(1 - BETA1 ** t) * mu:.4f}     {expected['m_hat'][t - 1]:.4f}")

    # 2. the first steps with a constant gradient, uncorrected and corrected
    n = 2000 if small else 10000
    constant = moments(np.full(n, 2.0))
    uncorrected = LR * constant["m"] / (np.sqrt(constant["v"]) + EPS)
    corrected = LR * constant["m_hat"] / (np.sqrt(constant["v_hat"]) + EPS)
    print("first steps / lr, uncorrected:", np.round(uncorrected[:5] / LR, 3).tolist(),
          f"(largest {uncorrected.max() / LR:.2f} at step {uncorrected.argmax() + 1})")
    print("first steps / lr, corrected:  ", np.round(corrected[:5] / LR, 3).tolist())

    # 3. tb.optim.Adam takes the corrected steps, for a tiny and for a huge gradient alike
    adam = {g: adam_steps(g, 5) for g in (1e-3, 2.0, 1e3)}
    for g, sizes in adam.items():
        print(f"tb.optim.Adam, gradient {g:g}: steps / lr =", np.round(sizes / LR, 6).tolist())
    if out_dir is not None:
        print("wrote", plot(expected, uncorrected, out_dir))
    return {"expected_m": expected["m"], "expected_m_hat": expected["m_hat"], "mu": mu,
            "uncorrected_steps": uncorrected, "corrected_steps": corrected, "adam_steps": adam}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default=Path(__file__).parent / "out")
    main(parser.parse_args().out_dir)
