"""Per-operation costs (µs per call) of the pieces W1-W5 are made of, for one or more contenders.

    python benchmarks/microbench.py [--contenders tinygrad_bp,torch] [--only mul,backward]

Each micro runs in this process (unlike run.py), best of 7 timing rounds, each round long enough
(>= 20 ms) to be timed reliably. Use it to find where a workload's time goes and to check that a
change to one piece gains what it should; the workload numbers themselves come from run.py.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.environ.get("TB_ROOT") or os.path.dirname(HERE)]  # TB_ROOT: another checkout

import numpy as np  # noqa: E402


def best_us(fn, per_call: int = 1, rounds: int = 7, min_round_s: float = 0.02) -> float:
    """Best-of-rounds time of one `fn()` call in µs, divided by `per_call` (ops per call)."""
    fn()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_round_s:
            break
        number *= 2
    best = dt
    for _ in range(rounds - 1):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, time.perf_counter() - t0)
    return best / number / per_call * 1e6


def micros(torch) -> dict:
    """name -> zero-argument callable, written against the PyTorch API (torch or tinygrad_bp)."""
    nn = torch.nn
    data = importlib.import_module(torch.__name__ + ".utils.data")
    rng = np.random.default_rng(0)
    a16 = rng.standard_normal(16).astype(np.float32)
    x = torch.tensor(a16, requires_grad=True)
    w = torch.tensor(a16 + 1, requires_grad=True)
    c = torch.tensor(a16 * 0.1)
    plain = torch.tensor(a16)
    out = {}
    out["tensor(np16)"] = lambda: torch.tensor(a16)
    out["from_numpy(np16)"] = lambda: torch.from_numpy(a16)
    out["mul 16 (grad)"] = lambda: x * w
    out["add 16 const (grad)"] = lambda: x + c
    out["tanh 16 (grad)"] = lambda: x.tanh()
    out["mul 16 (no grad tensors)"] = lambda: plain * c
    out["mul python scalar (grad)"] = lambda: x * 2.0

    def mul_no_grad():
        with torch.no_grad():
            return x * w
    out["mul 16 inside no_grad()"] = mul_no_grad

    def no_grad_only():
        with torch.no_grad():
            pass
    out["no_grad() enter+exit"] = no_grad_only

    def chain(n):
        def run():
            x.grad = w.grad = None
            y = x
            for i in range(n):
                op = i % 3
                y = y * w if op == 0 else (y + c if op == 1 else y.tanh())
            y.sum().backward()
        return run
    out["W4 chain, per op (fwd+bwd)"] = (chain(200), 200)

    def fwd_only(n):
        def run():
            y = x
            for i in range(n):
                op = i % 3
                y = y * w if op == 0 else (y + c if op == 1 else y.tanh())
            return y
        return run
    out["W4 chain, per op (fwd only)"] = (fwd_only(200), 200)

    # W1 pieces
    X = rng.standard_normal((1000, 10)).astype(np.float32)
    Y = rng.standard_normal((1000, 1)).astype(np.float32)
    model = nn.Linear(10, 1)
    loss_fn = nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    xb, yb = torch.from_numpy(X[:1].copy()), torch.from_numpy(Y[:1].copy())
    out["Linear(10,1) fwd, batch 1"] = lambda: model(xb)
    pred = model(xb)
    out["MSELoss fwd"] = lambda: loss_fn(pred, yb)

    def fwd_bwd():
        loss = loss_fn(model(xb), yb)
        loss.backward()
    out["Linear+MSE fwd+bwd"] = fwd_bwd

    def bwd_only_factory():
        def run():
            loss = loss_fn(model(xb), yb)
            t0 = time.perf_counter()
            loss.backward()
            return time.perf_counter() - t0
        return run
    out["_bwd_only"] = bwd_only_factory()
    out["SGD zero_grad (2 params)"] = lambda: opt.zero_grad()

    def sgd_step():
        for p in model.parameters():
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        opt.step()
    out["SGD step (2 params)"] = sgd_step
    loss = loss_fn(model(xb), yb)
    out["loss.item()"] = lambda: loss.item()
    ds = data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader1 = data.DataLoader(ds, batch_size=1)
    loader100 = data.DataLoader(ds, batch_size=100, shuffle=True)
    out["DataLoader bs=1, per batch"] = (lambda: [None for _ in loader1], 1000)
    out["DataLoader bs=100 shuffle, per batch"] = (lambda: [None for _ in loader100], 10)

    def w1_step():
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()
    out["W1 step without data loading"] = w1_step

    # W3 pieces
    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    adam = torch.optim.Adam(mlp.parameters(), lr=1e-3)
    ce = nn.CrossEntropyLoss()
    xm = torch.from_numpy(rng.standard_normal((128, 784)).astype(np.float32))
    tm = torch.from_numpy(rng.integers(0, 10, 128).astype(np.int64))
    out["MLP fwd (batch 128)"] = lambda: mlp(xm)
    logits = mlp(xm)
    out["CrossEntropyLoss fwd"] = lambda: ce(logits, tm)

    def mlp_fwd_bwd():
        ce(mlp(xm), tm).backward()
    out["MLP+CE fwd+bwd"] = mlp_fwd_bwd
    mlp_fwd_bwd()
    out["Adam step (4 params, W3)"] = lambda: adam.step()

    def w3_step():
        adam.zero_grad()
        loss = ce(mlp(xm), tm)
        loss.backward()
        adam.step()
        return loss.item()
    out["W3 step"] = w3_step
    return out


def numpy_micros() -> dict:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)
    W1 = rng.standard_normal((256, 784)).astype(np.float32)
    xm = rng.standard_normal((128, 784)).astype(np.float32)
    return {
        "mul 16 (no grad tensors)": lambda: a * b,
        "tanh 16 (grad)": lambda: np.tanh(a),
        "np.empty((16,))": lambda: np.empty(16, np.float32),
        "x @ W1.T (128x784 @ 784x256)": lambda: xm @ W1.T,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--contenders", default="tinygrad_bp,torch")
    ap.add_argument("--only", default="", help="comma-separated substrings of micro names")
    args = ap.parse_args(argv)
    names = [c.strip() for c in args.contenders.split(",") if c.strip()]
    table: dict[str, dict[str, float]] = {}
    for name in names:
        if name == "numpy":
            ms = numpy_micros()
        else:
            lib = importlib.import_module(name)
            if name == "torch":
                lib.set_num_threads(1)
            ms = micros(lib)
        for key, item in ms.items():
            if args.only and not any(s in key for s in args.only.split(",")):
                continue
            if key == "_bwd_only":
                samples = sorted(item() for _ in range(2000))
                table.setdefault("backward() only (Linear+MSE graph)", {})[name] = samples[len(samples) // 2] * 1e6
                continue
            fn, per = item if isinstance(item, tuple) else (item, 1)
            table.setdefault(key, {})[name] = best_us(fn, per)
    head = "| micro (µs per call) | " + " | ".join(names) + " |"
    if len(names) >= 2:
        head += f" {names[0]} / {names[1]} |"
    print(head)
    print("|" + "---|" * (len(names) + 1 + (len(names) >= 2)))
    for key, per in table.items():
        cells = [f"{per[n]:.2f}" if n in per else "—" for n in names]
        ratio = ""
        if len(names) >= 2:
            a, b = per.get(names[0]), per.get(names[1])
            ratio = f" {a / b:.2f}x |" if a and b else " — |"
        print(f"| {key} | " + " | ".join(cells) + " |" + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
