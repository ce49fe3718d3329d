"""Paired A/B timing of candidate speed-ups, applied as monkeypatches to the installed tinygrad_bp.

    python benchmarks/ab_patches.py PATCH[,PATCH...] WORKLOAD [--rounds 80]
    python benchmarks/ab_patches.py --list

Each patch is a small, self-contained change an owner could make in the real module (the code here
is the proposal). Rounds alternate original / patched in ONE process (order flipping each round);
the report is the median of the per-round ratios patched/original, which cancels the slow drift
of a busy machine, plus the best (minimum) time of each side. WORKLOAD is W1-W5 (shortened: W1 100
steps, W2 10, W3 3, W4 4 chains of 200 ops; W5 is the full 100,000-op chain, so use --rounds 16). Written against
tinygrad_bp at commit 9d01e0d. The candidates PROFILE.md measured and the owners then applied (gcbw,
noargs, bias, call, ce, ones, bwimport, binary, lazyneeds, leafinline, sgd) were removed from this
file once they landed (see git history); add a new candidate as one more entry of PATCHES.
TB_ROOT=DIR runs against another checkout (e.g. a `git archive` of an older commit).
"""

import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.environ.get("TB_ROOT") or os.path.dirname(HERE)]

import numpy as np  # noqa: E402

import tinygrad_bp as tb  # noqa: E402
from tinygrad_bp.ops import elementwise as _El  # noqa: E402

PATCHES = {}
DESCRIPTIONS = {
    "tanhbw": "Tanh.backward: one temporary (in-place 1 - out*out, *= g) -- measured: no gain (±1 %)",
}


def set_patches(names, on=True):
    for n in names:
        PATCHES[n](on)


# Tanh backward with one temporary: t = out*out; t = 1 - t (in place); t *= g
_orig_tanh_bwd = _El.Tanh.__dict__["backward"]


@staticmethod
def tanh_backward(ctx, g):
    (out,) = ctx.saved_tensors
    if type(out) is not np.ndarray or type(g) is not np.ndarray:
        return g * (1 - out * out)
    t = out * out
    np.subtract(1, t, out=t)
    t *= g
    return t


PATCHES["tanhbw"] = lambda on: setattr(_El.Tanh, "backward", tanh_backward if on else _orig_tanh_bwd)


# ------------------------------------------------------------------------------------------- runner
def _workload(name: str):
    import common as C
    import workloads_torchlike as WT

    from tinygrad_bp.utils import data

    if name == "W4":
        x, w, c = WT._leaves(tb, C.W4_SIZE)
        return (lambda: [WT._chain(x, w, c, C.W4_OPS) for _ in range(4)]), 4 * C.W4_OPS, "op"
    if name == "W5":
        x, w, c = WT._leaves(tb, 1)
        return (lambda: WT._chain(x, w, c, C.W5_OPS)), C.W5_OPS, "op"   # full size: GC cost grows with depth
    nn = tb.nn
    if name in ("W1", "W2"):
        X, y, _, _ = C.linear_data()
        bs, shuffle, n = (1, False, 100) if name == "W1" else (C.W2_BATCH, True, 10)
        loader = data.DataLoader(data.TensorDataset(tb.from_numpy(X), tb.from_numpy(y)), batch_size=bs,
                                 shuffle=shuffle)
        model, loss_fn = nn.Linear(C.N_FEATURES, 1), nn.MSELoss()
        opt = tb.optim.SGD(model.parameters(), lr=C.LR_SGD)
    else:
        X, labels, _ = C.mlp_data()
        B = C.W3_BATCH
        Xt, Lt = tb.from_numpy(X), tb.from_numpy(labels)
        loader = [(Xt[k * B:(k + 1) * B], Lt[k * B:(k + 1) * B]) for k in range(C.W3_BATCHES)]
        model = nn.Sequential(nn.Linear(C.W3_IN, C.W3_HIDDEN), nn.ReLU(), nn.Linear(C.W3_HIDDEN, C.W3_OUT))
        loss_fn, n = nn.CrossEntropyLoss(), 3
        opt = tb.optim.Adam(model.parameters(), lr=C.LR_ADAM)

    def run():
        k = 0
        while k < n:
            for xb, yb in loader:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                loss.item()
                k += 1
                if k == n:
                    break
    return run, n, "step"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("patches", nargs="?", default="", help="comma-separated patch names (see --list)")
    ap.add_argument("workload", nargs="?", default="W1", help="W1..W5")
    ap.add_argument("--rounds", type=int, default=80)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list or not args.patches:
        for name, text in DESCRIPTIONS.items():
            print(f"{name:9s} {text}")
        return 0
    names = [p for p in args.patches.split(",") if p]
    unknown = [p for p in names if p not in PATCHES]
    if unknown:
        ap.error(f"unknown patch(es) {unknown}; see --list")
    run, per, unit = _workload(args.workload.upper())
    best = {False: float("inf"), True: float("inf")}
    ratios = []
    for r in range(args.rounds):
        pair = {}
        for on in (False, True) if r % 2 == 0 else (True, False):
            set_patches(names, on)
            t0 = time.perf_counter()
            run()
            pair[on] = time.perf_counter() - t0
            best[on] = min(best[on], pair[on])
        set_patches(names, False)
        ratios.append(pair[True] / pair[False])
    ratios.sort()
    q = len(ratios) // 4
    us = {k: v / per * 1e6 for k, v in best.items()}
    print(f"{args.workload.upper()} {'+'.join(names)}: best original {us[False]:.2f} µs/{unit}, patched "
          f"{us[True]:.2f} µs/{unit}; paired ratio patched/original: median {ratios[len(ratios) // 2]:.3f} "
          f"(interquartile {ratios[q]:.3f}-{ratios[-q - 1]:.3f}, {args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
