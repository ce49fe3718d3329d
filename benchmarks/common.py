"""Workload sizes and shared data, identical for every contender.

Each workload function in `workloads_numpy.py` and `workloads_torchlike.py` takes the
parameters below and returns a dict with `seconds` (the timed region) and `check`
(a number that must agree across contenders: a final loss or a gradient sum).
"""

# W1/W2: the tutorial's linear regression loop.
N_SAMPLES = 1000
N_FEATURES = 10
LR_SGD = 0.01
W1_STEPS = 2000          # batch_size=1 -> 2 epochs of 1000 steps
W2_STEPS = 1000          # batch_size=100, shuffle=True -> 100 epochs of 10 steps
W2_BATCH = 100

# W3: MLP 784-256-10, ReLU, CrossEntropyLoss, Adam(lr=1e-3), batch 128, float32.
W3_IN, W3_HIDDEN, W3_OUT = 784, 256, 10
W3_BATCH = 128
W3_BATCHES = 10          # the data set: 10 batches, cycled
W3_STEPS = 200
LR_ADAM = 1e-3

# W4: per-op overhead, a 200-op chain (y*w, y+c, tanh) on 16 elements, forward + backward.
W4_OPS = 200
W4_SIZE = 16
W4_WARMUP = 20
W4_ITERS = 300

# W5: a 100,000-op chain (y*w, y+c, tanh) on one element, forward + backward.
W5_OPS = 100_000

# W7: memory growth over a training loop: RSS after W7_LONG steps minus RSS after W7_SHORT steps of W2's loop.
W7_SHORT = 100
W7_LONG = 1000

# --quick divides the step counts by this (ratios stay per step; absolute times shrink).
QUICK_DIVISOR = 4


def rss_kb() -> int:
    """The resident set size of this process now, in KiB (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Clock:
    """Wall time (perf_counter) and this process's CPU time (process_time) since construction.

    Every run is single-threaded (1 BLAS thread, torch.set_num_threads(1)), so on an idle machine the
    two agree; on a shared machine CPU time leaves out the time other processes held the CPU.
    """

    def __init__(self) -> None:
        import time

        self._time = time
        self.cpu0 = time.process_time()
        self.wall0 = time.perf_counter()

    def stop(self) -> dict:
        wall = self._time.perf_counter() - self.wall0
        cpu = self._time.process_time() - self.cpu0
        return {"seconds": wall, "cpu_seconds": cpu}


def scaled(n: int, quick: bool) -> int:
    """The step count `n`, divided by QUICK_DIVISOR under --quick (at least 1)."""
    return max(1, n // QUICK_DIVISOR) if quick else n


def linear_data():
    """W1/W2 data: X (1000, 10) float32, y = X @ w + 0.5 + noise, shape (1000, 1), and initial weights."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES), dtype=np.float32)
    w_true = rng.standard_normal((N_FEATURES, 1), dtype=np.float32)
    y = (X @ w_true + 0.5 + 0.1 * rng.standard_normal((N_SAMPLES, 1), dtype=np.float32)).astype(np.float32)
    bound = 1.0 / np.sqrt(N_FEATURES)       # PyTorch's nn.Linear default init range
    W0 = rng.uniform(-bound, bound, (1, N_FEATURES)).astype(np.float32)
    b0 = rng.uniform(-bound, bound, (1,)).astype(np.float32)
    return X, y, W0, b0


def mlp_data():
    """W3 data: X (1280, 784) float32, integer labels (1280,), and initial weights in Linear's layout."""
    import numpy as np

    rng = np.random.default_rng(1)
    n = W3_BATCH * W3_BATCHES
    X = rng.standard_normal((n, W3_IN), dtype=np.float32)
    labels = rng.integers(0, W3_OUT, n).astype(np.int64)
    params = []
    for fan_in, fan_out in ((W3_IN, W3_HIDDEN), (W3_HIDDEN, W3_OUT)):
        bound = 1.0 / np.sqrt(fan_in)
        W = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
        params += [W, b]
    return X, labels, params


def chain_data(size: int):
    """W4/W5 leaves: x, w in [0.5, 1.5), c in [-0.1, 0.1), float32 of `size` elements."""
    import numpy as np

    rng = np.random.default_rng(2)
    x = rng.uniform(-1.0, 1.0, size).astype(np.float32)
    w = rng.uniform(0.5, 1.5, size).astype(np.float32)
    c = rng.uniform(-0.1, 0.1, size).astype(np.float32)
    return x, w, c
