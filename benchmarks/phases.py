"""Where a training step's time goes: median µs per phase of W1, W2 and W3, per contender.

    python benchmarks/phases.py [--contenders tinygrad_bp,torch] [--workloads W1,W2,W3]

Each phase of every step (next batch, zero_grad, forward, loss, backward, step, item) is timed on
its own with perf_counter_ns, and the median over all steps is reported: medians shrug off the
spikes of a busy machine, so the split is reliable even when absolute times are not. The sum of
the medians is close to, not equal to, the step time measured by run.py.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from time import perf_counter_ns as now  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.environ.get("TB_ROOT") or os.path.dirname(HERE)]  # TB_ROOT: another checkout

import common as C  # noqa: E402

PHASES = ("next batch", "zero_grad", "forward", "loss", "backward", "optimizer.step", "loss.item")


def _setup(torch, workload: str):
    nn = torch.nn
    data = importlib.import_module(torch.__name__ + ".utils.data")
    torch.manual_seed(3)
    if workload in ("W1", "W2"):
        X, y, W0, b0 = C.linear_data()
        batch, shuffle = (1, False) if workload == "W1" else (C.W2_BATCH, True)
        loader = data.DataLoader(data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                                 batch_size=batch, shuffle=shuffle)
        model = nn.Linear(C.N_FEATURES, 1)
        init = (W0, b0)
        loss_fn = nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=C.LR_SGD)
        steps = C.W1_STEPS if workload == "W1" else C.W2_STEPS
    else:
        X, labels, init = C.mlp_data()
        B = C.W3_BATCH
        Xt, Lt = torch.from_numpy(X), torch.from_numpy(labels)
        loader = [(Xt[k * B:(k + 1) * B], Lt[k * B:(k + 1) * B]) for k in range(C.W3_BATCHES)]
        model = nn.Sequential(nn.Linear(C.W3_IN, C.W3_HIDDEN), nn.ReLU(), nn.Linear(C.W3_HIDDEN, C.W3_OUT))
        loss_fn = nn.CrossEntropyLoss()
        opt = torch.optim.Adam(model.parameters(), lr=C.LR_ADAM)
        steps = C.W3_STEPS
    with torch.no_grad():
        for p, a in zip(model.parameters(), init):
            p.copy_(torch.from_numpy(a))
    return loader, model, loss_fn, opt, steps


def measure(torch, workload: str) -> dict:
    loader, model, loss_fn, opt, steps = _setup(torch, workload)
    times = {p: [] for p in PHASES}
    step = 0
    while step < steps:
        it = iter(loader)
        while step < steps:
            t0 = now()
            try:
                xb, yb = next(it)
            except StopIteration:
                break
            t1 = now()
            opt.zero_grad()
            t2 = now()
            out = model(xb)
            t3 = now()
            loss = loss_fn(out, yb)
            t4 = now()
            loss.backward()
            t5 = now()
            opt.step()
            t6 = now()
            loss.item()
            t7 = now()
            for p, a, b in zip(PHASES, (t0, t1, t2, t3, t4, t5, t6), (t1, t2, t3, t4, t5, t6, t7)):
                times[p].append(b - a)
            step += 1
    return {p: statistics.median(v) / 1e3 for p, v in times.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--contenders", default="tinygrad_bp,torch")
    ap.add_argument("--workloads", default="W1,W2,W3")
    args = ap.parse_args(argv)
    names = [c.strip() for c in args.contenders.split(",") if c.strip()]
    libs = {}
    for n in names:
        libs[n] = importlib.import_module(n)
        if n == "torch":
            libs[n].set_num_threads(1)
    for w in [w.strip().upper() for w in args.workloads.split(",")]:
        res = {n: measure(libs[n], w) for n in names}
        print(f"\n{w}: median µs per step and phase")
        print("| phase | " + " | ".join(names) + " |")
        print("|" + "---|" * (len(names) + 1))
        for p in PHASES:
            print(f"| {p} | " + " | ".join(f"{res[n][p]:.1f}" for n in names) + " |")
        print("| **sum** | " + " | ".join(f"**{sum(res[n].values()):.1f}**" for n in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
